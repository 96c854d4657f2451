"""Catalogue API responses kept in the cache and revalidated like the shop pages.

The same version tokens as the pages (shop.pagecache, catalog.cache) decide when a stored response
is stale: a price or stock change bumps them after its transaction commits. One get_many fetches
the response and the current tokens (with the per-IP throttle's count, when it is due, in the same
round trip), and each process keeps its hottest responses in memory for PAGE_NEAR_SECONDS as the
pages do; a hit runs no SQL. Every response carries an `ETag` (a digest of the body) and a
`Last-Modified` (when that body was first produced), with `Cache-Control: public, no-cache`, so
apps and CDNs keep their copy and revalidate it: a matching `If-None-Match` (or, without one, an
`If-Modified-Since` no older than `Last-Modified`) gets a 304 from the cache alone, with no SQL and
no rendering.

Views built on CachedReadView answer a request whose response this process holds in memory before
DRF's own request handling, which costs as much again as such a hit; the request is still counted
by the view's throttles.
"""

import gzip
import hashlib
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from rest_framework.exceptions import Throttled
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from shop.api.throttling import Counter, counter_add, counter_count, counter_reported, redis_client
from shop.pagecache import RENDER_LOCK_SECONDS, current_tokens, near_get, near_set, render_lock_key, stored_response
from shop.release import release_id

Entry = tuple[tuple[str, ...], str, bytes, int]  # tokens, etag, gzipped JSON, last modified (epoch seconds)
# Part of every key: change it whenever Entry changes, so a deploy never reads another shape.
ENTRY_FORMAT = "api1"
CONTENT_TYPE = "application/json"


def api_cache_key(request: HttpRequest, name: str) -> str:
    # The host is part of the key because responses carry absolute URLs built from it.
    raw_key = f"{release_id()}|{translation.get_language()}|{request.scheme}://{request.get_host()}|{name}"
    return f"{ENTRY_FORMAT}:" + hashlib.blake2b(raw_key.encode(), digest_size=16).hexdigest()


def _respond(request: HttpRequest, entry: Entry, state: str) -> HttpResponse:
    _, etag, gzipped, last_modified = entry
    return stored_response(
        request,
        etag=etag,
        gzipped=gzipped,
        content_type=CONTENT_TYPE,
        state=state,
        last_modified=last_modified,
        cache_control="public, no-cache",
    )


def _lookup(keys: list[str], counter: Counter | None) -> tuple[dict[str, Any], bool, int]:
    """The cache entries found for `keys` (the last of them the response's), whether they came from
    this process's copy (shop.pagecache.near_get), and the throttle's count with this request
    (shop.api.throttling). At most one round trip to Redis for both: MGET, and INCRBY and EXPIRE
    when the count is to be reported, in a pipeline."""
    near = near_get(keys[-1])
    if near is not None:
        return near, True, counter_add(counter) if counter is not None else 0
    redis = redis_client()
    if redis is None:
        return cache.get_many(keys), False, counter_add(counter) if counter is not None else 0
    count, unreported = counter_count(counter) if counter is not None else (0, 0)
    client: Any = cache.client  # type: ignore[attr-defined]
    pipeline = redis.pipeline(transaction=False)
    pipeline.mget([client.make_key(k) for k in keys])
    if counter is not None and unreported:
        pipeline.incrby(client.make_key(counter.key), unreported)
        pipeline.expire(client.make_key(counter.key), counter.expires, nx=True)
    results = pipeline.execute()
    found = {k: client.decode(v) for k, v in zip(keys, results[0], strict=True) if v is not None}
    if counter is not None and unreported:
        count = counter_reported(counter, int(results[1]))
    return found, False, count


def cached_api_response(
    request: HttpRequest, *, name: str, depends_on: Sequence[str], render: Callable[[], Any]
) -> HttpResponse:
    """Serve `render()`'s data as JSON from the cache while the tokens in `depends_on` are current.

    `name` identifies the response among those of the same language and host (path and the raw
    values of its parameters). `render` returns the data to send, or raises (a 404, a validation
    error) and nothing is stored.
    """
    key = api_cache_key(request, name)
    found, near, count = _lookup([*depends_on, key], getattr(request, "throttle_counter", None))
    counter: Counter | None = getattr(request, "throttle_counter", None)
    if counter is not None and count > counter.limit:
        raise Throttled(wait=counter.wait)
    tokens = current_tokens(depends_on, found)
    entry: Entry | None = found.get(key)
    if entry is not None and entry[0] == tokens:
        if not near:
            near_set(key, found)
        return _respond(request, entry, "hit")
    lock_key = render_lock_key(key)
    if entry is not None and not cache.add(lock_key, 1, timeout=RENDER_LOCK_SECONDS):
        # Someone is rendering the new version: this request gets the previous one meanwhile.
        return _respond(request, entry, "stale")
    try:
        body = JSONRenderer().render(render())
    finally:
        if entry is not None:
            cache.delete(lock_key)
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    # Unchanged content keeps the time it was first produced, so If-Modified-Since still matches.
    last_modified = entry[3] if entry is not None and entry[1] == etag else int(time.time())
    fresh: Entry = (tokens, etag, gzip.compress(body, compresslevel=6, mtime=0), last_modified)
    cache.set(key, fresh, timeout=settings.PAGE_CACHE_SECONDS)
    near_set(key, {**dict(zip(depends_on, tokens, strict=True)), key: fresh})
    return _respond(request, fresh, "miss")


class CachedReadView(APIView):
    """An APIView whose GET is a cached_api_response under `cache_spec`'s name and tokens."""

    def cache_spec(self, request: HttpRequest, **kwargs: Any) -> tuple[str, list[str]] | None:
        """The cached response's name and the tokens it depends on, or None when the request is
        not one that is cached (DRF then handles it, and the view's get() says why)."""
        raise NotImplementedError

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method == "GET":
            spec = self.cache_spec(request, **kwargs)
            response = _near_hit(request, spec, self.get_throttles()) if spec is not None else None
            if response is not None:
                response["Allow"] = ", ".join(self.allowed_methods)
                return response
        return super().dispatch(request, *args, **kwargs)


def _near_hit(request: HttpRequest, spec: tuple[str, list[str]], throttles: list[Any]) -> HttpResponse | None:
    """The response from this process's copy when it holds a current one and the client is within
    its rates; None sends the request the usual way (which answers a client over its rate, 429)."""
    name, depends_on = spec
    key = api_cache_key(request, name)
    found = near_get(key)
    if found is None:
        return None
    entry: Entry | None = found.get(key)
    if entry is None or entry[0] != tuple(str(found.get(token)) for token in depends_on):
        return None
    for throttle in throttles:
        counter: Counter | None = throttle.counter(request, None)
        if counter is not None and counter_add(counter) > counter.limit:
            return None
    return _respond(request, entry, "hit")
