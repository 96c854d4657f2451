"""Search pages: results, the search box's suggestions, result clicks, clearing recent searches.

Results pages are cached per query and filters (shop.pagecache) until the catalogue, the index or
the synonyms change; the search is recorded after the response is sent, on cache hits too.
"""

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import InvalidPage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from catalog import selectors as catalog_selectors
from catalog.cache import CATALOG
from catalog.search import analysis, selectors, services
from catalog.search.analytics import record_after_response
from catalog.search.exceptions import InvalidSearch
from catalog.search.forms import SearchForm, SuggestForm
from shop.pagecache import cached_page, page_cache_key


def _page_context(**extra: Any) -> dict[str, Any]:
    return {"cacheable": True, "category_tree": catalog_selectors.category_tree(), **extra}


def _raw_key(request: HttpRequest) -> str:
    """The page's cache name from the raw values of its own parameters (the form runs on a miss)."""
    single = "|".join(request.GET.get(name, "") for name in SearchForm.base_fields if name != "attr")
    return single + "|" + "|".join(sorted(request.GET.getlist("attr")))


def shopper(request: HttpRequest) -> dict[str, Any]:
    """Who searched, for the log. Called once the response is sent: by then the session
    middleware has saved a new guest's session and it has a key."""
    user = request.user
    return {
        "user_id": user.pk if user.is_authenticated else None,
        "session_key": request.session.session_key or "",
    }


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render(request, "catalog/search.html", _page_context(form=form), status=400)
    if not form.has_search():
        return _landing(request, form)
    name = f"search|{_raw_key(request)}"
    meta_key = page_cache_key(name) + ":meta"
    response = cached_page(
        request, name=name, depends_on=[CATALOG, services.SEARCH], render=lambda: _results(request, form, meta_key)
    )
    q = form.cleaned_data["q"]
    if response.status_code == 200 and analysis.normalise(q):
        if not request.user.is_authenticated:
            services.recent_search_remember_in_session(session=request.session, query=q)
        record_after_response(response, lambda: _record(q, meta_key, request))
    return response


def _record(q: str, meta_key: str, request: HttpRequest) -> None:
    from catalog.search.tasks import search_record

    meta = cache.get(meta_key)
    # The page came from the cache and its figures have since been evicted: count again.
    total, backend = meta if meta is not None else selectors.search_count(q=q)
    search_record.delay(query=q, results=total, backend=backend, **shopper(request))


def _results(request: HttpRequest, form: SearchForm, meta_key: str) -> HttpResponse:
    data = form.cleaned_data
    try:
        result = form.search()
    except InvalidSearch as exc:
        form.add_error("category", str(exc))
        return render(request, "catalog/search.html", _page_context(form=form), status=400)
    except InvalidPage:
        raise Http404("No such page") from None
    cache.set(meta_key, (result.total, result.backend), timeout=settings.PAGE_CACHE_SECONDS + 60)
    return render(request, "catalog/search.html", _page_context(form=form, result=result, q=data["q"]))


def _landing(request: HttpRequest, form: SearchForm) -> HttpResponse:
    """/search/ with nothing to search for: the shopper's recent searches and popular products.
    Personal, so never cached."""
    context = {
        "form": form,
        "recent": selectors.recent_searches(user=request.user, session=request.session),
        "popular": catalog_selectors.product_best_sellers(limit=selectors.POPULAR_LIMIT),
        "category_tree": catalog_selectors.category_tree(),
    }
    return render(request, "catalog/search.html", context)


@require_safe
def suggest(request: HttpRequest) -> HttpResponse:
    """The search box's drop-down, as an HTML fragment (static/js/search.js fetches it)."""
    form = SuggestForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(str(e) for e in form.errors.get("q", [])))
    found = selectors.suggestions(q=form.cleaned_data["q"], user=request.user, session=request.session)
    response = render(request, "catalog/search_suggest.html", {"suggestions": found})
    response["Cache-Control"] = "private, no-cache"
    return response


@require_safe
def click(request: HttpRequest) -> HttpResponse:
    """A result's link: note the click (after the redirect is sent) and go to the product."""
    try:
        product_id = int(request.GET.get("product", ""))
        position = max(1, min(int(request.GET.get("position", "1")), 10_000))
    except ValueError:
        return HttpResponseBadRequest("product and position must be whole numbers.")
    url = selectors.product_url_for_click(product_id=product_id)
    if url is None:
        raise Http404("No such product")
    response = HttpResponseRedirect(url)
    query = request.GET.get("q", "")[: analysis.MAX_QUERY_CHARS]
    if analysis.normalise(query):
        from catalog.search.tasks import search_click_record

        record_after_response(
            response,
            lambda: search_click_record.delay(
                query=query, product_id=product_id, position=position, **shopper(request)
            ),
        )
    return response


@require_POST
def recent_clear(request: HttpRequest) -> HttpResponse:
    user = request.user if isinstance(request.user, User) else None
    services.recent_searches_clear(user=user, session=request.session)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("search:results")
    return HttpResponseRedirect(target)
