"""Recommendation slots in templates.

- product_recommendations: the product page's two slots, rendered into the cached page (they
  are the same for everyone); the page is re-rendered when the catalogue or the model changes.
- personal_recommendations: a placeholder the script fills with the visitor's own slot.
- cart_recommendations / buy_again_recommendations: pages rendered per visitor anyway.
"""

from typing import Any

from django import template

from catalog.models import Product
from recommendations.events import visitor_recent
from recommendations.hooks import visitor_id_get
from recommendations.selectors import SlotRequest, Visitor, slot_get, slots_resolve

register = template.Library()


@register.inclusion_tag("recommendations/_product_slots.html")
def product_recommendations(product: Product, limit: int = 4) -> dict[str, Any]:
    results = slots_resolve(
        requests=[SlotRequest("also_viewed", limit=limit), SlotRequest("bought_together", limit=limit)],
        product=product,
    )
    return {"also_viewed": results[0], "bought_together": results[1]}


@register.inclusion_tag("recommendations/_personal_slot.html")
def personal_recommendations(slot: str, *shown: Any) -> dict[str, Any]:
    """`shown`: product lists already on the page, which the visitor's slot leaves out."""
    exclude = [product.pk for products in shown for product in products or ()]
    return {"slot": slot, "exclude": ",".join(str(pk) for pk in exclude)}


@register.inclusion_tag("recommendations/_slot.html", takes_context=True)
def cart_recommendations(context: template.Context, cart_product_ids: list[int], limit: int = 4) -> dict[str, Any]:
    request = context["request"]
    user_id = request.user.pk if request.user.is_authenticated else None
    visitor = Visitor(
        user_id=user_id,
        recent=tuple(visitor_recent(visitor_id=visitor_id_get(request))),
        cart_product_ids=tuple(cart_product_ids),
    )
    return {"result": slot_get(slot="complete_order", limit=limit, visitor=visitor), "title_slot": "complete_order"}


@register.inclusion_tag("recommendations/_slot.html", takes_context=True)
def buy_again_recommendations(context: template.Context, limit: int = 8) -> dict[str, Any]:
    request = context["request"]
    if not request.user.is_authenticated:
        return {"result": None}
    result = slot_get(slot="buy_again", limit=limit, visitor=Visitor(user_id=request.user.pk))
    return {"result": result, "title_slot": "buy_again"}


@register.simple_tag
def cart_product_ids(lines: Any) -> list[int]:
    return [item.line.variant.product_id for item in lines]
