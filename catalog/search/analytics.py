"""The search log: what shoppers searched for, what they found and what they opened (the "log
analysis" role of Elasticsearch in the architecture notes), and the staff report made from it.

Searches and clicks are recorded after the response has been sent (record_after_response): with a
broker, a task is queued then; without one, the task runs then, in the finished request's process.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.http import HttpResponseBase
from django.utils import timezone

from catalog.models import Product
from catalog.search import analysis
from catalog.search.models import SearchClick, SearchQuery
from catalog.search.services import recent_search_remember_for_user

logger = logging.getLogger("catalog.search")

# A click is counted for the shopper's latest search of the same words within this time.
CLICK_WINDOW = timedelta(hours=1)


def record_after_response(response: HttpResponseBase, send: Callable[[], Any]) -> None:
    """Call `send` once the response has gone out (the WSGI server closes it then), so recording
    never delays the shopper; a failure is logged, never shown."""

    def run() -> None:
        try:
            send()
        except Exception:
            logger.exception("search: could not record a search or click")

    # The hook Django itself uses to close a FileResponse's file after sending it.
    response._resource_closers.append(run)  # type: ignore[attr-defined]


def search_record(
    *,
    query: str,
    results: int,
    backend: str,
    user_id: int | None = None,
    session_key: str = "",
) -> SearchQuery:
    """Log one search; a signed-in customer's also goes to their recent searches."""
    text = query.strip()[: analysis.MAX_QUERY_CHARS]
    logged = SearchQuery.objects.create(
        query=text,
        normalised=analysis.normalise(text),
        results=results,
        backend=backend[:40],
        user_id=user_id,
        session_key=session_key or "",
    )
    if user_id is not None:
        recent_search_remember_for_user(user_id=user_id, query=text, at=logged.created_at)
    return logged


def search_click_record(
    *, query: str, product_id: int, position: int, user_id: int | None = None, session_key: str = ""
) -> SearchClick:
    """Log that a shopper opened a product from a search's results, tied to their latest search
    of the same words (for the click-through rate)."""
    normalised = analysis.normalise(query)
    search = None
    if user_id is not None or session_key:
        mine = Q(user_id=user_id) if user_id is not None else Q(session_key=session_key)
        search = (
            SearchQuery.objects.filter(mine, normalised=normalised, created_at__gte=timezone.now() - CLICK_WINDOW)
            .order_by("-created_at", "-pk")
            .first()
        )
    exists = Product.objects.filter(pk=product_id).exists()
    return SearchClick.objects.create(
        search=search, normalised=normalised, product_id=product_id if exists else None, position=position
    )


@dataclass(frozen=True)
class QueryFigures:
    normalised: str
    searches: int
    clicked: int
    results: int
    last: Any

    @property
    def click_through(self) -> float:
        return self.clicked / self.searches if self.searches else 0.0


@dataclass(frozen=True)
class DayFigures:
    day: date
    searches: int
    no_results: int
    clicked: int


@dataclass(frozen=True)
class SearchReport:
    days: int
    searches: int
    no_results: int
    clicked: int
    top: list[QueryFigures]
    missing: list[QueryFigures]
    trend: list[DayFigures]

    @property
    def click_through(self) -> float:
        return self.clicked / self.searches if self.searches else 0.0

    @property
    def no_results_rate(self) -> float:
        return self.no_results / self.searches if self.searches else 0.0


def search_report(*, days: int = 30, limit: int = 20) -> SearchReport:
    """Staff's view of the log over the last `days` days: totals, the top queries with their
    click-through rate, the queries that found nothing, and searches per day. Four queries."""
    today = timezone.localdate()
    first_day = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first_day, time.min))
    searches = SearchQuery.objects.filter(created_at__gte=since)
    clicked = Count("pk", distinct=True, filter=Q(clicks__isnull=False))
    totals = searches.aggregate(
        searches=Count("pk", distinct=True),
        no_results=Count("pk", distinct=True, filter=Q(results=0)),
        clicked=clicked,
    )
    top = [
        QueryFigures(row["normalised"], row["searches"], row["clicked"], row["results"], row["last"])
        for row in searches.values("normalised")
        .annotate(searches=Count("pk", distinct=True), clicked=clicked, results=Max("results"), last=Max("created_at"))
        .order_by("-searches", "normalised")[:limit]
    ]
    missing = [
        QueryFigures(row["normalised"], row["searches"], 0, 0, row["last"])
        for row in searches.filter(results=0)
        .values("normalised")
        .annotate(searches=Count("pk"), last=Max("created_at"))
        .order_by("-searches", "-last")[:limit]
    ]
    by_day = {
        row["day"]: row
        for row in searches.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            searches=Count("pk", distinct=True),
            no_results=Count("pk", distinct=True, filter=Q(results=0)),
            clicked=clicked,
        )
        .order_by("day")
    }
    trend = []
    for n in range(days):
        day = first_day + timedelta(days=n)
        row = by_day.get(day, {})
        trend.append(DayFigures(day, row.get("searches", 0), row.get("no_results", 0), row.get("clicked", 0)))
    return SearchReport(
        days=days,
        searches=totals["searches"],
        no_results=totals["no_results"],
        clicked=totals["clicked"],
        top=top,
        missing=missing,
        trend=trend,
    )
