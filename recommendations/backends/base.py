"""The interface every recommendations backend implements (RECOMMENDATIONS_BACKEND)."""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from recommendations.models import Interaction


@dataclass(frozen=True)
class SlotQuery:
    """Who asks and about what. Ids are the shop's own (accounts.User, catalog.Product)."""

    slot: str
    user_id: int | None = None
    visitor_id: str = ""
    product_id: int | None = None
    cart_product_ids: tuple[int, ...] = ()
    recent: tuple[str, ...] = ()  # the visitor's recent products: slugs, or "#<id>"
    limit: int = 10
    extra: dict[str, Any] = field(default_factory=dict)


class RecommendationBackend(ABC):
    def __init__(self, **options: Any) -> None:
        self.options = options

    @abstractmethod
    def recommend(self, query: SlotQuery) -> list[int]:
        """Product ids for the slot, best first, possibly including products that are sold out,
        inactive or already on the page (the caller filters). Empty when there is nothing to
        say; raises BackendUnavailable when the backend cannot answer in time."""

    @abstractmethod
    def events_send(self, events: Sequence[Interaction]) -> None:
        """Pass newly recorded events on to the backend (Personalize's real-time events)."""
