"""The cart, checkout and order API (docs/api.md). Views read requests and call orders.services;
errors are raised and turned into the API's one error shape by shop.api.errors.

Whose cart: a signed-in customer's own (by X-Session-Token), or a guest's, named by the token in
the X-Cart-Token header (POST /api/v1/cart/ starts one). Another shopper's cart, line or order is a
404 whatever id or number is tried, so nothing tells that it exists.
"""

import hashlib
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import InvalidPage, Paginator
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.exceptions import AddressNotFound
from accounts.models import User
from accounts.selectors import address_get
from catalog.models import Variant
from orders import selectors
from orders.api.serializers import (
    CartLineAddSerializer,
    CartLineUpdateSerializer,
    CartSerializer,
    CheckoutSerializer,
    CountrySerializer,
    OrderSerializer,
    OrderSummarySerializer,
    PaymentMethodSerializer,
    QuoteSerializer,
    ShippingMethodSerializer,
)
from orders.exceptions import CartEmpty
from orders.forms import CheckoutForm, country_choices
from orders.models import Cart, Order, Payment, ShippingMethod
from orders.payments import payment_backend, payment_backends
from orders.services import cart as cart_services
from orders.services.checkout import ShippingAddress, checkout_quote, order_place
from orders.services.payments import payment_retry
from shop.api.errors import ApiError, form_invalid
from shop.api.fields import page_data, paginated
from shop.api.throttling import CheckoutRateThrottle, CustomerRateThrottle, GuestRateThrottle

CART_TOKEN_HEADER = "X-Cart-Token"  # noqa: S105 (a header name)
MAX_ID = 2**63 - 1
ORDERS_PAGE_SIZE = 20
CART_TOKEN = OpenApiParameter(
    CART_TOKEN_HEADER,
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    description="A guest cart's token (from POST /api/v1/cart/). Signed-in customers need none.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID) per order attempt: a retry with the same key returns the same "
    "order; a second request while the first is running gets 409 with Retry-After.",
)
ADDRESS_FIELDS = ("name", "line1", "line2", "city", "postcode", "country", "phone")
OrderPageSerializer = paginated(OrderSummarySerializer, "OrderPage")


def _customer(request: Request) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _cart_not_found() -> ApiError:
    return ApiError(
        404,
        "cart_not_found",
        _("There is no such cart. Start one with POST /api/v1/cart/ and send its token in X-Cart-Token."),
    )


def _guest_cart(request: Request) -> Cart:
    """The open guest cart the X-Cart-Token header names; a clear 4xx for any other token."""
    raw = request.headers.get(CART_TOKEN_HEADER, "")
    try:
        token = uuid.UUID(raw)
    except ValueError:
        raise _cart_not_found() from None
    cart = Cart.objects.filter(token=token, user__isnull=True).first()
    if cart is None:
        raise _cart_not_found()
    if cart.order_id is not None:
        raise ApiError(410, "cart_checked_out", _("This cart has become an order. Start a new cart."))
    if cart.updated_at < timezone.now() - timedelta(days=settings.API_CART_DAYS):
        raise ApiError(410, "cart_expired", _("This cart has expired. Start a new cart."))
    return cart


def _cart(request: Request, *, create: bool) -> Cart | None:
    """The shopper's open cart: a customer's own (created when `create`), or the guest's."""
    customer = _customer(request)
    if customer is None:
        return _guest_cart(request)
    if create:
        return cart_services.cart_for_user(user=customer)
    return Cart.objects.filter(user=customer, order__isnull=True).first()


def _cart_response(request: Request, cart: Cart | None, status_code: int = 200) -> Response:
    priced = selectors.cart_priced(cart=cart)
    return Response(CartSerializer(priced, context={"request": request}).data, status=status_code)


