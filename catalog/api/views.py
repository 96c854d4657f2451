"""The catalogue and search API.

GET /api/v1/categories/, /api/v1/products/ and /api/v1/products/<slug>/ are the same for everyone:
they are served from the cache under the shop pages' version tokens (shop.api.cache), with an ETag
and Last-Modified, so a revalidation is a 304 that runs no SQL. They do not authenticate (a
session lookup would cost a query) and are throttled per IP address.

GET /api/v1/search/?q= and /api/v1/search/suggest/?q= take the same parameters, and give the same
results and facets, as the search page. Bad parameters are a 400 in the API's error shape
(shop.api.errors); money is a string amount with its currency.
"""

import re
from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage
from django.http import HttpRequest
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors
from catalog.api.serializers import (
    CategorySerializer,
    ProductDetailSerializer,
    ProductListQuerySerializer,
    ProductSummarySerializer,
    search_page_data,
    suggestions_data,
)
from catalog.cache import CATALOG, product_version_key
from catalog.forms import ProductFilterForm
from catalog.models import Category, Product
from catalog.search import analysis
from catalog.search import selectors as search_selectors
from catalog.search.analytics import record_after_response
from catalog.search.exceptions import InvalidSearch
from catalog.search.forms import SearchForm, SuggestForm
from catalog.search.views import shopper
from shop.api.cache import CachedReadView, cached_api_response
from shop.api.errors import form_invalid
from shop.api.fields import page_url, paginated
from shop.api.throttling import CatalogueRateThrottle

SLUG = re.compile(r"[-a-zA-Z0-9_]+")
SLUG_MAX_LENGTH: int = Product._meta.get_field("slug").max_length  # type: ignore[assignment]
LIST_PARAMETERS = ("category", "price_min", "price_max", "in_stock", "sort", "page", "page_size")
MAX_PAGE_SIZE = 100
NOT_MODIFIED = OpenApiResponse(description="Not modified: the copy whose ETag was sent in If-None-Match is current.")
CONDITIONAL = [
    OpenApiParameter(
        "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The ETag of the copy you hold."
    )
]
ProductPageSerializer = paginated(ProductSummarySerializer, "ProductPage")


class CatalogueView(CachedReadView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes = [CatalogueRateThrottle]


class CategoryListView(CatalogueView):
    def cache_spec(self, request: HttpRequest, **kwargs: Any) -> tuple[str, list[str]]:
        return "categories", [CATALOG]

    @extend_schema(
        operation_id="categories_list",
        parameters=CONDITIONAL,
        responses={200: CategorySerializer(many=True), 304: NOT_MODIFIED},
        summary="The category tree, top-level categories first, each followed by its subcategories.",
    )
    def get(self, request: Request) -> Any:
        def render() -> Any:
            categories = [category for root in selectors.category_tree() for category in _walk(root)]
            parents = {category.path: category.slug for category in categories}
            return CategorySerializer(categories, many=True, context={"request": request, "parents": parents}).data  # type: ignore[arg-type]

        name, depends_on = self.cache_spec(request)
        return cached_api_response(request, name=name, depends_on=depends_on, render=render)


def _walk(node: selectors.CategoryNode) -> list[Category]:
    return [node.category, *(category for child in node.children for category in _walk(child))]


class ProductListView(CatalogueView):
    def cache_spec(self, request: HttpRequest, **kwargs: Any) -> tuple[str, list[str]]:
        # The key is the raw values of the list's own parameters; they are validated on a miss
        # only (an invalid request raises, and nothing is stored).
        raw = "|".join(request.GET.get(name, "") for name in LIST_PARAMETERS)
        return f"products|{raw}", [CATALOG]

    @extend_schema(
        operation_id="products_list",
        parameters=[ProductListQuerySerializer, *CONDITIONAL],
        responses={200: ProductPageSerializer, 304: NOT_MODIFIED},
        summary="Products that can be bought, filtered and sorted, a page at a time.",
        description="Every sort ends on a unique key, so pages never repeat or skip a product. "
        "For text search use /api/v1/search/?q=.",
    )
    def get(self, request: Request) -> Any:
        name, depends_on = self.cache_spec(request)
        return cached_api_response(request, name=name, depends_on=depends_on, render=lambda: self._render(request))

    def _render(self, request: Request) -> dict[str, Any]:
        form = ProductFilterForm(request.query_params)
        if not form.is_valid():
            raise form_invalid(form)
        slug = request.query_params.get("category", "")
        category = None
        if slug:
            try:
                category = selectors.category_get(slug=slug)
            except Category.DoesNotExist:
                raise ValidationError({"category": [_("There is no category “%(slug)s”.") % {"slug": slug}]}) from None
        page_size = _page_size(request.query_params.get("page_size"))
        try:
            page = selectors.product_list(
                category=category, filters=form.filters(), page=form.cleaned_data.get("page") or 1, per_page=page_size
            )
        except InvalidPage:
            raise NotFound(_("There is no such page of products.")) from None
        results = ProductSummarySerializer(page.object_list, many=True, context={"request": request}).data  # type: ignore[arg-type]
        return {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "page_size": page_size,
            "next": page_url(request, page.next_page_number() if page.has_next() else None),
            "previous": page_url(request, page.previous_page_number() if page.has_previous() else None),
            "results": results,
        }


def _page_size(raw: str | None) -> int:
    if not raw:
        return int(settings.CATALOG_PAGE_SIZE)
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": [_("Give a page size from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]})
    return int(raw)


