"""The local backend: the lists the local model precomputed (recommendations.services.model_train).

Every answer is at most three cache reads (the lists, for a visitor the ids of their recent
products, and for a customer without a trained list what they bought); a list missing from the
cache is read from the database once and cached.

A customer without a trained list (signed up, or ordered, since the last training run) gets
"buy it again" from their own orders (store.customer_bought) and "for you" / "new for you" from
what was viewed alongside what they viewed lately and bought, like a guest.
"""

from collections.abc import Sequence

from recommendations import store
from recommendations.backends.base import RecommendationBackend, SlotQuery
from recommendations.models import Interaction

PERSONAL_SLOTS = ("for_you", "new_for_you", "buy_again")
PRODUCT_SLOTS = ("also_viewed", "bought_together")
BOUGHT_SEEDS = 20  # a customer's most-bought products that seed "for you" without a trained list


def merge_ranked(lists: Sequence[Sequence[int]], *, exclude: set[int]) -> list[int]:
    """Several ranked lists as one: each product scores the sum of 1/(rank+1) over the lists."""
    scores: dict[int, float] = {}
    for ranked in lists:
        for rank, product_id in enumerate(ranked):
            if product_id not in exclude:
                scores[product_id] = scores.get(product_id, 0.0) + 1.0 / (rank + 1)
    return sorted(scores, key=lambda product_id: (-scores[product_id], product_id))


class LocalRecommendationBackend(RecommendationBackend):
    def recommend(self, query: SlotQuery) -> list[int]:
        slot = query.slot
        if slot in PERSONAL_SLOTS:
            if query.user_id is not None:
                own = store.lists_get([store.user_key(slot, query.user_id)])[store.user_key(slot, query.user_id)]
                if own:
                    return own
                if slot == "buy_again":
                    return store.customer_bought(query.user_id)
            if slot == "buy_again":
                return []
            return self._from_recent(query)
        if slot in PRODUCT_SLOTS:
            if query.product_id is None:
                return []
            key = store.product_key(slot, query.product_id)
            return store.lists_get([key])[key]
        if slot == "complete_order":
            keys = [store.product_key("bought_together", pk) for pk in query.cart_product_ids]
            if query.user_id is not None:
                keys.append(store.user_key("new_for_you", query.user_id))
            found = store.lists_get(keys)
            together = merge_ranked([found[key] for key in keys[: len(query.cart_product_ids)]], exclude=set())
            personal = found.get(store.user_key("new_for_you", query.user_id or 0), [])
            return [*together, *personal]
        if slot == "best_sellers":
            return store.lists_get([store.global_key("best_sellers")])[store.global_key("best_sellers")]
        return []

    def _from_recent(self, query: SlotQuery) -> list[int]:
        """A visitor without a trained list: what was viewed alongside what they viewed lately
        (and, for a customer, bought)."""
        product_ids = store.product_ids_for(query.recent)
        if query.user_id is not None:
            product_ids += [pk for pk in store.customer_bought(query.user_id)[:BOUGHT_SEEDS] if pk not in product_ids]
        if not product_ids:
            return []
        keys = [store.product_key("also_viewed", pk) for pk in product_ids]
        found = store.lists_get(keys)
        return merge_ranked([found[key] for key in keys], exclude=set(product_ids))

    def events_send(self, events: Sequence[Interaction]) -> None:
        """Nothing to send: the local model reads the recorded events when it trains."""
