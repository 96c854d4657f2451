"""Throttle counts: exact within one process, reported to the shared counter in batches."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from shop.api.throttling import CatalogueRateThrottle, counter_batch

pytestmark = pytest.mark.django_db

WINDOW_START = 60.0 * 16666  # the throttle's clock, held still so that the test stays in one window


@pytest.fixture
def catalogue_rate(monkeypatch: pytest.MonkeyPatch) -> str:
    # DRF reads the rates once, into the throttle class; the test narrows them there.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "catalogue": "500/min"}
    )
    monkeypatch.setattr(CatalogueRateThrottle, "timer", lambda self: WINDOW_START + 1)
    return f"throttle_catalogue_127.0.0.1:{int(WINDOW_START // 60)}"  # the shared counter's key


def test_a_client_gets_its_limit_exactly_from_one_process_then_429(client: Client, catalogue_rate: str) -> None:
    statuses = [client.get("/api/v1/categories/").status_code for _ in range(501)]
    assert statuses[:500] == [200] * 500 and statuses[500] == 429
    assert client.get("/api/v1/categories/").json()["code"] == "throttled"


def test_requests_counted_by_other_processes_stop_a_client_within_one_batch(
    client: Client, catalogue_rate: str
) -> None:
    assert counter_batch(500) == 10
    assert {client.get("/api/v1/categories/").status_code for _ in range(200)} == {200}
    assert 190 <= cache.get(catalogue_rate) <= 200  # this process has reported all but a batch
    cache.incr(catalogue_rate, 300)  # the same client's requests to other processes and servers
    statuses = [client.get("/api/v1/categories/").status_code for _ in range(10)]
    assert statuses[-1] == 429 and 429 in statuses[: counter_batch(500)]
