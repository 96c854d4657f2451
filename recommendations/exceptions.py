"""Domain errors of the recommendations, with messages fit to show."""


class RecommendationError(Exception):
    pass


class UnknownSlot(RecommendationError):
    def __init__(self, slot: str, known: list[str]) -> None:
        super().__init__(f"Unknown slot {slot!r}; use one of: {', '.join(known)}.")
        self.slot = slot


class ProductRequired(RecommendationError):
    def __init__(self, slot: str) -> None:
        super().__init__(f"The {slot!r} slot needs a product: add product=<slug>.")
        self.slot = slot


class BackendUnavailable(RecommendationError):
    """The remote backend failed or was too slow; the local one answers instead."""
