import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from catalog import services
from catalog.exceptions import InvalidPriceChange, InvalidStockQuantity, StockImportError, UnknownSku
from catalog.models import Product, StockAdjustment, Variant
from catalog.tests.factories import CategoryFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_the_database_refuses_negative_stock_whatever_the_code_does():
    variant = VariantFactory(stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(stock=-1)


def test_a_product_description_loses_scripts_and_event_handlers_but_keeps_formatting():
    product = services.product_create(
        category=CategoryFactory(),
        title="Lantern",
        description='<p onclick="steal()">Warm <strong>light</strong><script>alert(1)</script></p><iframe src="x"></iframe>',
        variants=[{"sku": "L1", "price": Decimal("3.39"), "stock": 4}],
    )
    product.refresh_from_db()
    assert product.description == "<p>Warm <strong>light</strong></p>"


def test_creating_a_product_gives_it_a_unique_slug_and_records_initial_stock():
    category = CategoryFactory()
    first = services.product_create(
        category=category, title="Red Mug", variants=[{"sku": "M1", "price": Decimal("2"), "stock": 5}]
    )
    second = services.product_create(
        category=category, title="Red Mug", variants=[{"sku": "M2", "price": Decimal("2"), "stock": 0}]
    )
    assert (first.slug, second.slug) == ("red-mug", "red-mug-2")
    ledger = StockAdjustment.objects.get(variant__sku="M1")
    assert (ledger.delta, ledger.quantity_after, ledger.reason) == (5, 5, "initial")
    assert not StockAdjustment.objects.filter(variant__sku="M2").exists()


def test_stock_adjust_records_who_and_why_and_refuses_to_go_below_zero(staff_user):
    variant = VariantFactory(stock=3)
    adjustment = services.stock_adjust(variant=variant, delta=-2, reason="damaged", user=staff_user, note="dropped")
    assert (adjustment.delta, adjustment.quantity_after, adjustment.user, adjustment.note) == (
        -2,
        1,
        staff_user,
        "dropped",
    )
    with pytest.raises(InvalidStockQuantity, match="has 1 in stock; cannot remove 2"):
        services.stock_adjust(variant=variant, delta=-2, reason="damaged")
    variant.refresh_from_db()
    assert variant.stock == 1


def test_stock_set_by_sku_records_a_warehouse_sync():
    VariantFactory(sku="85123A", stock=7)
    adjustment = services.stock_set_by_sku(sku="85123A", quantity=20)
    assert (adjustment.delta, adjustment.quantity_after, adjustment.reason) == (13, 20, "sync")
    with pytest.raises(UnknownSku):
        services.stock_set_by_sku(sku="NOPE", quantity=1)
    with pytest.raises(InvalidStockQuantity):
        services.stock_set_by_sku(sku="85123A", quantity=-1)


def test_a_stock_csv_with_one_bad_row_changes_nothing_and_names_every_problem():
    VariantFactory(sku="A", stock=1)
    VariantFactory(sku="B", stock=2)
    csv_text = "sku,quantity\nA,10\nB,ten\nC,3\nA,4\n"
    with pytest.raises(StockImportError) as caught:
        services.stock_import_csv(file=io.StringIO(csv_text))
    assert caught.value.errors == [
        "line 3: quantity 'ten' is not a whole number",
        "line 5: SKU A appears twice",
        "unknown SKU C",
    ]
    assert dict(Variant.objects.values_list("sku", "stock")) == {"A": 1, "B": 2}


def test_a_good_stock_csv_sets_each_quantity_and_records_only_real_changes():
    VariantFactory(sku="A", stock=1)
    VariantFactory(sku="B", stock=2)
    result = services.stock_import_csv(file=io.StringIO("A,10\nB,2\n"), note="delivery 42")
    assert (result.changed, result.unchanged) == (1, 1)
    assert dict(Variant.objects.values_list("sku", "stock")) == {"A": 10, "B": 2}
    assert StockAdjustment.objects.filter(reason="sync", note="delivery 42").count() == 1


def test_prices_change_by_a_percentage_rounded_half_up_to_the_penny():
    variant = VariantFactory(price=Decimal("2.55"))
    services.variant_prices_change_by_percent(product_ids=[variant.product_id], percent=Decimal("10"))
    variant.refresh_from_db()
    assert variant.price == Decimal("2.81")  # 2.805 rounds up
    with pytest.raises(InvalidPriceChange):
        services.variant_prices_change_by_percent(product_ids=[variant.product_id], percent=Decimal("-100"))


def test_products_can_be_deactivated_and_activated_in_bulk():
    variants = VariantFactory.create_batch(3)
    ids = [v.product_id for v in variants]
    assert services.products_set_active(product_ids=ids, active=False) == 3
    assert not Product.objects.filter(is_active=True).exists()
    assert services.products_set_active(product_ids=ids[:1], active=True) == 1
