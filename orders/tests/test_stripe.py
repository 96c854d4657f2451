"""The Stripe payment backend: webhooks through the real endpoint with real signature checks, and
the API calls the real SDK makes, recorded by a local stand-in for Stripe's API.

Why a stand-in: Stripe's own API simulator, stripe-mock, is a Go binary fetched from GitHub, and
nothing may be downloaded here. The packaged fakes on PyPI were checked: stripe-mock-server (2018)
knows neither Checkout Sessions nor PaymentIntents, and localstripe has no Checkout Sessions and
no search. So `StripeStandIn` is a small HTTP server on a free local port, with STRIPE_API_BASE
pointed at it: the real `stripe` SDK encodes and sends its real requests over a real connection,
the stand-in records them and answers with minimal Stripe-shaped JSON. The tests assert what Pasar
asks of Stripe (form-encoded parameters, amounts in minor units, metadata, Idempotency-Key); what
Stripe does with it is Stripe's to test.
"""

import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.tests.factories import VariantFactory
from orders.backends.stripe import StripePaymentBackend, from_minor_units, minor_units
from orders.exceptions import PaymentError
from orders.models import Order, Payment, WebhookEvent
from orders.payments import payment_backend, payment_backends
from orders.services.payments import order_refund, payment_flagged_refund, payment_retry
from orders.tests.factories import placed_order, standard_shipping

pytestmark = pytest.mark.django_db

WEBHOOK = "/payments/webhooks/stripe/"
API_KEY = "sk_test_pasar"
WEBHOOK_SECRET = "whsec_test_pasar"
ORIGIN = {"Origin": "http://testserver"}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


class StripeStandIn:
    """A local stand-in for api.stripe.com (see the module docstring for why): records each request
    and answers with canned Stripe-shaped JSON, or with the reply a test sets for a path."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.replies: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {
            ("POST", "/v1/checkout/sessions"): (
                200,
                {
                    "id": "cs_test_pasar",
                    "object": "checkout.session",
                    "url": "https://checkout.stripe.com/c/pay/cs_test_pasar",
                    "status": "open",
                    "payment_status": "unpaid",
                },
            ),
            ("GET", "/v1/payment_intents/search"): (200, self.search_result([])),
            ("POST", "/v1/refunds"): (200, {"id": "re_test_pasar", "object": "refund", "status": "succeeded"}),
        }
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.answer()

            def do_POST(self) -> None:
                self.answer()

            def answer(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                stand_in.requests.append(
                    Recorded(
                        method=self.command,
                        path=url.path,
                        query=dict(parse_qsl(url.query, keep_blank_values=True)),
                        form=dict(parse_qsl(body, keep_blank_values=True)),
                        headers=dict(self.headers.items()),
                    )
                )
                unknown = {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL."}}
                status, reply = stand_in.replies.get((self.command, url.path), (404, unknown))
                payload = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Request-Id", f"req_standin_{len(stand_in.requests)}")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @staticmethod
    def search_result(intents: list[dict[str, Any]]) -> dict[str, Any]:
        return {"object": "search_result", "url": "/v1/payment_intents/search", "has_more": False, "data": intents}

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [request for request in self.requests if (request.method, request.path) == (method, path)]


@pytest.fixture
def stripe_api() -> Iterator[StripeStandIn]:
    stand_in = StripeStandIn()
    stand_in.thread.start()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()
    stand_in.thread.join()


@pytest.fixture(autouse=True)
def stripe_enabled(settings, stripe_api: StripeStandIn) -> Iterator[None]:
    settings.PAYMENT_BACKENDS = {
        **settings.PAYMENT_BACKENDS,
        "stripe": {
            "BACKEND": "orders.backends.stripe.StripePaymentBackend",
            "OPTIONS": {"secret_key": API_KEY, "webhook_secret": WEBHOOK_SECRET, "api_base": stripe_api.url},
        },
    }
    payment_backends.cache_clear()  # loaded once per process; reload with these settings
    yield
    payment_backends.cache_clear()


def minor(amount: Decimal) -> int:
    return int(amount.scaleb(2))  # the tests' orders are in GBP


def signed(
    event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """The body and Stripe-Signature header exactly as Stripe makes them: t=<unix time>,
    v1=HMAC-SHA256 of "<t>.<body>" keyed with the endpoint's signing secret."""
    body = json.dumps(event).encode()
    signed_at = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{signed_at}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Stripe-Signature": f"t={signed_at},v1={mac}"}


