"""The header's cart count cookie, kept true when a sign-in or sign-out changes whose cart it is."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class CartCountMiddleware:
    """After a request that signed the shopper in or out (orders.signals marks it), the cart count
    cookie is set from the cart the shopper has now: the customer's (with the guest cart merged into
    it), or none. Other requests pass through untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "cart_count_stale", False):
            from orders.models import Cart
            from orders.views import cart_count_cookie_set

            user = request.user
            cart = Cart.objects.filter(user=user, order__isnull=True).first() if user.is_authenticated else None
            cart_count_cookie_set(response, cart)
        return response
