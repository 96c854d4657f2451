"""Purchases for the recommendations' tests: customers and delivered orders at given dates."""

from datetime import datetime
from decimal import Decimal

from accounts.models import User
from catalog.models import Product, Variant
from catalog.tests.factories import VariantFactory
from orders.models import Order, OrderLine

_customers = iter(range(10_000, 99_999))


def customer(source_customer_id: str = "") -> User:
    number = next(_customers)
    return User.objects.create_user(
        email=f"customer{number}@example.com", source_customer_id=source_customer_id or str(number)
    )


def sold_product(*, stock: int = 10, active: bool = True, sku: str | None = None) -> Product:
    fields: dict[str, object] = {"stock": stock, "product__is_active": active}
    if sku:
        fields["sku"] = sku
    variant: Variant = VariantFactory(**fields)
    return variant.product


def purchase(user: User, products: list[Product], at: datetime) -> Order:
    """A delivered order of one unit of each product, placed at `at`."""
    order = Order.objects.create(
        user=user,
        email=user.email,
        status=Order.Status.DELIVERED,
        currency="GBP",
        subtotal=Decimal("1.00") * len(products),
        shipping_total=Decimal("0.00"),
        total=Decimal("1.00") * len(products),
        shipping_method_name="Standard",
        payment_method="bank",
        ship_name="A Customer",
        ship_line1="1 High Street",
        ship_city="London",
        ship_postcode="N1 1AA",
        ship_country="GB",
        placed_at=at,
    )
    variants = {v.product_id: v for v in Variant.objects.filter(product__in=products)}
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            variant=variants[p.pk],
            product_title=p.title,
            sku=variants[p.pk].sku,
            quantity=1,
            unit_price=Decimal("1.00"),
            line_total=Decimal("1.00"),
        )
        for p in products
    )
    return order
