"""Amazon Personalize: recommendations from its ECOMMERCE recommenders, events in real time.

Slots map to recommenders (RECOMMENDATIONS_BACKEND_OPTIONS["recommender_arns"], as the
`recommendations personalize-sync` command prints them): for_you to "Recommended for you",
also_viewed to "Customers who viewed X also viewed", bought_together to "Frequently bought
together", best_sellers to "Best sellers". Every request carries the in-stock filter. Slots that
have no recommender (new for you, buy it again, complete your order), and visitors who have not
signed in, are answered by the local model.

Each call has a short timeout and no retries; a failure or a timeout makes the slot fall back to
the local model (recommendations.selectors) and keeps Personalize out of the way for
`retry_after` seconds (a flag in the cache, shared by every process), so a slow region never
slows the shop.

Events go to Personalize's event tracker with put_events, at most 10 to a call (the API's
limit), one session per call: a customer's own id, or the anonymous visitor's id.
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.cache import cache

from recommendations.backends.base import RecommendationBackend, SlotQuery
from recommendations.backends.local import LocalRecommendationBackend
from recommendations.exceptions import BackendUnavailable
from recommendations.export import EVENT_TYPES, visitor_user_id
from recommendations.models import Interaction

logger = logging.getLogger(__name__)

PUT_EVENTS_BATCH = 10  # put_events takes at most 10 events a call
USER_SLOTS = ("for_you", "best_sellers")
ITEM_SLOTS = ("also_viewed", "bought_together")
_DOWN_KEY = "reco:personalize:down"


class PersonalizeRecommendationBackend(RecommendationBackend):
    def __init__(
        self,
        *,
        recommender_arns: dict[str, str] | None = None,
        filter_arn: str = "",
        tracking_id: str = "",
        region_name: str | None = None,
        timeout: float = 0.3,
        retry_after: int = 30,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.recommender_arns = dict(recommender_arns or {})
        self.filter_arn = filter_arn
        self.tracking_id = tracking_id
        self.retry_after = retry_after
        config = Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1, "mode": "standard"})
        self.runtime = boto3.client("personalize-runtime", region_name=region_name, config=config)
        self.events = boto3.client("personalize-events", region_name=region_name, config=config)
        self.local = LocalRecommendationBackend()

    def recommend(self, query: SlotQuery) -> list[int]:
        arn = self.recommender_arns.get(query.slot)
        if not arn or (query.slot in ITEM_SLOTS and query.product_id is None):
            return self.local.recommend(query)
        if query.slot == "for_you" and query.user_id is None:
            return self.local.recommend(query)
        if cache.get(_DOWN_KEY):
            raise BackendUnavailable("Personalize failed lately; the local model answers for now.")
        params: dict[str, Any] = {"recommenderArn": arn, "numResults": max(1, min(query.limit * 4, 100))}
        if query.user_id is not None:
            params["userId"] = str(query.user_id)
        if query.slot in ITEM_SLOTS:
            params["itemId"] = str(query.product_id)
        if self.filter_arn:
            params["filterArn"] = self.filter_arn
        try:
            response = self.runtime.get_recommendations(**params)
        except (BotoCoreError, ClientError) as error:
            cache.set(_DOWN_KEY, 1, timeout=self.retry_after)
            raise BackendUnavailable(str(error)) from error
        return [int(item["itemId"]) for item in response.get("itemList", []) if str(item.get("itemId", "")).isdigit()]

    def events_send(self, events: Sequence[Interaction]) -> None:
        """put_events in batches of at most 10 per session. A failure is logged and the events
        are dropped: they are in the database, and the next export carries them."""
        if not self.tracking_id:
            return
        sessions: dict[tuple[str, str], list[Interaction]] = defaultdict(list)
        for event in events:
            user = str(event.user_id) if event.user_id is not None else visitor_user_id(event.visitor_id)
            sessions[(user, event.visitor_id or user)].append(event)
        for (user, session), batch in sessions.items():
            for start in range(0, len(batch), PUT_EVENTS_BATCH):
                chunk = batch[start : start + PUT_EVENTS_BATCH]
                try:
                    self.events.put_events(
                        trackingId=self.tracking_id,
                        userId=user,
                        sessionId=session,
                        eventList=[
                            {
                                "eventId": str(event.pk) if event.pk else f"{session}-{start + n}",
                                "eventType": EVENT_TYPES[event.kind],
                                "itemId": str(event.product_id),
                                "sentAt": event.occurred_at,
                            }
                            for n, event in enumerate(chunk)
                        ],
                    )
                except (BotoCoreError, ClientError):
                    logger.warning("Personalize refused %d events", len(chunk), exc_info=True)