class CartView(APIView):
    @extend_schema(
        operation_id="cart_retrieve",
        parameters=[CART_TOKEN],
        responses={200: CartSerializer},
        summary="The cart, priced as of now, with any line that cannot be bought as it is.",
    )
    def get(self, request: Request) -> Response:
        return _cart_response(request, _cart(request, create=False))

    @extend_schema(
        operation_id="cart_create",
        request=None,
        parameters=[CART_TOKEN],
        responses={200: CartSerializer, 201: CartSerializer},
        summary="Start a guest cart (201, with its token), or get a signed-in customer's cart.",
        description="Signed in with a guest cart's X-Cart-Token: the guest cart's lines move into the "
        "customer's cart (quantities of the same variant add up, capped at what can be bought).",
    )
    def post(self, request: Request) -> Response:
        customer = _customer(request)
        if customer is None:
            return _cart_response(request, cart_services.cart_create_guest(), status.HTTP_201_CREATED)
        cart = cart_services.cart_for_user(user=customer)
        if request.headers.get(CART_TOKEN_HEADER):
            cart = cart_services.cart_merge(guest_cart=_guest_cart(request), user=customer)
        return _cart_response(request, cart)


class CartLinesView(APIView):
    @extend_schema(
        operation_id="cart_lines_create",
        parameters=[CART_TOKEN],
        request=CartLineAddSerializer,
        responses={201: CartSerializer},
        summary="Add units of a variant (to its line, if the cart has one).",
    )
    def post(self, request: Request) -> Response:
        serializer = CartLineAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = _cart(request, create=True)
        assert cart is not None
        sku = serializer.validated_data["sku"]
        variant = Variant.objects.select_related("product").filter(sku=sku).first()
        if variant is None:
            raise ValidationError({"sku": [_("No product is sold under this SKU.")]})
        cart_services.cart_line_add(cart=cart, variant=variant, quantity=serializer.validated_data["quantity"])
        return _cart_response(request, cart, status.HTTP_201_CREATED)


class CartLineView(APIView):
    def _line_cart(self, request: Request, line_id: int) -> Cart:
        cart = _cart(request, create=False)
        if cart is None or line_id > MAX_ID or not cart.lines.filter(pk=line_id).exists():
            raise ApiError(404, "line_not_found", _("This cart has no such line."))
        return cart

    @extend_schema(
        operation_id="cart_lines_partial_update",
        parameters=[CART_TOKEN],
        request=CartLineUpdateSerializer,
        responses={200: CartSerializer},
        summary="Change a line's quantity (0 removes it); its price is taken as seen.",
    )
    def patch(self, request: Request, line_id: int) -> Response:
        cart = self._line_cart(request, line_id)
        serializer = CartLineUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart_services.cart_line_set_quantity(cart=cart, line_id=line_id, quantity=serializer.validated_data["quantity"])
        return _cart_response(request, cart)

    @extend_schema(
        operation_id="cart_lines_destroy",
        parameters=[CART_TOKEN],
        responses={200: CartSerializer},
        summary="Remove a line; answers with the cart.",
    )
    def delete(self, request: Request, line_id: int) -> Response:
        cart = self._line_cart(request, line_id)
        cart_services.cart_line_remove(cart=cart, line_id=line_id)
        return _cart_response(request, cart)


def _shipping_method(code: str) -> ShippingMethod:
    method = ShippingMethod.objects.filter(code=code[:50], is_active=True).first()
    if method is None:
        raise ValidationError({"shipping_method": [_("Choose one of the shipping methods offered.")]})
    return method


class ShippingMethodsView(APIView):
    @extend_schema(
        operation_id="checkout_shipping_methods",
        parameters=[CART_TOKEN],
        responses={200: ShippingMethodSerializer(many=True)},
        summary="The ways to deliver, priced for the cart (by weight, free above a subtotal).",
    )
    def get(self, request: Request) -> Response:
        cart = _cart(request, create=False) if _customer(request) or request.headers.get(CART_TOKEN_HEADER) else None
        priced = selectors.cart_priced(cart=cart, images=False)
        methods = selectors.shipping_methods_available()
        prices = {
            m.pk: selectors.shipping_price(method=m, subtotal=priced.subtotal, weight_grams=priced.weight_grams)
            for m in methods
        }
        return Response(ShippingMethodSerializer(methods, many=True, context={"prices": prices}).data)  # type: ignore[arg-type]


class PaymentMethodsView(APIView):
    @extend_schema(
        operation_id="checkout_payment_methods",
        responses={200: PaymentMethodSerializer(many=True)},
        summary="The ways to pay, in the order the shop offers them.",
    )
    def get(self, request: Request) -> Response:
        methods = [
            {"code": code, "name": _(backend.name), "online": backend.online}
            for code, backend in payment_backends().items()
        ]
        return Response(PaymentMethodSerializer(methods, many=True).data)


