"""Reads: the products a slot shows, shared by the pages, the fragment view and the API.

A slot's list comes from the configured backend (the local model's precomputed lists by
default; the local backend answers whenever a remote one fails or is slow), then leaves out
what a shopper must never see: inactive or sold-out products, the product being viewed, and
anything another slot on the same page already shows; a slot that comes up short is filled
from the best sellers where that makes sense. Resolving any number of slots for one page costs
the lists' cache reads and three queries (which candidates are in stock, then the products
shown with their prices, and their images).
"""

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from catalog.models import Product, Variant
from catalog.selectors import product_listing_queryset
from recommendations import store
from recommendations.backends import local_backend, recommendation_backend
from recommendations.backends.base import SlotQuery
from recommendations.exceptions import ProductRequired, UnknownSlot

logger = logging.getLogger(__name__)

# Slot names, and whether each tops up from the best sellers when its own list runs short.
SLOTS: dict[str, bool] = {
    "for_you": True,
    "new_for_you": True,
    "buy_again": False,
    "also_viewed": False,
    "bought_together": False,
    "complete_order": True,
    "best_sellers": True,
}
PERSONAL = frozenset({"for_you", "new_for_you", "buy_again", "complete_order"})
NEEDS_PRODUCT = frozenset({"also_viewed", "bought_together"})
CANDIDATES_PER_SLOT = 4  # candidates fetched per product shown, to survive filtering


@dataclass
class SlotResult:
    slot: str
    products: list[Product]
    personal: bool  # the list was made for this shopper (not the best-seller fallback)


@dataclass
class Visitor:
    user_id: int | None = None
    visitor_id: str = ""
    recent: tuple[str, ...] = ()
    cart_product_ids: tuple[int, ...] = ()

    @property
    def known(self) -> bool:
        return self.user_id is not None or bool(self.recent)


@dataclass
class SlotRequest:
    slot: str
    limit: int = 8
    extra: dict[str, object] = field(default_factory=dict)


def history_digest(*, recent: Sequence[str], bought: Sequence[int] = ()) -> str:
    """A short digest of what a visitor's untrained slots are made from (recent products, and a
    customer's purchases): part of the cache key of their fragment, so it changes with them."""
    raw = "|".join(recent) + "/" + ",".join(map(str, bought))
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


def slot_validate(*, slot: str, product: Product | None) -> None:
    if slot not in SLOTS:
        raise UnknownSlot(slot, list(SLOTS))
    if slot in NEEDS_PRODUCT and product is None:
        raise ProductRequired(slot)


def _ids(query: SlotQuery) -> list[int]:
    backend = recommendation_backend()
    try:
        return backend.recommend(query)
    except Exception:  # a remote backend's failure must never break a page
        if backend is local_backend():
            raise
        logger.warning("Recommendations backend failed for %s; the local model answers", query.slot, exc_info=True)
        return local_backend().recommend(query)


def slots_resolve(
    *,
    requests: Sequence[SlotRequest],
    visitor: Visitor | None = None,
    product: Product | None = None,
    exclude: Sequence[int] = (),
) -> list[SlotResult]:
    """The products of each requested slot, in order, with no product in two slots.

    Raises UnknownSlot or ProductRequired for a request that cannot be answered.
    """
    visitor = visitor or Visitor()
    for request in requests:
        slot_validate(slot=request.slot, product=product)
    ranked: list[list[int]] = []
    for request in requests:
        query = SlotQuery(
            slot=request.slot,
            user_id=visitor.user_id,
            visitor_id=visitor.visitor_id,
            product_id=product.pk if product is not None else None,
            cart_product_ids=visitor.cart_product_ids,
            recent=visitor.recent,
            limit=request.limit,
        )
        ranked.append(_ids(query) if request.slot != "best_sellers" else [])
    tops_up = any(SLOTS[request.slot] for request in requests)
    best = store.lists_get([store.global_key("best_sellers")])[store.global_key("best_sellers")] if tops_up else []
    if tops_up and not best:  # nothing trained yet: the catalogue's own best-selling order
        best = list(
            Product.objects.filter(is_active=True).order_by("-popularity", "pk").values_list("pk", flat=True)[:100]
        )

    taken: set[int] = set(exclude) | set(visitor.cart_product_ids)
    if product is not None:
        taken.add(product.pk)
    wanted: list[int] = []
    for request, ids in zip(requests, ranked, strict=True):
        wanted.extend(ids[: request.limit * CANDIDATES_PER_SLOT])
    top_up = sum(request.limit for request in requests if SLOTS[request.slot]) * CANDIDATES_PER_SLOT
    wanted.extend(best[:top_up])
    candidates = set(wanted) - taken
    # Which candidates can be shown (a cheap query on the variants), then the full listing rows
    # of only those chosen.
    available = (
        set(
            Variant.objects.filter(product_id__in=candidates, stock__gt=0, product__is_active=True).values_list(
                "product_id", flat=True
            )
        )
        if candidates
        else set()
    )

    chosen: list[list[int]] = []
    personal: list[bool] = []
    for request, ids in zip(requests, ranked, strict=True):
        picked: list[int] = []
        for pk in ids:
            if len(picked) >= request.limit:
                break
            if pk in available and pk not in taken:
                picked.append(pk)
                taken.add(pk)
        personal.append(bool(picked) and request.slot in PERSONAL)
        # Best sellers would bring back what a customer bought into "New for you".
        if SLOTS[request.slot] and not (request.slot == "new_for_you" and visitor.user_id is not None):
            for pk in best:
                if len(picked) >= request.limit:
                    break
                if pk in available and pk not in taken:
                    picked.append(pk)
                    taken.add(pk)
        chosen.append(picked)
    shown = {pk for picked in chosen for pk in picked}
    rows = {p.pk: p for p in product_listing_queryset().filter(pk__in=shown)} if shown else {}
    return [
        SlotResult(slot=request.slot, products=[rows[pk] for pk in picked if pk in rows], personal=is_personal)
        for request, picked, is_personal in zip(requests, chosen, personal, strict=True)
    ]


def slot_get(
    *,
    slot: str,
    limit: int = 8,
    visitor: Visitor | None = None,
    product: Product | None = None,
    exclude: Sequence[int] = (),
) -> SlotResult:
    return slots_resolve(
        requests=[SlotRequest(slot=slot, limit=limit)], visitor=visitor, product=product, exclude=exclude
    )[0]
