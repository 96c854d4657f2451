import json
import logging
import threading
import time
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Variant
from catalog.tests.factories import VariantFactory
from notifications.models import Message
from notifications.rendering import email_render
from orders.backends.testgateway import SIGNATURE_HEADER
from orders.models import Order, Payment, WebhookEvent
from orders.payments import payment_backend
from orders.services.payments import order_refund, orders_reconcile, payment_retry
from orders.services.status import order_cancel
from orders.tests.factories import placed_order, standard_shipping

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
    assert order.events.filter(to_status="paid").exclude(from_status="paid").count() == 1


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


APPROVED = {"number": "4242 4242 4242 4242", "name": "Ada Lovelace"}
DECLINED = {"number": "4000 0000 0000 0002", "name": "Ada Lovelace"}


def api(client, method: str, url: str, data=None, **headers):
    return getattr(client, method)(url, data, content_type="application/json", headers=headers)


def test_the_qa_scenario_pays_once_refuses_the_stale_page_and_flags_a_second_capture(
    client, django_capture_on_commit_callbacks, caplog, settings
):
    standard_shipping()
    variant = VariantFactory(price=Decimal("3.39"), stock=10)
    cart = api(client, "post", "/api/v1/cart/").json()["token"]
    api(client, "post", "/api/v1/cart/lines/", {"sku": variant.sku, "quantity": 2}, x_cart_token=cart)
    body = {"email": "ada@example.com", "shipping_method": "standard", "payment_method": "testcard",
            "shipping_address": {"name": "Ada", "line1": "1 High St", "city": "London", "postcode": "N1 9GU",
                                 "country": "GB"}}  # fmt: skip
    placed = api(client, "post", "/api/v1/checkout/", body, x_cart_token=cart).json()
    number = placed["number"]
    first_page = urlsplit(placed["payment"]["next_action"]["url"]).path
    assert first_page == f"/pay/test/testcard-{number}/"

    # The first card is declined; the shopper asks to pay again and gets a new attempt's page.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(first_page, DECLINED).status_code == 302
    retried = api(client, "post", f"/api/v1/orders/{number}/pay/", x_cart_token=cart).json()
    second_page = urlsplit(retried["payment"]["next_action"]["url"]).path
    assert second_page == f"/pay/test/testcard-{number}-2/"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(second_page, APPROVED).status_code == 302
    order = Order.objects.get(number=number)
    assert order.status == "paid"

    # The first page, reopened, takes no card: it says why and links to the order.
    stale = client.get(first_page)
    assert stale.status_code == 409
    assert f"Order {number} is already paid" in stale.content.decode()
    assert f'href="{order.get_absolute_url()}?t={order.access_token}"' in stale.content.decode()
    assert 'name="number"' not in stale.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(first_page, APPROVED).status_code == 409
    first = order.payments.get(reference=f"testcard-{number}")
    assert first.status == "failed"

    # A provider can still capture twice (two tabs, a late webhook): the money is recorded as taken,
    # the order is not paid again, and staff are told to refund it. A replay changes nothing more.
    caplog.clear()
    settings.SHOP_STAFF_EMAILS = ["orders@example.com"]
    with caplog.at_level(logging.WARNING, logger="orders.services.payments"):
        post(client, *event(first, "succeeded", "evt_second_capture"))
        post(client, *event(first, "succeeded", "evt_second_capture"))
    first.refresh_from_db()
    assert first.status == "succeeded" and first.failure_reason.startswith("Refund it: Duplicate payment")
    assert order.events.filter(to_status="paid").exclude(from_status="paid").count() == 1
    assert order.events.filter(note=f"Duplicate payment testcard-{number}: refund it").count() == 1
    warnings = [r.getMessage() for r in caplog.records if r.name == "orders.services.payments"]
    assert warnings == [f"Order {number}: Duplicate payment testcard-{number} of 11.73 GBP; refund it"]
    alert = Message.objects.get(event="payment_to_refund")  # once, though the event came twice
    assert (alert.channel, alert.recipient) == ("email", "orders@example.com")
    content = email_render(event=alert.event, context=alert.context, language="en")
    assert content.subject == f"Refund due: £11.73 taken for order {number}"
    assert f"testcard-{number}" in content.text and f"/admin/orders/order/{order.pk}/change/" in content.text
    order.refresh_from_db()
    assert (order.status, order.refunded_total) == ("paid", Decimal("0"))