def event(event_id: str, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": data},
    }


def session_event(
    payment: Payment,
    event_id: str,
    event_type: str = "checkout.session.completed",
    *,
    payment_status: str = "paid",
    amount: Decimal | None = None,
    intent: str = "pi_test_from_webhook",
) -> dict[str, Any]:
    return event(
        event_id,
        event_type,
        {
            "id": "cs_test_pasar",
            "object": "checkout.session",
            "mode": "payment",
            "status": "complete",
            "payment_status": payment_status,
            "client_reference_id": payment.reference,
            "metadata": {"pasar_reference": payment.reference, "pasar_order": payment.order.number},
            "amount_total": minor(payment.amount if amount is None else amount),
            "currency": payment.currency.lower(),
            "payment_intent": intent,
        },
    )


def intent_event(payment: Payment, event_id: str, event_type: str, *, decline: str = "") -> dict[str, Any]:
    return event(
        event_id,
        event_type,
        {
            "id": "pi_test_from_webhook",
            "object": "payment_intent",
            "status": "requires_payment_method" if decline else "succeeded",
            "amount": minor(payment.amount),
            "amount_received": 0 if decline else minor(payment.amount),
            "currency": payment.currency.lower(),
            "metadata": {"pasar_reference": payment.reference, "pasar_order": payment.order.number},
            "last_payment_error": {"type": "card_error", "code": "card_declined", "message": decline}
            if decline
            else None,
        },
    )


def deliver(client, stripe_event: dict[str, Any], **signing: Any):
    body, headers = signed(stripe_event, **signing)
    return client.post(WEBHOOK, body, content_type="application/json", headers=headers)


def stripe_order(**kwargs: Any) -> tuple[Order, Payment]:
    order = placed_order(payment_method="stripe", **kwargs)
    return order, order.payments.get()


# Webhooks: the source of truth -------------------------------------------------------------------


def test_a_signed_checkout_completed_event_pays_the_order_even_with_the_shopper_gone(client):
    order, payment = stripe_order()
    response = deliver(client, session_event(payment, "evt_paid"))  # a fresh client: no session, no browser
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"
    assert order.events.filter(to_status="paid").get().note == "Paid by Card (Stripe)"


def test_a_payment_intent_succeeded_event_on_its_own_pays_the_order_too(client):
    order, payment = stripe_order()
    assert deliver(client, intent_event(payment, "evt_intent", "payment_intent.succeeded")).status_code == 200
    order.refresh_from_db()
    assert order.status == "paid"


def test_a_replayed_event_and_the_second_success_event_of_the_same_payment_change_nothing_more(client):
    order, payment = stripe_order()
    first = session_event(payment, "evt_paid")
    deliver(client, first)
    again = deliver(client, first)
    assert again.json() == {"received": True, "duplicate": True}
    assert deliver(client, intent_event(payment, "evt_intent", "payment_intent.succeeded")).json()["duplicate"] is False
    assert WebhookEvent.objects.filter(provider="stripe").count() == 2
    assert order.events.filter(to_status="paid").count() == 1


def test_a_failure_delivered_after_the_success_leaves_the_order_paid(client):
    order, payment = stripe_order()
    deliver(client, session_event(payment, "evt_paid"))
    late = intent_event(
        payment, "evt_declined_earlier", "payment_intent.payment_failed", decline="Your card was declined."
    )
    assert deliver(client, late).status_code == 200
    order.refresh_from_db()
    assert order.status == "paid"
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"


