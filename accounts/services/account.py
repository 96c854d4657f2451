"""A customer's own data: the export they can download, and deleting the account.

What is kept when an account is deleted (docs/accounts.md): orders stay in the shop's books (tax
and accounting law make the shop keep a record of each sale), detached from the account, with the
contact details the books do not need erased. Everything else about the customer goes.
"""

import uuid
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.exceptions import AccountHasOpenOrders
from accounts.models import User
from accounts.selectors import address_list

EXPORT_FORMAT = "pasar-account-export/1"
# Orders in these states are still on their way: the shop must be able to reach the customer.
OPEN_ORDER_STATUSES = ("awaiting_payment", "paid", "processing", "shipped")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def account_export(*, user: User) -> dict[str, Any]:
    """Everything the shop holds about the customer, as JSON-ready data: profile, e-mail
    addresses, address book, orders with their lines and status history, recent searches,
    notification choices and registered devices. Money as strings with the currency; times in ISO 8601 with zone.
    Read-only; a fixed number of queries whatever the amount of data."""
    from catalog.search.models import RecentSearch
    from notifications.models import Device, Preference, Profile
    from orders.models import Order

    orders = Order.objects.filter(user=user).prefetch_related("lines", "events").order_by("placed_at", "pk")
    notification_profile = Profile.objects.filter(user=user).first()
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "profile": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "addresses": [
            {
                "name": a.name,
                "line1": a.line1,
                "line2": a.line2,
                "city": a.city,
                "postcode": a.postcode,
                "country": a.country,
                "phone": a.phone,
                "is_default": a.is_default,
                "created_at": _iso(a.created_at),
            }
            for a in address_list(user=user)
        ],
        "orders": [
            {
                "number": o.number,
                "placed_at": _iso(o.placed_at),
                "paid_at": _iso(o.paid_at),
                "status": o.status,
                "email": o.email,
                "currency": o.currency,
                "subtotal": str(o.subtotal),
                "shipping_total": str(o.shipping_total),
                "tax_total": str(o.tax_total),
                "total": str(o.total),
                "refunded_total": str(o.refunded_total),
                "shipping_method": o.shipping_method_name,
                "payment_method": o.payment_method,
                "shipping_address": {
                    "name": o.ship_name,
                    "line1": o.ship_line1,
                    "line2": o.ship_line2,
                    "city": o.ship_city,
                    "postcode": o.ship_postcode,
                    "country": o.ship_country,
                    "phone": o.ship_phone,
                },
                "carrier": o.carrier,
                "tracking_number": o.tracking_number,
                "lines": [
                    {
                        "product": line.product_title,
                        "variant": line.variant_name,
                        "sku": line.sku,
                        "quantity": line.quantity,
                        "unit_price": str(line.unit_price),
                        "line_total": str(line.line_total),
                    }
                    for line in o.lines.all()
                ],
                "status_history": [
                    {"from": e.from_status, "to": e.to_status, "at": _iso(e.created_at)} for e in o.events.all()
                ],
            }
            for o in orders
        ],
        "recent_searches": [
            {"query": r.query, "searched_at": _iso(r.searched_at)}
            for r in RecentSearch.objects.filter(user=user).order_by("-searched_at", "-pk")
        ],
        "notifications": {
            "sms_number": notification_profile.phone.as_e164
            if notification_profile and notification_profile.phone
            else "",
            "language": notification_profile.language if notification_profile else "",
            "preferences": [
                {"kind": p.kind, "channel": p.channel, "enabled": p.enabled}
                for p in Preference.objects.filter(user=user).order_by("kind", "channel")
            ],
            "devices": [
                {"platform": d.platform, "active": d.is_active, "registered_at": _iso(d.created_at)}
                for d in Device.objects.filter(user=user).order_by("created_at", "pk")
            ],
        },
    }


def account_delete(*, user: User) -> None:
    """Delete the customer's account for good, in one transaction.

    Refused with AccountHasOpenOrders while an order is awaiting payment, paid, processing or
    shipped. Finished orders are kept for the shop's books, detached from the account: their
    e-mail becomes an address on the reserved .invalid domain, the phone number is cleared and the
    guest link (access token) stops working; the name and delivery address stay on the order as
    the record of the sale. The account, its e-mail addresses, address book, carts, notification
    choices, devices and recent searches are deleted (their foreign keys cascade). Sessions and app
    tokens of the account stop working because their user no longer exists; the caller signs the
    current session out."""
    from orders.models import Order

    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
        open_numbers = list(
            Order.objects.filter(user=user, status__in=OPEN_ORDER_STATUSES)
            .order_by("placed_at")
            .values_list("number", flat=True)
        )
        if open_numbers:
            raise AccountHasOpenOrders(open_numbers)
        for order in Order.objects.filter(user=user).only("pk", "number"):
            # One UPDATE per order (a new token and an address each); orders of one customer are few.
            Order.objects.filter(pk=order.pk).update(
                user=None,
                email=f"erased-{order.number.lower()}@erased.invalid",
                ship_phone="",
                access_token=uuid.uuid4(),
            )
        user.delete()
