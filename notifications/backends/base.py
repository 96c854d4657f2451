"""Channel backends: how an SMS or a push notification leaves the shop.

Each concern is a small interface chosen by a dotted path in settings
(NOTIFICATIONS_SMS_BACKEND, NOTIFICATIONS_PUSH_BACKEND) with its options
(NOTIFICATIONS_*_BACKEND_OPTIONS). E-mail goes through Django's own EMAIL_BACKEND instead
(console locally, Amazon SES through django-anymail in production).

A backend either returns the provider's message id or raises one of the two errors below, which
the outbox turns into a retry with backoff or a permanent failure. There is no silent fallback to
the console: a message the console "sent" would be a message lost.
"""

import abc
import functools
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


class DeliveryError(Exception):
    pass


class TransientDeliveryError(DeliveryError):
    """Throttling, a 5xx or a network error: worth trying again later."""


class PermanentDeliveryError(DeliveryError):
    """The provider refused this message for good (bad number, opted out, invalid token)."""

    def __init__(self, message: str, *, opted_out: bool = False, invalid_address: bool = False) -> None:
        super().__init__(message)
        self.opted_out = opted_out
        self.invalid_address = invalid_address


class SmsBackend(abc.ABC):
    def __init__(self, **options: Any) -> None:
        self.options = options

    @abc.abstractmethod
    def send(self, *, to: str, body: str, promotional: bool, reference: str) -> str:
        """Send `body` to the E.164 number `to`; return the provider's message id."""


class PushBackend(abc.ABC):
    def __init__(self, **options: Any) -> None:
        self.options = options

    @abc.abstractmethod
    def send(
        self, *, token: str, platform: str, sandbox: bool, title: str, body: str, data: dict[str, str], reference: str
    ) -> str:
        """Send a notification to one device; return the provider's message id."""


@functools.cache
def _load(path: str, options_json: str) -> Any:
    import json

    return import_string(path)(**json.loads(options_json))


def _backend(setting: str) -> Any:
    import json

    path = getattr(settings, setting)
    options = getattr(settings, f"{setting}_OPTIONS", {}) or {}
    # Cached per (path, options), so a test that overrides settings gets a fresh backend.
    return _load(path, json.dumps(options, sort_keys=True))


def sms_backend() -> SmsBackend:
    backend: SmsBackend = _backend("NOTIFICATIONS_SMS_BACKEND")
    return backend


def push_backend() -> PushBackend:
    backend: PushBackend = _backend("NOTIFICATIONS_PUSH_BACKEND")
    return backend