def test_a_second_session_paid_in_another_tab_is_recorded_flagged_and_refunded_alone(client, stripe_api):
    order, first = stripe_order()
    deliver(client, intent_event(first, "evt_declined", "payment_intent.payment_failed", decline="Declined."))
    second = payment_retry(order=order)
    deliver(client, session_event(second, "evt_second_paid", intent="pi_second"))
    # The first tab's session was paid too; Stripe confirms it late, with both of its events.
    deliver(client, session_event(first, "evt_first_paid", intent="pi_first"))
    deliver(client, intent_event(first, "evt_first_intent", "payment_intent.succeeded"))

    first.refresh_from_db()
    assert first.status == "succeeded" and first.failure_reason == f"Refund it: Duplicate payment {first.reference}"
    assert order.events.filter(to_status="paid").exclude(from_status="paid").count() == 1
    assert order.events.filter(note=f"Duplicate payment {first.reference}: refund it").count() == 1
    payment_flagged_refund(payment=first)
    (refund,) = stripe_api.calls("POST", "/v1/refunds")
    assert (refund.form["payment_intent"], refund.form["amount"]) == ("pi_first", str(minor(first.amount)))
    order.refresh_from_db()
    assert (order.status, order.refunded_total) == ("paid", Decimal("0"))
    assert Payment.objects.get(pk=first.pk).status == "refunded"
    assert Payment.objects.get(pk=second.pk).status == "succeeded"


def test_a_declined_card_shows_stripes_reason_and_a_way_to_try_again_with_a_new_session(client, stripe_api):
    order, payment = stripe_order()
    deliver(
        client,
        intent_event(payment, "evt_declined", "payment_intent.payment_failed", decline="Your card was declined."),
    )
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("failed", "Your card was declined.")
    page = client.get(f"{order.get_absolute_url()}?t={order.access_token}").content.decode()
    assert "Your payment did not go through (Your card was declined.)." in page
    assert "Try paying again" in page
    retry = client.post(reverse("orders:pay", args=[order.number]))
    assert retry["Location"] == "https://checkout.stripe.com/c/pay/cs_test_pasar"
    (call,) = stripe_api.calls("POST", "/v1/checkout/sessions")
    assert call.form["client_reference_id"] == f"stripe-{order.number}-2"
    assert call.headers["Idempotency-Key"] == f"pasar-checkout-stripe-{order.number}-2"


def test_an_expired_payment_page_marks_the_payment_failed_so_the_shopper_can_start_again(client):
    order, payment = stripe_order()
    deliver(client, session_event(payment, "evt_expired", "checkout.session.expired", payment_status="unpaid"))
    payment.refresh_from_db()
    assert payment.status == "failed"
    assert payment.failure_reason == "The payment page expired before anything was paid."
    order.refresh_from_db()
    assert order.status == "awaiting_payment"


def test_a_bank_debit_still_on_its_way_leaves_the_order_waiting_until_stripe_confirms_it(client):
    order, payment = stripe_order()
    assert deliver(client, session_event(payment, "evt_completed", payment_status="unpaid")).status_code == 200
    order.refresh_from_db()
    assert order.status == "awaiting_payment"
    assert Payment.objects.get(pk=payment.pk).status == "pending"
    deliver(client, session_event(payment, "evt_debit_arrived", "checkout.session.async_payment_succeeded"))
    order.refresh_from_db()
    assert order.status == "paid"


def test_a_bank_debit_that_bounces_marks_the_payment_failed(client):
    _order, payment = stripe_order()
    deliver(client, session_event(payment, "evt_completed", payment_status="unpaid"))
    deliver(
        client, session_event(payment, "evt_bounced", "checkout.session.async_payment_failed", payment_status="unpaid")
    )
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("failed", "The bank did not confirm the payment.")


def test_a_success_for_a_smaller_amount_does_not_pay_the_order(client):
    order, payment = stripe_order()
    deliver(client, session_event(payment, "evt_short", amount=Decimal("0.50")))
    order.refresh_from_db()
    assert order.status == "awaiting_payment"
    assert "expected" in Payment.objects.get(pk=payment.pk).failure_reason


