"""The demo catalogue: the products of the Online Retail data, with categories, stock and pictures.

Safe to run again, and against a shop that staff have since changed. A product is recognised by
its stock code (Product.source_code, and the SKU of its one variant): one that already exists keeps
its title, price, category and stock, whatever staff did to them, and only its popularity follows
the data. Pictures are drawn for the data's products that have none. Every write goes through bulk
queries in a few short transactions, and each one marks the cached shop pages stale.
"""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify
from tqdm import tqdm

from catalog.cache import catalog_changed
from catalog.demo.categories import CATEGORY_TREE, FALLBACK, CategorySpec, category_path_for
from catalog.demo.images import ImageJob, StoredImage, images_store
from catalog.demo.retail import RETAIL_CURRENCY, RetailLine, RetailProduct, retail_lines_read, retail_products
from catalog.demo.titles import title_from_description
from catalog.models import Category, Product, ProductImage, StockAdjustment, Variant
from catalog.services import description_clean
from shop.money import money_round

DEMO_DATA = Path(__file__).resolve().parent / "data"
STOCK_NOTE = "Demo catalogue (Online Retail data)"
_IMAGES_PER_TRANSACTION = 250


@dataclass(frozen=True)
class DemoCatalogResult:
    lines: int
    products_created: int
    products_updated: int  # popularity refreshed
    products_unchanged: int
    products_skipped: int  # SKU already used by a product that is not from the data
    categories_created: int
    images_created: int


@dataclass(frozen=True)
class _Planned:
    code: str
    title: str
    price: Decimal
    popularity: int
    path: tuple[CategorySpec, ...]


def demo_stock_level(*, sku: str) -> int:
    """A believable stock level that is the same on every run and every machine (no hash()
    randomisation): about 5% out of stock, 10% low (1 to 5), the rest 6 to 200."""
    digest = hashlib.sha256(sku.encode()).digest()
    roll = int.from_bytes(digest[:4], "big") / 2**32
    if roll < 0.05:
        return 0
    if roll < 0.15:
        return 1 + digest[4] % 5
    return 6 + int.from_bytes(digest[5:7], "big") % 195


def _description(*, title: str, path: tuple[CategorySpec, ...]) -> str:
    leaf = path[-1]
    return description_clean(f"<p>{escape(title)}, from our {escape(leaf.name)} range. {escape(leaf.blurb)}</p>")


def _plan(products: Iterable[RetailProduct]) -> list[_Planned]:
    planned = []
    for product in products:
        price = money_round(product.unit_price, RETAIL_CURRENCY)
        if price <= 0:  # a fraction of a penny in the data: not a price a shop can show
            continue
        planned.append(
            _Planned(
                code=product.stock_code,
                title=title_from_description(product.description)[:200],
                price=price,
                popularity=product.units_sold_recently,
                path=category_path_for(description=product.description),
            )
        )
    return planned


def _categories_ensure(paths: Iterable[tuple[CategorySpec, ...]]) -> tuple[dict[str, Category], int]:
    """The categories the products need, by slug, creating those missing (a category staff made
    with the same slug is used as it is). Only the categories in use are created, so the shop's
    navigation never leads to an empty shelf."""
    wanted: dict[str, tuple[CategorySpec, CategorySpec | None]] = {}
    for path in paths:
        wanted.setdefault(path[0].slug, (path[0], None))
        if len(path) > 1:
            wanted.setdefault(path[1].slug, (path[1], path[0]))
    found = {category.slug: category for category in Category.objects.filter(slug__in=wanted)}
    created = 0
    # Top levels first, so that every subcategory's parent exists when it is added.
    for slug, (spec, parent_spec) in sorted(wanted.items(), key=lambda item: item[1][1] is not None):
        if slug in found:
            continue
        category = Category(
            name=spec.name, slug=slug, description=spec.blurb, is_featured=spec.featured, seo_description=spec.blurb
        )
        if parent_spec is None:
            found[slug] = Category.objects.add_root(instance=category)
        else:
            found[slug] = Category.objects.add_child(found[parent_spec.slug], instance=category)
        created += 1
    return found, created


def _slug_unique(title: str, code: str, taken: set[str]) -> str:
    base = slugify(title)[:200] or "product"
    slug = base if base not in taken else f"{base}-{code.lower()}"
    n = 2
    while slug in taken:
        slug, n = f"{base}-{code.lower()}-{n}", n + 1
    taken.add(slug)
    return slug


