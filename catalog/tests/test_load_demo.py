import gzip
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from PIL import Image

from catalog import services
from catalog.cache import CATALOG
from catalog.demo.categories import CATEGORY_TREE, FALLBACK, category_path_for
from catalog.demo.importer import DEMO_DATA, demo_stock_level
from catalog.demo.titles import title_from_description
from catalog.models import Category, Product, ProductImage, StockAdjustment, Variant

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
ROWS = [
    # The heart sells at 2.55 twice and at 2.95 once; the data also spells its code in lower case.
    "570001,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2011-09-01 09:00:00,2.55,17850.0,United Kingdom",
    "570002,85123a,WHITE HANGING HEART T-LIGHT HOLDER,12,2011-09-02 10:00:00,2.95,13047.0,United Kingdom",
    "570003,85123A,WHITE HANGING HEART T-LIGHT HOLDER ,4,2011-09-03 11:00:00,2.55,,United Kingdom",
    # Sold more than 90 days before the last line: not part of its popularity.
    "560000,85123A,WHITE HANGING HEART T-LIGHT HOLDER,100,2011-05-01 09:00:00,2.55,17850.0,United Kingdom",
    "570004,22423,REGENCY CAKESTAND 3 TIER,2,2011-09-04 12:00:00,12.75,13047.0,United Kingdom",
    "C570005,22423,REGENCY CAKESTAND 3 TIER,-1,2011-09-05 12:00:00,12.75,13047.0,United Kingdom",
    "570006,POST,POSTAGE,3,2011-09-05 13:00:00,18.0,12583.0,France",
    "570007,21169,YOU'RE CONFUSING ME METAL SIGN ,3,2011-09-06 09:00:00,1.69,14911.0,EIRE",
    # A return booked as a stock adjustment, with no description and no price.
    "570008,21169,,-2,2011-09-07 09:00:00,0.0,,United Kingdom",
    "570009,21067,,1,2011-09-07 10:00:00,0.0,,United Kingdom",
    "570010,22139,damaged,-5,2011-09-07 11:00:00,0.0,,United Kingdom",
    "570011,23084,RABBIT NIGHT LIGHT,24,2011-09-07 12:00:00,1.79,12583.0,France",
    "570012,BANK CHARGES,Bank Charges,1,2011-09-07 13:00:00,15.0,,United Kingdom",
]


@pytest.fixture
def retail_data(tmp_path: Path) -> Path:
    folder = tmp_path / "online-retail"
    folder.mkdir()
    with gzip.open(folder / "2011-09.csv.gz", "wt", encoding="utf-8", newline="") as file:
        file.write("\n".join([HEADER, *ROWS]) + "\n")
    return folder


def load_demo(data: Path, **options: object) -> str:
    out = io.StringIO()
    call_command("load_demo", data=str(data), verbosity=0, stdout=out, **{"images": False, **options})
    return out.getvalue()


def catalogue_rows() -> dict[str, list[Any]]:
    models = (Category, Product, Variant, ProductImage, StockAdjustment)
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.mark.django_db
def test_each_stock_code_becomes_one_product_with_a_tidy_title_and_its_usual_price(retail_data):
    load_demo(retail_data)

    heart = Product.objects.get(source_code="85123A")
    assert heart.title == "White Hanging Heart T-Light Holder"
    variant = heart.variants.get()
    assert variant.sku == "85123A"
    assert variant.price == Decimal("2.55")
    assert isinstance(variant.price, Decimal)
    assert variant.currency == "GBP"
    assert Product.objects.get(source_code="22423").title == "Regency Cakestand 3 Tier"
    assert Product.objects.get(source_code="21169").title == "You're Confusing Me Metal Sign"
    assert "<p>White Hanging Heart T-Light Holder, from our" in heart.description


@pytest.mark.django_db
def test_fees_and_stock_adjustments_do_not_become_products(retail_data):
    output = load_demo(retail_data)

    assert sorted(Product.objects.values_list("source_code", flat=True)) == ["21169", "22423", "23084", "85123A"]
    assert not Variant.objects.filter(sku__in=["POST", "BANK CHARGES", "21067", "22139"]).exists()
    assert "Products: 4 created" in output


@pytest.mark.django_db
def test_popularity_is_units_sold_in_the_last_90_days_less_cancellations(retail_data):
    load_demo(retail_data)

    popularity = dict(Product.objects.values_list("source_code", "popularity"))
    assert popularity == {"85123A": 22, "22423": 1, "21169": 3, "23084": 24}


