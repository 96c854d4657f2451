"""Reads of the catalogue, shared by the shop pages and the API.

Each selector runs a fixed number of SQL queries whatever the page size or the number of images
and variants (the tests assert it).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from catalog.models import Category, Product, ProductImage, ProductVideo, Variant

Sort = Literal["newest", "price", "-price", "bestselling"]
SORTS: dict[str, tuple[str, ...]] = {
    "bestselling": ("-popularity", "pk"),
    "newest": ("-created_at", "-pk"),
    "price": ("price_from", "pk"),
    "-price": ("-price_from", "pk"),
}


@dataclass(frozen=True)
class ProductFilters:
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool = False
    sort: str = "bestselling"


@dataclass
class CategoryNode:
    category: Category
    children: list["CategoryNode"] = field(default_factory=list)


def category_tree() -> list[CategoryNode]:
    """The whole tree, for navigation, in one query."""
    roots: list[CategoryNode] = []
    by_path: dict[str, CategoryNode] = {}
    for category in Category.objects.get_tree():
        node = CategoryNode(category)
        by_path[category.path] = node
        parent = by_path.get(category.path[: -category.steplen])
        (parent.children if parent else roots).append(node)
    return roots


def category_get(*, slug: str) -> Category:
    category: Category = Category.objects.get(slug=slug)
    return category


def category_breadcrumbs(*, category: Category) -> list[Category]:
    """The path from the root to the category, inclusive, in one query."""
    return [*Category.objects.get_ancestors(category), category]


def category_children(*, category: Category) -> list[Category]:
    return list(Category.objects.get_children(category))


def _images_prefetch() -> Prefetch[Any]:
    return Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk"))


def product_listing_queryset() -> QuerySet[Product]:
    """Active products that can be bought, with their lowest price and whether any is in stock.

    Correlated subqueries rather than a GROUP BY over the variants join: with an index on the sort
    order and a LIMIT, the database computes them only for the rows it returns.
    """
    variants = Variant.objects.filter(product=OuterRef("pk"))
    cheapest = variants.order_by("price", "pk")
    return (
        Product.objects.filter(is_active=True)
        .filter(Exists(variants))
        .annotate(
            price_from=Subquery(cheapest.values("price")[:1]),
            currency=Subquery(cheapest.values("currency")[:1]),
            in_stock=Exists(variants.filter(stock__gt=0)),
            on_sale=Exists(variants.filter(compare_at_price__gt=F("price"))),
        )
        .select_related("category")
        .prefetch_related(_images_prefetch())
    )


def product_list(
    *,
    category: Category | None = None,
    filters: ProductFilters = ProductFilters(),
    page: int = 1,
    per_page: int | None = None,
) -> Page[Product]:
    """One page of a listing: the category's whole subtree, filtered and sorted.

    Raises django.core.paginator.InvalidPage for a page out of range.
    """
    queryset = product_listing_queryset()
    if category is not None:
        queryset = queryset.filter(category__path__startswith=category.path)
    # Q objects, because the fields are annotations that the type checker cannot see.
    if filters.price_min is not None:
        queryset = queryset.filter(Q(price_from__gte=filters.price_min))
    if filters.price_max is not None:
        queryset = queryset.filter(Q(price_from__lte=filters.price_max))
    if filters.in_stock:
        queryset = queryset.filter(Q(in_stock=True))
    queryset = queryset.order_by(*SORTS.get(filters.sort, SORTS["bestselling"]))
    paginator = Paginator(queryset, per_page or settings.CATALOG_PAGE_SIZE)
    return paginator.page(page)


def product_new_arrivals(*, limit: int = 8) -> list[Product]:
    return list(product_listing_queryset().filter(Q(in_stock=True)).order_by("-created_at", "-pk")[:limit])


def product_best_sellers(*, limit: int = 8) -> list[Product]:
    return list(product_listing_queryset().filter(Q(in_stock=True)).order_by("-popularity", "pk")[:limit])


def category_featured(*, limit: int = 8) -> list[Category]:
    return list(Category.objects.filter(is_featured=True).order_by("name")[:limit])


@dataclass
class ProductDetail:
    product: Product
    variants: list[Variant]
    images: list[ProductImage]
    videos: list[ProductVideo]
    breadcrumbs: list[Category]

    @property
    def in_stock(self) -> bool:
        return any(v.stock > 0 for v in self.variants)

    def variant_for(self, sku: str | None) -> Variant | None:
        """The chosen variant, else the first one in stock, else the first one."""
        by_sku = {v.sku: v for v in self.variants}
        if sku and sku in by_sku:
            return by_sku[sku]
        return next((v for v in self.variants if v.stock > 0), self.variants[0] if self.variants else None)


def product_get(*, slug: str) -> ProductDetail:
    """The product page's data. Raises Product.DoesNotExist for an unknown or inactive product."""
    product = (
        Product.objects.select_related("category")
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")),
            _images_prefetch(),
            Prefetch("videos", queryset=ProductVideo.objects.order_by("position", "pk")),
        )
        .get(slug=slug, is_active=True)
    )
    return ProductDetail(
        product=product,
        variants=list(product.variants.all()),
        images=list(product.images.all()),
        videos=list(product.videos.all()),
        breadcrumbs=category_breadcrumbs(category=product.category),
    )
