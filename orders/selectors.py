"""Reads for the cart, checkout and order pages (and the API), each a fixed number of queries."""

import functools
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from accounts.models import User
from catalog.models import ProductImage
from orders.models import Cart, CartLine, Order, ShippingMethod
from shop.db import Prepared
from shop.money import money_round


@dataclass
class PricedLine:
    """A cart line priced from the catalogue as it is now, with what changed since it was added."""

    line: CartLine
    unit_price: Decimal
    quantity: int
    available: int
    max_per_order: int | None

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def price_changed(self) -> bool:
        return self.unit_price != self.line.price_seen

    @property
    def short(self) -> bool:
        return self.quantity > self.available

    @property
    def over_limit(self) -> bool:
        return self.max_per_order is not None and self.quantity > self.max_per_order

    @property
    def buyable(self) -> bool:
        product = self.line.variant.product
        return product.is_active and not self.short and not self.over_limit


@dataclass
class PricedCart:
    cart: Cart | None
    lines: list[PricedLine] = field(default_factory=list)
    currency: str = field(default_factory=lambda: str(settings.SHOP_CURRENCY))

    @property
    def subtotal(self) -> Decimal:
        return money_round(sum((line.total for line in self.lines), Decimal("0")), self.currency)

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def weight_grams(self) -> int:
        return sum(line.line.variant.weight_grams * line.quantity for line in self.lines)

    @property
    def changed_lines(self) -> list[PricedLine]:
        return [line for line in self.lines if line.price_changed]

    @property
    def problems(self) -> list[PricedLine]:
        return [line for line in self.lines if not line.buyable]

    @property
    def is_empty(self) -> bool:
        return not self.lines


def _cart_lines(*, cart_id: int, images: bool) -> QuerySet[CartLine]:
    lines = CartLine.objects.select_related("variant__product").filter(cart_id=cart_id).order_by("created_at", "pk")
    if images:
        lines = lines.prefetch_related(
            Prefetch("variant__product__images", queryset=ProductImage.objects.order_by("position", "pk"))
        )
    return lines


# Every cart page and every checkout reads these: their SQL is built once (shop.db.Prepared).
_CART_LINES = {
    images: Prepared(functools.partial(_cart_lines, images=images), cart_id=-8_167_352_901) for images in (False, True)
}


def cart_priced(*, cart: Cart | None, images: bool = True) -> PricedCart:
    """The cart with today's prices and stock (one query, two with the product images)."""
    if cart is None or cart.pk is None:
        return PricedCart(cart=cart)
    lines = _CART_LINES[images].run(cart_id=cart.pk)
    priced = [
        PricedLine(
            line=line,
            unit_price=line.variant.price,
            quantity=line.quantity,
            available=line.variant.stock,
            max_per_order=line.variant.product.max_per_order,
        )
        for line in lines
    ]
    currency = lines[0].variant.currency if lines else settings.SHOP_CURRENCY
    return PricedCart(cart=cart, lines=priced, currency=currency)


def shipping_methods_available() -> list[ShippingMethod]:
    return list(ShippingMethod.objects.filter(is_active=True))


def shipping_price(*, method: ShippingMethod, subtotal: Decimal, weight_grams: int) -> Decimal:
    if method.free_over is not None and subtotal >= method.free_over:
        return Decimal("0.00")
    price = method.price
    if method.price_per_kg is not None and weight_grams > 0:
        price += method.price_per_kg * math.ceil(weight_grams / 1000)
    return money_round(price, method.currency)


def tax_included(*, total: Decimal, currency: str) -> Decimal:
    """The tax contained in a tax-inclusive total, at settings.SHOP_TAX_RATE percent."""
    rate = Decimal(settings.SHOP_TAX_RATE)
    if not rate:
        return Decimal("0.00")
    return money_round(total * rate / (100 + rate), currency)


def order_list_for_user(*, user: User) -> QuerySet[Order]:
    return Order.objects.filter(user=user).prefetch_related("lines").order_by("-placed_at", "-pk")


def order_get(*, number: str) -> Order:
    """Raises Order.DoesNotExist."""
    return Order.objects.prefetch_related("lines", "events", "payments").get(number=number)
