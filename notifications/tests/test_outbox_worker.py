"""The outbox with a real Celery worker on a real Redis broker: a message queued in a transaction
that rolls back is never sent; one that commits is sent once, even when its delivery task runs
several times at once."""

import os
import time
from collections.abc import Iterator

import pytest
import redis
from django.core import mail
from django.db import connection, transaction

from notifications.events import Event
from notifications.models import Message
from notifications.services import notify
from notifications.tasks import message_deliver
from notifications.tests.factories import order_context
from shop.celery import app
from shop.testing import celery_broker, celery_worker, require_redis
from shop.testing import wait_until_idle as shared_wait_until_idle

BROKER = os.environ.get("NOTIFICATIONS_TEST_BROKER_URL", "redis://127.0.0.1:6379/9")
pytestmark = pytest.mark.django_db(transaction=True)


require_redis(BROKER)


@pytest.fixture
def worker() -> Iterator[None]:
    # Two threads racing for the same message on PostgreSQL; SQLite's shared in-memory test
    # database takes one writer at a time, so one thread there.
    with celery_worker(BROKER, threads=2 if connection.vendor == "postgresql" else 1):
        yield


def wait_until_idle(check, *, seconds: float = 30) -> None:
    shared_wait_until_idle(BROKER, check, seconds=seconds)


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


def test_messages_queued_within_the_hold_reach_the_broker_as_one_task_and_are_all_sent(settings):
    """Under load a process holds its queued messages for NOTIFICATIONS_PUBLISH_HOLD_SECONDS and
    publishes them together: here three orders' e-mails, committed one after the other, go out as
    one task when the hold ends, and a worker started afterwards sends all three."""
    settings.NOTIFICATIONS_PUBLISH_HOLD_SECONDS = 0.3
    broker = redis.Redis.from_url(BROKER)
    with celery_broker(BROKER):
        app.control.purge()
        for n in range(3):
            with transaction.atomic():
                notify(event=Event.ORDER_PLACED, context=order_context(), dedupe_key=f"o{n}", email=f"b{n}@example.com")
        assert broker.llen("celery") == 0  # still held in this process
        deadline = time.monotonic() + 10
        while broker.llen("celery") == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert broker.llen("celery") == 1

    with celery_worker(BROKER, purge=False):
        wait_until_idle(lambda: Message.objects.filter(status=Message.Status.SENT).count() == 3)

    assert sorted(e.to[0] for e in mail.outbox) == ["b0@example.com", "b1@example.com", "b2@example.com"]
