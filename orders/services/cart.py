"""Cart writes. Quantities are checked against stock and per-order limits as lines change, and
again, under lock, when the order is placed."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Variant
from orders.exceptions import QuantityUnavailable
from orders.models import Cart, CartLine


def cart_for_user(*, user: User) -> Cart:
    """The customer's open cart, created on first use."""
    cart = Cart.objects.filter(user=user, order__isnull=True).first()
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return Cart.objects.create(user=user)
    except IntegrityError:  # created by a concurrent request
        return Cart.objects.get(user=user, order__isnull=True)


def cart_create_guest() -> Cart:
    """A new, empty guest cart, found later by its token (the API's X-Cart-Token)."""
    return Cart.objects.create()


def cart_for_session(*, session_key: str) -> Cart:
    cart = Cart.objects.filter(session_key=session_key, user__isnull=True, order__isnull=True).first()
    return cart or Cart.objects.create(session_key=session_key)


def _check_quantity(*, variant: Variant, quantity: int) -> None:
    product = variant.product
    if not product.is_active:
        raise QuantityUnavailable(_("%(title)s is no longer sold.") % {"title": product.title})
    if quantity < 1:
        raise QuantityUnavailable(_("The quantity must be at least 1."))
    if variant.stock < quantity:
        if variant.stock == 0:
            raise QuantityUnavailable(_("%(title)s is sold out.") % {"title": product.title})
        raise QuantityUnavailable(
            _("Only %(stock)d of %(title)s left.") % {"stock": variant.stock, "title": product.title}
        )
    if product.max_per_order is not None and quantity > product.max_per_order:
        raise QuantityUnavailable(
            _("You can buy at most %(limit)d of %(title)s in one order.")
            % {"limit": product.max_per_order, "title": product.title}
        )


def cart_line_add(*, cart: Cart, variant: Variant, quantity: int = 1) -> CartLine:
    """Add units of a variant (to its line, if the cart has one)."""
    with transaction.atomic():
        line = CartLine.objects.select_for_update().filter(cart=cart, variant=variant).first()
        total = quantity + (line.quantity if line else 0)
        _check_quantity(variant=variant, quantity=total)
        if line is None:
            line = CartLine.objects.create(cart=cart, variant=variant, quantity=total, price_seen=variant.price)
        else:
            line.quantity = total
            line.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return line


def cart_line_set_quantity(*, cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Set a line's quantity; 0 removes it. The price shown is re-accepted (price_seen updated)."""
    line = CartLine.objects.select_related("variant__product").filter(cart=cart, pk=line_id).first()
    if line is None:
        raise QuantityUnavailable(_("That item is no longer in your cart."))
    if quantity == 0:
        line.delete()
        return None
    _check_quantity(variant=line.variant, quantity=quantity)
    line.quantity = quantity
    line.price_seen = line.variant.price
    line.save(update_fields=["quantity", "price_seen"])
    return line


def cart_line_remove(*, cart: Cart, line_id: int) -> None:
    CartLine.objects.filter(cart=cart, pk=line_id).delete()


def cart_prices_accept(*, cart: Cart) -> None:
    """The shopper has seen the current prices: remember them, so they are no longer flagged."""
    for line in cart.lines.select_related("variant"):
        if line.price_seen != line.variant.price:
            line.price_seen = line.variant.price
            line.save(update_fields=["price_seen"])


def cart_merge(*, guest_cart: Cart, user: User) -> Cart:
    """Move a guest's lines into the customer's cart on sign-in; quantities of a variant in both
    add up, capped at what can be bought."""
    target = cart_for_user(user=user)
    if guest_cart.pk == target.pk:
        return target
    with transaction.atomic():
        existing = {line.variant_id: line for line in target.lines.select_related("variant__product")}
        for line in guest_cart.lines.select_related("variant__product"):
            variant = line.variant
            limit = min(variant.stock, variant.product.max_per_order or variant.stock)
            mine = existing.get(variant.pk)
            if mine is None:
                line.cart = target
                line.quantity = max(1, min(line.quantity, limit)) if limit else line.quantity
                line.save(update_fields=["cart", "quantity"])
            else:
                mine.quantity = max(mine.quantity, min(mine.quantity + line.quantity, limit))
                mine.save(update_fields=["quantity"])
                line.delete()
        guest_cart.delete()
    return target
