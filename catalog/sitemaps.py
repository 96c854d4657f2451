from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from catalog.models import Category, Product


class ProductSitemap(Sitemap[Product]):
    changefreq = "daily"
    priority = 0.8
    i18n = True
    alternates = True
    x_default = True

    def items(self) -> QuerySet[Product]:
        return Product.objects.filter(is_active=True).order_by("pk").only("slug", "updated_at")

    def lastmod(self, item: Product):  # type: ignore[no-untyped-def]
        return item.updated_at


class CategorySitemap(Sitemap[Category]):
    changefreq = "daily"
    priority = 0.6
    i18n = True
    alternates = True
    x_default = True

    def items(self) -> QuerySet[Category]:
        categories: QuerySet[Category] = Category.objects.order_by("path").only("slug")
        return categories


sitemaps = {"products": ProductSitemap, "categories": CategorySitemap}