@pytest.mark.parametrize(
    ("tamper", "signing"),
    [
        ("none", {"secret": "whsec_someone_else"}),
        ("none", {"timestamp": int(time.time()) - 600}),
        ("body", {}),
        ("header", {}),
    ],
    ids=["another-secret", "ten-minutes-old", "body-changed-after-signing", "no-signature"],
)
def test_an_event_not_signed_by_stripe_with_our_secret_is_refused_with_400(client, tamper, signing):
    order, payment = stripe_order()
    body, headers = signed(session_event(payment, "evt_forged"), **signing)
    if tamper == "body":
        body = body.replace(b'"paid"', b'"paid" ')
    if tamper == "header":
        headers = {}
    response = client.post(WEBHOOK, body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert response.json() == {"error": "Stripe signature verification failed."}
    order.refresh_from_db()
    assert order.status == "awaiting_payment"
    assert not WebhookEvent.objects.exists()


def test_a_correctly_signed_body_that_is_no_stripe_event_is_refused_with_400(client):
    body, headers = signed({"hello": "world"})
    response = client.post(WEBHOOK, body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert response.json() == {"error": "Malformed event."}


def test_an_event_type_pasar_does_not_use_is_acknowledged_and_changes_nothing(client):
    order, payment = stripe_order()
    charge = event(
        "evt_charge",
        "charge.updated",
        {"id": "ch_1", "object": "charge", "metadata": {"pasar_reference": payment.reference}},
    )
    assert deliver(client, charge).status_code == 200
    order.refresh_from_db()
    assert order.status == "awaiting_payment"
    assert Payment.objects.get(pk=payment.pk).status == "pending"


# Money in minor units ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [
        (Decimal("11.73"), "GBP", 1173),
        (Decimal("25500.00"), "IDR", 2550000),
        (Decimal("500.00"), "JPY", 500),
        (Decimal("1.25"), "KWD", 1250),
        (Decimal("500.00"), "ISK", 50000),  # Stripe keeps ISK two-decimal in its API
    ],
)
def test_amounts_go_to_stripe_in_minor_units_and_come_back_as_the_same_decimal(amount, currency, units):
    assert minor_units(amount, currency) == units
    assert from_minor_units(units, currency.lower()) == amount


def test_an_amount_finer_than_the_currencys_minor_unit_is_refused_rather_than_rounded():
    with pytest.raises(PaymentError, match="more decimals than the currency allows"):
        minor_units(Decimal("500.50"), "JPY")


# Starting a payment: the Checkout Session --------------------------------------------------------


def test_checking_out_with_stripe_sends_the_shopper_to_a_checkout_session_for_exactly_the_order(client, stripe_api):
    VariantFactory(sku="MUG", price=Decimal("2.10"), stock=10, product__title="Red Retrospot Mug", name="")
    client.post(reverse("orders:cart_add"), {"sku": "MUG", "quantity": 3}, headers=ORIGIN)
    standard_shipping()
    details = {
        "email": "ada@example.com", "name": "Ada Lovelace", "line1": "1 High Street", "line2": "", "city": "London",
        "postcode": "N1 9GU", "country": "GB", "phone": "", "shipping_method": "standard", "payment_method": "stripe",
    }  # fmt: skip
    assert client.post(reverse("orders:checkout"), details).status_code == 302
    total = client.get(reverse("orders:review")).context["quote"].total
    placed = client.post(reverse("orders:place"), {"expected_total": str(total)})

    assert placed.status_code == 302
    assert placed["Location"] == "https://checkout.stripe.com/c/pay/cs_test_pasar"
    order = Order.objects.get()
    payment = order.payments.get()
    (call,) = stripe_api.calls("POST", "/v1/checkout/sessions")
    assert call.headers["Authorization"] == f"Bearer {API_KEY}"
    assert call.headers["Idempotency-Key"] == f"pasar-checkout-{payment.reference}"
    back = f"http://testserver/orders/{order.number}/?t={order.access_token}"
    form = call.form
    expires_at = int(form.pop("expires_at"))
    assert form == {
        "mode": "payment",
        "client_reference_id": payment.reference,
        "customer_email": "ada@example.com",
        "metadata[pasar_reference]": payment.reference,
        "metadata[pasar_order]": order.number,
        "payment_intent_data[metadata][pasar_reference]": payment.reference,
        "payment_intent_data[metadata][pasar_order]": order.number,
        "payment_intent_data[description]": f"Order {order.number}",
        "line_items[0][quantity]": "3",
        "line_items[0][price_data][currency]": "gbp",
        "line_items[0][price_data][unit_amount]": "210",
        "line_items[0][price_data][product_data][name]": "Red Retrospot Mug",
        "line_items[1][quantity]": "1",
        "line_items[1][price_data][currency]": "gbp",
        "line_items[1][price_data][unit_amount]": "495",
        "line_items[1][price_data][product_data][name]": "Delivery: Standard delivery",
        "success_url": back,
        "cancel_url": back,
        "adaptive_pricing[enabled]": "false",
        "locale": "en",
    }
    assert minor(payment.amount) == 3 * 210 + 495
    deadline = payment.created_at + timedelta(minutes=60)
    assert int(deadline.timestamp()) == expires_at

    # Stripe confirms by webhook; the shopper comes back to the order page and sees it paid.
    deliver(Client(), session_event(payment, "evt_paid"))
    assert "Thank you for your order" in client.get(back).content.decode()


