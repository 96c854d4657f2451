"""Segments on what customers bought, against the orders app's Order model."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from catalog.tests.factories import CategoryFactory, VariantFactory
from notifications.segments import segment_users
from notifications.tests.factories import SegmentFactory, UserFactory

pytestmark = pytest.mark.django_db

Order = apps.get_model("orders", "Order")


def order(user, *, total: str, status: str = "paid", days_ago: int = 1, variant=None, refunded: str = "0"):
    placed = Order.objects.create(
        user=user,
        email=user.email,
        status=status,
        currency="GBP",
        subtotal=Decimal(total),
        shipping_total=Decimal("0"),
        total=Decimal(total),
        refunded_total=Decimal(refunded),
        shipping_method_name="Standard delivery",
        payment_method="cod",
        ship_name="Ada Lovelace",
        ship_line1="1 High St",
        ship_city="London",
        ship_postcode="N1 9GU",
        ship_country="GB",
        placed_at=timezone.now() - timedelta(days=days_ago),
    )
    if variant is not None:
        placed.lines.create(
            variant=variant,
            product_title="Lantern",
            sku=variant.sku,
            quantity=1,
            unit_price=Decimal(total),
            line_total=Decimal(total),
        )
    return placed


def test_bought_in_a_category_includes_its_subcategories_and_only_paid_orders():
    lights = CategoryFactory(name="Lights")
    lanterns = CategoryFactory(name="Lanterns", parent=lights)
    bags = CategoryFactory(name="Bags")
    lantern_buyer, bag_buyer, unpaid = UserFactory.create_batch(3)
    order(lantern_buyer, total="10.00", variant=VariantFactory(product__category=lanterns))
    order(bag_buyer, total="10.00", variant=VariantFactory(product__category=bags))
    order(unpaid, total="10.00", status="awaiting_payment", variant=VariantFactory(product__category=lanterns))

    assert list(segment_users(SegmentFactory(bought_in_category=lights))) == [lantern_buyer]


def test_spent_above_counts_paid_orders_less_refunds():
    big, refunded, small = UserFactory.create_batch(3)
    order(big, total="80.00")
    order(big, total="30.00")
    order(refunded, total="150.00", refunded="100.00")
    order(small, total="50.00")

    assert list(segment_users(SegmentFactory(spent_above=Decimal("100")))) == [big]


def test_no_order_for_n_days_finds_lapsed_customers_only():
    lapsed, recent, never = UserFactory.create_batch(3)
    order(lapsed, total="10.00", days_ago=120)
    order(recent, total="10.00", days_ago=120)
    order(recent, total="10.00", days_ago=5)
    order(lapsed, total="10.00", days_ago=200)

    assert list(segment_users(SegmentFactory(no_order_for_days=90))) == [lapsed]
    assert never not in segment_users(SegmentFactory(no_order_for_days=90))
