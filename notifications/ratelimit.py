"""A rate limit shared by every worker: a counter per second in the cache (Redis in production),
so campaigns stay within the provider's sending rate however many workers deliver them."""

import time
from collections.abc import Callable

from django.core.cache import cache


def rate_limit_acquire(
    *,
    name: str,
    per_second: int,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Block until one more send fits in the current second's budget. per_second <= 0: no limit."""
    if per_second <= 0:
        return
    while True:
        now = clock()
        window = int(now)
        key = f"notifications:rate:{name}:{window}"
        cache.add(key, 0, timeout=5)
        try:
            used = cache.incr(key)
        except ValueError:  # the key expired between add and incr; take the next window
            continue
        if used <= per_second:
            return
        sleep(max(window + 1 - now, 0.001))
