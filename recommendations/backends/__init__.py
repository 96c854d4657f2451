"""Recommendation backends, chosen by RECOMMENDATIONS_BACKEND (a dotted path) with
RECOMMENDATIONS_BACKEND_OPTIONS. The local backend is the default and always the fallback."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from recommendations.backends.base import RecommendationBackend
from recommendations.backends.local import LocalRecommendationBackend


@cache
def _load(path: str) -> RecommendationBackend:
    backend_class = import_string(path)
    backend: RecommendationBackend = backend_class(**getattr(settings, "RECOMMENDATIONS_BACKEND_OPTIONS", {}))
    return backend


def recommendation_backend() -> RecommendationBackend:
    return _load(
        getattr(settings, "RECOMMENDATIONS_BACKEND", "recommendations.backends.local.LocalRecommendationBackend")
    )


_LOCAL = LocalRecommendationBackend()


def local_backend() -> RecommendationBackend:
    return _LOCAL


def backends_reset() -> None:
    """Forget loaded backends (tests change the settings)."""
    _load.cache_clear()
