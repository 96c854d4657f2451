"""Rendered pages kept in the cache, made stale by version tokens instead of deletes.

A cached entry records the tokens it was rendered under. A request fetches the page and the
current tokens in one round trip (get_many), and serves the page only if they still match; a
change elsewhere bumps a token (a fresh random value), which makes every page that depends on it
stale at once, without knowing their keys. A token missing from the cache (evicted, or a cold
cache) is created anew, which makes everything that depends on it stale: never a stale page.

When a token changes, the first request for a page renders it again; requests for the same page
that arrive while it renders get the previous version (`X-Page-Cache: stale`) instead of all
rendering it at once, which is what a flash sale's traffic would otherwise do after each change.

Pages are stored gzip-compressed, once, when they are rendered: every browser accepts gzip, so
the stored bytes go out as they are (a tenth of the size through Redis and the network), and the
rare client that does not accept gzip gets them decompressed. Every response carries an ETag and
`Cache-Control: no-cache`, so a browser keeps its copy and revalidates it each time, which costs
one cache read and no rendering.

Each process also keeps what it last read for its hottest pages (the entry and the tokens it was
checked against) in its own memory for PAGE_NEAR_SECONDS (one second by default), so that a page
asked for hundreds of times a second, as in a flash sale, costs one cache round trip a second per
process instead of one per request. A change made in this process (version_bump) drops that copy at
once; a change made on another server shows here within PAGE_NEAR_SECONDS. 0 turns it off.
"""

import gzip
import hashlib
import re
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from cachetools import TTLCache
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from shop.release import release_id

Entry = tuple[tuple[str, ...], str, bytes, str]  # tokens, etag, gzipped body, content type
# Part of every page key: change it whenever Entry changes, so that a deploy never reads entries
# written by the previous release in another shape.
ENTRY_FORMAT = "page2"
# How long the first request to find a page stale may take to render it before another one tries.
RENDER_LOCK_SECONDS = 10
# Tokens expire too, so that tokens made for addresses nobody asks for again (a mistyped product
# slug) do not pile up in Redis; a token that is gone is made anew, which only makes pages stale.
TOKEN_SECONDS = 7 * 24 * 3600
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def version_bump(*keys: str) -> None:
    if len(keys) == 1:  # one SET; set_many wraps even one in MULTI/EXEC
        cache.set(keys[0], uuid.uuid4().hex, timeout=TOKEN_SECONDS)
    else:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=TOKEN_SECONDS)
    near_clear()


_near: "TTLCache[str, dict[str, Any]] | None" = None
_near_lock = threading.Lock()  # runserver and the test server answer in threads


def _near_cache() -> "TTLCache[str, dict[str, Any]] | None":
    global _near
    seconds, entries = settings.PAGE_NEAR_SECONDS, settings.PAGE_NEAR_ENTRIES
    if seconds <= 0 or entries <= 0:
        return None
    if _near is None or _near.ttl != seconds or _near.maxsize != entries:
        _near = TTLCache(maxsize=entries, ttl=seconds)
    return _near


def near_get(key: str) -> dict[str, Any] | None:
    """What this process read from the cache for the page or response `key` (its entry and the
    tokens it was current under) less than PAGE_NEAR_SECONDS ago, or None."""
    with _near_lock:
        near = _near_cache()
        return near.get(key) if near is not None else None


def near_set(key: str, found: dict[str, Any]) -> None:
    with _near_lock:
        near = _near_cache()
        if near is not None:
            near[key] = found


def near_clear() -> None:
    with _near_lock:
        if _near is not None:
            _near.clear()


def page_cache_key(name: str) -> str:
    """The cache key of a page in the active language."""
    raw_key = f"{release_id()}|{translation.get_language()}|{name}"
    return f"{ENTRY_FORMAT}:" + hashlib.blake2b(raw_key.encode(), digest_size=16).hexdigest()


def render_lock_key(page_key: str) -> str:
    return f"{page_key}:rendering"


def current_tokens(keys: Sequence[str], found: dict[str, object]) -> tuple[str, ...]:
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            cache.add(key, uuid.uuid4().hex, timeout=TOKEN_SECONDS)
            token = cache.get(key)
        tokens.append(str(token))
    return tuple(tokens)


def _not_modified(request: HttpRequest, etag: str, last_modified: int | None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return if_none_match.strip() == "*" or etag in if_none_match
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return last_modified is not None and since is not None and last_modified <= since


def stored_response(
    request: HttpRequest,
    *,
    etag: str,
    gzipped: bytes,
    content_type: str,
    state: str,
    last_modified: int | None = None,
    cache_control: str = "no-cache",
) -> HttpResponse:
    """A response from stored gzip bytes: as they are to a client that takes gzip, decompressed
    for one that does not, or a 304 when the client's copy (If-None-Match, else If-Modified-Since
    where the entry has a time) is current. Shared by the page cache and the API's."""
    response: HttpResponse
    accepts_gzip = bool(_ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    # Each encoding is its own representation, so each has its own entity tag.
    etag = etag[:-1] + '-gzip"' if accepts_gzip else etag
    if _not_modified(request, etag, last_modified):
        response = HttpResponseNotModified()
    elif accepts_gzip:
        response = HttpResponse(gzipped, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(gzipped), content_type=content_type)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = cache_control
    response["X-Page-Cache"] = state
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def cached_page(
    request: HttpRequest,
    *,
    name: str,
    depends_on: Sequence[str],
    render: Callable[[], HttpResponse],
) -> HttpResponse:
    """Serve `render()`'s page from the cache while the tokens in `depends_on` are unchanged.

    `name` identifies the page among those of the same language (path and normalised query).
    Only 200 responses are stored; anything else is returned as rendered.
    """
    page_key = page_cache_key(name)
    near = near_get(page_key)
    found = near if near is not None else cache.get_many([*depends_on, page_key])
    tokens = current_tokens(depends_on, found)
    entry: Entry | None = found.get(page_key)
    if entry is not None and entry[0] == tokens:
        if near is None:
            near_set(page_key, found)
        return stored_response(request, etag=entry[1], gzipped=entry[2], content_type=entry[3], state="hit")
    lock_key = render_lock_key(page_key)
    if entry is not None and not cache.add(lock_key, 1, timeout=RENDER_LOCK_SECONDS):
        return stored_response(request, etag=entry[1], gzipped=entry[2], content_type=entry[3], state="stale")

    try:
        response = render()
    finally:
        if entry is not None:
            cache.delete(lock_key)
    if response.status_code != 200 or getattr(response, "streaming", False):
        return response
    body = response.content
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    # mtime=0: the same page always compresses to the same bytes.
    gzipped = gzip.compress(body, compresslevel=6, mtime=0)
    content_type = response.get("Content-Type", "text/html; charset=utf-8")
    fresh: Entry = (tokens, etag, gzipped, content_type)
    cache.set(page_key, fresh, timeout=settings.PAGE_CACHE_SECONDS)
    near_set(page_key, {**dict(zip(depends_on, tokens, strict=True)), page_key: fresh})
    return stored_response(request, etag=etag, gzipped=gzipped, content_type=content_type, state="miss")
