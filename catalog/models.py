from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from imagekit.models import ImageSpecField
from imagekit.processors import ResizeToFit
from treebeard.mp_tree import MP_Node


def stock_level(stock: int) -> str:
    """What shoppers are told of a stock count: 'out', 'low' (at most CATALOG_LOW_STOCK left, when
    pages and the API give the count: "Only 3 left") or 'in'. Pages, the API and the page cache's
    invalidation (catalog.services.products_stock_changed) all go by it."""
    if stock <= 0:
        return "out"
    return "low" if stock <= settings.CATALOG_LOW_STOCK else "in"


def _shop_currency() -> str:
    return str(settings.SHOP_CURRENCY)


class Category(MP_Node):
    """A node of the category tree.

    The materialised path (treebeard) gives a node's ancestors, for breadcrumbs, and its whole
    subtree, for listings, each in one query.
    """

    # Annotated by hand: treebeard ships no type hints, so the type checker cannot infer them.
    name: "models.CharField[str, str]" = models.CharField(_("name"), max_length=120)
    slug: "models.SlugField[str, str]" = models.SlugField(_("slug"), max_length=140, unique=True)
    description: "models.TextField[str, str]" = models.TextField(_("description"), blank=True)
    is_featured: "models.BooleanField[bool, bool]" = models.BooleanField(_("featured on the home page"), default=False)
    seo_title: "models.CharField[str, str]" = models.CharField(_("SEO title"), max_length=70, blank=True)
    seo_description: "models.CharField[str, str]" = models.CharField(_("SEO description"), max_length=160, blank=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return str(self.name)

    def get_absolute_url(self) -> str:
        return reverse("catalog:category", kwargs={"slug": self.slug})


class Product(models.Model):
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("HTML; unsafe tags and attributes are removed on save.")
    )
    brand = models.CharField(_("brand"), max_length=120, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    seo_title = models.CharField(_("SEO title"), max_length=70, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=160, blank=True)
    max_per_order = models.PositiveIntegerField(
        _("maximum per order"),
        null=True,
        blank=True,
        help_text=_("Most units of this product one order may hold (e.g. in a sale); empty for no limit."),
    )
    popularity = models.PositiveIntegerField(
        _("popularity"), default=0, help_text=_("Units sold recently; drives the best-selling sort.")
    )
    source_code = models.CharField(
        _("source code"), max_length=32, blank=True, help_text=_("Identifier in the imported data, if any.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["is_active", "-created_at"], name="product_active_new"),
            models.Index(fields=["is_active", "-popularity"], name="product_active_popular"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:product", kwargs={"slug": self.slug})


class Variant(models.Model):
    """What is actually sold: a SKU with its price and its stock.

    Stock lives here and nowhere else, and the database refuses a negative quantity.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120, blank=True, help_text=_("e.g. 'Large / Red'"))
    options = models.JSONField(_("options"), default=dict, blank=True, help_text=_('e.g. {"size": "L"}'))
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    compare_at_price = models.DecimalField(
        _("compare-at price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default=_shop_currency)
    stock = models.IntegerField(_("stock on hand"), default=0)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_not_negative"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gte=0),
                name="variant_compare_at_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}".strip()

    @property
    def is_on_sale(self) -> bool:
        return self.compare_at_price is not None and self.compare_at_price > self.price


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to="products/%Y/%m/")
    alt_text = models.CharField(_("alt text"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    # Responsive renditions in WebP, written when the image is saved (imagekit, optimistic strategy).
    thumb_small = ImageSpecField(
        source="image",
        processors=[ResizeToFit(240, 240, upscale=False)],
        format="WEBP",
        options={"quality": 80, "method": 2},
    )
    thumb_medium = ImageSpecField(
        source="image",
        processors=[ResizeToFit(480, 480, upscale=False)],
        format="WEBP",
        options={"quality": 80, "method": 2},
    )
    thumb_large = ImageSpecField(
        source="image",
        processors=[ResizeToFit(960, 960, upscale=False)],
        format="WEBP",
        options={"quality": 82, "method": 2},
    )

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.alt_text or self.image.name


class ProductVideo(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="videos")
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="videos/%Y/%m/", blank=True)
    url = models.URLField(_("URL"), blank=True, help_text=_("A video hosted elsewhere, instead of a file."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product video")
        verbose_name_plural = _("product videos")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="video_file_or_url",
                violation_error_message=_("Give either a file or a URL, not both."),
            )
        ]

    def __str__(self) -> str:
        return self.title or self.url or self.file.name


class StockAdjustment(models.Model):
    """The ledger of every stock change made by staff, imports or the warehouse sync."""

    class Reason(models.TextChoices):
        RECEIVED = "received", _("Goods received")
        COUNT = "count", _("Stock count")
        DAMAGED = "damaged", _("Damaged or lost")
        RETURNED = "returned", _("Returned to stock")
        SYNC = "sync", _("Warehouse sync")
        INITIAL = "initial", _("Initial stock")
        CORRECTION = "correction", _("Correction")

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="adjustments")
    delta = models.IntegerField(_("change"))
    quantity_after = models.IntegerField(_("quantity after"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("stock adjustment")
        verbose_name_plural = _("stock adjustments")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.variant.sku} {self.delta:+d} → {self.quantity_after}"


# Search's models (catalog/search/models.py) belong to this app; importing them here registers them.
from catalog.search.models import (  # noqa: E402, F401
    RecentSearch,
    SearchAttribute,
    SearchClick,
    SearchDocument,
    SearchQuery,
    SearchSynonym,
    SearchTerm,
)
