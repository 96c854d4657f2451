"""Reads of search shared by the results page, the search box and the API.

A search asks the configured backend for product ids (falling back to the database backend when
the configured one is unavailable), then loads those products with the catalogue's listing query:
a fixed number of queries whatever the number of results.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar, overload

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils.translation import gettext as _

from catalog.models import Category, Product
from catalog.search import analysis
from catalog.search.backends import (
    backend_is_resting,
    backend_recovered,
    backend_rest,
    database_backend,
    search_backend,
)
from catalog.search.backends.base import (
    FacetCount,
    PriceFacet,
    PriceRange,
    SearchBackend,
    SearchRequest,
    SearchResult,
    SuggestHit,
)
from catalog.search.exceptions import InvalidSearch, SearchUnavailable
from catalog.search.models import RecentSearch
from catalog.search.services import RECENT_LIMIT, RECENT_SESSION_KEY, synonyms_get
from catalog.selectors import product_best_sellers, product_listing_queryset

T = TypeVar("T")
POPULAR_LIMIT = 8
SUGGEST_PRODUCTS = 6
SUGGEST_CATEGORIES = 4


def _answered(call: Callable[[SearchBackend], T]) -> T:
    """Ask the configured backend; if it is unavailable, or resting after failing, the database."""
    backend = search_backend()
    database = database_backend()
    if backend.name != database.name and not backend_is_resting(backend):
        try:
            answer = call(backend)
        except SearchUnavailable as exc:
            backend_rest(backend, str(exc))
        else:
            backend_recovered(backend)
            return answer
    return call(database)


def price_ranges() -> list[PriceRange]:
    """The price facet's ranges, from SEARCH_PRICE_RANGES (edges in the shop's currency)."""
    edges = [Decimal(str(e)) for e in settings.SEARCH_PRICE_RANGES]
    lows: list[Decimal | None] = [None, *edges]
    highs: list[Decimal | None] = [*edges, None]
    return [PriceRange(low, high) for low, high in zip(lows, highs, strict=True)]


class _Window(Sequence[Product]):
    """The results as the paginator sees them: `total` long, holding only the page's products."""

    def __init__(self, total: int, products: list[Product]) -> None:
        self.total = total
        self.products = products

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> Product: ...
    @overload
    def __getitem__(self, index: slice) -> list[Product]: ...
    def __getitem__(self, index: int | slice) -> Product | list[Product]:
        if isinstance(index, slice):
            return self.products
        return self.products[index]

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)


@dataclass
class CategoryCount:
    category: Category
    count: int


@dataclass
class SearchPage:
    query: str
    normalised: str
    page: Page[Product]
    total: int
    backend: str
    highlights: dict[int, str] = field(default_factory=dict)
    corrected: str | None = None
    relaxed: bool = False  # nothing had every word; these have some of them
    category: Category | None = None
    categories: list[CategoryCount] = field(default_factory=list)
    prices: list[PriceFacet] = field(default_factory=list)
    in_stock: int = 0
    attributes: dict[str, list[FacetCount]] = field(default_factory=dict)
    popular: list[Product] = field(default_factory=list)

    @property
    def first_position(self) -> int:
        return self.page.start_index()


def _category(slug: str | None) -> Category | None:
    if not slug:
        return None
    category: Category | None = Category.objects.filter(slug=slug).first()
    if category is None:
        raise InvalidSearch(_("There is no category “%(slug)s”.") % {"slug": slug})
    return category


def search_page(
    *,
    q: str = "",
    category_slug: str | None = None,
    price_min: Decimal | None = None,
    price_max: Decimal | None = None,
    in_stock: bool = False,
    attributes: Mapping[str, tuple[str, ...]] | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int | None = None,
) -> SearchPage:
    """One page of results with facets, corrections and, when nothing matches, popular products.

    Raises InvalidSearch for an unknown category, django.core.paginator.InvalidPage for a page
    past the last.
    """
    per_page = per_page or settings.CATALOG_PAGE_SIZE
    category = _category(category_slug)
    query = analysis.query_parse(q, synonyms=synonyms_get())
    request = SearchRequest(
        query=query,
        category_path=category.path if category else None,
        price_min=price_min,
        price_max=price_max,
        in_stock=in_stock,
        attributes=dict(attributes or {}),
        sort=sort if sort in ("relevance", "price", "-price", "newest", "bestselling") else "relevance",  # type: ignore[arg-type]
        offset=(page - 1) * per_page,
        limit=per_page,
        price_ranges=price_ranges(),
    )
    result: SearchResult = _answered(lambda backend: backend.search(request))
    relaxed = False
    if result.total == 0 and len(query.groups) > 1:
        relaxed_request = SearchRequest(**{**request.__dict__, "match": "any"})
        relaxed_result: SearchResult = _answered(lambda backend: backend.search(relaxed_request))
        if relaxed_result.total:
            result, relaxed = relaxed_result, True
    highlights = {h.product_id: h.highlight for h in result.hits if h.highlight}
    products = _products([h.product_id for h in result.hits], highlights)
    paginator = Paginator(_Window(result.total, products), per_page)
    page_of = paginator.page(page)
    facet_ids = [int(f.value) for f in result.facets.categories]
    by_id = Category.objects.in_bulk(facet_ids) if facet_ids else {}
    return SearchPage(
        query=query.text,
        normalised=query.normalised,
        page=page_of,
        total=result.total,
        backend=result.backend,
        highlights=highlights,
        corrected=result.corrected,
        relaxed=relaxed,
        category=category,
        categories=[
            CategoryCount(by_id[int(f.value)], f.count) for f in result.facets.categories if int(f.value) in by_id
        ],
        prices=[p for p in result.facets.prices if p.count],
        in_stock=result.facets.in_stock,
        attributes=result.facets.attributes,
        popular=product_best_sellers(limit=POPULAR_LIMIT) if result.total == 0 else [],
    )


