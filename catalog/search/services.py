"""Writes of search: keeping the indexes current, staff's synonyms, and shoppers' recent searches.

Analytics (the search log and clicks) are in catalog.search.analytics.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from catalog.search import analysis
from catalog.search.backends import database_backend, search_backend
from catalog.search.backends.base import SearchBackend
from catalog.search.models import RecentSearch, SearchSynonym
from shop.pagecache import version_bump

logger = logging.getLogger("catalog.search")

# Page-cache token of search results pages: bumped once an index has taken a change in, which,
# with a task queue, is after the catalogue's own token (catalog.cache.CATALOG) was bumped.
SEARCH = "v:search"
SYNONYMS_CACHE_KEY = "search:synonyms"
RECENT_SESSION_KEY = "recent_searches"
RECENT_LIMIT = 8


def search_products_index(*, product_ids: Iterable[int]) -> None:
    """Bring products up to date in the database backend's index and, when another backend is
    configured, in that one too. Raises SearchUnavailable if the other backend is down (the task
    that calls this retries); the database's documents are written first either way, so the
    fallback is current."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    database = database_backend()
    database.index_products(ids)
    primary = search_backend()
    try:
        if primary.name != database.name:
            primary.index_products(ids)
    finally:
        version_bump(SEARCH)


def search_products_remove(*, product_ids: Iterable[int]) -> None:
    ids = sorted(set(product_ids))
    database = database_backend()
    database.remove_products(ids)
    primary = search_backend()
    try:
        if primary.name != database.name:
            primary.remove_products(ids)
    finally:
        version_bump(SEARCH)


def search_products_changed(*, product_ids: Iterable[int], relevant: bool = True) -> None:
    """Queue the products' reindexing for after the current transaction commits.

    Called by catalog.services next to catalog_changed(). `relevant=False` is a change search does
    not show (a stock level that stays above zero): nothing is queued.
    """
    ids = sorted(set(product_ids))
    if not relevant or not ids:
        return
    transaction.on_commit(lambda: _enqueue(ids))


def search_catalogue_changed() -> None:
    """A category was renamed, moved or removed: every product's category words may be stale."""
    transaction.on_commit(_enqueue_all)


def _enqueue(ids: list[int]) -> None:
    from catalog.search.tasks import search_index_products

    _safely(lambda: search_index_products.delay(ids))


def _enqueue_all() -> None:
    from catalog.search.tasks import search_index_all

    _safely(search_index_all.delay)


def _safely(enqueue: Callable[[], object]) -> None:
    """A change to the catalogue never fails because search could not take it in: without a
    broker the task runs here, and its failure is logged (search_reindex repairs the index)."""
    try:
        enqueue()
    except Exception:
        logger.exception("search: could not update the index; run `manage.py search_reindex`")


def search_index_everything() -> int:
    """Rewrite every product's documents in place, batch by batch (no alias swap)."""
    from catalog.search.documents import all_product_ids

    count = 0
    for batch in all_product_ids(batch=500):
        search_products_index(product_ids=batch)
        count += len(batch)
    return count


def search_reindex(*, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Rebuild the database backend's index and the configured backend's, without downtime.
    Returns the number of products indexed by each backend."""
    counts = {}
    database = database_backend()
    backends: list[SearchBackend] = [database]
    primary = search_backend()
    if primary.name != database.name:
        backends.append(primary)
    for backend in backends:

        def step(n: int, name: str = backend.name) -> None:
            if progress:
                progress(name, n)

        counts[backend.name] = backend.rebuild(progress=step)
    version_bump(SEARCH)
    return counts


# --- synonyms ---------------------------------------------------------------------------------


def synonyms_get() -> analysis.Synonyms:
    """Staff's synonyms, ready for analysis.query_parse; cached until they change."""
    table: analysis.Synonyms | None = cache.get(SYNONYMS_CACHE_KEY)
    if table is None:
        table = analysis.synonyms_build(SearchSynonym.objects.values_list("terms", flat=True))
        cache.set(SYNONYMS_CACHE_KEY, table, timeout=None)
    return table


def _synonyms_changed() -> None:
    def forget() -> None:
        cache.delete(SYNONYMS_CACHE_KEY)
        version_bump(SEARCH)

    transaction.on_commit(forget)


def synonym_save(*, synonym: SearchSynonym) -> SearchSynonym:
    """Save a line of synonyms, tidied ("Xmas ,christmas" -> "xmas, christmas"); the next search
    uses it (no reindex needed)."""
    phrases = [" ".join(analysis.words(p)) for p in synonym.terms.split(",")]
    synonym.terms = ", ".join(dict.fromkeys(p for p in phrases if p))
    with transaction.atomic():
        synonym.save()
        _synonyms_changed()
    return synonym


def synonym_delete(*, synonym: SearchSynonym) -> None:
    with transaction.atomic():
        synonym.delete()
        _synonyms_changed()


# --- recent searches ------------------------------------------------------------------------------


def recent_search_remember_in_session(*, session: SessionBase, query: str) -> None:
    """A guest's recent searches live in their session, newest first, each query once."""
    normalised = analysis.normalise(query)
    if not normalised:
        return
    kept = [q for q in session.get(RECENT_SESSION_KEY, []) if analysis.normalise(q) != normalised]
    session[RECENT_SESSION_KEY] = [query.strip()[: analysis.MAX_QUERY_CHARS], *kept][:RECENT_LIMIT]


def recent_search_remember_for_user(*, user_id: int, query: str, at: datetime | None = None) -> None:
    """A customer's recent searches are rows of their own, kept to the newest few."""
    normalised = analysis.normalise(query)
    if not normalised:
        return
    with transaction.atomic():
        RecentSearch.objects.update_or_create(
            user_id=user_id,
            normalised=normalised,
            defaults={"query": query.strip()[: analysis.MAX_QUERY_CHARS], "searched_at": at or timezone.now()},
        )
        stale = RecentSearch.objects.filter(user_id=user_id).order_by("-searched_at", "-pk")[RECENT_LIMIT:]
        RecentSearch.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()


def recent_searches_clear(*, user: User | None, session: SessionBase) -> None:
    """Forget the shopper's recent searches: their own rows if signed in, and their session's."""
    session.pop(RECENT_SESSION_KEY, None)
    if user is not None and user.is_authenticated:
        RecentSearch.objects.filter(user=user).delete()
