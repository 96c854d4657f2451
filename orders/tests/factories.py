from decimal import Decimal
from typing import Any

from accounts.models import User
from catalog.models import Variant
from catalog.tests.factories import VariantFactory
from orders.models import Cart, Order, ShippingMethod
from orders.services.cart import cart_line_add
from orders.services.checkout import ShippingAddress, order_place

ADDRESS = ShippingAddress(name="Ada Lovelace", line1="1 High Street", city="London", postcode="N1 9GU", country="GB")


def standard_shipping() -> ShippingMethod:
    method, _ = ShippingMethod.objects.get_or_create(
        code="standard", defaults={"name": "Standard delivery", "price": Decimal("4.95"), "free_over": Decimal("50")}
    )
    return method


def cart_with(*items: tuple[Variant, int], user: User | None = None) -> Cart:
    cart = Cart.objects.create(user=user)
    for variant, quantity in items:
        cart_line_add(cart=cart, variant=variant, quantity=quantity)
    return cart


def placed_order(
    *, payment_method: str = "cod", quantity: int = 2, stock: int = 10, variant: Variant | None = None, **kwargs: Any
) -> Order:
    """An order of `quantity` of `variant` (by default a new one with `stock` in stock)."""
    variant = variant or VariantFactory(price=Decimal("3.39"), stock=stock)
    return order_place(
        cart=cart_with((variant, quantity)),
        email="ada@example.com",
        address=ADDRESS,
        shipping_method=standard_shipping(),
        payment_method=payment_method,
        **kwargs,
    )
