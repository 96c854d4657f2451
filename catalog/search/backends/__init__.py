"""The search backend named by SEARCH_BACKEND, and the database backend that stands in for it.

A remote backend that fails (SearchUnavailable) is left alone for `retry_after` seconds (an option,
default 30) while the database answers, then tried again: search recovers by itself.
"""

import functools
import logging
import time
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from catalog.search.backends.base import SearchBackend
from catalog.search.backends.database import DatabaseSearchBackend

logger = logging.getLogger("catalog.search")

_resting_until: dict[str, float] = {}


@functools.cache
def _backend(path: str, options: tuple[tuple[str, Any], ...]) -> SearchBackend:
    backend_class = import_string(path)
    backend: SearchBackend = backend_class(**dict(options))
    return backend


def search_backend() -> SearchBackend:
    """The configured backend (one instance per process and configuration)."""
    options = tuple(sorted(settings.SEARCH_BACKEND_OPTIONS.items()))
    return _backend(settings.SEARCH_BACKEND, options)


def database_backend() -> DatabaseSearchBackend:
    backend = _backend("catalog.search.backends.database.DatabaseSearchBackend", ())
    assert isinstance(backend, DatabaseSearchBackend)
    return backend


def backend_is_resting(backend: SearchBackend) -> bool:
    return time.monotonic() < _resting_until.get(backend.name, 0.0)


def backend_rest(backend: SearchBackend, reason: str) -> None:
    """Leave a failing backend alone for a while; searches go to the database meanwhile."""
    seconds = float(backend.options.get("retry_after", 30))
    _resting_until[backend.name] = time.monotonic() + seconds
    logger.warning("search: %s unavailable, the database answers for %ss: %s", backend.name, seconds, reason)


def backend_recovered(backend: SearchBackend) -> None:
    if _resting_until.pop(backend.name, None) is not None:
        logger.info("search: %s answers again", backend.name)
