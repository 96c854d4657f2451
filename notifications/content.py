"""The short texts of each event: e-mail subjects, SMS and push notifications.

Each is a translatable format string, filled in with the event's context in the recipient's
language. The e-mail bodies are templates in templates/notifications/email/.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from notifications.events import Event
from shop.money import money_format


def _fields(context: dict[str, Any]) -> dict[str, Any]:
    """Flatten the context into the names the texts use."""
    order = context.get("order") or {}
    payment = context.get("payment") or {}
    product = context.get("product") or {}
    variant = context.get("variant") or {}
    total = ""
    if order.get("total") not in (None, "") and order.get("currency"):
        from decimal import Decimal, InvalidOperation

        try:
            total = money_format(Decimal(str(order["total"])), order["currency"])
        except InvalidOperation:
            total = str(order["total"])
    amount = ""
    if payment.get("amount") and payment.get("currency"):
        from decimal import Decimal

        amount = money_format(Decimal(str(payment["amount"])), payment["currency"])
    return {
        "shop": settings.SHOP_NAME,
        "number": order.get("number", ""),
        "order_url": order.get("url", ""),
        "total": total,
        "carrier": order.get("carrier", ""),
        "tracking": order.get("tracking_number", ""),
        "name": context.get("name", ""),
        "url": context.get("url", ""),
        "product": product.get("title", ""),
        "product_url": product.get("url", ""),
        "sku": variant.get("sku", ""),
        "variant": variant.get("title", ""),
        "stock": variant.get("stock", ""),
        "amount": amount,
        "reference": payment.get("reference", ""),
    }


def subject_for(event: str, context: dict[str, Any]) -> str:
    f = _fields(context)
    subjects = {
        Event.ORDER_PLACED: _("Your {shop} order {number}"),
        Event.ORDER_PAID: _("Payment received for order {number}"),
        Event.ORDER_SHIPPED: _("Your order {number} is on its way"),
        Event.ORDER_CANCELLED: _("Your order {number} has been cancelled"),
        Event.ORDER_REFUNDED: _("Refund for your order {number}"),
        Event.ACCOUNT_VERIFICATION: _("Confirm your e-mail address for {shop}"),
        Event.PASSWORD_RESET: _("Reset your {shop} password"),
        Event.BACK_IN_STOCK: _("Back in stock: {product}"),
        Event.LOW_STOCK: _("Low stock: {sku} {variant} ({stock} left)"),
        Event.PAYMENT_TO_REFUND: _("Refund due: {amount} taken for order {number}"),
    }
    return subjects[Event(event)].format(**f)


def sms_for(event: str, context: dict[str, Any]) -> str:
    f = _fields(context)
    texts = {
        Event.ORDER_PLACED: _("{shop}: thank you! We have your order {number} ({total}). {order_url}"),
        Event.ORDER_PAID: _("{shop}: payment received for order {number}. We are getting it ready."),
        Event.ORDER_SHIPPED: _("{shop}: order {number} is on its way. {carrier} {tracking}"),
        Event.ORDER_CANCELLED: _("{shop}: order {number} has been cancelled. {order_url}"),
        Event.ORDER_REFUNDED: _("{shop}: we have refunded your order {number}. {order_url}"),
        Event.BACK_IN_STOCK: _("{shop}: {product} is back in stock. {product_url}"),
        Event.LOW_STOCK: _("{shop}: low stock, {sku} {variant} has {stock} left."),
        Event.PAYMENT_TO_REFUND: _("{shop}: refund due, {amount} taken for order {number} ({reference})."),
    }
    return " ".join(texts[Event(event)].format(**f).split())


def push_for(event: str, context: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    """Title, body and data (the link the app opens) of a push notification."""
    f = _fields(context)
    pushes = {
        Event.ORDER_PLACED: (_("Order received"), _("Thank you! We have your order {number}.")),
        Event.ORDER_PAID: (_("Payment received"), _("Order {number} is paid; we are getting it ready.")),
        Event.ORDER_SHIPPED: (_("On its way"), _("Order {number} has been shipped.")),
        Event.ORDER_CANCELLED: (_("Order cancelled"), _("Order {number} has been cancelled.")),
        Event.ORDER_REFUNDED: (_("Refund sent"), _("We have refunded your order {number}.")),
        Event.BACK_IN_STOCK: (_("Back in stock"), _("{product} is back in stock.")),
        Event.LOW_STOCK: (_("Low stock"), _("{sku} {variant} has {stock} left.")),
        Event.PAYMENT_TO_REFUND: (_("Refund due"), _("{amount} taken for order {number} must go back.")),
    }
    title, body = pushes[Event(event)]
    link = f["order_url"] or f["product_url"] or f["url"]
    data = {"event": str(event), **({"url": link} if link else {})}
    return title.format(**f), body.format(**f), data
