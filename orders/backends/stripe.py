"""Stripe, through Stripe Checkout: Stripe's hosted payment page, so the shop needs no Stripe.js.

start() creates a Checkout Session in payment mode (Stripe makes the PaymentIntent behind it) and
sends the shopper there; Stripe sends them back to the order page. Whether or not they come back,
Stripe's signed webhooks say what happened, and they alone change the payment (see
orders.services.payments). refund() refunds the PaymentIntent.

Amounts cross the API as integers in the currency's minor units, never floats. Every call to Stripe
carries an Idempotency-Key, so a retried call never creates a second session or refund, and none is
made while a database lock is held (the callers make sure of that).
"""

import logging
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

import stripe
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from stripe.params.checkout import SessionCreateParams, SessionCreateParamsLineItem

from orders.backends.base import PaymentBackend, PaymentOutcome
from orders.exceptions import PaymentError, WebhookRejected
from orders.models import Payment, WebhookEvent
from shop.money import currency_places

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Stripe-Signature"
# Our keys in the metadata of each Checkout Session and PaymentIntent.
REFERENCE_KEY = "pasar_reference"
ORDER_KEY = "pasar_order"
# Stripe's API keeps ISK two-decimal (charges must be whole krónur) although CLDR has it zero-decimal.
STRIPE_DECIMALS = {"ISK": 2}
# Seconds to wait for Stripe; connection errors and 5xx answers are retried with the same key.
TIMEOUT_SECONDS = 30
NETWORK_RETRIES = 2
# A Checkout Session may live from 30 minutes to 24 hours after it is created.
SESSION_MINUTES_MIN = 31
SESSION_MINUTES_MAX = 24 * 60
LINE_ITEMS_MAX = 100
# The languages Stripe Checkout speaks, found by Django's lower-case language code.
_CHECKOUT_LOCALE_NAMES = (
    "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil", "fr", "fr-CA", "hi-IN",
    "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru",
    "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
)  # fmt: skip
CHECKOUT_LOCALES = {locale.lower(): locale for locale in _CHECKOUT_LOCALE_NAMES}


def _decimals(currency: str) -> int:
    return STRIPE_DECIMALS.get(currency.upper(), currency_places(currency.upper()))


def minor_units(amount: Decimal, currency: str) -> int:
    """An amount as Stripe takes it: an integer count of the currency's minor unit (pence, sen)."""
    scaled = amount.scaleb(_decimals(currency))
    if scaled != scaled.to_integral_value():
        raise PaymentError(
            _("%(amount)s %(currency)s cannot be paid: it has more decimals than the currency allows.")
            % {"amount": amount, "currency": currency.upper()}
        )
    return int(scaled)


