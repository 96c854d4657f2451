"""Interaction events, recorded off the request path.

A page appends the event to a buffer in the cache and moves on; a periodic task, or the push
that fills the buffer past a multiple of FLUSH_AT, writes the buffered events to the database in
one bulk insert (events_flush). With Redis, events first wait in the process that recorded them
for up to RECOMMENDATIONS_EVENT_HOLD_SECONDS (a quarter of a second by default) and then go to the
buffer together, with each visitor's recent products, in one round trip (one Lua script): a page
view costs no round trip of its own. Reading the buffer or a visitor's recent products in the same
process sends what waits first. With the local-memory cache (local mode, one process) the buffer is
a list in that cache, kept under a lock.

Local mode has no celery beat, so there (tasks run inline: CELERY_TASK_ALWAYS_EAGER) the request
that adds an event also flushes once LOCAL_FLUSH_AT events are buffered or the oldest is older
than FLUSH_AGE (flush_due). In production the threshold stays FLUSH_AT and beat flushes every
minute, so a page view never writes to the database.

Events carry the product's slug (a cached product page knows no id without a query) and the
anonymous visitor id from the VISITOR_COOKIE; the flush resolves both. When a visitor signs in,
their events so far are attached to the customer (visitor_attach), and the visitor id keeps
pointing at the customer for events still in the buffer.
"""

import json
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.utils import timezone
from django_redis import get_redis_connection
from django_redis.cache import RedisCache

from catalog.models import Product
from recommendations.models import Interaction
from shop.batching import Held

VISITOR_COOKIE = "pasar_vid"
VISITOR_COOKIE_SECONDS = 365 * 24 * 3600
# Buffered events that make the push that adds the last one queue a flush (beat flushes every
# minute anyway): under a flash sale's load a flush about every second, for a few microseconds a view.
FLUSH_AT = 1000
LOCAL_FLUSH_AT = 10  # the same in local mode (no beat), where flushing inline is cheap
FLUSH_AGE = timedelta(minutes=1)  # local mode: a buffered event older than this makes a flush due
FLUSH_BATCH = 5000
RECENT_KEPT = 20
_BUFFER = "reco:events"
_RECENT = "reco:recent:{visitor}"
_VISITOR_USER = "reco:visitor:{visitor}"
_VISITOR_USER_SECONDS = 30 * 24 * 3600
_local_lock = threading.Lock()


@dataclass(frozen=True)
class Event:
    kind: str
    product: str  # slug, or "#<id>" when the id is known
    user_id: int | None
    visitor_id: str
    at: datetime

    def dumps(self) -> str:
        return json.dumps(
            {"k": self.kind, "p": self.product, "u": self.user_id, "v": self.visitor_id, "t": self.at.isoformat()}
        )

    @classmethod
    def loads(cls, raw: str | bytes) -> "Event":
        data = json.loads(raw)
        return cls(
            kind=data["k"],
            product=data["p"],
            user_id=data["u"],
            visitor_id=data["v"],
            at=datetime.fromisoformat(data["t"]),
        )


@dataclass(frozen=True)
class Buffered:
    """The buffer after a push: how many events it holds, when the oldest happened, and how many
    the push added."""

    count: int
    oldest_at: datetime | None
    pushed: int = 1


def flush_due(*, buffered: Buffered, now: datetime, local: bool | None = None) -> bool:
    """Whether the push that left the buffer as `buffered` should queue a flush. `local`: tasks
    run inline with no beat (default: CELERY_TASK_ALWAYS_EAGER)."""
    if buffered.count // FLUSH_AT > (buffered.count - buffered.pushed) // FLUSH_AT:
        # Once for each FLUSH_AT events: not again by every push that arrives before the worker
        # has drained the buffer (in a rush, hundreds would each queue a flush).
        return True
    if not (settings.CELERY_TASK_ALWAYS_EAGER if local is None else local) or not buffered.count:
        return False
    return buffered.count >= LOCAL_FLUSH_AT or (
        buffered.oldest_at is not None and now - buffered.oldest_at >= FLUSH_AGE
    )