def search_count(*, q: str) -> tuple[int, str]:
    """How many products a query finds, and which backend said so (for the log, when the page
    itself came from the cache)."""
    query = analysis.query_parse(q, synonyms=synonyms_get())
    request = SearchRequest(query=query, limit=0, facets=False)
    result: SearchResult = _answered(lambda backend: backend.search(request))
    if result.total == 0 and len(query.groups) > 1:
        relaxed = SearchRequest(query=query, limit=0, facets=False, match="any")
        result = _answered(lambda backend: backend.search(relaxed))
    return result.total, result.backend


def _products(ids: list[int], highlights: Mapping[int, str]) -> list[Product]:
    """The listing's products for these ids, in this order, each with its highlighted title as
    `search_highlight` (two queries)."""
    if not ids:
        return []
    found = {p.pk: p for p in product_listing_queryset().filter(pk__in=ids)}
    products = [found[pk] for pk in ids if pk in found]
    for product in products:
        product.search_highlight = highlights.get(product.pk, "")  # type: ignore[attr-defined]
    return products


@dataclass
class Suggestions:
    query: str
    products: list[Product]
    highlights: dict[int, str]
    categories: list[Category]
    recent: list[str]


def _name_matches(group: analysis.Group, name_words: list[str], last: bool) -> bool:
    """Whether a category name has one of a group's alternatives (the word being typed as a prefix)."""
    name_terms = {analysis.stem(w) for w in name_words}
    for alternative in group.alternatives:
        if set(alternative.terms) <= name_terms:
            return True
        if last and any(w.startswith(alternative.words[-1]) for w in name_words):
            return True
    return False


def _category_matches(query: analysis.ParsedQuery, limit: int) -> list[Category]:
    """Categories whose name has every typed word (the last one as a prefix), or a synonym."""
    if query.is_empty:
        return []
    matches = []
    last = len(query.groups) - 1
    for category in Category.objects.order_by("path"):
        name_words = analysis.words(category.name)
        if all(_name_matches(g, name_words, query.prefix and n == last) for n, g in enumerate(query.groups)):
            matches.append(category)
            if len(matches) == limit:
                break
    return matches


def recent_searches(*, user: Any, session: Mapping[str, Any]) -> list[str]:
    """The shopper's own recent searches, newest first: a customer's rows, or a guest's session."""
    if user is not None and user.is_authenticated:
        return list(
            RecentSearch.objects.filter(user=user)
            .order_by("-searched_at", "-pk")
            .values_list("query", flat=True)[:RECENT_LIMIT]
        )
    return [str(q) for q in session.get(RECENT_SESSION_KEY, [])][:RECENT_LIMIT]


def suggestions(*, q: str, user: Any, session: Mapping[str, Any]) -> Suggestions:
    """What the search box shows while the shopper types: products and categories; before they
    type, their recent searches."""
    query = analysis.query_parse(q, synonyms=synonyms_get(), prefix=True)
    if len(query.normalised) < 2:
        return Suggestions(q, [], {}, [], recent_searches(user=user, session=session))
    hits: list[SuggestHit] = _answered(lambda backend: backend.suggest(query, limit=SUGGEST_PRODUCTS))
    return Suggestions(
        query=query.text,
        products=_products([h.product_id for h in hits], {h.product_id: h.highlight for h in hits}),
        highlights={h.product_id: h.highlight for h in hits},
        categories=_category_matches(query, SUGGEST_CATEGORIES),
        recent=[],
    )


def product_url_for_click(*, product_id: int) -> str | None:
    """Where a click on a search result goes: the product's page, if it can be shown."""
    slug = Product.objects.filter(Q(pk=product_id) & Q(is_active=True)).values_list("slug", flat=True).first()
    if slug is None:
        return None
    return Product(slug=slug).get_absolute_url()