def test_a_retried_start_asks_stripe_with_the_same_key_and_the_same_parameters(rf, stripe_api):
    _order, payment = stripe_order()
    backend = payment_backend("stripe")
    request = rf.post("/checkout/place/")
    first = backend.start(payment=payment, request=request)
    second = backend.start(payment=payment, request=request)
    assert first == second == "https://checkout.stripe.com/c/pay/cs_test_pasar"
    one, two = stripe_api.calls("POST", "/v1/checkout/sessions")
    assert one.headers["Idempotency-Key"] == two.headers["Idempotency-Key"] == f"pasar-checkout-{payment.reference}"
    assert one.form == two.form  # Stripe answers a reused key with the first session only if nothing differs


def test_the_checkout_page_speaks_the_language_the_order_was_placed_in(rf, stripe_api):
    _order, payment = stripe_order(language="id")
    payment_backend("stripe").start(payment=payment, request=rf.get("/"))
    (call,) = stripe_api.calls("POST", "/v1/checkout/sessions")
    assert call.form["locale"] == "id"


def test_lines_that_would_not_add_up_to_the_payment_become_one_line_for_the_whole_amount(rf, stripe_api):
    order, payment = stripe_order(quantity=3)
    order.lines.update(unit_price=Decimal("3.30"))  # e.g. a price rounded differently from the line total
    payment_backend("stripe").start(payment=payment, request=rf.get("/"))
    (call,) = stripe_api.calls("POST", "/v1/checkout/sessions")
    items = {key: value for key, value in call.form.items() if key.startswith("line_items")}
    assert items == {
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "gbp",
        "line_items[0][price_data][unit_amount]": str(minor(payment.amount)),
        "line_items[0][price_data][product_data][name]": f"Order {order.number}",
    }


