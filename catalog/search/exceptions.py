class SearchError(Exception):
    """A search that cannot be answered; the message is fit to show."""


class SearchUnavailable(SearchError):
    """The search service behind a backend is down or too slow; search falls back to the database."""


class InvalidSearch(SearchError):
    """The shopper's search parameters are wrong (e.g. a minimum price above the maximum)."""
