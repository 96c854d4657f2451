"""order_place: the one way an order is created, from the website and the API alike."""

import functools
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Address, User
from catalog.models import Variant
from catalog.services import products_stock_changed
from orders.exceptions import CartEmpty, CheckoutBusy, OutOfStock, PricesChanged, QuantityUnavailable, ShortLine
from orders.models import Cart, Order, OrderEvent, OrderLine, Payment, ShippingMethod
from orders.notify import order_notify
from orders.payments import payment_backend
from orders.selectors import PricedCart, PricedLine, cart_priced, shipping_price, tax_included
from shop.db import model_field, rows_insert
from shop.money import money_round


class _CartPlaced(Exception):
    """The cart made an order meanwhile (a double submit): roll this one back."""


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    line1: str
    city: str
    postcode: str
    country: str
    line2: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Quote:
    """What the shopper is shown on the review step and agrees to pay."""

    priced: PricedCart
    shipping: Decimal
    tax: Decimal
    total: Decimal
    currency: str


def checkout_quote(*, cart: Cart, shipping_method: ShippingMethod) -> Quote:
    priced = cart_priced(cart=cart, images=False)
    if priced.is_empty:
        raise CartEmpty()
    shipping = shipping_price(method=shipping_method, subtotal=priced.subtotal, weight_grams=priced.weight_grams)
    total = money_round(priced.subtotal + shipping, priced.currency)
    return Quote(
        priced=priced,
        shipping=shipping,
        tax=tax_included(total=total, currency=priced.currency),
        total=total,
        currency=priced.currency,
    )


