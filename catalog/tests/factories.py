import io
from decimal import Decimal
from typing import Any

import factory
from django.core.files.base import ContentFile
from PIL import Image

from catalog.models import Category, Product, ProductImage, Variant


def png_bytes(colour: tuple[int, int, int] = (200, 120, 80), size: int = 64) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, "PNG")
    return buffer.getvalue()


class CategoryFactory(factory.django.DjangoModelFactory):
    """Categories are tree nodes: pass parent=... for a child, none for a root."""

    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")

    @classmethod
    def _create(
        cls, model_class: type[Category], *args: Any, parent: Category | None = None, **kwargs: Any
    ) -> Category:
        if parent is None:
            return Category.objects.add_root(create_kwargs=kwargs)  # type: ignore[no-any-return]
        return Category.objects.add_child(parent, create_kwargs=kwargs)  # type: ignore[no-any-return]


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "<p>A fine thing.</p>"


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU{n:05d}")
    price = Decimal("9.99")
    stock = 10


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.LazyFunction(lambda: ContentFile(png_bytes(), name="product.png"))
    alt_text = factory.LazyAttribute(lambda o: o.product.title)


def product_with(*, variants: int = 1, images: int = 0, **fields: Any) -> Product:
    """A product with the given number of variants and images."""
    product = ProductFactory(**fields)
    for n in range(variants):
        VariantFactory(product=product, position=n, price=Decimal("9.99") + n)
    for n in range(images):
        ProductImageFactory(product=product, position=n)
    return product
