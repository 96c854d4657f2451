"""JSON shapes of the search API. Money is a string amount next to its currency, never a float."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from catalog.models import Category, Product
from catalog.search.selectors import SearchPage, Suggestions
from shop.money import money_round


def money(amount: Any, currency: str) -> dict[str, str] | None:
    """{"amount": "2.50", "currency": "GBP"}: the amount to the currency's minor unit, as a string."""
    return None if amount is None else {"amount": str(money_round(Decimal(amount), currency)), "currency": currency}


def product_data(product: Product, request: HttpRequest) -> dict[str, Any]:
    images = list(product.images.all())
    return {
        "id": product.pk,
        "title": product.title,
        "highlight": getattr(product, "search_highlight", "") or "",
        "url": request.build_absolute_uri(product.get_absolute_url()),
        "price": money(product.price_from, product.currency),  # type: ignore[attr-defined]
        "in_stock": product.in_stock,  # type: ignore[attr-defined]
        "on_sale": product.on_sale,  # type: ignore[attr-defined]
        "image": request.build_absolute_uri(images[0].thumb_medium.url) if images else None,
    }


def category_data(category: Category, request: HttpRequest) -> dict[str, Any]:
    return {
        "slug": category.slug,
        "name": category.name,
        "url": request.build_absolute_uri(category.get_absolute_url()),
    }


def search_page_data(result: SearchPage, request: HttpRequest, currency: str) -> dict[str, Any]:
    page = result.page
    return {
        "query": result.query,
        "corrected": result.corrected,
        "relaxed": result.relaxed,
        "total": result.total,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [product_data(p, request) for p in page.object_list],
        "facets": {
            "categories": [{**category_data(f.category, request), "count": f.count} for f in result.categories],
            "prices": [
                {"min": money(f.range.low, currency), "max": money(f.range.high, currency), "count": f.count}
                for f in result.prices
            ],
            "in_stock": result.in_stock,
            "attributes": {
                name: [{"value": f.value, "count": f.count} for f in values]
                for name, values in result.attributes.items()
            },
        },
        "popular": [product_data(p, request) for p in result.popular],
    }


def suggestions_data(found: Suggestions, request: HttpRequest) -> dict[str, Any]:
    return {
        "query": found.query,
        "products": [product_data(p, request) for p in found.products],
        "categories": [category_data(c, request) for c in found.categories],
        "recent": found.recent,
    }