def from_minor_units(value: object, currency: str) -> Decimal:
    """Stripe's integer amount back as a Decimal in the currency's major unit."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"Not an amount: {value!r}")
    return Decimal(value).scaleb(-_decimals(currency))


def _stripe_message(error: stripe.StripeError) -> str:
    return error.user_message or _("no reason given")


class StripePaymentBackend(PaymentBackend):
    code = "stripe"
    name = gettext_noop("Card (Stripe)")
    deadline_minutes = 60

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        missing = [option for option in ("secret_key", "webhook_secret") if not options.get(option)]
        if missing:
            raise ImproperlyConfigured(
                "The Stripe payment method needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET "
                f"(missing: {', '.join(missing)}); see docs/payments.md."
            )

    @cached_property
    def client(self) -> stripe.StripeClient:
        api_base = str(self.options.get("api_base") or "")
        return stripe.StripeClient(
            str(self.options["secret_key"]),
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=NETWORK_RETRIES,
            http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        )

    # Paying --------------------------------------------------------------------------------------

    def start(self, *, payment: Payment, request: HttpRequest) -> str | None:
        """Create the Checkout Session and return its URL.

        The parameters depend only on the payment (not on the shopper's current language, nor on
        the time while the session's lifetime allows), and the Idempotency-Key is the payment's
        reference: Stripe answers a retried start with the session it already made, never a second.
        A refusal is logged with Stripe's detail and raised as PaymentError fit for the shopper.
        """
        order = payment.order
        back = request.build_absolute_uri(f"{order.get_absolute_url()}?t={order.access_token}")
        metadata = {REFERENCE_KEY: payment.reference, ORDER_KEY: order.number}
        language = order.language.lower()
        with translation.override(order.language):
            params: SessionCreateParams = {
                "mode": "payment",
                "line_items": self._line_items(payment),
                "client_reference_id": payment.reference,
                "customer_email": order.email,
                "metadata": metadata,
                "payment_intent_data": {
                    "metadata": metadata,
                    "description": _("Order %(number)s") % {"number": order.number},
                },
                "success_url": back,
                "cancel_url": back,
                "expires_at": self._expires_at(payment),
                # Paid in the order's currency, or the webhook's amount would not match the order.
                "adaptive_pricing": {"enabled": False},
                "locale": CHECKOUT_LOCALES.get(language) or CHECKOUT_LOCALES.get(language.split("-")[0], "auto"),
            }
        try:
            session = self.client.v1.checkout.sessions.create(
                params, {"idempotency_key": f"pasar-checkout-{payment.reference}"}
            )
        except stripe.StripeError as error:
            logger.error("Stripe refused a Checkout Session for %s: %r", payment.reference, error)
            raise PaymentError(
                _("Card payment is unavailable right now and nothing was charged. Please try again in a moment.")
            ) from error
        if not session.url:
            raise PaymentError(_("Stripe did not return a payment page. Nothing was charged; please try again."))
        return session.url

    def _line_items(self, payment: Payment) -> list[SessionCreateParamsLineItem]:
        """The order's lines and delivery, as the shopper will see them on Stripe's page; or one
        line for the whole amount when the itemised lines would not add up to it exactly."""
        order = payment.order
        currency = payment.currency
        whole = [(_("Order %(number)s") % {"number": order.number}, minor_units(payment.amount, currency), 1)]
        lines = whole
        if payment.amount == order.total:
            try:
                itemised = [
                    (f"{line.product_title} ({line.variant_name})" if line.variant_name else line.product_title,
                     minor_units(line.unit_price, currency), line.quantity)
                    for line in order.lines.all()
                ]  # fmt: skip
                if order.shipping_total:
                    delivery = _("Delivery: %(method)s") % {"method": order.shipping_method_name}
                    itemised.append((delivery, minor_units(order.shipping_total, currency), 1))
            except PaymentError:  # a unit price finer than the currency's minor unit
                itemised = []
            if (
                0 < len(itemised) <= LINE_ITEMS_MAX
                and sum(unit * quantity for _name, unit, quantity in itemised) == whole[0][1]
            ):
                lines = itemised
        return [
            {
                "quantity": quantity,
                "price_data": {"currency": currency.lower(), "unit_amount": unit, "product_data": {"name": name}},
            }
            for name, unit, quantity in lines
        ]

    def _expires_at(self, payment: Payment) -> int:
        """The session closes when the order's payment deadline passes, so Stripe takes no money for
        an order that reconciliation is about to cancel; within the 30 minutes to 24 hours Stripe allows."""
        minutes = min(max(self.deadline_minutes, SESSION_MINUTES_MIN), SESSION_MINUTES_MAX)
        earliest = timezone.now() + timedelta(minutes=SESSION_MINUTES_MIN)
        return int(max(payment.created_at + timedelta(minutes=minutes), earliest).timestamp())

    # Webhooks ------------------------------------------------------------------------------------

    def webhook_parse(self, *, body: bytes, headers: dict[str, str]) -> PaymentOutcome:
        """Verify the Stripe-Signature header with the endpoint's secret and read the event.

        Succeeded: checkout.session.completed and checkout.session.async_payment_succeeded when the
        session is paid, payment_intent.succeeded. Failed: payment_intent.payment_failed,
        checkout.session.async_payment_failed, checkout.session.expired. A session completed but
        not yet paid (a bank debit on its way) is "pending", and any other event type "ignored":
        both are acknowledged and change nothing.
        """
        signature = next((value for key, value in headers.items() if key.lower() == SIGNATURE_HEADER.lower()), None)
        try:
            event = self.client.construct_event(body, signature, str(self.options["webhook_secret"]))
        except stripe.SignatureVerificationError:
            raise WebhookRejected(_("Stripe signature verification failed.")) from None
        except ValueError:  # not UTF-8 or not JSON, though correctly signed
            raise WebhookRejected(_("Malformed event.")) from None
        try:
            return self._outcome(event.to_dict())
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
            raise WebhookRejected(_("Malformed event.")) from None

    def _outcome(self, event: dict[str, Any]) -> PaymentOutcome:
        event_type = str(event["type"])
        data = event["data"]["object"]
        metadata = data.get("metadata") or {}
        reference = str(metadata.get(REFERENCE_KEY) or data.get("client_reference_id") or "")
        currency = str(data.get("currency") or "").upper()
        reason = ""
        if event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            kind, amount_field = ("succeeded" if data["payment_status"] == "paid" else "pending"), "amount_total"
        elif event_type == "payment_intent.succeeded":
            kind, amount_field = "succeeded", "amount_received"
        elif event_type == "payment_intent.payment_failed":
            kind, amount_field = "failed", "amount"
            reason = (data.get("last_payment_error") or {}).get("message") or _("The payment was declined.")
        elif event_type == "checkout.session.async_payment_failed":
            kind, amount_field = "failed", "amount_total"
            reason = _("The bank did not confirm the payment.")
        elif event_type == "checkout.session.expired":
            kind, amount_field = "failed", "amount_total"
            reason = _("The payment page expired before anything was paid.")
        else:
            kind, amount_field = "ignored", ""
        amount = from_minor_units(data[amount_field], currency) if amount_field else Decimal(0)
        return PaymentOutcome(
            event_id=str(event["id"]),
            kind=kind,
            reference=reference,
            amount=amount,
            currency=currency,
            reason=str(reason),
        )

    # Refunds -------------------------------------------------------------------------------------

    def refund(self, *, payment: Payment, amount: Decimal) -> None:
        """Refund part or all of the payment's PaymentIntent.

        The Idempotency-Key names the amount already refunded and this amount: a refund retried
        after a lost answer is made once, and a second refund of the same amount is a new one.
        """
        left = payment.amount - payment.refunded_amount
        if amount <= 0 or amount > left:
            raise PaymentError(
                _("Cannot refund %(amount)s: at most %(left)s is left.") % {"amount": amount, "left": left}
            )
        intent = self._payment_intent_id(payment)
        key = "-".join(
            [
                "pasar-refund",
                payment.reference,
                str(minor_units(payment.refunded_amount, payment.currency)),
                str(minor_units(amount, payment.currency)),
            ]
        )
        try:
            refund = self.client.v1.refunds.create(
                {
                    "payment_intent": intent,
                    "amount": minor_units(amount, payment.currency),
                    "metadata": {REFERENCE_KEY: payment.reference, ORDER_KEY: payment.order.number},
                },
                {"idempotency_key": key},
            )
        except stripe.StripeError as error:
            logger.error("Stripe refused a refund of %s on %s: %r", amount, payment.reference, error)
            raise PaymentError(
                _("Stripe refused the refund: %(message)s") % {"message": _stripe_message(error)}
            ) from error
        if refund.status in ("failed", "canceled"):
            raise PaymentError(_("Stripe could not make the refund (status %(status)s).") % {"status": refund.status})

    def _payment_intent_id(self, payment: Payment) -> str:
        """The PaymentIntent behind our reference: Stripe's search by our metadata, or, while the
        search index lags (up to a minute) or where search is not offered, the recorded webhook."""
        escaped = payment.reference.replace("\\", "\\\\").replace("'", "\\'")
        try:
            found = self.client.v1.payment_intents.search(
                {"query": f"metadata['{REFERENCE_KEY}']:'{escaped}'", "limit": 10}
            )
        except stripe.StripeError as error:
            logger.warning("Stripe search for %s failed: %r", payment.reference, error)
        else:
            for intent in found.data:
                if intent.status == "succeeded":
                    return intent.id
        recorded = WebhookEvent.objects.filter(
            provider=payment.method,
            kind="succeeded",
            **{f"payload__data__object__metadata__{REFERENCE_KEY}": payment.reference},
        ).order_by("pk")
        for payload in recorded.values_list("payload", flat=True):
            data = payload["data"]["object"]
            intent_id = data.get("payment_intent") if data.get("object") == "checkout.session" else data.get("id")
            if isinstance(intent_id, str) and intent_id.startswith("pi_"):
                return intent_id
        raise PaymentError(
            _("Stripe has no successful payment for %(reference)s to refund.") % {"reference": payment.reference}
        )
