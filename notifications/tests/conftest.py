"""Fixtures for the notifications tests."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from notifications.backends import base


@pytest.fixture(autouse=True)
def _notification_settings(settings: Any) -> Iterator[None]:
    settings.SHOP_URL = "https://shop.example.com"
    settings.SHOP_STAFF_EMAILS = ["buyer@example.com", "owner@example.com"]
    settings.NOTIFICATIONS_CAMPAIGN_RATE = 0  # rate limiting has its own test; timings never in tests
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.backends.console.ConsoleSmsBackend"
    settings.NOTIFICATIONS_PUSH_BACKEND = "notifications.backends.console.ConsolePushBackend"
    base._load.cache_clear()
    cache.clear()
    yield
    base._load.cache_clear()
