"""Index updates through a real Celery worker on a real Redis broker: a catalogue change reaches the
index once its transaction commits, and a change that rolls back queues nothing."""

import os
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.db import transaction

from catalog import services as catalog_services
from catalog.search import selectors
from catalog.search.tasks import search_index_products  # registers search's tasks with the app
from catalog.tests.factories import CategoryFactory
from shop.celery import app
from shop.testing import celery_worker, require_redis, wait_until_idle

BROKER = os.environ.get("SEARCH_TEST_BROKER_URL", "redis://127.0.0.1:6379/11")
pytestmark = pytest.mark.django_db(transaction=True)


require_redis(BROKER)


@pytest.fixture
def worker() -> Iterator[None]:
    assert search_index_products.name in app.tasks
    with celery_worker(BROKER):
        yield


def wait_until(check: Callable[[], bool], *, seconds: float = 30) -> None:
    wait_until_idle(BROKER, check, seconds=seconds)


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