class ProductDetailView(CatalogueView):
    def cache_spec(self, request: HttpRequest, **kwargs: Any) -> tuple[str, list[str]] | None:
        slug = kwargs["slug"]
        if not SLUG.fullmatch(slug) or len(slug) > SLUG_MAX_LENGTH:
            return None  # a key only for a real slug's form
        return f"product|{slug}", [CATALOG, product_version_key(slug)]

    @extend_schema(
        operation_id="products_retrieve",
        parameters=CONDITIONAL,
        responses={200: ProductDetailSerializer, 304: NOT_MODIFIED},
        summary="A product with its variants (price, stock status), pictures and videos.",
    )
    def get(self, request: Request, slug: str) -> Any:
        spec = self.cache_spec(request, slug=slug)
        if spec is None:
            raise NotFound(_("No such product."))

        def render() -> Any:
            try:
                detail = selectors.product_get(slug=slug)
            except Product.DoesNotExist:
                raise NotFound(_("No such product.")) from None
            return ProductDetailSerializer(detail, context={"request": request}).data

        return cached_api_response(request, name=spec[0], depends_on=spec[1], render=render)


class SearchView(APIView):
    @extend_schema(
        operation_id="search",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="What the shopper typed."),
            OpenApiParameter("category", OpenApiTypes.STR, description="A category's slug."),
            OpenApiParameter("price_min", OpenApiTypes.DECIMAL),
            OpenApiParameter("price_max", OpenApiTypes.DECIMAL),
            OpenApiParameter("in_stock", OpenApiTypes.BOOL),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=["relevance", "bestselling", "newest", "price", "-price"]),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses={200: OpenApiTypes.OBJECT},
        summary="Search products, with facets, spelling correction and popular products when nothing matches.",
    )
    def get(self, request: Request) -> Response:
        form = SearchForm(request.query_params)
        if not form.is_valid():
            raise form_invalid(form)
        data = form.cleaned_data
        try:
            result = form.search()
        except InvalidSearch as exc:
            raise ValidationError(str(exc)) from None
        except InvalidPage:
            raise NotFound(_("There is no such page of results.")) from None
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
    @extend_schema(
        operation_id="search_suggest",
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="What the shopper has typed so far.")],
        responses={200: OpenApiTypes.OBJECT},
        summary="Products and categories for a prefix, and the shopper's recent searches.",
    )
    def get(self, request: Request) -> Response:
        form = SuggestForm(request.query_params)
        if not form.is_valid():
            raise form_invalid(form)
        found = search_selectors.suggestions(q=form.cleaned_data["q"], user=request.user, session=request.session)
        return Response(suggestions_data(found, request))
