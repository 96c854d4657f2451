"""The per-visitor recommendation fragment that cached pages fetch with a small script.

Shop pages are cached whole and shared by everyone, so they carry the best-seller fallback
(which works without JavaScript); static/js/recommendations.js then asks this view for the
visitor's own slot. The fragment itself is cached per visitor under the catalogue and
recommendations tokens, keyed by what the visitor's untrained slots are made from (their recent
products and, for a customer, what they bought), so browsing or ordering changes it: a repeat
visit costs the session read and two or three cache reads. A guest with no history gets 204 at
once, and the page keeps its fallback.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog.cache import CATALOG
from recommendations.events import visitor_recent
from recommendations.hooks import request_user_id, visitor_id_get
from recommendations.selectors import Visitor, history_digest, slot_get
from recommendations.store import RECOMMENDATIONS, customer_bought
from shop.pagecache import cached_page

FRAGMENT_SLOTS = ("for_you", "new_for_you", "buy_again")
MAX_EXCLUDED = 48


def _exclude(raw: str) -> list[int]:
    return [int(part) for part in raw.split(",")[:MAX_EXCLUDED] if part.isdigit()]


@require_safe
def slot_fragment(request: HttpRequest, slot: str) -> HttpResponse:
    if slot not in FRAGMENT_SLOTS:
        raise Http404("No such slot")
    user_id = request_user_id(request)
    recent = tuple(visitor_recent(visitor_id=visitor_id_get(request)))
    if user_id is None and not recent:
        return HttpResponse(status=204)
    exclude = _exclude(request.GET.get("exclude", ""))
    bought = customer_bought(user_id) if user_id is not None else []
    who = f"u{user_id or ''}r{history_digest(recent=recent, bought=bought)}"

    def render_fragment() -> HttpResponse:
        result = slot_get(slot=slot, visitor=Visitor(user_id=user_id, recent=recent), exclude=exclude)
        if not result.personal:
            return HttpResponse(status=204)
        return render(request, "recommendations/_fragment.html", {"result": result})

    response = cached_page(
        request,
        name=f"reco|{slot}|{who}|{','.join(map(str, exclude))}",
        depends_on=[CATALOG, RECOMMENDATIONS],
        render=render_fragment,
    )
    response["Cache-Control"] = "private, no-cache"
    return response