class CountriesView(APIView):
    @extend_schema(
        operation_id="checkout_countries",
        responses={200: CountrySerializer(many=True)},
        summary="The countries the shop delivers to, named in the request's language.",
    )
    def get(self, request: Request) -> Response:
        countries = [{"code": code, "name": name} for code, name in country_choices()]
        return Response(CountrySerializer(countries, many=True).data)


class QuoteView(APIView):
    @extend_schema(
        operation_id="checkout_quote",
        parameters=[
            CART_TOKEN,
            OpenApiParameter("shipping_method", OpenApiTypes.STR, required=True, description="A method's code."),
        ],
        responses={200: QuoteSerializer},
        summary="What the order would cost with this shipping method: the total to confirm.",
    )
    def get(self, request: Request) -> Response:
        method = _shipping_method(request.query_params.get("shipping_method", ""))
        cart = _cart(request, create=False)
        if cart is None:  # a customer who never filled a cart
            raise CartEmpty()
        quote = checkout_quote(cart=cart, shipping_method=method)
        return Response(QuoteSerializer(quote, context={"request": request, "shipping_method": method}).data)


def _idempotency_key(request: Request) -> str | None:
    """The client's key scoped to this shopper (two shoppers may pick the same key), hashed to fit."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise ValidationError({"Idempotency-Key": [_("Send 1 to 255 printable characters, e.g. a UUID.")]})
    customer = _customer(request)
    owner = f"user:{customer.pk}" if customer else f"cart:{request.headers.get(CART_TOKEN_HEADER, '')}"
    return "api:" + hashlib.sha256(f"{owner}\n{key}".encode()).hexdigest()


def _next_url(request: Request, order: Order) -> str | None:
    """Where to send the shopper to pay: the provider's page. Called outside any transaction."""
    payment = order.payments.filter(status=Payment.Status.PENDING).order_by("-pk").first()
    if payment is None:
        return None
    url = payment_backend(order.payment_method).start(payment=payment, request=request._request)
    return request.build_absolute_uri(url) if url else None


def _order_response(request: Request, order: Order, status_code: int, *, pay: bool) -> Response:
    order = selectors.order_get(number=order.number)
    context = {"next_url": _next_url(request, order) if pay else None}
    return Response(OrderSerializer(order, context=context).data, status=status_code)


class CheckoutView(APIView):
    throttle_classes = [GuestRateThrottle, CustomerRateThrottle, CheckoutRateThrottle]

    @extend_schema(
        operation_id="checkout_place_order",
        parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
        request=CheckoutSerializer,
        responses={201: OrderSerializer, 503: OpenApiResponse(description="Busy: retry after Retry-After seconds.")},
        summary="Place the order for the cart. Online payment methods answer with a next action.",
        description="Errors to expect: 409 out_of_stock (with the short lines), prices_changed (expected_total "
        "no longer matches: get a new quote), quantity_unavailable, cart_empty, idempotency_key_in_use; "
        "503 checkout_busy (retry after Retry-After seconds; nothing was charged).",
    )
    def post(self, request: Request) -> Response:
        serializer = CheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = _idempotency_key(request)
        if key is None:
            return self._place(request, serializer.validated_data, key)
        lock = f"idempotency:{key}"
        if not cache.add(lock, 1, timeout=settings.API_IDEMPOTENCY_LOCK_SECONDS):
            raise ApiError(
                409,
                "idempotency_key_in_use",
                _("An order with this Idempotency-Key is being placed. Retry in a moment."),
                retry_after=1,
            )
        try:
            earlier = Order.objects.filter(idempotency_key=key).first()
            if earlier is not None:
                response = _order_response(request, earlier, status.HTTP_201_CREATED, pay=True)
                response["Idempotent-Replayed"] = "true"
                return response
            return self._place(request, serializer.validated_data, key)
        finally:
            cache.delete(lock)

    def _place(self, request: Request, data: dict[str, Any], key: str | None) -> Response:
        customer = _customer(request)
        cart = _cart(request, create=False)
        if cart is None:
            raise CartEmpty()
        details = self._details(data, customer)
        order = order_place(
            cart=cart,
            email=details["email"],
            address=ShippingAddress(**{name: details[name] for name in ADDRESS_FIELDS}),
            shipping_method=_shipping_method(details["shipping_method"]),
            payment_method=details["payment_method"],
            user=customer,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            expected_total=data.get("expected_total"),
            idempotency_key=key,
            save_address=bool(details.get("save_address")),
        )
        return _order_response(request, order, status.HTTP_201_CREATED, pay=True)

    @staticmethod
    def _details(data: dict[str, Any], customer: User | None) -> dict[str, Any]:
        """The order's details checked by the site's own CheckoutForm (postcodes, countries, methods)."""
        if "address_id" in data:
            if customer is None:
                raise NotAuthenticated(_("Sign in to use your address book."))
            try:
                saved = address_get(user=customer, address_id=data["address_id"])
            except AddressNotFound:
                raise ValidationError({"address_id": [_("Your address book has no such address.")]}) from None
            address = {name: getattr(saved, name) for name in ADDRESS_FIELDS}
        else:
            address = dict(data["shipping_address"])
        email = data.get("email") or (customer.email if customer else "")
        form = CheckoutForm(
            {
                **address,
                "email": email,
                "shipping_method": data["shipping_method"],
                "payment_method": data["payment_method"],
                "save_address": "on" if data.get("save_address") else "",
            },
            customer=customer is not None,
        )
        if not form.is_valid():
            error = form_invalid(form)
            raise ValidationError(
                {(f"shipping_address.{name}" if name in ADDRESS_FIELDS else name): messages
                 for name, messages in error.detail.items()}  # type: ignore[union-attr]
            )  # fmt: skip
        return dict(form.cleaned_data)


