"""Pasar's own settings plus one bare view, so the baseline runs under the same middleware."""

from shop.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
