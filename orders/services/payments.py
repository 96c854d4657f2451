"""Payments: what providers report (the webhook is the source of truth), refunds, reconciliation."""

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from orders.backends.base import PaymentOutcome
from orders.exceptions import PaymentError
from orders.models import Order, OrderEvent, Payment, WebhookEvent
from orders.payments import payment_backend, payment_backends
from orders.services import status

logger = logging.getLogger(__name__)

# Payment statuses that mean the provider took the money (some may have gone back since).
TAKEN = (Payment.Status.SUCCEEDED, Payment.Status.PARTLY_REFUNDED, Payment.Status.REFUNDED)
# Written into failure_reason of a payment that succeeded but must be refunded: it shows in the
# order's payments in admin, and payments_to_refund finds it.
REFUND_FLAG = "Refund it: "


def _payment_flag(*, payment: Payment, order: Order, note: str) -> None:
    """Record a payment whose money must go back: on the payment, in the order's history, in the
    log (a warning that monitoring picks up), and in an e-mail to the staff (SHOP_STAFF_EMAILS),
    queued with the change. Never changes the order's status."""
    payment.failure_reason = f"{REFUND_FLAG}{note}"[:255]
    payment.save(update_fields=["failure_reason", "updated_at"])
    OrderEvent.objects.create(
        order=order, from_status=order.status, to_status=order.status, note=f"{note}: refund it"[:255]
    )
    logger.warning("Order %s: %s of %s %s; refund it", order.number, note, payment.amount, payment.currency)
    from notifications.services import notify_staff

    notify_staff(
        event="payment_to_refund",
        context={
            "order": {"number": order.number},
            "payment": {
                "reference": payment.reference,
                "method": payment.method,
                "amount": str(payment.amount),
                "currency": payment.currency,
                "note": note,
                "admin_url": settings.SHOP_URL.rstrip("/") + reverse("admin:orders_order_change", args=[order.pk]),
            },
        },
        dedupe_key=f"payment_to_refund:{payment.reference}",
    )


def payments_to_refund(*, order: Order) -> list[Payment]:
    """The order's payments that were taken but flagged for a refund (duplicates, or paid after
    the order was cancelled) and not refunded yet."""
    return list(
        order.payments.filter(
            status__in=[Payment.Status.SUCCEEDED, Payment.Status.PARTLY_REFUNDED],
            failure_reason__startswith=REFUND_FLAG,
        )
    )


def payment_outcome_apply(*, provider: str, outcome: PaymentOutcome, payload: dict[str, object]) -> bool:
    """Apply a verified provider event once. Replays and out-of-order deliveries are safe: each
    event id is recorded in the same transaction as its effect, and a success after a failure (or
    the other way round) ends with the order paid if any success arrived.

    Kinds other than "succeeded" and "failed" (a backend's "pending" or "ignored") are recorded
    and otherwise left alone. Returns False for an event already processed.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(
                    provider=provider, event_id=outcome.event_id, kind=outcome.kind, payload=payload
                )
        except IntegrityError:
            return False
        if outcome.kind not in ("succeeded", "failed"):
            return True
        payment = Payment.objects.select_for_update().filter(method=provider, reference=outcome.reference).first()
        if payment is None:
            # Recorded (so a replay is a no-op) but matching nothing: reconciliation reports it.
            logger.error("Payment event %s for unknown reference %s", outcome.event_id, outcome.reference)
            return True
        if outcome.kind == "succeeded":
            if outcome.amount != payment.amount or outcome.currency != payment.currency:
                payment.failure_reason = (
                    f"Paid {outcome.amount} {outcome.currency}, expected {payment.amount} {payment.currency}"
                )
                payment.save(update_fields=["failure_reason", "updated_at"])
                logger.error("Payment %s amount mismatch: %s", payment.reference, payment.failure_reason)
                return True
            newly_succeeded = payment.status in (Payment.Status.PENDING, Payment.Status.FAILED)
            if newly_succeeded:  # a decline then a retry on the same payment is fine; never undo a refund
                payment.status = Payment.Status.SUCCEEDED
                payment.failure_reason = ""
                payment.save(update_fields=["status", "failure_reason", "updated_at"])
            # Lock the order too (always after the payment, as order_mark_paid does), so that two
            # payments of one order confirmed at the same time are applied one after the other.
            order = Order.objects.select_for_update().get(pk=payment.order_id)
            if order.status == Order.Status.CANCELLED:
                if not newly_succeeded:
                    return True  # already flagged, or refunded with the order
                # Paid after the deadline cancelled it: the money must go back. Staff see it.
                _payment_flag(payment=payment, order=order, note=f"Payment {payment.reference} after cancellation")
                return True
            other = order.payments.exclude(pk=payment.pk).filter(status__in=TAKEN).first()
            if newly_succeeded and other is not None:
                # A second capture (two tabs, a late webhook): the money was taken, so the payment
                # is recorded as it is, but the order is paid once and staff refund this one.
                _payment_flag(payment=payment, order=order, note=f"Duplicate payment {payment.reference}")
                return True
            status.order_mark_paid(order=order, note=f"Paid by {payment_backend(provider).name}")
        elif outcome.kind == "failed" and payment.status == Payment.Status.PENDING:
            payment.status = Payment.Status.FAILED
            payment.failure_reason = outcome.reason[:255]
            payment.save(update_fields=["status", "failure_reason", "updated_at"])
    return True


def payment_retry(*, order: Order) -> Payment:
    """A new attempt after a declined card: a fresh pending payment for the same order."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != Order.Status.AWAITING_PAYMENT:
            raise PaymentError(_("This order is not waiting for payment."))
        attempt = locked.payments.count() + 1
        return Payment.objects.create(
            order=locked,
            method=locked.payment_method,
            reference=f"{locked.payment_method}-{locked.number}-{attempt}",
            amount=locked.total,
            currency=locked.currency,
        )