def _oldest_at(raw: str | bytes | None) -> datetime | None:
    return Event.loads(raw).at if raw else None


def visitor_id_new() -> str:
    return uuid.uuid4().hex


def _redis() -> Any | None:
    """The raw Redis client when the default cache is Redis, else None."""
    if not isinstance(caches["default"], RedisCache):
        return None
    return get_redis_connection("default")


# One round trip and one command for any number of events: the events into the buffer, each
# visitor's products to the front of their recent products, and the buffer's size and oldest event
# back. KEYS: the buffer, then one recent-products list per visitor; ARGV: how many to keep in those
# lists, their expiry, the number of events, the events, then for each visitor in KEYS' order the
# number of their products and the products, oldest first.
_PUSH_SCRIPT = """
local events = tonumber(ARGV[3])
local count = redis.call('RPUSH', KEYS[1], unpack(ARGV, 4, 3 + events))
local at = 4 + events
for i = 2, #KEYS do
  local products = tonumber(ARGV[at])
  for j = at + 1, at + products do
    redis.call('LREM', KEYS[i], 0, ARGV[j])
    redis.call('LPUSH', KEYS[i], ARGV[j])
  end
  redis.call('LTRIM', KEYS[i], 0, tonumber(ARGV[1]) - 1)
  redis.call('EXPIRE', KEYS[i], ARGV[2])
  at = at + products + 1
end
return {count, redis.call('LINDEX', KEYS[1], 0)}
"""


def event_push(*, event: Event) -> None:
    """Buffer one event (never touching the database), and queue a flush of the buffer to the
    database when one is due (flush_due). With Redis, the event first waits in this process (_held)."""
    if not isinstance(caches["default"], RedisCache):
        _push_local(event)
        return
    _held.add([event])


def events_send() -> int:
    """Send the events waiting in this process to the buffer now; returns how many."""
    return _held.send()


