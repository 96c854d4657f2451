"""The search API: GET /api/v1/search/?q= and GET /api/v1/search/suggest/?q=.

The same parameters, results and facets as the search page. Bad parameters are a 400 with a
message and the fields at fault; money is a string amount with its currency.
"""

from django.conf import settings
from django.core.paginator import InvalidPage
from django.forms import Form
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api.serializers import search_page_data, suggestions_data
from catalog.search import analysis, selectors
from catalog.search.analytics import record_after_response
from catalog.search.exceptions import InvalidSearch
from catalog.search.forms import SearchForm, SuggestForm
from catalog.search.views import shopper


def _bad_request(form: Form | None = None, message: str = "") -> Response:
    errors = {field: [str(e) for e in errs] for field, errs in (form.errors.items() if form is not None else [])}
    detail = message or next((msgs[0] for msgs in errors.values() if msgs), _("The search parameters are not valid."))
    return Response({"detail": detail, "errors": errors}, status=400)


class SearchView(APIView):
    def get(self, request: Request) -> Response:
        form = SearchForm(request.query_params)
        if not form.is_valid():
            return _bad_request(form)
        data = form.cleaned_data
        try:
            result = form.search()
        except InvalidSearch as exc:
            return _bad_request(message=str(exc))
        except InvalidPage:
            return Response({"detail": _("There is no such page of results."), "errors": {}}, status=404)
        response = Response(search_page_data(result, request, settings.SHOP_CURRENCY))
        if analysis.normalise(data["q"]):
            self._record_later(response, request, data["q"], result.total, result.backend)
        return response

    @staticmethod
    def _record_later(response: Response, request: Request, q: str, total: int, backend: str) -> None:
        from catalog.search.tasks import search_record

        django_request = request._request  # the HttpRequest DRF wraps: its session is saved by then
        record_after_response(
            response, lambda: search_record.delay(query=q, results=total, backend=backend, **shopper(django_request))
        )


class SuggestView(APIView):
    def get(self, request: Request) -> Response:
        form = SuggestForm(request.query_params)
        if not form.is_valid():
            return _bad_request(form)
        found = selectors.suggestions(q=form.cleaned_data["q"], user=request.user, session=request.session)
        return Response(suggestions_data(found, request))
