"""The outbox with a real Celery worker on a real Redis broker: a message queued in a transaction
that rolls back is never sent; one that commits is sent once, even when its delivery task runs
several times at once."""

import os
import time
from collections.abc import Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.worker import state
from django.core import mail
from django.db import connection, transaction

from notifications.events import Event
from notifications.models import Message
from notifications.services import notify
from notifications.tasks import message_deliver
from notifications.tests.factories import order_context
from shop.celery import app

BROKER = os.environ.get("NOTIFICATIONS_TEST_BROKER_URL", "redis://127.0.0.1:6379/9")
pytestmark = pytest.mark.django_db(transaction=True)


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


if not _redis_up():
    if os.environ.get("CI"):
        raise RuntimeError(f"The outbox worker tests need Redis at {BROKER}; .ci/run starts it.")
    pytest.skip(f"Redis is not running at {BROKER}; CI runs these.", allow_module_level=True)


def _forget_connections() -> None:
    # Celery keeps its connection and producer pools for the broker it first used; drop them so
    # that tasks go to this test's broker (and, after it, to none).
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def worker() -> Iterator[None]:
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=BROKER, task_always_eager=False)
    _forget_connections()
    app.control.purge()
    # Two threads racing for the same message on PostgreSQL; SQLite's shared in-memory test
    # database takes one writer at a time, so one thread there.
    threads = 2 if connection.vendor == "postgresql" else 1
    with start_worker(app, pool="threads", concurrency=threads, perform_ping_check=False, shutdown_timeout=30):
        yield
    app.conf.update(saved)
    _forget_connections()


def wait_until_idle(check, *, seconds: float = 30) -> None:
    """Poll until the worker has nothing queued or running and `check` holds (bounded)."""
    client = redis.Redis.from_url(BROKER)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        idle = client.llen("celery") == 0 and not state.active_requests and not state.reserved_requests
        if idle and check():
            return
        time.sleep(0.05)
    raise AssertionError("The worker did not finish in time.")


def test_a_message_queued_in_a_transaction_that_rolls_back_is_never_sent(worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(event=Event.ORDER_PLACED, context=order_context(), dedupe_key="rolled-back", email="no@example.com")
        raise RuntimeError("payment failed")
    # A message committed afterwards shows that the worker is running and the queue drained.
    notify(event=Event.ORDER_PLACED, context=order_context(), dedupe_key="committed", email="yes@example.com")

    wait_until_idle(lambda: Message.objects.filter(status=Message.Status.SENT).exists())

    assert [e.to for e in mail.outbox] == [["yes@example.com"]]
    assert list(Message.objects.values_list("dedupe_key", flat=True)) == ["committed"]


def test_a_committed_message_is_sent_once_even_if_its_task_runs_several_times(worker):
    with transaction.atomic():
        (message,) = notify(event=Event.ORDER_PAID, context=order_context(), dedupe_key="k", email="ada@example.com")
    for _ in range(3):
        message_deliver.delay(message.pk)  # a redelivered or duplicated task

    wait_until_idle(lambda: Message.objects.get(pk=message.pk).status == Message.Status.SENT)

    assert [e.to for e in mail.outbox] == [["ada@example.com"]]
    message.refresh_from_db()
    assert message.attempts == 1
