"""Cart, checkout, order and payment pages. Every step works without JavaScript."""

import json
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from catalog.models import Variant
from orders import selectors
from orders.backends.testgateway import APPROVED_CARD, DECLINED_CARD, TestCardPaymentBackend
from orders.exceptions import CheckoutBusy, OrderError, WebhookRejected
from orders.forms import AddToCartForm, CheckoutForm, LineQuantityForm, TestCardForm
from orders.models import Cart, Order, Payment, ShippingMethod
from orders.payments import order_transfer_details, payment_backend
from orders.services import cart as cart_services
from orders.services.checkout import ShippingAddress, checkout_quote, order_place
from orders.services.payments import payment_outcome_apply, payment_retry
from orders.tasks import test_gateway_webhook_send
from recommendations.hooks import interaction_record

CART_COUNT_COOKIE = "cart_count"
CHECKOUT_SESSION_KEY = "checkout"
GUEST_CART_SESSION_KEY = "cart_id"
GUEST_ORDERS_SESSION_KEY = "guest_orders"


def request_cart(request: HttpRequest, *, create: bool) -> Cart | None:
    """The shopper's open cart: the customer's, or the guest cart whose id the session holds."""
    if request.user.is_authenticated:
        return cart_services.cart_for_user(user=request.user)
    cart_id = request.session.get(GUEST_CART_SESSION_KEY)
    cart = Cart.objects.filter(pk=cart_id, user__isnull=True, order__isnull=True).first() if cart_id else None
    if cart is None and create:
        if not request.session.session_key:
            request.session.save()
        cart = Cart.objects.create(session_key=request.session.session_key or "")
        request.session[GUEST_CART_SESSION_KEY] = cart.pk
    return cart


def cart_count_cookie_set(response: HttpResponse, cart: Cart | None) -> HttpResponse:
    """The header's cart count lives in a cookie, so cached pages can show it without a query."""
    count = sum(cart.lines.values_list("quantity", flat=True)) if cart is not None and cart.pk else 0
    response.set_cookie(CART_COUNT_COOKIE, str(count), samesite="Lax", max_age=30 * 24 * 3600)
    return response


