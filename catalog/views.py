"""Shop pages for the catalogue: home, category and product.

Each page is rendered once and then served from the cache until the catalogue changes (see
shop.pagecache and catalog.cache); a cache hit runs no SQL and no template.
"""

import json
from typing import Any

from django.core.paginator import InvalidPage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import strip_tags
from django.views.decorators.http import require_safe

from catalog import selectors
from catalog.cache import CATALOG, product_version_key
from catalog.forms import ProductFilterForm
from catalog.models import Category, Product
from recommendations.hooks import interaction_record
from recommendations.store import RECOMMENDATIONS
from shop.pagecache import cached_page


def _page_context(**extra: Any) -> dict[str, Any]:
    # `cacheable` tells the base template to leave out anything personal (messages, the user).
    return {"cacheable": True, "category_tree": selectors.category_tree(), **extra}


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    def render_page() -> HttpResponse:
        return render(
            request,
            "catalog/home.html",
            _page_context(
                featured_categories=selectors.category_featured(),
                new_arrivals=selectors.product_new_arrivals(),
                best_sellers=selectors.product_best_sellers(),
            ),
        )

    return cached_page(request, name="home", depends_on=[CATALOG], render=render_page)


@require_safe
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # The key is the raw values of the listing's own parameters (others, such as tracking tags,
    # do not change the page); the form only runs on a miss. A page with invalid filters is a 400,
    # which is never cached.
    raw = "|".join(request.GET.get(name, "") for name in ProductFilterForm.base_fields)
    return cached_page(
        request,
        name=f"category|{slug}|{raw}",
        depends_on=[CATALOG],
        render=lambda: _render_category(request, slug, ProductFilterForm(request.GET)),
    )


def _render_category(request: HttpRequest, slug: str, form: ProductFilterForm) -> HttpResponse:
    try:
        category = selectors.category_get(slug=slug)
    except Category.DoesNotExist:
        raise Http404("No such category") from None
    valid = form.is_valid()
    # Invalid filters: the shopper sees what was wrong, and the listing unfiltered.
    status = 200 if valid else 400
    filters = form.filters() if valid else selectors.ProductFilters()
    page_number = (form.cleaned_data.get("page") if valid else None) or 1
    try:
        page = selectors.product_list(category=category, filters=filters, page=page_number)
    except InvalidPage:
        raise Http404("No such page") from None
    return render(
        request,
        "catalog/category.html",
        _page_context(
            category=category,
            breadcrumbs=selectors.category_breadcrumbs(category=category),
            subcategories=selectors.category_children(category=category),
            form=form,
            page=page,
        ),
        status=status,
    )


@require_safe
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    sku = request.GET.get("variant", "")[:64]

    def render_page() -> HttpResponse:
        try:
            detail = selectors.product_get(slug=slug)
        except Product.DoesNotExist:
            raise Http404("No such product") from None
        variant = detail.variant_for(sku)
        return render(
            request,
            "catalog/product.html",
            _page_context(
                detail=detail,
                product=detail.product,
                variant=variant,
                json_ld=_product_json_ld(request, detail),
            ),
        )

    response = cached_page(
        request,
        name=f"product|{slug}|{sku}",
        depends_on=[CATALOG, product_version_key(slug), RECOMMENDATIONS],
        render=render_page,
    )
    return interaction_record(request, response, kind="view", product=slug)


def _product_json_ld(request: HttpRequest, detail: selectors.ProductDetail) -> str:
    """schema.org Product data for search engines; prices as strings, never floats."""
    product = detail.product
    offers = [
        {
            "@type": "Offer",
            "sku": v.sku,
            "price": str(v.price),
            "priceCurrency": v.currency,
            "availability": "https://schema.org/InStock" if v.stock > 0 else "https://schema.org/OutOfStock",
            "url": request.build_absolute_uri(f"{product.get_absolute_url()}?variant={v.sku}"),
        }
        for v in detail.variants
    ]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "sku": detail.variants[0].sku if detail.variants else "",
        "description": strip_tags(product.description)[:500],
        "category": " > ".join(c.name for c in detail.breadcrumbs),
        "image": [request.build_absolute_uri(i.image.url) for i in detail.images],
        "offers": offers,
    }
    if product.brand:
        data["brand"] = {"@type": "Brand", "name": product.brand}
    # json.dumps does not escape "</", which would end the <script> element early.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
