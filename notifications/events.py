"""What the shop notifies people about, and which channels each kind of message may use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PUSH = "push", _("Push notification")


class Kind(models.TextChoices):
    """What a customer chooses channels for."""

    ORDERS = "orders", _("Order updates")
    ACCOUNT = "account", _("Account and security")
    STOCK_ALERTS = "stock_alerts", _("Back-in-stock alerts")
    MARKETING = "marketing", _("Offers and news")
    STAFF = "staff", _("Staff alerts")


class Event(models.TextChoices):
    ORDER_PLACED = "order_placed", _("Order placed")
    ORDER_PAID = "order_paid", _("Order paid")
    ORDER_SHIPPED = "order_shipped", _("Order shipped")
    ORDER_CANCELLED = "order_cancelled", _("Order cancelled")
    ORDER_REFUNDED = "order_refunded", _("Order refunded")
    ACCOUNT_VERIFICATION = "account_verification", _("Account verification")
    PASSWORD_RESET = "password_reset", _("Password reset")
    BACK_IN_STOCK = "back_in_stock", _("Back in stock")
    LOW_STOCK = "low_stock", _("Low stock (staff)")
    PAYMENT_TO_REFUND = "payment_to_refund", _("Payment to refund (staff)")
    CAMPAIGN = "campaign", _("Campaign")


EVENT_KINDS: dict[str, Kind] = {
    Event.ORDER_PLACED: Kind.ORDERS,
    Event.ORDER_PAID: Kind.ORDERS,
    Event.ORDER_SHIPPED: Kind.ORDERS,
    Event.ORDER_CANCELLED: Kind.ORDERS,
    Event.ORDER_REFUNDED: Kind.ORDERS,
    Event.ACCOUNT_VERIFICATION: Kind.ACCOUNT,
    Event.PASSWORD_RESET: Kind.ACCOUNT,
    Event.BACK_IN_STOCK: Kind.STOCK_ALERTS,
    Event.LOW_STOCK: Kind.STAFF,
    Event.PAYMENT_TO_REFUND: Kind.STAFF,
    Event.CAMPAIGN: Kind.MARKETING,
}

# The channels a customer may choose for each kind, and whether each is on before they choose.
# Marketing is opt-in on every channel. Account messages carry sign-in links, so they go by e-mail
# only (a link in an SMS or on a lock screen is easier to intercept).
KIND_CHANNEL_DEFAULTS: dict[Kind, dict[Channel, bool]] = {
    Kind.ORDERS: {Channel.EMAIL: True, Channel.SMS: False, Channel.PUSH: True},
    Kind.ACCOUNT: {Channel.EMAIL: True},
    Kind.STOCK_ALERTS: {Channel.EMAIL: True, Channel.SMS: False, Channel.PUSH: True},
    Kind.MARKETING: {Channel.EMAIL: False, Channel.SMS: False, Channel.PUSH: False},
}

# Transactional e-mail cannot be turned off: it is how a customer learns what happened to an
# order or their account.
ALWAYS_ON: frozenset[tuple[Kind, Channel]] = frozenset(
    {(Kind.ORDERS, Channel.EMAIL), (Kind.ACCOUNT, Channel.EMAIL), (Kind.STOCK_ALERTS, Channel.EMAIL)}
)

# The events other code may raise through notify() (campaigns are sent by the campaign services).
CUSTOMER_EVENTS = frozenset(e for e, kind in EVENT_KINDS.items() if kind not in (Kind.STAFF, Kind.MARKETING))
STAFF_EVENTS = frozenset(Event) - {Event.CAMPAIGN}


def event_kind(event: str) -> Kind:
    return EVENT_KINDS[event]


def channel_allowed_by_default(kind: Kind, channel: Channel) -> bool:
    return KIND_CHANNEL_DEFAULTS.get(kind, {}).get(channel, False)
