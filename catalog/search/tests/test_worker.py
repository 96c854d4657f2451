"""Index updates through a real Celery worker on a real Redis broker: a catalogue change reaches the
index once its transaction commits, and a change that rolls back queues nothing."""

import os
import time
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.worker import state
from django.db import transaction

from catalog import services as catalog_services
from catalog.search import selectors
from catalog.search.tasks import search_index_products  # registers search's tasks with the app
from catalog.tests.factories import CategoryFactory
from shop.celery import app

BROKER = os.environ.get("SEARCH_TEST_BROKER_URL", "redis://127.0.0.1:6379/11")
pytestmark = pytest.mark.django_db(transaction=True)


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


if not _redis_up():
    if os.environ.get("CI"):
        raise RuntimeError(f"The search worker tests need Redis at {BROKER}; .ci/run starts it.")
    pytest.skip(f"Redis is not running at {BROKER}; CI runs these.", allow_module_level=True)


def _forget_connections() -> None:
    # Celery keeps the pools of the broker it first used; drop them so tasks go to this one.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def worker() -> Iterator[None]:
    assert search_index_products.name in app.tasks
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=BROKER, task_always_eager=False)
    _forget_connections()
    app.control.purge()
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
        yield
    app.conf.update(saved)
    _forget_connections()


def wait_until(check: Callable[[], bool], *, seconds: float = 30) -> None:
    """Poll until the queue is drained and `check` holds (bounded)."""
    client = redis.Redis.from_url(BROKER)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        idle = client.llen("celery") == 0 and not state.active_requests and not state.reserved_requests
        if idle and check():
            return
        time.sleep(0.05)
    raise AssertionError("The worker did not finish in time.")


def titles(q: str) -> list[str]:
    return [p.title for p in selectors.search_page(q=q).page.object_list]


def test_a_committed_change_reaches_the_index_through_the_worker_and_a_rolled_back_one_never_does(worker):
    category = CategoryFactory(name="Lights")
    with pytest.raises(RuntimeError), transaction.atomic():
        catalog_services.product_create(
            category=category, title="Rolled Back Lantern", variants=[{"sku": "RB1", "price": Decimal("2")}]
        )
        raise RuntimeError("the import failed")
    catalog_services.product_create(
        category=category, title="White Metal Lantern", variants=[{"sku": "WM1", "price": Decimal("4.25")}]
    )
    wait_until(lambda: titles("lantern") == ["White Metal Lantern"])
