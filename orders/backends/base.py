"""The payment backend interface: one class per way to pay, chosen in settings.PAYMENT_BACKENDS.

A backend never changes an order itself; it talks to its provider and reports what happened, and
orders.services.payments turns that into order changes. No method is called while a database lock
is held.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from django.http import HttpRequest

from orders.models import Payment


@dataclass(frozen=True)
class PaymentOutcome:
    """What a provider said about a payment, from a webhook or a redirect back."""

    event_id: str
    kind: str  # "succeeded", "failed" or "refunded"
    reference: str
    amount: Decimal
    currency: str
    reason: str = ""


class PaymentBackend:
    code: ClassVar[str]
    name: ClassVar[str]
    # Online methods are paid before the order is processed; the others ship first.
    online: ClassVar[bool] = True
    # How long an online payment may stay unfinished before the order is cancelled.
    deadline_minutes: ClassVar[int] = 60

    def __init__(self, **options: object) -> None:
        self.options = options

    def transfer_details(self, *, reference: str) -> dict[str, str] | None:
        """Where the shopper sends the money themselves (a bank transfer), with the reference to
        quote; None for methods that take the money some other way."""
        return None

    def start(self, *, payment: Payment, request: HttpRequest) -> str | None:
        """Begin paying; return the URL to send the shopper to, or None to show the order."""
        return None

    def refund(self, *, payment: Payment, amount: Decimal) -> None:
        """Return money to the shopper through the provider; raise PaymentError if it refuses."""

    def webhook_parse(self, *, body: bytes, headers: dict[str, str]) -> PaymentOutcome:
        """Verify a webhook's signature and read it; raise WebhookRejected if it is not genuine."""
        from orders.exceptions import WebhookRejected

        raise WebhookRejected(f"{self.name} sends no webhooks.")