def order_refund(
    *, order: Order, amount: Decimal | None = None, restock: bool = True, user: User | None = None, reason: str = ""
) -> Order:
    """Refund all (amount=None) or part of an order through its provider, then record it.

    The provider is called outside any transaction; the order is only changed once it agreed.
    """
    left = order.total - order.refunded_total
    amount = left if amount is None else amount
    if amount <= 0 or amount > left:
        raise PaymentError(_("You can refund between 0.01 and %(left)s.") % {"left": left})
    payment = (
        order.payments.filter(status__in=[Payment.Status.SUCCEEDED, Payment.Status.PARTLY_REFUNDED])
        .exclude(failure_reason__startswith=REFUND_FLAG)  # refunded on their own: payment_flagged_refund
        .first()
    )
    if payment is not None:
        payment_backend(payment.method).refund(payment=payment, amount=amount)
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            locked.refunded_amount += amount
            locked.status = (
                Payment.Status.REFUNDED if locked.refunded_amount >= locked.amount else Payment.Status.PARTLY_REFUNDED
            )
            locked.save(update_fields=["refunded_amount", "status", "updated_at"])
    elif order.paid_at is None:
        raise PaymentError(_("This order has not been paid, so there is nothing to refund: cancel it instead."))
    return status.order_refunded(order=order, amount=amount, restock=restock, user=user, reason=reason)


def payment_flagged_refund(*, payment: Payment, user: User | None = None) -> Payment:
    """Give back all that is left of a payment flagged for a refund (a duplicate, or paid after
    the order was cancelled). The order's status and totals stay as they are: it was paid once,
    or not at all. The provider is called outside any transaction."""
    if not payment.failure_reason.startswith(REFUND_FLAG) or payment.status not in (
        Payment.Status.SUCCEEDED,
        Payment.Status.PARTLY_REFUNDED,
    ):
        raise PaymentError(_("Payment %(reference)s is not waiting for a refund.") % {"reference": payment.reference})
    amount = payment.amount - payment.refunded_amount
    payment_backend(payment.method).refund(payment=payment, amount=amount)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("order").get(pk=payment.pk)
        locked.refunded_amount += amount
        locked.status = Payment.Status.REFUNDED
        locked.save(update_fields=["refunded_amount", "status", "updated_at"])
        order = locked.order
        OrderEvent.objects.create(
            order=order,
            from_status=order.status,
            to_status=order.status,
            user=user,
            note=f"Refunded {amount} {locked.currency} of payment {locked.reference}"[:255],
        )
    return locked


def orders_reconcile() -> dict[str, int]:
    """The periodic safety net: cancel online orders left unpaid past their method's deadline (and
    release their stock), and report payments that succeeded for an order that is not paid."""
    now = timezone.now()
    cancelled = 0
    for code, backend in payment_backends().items():
        if not backend.online:
            continue
        deadline = now - timedelta(minutes=backend.deadline_minutes)
        stale = Order.objects.filter(status=Order.Status.AWAITING_PAYMENT, payment_method=code, placed_at__lt=deadline)
        for order in stale:
            if order.payments.filter(status=Payment.Status.SUCCEEDED).exists():
                status.order_mark_paid(order=order, note="Payment found by reconciliation")
                continue
            status.order_cancel(order=order, reason="Not paid in time")
            cancelled += 1
    orphans = Payment.objects.filter(status=Payment.Status.SUCCEEDED).exclude(
        order__status__in=[s for s in Order.Status if s not in (Order.Status.AWAITING_PAYMENT, Order.Status.CANCELLED)]
    )
    orphan_count = 0
    for payment in orphans:
        orphan_count += 1
        logger.error(
            "Payment %s succeeded but order %s is %s", payment.reference, payment.order.number, payment.order.status
        )
        if payment.order.status == Order.Status.AWAITING_PAYMENT:
            status.order_mark_paid(order=payment.order, note="Payment found by reconciliation")
    return {"cancelled": cancelled, "paid_without_order": orphan_count}