def _lock_timeout() -> None:
    """Make this transaction's row locks give up after CHECKOUT_LOCK_TIMEOUT seconds (PostgreSQL;
    SQLite takes one write lock per transaction and waits its own busy timeout)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{settings.CHECKOUT_LOCK_TIMEOUT}s"])


def _is_lock_timeout(error: DatabaseError) -> bool:
    """PostgreSQL's lock_not_available (or a deadlock, which pk order should prevent), or SQLite's
    busy timeout. Any other database error is a real failure and is raised as it is."""
    if getattr(error.__cause__, "sqlstate", None) in ("55P03", "40P01"):
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(error)


def order_place(
    *,
    cart: Cart,
    email: str,
    address: ShippingAddress,
    shipping_method: ShippingMethod,
    payment_method: str,
    user: User | None = None,
    language: str = "en",
    expected_total: Decimal | None = None,
    idempotency_key: str | None = None,
    save_address: bool = False,
) -> Order:
    """Turn a cart into an order, or return the order this cart (or idempotency key) already made.

    Prices and validates outside the transaction (stock included, so a sold-out product is refused
    without locking anything); then, in one short transaction: writes the order with a snapshot of
    every line; links the cart to it if the cart has no order yet (the double submit guard: a
    second submit waits there for the first to commit, rolls its own order back and returns the
    first); writes its outbox e-mails; then locks the stock rows (in primary-key order, with a
    lock timeout), re-checks stock and prices under the lock and takes the stock. If the re-check fails the whole
    transaction rolls back, order included. The stock rows are locked last so that on a hot
    product each checkout holds them only for the re-check, the stock update and the commit.
    Notifications and page invalidations are queued to run after commit; no network call happens
    inside.

    Raises CartEmpty, QuantityUnavailable, OutOfStock (with every short line), PricesChanged (if
    `expected_total` no longer matches) or CheckoutBusy (lock timeout: try again).
    """
    payment_backend(payment_method)  # unknown methods fail before anything is locked
    quote = checkout_quote(cart=cart, shipping_method=shipping_method)
    for line in quote.priced.lines:
        product = line.line.variant.product
        if not product.is_active:
            raise QuantityUnavailable(f"{product.title} is no longer sold.")
        if line.over_limit:
            raise QuantityUnavailable(f"You can buy at most {line.max_per_order} of {product.title} in one order.")
    wanted = {line.line.variant_id: line for line in sorted(quote.priced.lines, key=lambda line: line.line.variant_id)}
    short = _short_lines(wanted, {pk: line.available for pk, line in wanted.items()})
    if short:
        # A double submit of the last units finds them gone: taken by its own first submit.
        earlier = _order_already_placed(cart=cart, idempotency_key=idempotency_key)
        if earlier is not None:
            return earlier
        raise OutOfStock(short)
    if expected_total is not None and expected_total != quote.total:
        raise PricesChanged()

    try:
        with transaction.atomic():
            _lock_timeout()
            if idempotency_key:
                earlier = Order.objects.filter(idempotency_key=idempotency_key).first()
                if earlier is not None:
                    return earlier
            order, lines = _order_create(
                quote=quote,
                email=email,
                address=address,
                shipping_method=shipping_method,
                payment_method=payment_method,
                user=user,
                language=language,
                idempotency_key=idempotency_key,
            )
            if not _cart_link(cart_id=cart.pk, order_id=order.pk):
                raise _CartPlaced()  # a double submit: the first one won; this order is rolled back
            if save_address and user is not None:
                _address_book_add(user=user, address=address)
            order_notify(order=order, event="order_placed", lines=lines)

            locked = _stock_lock(variant_ids=list(wanted))
            short = _short_lines(wanted, {pk: stock for pk, (stock, _price) in locked.items()})
            if short or len(locked) != len(wanted):
                raise OutOfStock(short)
            if any(price != wanted[pk].unit_price for pk, (_stock, price) in locked.items()):
                raise PricesChanged()
            _stock_take(quantities={pk: line.quantity for pk, line in wanted.items()})
            products_stock_changed(
                products=[line.line.variant.product for line in wanted.values()],
                changes=[(stock, stock - wanted[pk].quantity) for pk, (stock, _price) in locked.items()],
            )
    except _CartPlaced:
        placed = _order_already_placed(cart=cart, idempotency_key=None)
        if placed is None:  # the cart was deleted meanwhile
            raise Cart.DoesNotExist() from None
        return placed
    except IntegrityError:
        # A submit with the same idempotency key (another cart's, say) committed while this one
        # wrote its order: the key's unique constraint made this one wait for it, then refused.
        earlier = _order_already_placed(cart=cart, idempotency_key=idempotency_key)
        if earlier is None:
            raise
        return earlier
    except DatabaseError as error:
        if _is_lock_timeout(error):
            raise CheckoutBusy() from error
        raise
    return order


# The short statements every checkout sends under its locks, written once per database vendor
# rather than built by the ORM for every order. Only names from the models' metadata go into the
# text; every value is a parameter.


@functools.cache
def _hot_sql(vendor: str) -> dict[str, str]:
    features = connection.features
    quote = connection.ops.quote_name
    lock = " FOR UPDATE" if features.has_select_for_update else ""
    # FOR NO KEY UPDATE is the lock the stock update takes anyway; unlike FOR UPDATE it does not
    # block the foreign-key checks of other checkouts' order lines and of shoppers adding the
    # product to their carts.
    no_key_lock = " FOR NO KEY UPDATE" if features.has_select_for_no_key_update else lock
    cart, cart_id, cart_order = (
        quote(Cart._meta.db_table),
        quote(model_field(Cart, "id").column),
        quote(model_field(Cart, "order").column),
    )
    variant = quote(Variant._meta.db_table)
    pk, stock, price = (quote(model_field(Variant, name).column) for name in ("id", "stock", "price"))
    return {
        # The double submit guard: only a cart without an order takes this one. A second submit
        # waits here for the first to commit, then finds the cart taken and changes nothing.
        "cart_link": f"UPDATE {cart} SET {cart_order} = %s WHERE {cart_id} = %s AND {cart_order} IS NULL",  # noqa: S608
        # {ids} and {cases} are filled with placeholders only, one per line.
        "stock_lock": f"SELECT {pk}, {stock}, {price} FROM {variant} WHERE {pk} IN ({{ids}}) ORDER BY {pk}{no_key_lock}",  # noqa: S608
        "stock_take": f"UPDATE {variant} SET {stock} = {stock} - CASE {pk} {{cases}} END WHERE {pk} IN ({{ids}})",  # noqa: S608
    }


def _cart_link(*, cart_id: int, order_id: int) -> bool:
    """Link the cart to its order, unless it has one (or is gone): whether it was linked."""
    with connection.cursor() as cursor:
        cursor.execute(_hot_sql(connection.vendor)["cart_link"], [order_id, cart_id])
        return bool(cursor.rowcount == 1)


def _stock_lock(*, variant_ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    """Lock the variants' rows in primary-key order; their stock and price, by id."""
    price = model_field(Variant, "price")
    sql = _hot_sql(connection.vendor)["stock_lock"].format(ids=", ".join(["%s"] * len(variant_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, variant_ids)
        # to_python: SQLite hands a decimal column back as a float.
        return {pk: (stock, price.to_python(value)) for pk, stock, value in cursor.fetchall()}


def _stock_take(*, quantities: dict[int, int]) -> None:
    """Every line's stock in one statement, whatever the number of lines."""
    sql = _hot_sql(connection.vendor)["stock_take"].format(
        cases=" ".join(["WHEN %s THEN %s"] * len(quantities)), ids=", ".join(["%s"] * len(quantities))
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for item in quantities.items() for value in item] + list(quantities))


def _order_already_placed(*, cart: Cart, idempotency_key: str | None) -> Order | None:
    """The order this cart or idempotency key made, if it is committed (no lock taken)."""
    placed = Order.objects.filter(cart__pk=cart.pk).first()
    if placed is None and idempotency_key:
        placed = Order.objects.filter(idempotency_key=idempotency_key).first()
    return placed


def _short_lines(wanted: dict[int, PricedLine], available: dict[int, int]) -> list[ShortLine]:
    """The lines of `wanted` (by variant id) that `available` stock cannot fill, in its order."""
    return [
        ShortLine(
            sku=line.line.variant.sku,
            title=line.line.variant.product.title,
            wanted=line.quantity,
            available=available[pk],
        )
        for pk, line in wanted.items()
        if pk in available and available[pk] < line.quantity
    ]


def _order_create(
    *,
    quote: Quote,
    email: str,
    address: ShippingAddress,
    shipping_method: ShippingMethod,
    payment_method: str,
    user: User | None,
    language: str,
    idempotency_key: str | None,
) -> tuple[Order, list[OrderLine]]:
    backend = payment_backend(payment_method)
    status = Order.Status.AWAITING_PAYMENT if backend.online else Order.Status.PROCESSING
    order = Order(
        user=user,
        email=email,
        status=status,
        language=language,
        currency=quote.currency,
        subtotal=quote.priced.subtotal,
        shipping_total=quote.shipping,
        tax_total=quote.tax,
        total=quote.total,
        shipping_method_name=shipping_method.name,
        payment_method=payment_method,
        ship_name=address.name,
        ship_line1=address.line1,
        ship_line2=address.line2,
        ship_city=address.city,
        ship_postcode=address.postcode,
        ship_country=address.country,
        ship_phone=address.phone,
        idempotency_key=idempotency_key,
        placed_at=timezone.now(),
    )
    # The order's rows with their SQL built once (shop.db.rows_insert): no save() or signals.
    rows_insert([order])
    lines = rows_insert(
        [
            OrderLine(
                order=order,
                variant=line.line.variant,
                product_title=line.line.variant.product.title,
                variant_name=line.line.variant.name,
                sku=line.line.variant.sku,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=money_round(line.total, quote.currency),
            )
            for line in quote.priced.lines
        ]
    )
    rows_insert([OrderEvent(order=order, to_status=status, user=user, note="Order placed")])
    if backend.online:
        rows_insert(
            [
                Payment(
                    order=order,
                    method=payment_method,
                    reference=f"{payment_method}-{order.number}",
                    amount=order.total,
                    currency=order.currency,
                )
            ]
        )
    return order, lines


def _address_book_add(*, user: User, address: ShippingAddress) -> None:
    fields = {
        "name": address.name,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "postcode": address.postcode,
        "country": address.country,
        "phone": address.phone,
    }
    if not Address.objects.filter(user=user, **fields).exists():
        has_default = Address.objects.filter(user=user, is_default=True).exists()
        Address.objects.create(user=user, is_default=not has_default, **fields)
