"""Fixtures shared by every app's tests.

The suite runs on SQLite with a local-memory cache by default, and on PostgreSQL and Redis when
DATABASE_URL and REDIS_URL are set (as .ci/run does); nothing here depends on which.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from accounts.models import User
from notifications.services.outbox import messages_publish
from recommendations.events import events_send
from shop.api.throttling import counter_tallies_clear
from shop.pagecache import near_clear


@pytest.fixture(autouse=True)
def _isolated_files_and_cache(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Hashed static names need collectstatic's manifest; tests use the plain storage instead.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Each process's short-lived copies of shared state (hot pages for a second, views waiting a
    # quarter of a second to go to Redis together, e-mails waiting a moment for the broker) are
    # off: tests change the cache behind the views' backs as another server would, and read it at
    # once. The tests of those copies (shop/tests/test_pagecache.py,
    # recommendations/tests/test_events_and_commands.py,
    # notifications/tests/test_outbox_worker.py) turn them on.
    settings.PAGE_NEAR_SECONDS = 0
    settings.RECOMMENDATIONS_EVENT_HOLD_SECONDS = 0
    settings.NOTIFICATIONS_PUBLISH_HOLD_SECONDS = 0
    _process_state_clear()
    cache.clear()
    # The test client runs requests in this thread, and LocaleMiddleware leaves the last request's
    # language active; start each test in the default language.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    _process_state_clear()
    cache.clear()


def _process_state_clear() -> None:
    near_clear()
    events_send()
    messages_publish()
    counter_tallies_clear()


@pytest.fixture
def staff_user(db: None) -> User:
    return User.objects.create_superuser(email="staff@example.com", password="a-long-staff-password")


@pytest.fixture
def staff_client(client: Client, staff_user: User) -> Client:
    client.force_login(staff_user)
    return client
