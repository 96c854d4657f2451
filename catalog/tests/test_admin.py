from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product, StockAdjustment, Variant
from catalog.tests.factories import CategoryFactory, VariantFactory, product_with

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("products", [2, 20])
def test_the_product_list_runs_the_same_queries_whatever_its_length(staff_client, django_assert_num_queries, products):
    category = CategoryFactory()
    for _ in range(products):
        product_with(category=category, variants=3)
    staff_client.get(reverse("admin:catalog_product_changelist"))  # warm the session
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("admin:catalog_product_changelist"))
    assert response.status_code == 200
    assert response.content.decode().count('class="action-select"') == products


def test_staff_find_a_product_by_sku(staff_client):
    VariantFactory(sku="85123A", product__title="White Hanging Heart T-Light Holder")
    VariantFactory(sku="71053", product__title="White Metal Lantern")
    response = staff_client.get(reverse("admin:catalog_product_changelist"), {"q": "85123A"})
    html = response.content.decode()
    assert "White Hanging Heart" in html and "White Metal Lantern" not in html


def test_staff_deactivate_products_in_bulk(staff_client):
    variants = VariantFactory.create_batch(2)
    response = staff_client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "deactivate", "_selected_action": [v.product_id for v in variants]},
        follow=True,
    )
    assert "2 products deactivated." in response.content.decode()
    assert not Product.objects.filter(is_active=True).exists()


def test_staff_raise_prices_by_a_percentage_after_confirming(staff_client):
    variant = VariantFactory(price=Decimal("10.00"))
    url = reverse("admin:catalog_product_changelist")
    ask = staff_client.post(url, {"action": "change_prices", "_selected_action": [variant.product_id]})
    assert "Change prices by (%)" in ask.content.decode()
    done = staff_client.post(
        url,
        {"action": "change_prices", "_selected_action": [variant.product_id], "percent": "12.5", "apply": "1"},
        follow=True,
    )
    assert "1 price changed." in done.content.decode()
    variant.refresh_from_db()
    assert variant.price == Decimal("11.25")


def test_staff_create_a_product_with_a_variant_and_its_stock_is_recorded(staff_client, staff_user):
    category = CategoryFactory()
    data = {
        "title": "Red Retrospot Mug",
        "slug": "red-retrospot-mug",
        "category": category.pk,
        "description": "<p>Bold<script>x()</script></p>",
        "attributes": "{}",
        "is_active": "on",
        "popularity": "0",
        "variants-TOTAL_FORMS": "1", "variants-INITIAL_FORMS": "0",
        "variants-0-sku": "22632", "variants-0-price": "2.10", "variants-0-currency": "GBP",
        "variants-0-stock": "12", "variants-0-weight_grams": "300", "variants-0-position": "0",
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0",
        "videos-TOTAL_FORMS": "0", "videos-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = staff_client.post(reverse("admin:catalog_product_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(slug="red-retrospot-mug")
    assert product.description == "<p>Bold</p>"
    adjustment = StockAdjustment.objects.get(variant__sku="22632")
    assert (adjustment.quantity_after, adjustment.reason, adjustment.user) == (12, "initial", staff_user)


def test_staff_adjust_stock_with_a_reason_and_it_is_recorded_with_who(staff_client, staff_user):
    variant = VariantFactory(stock=4)
    response = staff_client.post(
        reverse("admin:catalog_stockadjustment_add"),
        {"variant": variant.pk, "delta": "-3", "reason": "damaged", "note": "water leak"},
    )
    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.stock == 1
    adjustment = StockAdjustment.objects.get(variant=variant)
    assert (adjustment.delta, adjustment.user, adjustment.note) == (-3, staff_user, "water leak")


def test_staff_cannot_remove_more_stock_than_there_is_and_are_told_why(staff_client):
    variant = VariantFactory(sku="22632", stock=2)
    response = staff_client.post(
        reverse("admin:catalog_stockadjustment_add"), {"variant": variant.pk, "delta": "-5", "reason": "damaged"}
    )
    assert response.status_code == 200
    assert "22632 has 2 in stock; it cannot lose 5." in response.content.decode()
    assert Variant.objects.get(pk=variant.pk).stock == 2


def test_staff_set_a_counted_quantity(staff_client):
    variant = VariantFactory(stock=4)
    staff_client.post(
        reverse("admin:catalog_stockadjustment_add"), {"variant": variant.pk, "set_to": "9", "reason": "count"}
    )
    variant.refresh_from_db()
    assert variant.stock == 9


def test_the_category_tree_admin_opens_at_the_roots(staff_client):
    CategoryFactory(name="Christmas", parent=CategoryFactory(name="Seasonal"))
    response = staff_client.get(reverse("admin:catalog_category_changelist"))
    assert response.status_code == 200 and "Seasonal" in response.content.decode()
