"""What every backend indexes about a product, read in a fixed number of queries per batch."""

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Subquery
from django.utils.html import strip_tags

from catalog.models import Category, Product, Variant


@dataclass(frozen=True)
class ProductDocument:
    product_id: int
    title: str
    slug: str
    category_id: int
    category_path: str
    category_names: tuple[str, ...]  # root first, the product's own category last
    description: str  # plain text, with the brand and SKUs
    attributes: tuple[tuple[str, str], ...]
    price: Decimal
    currency: str
    in_stock: bool
    popularity: int
    created_at: datetime

    @property
    def category_text(self) -> str:
        return " ".join(self.category_names)


def _attribute_pairs(attributes: object) -> tuple[tuple[str, str], ...]:
    """Product.attributes as (name, value) pairs: {"colour": "red", "size": ["S", "M"]}."""
    if not isinstance(attributes, dict):
        return ()
    pairs = []
    for name, value in attributes.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str | int | float) and not isinstance(item, bool) and str(item).strip():
                pairs.append((str(name)[:60], str(item).strip()[:120]))
    return tuple(pairs)


def documents_for(product_ids: Sequence[int]) -> tuple[list[ProductDocument], list[int]]:
    """Documents for the products that can be found (active, with a variant), and the ids of the
    others, which an index should drop. Three queries."""
    variants = Variant.objects.filter(product=OuterRef("pk"))
    cheapest = variants.order_by("price", "pk")
    products = (
        Product.objects.filter(pk__in=list(product_ids), is_active=True)
        .filter(Exists(variants))
        .annotate(
            price_from=Subquery(cheapest.values("price")[:1]),
            price_currency=Subquery(cheapest.values("currency")[:1]),
            any_in_stock=Exists(variants.filter(stock__gt=0)),
        )
        .select_related("category")
        .order_by("pk")
    )
    rows = list(products)
    skus: dict[int, list[str]] = {}
    for product_id, sku in Variant.objects.filter(product__in=[p.pk for p in rows]).values_list("product_id", "sku"):
        skus.setdefault(product_id, []).append(sku)
    paths = {p.category.path[: i * Category.steplen] for p in rows for i in range(1, p.category.depth + 1)}
    names = dict(Category.objects.filter(path__in=paths).values_list("path", "name"))
    documents = []
    for product in rows:
        path = product.category.path
        ancestry = tuple(names.get(path[: i * Category.steplen], "") for i in range(1, product.category.depth + 1))
        body = " ".join([html.unescape(strip_tags(product.description)), product.brand, *skus.get(product.pk, [])])
        documents.append(
            ProductDocument(
                product_id=product.pk,
                title=product.title,
                slug=product.slug,
                category_id=product.category_id,
                category_path=path,
                category_names=ancestry,
                description=" ".join(body.split()),
                attributes=_attribute_pairs(product.attributes),
                price=product.price_from,
                currency=product.price_currency,
                in_stock=product.any_in_stock,
                popularity=product.popularity,
                created_at=product.created_at,
            )
        )
    found = {d.product_id for d in documents}
    return documents, [pk for pk in product_ids if pk not in found]


def all_product_ids(*, batch: int = 1000) -> Iterator[list[int]]:
    """Every product id, in batches, in id order (keyset pagination, so memory stays flat)."""
    last = 0
    while True:
        ids = list(Product.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return
        yield ids
        last = ids[-1]