def test_stripe_refusing_to_start_is_a_payment_error_the_shopper_can_read(rf, stripe_api):
    _order, payment = stripe_order()
    stripe_api.replies[("POST", "/v1/checkout/sessions")] = (
        401,
        {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided: sk_test_****asar"}},
    )
    with pytest.raises(PaymentError) as raised:
        payment_backend("stripe").start(payment=payment, request=rf.get("/"))
    assert (
        str(raised.value)
        == "Card payment is unavailable right now and nothing was charged. Please try again in a moment."
    )
    assert "sk_test" not in str(raised.value)


# Refunds -----------------------------------------------------------------------------------------


def paid_stripe_order(client) -> tuple[Order, Payment]:
    order, payment = stripe_order()
    deliver(client, session_event(payment, "evt_paid", intent="pi_test_from_webhook"))
    order.refresh_from_db()
    payment.refresh_from_db()
    return order, payment


def test_a_refund_goes_to_the_payment_intent_stripe_finds_by_our_reference_in_minor_units(client, stripe_api):
    order, payment = paid_stripe_order(client)
    stripe_api.replies[("GET", "/v1/payment_intents/search")] = (
        200,
        StripeStandIn.search_result([{"id": "pi_test_from_search", "object": "payment_intent", "status": "succeeded"}]),
    )
    order_refund(order=order, amount=Decimal("1.00"), restock=False, reason="Dented")

    (search,) = stripe_api.calls("GET", "/v1/payment_intents/search")
    assert search.query["query"] == f"metadata['pasar_reference']:'{payment.reference}'"
    (refund,) = stripe_api.calls("POST", "/v1/refunds")
    assert refund.form == {
        "payment_intent": "pi_test_from_search",
        "amount": "100",
        "metadata[pasar_reference]": payment.reference,
        "metadata[pasar_order]": order.number,
    }
    assert refund.headers["Idempotency-Key"] == f"pasar-refund-{payment.reference}-0-100"
    order.refresh_from_db()
    assert (order.status, order.refunded_total) == ("partly_refunded", Decimal("1.00"))


def test_while_stripes_search_lags_the_refund_takes_the_payment_intent_from_the_recorded_webhook(client, stripe_api):
    order, payment = paid_stripe_order(client)
    order_refund(order=order, restock=True, reason="Returned")
    (refund,) = stripe_api.calls("POST", "/v1/refunds")
    assert refund.form["payment_intent"] == "pi_test_from_webhook"
    assert refund.form["amount"] == str(minor(order.total))
    order.refresh_from_db()
    assert order.refunded_total == order.total
    assert Payment.objects.get(pk=payment.pk).status == "refunded"


def test_two_refunds_of_the_same_amount_are_two_refunds_but_a_retried_one_is_the_same(client, stripe_api):
    order, payment = paid_stripe_order(client)
    backend = payment_backend("stripe")
    backend.refund(payment=payment, amount=Decimal("1.00"))
    backend.refund(payment=payment, amount=Decimal("1.00"))  # retried: our records did not move on
    order_refund(order=order, amount=Decimal("1.00"), restock=False)
    order_refund(order=order, amount=Decimal("1.00"), restock=False)
    keys = [call.headers["Idempotency-Key"] for call in stripe_api.calls("POST", "/v1/refunds")]
    base = f"pasar-refund-{payment.reference}"
    assert keys == [f"{base}-0-100", f"{base}-0-100", f"{base}-0-100", f"{base}-100-100"]


def test_a_refund_stripe_refuses_is_a_payment_error_with_stripes_reason_and_changes_nothing(client, stripe_api):
    order, payment = paid_stripe_order(client)
    stripe_api.replies[("POST", "/v1/refunds")] = (
        400,
        {
            "error": {
                "type": "invalid_request_error",
                "code": "charge_already_refunded",
                "message": "Charge ch_1 has already been refunded.",
            }
        },
    )
    with pytest.raises(PaymentError, match=r"^Stripe refused the refund: Charge ch_1 has already been refunded\.$"):
        order_refund(order=order, amount=Decimal("1.00"), restock=False)
    order.refresh_from_db()
    assert (order.status, order.refunded_total) == ("paid", Decimal("0"))
    assert Payment.objects.get(pk=payment.pk).refunded_amount == 0


def test_a_payment_stripe_never_confirmed_cannot_be_refunded(stripe_api):
    _order, payment = stripe_order()
    with pytest.raises(PaymentError, match="no successful payment"):
        payment_backend("stripe").refund(payment=payment, amount=Decimal("1.00"))
    assert not stripe_api.calls("POST", "/v1/refunds")


def test_more_than_is_left_cannot_be_refunded(client, stripe_api):
    _order, payment = paid_stripe_order(client)
    with pytest.raises(PaymentError, match="at most"):
        payment_backend("stripe").refund(payment=payment, amount=payment.amount + Decimal("0.01"))
    assert not stripe_api.requests


# Configuration -----------------------------------------------------------------------------------


def test_the_backend_refuses_to_load_without_its_secret_key_and_webhook_secret():
    with pytest.raises(ImproperlyConfigured, match="STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"):
        StripePaymentBackend(secret_key=API_KEY, webhook_secret="")


def settings_in_a_fresh_process(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("STRIPE_", "PAYMENT_", "DJANGO_ENV"))}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", "import shop.settings as s; print(','.join(s.PAYMENT_METHODS))"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_stripe_is_offered_first_by_default_only_once_its_keys_are_set():
    assert settings_in_a_fresh_process().stdout.strip() == "testcard,cod,bank"
    with_keys = settings_in_a_fresh_process(STRIPE_SECRET_KEY=API_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    assert with_keys.stdout.strip() == "stripe,testcard,cod,bank"
    without_webhook_secret = settings_in_a_fresh_process(STRIPE_SECRET_KEY=API_KEY)
    assert without_webhook_secret.returncode != 0
    assert "set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET" in without_webhook_secret.stderr


def test_the_session_lifetime_stays_within_what_stripe_allows_when_a_payment_is_started_late(rf, stripe_api):
    _order, payment = stripe_order()
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=50))
    payment.refresh_from_db()
    payment_backend("stripe").start(payment=payment, request=rf.get("/"))
    (call,) = stripe_api.calls("POST", "/v1/checkout/sessions")
    assert int(call.form["expires_at"]) >= int((timezone.now() + timedelta(minutes=30)).timestamp())
