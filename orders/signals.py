"""Thin doors from Django's signals to the orders services."""

from typing import Any

from django.http import HttpRequest

from accounts.models import User
from orders.models import Cart
from orders.services.cart import cart_merge


def cart_merge_on_sign_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """The guest cart follows the shopper into their account."""
    from orders.views import GUEST_CART_SESSION_KEY

    cart_id = request.session.pop(GUEST_CART_SESSION_KEY, None) if hasattr(request, "session") else None
    guest_cart = Cart.objects.filter(pk=cart_id, user__isnull=True, order__isnull=True).first() if cart_id else None
    if guest_cart is not None:
        cart_merge(guest_cart=guest_cart, user=user)


def cart_count_refresh_on_sign_in_or_out(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Signing in or out changes whose cart the header's count is of; CartCountMiddleware sets it anew."""
    if request is not None:
        request.cart_count_stale = True  # type: ignore[attr-defined]
