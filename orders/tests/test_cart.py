from decimal import Decimal

import pytest

from catalog.services import variant_prices_change_by_percent
from catalog.tests.factories import ProductFactory, VariantFactory
from orders.exceptions import QuantityUnavailable
from orders.models import Cart
from orders.selectors import cart_priced
from orders.services.cart import cart_line_add, cart_line_set_quantity, cart_merge
from orders.tests.factories import cart_with

pytestmark = pytest.mark.django_db


def test_adding_the_same_variant_twice_adds_to_its_line():
    variant = VariantFactory(stock=10)
    cart = cart_with((variant, 2))
    cart_line_add(cart=cart, variant=variant, quantity=3)
    assert list(cart.lines.values_list("quantity", flat=True)) == [5]


def test_a_line_cannot_hold_more_than_the_stock_on_hand_and_says_so():
    variant = VariantFactory(stock=3, product__title="White Metal Lantern")
    cart = Cart.objects.create()
    with pytest.raises(QuantityUnavailable, match=r"Only 3 of White Metal Lantern left\."):
        cart_line_add(cart=cart, variant=variant, quantity=4)
    sold_out = VariantFactory(stock=0, product__title="Paper Chain Kit")
    with pytest.raises(QuantityUnavailable, match=r"Paper Chain Kit is sold out\."):
        cart_line_add(cart=cart, variant=sold_out)


def test_a_per_order_maximum_stops_hoarding_in_a_sale():
    variant = VariantFactory(stock=100, product=ProductFactory(title="Flash Sale Mug", max_per_order=2))
    cart = cart_with((variant, 2))
    with pytest.raises(QuantityUnavailable, match="at most 2 of Flash Sale Mug in one order"):
        cart_line_add(cart=cart, variant=variant, quantity=1)


def test_prices_are_recomputed_each_time_and_a_change_is_shown_not_silently_applied():
    variant = VariantFactory(price=Decimal("10.00"), stock=5)
    cart = cart_with((variant, 2))
    variant_prices_change_by_percent(product_ids=[variant.product_id], percent=Decimal("10"))
    priced = cart_priced(cart=cart)
    line = priced.lines[0]
    assert (line.unit_price, line.line.price_seen, line.price_changed) == (Decimal("11.00"), Decimal("10.00"), True)
    assert priced.subtotal == Decimal("22.00")


def test_setting_a_quantity_to_zero_removes_the_line():
    cart = cart_with((VariantFactory(stock=5), 2))
    line = cart.lines.get()
    assert cart_line_set_quantity(cart=cart, line_id=line.pk, quantity=0) is None
    assert not cart.lines.exists()


def test_a_guest_cart_merges_into_the_customers_cart_capped_at_the_stock(staff_user):
    shared = VariantFactory(stock=4)
    only_guest = VariantFactory(stock=9)
    customer_cart = cart_with((shared, 3), user=staff_user)
    guest_cart = cart_with((shared, 3), (only_guest, 1))
    merged = cart_merge(guest_cart=guest_cart, user=staff_user)
    assert merged.pk == customer_cart.pk
    assert dict(merged.lines.values_list("variant_id", "quantity")) == {shared.pk: 4, only_guest.pk: 1}
    assert not Cart.objects.filter(pk=guest_cart.pk).exists()
