"""Request rates for the API, per signed-in customer and per IP address for guests.

The rates are in settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], from API_THROTTLE_* variables);
a client over its rate gets 429 with Retry-After. Sign-in, sign-up and password reset are limited
by django-allauth's own ACCOUNT_RATE_LIMITS.
"""

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


def counter_add(counter: Counter) -> int:
    """Add one to the counter and return it: with Redis, INCR and EXPIRE in one round trip
    (django-redis's own incr runs a Lua script, several times slower); else through the cache API."""
    redis = redis_client()
    if redis is not None:
        key = cache.client.make_key(counter.key)  # type: ignore[attr-defined]
        pipeline = redis.pipeline(transaction=False)
        pipeline.incr(key)
        pipeline.expire(key, counter.expires, nx=True)
        return int(pipeline.execute()[0])
    try:
        return int(cache.incr(counter.key))
    except ValueError:  # the window's first request
        return 1 if cache.add(counter.key, 1, timeout=counter.expires) else int(cache.incr(counter.key))


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
    costs no SQL), counted per IP address. The count is taken in the same cache round trip as the
    cached response's lookup (shop.api.cache), so a throttled read costs one round trip, not two."""

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
