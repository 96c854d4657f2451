"""Order e-mails, through the notifications app's outbox (written in the caller's transaction,
delivered after commit)."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from orders.models import Order, OrderLine
from orders.payments import order_transfer_details, payment_backends

STAFF_EVENTS = {"order_placed", "order_paid", "order_cancelled", "order_refunded"}


def order_context(*, order: Order, lines: Iterable[OrderLine] | None = None) -> dict[str, Any]:
    backend = payment_backends().get(order.payment_method)
    site = settings.SHOP_URL.rstrip("/")
    return {
        "order": {
            "number": order.number,
            "url": f"{site}{order.get_absolute_url()}?t={order.access_token}",
            "status": order.status,
            "currency": order.currency,
            "lines": [
                {
                    "title": line.product_title + (f" ({line.variant_name})" if line.variant_name else ""),
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "line_total": str(line.line_total),
                }
                for line in (order.lines.all() if lines is None else lines)
            ],
            "subtotal": str(order.subtotal),
            "shipping": str(order.shipping_total),
            "tax": str(order.tax_total),
            "total": str(order.total),
            "payment_method": backend.name if backend else order.payment_method,
            "transfer_to": order_transfer_details(order),
            "shipping_method": order.shipping_method_name,
            "shipping_address": {
                "name": order.ship_name,
                "line1": order.ship_line1,
                "line2": order.ship_line2,
                "city": order.ship_city,
                "postcode": order.ship_postcode,
                "country": order.ship_country,
            },
            "carrier": order.carrier,
            "tracking_number": order.tracking_number,
            "reason": "",
        }
    }


def order_notify(*, order: Order, event: str, reason: str = "", lines: Iterable[OrderLine] | None = None) -> None:
    """Queue the shopper's e-mail for an order event, and the staff's for the events they follow.
    Each is sent once per order and event, however often this is called."""
    from notifications.services import notify, notify_staff

    context = order_context(order=order, lines=lines)
    context["order"]["reason"] = reason
    key = f"{event}:{order.number}"
    guest_email = order.email if order.user is None else None
    notify(event=event, context=context, dedupe_key=key, user=order.user, email=guest_email, language=order.language)
    if event in STAFF_EVENTS:
        notify_staff(event=event, context=context, dedupe_key=key)
