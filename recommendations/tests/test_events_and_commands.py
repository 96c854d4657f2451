import csv
import io
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from recommendations.events import (
    FLUSH_AGE,
    FLUSH_AT,
    LOCAL_FLUSH_AT,
    VISITOR_COOKIE,
    Buffered,
    Event,
    event_now,
    event_push,
    events_buffered,
    events_flush,
    flush_due,
    visitor_recent,
)
from recommendations.models import Interaction
from recommendations.tests.factories import customer, purchase, sold_product

pytestmark = pytest.mark.django_db


def test_a_product_view_is_buffered_without_a_query_and_written_in_one_bulk_insert(client: Client) -> None:
    product = sold_product()
    client.get(product.get_absolute_url())  # renders and caches the page
    visitor = client.cookies[VISITOR_COOKIE].value
    with CaptureQueriesContext(connection) as queries:
        client.get(product.get_absolute_url())
    assert len(queries) == 0, "a cached page and its event cost no SQL"
    assert events_buffered() == 2 and Interaction.objects.count() == 0
    assert visitor_recent(visitor_id=visitor) == [product.slug]
    with CaptureQueriesContext(connection) as queries:
        written = events_flush()
    assert len(written) == 2 and events_buffered() == 0
    assert len(queries) == 2  # the slugs looked up, the rows inserted
    assert set(Interaction.objects.values_list("kind", "visitor_id", "product_id")) == {("view", visitor, product.pk)}


def test_signing_in_attaches_the_visitors_history_to_the_customer(client: Client) -> None:
    product = sold_product()
    client.get(product.get_absolute_url())
    events_flush()
    client.get(product.get_absolute_url())  # still in the buffer when the visitor signs in
    user = User.objects.create_user(email="shopper@example.com", password="a-long-password-1")
    request = RequestFactory().post("/account/login/")
    request.COOKIES[VISITOR_COOKIE] = client.cookies[VISITOR_COOKIE].value
    user_logged_in.send(sender=User, request=request, user=user)  # what every sign-in sends
    events_flush()
    assert list(Interaction.objects.values_list("user_id", flat=True)) == [user.pk, user.pk]


def test_an_add_to_cart_is_recorded_for_the_product(client: Client) -> None:
    product = sold_product()
    sku = product.variants.get().sku
    client.post("/cart/add/", {"sku": sku, "quantity": 1}, HTTP_ORIGIN="http://testserver")
    events_flush()
    assert list(Interaction.objects.values_list("kind", "product_id")) == [("cart", product.pk)]


def test_in_local_mode_a_few_views_reach_the_database_without_beat(client: Client, settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # local mode: tasks inline, no beat
    products = [sold_product() for _ in range(LOCAL_FLUSH_AT)]
    for product in products:
        client.get(product.get_absolute_url())
    assert Interaction.objects.count() == LOCAL_FLUSH_AT and events_buffered() == 0


def test_in_local_mode_an_event_older_than_a_minute_makes_the_next_view_flush(client: Client, settings: Any) -> None:
    product = sold_product()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    event_push(  # buffered a minute ago
        event=Event(kind="view", product=product.slug, user_id=None, visitor_id="v1", at=event_now() - FLUSH_AGE)
    )
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.get(product.get_absolute_url())
    assert Interaction.objects.count() == 2 and events_buffered() == 0


def test_with_beat_a_page_view_flushes_only_a_full_buffer() -> None:
    now = event_now()
    old = Buffered(count=LOCAL_FLUSH_AT, oldest_at=now - 10 * FLUSH_AGE)
    assert not flush_due(buffered=old, now=now, local=False)
    assert flush_due(buffered=Buffered(count=FLUSH_AT, oldest_at=now), now=now, local=False)
    # In a rush the buffer passes FLUSH_AT before a worker drains it: one flush is queued, not one a request.
    assert not flush_due(buffered=Buffered(count=FLUSH_AT + 1, oldest_at=now), now=now, local=False)
    assert flush_due(buffered=Buffered(count=2 * FLUSH_AT, oldest_at=now), now=now, local=False)
    assert flush_due(buffered=old, now=now, local=True)
    assert not flush_due(buffered=Buffered(count=1, oldest_at=now), now=now, local=True)
    # Views sent together: the push that carries the buffer past a multiple of FLUSH_AT queues one.
    assert flush_due(buffered=Buffered(count=FLUSH_AT + 5, oldest_at=now, pushed=10), now=now, local=False)
    assert not flush_due(buffered=Buffered(count=FLUSH_AT + 15, oldest_at=now, pushed=10), now=now, local=False)


def test_with_redis_views_wait_in_the_process_a_moment_and_go_to_redis_together(client: Client, settings: Any) -> None:
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL): the local-memory cache has no round trips to save")
    from django_redis import get_redis_connection

    settings.RECOMMENDATIONS_EVENT_HOLD_SECONDS = 0.3
    redis, buffer = get_redis_connection("default"), cache.make_key("reco:events")
    first, second = sold_product(), sold_product()
    visitor = client.cookies[VISITOR_COOKIE].value  # a returning visitor (this app's conftest)
    for product in (first, second, first):
        client.get(product.get_absolute_url())
    assert redis.llen(buffer) == 0, "the views wait in this process"
    time.sleep(0.6)
    assert redis.llen(buffer) == 3, "and reach Redis together when the hold is over"
    assert visitor_recent(visitor_id=visitor) == [first.slug, second.slug]
    client.get(second.get_absolute_url())
    assert visitor_recent(visitor_id=visitor) == [second.slug, first.slug], "this process reads its own views at once"