@pytest.mark.django_db
def test_products_are_filed_in_a_two_level_tree_of_categories_found_from_their_names(retail_data):
    load_demo(retail_data)

    heart = Product.objects.select_related("category").get(source_code="85123A")
    assert heart.category.name == "T-Light Holders & Lanterns"
    assert Category.objects.get_parent(heart.category).name == "Candles & Lights"
    assert Product.objects.get(source_code="21169").category.slug == "signs-plaques"
    assert Product.objects.get(source_code="22423").category.slug == "baking"
    # Only the categories in use are created, so navigation never leads to an empty shelf.
    assert set(Category.objects.filter(depth=1).values_list("slug", flat=True)) == {
        "candles-lights",
        "home-decor",
        "mugs-kitchen",
    }
    assert all(Category.objects.filter(depth=1).values_list("is_featured", flat=True))


def test_category_rules_go_by_the_kind_of_product_before_its_motif():
    def path(description):
        return [spec.name for spec in category_path_for(description=description)]

    assert path("METAL SIGN EMPIRE TEA") == ["Home Decor", "Signs & Plaques"]
    assert path("WOVEN ROSE GARDEN CUSHION COVER") == ["Home Decor", "Cushions & Textiles"]
    assert path("HANGING JAM JAR T-LIGHT HOLDER") == ["Candles & Lights", "T-Light Holders & Lanterns"]
    assert path("LUNCH BAG CARS BLUE") == ["Bags", "Lunch Bags"]
    assert path("CHRISTMAS LIGHTS 10 REINDEER") == ["Christmas"]
    assert path("FOLKART HEART NAPKIN RINGS") == ["Mugs & Kitchen", "Tableware"]
    assert path("GARDEN PATH POCKET BOOK") == ["Stationery"]
    assert path("ENAMEL FLOWER GARDEN") == ["Garden"]
    assert path("SOMBRERO") == ["Other Gifts"]


def test_category_slugs_are_unique_and_six_to_eight_top_levels_are_featured():
    specs = [*CATEGORY_TREE, FALLBACK, *(child for spec in CATEGORY_TREE for child in spec.children)]
    slugs = [spec.slug for spec in specs]
    assert len(slugs) == len(set(slugs))
    assert 6 <= sum(spec.featured for spec in CATEGORY_TREE) <= 8


@pytest.mark.parametrize(
    ("description", "title"),
    [
        ("SET OF 4 KNICK KNACK TINS DOILY ", "Set of 4 Knick Knack Tins Doily"),
        ("S/4 CACTI CANDLES", "Set of 4 Cacti Candles"),
        ("HAND OVER THE CHOCOLATE   SIGN ", "Hand Over the Chocolate Sign"),
        ("THE KING GIFT BAG 25x24x12cm", "The King Gift Bag 25x24x12cm"),
        ("POLYESTER FILLER PAD 45X45CM", "Polyester Filler Pad 45x45cm"),
        ("WRAP 50'S CHRISTMAS", "Wrap 50's Christmas"),
        ("I'M ON HOLIDAY METAL SIGN", "I'm on Holiday Metal Sign"),
        ("FOLK ART GREETING CARD,pack/12", "Folk Art Greeting Card, Pack of 12"),
        ("RESIN BRACELET W PASTEL BEADS", "Resin Bracelet with Pastel Beads"),
        ("PACK OF SIX LED TEA LIGHTS", "Pack of Six LED Tea Lights"),
        ("3D SHEET OF DOG STICKERS", "3D Sheet of Dog Stickers"),
        ("CHILDRENS CUTLERY SPACEBOY ", "Children's Cutlery Spaceboy"),
    ],
)
def test_titles_keep_sizes_initialisms_and_apostrophes_right(description, title):
    assert title_from_description(description) == title


@pytest.mark.django_db
def test_new_variants_have_their_initial_stock_in_the_ledger(retail_data):
    load_demo(retail_data)

    for variant in Variant.objects.prefetch_related("adjustments"):
        assert variant.stock == demo_stock_level(sku=variant.sku)
        assert sum(adjustment.delta for adjustment in variant.adjustments.all()) == variant.stock
        assert {adjustment.reason for adjustment in variant.adjustments.all()} <= {StockAdjustment.Reason.INITIAL}


def test_stock_levels_spread_from_out_of_stock_through_low_to_plenty():
    levels = [demo_stock_level(sku=f"{n:05d}") for n in range(4000)]
    out, low = sum(level == 0 for level in levels), sum(1 <= level <= 5 for level in levels)
    assert 0.03 < out / len(levels) < 0.07
    assert 0.07 < low / len(levels) < 0.13
    assert max(levels) <= 200
    assert levels == [demo_stock_level(sku=f"{n:05d}") for n in range(4000)]


