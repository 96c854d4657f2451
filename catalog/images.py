"""Thumbnail file names, worked out once per process.

imagekit names a rendition after a hash of its spec (a pickle of the processors and options) and
the source file's name. That costs about 0.2 ms per URL, and a listing shows two URLs per card, so
rendering a page of 24 products spent more time naming thumbnails than querying the database. The
name is a pure function of the spec class and the source name, so it is safe to remember.
"""

from typing import Any

from imagekit.cachefiles.namers import source_name_as_path

_NAMES: dict[tuple[type, str], str] = {}
_MAX_NAMES = 100_000  # a bound on memory for very large catalogues; cleared when reached


def spec_cachefile_name(generator: Any) -> str:
    source = getattr(generator.source, "name", None)
    if not source:
        return str(source_name_as_path(generator))
    key = (type(generator), source)
    name = _NAMES.get(key)
    if name is None:
        if len(_NAMES) >= _MAX_NAMES:
            _NAMES.clear()
        name = _NAMES[key] = str(source_name_as_path(generator))
    return name
