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


@pytest.fixture(autouse=True)
def _isolated_files_and_cache(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Hashed static names need collectstatic's manifest; tests use the plain storage instead.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    # The test client runs requests in this thread, and LocaleMiddleware leaves the last request's
    # language active; start each test in the default language.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    cache.clear()


@pytest.fixture
def staff_user(db: None) -> User:
    return User.objects.create_superuser(email="staff@example.com", password="a-long-staff-password")


@pytest.fixture
def staff_client(client: Client, staff_user: User) -> Client:
    client.force_login(staff_user)
    return client
