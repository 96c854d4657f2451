"""Where precomputed lists are read from: the cache first (one read), the database behind it.

Training writes every list to the database (RecommendationList, under its TrainingRun) and then
to the cache, so every web process reads the same lists and a cold or evicted cache is refilled
from the database one key at a time. A list missing from both is stored as empty, so a customer
without one costs one cache read, not a query each time.

A customer with orders but no trained list yet (their orders are newer than the last training
run) is served from their own order history instead: customer_bought, one query cached per
customer until their next order (the receiver in recommendations.signals forgets it).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.cache import cache

from recommendations.models import RecommendationList, TrainingRun

RECOMMENDATIONS = "v:recommendations"  # page cache token: bumped when a training run goes live
_PREFIX = "reco:list"
LIST_SECONDS = 7 * 24 * 3600  # a retrain overwrites them long before
CURRENT_RUN = "reco:run"  # the id of the run being served (0: none yet), set when a run goes live


def user_key(slot: str, user_id: int) -> str:
    return f"{_PREFIX}:{slot}:u{user_id}"


def product_key(slot: str, product_id: int) -> str:
    return f"{_PREFIX}:{slot}:p{product_id}"


def global_key(slot: str) -> str:
    return f"{_PREFIX}:{slot}"


def _parse(key: str) -> tuple[str, str, int | None]:
    _, _, slot, *rest = key.split(":")
    if not rest:
        return slot, "", None
    return slot, rest[0][0], int(rest[0][1:])


def lists_get(keys: Iterable[str]) -> dict[str, list[int]]:
    """The lists under `keys` (see user_key, product_key, global_key); empty for none. One cache
    read; lists missing from the cache are read from the database (and cached), unless no model
    has been trained."""
    keys = list(dict.fromkeys(keys))
    found: dict[str, Any] = cache.get_many([CURRENT_RUN, *keys])
    missing = [key for key in keys if key not in found]
    if missing:
        run_id = found.get(CURRENT_RUN)
        if run_id is None:
            run_id = TrainingRun.objects.filter(is_current=True).values_list("pk", flat=True).first() or 0
            cache.set(CURRENT_RUN, run_id, timeout=LIST_SECONDS)
        found.update(_lists_from_database(missing, run_id=run_id))
    return {key: found.get(key) or [] for key in keys}


def _lists_from_database(keys: list[str], *, run_id: int) -> dict[str, list[int]]:
    loaded: dict[str, list[int]] = {key: [] for key in keys}
    if run_id:
        parsed = {key: _parse(key) for key in keys}
        slots = {slot for slot, _, _ in parsed.values()}
        users = [pk for _, kind, pk in parsed.values() if kind == "u"]
        products = [pk for _, kind, pk in parsed.values() if kind == "p"]
        rows = RecommendationList.objects.filter(run_id=run_id, slot__in=slots)
        if users and products:
            rows = rows.filter(user_id__in=users) | rows.filter(product_id__in=products)
        elif users:
            rows = rows.filter(user_id__in=users)
        elif products:
            rows = rows.filter(product_id__in=products)
        else:
            rows = rows.filter(user__isnull=True, product__isnull=True)
        for slot, user_id, product_id, ids in rows.values_list("slot", "user_id", "product_id", "product_ids"):
            if user_id is not None:
                key = user_key(slot, user_id)
            elif product_id is not None:
                key = product_key(slot, product_id)
            else:
                key = global_key(slot)
            if key in loaded:
                loaded[key] = list(ids)
    cache.set_many(loaded, timeout=LIST_SECONDS)
    return loaded


BOUGHT_LENGTH = 50


def bought_key(user_id: int) -> str:
    return f"reco:bought:u{user_id}"


def customer_bought(user_id: int) -> list[int]:
    """The products the customer bought most (units, then most recently), from their orders;
    one cache read, and on a miss one query (then cached until their next order)."""
    key = bought_key(user_id)
    found: list[int] | None = cache.get(key)
    if found is None:
        from django.db.models import Max, Sum

        from orders.models import OrderLine
        from recommendations.data import NOT_PURCHASES

        found = list(
            OrderLine.objects.filter(order__user_id=user_id, variant__isnull=False)
            .exclude(order__status__in=NOT_PURCHASES)
            .values("variant__product_id")
            .annotate(units=Sum("quantity"), last=Max("order__placed_at"))
            .order_by("-units", "-last", "variant__product_id")
            .values_list("variant__product_id", flat=True)[:BOUGHT_LENGTH]
        )
        cache.set(key, found, timeout=LIST_SECONDS)
    return found


def customer_bought_forget(user_id: int) -> None:
    cache.delete(bought_key(user_id))


def lists_put(lists: dict[str, object]) -> None:
    items = list(lists.items())
    for start in range(0, len(items), 2000):
        cache.set_many(dict(items[start : start + 2000]), timeout=LIST_SECONDS)


def lists_forget(keys: Iterable[str]) -> None:
    cache.delete_many(list(keys))


def slug_key(slug: str) -> str:
    return f"reco:slug:{slug}"


def product_ids_for(refs: Sequence[str]) -> list[int]:
    """Product ids for products given as slugs or "#<id>", in order; one cache read (slugs are
    cached when a training run goes live, and on a miss looked up once)."""
    slugs = [ref for ref in refs if not ref.startswith("#")]
    found = cache.get_many([slug_key(slug) for slug in slugs]) if slugs else {}
    missing = [slug for slug in slugs if slug_key(slug) not in found]
    if missing:
        from catalog.models import Product

        looked_up = {
            slug_key(slug): pk for slug, pk in Product.objects.filter(slug__in=missing).values_list("slug", "pk")
        }
        cache.set_many(looked_up, timeout=LIST_SECONDS)
        found.update(looked_up)
    ids = []
    for ref in refs:
        pk = int(ref[1:]) if ref.startswith("#") else found.get(slug_key(ref))
        if pk is not None and pk not in ids:
            ids.append(int(pk))
    return ids
