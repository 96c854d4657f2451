"""JSON shapes of the catalogue and search API. Money is a string amount next to its currency, never a float."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Category, Product, ProductImage, ProductVideo, Variant, stock_level
from catalog.search.selectors import SearchPage, Suggestions
from catalog.selectors import ProductDetail
from shop.api.fields import MoneySerializer, money


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


# The catalogue resources: categories, products and their variants. Built only when a cached
# response is stale (shop.api.cache), so their cost is paid once per change, not per request.


def stock_status(stock: int) -> str:
    """What shoppers are told (catalog.models.stock_level): exact counts only when few are left."""
    return {"out": "out_of_stock", "low": "low_stock", "in": "in_stock"}[stock_level(stock)]


class CategoryRefSerializer(serializers.Serializer[Category]):
    slug = serializers.CharField()
    name = serializers.CharField()


class CategorySerializer(CategoryRefSerializer):
    # Declared fields are taken off the class by DRF's metaclass, so this does not hide Field.parent.
    parent = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text="The parent's slug; null for a top-level category."
    )
    depth = serializers.IntegerField(help_text="1 for a top-level category.")
    description = serializers.CharField()
    is_featured = serializers.BooleanField()
    url = serializers.SerializerMethodField(help_text="The category's page on the website.")

    def get_parent(self, category: Category) -> str | None:
        return self.context["parents"].get(category.path[: -category.steplen]) if category.depth > 1 else None

    def get_url(self, category: Category) -> str:
        return self.context["request"].build_absolute_uri(category.get_absolute_url())  # type: ignore[no-any-return]


class ImageSerializer(serializers.Serializer[ProductImage]):
    url = serializers.SerializerMethodField(help_text="The original picture.")
    small = serializers.SerializerMethodField(help_text="WebP, at most 240 px wide and high.")
    medium = serializers.SerializerMethodField(help_text="WebP, at most 480 px.")
    large = serializers.SerializerMethodField(help_text="WebP, at most 960 px.")
    alt = serializers.CharField(source="alt_text")

    def _absolute(self, url: str) -> str:
        return self.context["request"].build_absolute_uri(url)  # type: ignore[no-any-return]

    def get_url(self, image: ProductImage) -> str:
        return self._absolute(image.image.url)

    def get_small(self, image: ProductImage) -> str:
        return self._absolute(image.thumb_small.url)

    def get_medium(self, image: ProductImage) -> str:
        return self._absolute(image.thumb_medium.url)

    def get_large(self, image: ProductImage) -> str:
        return self._absolute(image.thumb_large.url)


class ProductSummarySerializer(serializers.Serializer[Product]):
    slug = serializers.CharField()
    title = serializers.CharField()
    brand = serializers.CharField()
    category = CategoryRefSerializer()
    price = serializers.SerializerMethodField(help_text="The lowest price among the variants.")
    in_stock = serializers.BooleanField(help_text="Whether any variant can be bought now.")
    on_sale = serializers.BooleanField(help_text="Whether any variant is below its compare-at price.")
    image = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The product's page on the website.")

    @extend_schema_field(MoneySerializer)
    def get_price(self, product: Product) -> dict[str, str] | None:
        return money(product.price_from, product.currency)  # type: ignore[attr-defined]

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_image(self, product: Product) -> dict[str, Any] | None:
        images = list(product.images.all())
        return ImageSerializer(images[0], context=self.context).data if images else None

    def get_url(self, product: Product) -> str:
        return self.context["request"].build_absolute_uri(product.get_absolute_url())  # type: ignore[no-any-return]


class VariantSerializer(serializers.Serializer[Variant]):
    sku = serializers.CharField(help_text="What to add to the cart.")
    name = serializers.CharField()
    options = serializers.DictField(child=serializers.CharField(), help_text='e.g. {"size": "L"}')
    price = serializers.SerializerMethodField()
    compare_at_price = serializers.SerializerMethodField(help_text="The price before a reduction, if any.")
    on_sale = serializers.BooleanField(source="is_on_sale")
    stock_status = serializers.SerializerMethodField()
    stock = serializers.SerializerMethodField(help_text="Units left, given only when the status is low_stock.")

    @extend_schema_field(MoneySerializer)
    def get_price(self, variant: Variant) -> dict[str, str] | None:
        return money(variant.price, variant.currency)

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_compare_at_price(self, variant: Variant) -> dict[str, str] | None:
        return money(variant.compare_at_price, variant.currency)

    @extend_schema_field(serializers.ChoiceField(choices=["in_stock", "low_stock", "out_of_stock"]))
    def get_stock_status(self, variant: Variant) -> str:
        return stock_status(variant.stock)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_stock(self, variant: Variant) -> int | None:
        return variant.stock if stock_status(variant.stock) == "low_stock" else None


class VideoSerializer(serializers.Serializer[ProductVideo]):
    title = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, video: ProductVideo) -> str:
        return video.url or self.context["request"].build_absolute_uri(video.file.url)


class ProductDetailSerializer(serializers.Serializer[ProductDetail]):
    slug = serializers.CharField(source="product.slug")
    title = serializers.CharField(source="product.title")
    brand = serializers.CharField(source="product.brand")
    description = serializers.CharField(source="product.description", help_text="Sanitised HTML.")
    attributes = serializers.DictField(source="product.attributes")
    category = CategoryRefSerializer(source="product.category")
    breadcrumbs = CategoryRefSerializer(many=True, help_text="From the top-level category down to the product's.")
    in_stock = serializers.BooleanField()
    max_per_order = serializers.IntegerField(source="product.max_per_order", allow_null=True)
    variants = VariantSerializer(many=True)
    images = ImageSerializer(many=True)
    videos = VideoSerializer(many=True)
    url = serializers.SerializerMethodField(help_text="The product's page on the website.")

    def get_url(self, detail: ProductDetail) -> str:
        return self.context["request"].build_absolute_uri(detail.product.get_absolute_url())  # type: ignore[no-any-return]


class ProductListQuerySerializer(serializers.Serializer[Any]):
    """The list's parameters, for the documentation; ProductFilterForm validates them, as on the site."""

    category = serializers.CharField(
        required=False, help_text="A category's slug: its products and its subcategories'."
    )
    price_min = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False)
    price_max = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False)
    in_stock = serializers.BooleanField(required=False, help_text="Only products that can be bought now.")
    sort = serializers.ChoiceField(choices=["bestselling", "newest", "price", "-price"], required=False)
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=100, required=False, help_text="24 unless given.")