def _order_for(request: Request, number: str) -> Order:
    """The customer's own order, or a guest's by the token of the cart that placed it; anything
    else is a 404, whatever number is tried."""
    if len(number) > 16:
        raise NotFound(_("No such order."))
    try:
        order = selectors.order_get(number=number)
    except Order.DoesNotExist:
        raise NotFound(_("No such order.")) from None
    customer = _customer(request)
    if customer is not None and order.user_id == customer.pk:
        return order
    token = request.headers.get(CART_TOKEN_HEADER, "")
    if customer is None and order.user_id is None and token:
        try:
            placed_by = uuid.UUID(token)
        except ValueError:
            placed_by = None
        if placed_by is not None and Cart.objects.filter(order=order, token=placed_by).exists():
            return order
    raise NotFound(_("No such order."))


class OrderListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_list",
        parameters=[OpenApiParameter("page", OpenApiTypes.INT, description="From 1.")],
        responses={200: OrderPageSerializer},
        summary="The signed-in customer's orders, newest first, 20 a page.",
    )
    def get(self, request: Request) -> Response:
        customer = _customer(request)
        assert customer is not None
        raw_page = request.query_params.get("page", "1")
        if not raw_page.isdigit() or len(raw_page) > 9:
            raise ValidationError({"page": [_("Give a page number from 1.")]})
        orders = selectors.order_list_for_user(user=customer)
        try:
            page = Paginator(orders, ORDERS_PAGE_SIZE).page(int(raw_page))
        except InvalidPage:
            raise NotFound(_("There is no such page of orders.")) from None
        results = OrderSummarySerializer(page.object_list, many=True).data  # type: ignore[arg-type]
        return Response(page_data(request, page, list(results)))


class OrderDetailView(APIView):
    @extend_schema(
        operation_id="orders_retrieve",
        parameters=[CART_TOKEN],
        responses={200: OrderSerializer},
        summary="One of the customer's orders (or a guest's, with the token of the cart that placed it).",
    )
    def get(self, request: Request, number: str) -> Response:
        order = _order_for(request, number)
        return Response(OrderSerializer(order, context={"next_url": None}).data)


class OrderPayView(APIView):
    throttle_classes = [GuestRateThrottle, CustomerRateThrottle, CheckoutRateThrottle]

    @extend_schema(
        operation_id="orders_pay",
        request=None,
        parameters=[CART_TOKEN],
        responses={200: OrderSerializer},
        summary="Pay (again) for an order awaiting payment: a new attempt after a declined card.",
    )
    def post(self, request: Request, number: str) -> Response:
        order = _order_for(request, number)
        if not order.payments.filter(status=Payment.Status.PENDING).exists():
            payment_retry(order=order)
        return _order_response(request, order, status.HTTP_200_OK, pay=True)
