"""GET /api/v1/recommendations/?slot=<name>&product=<slug>: the shop's recommendation slots.

The same lists as the pages (recommendations.selectors): only active, in-stock products, never
the product asked about. Personal slots use the signed-in customer (or the visitor's recent
history); bad parameters are a 400 and an unknown product a 404, in the API's error shape.
Answers are cached under the catalogue and recommendations tokens (shop.api.cache): the
product slots for everyone, a customer's own slots for them (private, keyed also by their recent
products and orders); "complete your order"
depends on the cart and is worked out each time.
"""

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.cache import CATALOG
from catalog.models import Product
from recommendations.api.serializers import RecommendationQuerySerializer, RecommendationSerializer
from recommendations.events import visitor_recent
from recommendations.exceptions import RecommendationError
from recommendations.hooks import visitor_id_get
from recommendations.selectors import PERSONAL, Visitor, history_digest, slot_get
from recommendations.store import RECOMMENDATIONS, customer_bought
from shop.api.cache import cached_api_response


def _cart_product_ids(request: Request) -> tuple[int, ...]:
    from orders.views import request_cart

    cart = request_cart(request._request, create=False)
    if cart is None:
        return ()
    return tuple(cart.lines.values_list("variant__product_id", flat=True))


class RecommendationsView(APIView):
    @extend_schema(parameters=[RecommendationQuerySerializer], responses=RecommendationSerializer)
    def get(self, request: Request) -> HttpResponse | Response:
        query = RecommendationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slot: str = query.validated_data["slot"]
        slug: str = query.validated_data.get("product", "")
        limit: int = query.validated_data["limit"]
        user_id = request.user.pk if request.user.is_authenticated else None
        if slot == "complete_order" or (slot in PERSONAL and user_id is None):
            return Response(self._render(request, slot=slot, slug=slug, limit=limit, user_id=user_id))
        # The same for everyone (or, for a personal slot, for this customer until the model or
        # the catalogue changes): from the cache under their tokens, a hit running no SQL.
        # A customer without a trained list is served from their recent products and orders: the
        # key follows those, so browsing or ordering shows at once.
        who = ""
        if slot in PERSONAL and user_id is not None:
            recent = visitor_recent(visitor_id=visitor_id_get(request._request))
            who = f"u{user_id}r{history_digest(recent=recent, bought=customer_bought(user_id))}"
        response = cached_api_response(
            request,
            name=f"recommendations|{slot}|{slug}|{limit}|{who}",
            depends_on=[CATALOG, RECOMMENDATIONS],
            render=lambda: self._render(request, slot=slot, slug=slug, limit=limit, user_id=user_id),
        )
        if who:
            response["Cache-Control"] = "private, no-cache"
        return response

    def _render(self, request: Request, *, slot: str, slug: str, limit: int, user_id: int | None) -> Any:
        product = None
        if slug:
            product = Product.objects.filter(slug=slug, is_active=True).first()
            if product is None:
                raise NotFound(_("No such product."))
        visitor = Visitor(
            user_id=user_id,
            recent=tuple(visitor_recent(visitor_id=visitor_id_get(request._request))),
            cart_product_ids=_cart_product_ids(request) if slot == "complete_order" else (),
        )
        try:
            result = slot_get(slot=slot, limit=limit, visitor=visitor, product=product)
        except RecommendationError as error:
            raise ValidationError({"product": [str(error)]}) from error
        return RecommendationSerializer(result, context={"request": request}).data
