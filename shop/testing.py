"""Helpers the test suites share: a real Celery worker on a real Redis broker, and real Chromium.

Each skips (or, in CI, fails) with a clear reason when its part is missing on a developer's machine.
"""

import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.worker import state

from shop.celery import app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        raise RuntimeError(f"{what} is missing; .ci/run provides it.")
    pytest.skip(f"{what} is missing here; CI runs these tests.", allow_module_level=True)


def require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        _missing(f"Chromium at {CHROMIUM} (apt-get install chromium)")


def require_redis(url: str) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        _missing(f"Redis at {url}")


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (a browser download cannot work here)."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's sync API runs an event loop in this thread; the ORM calls that build test
        # data here are still plain synchronous calls. Only while the browser runs, so that no
        # other test's subprocess inherits the variable.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _forget_connections() -> None:
    # Celery keeps its connection and producer pools for the broker it first used; drop them so
    # that tasks go to this test's broker (and, after it, to none).
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_broker(broker_url: str) -> Iterator[None]:
    """Tasks published to a real broker (not run inline) for the duration, with none consuming."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=broker_url, task_always_eager=False)
    _forget_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        _forget_connections()


@contextmanager
def celery_worker(broker_url: str, *, threads: int = 1, purge: bool = True) -> Iterator[None]:
    """A real worker in this process, consuming from a real broker, for the duration; what was
    queued before is purged first unless `purge` is False."""
    with celery_broker(broker_url):
        if purge:
            app.control.purge()
        with start_worker(app, pool="threads", concurrency=threads, perform_ping_check=False, shutdown_timeout=30):
            yield


def wait_until_idle(broker_url: str, check: Callable[[], bool], *, seconds: float = 30) -> None:
    """Poll until the worker has nothing queued or running and `check` holds (bounded)."""
    client = redis.Redis.from_url(broker_url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        idle = client.llen("celery") == 0 and not state.active_requests and not state.reserved_requests
        if idle and check():
            return
        time.sleep(0.05)
    raise AssertionError("The worker did not finish in time.")
