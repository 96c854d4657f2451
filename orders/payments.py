"""The payment backends enabled in settings.PAYMENT_BACKENDS, loaded once."""

from functools import cache
from typing import Any, cast

from django.conf import settings
from django.utils.module_loading import import_string

from orders.backends.base import PaymentBackend
from orders.exceptions import PaymentError
from orders.models import Order


@cache
def payment_backends() -> dict[str, PaymentBackend]:
    backends: dict[str, PaymentBackend] = {}
    configured = cast(dict[str, dict[str, Any]], settings.PAYMENT_BACKENDS)
    for code, config in configured.items():
        backend_class = import_string(config["BACKEND"])
        backends[code] = backend_class(**config.get("OPTIONS", {}))
    return backends


def payment_backend(code: str) -> PaymentBackend:
    try:
        return payment_backends()[code]
    except KeyError:
        raise PaymentError(f"Unknown payment method {code!r}.") from None


def order_transfer_details(order: Order) -> dict[str, str] | None:
    """Where the shopper sends the money for `order` themselves (the bank transfer's account) and
    the reference to quote; None for a method that takes the money some other way."""
    backend = payment_backends().get(order.payment_method)
    return backend.transfer_details(reference=order.number) if backend else None
