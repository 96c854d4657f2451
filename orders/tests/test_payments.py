import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Variant
from orders.backends.testgateway import SIGNATURE_HEADER
from orders.models import Order, Payment, WebhookEvent
from orders.payments import payment_backend
from orders.services.payments import order_refund, orders_reconcile
from orders.tests.factories import placed_order

pytestmark = pytest.mark.django_db
WEBHOOK = "/payments/webhooks/testcard/"


def event(payment: Payment, kind: str, event_id: str, amount: Decimal | None = None) -> tuple[bytes, dict[str, str]]:
    backend = payment_backend("testcard")
    body = backend.webhook_body(event_id=event_id, kind=kind, payment=payment, amount=amount or payment.amount)  # type: ignore[attr-defined]
    return body, {SIGNATURE_HEADER: backend.sign(body)}  # type: ignore[attr-defined]


def post(client, body: bytes, headers: dict[str, str]):
    return client.post(WEBHOOK, body, content_type="application/json", headers=headers)


def test_a_signed_success_webhook_pays_the_order_even_with_the_shopper_gone(client):
    order = placed_order(payment_method="testcard")
    body, headers = event(order.payments.get(), "succeeded", "evt_1")
    response = post(client, body, headers)  # a fresh client: no session, no browser
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
    assert order.payments.get().status == "succeeded"


def test_a_replayed_webhook_changes_nothing_more(client):
    order = placed_order(payment_method="testcard")
    body, headers = event(order.payments.get(), "succeeded", "evt_1")
    post(client, body, headers)
    again = post(client, body, headers)
    assert again.json() == {"received": True, "duplicate": True}
    assert WebhookEvent.objects.count() == 1
    assert order.events.filter(to_status="paid").count() == 1


def test_a_failure_delivered_after_the_success_leaves_the_order_paid(client):
    order = placed_order(payment_method="testcard")
    payment = order.payments.get()
    post(client, *event(payment, "succeeded", "evt_ok"))
    post(client, *event(payment, "failed", "evt_late_failure"))
    order.refresh_from_db()
    assert order.status == "paid"
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"


def test_a_webhook_with_a_bad_signature_is_refused_with_a_message(client):
    order = placed_order(payment_method="testcard")
    body, _ = event(order.payments.get(), "succeeded", "evt_forged")
    response = post(client, body, {SIGNATURE_HEADER: f"t={int(time.time())},v1=forged"})
    assert response.status_code == 400
    assert response.json() == {"error": "Signature does not match."}
    order.refresh_from_db()
    assert order.status == "awaiting_payment"


def test_a_webhook_for_the_wrong_amount_does_not_pay_the_order(client):
    order = placed_order(payment_method="testcard")
    post(client, *event(order.payments.get(), "succeeded", "evt_short", amount=Decimal("0.01")))
    order.refresh_from_db()
    assert order.status == "awaiting_payment"
    assert "expected" in order.payments.get().failure_reason


def test_reconciliation_cancels_unpaid_orders_past_their_deadline_and_returns_the_stock():
    order = placed_order(payment_method="testcard", quantity=3, stock=10)
    Order.objects.filter(pk=order.pk).update(placed_at=timezone.now() - timedelta(hours=2))
    fresh = placed_order(payment_method="testcard")
    assert orders_reconcile() == {"cancelled": 1, "paid_without_order": 0}
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert Variant.objects.get(sku=order.lines.get().sku).stock == 10
    fresh.refresh_from_db()
    assert fresh.status == "awaiting_payment"


def test_reconciliation_pays_an_order_whose_payment_succeeded_but_was_never_applied():
    order = placed_order(payment_method="testcard")
    order.payments.update(status="succeeded")
    assert orders_reconcile()["paid_without_order"] == 1
    order.refresh_from_db()
    assert order.status == "paid"


def test_a_partial_refund_then_the_rest(client):
    order = placed_order(payment_method="testcard", quantity=2, stock=5)
    post(client, *event(order.payments.get(), "succeeded", "evt_paid"))
    order.refresh_from_db()
    order_refund(order=order, amount=Decimal("1.00"), restock=False, reason="Dented")
    order.refresh_from_db()
    assert (order.status, order.refunded_total) == ("partly_refunded", Decimal("1.00"))
    order_refund(order=order, restock=True, reason="Returned")
    order.refresh_from_db()
    assert (order.status, order.refunded_total) == ("refunded", order.total)
    assert Variant.objects.get(sku=order.lines.get().sku).stock == 5
    payment = order.payments.get()
    assert (payment.status, payment.refunded_amount) == ("refunded", order.total)


def test_the_webhook_body_is_json_the_provider_signed():
    order = placed_order(payment_method="testcard")
    body, _ = event(order.payments.get(), "succeeded", "evt_x")
    assert json.loads(body)["reference"] == order.payments.get().reference