def _send(events: list[Event]) -> None:
    client: Any = _redis()
    # Each visitor's products in the order of their last view: pushing only those gives the same
    # recent list as pushing every event in turn.
    recent: dict[str, dict[str, None]] = {}
    for event in events:
        if event.visitor_id:
            products = recent.setdefault(event.visitor_id, {})
            products.pop(event.product, None)
            products[event.product] = None
    keys = [cache.make_key(_BUFFER), *(cache.make_key(_RECENT.format(visitor=v)) for v in recent)]
    args: list[Any] = [RECENT_KEPT, VISITOR_COOKIE_SECONDS // 12, len(events), *(e.dumps() for e in events)]
    for products in recent.values():
        args += [len(products), *products]
    push = client.register_script(_PUSH_SCRIPT)  # EVALSHA, loading the script once if needed
    count, oldest = push(keys=keys, args=args)
    _flush_if_due(Buffered(count=int(count), oldest_at=_oldest_at(oldest), pushed=len(events)))


# With Redis, events wait in the process that recorded them for up to
# RECOMMENDATIONS_EVENT_HOLD_SECONDS, or until 100 of them wait, and go to Redis together: under
# load one round trip carries dozens of page views instead of one each. A process killed in that
# moment loses its last views, which only weigh on recommendations.
_held: Held[Event] = Held(
    _send,
    hold=lambda: float(settings.RECOMMENDATIONS_EVENT_HOLD_SECONDS),
    batch=100,
    what="buffered interaction events",
)


def _push_local(event: Event) -> None:
    with _local_lock:
        buffered: list[str] = cache.get(_BUFFER) or []
        buffered.append(event.dumps())
        cache.set(_BUFFER, buffered, timeout=None)
        if event.visitor_id:
            key = _RECENT.format(visitor=event.visitor_id)
            newest = [event.product, *[p for p in cache.get(key) or [] if p != event.product]][:RECENT_KEPT]
            cache.set(key, newest, timeout=VISITOR_COOKIE_SECONDS // 12)
        state = Buffered(count=len(buffered), oldest_at=_oldest_at(buffered[0]))
    _flush_if_due(state)


def _flush_if_due(buffered: Buffered) -> None:
    from recommendations.tasks import events_flush_task

    if flush_due(buffered=buffered, now=event_now()):
        events_flush_task.delay()


def visitor_recent(*, visitor_id: str) -> list[str]:
    """The visitor's recently viewed or added products (slugs or "#id"), newest first."""
    if not visitor_id:
        return []
    client = _redis()
    if client is not None:
        events_send()
        return [raw.decode() for raw in client.lrange(cache.make_key(_RECENT.format(visitor=visitor_id)), 0, -1)]
    return list(cache.get(_RECENT.format(visitor=visitor_id)) or [])


def _pop(limit: int) -> list[Event]:
    client = _redis()
    if client is not None:
        events_send()
        key = cache.make_key(_BUFFER)
        pipe = client.pipeline(transaction=True)
        pipe.lrange(key, 0, limit - 1)
        pipe.ltrim(key, limit, -1)
        raw, _ = pipe.execute()
        return [Event.loads(item) for item in raw]
    with _local_lock:
        buffered: list[str] = cache.get(_BUFFER) or []
        cache.set(_BUFFER, buffered[limit:], timeout=None)
    return [Event.loads(item) for item in buffered[:limit]]


def events_buffered() -> int:
    client = _redis()
    if client is not None:
        events_send()
        return int(client.llen(cache.make_key(_BUFFER)))
    return len(cache.get(_BUFFER) or [])


def events_flush(*, limit: int = FLUSH_BATCH) -> list[Interaction]:
    """Write up to `limit` buffered events to the database in one bulk insert and return them.

    Events for products that no longer exist are dropped; a visitor who has signed in since is
    resolved to the customer. Runs in the caller's transaction (or autocommit).
    """
    events = _pop(limit)
    if not events:
        return []
    slugs = {event.product for event in events if not event.product.startswith("#")}
    ids = {int(event.product[1:]) for event in events if event.product.startswith("#")}
    by_slug = dict(Product.objects.filter(slug__in=slugs).values_list("slug", "pk")) if slugs else {}
    known_ids = set(Product.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    visitors = {event.visitor_id for event in events if event.visitor_id and event.user_id is None}
    signed_in = visitor_users(visitors)
    rows = []
    for event in events:
        product_id = int(event.product[1:]) if event.product.startswith("#") else by_slug.get(event.product)
        if product_id is None or (event.product.startswith("#") and product_id not in known_ids):
            continue
        rows.append(
            Interaction(
                kind=event.kind,
                user_id=event.user_id or signed_in.get(event.visitor_id),
                visitor_id=event.visitor_id,
                product_id=product_id,
                occurred_at=event.at,
            )
        )
    return Interaction.objects.bulk_create(rows, batch_size=1000)


def visitor_users(visitors: Iterable[str]) -> dict[str, int]:
    keys = {_VISITOR_USER.format(visitor=visitor): visitor for visitor in visitors}
    found = cache.get_many(list(keys))
    return {keys[key]: int(user_id) for key, user_id in found.items()}


def visitor_attach(*, visitor_id: str, user_id: int) -> int:
    """Attach the visitor's anonymous history to the customer who just signed in; returns the
    number of recorded events attached. Later flushes attach what is still buffered."""
    if not visitor_id:
        return 0
    cache.set(_VISITOR_USER.format(visitor=visitor_id), user_id, timeout=_VISITOR_USER_SECONDS)
    return Interaction.objects.filter(visitor_id=visitor_id, user__isnull=True).update(user_id=user_id)


def event_now() -> datetime:
    return timezone.now()
