"""The order status machine. Only these functions change an order's status; each change is
recorded (who, when, why) and its e-mail queued, in the same transaction."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Product, StockAdjustment, Variant
from catalog.services import products_stock_changed
from orders.exceptions import InvalidTransition
from orders.models import Order, OrderEvent
from orders.notify import order_notify

S = Order.Status
TRANSITIONS: dict[str, set[str]] = {
    S.AWAITING_PAYMENT: {S.PAID, S.CANCELLED},
    S.PAID: {S.PROCESSING, S.SHIPPED, S.CANCELLED, S.REFUNDED, S.PARTLY_REFUNDED},
    S.PROCESSING: {S.SHIPPED, S.CANCELLED, S.REFUNDED, S.PARTLY_REFUNDED},
    S.SHIPPED: {S.DELIVERED, S.REFUNDED, S.PARTLY_REFUNDED},
    S.DELIVERED: {S.REFUNDED, S.PARTLY_REFUNDED},
    S.PARTLY_REFUNDED: {S.PROCESSING, S.SHIPPED, S.DELIVERED, S.REFUNDED, S.PARTLY_REFUNDED},
    S.CANCELLED: set(),
    S.REFUNDED: set(),
}
EVENTS = {
    S.PAID: "order_paid",
    S.SHIPPED: "order_shipped",
    S.CANCELLED: "order_cancelled",
    S.REFUNDED: "order_refunded",
}


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def _transition(order: Order, to: str, *, user: User | None, note: str) -> Order:
    """Change the status of an order locked by the caller, recorded and notified."""
    if to not in TRANSITIONS[order.status] and not (to == order.status == S.PARTLY_REFUNDED):
        raise InvalidTransition(
            _("An order that is %(current)s cannot become %(new)s.")
            % {"current": order.get_status_display().lower(), "new": S(to).label.lower()}
        )
    previous = order.status
    order.status = to
    order.save(update_fields=["status", "paid_at", "carrier", "tracking_number", "refunded_total"])
    OrderEvent.objects.create(order=order, from_status=previous, to_status=to, user=user, note=note[:255])
    if to in EVENTS:
        order_notify(order=order, event=EVENTS[S(to)], reason=note)
    return order


def _restock(order: Order, *, user: User | None, reason: str) -> None:
    """Put the order's units back on the shelf (cancelled before shipping, or refunded with return)."""
    returned: dict[int, int] = {}
    for line in order.lines.all():
        if line.variant_id is not None:
            returned[line.variant_id] = returned.get(line.variant_id, 0) + line.quantity
    variants = list(Variant.objects.select_for_update().filter(pk__in=returned).order_by("pk"))
    for variant in variants:
        Variant.objects.filter(pk=variant.pk).update(stock=F("stock") + returned[variant.pk])
    StockAdjustment.objects.bulk_create(
        StockAdjustment(
            variant=variant,
            delta=returned[variant.pk],
            quantity_after=variant.stock + returned[variant.pk],
            reason=StockAdjustment.Reason.RETURNED,
            user=user,
            note=f"{order.number}: {reason}"[:255],
        )
        for variant in variants
    )
    products_stock_changed(
        products=Product.objects.filter(variants__in=variants).only("pk", "slug").distinct(),
        changes=[(v.stock, v.stock + returned[v.pk]) for v in variants],
    )


def order_mark_paid(*, order: Order, user: User | None = None, note: str = "") -> Order:
    """Record that the money arrived. Awaiting-payment orders become paid; cash-on-delivery orders
    keep their status (they ship before they are paid) and just gain a payment date."""
    with transaction.atomic():
        locked = _locked(order)
        if locked.paid_at is not None:
            return locked
        locked.paid_at = timezone.now()
        if locked.status == S.AWAITING_PAYMENT:
            _transition(locked, S.PAID, user=user, note=note or "Payment received")
        elif locked.status in (S.PROCESSING, S.SHIPPED, S.DELIVERED):
            locked.save(update_fields=["paid_at"])
            OrderEvent.objects.create(
                order=locked, from_status=locked.status, to_status=locked.status, user=user, note="Payment received"
            )
        else:
            raise InvalidTransition(_("A %(status)s order cannot be paid.") % {"status": locked.get_status_display()})
    return locked


def order_process(*, order: Order, user: User | None = None) -> Order:
    with transaction.atomic():
        return _transition(_locked(order), S.PROCESSING, user=user, note="Being packed")


def order_ship(*, order: Order, carrier: str, tracking_number: str, user: User | None = None) -> Order:
    with transaction.atomic():
        locked = _locked(order)
        locked.carrier, locked.tracking_number = carrier, tracking_number
        return _transition(locked, S.SHIPPED, user=user, note=f"{carrier} {tracking_number}".strip())


def order_deliver(*, order: Order, user: User | None = None) -> Order:
    with transaction.atomic():
        return _transition(_locked(order), S.DELIVERED, user=user, note="Delivered")


def order_cancel(*, order: Order, reason: str, user: User | None = None) -> Order:
    """Cancel an order that has not shipped, and put its stock back. A paid order is refunded in
    full first (orders.services.payments.order_refund), which cancels it."""
    with transaction.atomic():
        locked = _locked(order)
        if locked.paid_at is not None and locked.status != S.CANCELLED:
            raise InvalidTransition(_("This order is paid: refund it instead, which also cancels it."))
        _transition(locked, S.CANCELLED, user=user, note=reason or "Cancelled")
        _restock(locked, user=user, reason=reason or "cancelled")
    return locked


def order_refunded(*, order: Order, amount: Decimal, restock: bool, user: User | None, reason: str) -> Order:
    """Record a refund that the provider has made (called by payments.order_refund)."""
    with transaction.atomic():
        locked = _locked(order)
        locked.refunded_total += amount
        full = locked.refunded_total >= locked.total
        shipped = locked.status in (S.SHIPPED, S.DELIVERED)
        if full and not shipped and locked.status != S.PARTLY_REFUNDED:
            target = S.CANCELLED if locked.status in (S.PAID, S.PROCESSING) else S.REFUNDED
        else:
            target = S.REFUNDED if full else S.PARTLY_REFUNDED
        _transition(locked, target, user=user, note=reason or f"Refunded {amount}")
        if target == S.CANCELLED:
            OrderEvent.objects.create(
                order=locked, from_status=S.CANCELLED, to_status=S.CANCELLED, user=user, note=f"Refunded {amount}"
            )
        if restock:
            _restock(locked, user=user, reason=reason or "refunded")
    return locked