def test_a_declined_card_then_the_approved_one_on_the_same_page_pays_the_order(
    client, django_capture_on_commit_callbacks
):
    order = placed_order(payment_method="testcard")
    page = reverse("orders:test_gateway", kwargs={"reference": order.payments.get().reference})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page, DECLINED)
        assert order.payments.get().status == "failed"
        assert client.get(page).status_code == 200
        client.post(page, APPROVED)
    order.refresh_from_db()
    assert order.status == "paid" and order.payments.get().status == "succeeded"
    assert order.payments.get().failure_reason == ""


def test_a_payment_page_replaced_by_a_newer_attempt_or_for_a_cancelled_order_takes_no_card(client):
    order = placed_order(payment_method="testcard")
    first = order.payments.get()
    Payment.objects.filter(pk=first.pk).update(status="failed")
    payment_retry(order=order)
    response = client.post(reverse("orders:test_gateway", kwargs={"reference": first.reference}), APPROVED)
    assert response.status_code == 409
    assert "replaced by a newer one" in response.content.decode()

    order_cancel(order=order, reason="Changed mind")
    latest = order.payments.latest("pk")
    response = client.get(reverse("orders:test_gateway", kwargs={"reference": latest.reference}))
    assert response.status_code == 409
    assert f"Order {order.number} is cancelled" in response.content.decode()


def test_the_same_payment_confirmed_by_two_events_is_not_a_duplicate(client):
    order = placed_order(payment_method="testcard")
    payment = order.payments.get()
    post(client, *event(payment, "succeeded", "evt_session_completed"))
    post(client, *event(payment, "succeeded", "evt_intent_succeeded"))
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("succeeded", "")
    assert order.events.filter(to_status="paid").exclude(from_status="paid").count() == 1
    assert not order.events.filter(note__contains="refund it").exists()


def test_a_payment_after_the_order_was_cancelled_is_flagged_for_a_refund(client):
    order = placed_order(payment_method="testcard")
    order_cancel(order=order, reason="Not paid in time")
    post(client, *event(order.payments.get(), "succeeded", "evt_late"))
    order.refresh_from_db()
    assert order.status == "cancelled" and order.paid_at is None
    assert order.payments.get().failure_reason.startswith("Refund it: ")
    assert order.events.filter(note__endswith="after cancellation: refund it").count() == 1


def test_staff_refund_a_duplicate_payment_and_the_order_stays_paid(client, staff_client):
    order = placed_order(payment_method="testcard")
    first = order.payments.get()
    Payment.objects.filter(pk=first.pk).update(status="failed")
    second = payment_retry(order=order)
    post(client, *event(second, "succeeded", "evt_paid"))
    post(client, *event(first, "succeeded", "evt_duplicate"))
    url = reverse("admin:orders_order_changelist")
    listed = staff_client.get(url, {"payment_to_refund": "yes"})
    assert order.number in listed.content.decode()

    response = staff_client.post(url, {"action": "refund_flagged_payments", "_selected_action": [order.pk]})

    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.refunded_amount) == ("refunded", first.amount)
    order.refresh_from_db()
    assert (order.status, order.refunded_total) == ("paid", Decimal("0"))
    assert order.events.filter(note__startswith=f"Refunded {first.amount} GBP of payment {first.reference}").exists()
    assert order.number not in staff_client.get(url, {"payment_to_refund": "yes"}).content.decode()
    again = staff_client.post(url, {"action": "refund_flagged_payments", "_selected_action": [order.pk]}, follow=True)
    assert "No payment of this order is waiting for a refund." in again.content.decode()
    # The order's own refund takes the payment that paid it, not the duplicate.
    order_refund(order=order, restock=False, reason="Returned")
    second.refresh_from_db()
    assert second.status == "refunded"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_payments_of_one_order_confirmed_at_the_same_moment_pay_it_once_and_flag_the_other():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    order = placed_order(payment_method="testcard")
    first = order.payments.get()
    Payment.objects.filter(pk=first.pk).update(status="failed")
    second = payment_retry(order=order)
    deliveries = [event(first, "succeeded", "evt_tab_1"), event(second, "succeeded", "evt_tab_2")]
    barrier = threading.Barrier(2)
    statuses = []

    def deliver(body: bytes, headers: dict[str, str]) -> None:
        barrier.wait()
        statuses.append(post(Client(), body, headers).status_code)
        connection.close()

    threads = [threading.Thread(target=deliver, args=delivery) for delivery in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200, 200]
    assert order.events.filter(to_status="paid").exclude(from_status="paid").count() == 1
    flagged = order.payments.filter(failure_reason__startswith="Refund it: Duplicate payment")
    assert flagged.count() == 1
    assert order.payments.filter(status="succeeded").count() == 2