def _products_write(planned: list[_Planned]) -> tuple[int, int, int, int, int]:
    """Create the missing products with their variant and initial stock, refresh the popularity of
    the others, in one transaction. Returns (categories created, products created, updated,
    unchanged, skipped)."""
    codes = [plan.code for plan in planned]
    with transaction.atomic():
        existing = {product.source_code: product for product in Product.objects.filter(source_code__in=codes)}
        sku_taken = set(Variant.objects.filter(sku__in=codes).values_list("sku", flat=True))
        new = [plan for plan in planned if plan.code not in existing and plan.code not in sku_taken]
        categories, categories_created = _categories_ensure(plan.path for plan in new)

        slugs_taken = set(Product.objects.values_list("slug", flat=True))
        products = Product.objects.bulk_create(
            Product(
                category=categories[plan.path[-1].slug],
                title=plan.title,
                slug=_slug_unique(plan.title, plan.code, slugs_taken),
                description=_description(title=plan.title, path=plan.path),
                popularity=plan.popularity,
                source_code=plan.code,
            )
            for plan in new
        )
        variants = Variant.objects.bulk_create(
            Variant(
                product=product,
                sku=plan.code,
                price=plan.price,
                currency=RETAIL_CURRENCY,
                stock=demo_stock_level(sku=plan.code),
            )
            for plan, product in zip(new, products, strict=True)
        )
        StockAdjustment.objects.bulk_create(
            StockAdjustment(
                variant=variant,
                delta=variant.stock,
                quantity_after=variant.stock,
                reason=StockAdjustment.Reason.INITIAL,
                note=STOCK_NOTE,
            )
            for variant in variants
            if variant.stock  # as variant_save: a variant created empty has nothing to record
        )

        popularity = {plan.code: plan.popularity for plan in planned}
        updated = [product for code, product in existing.items() if product.popularity != popularity[code]]
        for product in updated:
            product.popularity = popularity[product.source_code]
        Product.objects.bulk_update(updated, ["popularity"])

        if products or updated or categories_created:
            catalog_changed(product_slugs=[product.slug for product in updated], listings=True)
    skipped = sum(1 for plan in planned if plan.code not in existing and plan.code in sku_taken)
    return categories_created, len(products), len(updated), len(existing) - len(updated), skipped


def _image_jobs(codes: list[str]) -> tuple[list[ImageJob], dict[int, str]]:
    """A job for each of the data's products that has no picture, and those products' slugs."""
    icons = {spec.slug: spec.icon for spec in (*CATEGORY_TREE, FALLBACK)}
    root_icons = {
        path: icons.get(slug, FALLBACK.icon)
        for path, slug in Category.objects.filter(depth=1).values_list("path", "slug")
    }
    products = (
        Product.objects.filter(source_code__in=codes, images__isnull=True)
        .order_by("source_code")
        .values_list("pk", "title", "slug", "category__path")
    )
    jobs, slugs = [], {}
    for pk, title, slug, category_path in products:
        icon = root_icons.get(category_path[: Category.steplen], FALLBACK.icon)
        jobs.append(ImageJob(product_id=pk, title=title, icon=icon, filename=f"{slug[:80]}.jpg"))
        slugs[pk] = slug
    return jobs, slugs


def _images_record(stored: list[StoredImage], *, titles: dict[int, str], slugs: dict[int, str]) -> None:
    with transaction.atomic():
        ProductImage.objects.bulk_create(
            ProductImage(product_id=image.product_id, image=image.name, alt_text=titles[image.product_id])
            for image in stored
        )
        catalog_changed(product_slugs=[slugs[image.product_id] for image in stored], listings=True)


def _images_create(codes: list[str], *, processes: int, progress: bool) -> int:
    """Draw and store the missing pictures, recording them a few hundred at a time, so that an
    interrupted run keeps what it finished and the next run draws only the rest."""
    jobs, slugs = _image_jobs(codes)
    titles = {job.product_id: job.title for job in jobs}
    stored = tqdm(
        images_store(jobs=jobs, processes=processes),
        total=len(jobs),
        desc="Pictures",
        unit=" img",
        disable=not progress,
    )
    batch: list[StoredImage] = []
    for image in stored:
        batch.append(image)
        if len(batch) == _IMAGES_PER_TRANSACTION:
            _images_record(batch, titles=titles, slugs=slugs)
            batch = []
    if batch:
        _images_record(batch, titles=titles, slugs=slugs)
    return len(jobs)


class _Counted:
    """Passes lines through, counting them, for the summary."""

    def __init__(self, lines: Iterable[RetailLine]) -> None:
        self.lines = lines
        self.count = 0

    def __iter__(self) -> Iterator[RetailLine]:
        for line in self.lines:
            self.count += 1
            yield line


def demo_catalog_load(
    *, path: Path = DEMO_DATA, images: bool = True, limit: int | None = None, processes: int = 1, progress: bool = False
) -> DemoCatalogResult:
    """Load the products of the Online Retail files at `path` into the catalogue.

    `limit` keeps the first so many products by stock code (popularity still counts every line);
    `processes` is how many worker processes draw pictures; `progress` shows progress bars on
    standard error. Raises RetailDataError for files that are not the Online Retail CSVs.
    """
    lines = _Counted(tqdm(retail_lines_read(path=path), desc="Reading", unit=" lines", disable=not progress))
    products = retail_products(lines=lines)
    planned = _plan(products[:limit] if limit is not None else products)

    categories_created, created, updated, unchanged, skipped = _products_write(planned)
    images_created = (
        _images_create([plan.code for plan in planned], processes=processes, progress=progress) if images else 0
    )
    return DemoCatalogResult(
        lines=lines.count,
        products_created=created,
        products_updated=updated,
        products_unchanged=unchanged,
        products_skipped=skipped,
        categories_created=categories_created,
        images_created=images_created,
    )
