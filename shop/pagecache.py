"""Rendered pages kept in the cache, made stale by version tokens instead of deletes.

A cached entry records the tokens it was rendered under. A request fetches the page and the
current tokens in one round trip (get_many), and serves the page only if they still match; a
change elsewhere bumps a token (a fresh random value), which makes every page that depends on it
stale at once, without knowing their keys. A token missing from the cache (evicted, or a cold
cache) is created anew, which makes everything that depends on it stale: never a stale page.

Every response carries an ETag and `Cache-Control: no-cache`, so browsers and CloudFront may keep
a copy but revalidate it each time, which costs one cache read and no rendering.
"""

import hashlib
import uuid
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_vary_headers

Entry = tuple[tuple[str, ...], str, bytes, str]  # tokens, etag, body, content type


def version_bump(*keys: str) -> None:
    cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)


def _current_tokens(keys: Sequence[str], found: dict[str, object]) -> tuple[str, ...]:
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            token = cache.get(key)
        tokens.append(str(token))
    return tuple(tokens)


def _respond(request: HttpRequest, etag: str, body: bytes, content_type: str, state: str) -> HttpResponse:
    response: HttpResponse
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
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
    raw_key = f"{translation.get_language()}|{name}"
    page_key = "page:" + hashlib.blake2b(raw_key.encode(), digest_size=16).hexdigest()
    found = cache.get_many([*depends_on, page_key])
    tokens = _current_tokens(depends_on, found)
    entry: Entry | None = found.get(page_key)
    if entry is not None and entry[0] == tokens:
        return _respond(request, entry[1], entry[2], entry[3], "hit")

    response = render()
    if response.status_code != 200 or getattr(response, "streaming", False):
        return response
    body = response.content
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    content_type = response.get("Content-Type", "text/html; charset=utf-8")
    cache.set(page_key, (tokens, etag, body, content_type), timeout=settings.PAGE_CACHE_SECONDS)
    return _respond(request, etag, body, content_type, "miss")
