"""Request rates for the API, per signed-in customer and per IP address for guests.

The rates are in settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], from API_THROTTLE_* variables);
a client over its rate gets 429 with Retry-After. Sign-in, sign-up and password reset are limited
by django-allauth's own ACCOUNT_RATE_LIMITS.

Counters live in the cache (Redis in production), shared by every process and server. A process
reports a client's requests to the shared counter in batches of a fiftieth of the limit (at most
100; 1, so every request, for limits under 100): the first request of a window and every batch-th
after it read the shared total, and the requests in between are judged on that total plus this
process's own count since. A client spread over many processes can so get up to a batch per
process past its limit before the counters catch up: the limits are there to stop floods, and a
catalogue read under a flash sale costs no cache round trip for its count.
"""

import threading
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


@dataclass(frozen=True)
class Counter:
    """One client's counter in the current window."""

    key: str
    expires: int
    limit: int
    wait: float


def redis_client() -> Any | None:
    """The Redis connection behind the default cache (django-redis), or None for another cache."""
    client = getattr(cache, "client", None)
    return client.get_client(write=True) if client is not None and hasattr(client, "get_client") else None


MAX_BATCH = 100
_KEPT_TALLIES = 10_000
# This process's tally of each counter: [requests not yet reported, the shared total last read].
_tallies: dict[str, list[int]] = {}
_tallies_lock = threading.Lock()


def counter_tallies_clear() -> None:
    with _tallies_lock:
        _tallies.clear()


def counter_batch(limit: int) -> int:
    return max(1, min(MAX_BATCH, limit // 50))


def counter_count(counter: Counter) -> tuple[int, int]:
    """Count one request in this process: returns (the client's count as this process knows it,
    0) while the shared counter need not be read, else (0, the requests to add to it now); then
    pass the shared total to counter_reported."""
    with _tallies_lock:
        tally = _tallies.get(counter.key)
        if tally is None:
            if len(_tallies) >= _KEPT_TALLIES:  # keys of past windows: forget them all now and then
                _tallies.clear()
            _tallies[counter.key] = [0, -1]
            return 0, 1
        tally[0] += 1
        if tally[1] >= 0 and tally[0] < counter_batch(counter.limit):
            return tally[1] + tally[0], 0
        unreported, tally[0] = tally[0], 0
        return 0, unreported


def counter_reported(counter: Counter, total: int) -> int:
    with _tallies_lock:
        tally = _tallies.setdefault(counter.key, [0, -1])
        tally[1] = total
    return total


def counter_add(counter: Counter) -> int:
    """Count one request and return the client's count: from this process's tally, or by adding
    what it has not reported to the shared counter (with Redis, INCRBY and EXPIRE in one round
    trip; django-redis's own incr runs a Lua script, several times slower)."""
    count, unreported = counter_count(counter)
    if not unreported:
        return count
    redis = redis_client()
    if redis is not None:
        key = cache.client.make_key(counter.key)  # type: ignore[attr-defined]
        pipeline = redis.pipeline(transaction=False)
        pipeline.incrby(key, unreported)
        pipeline.expire(key, counter.expires, nx=True)
        return counter_reported(counter, int(pipeline.execute()[0]))
    try:
        total = int(cache.incr(counter.key, unreported))
    except ValueError:  # the window's first request
        added = cache.add(counter.key, unreported, timeout=counter.expires)
        total = unreported if added else int(cache.incr(counter.key, unreported))
    return counter_reported(counter, total)


class WindowRateThrottle(SimpleRateThrottle):
    """A counter per client and fixed window (one atomic increment in the cache per request).

    DRF's SimpleRateThrottle keeps every request's timestamp for the whole window and reads and
    writes that list on each request: at the rates a catalogue or a flash sale sees, that list is
    thousands long. A fixed window lets a client send up to twice its rate across a window's edge,
    which is fine for a limit meant to stop floods.
    """

    def counter(self, request: Request, view: Any) -> Counter | None:
        if self.rate is None:
            return None
        key = self.get_cache_key(request, view)
        if key is None:
            return None
        now = self.timer()
        duration, limit = int(self.duration), int(self.num_requests)  # type: ignore[attr-defined]
        window = int(now // duration)
        return Counter(key=f"{key}:{window}", expires=duration + 1, limit=limit, wait=(window + 1) * duration - now)

    def allow_request(self, request: Request, view: Any) -> bool:
        counter = self.counter(request, view)
        if counter is None:
            return True
        self._wait = counter.wait
        return counter_add(counter) <= counter.limit

    def wait(self) -> float:
        return float(self._wait)


class GuestRateThrottle(WindowRateThrottle):
    """Requests without a signed-in customer, counted per IP address."""

    scope = "guest"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CustomerRateThrottle(WindowRateThrottle):
    """Requests of a signed-in customer, counted per customer whatever their address."""

    scope = "customer"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class CatalogueRateThrottle(WindowRateThrottle):
    """Catalogue reads, the same for everyone and never authenticated (so that revalidating one
    costs no SQL), counted per IP address. The count is taken with the cached response's lookup
    (shop.api.cache), in the same cache round trip when both need one."""

    scope = "catalogue"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request: Request, view: Any) -> bool:
        request.throttle_counter = self.counter(request, view)  # type: ignore[attr-defined]
        return True


class CheckoutRateThrottle(WindowRateThrottle):
    """Order placement: per customer, or per IP address for guests; stricter than the rest."""

    scope = "checkout"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        customer = request.user and request.user.is_authenticated
        ident = f"user-{request.user.pk}" if customer else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
