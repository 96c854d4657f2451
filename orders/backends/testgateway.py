"""A card gateway for the demo and the tests that behaves like a real asynchronous provider.

The shopper is sent to its hosted payment page (served by Pasar under /pay/test/), enters a card
number and is sent back; the result arrives separately, as an HMAC-signed webhook that the gateway
posts later (a Celery task), just as Stripe or Adyen confirm a payment. Cards: 4242 4242 4242 4242
is approved, 4000 0000 0000 0002 is declined, anything else is refused as invalid.
"""

import hashlib
import hmac
import json
import time
from decimal import Decimal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from orders.backends.base import PaymentBackend, PaymentOutcome
from orders.exceptions import PaymentError, WebhookRejected
from orders.models import Order, Payment

APPROVED_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
SIGNATURE_HEADER = "X-Test-Gateway-Signature"
TOLERANCE_SECONDS = 300


def signature_for(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class TestCardPaymentBackend(PaymentBackend):
    code = "testcard"
    name = gettext_noop("Card (test gateway)")
    deadline_minutes = 30

    @property
    def secret(self) -> str:
        return str(self.options["secret"])

    def start(self, *, payment: Payment, request: HttpRequest) -> str | None:
        return reverse("orders:test_gateway", kwargs={"reference": payment.reference})

    def refusal(self, *, payment: Payment) -> str:
        """Why the hosted page takes no card for this payment, or "" if it does. Like a real
        gateway's checkout session, a payment link works while its order awaits payment and it is
        the order's latest attempt; a declined card may be followed by another on the same page."""
        order = payment.order
        if order.status != Order.Status.AWAITING_PAYMENT:
            if order.paid_at is not None:
                return _("Order %(number)s is already paid: nothing more to pay.") % {"number": order.number}
            return _("Order %(number)s is %(status)s: it can no longer be paid.") % {
                "number": order.number,
                "status": order.get_status_display().lower(),
            }
        if payment.status not in (Payment.Status.PENDING, Payment.Status.FAILED):
            return _("This payment has already been made.")
        if order.payments.filter(pk__gt=payment.pk).exists():
            return _("This payment link has been replaced by a newer one: pay from your order's page.")
        return ""

    def webhook_body(self, *, event_id: str, kind: str, payment: Payment, amount: Decimal, reason: str = "") -> bytes:
        return json.dumps(
            {
                "id": event_id,
                "type": kind,
                "reference": payment.reference,
                "amount": str(amount),
                "currency": payment.currency,
                "reason": reason,
            }
        ).encode()

    def sign(self, body: bytes, timestamp: int | None = None) -> str:
        return signature_for(self.secret, int(time.time()) if timestamp is None else timestamp, body)

    def refund(self, *, payment: Payment, amount: Decimal) -> None:
        if amount <= 0 or amount > payment.amount - payment.refunded_amount:
            raise PaymentError(f"Cannot refund {amount}: at most {payment.amount - payment.refunded_amount} is left.")

    def webhook_parse(self, *, body: bytes, headers: dict[str, str]) -> PaymentOutcome:
        header = headers.get(SIGNATURE_HEADER, "")
        try:
            fields = dict(part.split("=", 1) for part in header.split(","))
            timestamp = int(fields["t"])
        except (ValueError, KeyError):
            raise WebhookRejected("Missing or malformed signature.") from None
        if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
            raise WebhookRejected("Signature timestamp is too old.")
        if not hmac.compare_digest(signature_for(self.secret, timestamp, body), header):
            raise WebhookRejected("Signature does not match.")
        try:
            data = json.loads(body)
            return PaymentOutcome(
                event_id=str(data["id"]),
                kind=str(data["type"]),
                reference=str(data["reference"]),
                amount=Decimal(str(data["amount"])),
                currency=str(data["currency"]),
                reason=str(data.get("reason", "")),
            )
        except (ValueError, KeyError, ArithmeticError):
            raise WebhookRejected("Malformed event.") from None
