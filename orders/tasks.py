"""Celery tasks: thin, take ids, call a service."""

import time
import uuid

from celery import shared_task
from django.test import Client

from orders.backends.testgateway import SIGNATURE_HEADER, TestCardPaymentBackend
from orders.models import Payment
from orders.payments import payment_backend
from orders.services.payments import orders_reconcile


@shared_task
def orders_reconcile_task() -> dict[str, int]:
    return orders_reconcile()


@shared_task(bind=True, max_retries=5)
def test_gateway_webhook_send(self, payment_id: int, kind: str, reason: str = "") -> None:  # type: ignore[no-untyped-def]
    """Play the test card provider: post its signed webhook to the shop, as a provider would."""
    payment = Payment.objects.get(pk=payment_id)
    backend = payment_backend(payment.method)
    assert isinstance(backend, TestCardPaymentBackend)
    body = backend.webhook_body(
        event_id=f"evt_{uuid.uuid4().hex}", kind=kind, payment=payment, amount=payment.amount, reason=reason
    )
    response = Client().post(
        "/payments/webhooks/testcard/",
        body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: backend.sign(body, int(time.time()))},
    )
    if response.status_code >= 500:
        raise self.retry(countdown=2**self.request.retries)