@pytest.fixture
def known_answer(django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Customers who buy the same two products every month (repeats), and who after A buy B
    (half of them before the cut-off, half after): the right answers are known."""
    a, b, staple, filler = (
        sold_product(sku="10001"),
        sold_product(sku="10002"),
        sold_product(sku="10003"),
        sold_product(sku="10004"),
    )
    users = [customer(str(12000 + n)) for n in range(12)]
    for n, user in enumerate(users):
        for month in (1, 2, 3, 7, 8):
            purchase(user, [staple, filler], datetime(2011, month, 5 + n, tzinfo=UTC))
        purchase(user, [a], datetime(2011, 4, 5 + n, tzinfo=UTC))
        purchase(user, [b], datetime(2011, 5 if n < 6 else 7, 15 + n, tzinfo=UTC))
    return {"a": a, "b": b, "staple": staple, "users": users}


def test_evaluate_finds_the_known_answer_and_beats_the_baselines(known_answer: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command("recommendations", "evaluate", "--train-until", "2011-06-30", "--test-until", "2011-09-30", stdout=out)
    rows = {line[:30].strip(): line[30:].split() for line in out.getvalue().splitlines() if line[:30].strip()}
    blend = [float(x) for x in rows["Pasar blend"]]
    own = [float(x) for x in rows["customer's own most-bought"]]
    assert blend[0] == 1.0  # every repeat and every B in the top 10
    assert blend[2] == 1.0  # B, new to six of them, comes first among new products
    assert own[0] == 1.0
    assert "6 on products new to them" in out.getvalue()


def test_dump_writes_every_customer_by_their_original_id_with_skus(
    known_answer: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recommendations", "train", stdout=io.StringIO())
    again = io.StringIO()
    call_command("recommendations", "train", "--if-stale", stdout=again)
    assert "up to date" in again.getvalue()
    out = io.StringIO()
    call_command("recommendations", "dump", "--k", "3", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["user_id", "item_1", "item_2", "item_3"]
    assert [row[0] for row in rows[1:]] == [str(12000 + n) for n in range(12)]
    assert all(set(row[1:3]) == {"10003", "10004"} for row in rows[1:])  # their staples first


def test_a_first_request_only_gets_the_visitor_cookie_so_clients_without_cookies_leave_nothing() -> None:
    product = sold_product()
    crawler = Client()  # keeps no cookies between requests: each one is a first request
    for _ in range(3):
        response = crawler.get(product.get_absolute_url())
        assert response.cookies[VISITOR_COOKIE].value
        crawler.cookies.clear()
    assert events_buffered() == 0
