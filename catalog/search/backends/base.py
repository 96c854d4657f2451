"""What a search backend does, and the shapes it answers in.

Every backend (catalog.search.backends.database, catalog.search.backends.opensearch) keeps its own
index of products and answers searches with product ids, a total, facets and highlights; turning
ids into products for a page is the selectors' job, so every backend's results look the same.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from catalog.search.analysis import ParsedQuery

Sort = Literal["relevance", "price", "-price", "newest", "bestselling"]
SORTS: tuple[str, ...] = ("relevance", "price", "-price", "newest", "bestselling")
Match = Literal["all", "any"]


@dataclass(frozen=True)
class PriceRange:
    low: Decimal | None
    high: Decimal | None  # exclusive


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    category_path: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool = False
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: Sort = "relevance"
    offset: int = 0
    limit: int = 24
    # "all": every group of the query must match; "any": at least one (the relaxed retry).
    match: Match = "all"
    price_ranges: Sequence[PriceRange] = ()
    facets: bool = True


@dataclass(frozen=True)
class SearchHit:
    product_id: int
    highlight: str = ""  # the title as safe HTML with matches in <mark>; empty: show it plain


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class PriceFacet:
    range: PriceRange
    count: int


@dataclass(frozen=True)
class Facets:
    categories: list[FacetCount] = field(default_factory=list)  # value: category id
    prices: list[PriceFacet] = field(default_factory=list)
    in_stock: int = 0
    attributes: dict[str, list[FacetCount]] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    total: int
    facets: Facets
    # The query as corrected ("lantren" -> "lantern") when the backend corrected a word.
    corrected: str | None = None
    backend: str = ""


@dataclass(frozen=True)
class SuggestHit:
    product_id: int
    highlight: str


class SearchBackend(ABC):
    """The interface. Backends raise catalog.search.exceptions.SearchUnavailable when the service
    behind them cannot answer (down, timing out), so that search can fall back to the database."""

    name: str = ""

    def __init__(self, **options: Any) -> None:
        self.options = options

    @abstractmethod
    def index_products(self, product_ids: Sequence[int]) -> None:
        """Bring these products up to date: index the active ones, drop the others."""

    @abstractmethod
    def remove_products(self, product_ids: Sequence[int]) -> None:
        """Drop these products from the index (deleted products)."""

    @abstractmethod
    def rebuild(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Index every product afresh, without a moment where search finds nothing; returns the
        number indexed and calls progress(n) after each batch of n."""

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult:
        """One page of hits for a query, with the total and the facets of all matches."""

    @abstractmethod
    def suggest(self, query: ParsedQuery, *, limit: int) -> list[SuggestHit]:
        """Products for the search box while the shopper types; the last word may be a prefix."""