def _same_origin(request: HttpRequest) -> bool:
    """Product pages are cached whole, so their add-to-cart form carries no CSRF token; the
    browser's Origin (or Referer) header shows the post came from the shop itself."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return False
    return urlsplit(source).netloc == request.get_host()


@csrf_exempt
@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    if not _same_origin(request):
        raise PermissionDenied("Add to cart from the shop's own pages.")
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a quantity of 1 or more."))
        return redirect("orders:cart")
    variant = Variant.objects.select_related("product").filter(sku=form.cleaned_data["sku"]).first()
    if variant is None:
        messages.error(request, _("That product is no longer sold."))
        return redirect("orders:cart")
    cart = request_cart(request, create=True)
    assert cart is not None
    try:
        cart_services.cart_line_add(cart=cart, variant=variant, quantity=form.cleaned_data["quantity"])
    except OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Added %(title)s to your cart.") % {"title": variant.product.title})
        return interaction_record(
            request, cart_count_cookie_set(redirect("orders:cart"), cart), kind="cart", product=f"#{variant.product_id}"
        )
    return cart_count_cookie_set(redirect("orders:cart"), cart)


@require_safe
def cart_detail(request: HttpRequest) -> HttpResponse:
    cart = request_cart(request, create=False)
    priced = selectors.cart_priced(cart=cart)
    response = render(request, "orders/cart.html", {"priced": priced})
    return cart_count_cookie_set(response, cart)


@require_POST
def cart_line_update(request: HttpRequest, line_id: int) -> HttpResponse:
    cart = request_cart(request, create=False)
    if cart is None:
        return redirect("orders:cart")
    form = LineQuantityForm(request.POST)
    if "remove" in request.POST:
        cart_services.cart_line_remove(cart=cart, line_id=line_id)
        messages.success(request, _("Removed from your cart."))
    elif form.is_valid():
        try:
            cart_services.cart_line_set_quantity(cart=cart, line_id=line_id, quantity=form.cleaned_data["quantity"])
        except OrderError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Enter a quantity from 0 to 999."))
    return cart_count_cookie_set(redirect("orders:cart"), cart)


@require_POST
def cart_prices_accept(request: HttpRequest) -> HttpResponse:
    cart = request_cart(request, create=False)
    if cart is not None:
        cart_services.cart_prices_accept(cart=cart)
    return redirect("orders:cart")


def _checkout_initial(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = dict(request.session.get(CHECKOUT_SESSION_KEY, {}))
    if request.user.is_authenticated and not initial:
        initial["email"] = request.user.email
        address = request.user.addresses.filter(is_default=True).first()
        if address is not None:
            initial.update(
                name=address.name,
                line1=address.line1,
                line2=address.line2,
                city=address.city,
                postcode=address.postcode,
                country=address.country,
                phone=address.phone,
            )
    return initial


def checkout(request: HttpRequest) -> HttpResponse:
    cart = request_cart(request, create=False)
    priced = selectors.cart_priced(cart=cart)
    if priced.is_empty:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    customer = request.user.is_authenticated
    if request.method == "POST":
        form = CheckoutForm(request.POST, customer=customer)
        if form.is_valid():
            request.session[CHECKOUT_SESSION_KEY] = form.cleaned_data
            return redirect("orders:review")
        status = 400
    else:
        form = CheckoutForm(initial=_checkout_initial(request), customer=customer)
        status = 200
    return render(request, "orders/checkout.html", {"form": form, "priced": priced}, status=status)


def _review_context(request: HttpRequest, cart: Cart) -> dict[str, Any] | None:
    details = request.session.get(CHECKOUT_SESSION_KEY)
    if not details:
        return None
    method = ShippingMethod.objects.filter(code=details["shipping_method"], is_active=True).first()
    if method is None:
        return None
    quote = checkout_quote(cart=cart, shipping_method=method)
    return {"details": details, "method": method, "quote": quote, "payment": payment_backend(details["payment_method"])}


def checkout_review(request: HttpRequest) -> HttpResponse:
    cart = request_cart(request, create=False)
    if cart is None or selectors.cart_priced(cart=cart).is_empty:
        return redirect("orders:cart")
    context = _review_context(request, cart)
    if context is None:
        return redirect("orders:checkout")
    return render(request, "orders/review.html", context)


@require_POST
def checkout_place(request: HttpRequest) -> HttpResponse:
    cart = request_cart(request, create=False)
    if cart is None:
        return redirect("orders:cart")
    if cart.order_id is not None:
        return redirect(cart.order.get_absolute_url())  # type: ignore[union-attr]
    context = _review_context(request, cart)
    if context is None:
        return redirect("orders:checkout")
    details = context["details"]
    try:
        expected_total = Decimal(request.POST.get("expected_total", ""))
    except InvalidOperation:
        return HttpResponseBadRequest(_("The order total is missing; go back to the review step."))
    try:
        order = order_place(
            cart=cart,
            email=details["email"],
            address=ShippingAddress(
                name=details["name"],
                line1=details["line1"],
                line2=details["line2"],
                city=details["city"],
                postcode=details["postcode"],
                country=details["country"],
                phone=details["phone"],
            ),
            shipping_method=context["method"],
            payment_method=details["payment_method"],
            user=request.user if request.user.is_authenticated else None,
            language=translation.get_language() or "en",
            expected_total=expected_total,
            save_address=bool(details.get("save_address")),
        )
    except CheckoutBusy as error:
        response = render(request, "orders/review.html", {**context, "error": str(error)}, status=503)
        response["Retry-After"] = str(error.retry_after)
        return response
    except OrderError as error:
        messages.error(request, str(error))
        return redirect("orders:cart")
    request.session.pop(CHECKOUT_SESSION_KEY, None)
    request.session.pop(GUEST_CART_SESSION_KEY, None)
    _remember_guest_order(request, order)
    response = _start_payment(request, order)
    response.set_cookie(CART_COUNT_COOKIE, "0", samesite="Lax")
    return response


def _remember_guest_order(request: HttpRequest, order: Order) -> None:
    numbers = set(request.session.get(GUEST_ORDERS_SESSION_KEY, []))
    numbers.add(order.number)
    request.session[GUEST_ORDERS_SESSION_KEY] = sorted(numbers)


def _start_payment(request: HttpRequest, order: Order) -> HttpResponse:
    """Send the shopper on to pay, outside any transaction (a provider may be called). If the
    provider is unreachable the order stands, and its page offers to try again."""
    payment = order.payments.filter(status=Payment.Status.PENDING).order_by("-pk").first()
    try:
        url = payment_backend(order.payment_method).start(payment=payment, request=request) if payment else None
    except OrderError as error:
        messages.error(request, str(error))
        url = None
    return redirect(url or f"{order.get_absolute_url()}?t={order.access_token}")


def _order_for(request: HttpRequest, number: str) -> Order:
    """An order the shopper may see: their own, or a guest order of this session or its e-mail link.
    Anyone else gets a 404, whatever number they guess."""
    try:
        order = selectors.order_get(number=number)
    except Order.DoesNotExist:
        raise Http404("No such order") from None
    token = request.GET.get("t")
    if token and token == str(order.access_token):
        _remember_guest_order(request, order)
        return order
    if order.user_id is not None and order.user_id == request.user.pk:
        return order
    if order.user_id is None and order.number in request.session.get(GUEST_ORDERS_SESSION_KEY, []):
        return order
    if request.user.is_authenticated and request.user.is_staff:
        return order
    raise Http404("No such order")


@require_safe
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _order_for(request, number)
    pending = order.payments.filter(status=Payment.Status.PENDING).exists()
    failed = order.payments.filter(status=Payment.Status.FAILED).order_by("-pk").first()
    return render(
        request,
        "orders/order_detail.html",
        {"order": order, "pending": pending, "failed": failed, "transfer_to": order_transfer_details(order)},
    )


@require_safe
def order_receipt(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "orders/receipt.html", {"order": _order_for(request, number)})


@require_POST
def order_pay(request: HttpRequest, number: str) -> HttpResponse:
    """Go (back) to paying: the pending payment again, or a new attempt after a declined card."""
    order = _order_for(request, number)
    if not order.payments.filter(status=Payment.Status.PENDING).exists():
        try:
            payment_retry(order=order)
        except OrderError as error:
            messages.error(request, str(error))
            return redirect(order.get_absolute_url())
    return _start_payment(request, order)


@login_required
@require_safe
def order_history(request: HttpRequest) -> HttpResponse:
    orders = selectors.order_list_for_user(user=request.user)  # type: ignore[arg-type]
    return render(request, "orders/order_list.html", {"orders": orders})


def test_gateway(request: HttpRequest, reference: str) -> HttpResponse:
    """The test card provider's hosted payment page. It takes a card only while the payment can
    still be made (TestCardPaymentBackend.refusal); otherwise it says why and links to the order."""
    payment = Payment.objects.select_related("order").filter(reference=reference).first()
    backend = payment_backend(payment.method) if payment is not None else None
    if payment is None or not isinstance(backend, TestCardPaymentBackend):
        raise Http404("No such payment")
    order_url = f"{payment.order.get_absolute_url()}?t={payment.order.access_token}"
    refusal = backend.refusal(payment=payment)
    if refusal:
        # A stale link (another attempt paid the order, or it was cancelled) takes no card.
        context = {"payment": payment, "refusal": refusal, "order_url": order_url}
        return render(request, "orders/test_gateway.html", context, status=409)
    form = TestCardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"]
        if number == APPROVED_CARD:
            test_gateway_webhook_send.delay(payment.pk, "succeeded")
        elif number == DECLINED_CARD:
            test_gateway_webhook_send.delay(payment.pk, "failed", gettext_noop("Card declined"))
        else:
            form.add_error("number", _("This test gateway knows cards 4242 4242 4242 4242 and 4000 0000 0000 0002."))
            return render(request, "orders/test_gateway.html", {"payment": payment, "form": form}, status=400)
        # Back to the shop; the result arrives by webhook, whether or not the shopper comes back.
        return redirect(order_url)
    return render(request, "orders/test_gateway.html", {"payment": payment, "form": form})


@csrf_exempt
@require_POST
def payment_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """Providers confirm payments here. Verified, idempotent, safe to replay or reorder."""
    try:
        backend = payment_backend(provider)
        outcome = backend.webhook_parse(body=request.body, headers=dict(request.headers))
    except (WebhookRejected, OrderError) as error:
        return JsonResponse({"error": str(error)}, status=400)
    processed = payment_outcome_apply(provider=provider, outcome=outcome, payload=json.loads(request.body or b"{}"))
    return JsonResponse({"received": True, "duplicate": not processed})
