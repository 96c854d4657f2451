"""What the shop's views call to record an interaction: cheap, and never an error for the page."""

import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

from recommendations.events import (
    VISITOR_COOKIE,
    VISITOR_COOKIE_SECONDS,
    Event,
    event_now,
    event_push,
    visitor_id_new,
)

logger = logging.getLogger(__name__)


def visitor_id_get(request: HttpRequest) -> str:
    value = request.COOKIES.get(VISITOR_COOKIE, "")
    return value if value.isalnum() and len(value) <= 40 else ""


def request_user_id(request: HttpRequest) -> int | None:
    """The signed-in customer's id from the session alone (no query, unlike request.user)."""
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME) is None:
        return None
    raw = request.session.get(SESSION_KEY)
    return int(raw) if raw is not None and str(raw).isdigit() else None


def interaction_record(request: HttpRequest, response: HttpResponse, *, kind: str, product: str) -> HttpResponse:
    """Buffer a `kind` event for `product` (a slug, or "#<id>") by this visitor; a visitor without
    a visitor id cookie is given one instead. Returns the response."""
    if response.status_code not in (200, 302, 304):
        return response
    visitor_id = visitor_id_get(request)
    if not visitor_id:
        # A first request only gets the visitor cookie; recording starts with the next one. A client
        # that keeps no cookies (a crawler, a load generator) would otherwise make a new visitor,
        # with its own recent-products list in Redis, at every request, and one view by a visitor
        # nobody sees again teaches the model nothing.
        response.set_cookie(
            VISITOR_COOKIE, visitor_id_new(), max_age=VISITOR_COOKIE_SECONDS, samesite="Lax", httponly=True
        )
        return response
    try:
        event_push(
            event=Event(
                kind=kind, product=product, user_id=request_user_id(request), visitor_id=visitor_id, at=event_now()
            )
        )
    except Exception:  # the cache being down must not cost the shopper the page
        logger.warning("Could not record a %s event", kind, exc_info=True)
    return response