@pytest.mark.django_db
def test_each_product_gets_a_picture_with_its_title_as_alt_text_and_webp_renditions(retail_data):
    output = load_demo(retail_data, images=True, limit=1)

    image = ProductImage.objects.select_related("product").get()
    assert image.product.source_code == "21169"  # the first product by stock code
    assert image.alt_text == "You're Confusing Me Metal Sign"
    with default_storage.open(image.image.name) as file:
        assert Image.open(file).size == (400, 400)
    for rendition in (image.thumb_small, image.thumb_medium, image.thumb_large):
        assert default_storage.exists(rendition.name)
        assert rendition.name.endswith(".webp")
    assert "Pictures: 1 created" in output


@pytest.mark.django_db
def test_pictures_drawn_by_worker_processes_land_in_the_same_storage(retail_data):
    load_demo(retail_data, images=True, processes=2)

    images = ProductImage.objects.all()
    assert len(images) == 4
    for image in images:
        assert default_storage.exists(image.image.name)
        assert default_storage.exists(image.thumb_small.name)


@pytest.mark.django_db
def test_running_twice_changes_nothing(retail_data):
    load_demo(retail_data, images=True, limit=2)
    rows, files = catalogue_rows(), stored_files()

    output = load_demo(retail_data, images=True, limit=2)

    assert catalogue_rows() == rows
    assert stored_files() == files
    assert "Products: 0 created, 0 with new popularity, 2 unchanged" in output
    assert "Pictures: 0 created" in output


@pytest.mark.django_db
def test_a_second_run_keeps_what_staff_changed(retail_data):
    load_demo(retail_data)
    variant = Variant.objects.get(sku="85123A")
    services.stock_set(variant=variant, quantity=7, reason=StockAdjustment.Reason.COUNT)
    Variant.objects.filter(pk=variant.pk).update(price=Decimal("3.10"))
    Product.objects.filter(source_code="85123A").update(title="Heart T-Light Holder")

    load_demo(retail_data)

    variant.refresh_from_db()
    assert (variant.stock, variant.price, variant.product.title) == (7, Decimal("3.10"), "Heart T-Light Holder")
    assert Variant.objects.count() == 4


@pytest.mark.django_db
def test_a_sku_already_used_by_a_staff_product_is_skipped_not_duplicated(retail_data):
    load_demo(retail_data, limit=1)
    Product.objects.filter(source_code="21169").update(source_code="")

    output = load_demo(retail_data)

    assert Variant.objects.filter(sku="21169").count() == 1
    assert "1 skipped (SKU in use)" in output


@pytest.mark.django_db
def test_loading_marks_the_cached_catalogue_pages_stale(retail_data, django_capture_on_commit_callbacks):
    cache.set(CATALOG, "before", timeout=None)

    with django_capture_on_commit_callbacks(execute=True):
        load_demo(retail_data)

    assert cache.get(CATALOG) != "before"


@pytest.mark.django_db
def test_a_folder_without_the_retail_files_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match=r"No \.csv\.gz or \.csv files"):
        load_demo(tmp_path)
    (tmp_path / "other.csv").write_text("sku,quantity\nA,1\n")
    with pytest.raises(CommandError, match="expected the columns InvoiceNo,StockCode"):
        load_demo(tmp_path)
    (tmp_path / "other.csv").write_text(
        f"{HEADER}\n570001,85123A,WHITE HANGING HEART,six,2011-09-01 09:00:00,2.55,,UK\n"
    )
    with pytest.raises(CommandError, match=r"other\.csv, line 2: invalid literal for int\(\)"):
        load_demo(tmp_path)
    with pytest.raises(CommandError, match="--limit must be at least 1"):
        load_demo(tmp_path, limit=0)


def test_the_shipped_demo_data_is_three_months_with_its_credit():
    assert sorted(path.name for path in DEMO_DATA.glob("*.csv.gz")) == [
        "2011-07.csv.gz", "2011-08.csv.gz", "2011-09.csv.gz",
    ]  # fmt: skip
    credit = (DEMO_DATA / "README.md").read_text()
    assert "Daqing Chen, Sai Liang Sain and Kun Guo" in credit
    assert "CC BY 4.0" in credit
    with gzip.open(DEMO_DATA / "2011-09.csv.gz", "rt") as file:
        assert file.readline().strip() == HEADER
    assert Counter(path.suffix for path in DEMO_DATA.iterdir()) == Counter({".gz": 3, ".md": 1})
