"""Which cached pages a catalogue change makes stale.

Pages are cached under version tokens (see shop.pagecache). Listings, the home page and the
navigation depend on CATALOG; a product page depends on CATALOG and on its own token. Tokens are
bumped after the transaction commits, so a page rendered from the old data can never be stored
under the new token.
"""

from collections.abc import Iterable

from django.db import transaction

from shop.pagecache import version_bump

CATALOG = "v:catalog"


def product_version_key(slug: str) -> str:
    # By slug, so that a product page is served from the cache without a query for its id.
    return f"v:product:{slug}"


def catalog_changed(*, product_slugs: Iterable[str] = (), listings: bool = True) -> None:
    """Mark pages stale once the current transaction commits (at once outside one)."""
    keys = [product_version_key(slug) for slug in set(product_slugs)]
    if listings:
        keys.append(CATALOG)
    if keys:
        transaction.on_commit(lambda: version_bump(*keys))
