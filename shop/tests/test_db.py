"""shop.db: the checkout's statements with their SQL built once give what Django's own would."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import Variant
from catalog.tests.factories import ProductImageFactory, VariantFactory
from notifications.models import Message
from orders.models import Cart, CartLine, Order, OrderLine
from shop.db import Prepared, rows_insert

pytestmark = pytest.mark.django_db


def _lines(cart_id: int) -> QuerySet[CartLine]:
    return CartLine.objects.select_related("variant__product").filter(cart_id=cart_id).order_by("created_at", "pk")


LINES = Prepared(_lines, cart_id=-8_167_352_901)
LINES_WITH_IMAGES = Prepared(
    lambda cart_id: _lines(cart_id).prefetch_related("variant__product__images"), cart_id=-8_167_352_901
)


def _order(**fields: object) -> Order:
    values: dict[str, object] = {
        "email": "ada@example.com",
        "status": Order.Status.PROCESSING,
        "currency": "GBP",
        "subtotal": Decimal("3.00"),
        "shipping_total": Decimal("0.00"),
        "total": Decimal("3.00"),
        "shipping_method_name": "Standard",
        "payment_method": "cod",
        "ship_name": "Ada",
        "ship_line1": "1 High Street",
        "ship_city": "London",
        "ship_postcode": "N1 9GU",
        "ship_country": "GB",
        "placed_at": timezone.now(),
    }
    return Order(**(values | fields))


def _cart(*variants: Variant) -> Cart:
    cart = Cart.objects.create()
    for n, variant in enumerate(variants, start=1):
        CartLine.objects.create(cart=cart, variant=variant, quantity=n, price_seen=variant.price)
    return cart


def _shown(lines: list[CartLine]) -> list[tuple[object, ...]]:
    return [
        (
            line.pk,
            line.quantity,
            line.created_at,
            line.variant.price,
            line.variant.options,
            line.variant.stock,
            line.variant.product.title,
            line.variant.product.attributes,
            line.variant.product.is_active,
        )
        for line in lines
    ]


def test_a_prepared_read_gives_the_querysets_instances_with_their_related_objects_in_one_query(
    django_assert_num_queries,
):
    first = VariantFactory(price=Decimal("2.10"), options={"size": "L"}, product__attributes={"colour": "red"})
    second = VariantFactory(price=Decimal("19.99"), stock=0, product__is_active=False)
    carts = [_cart(first, second), _cart(second)]

    for cart in carts:  # the SQL built for the first cart serves the second with its own id
        expected = _shown(list(_lines(cart.pk)))
        with django_assert_num_queries(1):
            lines = LINES.run(cart_id=cart.pk)
            # Values converted as the ORM would (Decimal, JSON, booleans, datetimes), related
            # objects attached, nothing loaded later.
            assert _shown(lines) == expected
        assert all(isinstance(line.variant.price, Decimal) for line in lines)
    assert LINES.run(cart_id=Cart.objects.create().pk) == []


def test_a_prepared_read_runs_the_querysets_prefetches(django_assert_num_queries):
    variant = VariantFactory()
    ProductImageFactory(product=variant.product, alt_text="front")
    cart = _cart(variant)

    with django_assert_num_queries(2):
        (line,) = LINES_WITH_IMAGES.run(cart_id=cart.pk)
        assert [image.alt_text for image in line.variant.product.images.all()] == ["front"]


def test_a_value_that_changes_the_sql_is_refused():
    prepared = Prepared(lambda ids: CartLine.objects.filter(pk__in=ids), ids=[-1, -2])
    with pytest.raises(ValueError, match="must be one parameter"):
        prepared.run(ids=[1, 2])


def test_rows_insert_writes_every_row_in_one_statement_and_sets_their_keys(django_assert_num_queries):
    variant = VariantFactory()
    order = _order()
    with django_assert_num_queries(1):
        rows_insert([order])
    lines = [
        OrderLine(
            order=order,
            variant=variant,
            product_title="Mug",
            sku=f"M{n}",
            quantity=n,
            unit_price=Decimal("1.50"),
            line_total=Decimal("1.50") * n,
        )
        for n in (1, 2)
    ]
    with django_assert_num_queries(1):
        assert rows_insert(lines) == lines

    stored = Order.objects.get(pk=order.pk)
    assert (stored.number, stored.access_token, stored.total) == (order.number, order.access_token, Decimal("3.00"))
    assert list(stored.lines.order_by("quantity").values_list("pk", "sku", "unit_price")) == [
        (lines[0].pk, "M1", Decimal("1.50")),
        (lines[1].pk, "M2", Decimal("1.50")),
    ]
    assert not order._state.adding
    with pytest.raises(IntegrityError), transaction.atomic():  # the unique number is still enforced
        rows_insert([_order(number=order.number)])


def test_rows_insert_skips_the_rows_a_unique_key_already_holds_and_returns_the_others():
    def message(recipient: str) -> Message:
        return Message(event="order_placed", dedupe_key="k", channel="email", recipient=recipient, context={})

    key = ["event", "dedupe_key", "channel", "recipient"]
    (first,) = rows_insert([message("a@example.com")], ignore_conflicts_on=key)
    again, new = message("a@example.com"), message("b@example.com")

    assert rows_insert([again, new], ignore_conflicts_on=key) == [new]
    assert again.pk is None
    assert new.pk is not None
    assert sorted(Message.objects.values_list("pk", flat=True)) == sorted([first.pk, new.pk])
