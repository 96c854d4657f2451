"""Staff screens for the catalogue. Every write goes through catalog.services."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.db.models import Min, QuerySet, Sum
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from catalog import services
from catalog.exceptions import CatalogError
from catalog.models import Category, Product, ProductImage, ProductVideo, StockAdjustment, Variant


@admin.register(Category)
class CategoryAdmin(TreeAdmin):
    form = movenodeform_factory(Category)
    list_display = ("name", "slug", "is_featured")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.category_changed()

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        super().delete_model(request, obj)
        services.category_changed()

    def move_node(self, request: HttpRequest) -> HttpResponse:
        response = super().move_node(request)
        services.category_changed()
        return response  # type: ignore[no-any-return]


class VariantInline(admin.TabularInline[Variant, Product]):
    model = Variant
    extra = 0
    fields = ("sku", "name", "price", "compare_at_price", "currency", "stock", "weight_grams", "position")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Stock on existing variants changes only through recorded adjustments.
        return ("stock",) if obj is not None else ()


class ProductImageInline(admin.TabularInline[ProductImage, Product]):
    model = ProductImage
    extra = 0
    fields = ("preview", "image", "alt_text", "position")
    readonly_fields = ("preview",)

    @admin.display(description=_("preview"))
    def preview(self, obj: ProductImage) -> str:
        if not obj.pk or not obj.image:
            return ""
        return format_html('<img src="{}" alt="" width="80" height="80" style="object-fit:cover">', obj.thumb_small.url)


class ProductVideoInline(admin.TabularInline[ProductVideo, Product]):
    model = ProductVideo
    extra = 0
    fields = ("title", "file", "url", "position")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class PriceChangeForm(forms.Form):
    percent = forms.DecimalField(
        label=_("Change prices by (%)"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("-99.99"),
        max_value=Decimal("1000"),
        help_text=_("e.g. 10 raises every variant's price by 10%; -15 lowers it by 15%."),
    )


class StockStatusFilter(admin.SimpleListFilter):
    title = _("stock")
    parameter_name = "stock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("out", _("Out of stock")), ("in", _("In stock"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> QuerySet[Product]:
        if self.value() == "out":
            return queryset.exclude(variants__stock__gt=0)
        if self.value() == "in":
            return queryset.filter(variants__stock__gt=0).distinct()
        return queryset


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ("title", "category", "price_from", "stock_total", "is_active", "popularity", "updated_at")
    list_filter = ("is_active", StockStatusFilter, "category")
    list_select_related = ("category",)
    search_fields = ("title", "slug", "variants__sku", "brand")
    prepopulated_fields = {"slug": ("title",)}
    inlines = (VariantInline, ProductImageInline, ProductVideoInline)
    actions = ("activate", "deactivate", "change_prices")
    readonly_fields = ("created_at", "updated_at", "source_code")
    list_per_page = 50
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "category",
                    "brand",
                    "description",
                    "attributes",
                    "is_active",
                    "max_per_order",
                )
            },
        ),
        (_("Search engines"), {"fields": ("seo_title", "seo_description"), "classes": ("collapse",)}),
        (_("Data"), {"fields": ("popularity", "source_code", "created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return super().get_queryset(request).annotate(_price_from=Min("variants__price"), _stock=Sum("variants__stock"))

    @admin.display(description=_("price from"), ordering="_price_from")
    def price_from(self, obj: Product) -> Decimal | None:
        return obj._price_from  # type: ignore[attr-defined, no-any-return]

    @admin.display(description=_("stock"), ordering="_stock")
    def stock_total(self, obj: Product) -> int:
        return obj._stock or 0  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        services.product_save(product=obj)

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        services.product_delete(product=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        for product in queryset:
            services.product_delete(product=product)

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseInlineFormSet[Any, Any, Any], change: bool
    ) -> None:
        # The product's page is already marked stale by product_save in save_model; that happens
        # when this whole request's transaction commits, so it covers images and videos too.
        if formset.model is not Variant:
            super().save_formset(request, form, formset, change)
            return
        variants = formset.save(commit=False)
        for variant in formset.deleted_objects:
            variant.delete()
        for variant in variants:
            services.variant_save(variant=variant, user=request.user)  # type: ignore[arg-type]

    @admin.action(description=_("Activate selected products"), permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        count = services.products_set_active(product_ids=queryset.values_list("pk", flat=True), active=True)
        self.message_user(request, ngettext("%d product activated.", "%d products activated.", count) % count)

    @admin.action(description=_("Deactivate selected products"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        count = services.products_set_active(product_ids=queryset.values_list("pk", flat=True), active=False)
        self.message_user(request, ngettext("%d product deactivated.", "%d products deactivated.", count) % count)

    @admin.action(description=_("Change prices by a percentage"), permissions=["change"])
    def change_prices(self, request: HttpRequest, queryset: QuerySet[Product]) -> HttpResponse | None:
        form = PriceChangeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                count = services.variant_prices_change_by_percent(
                    product_ids=queryset.values_list("pk", flat=True), percent=form.cleaned_data["percent"]
                )
            except CatalogError as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
                return None
            self.message_user(request, ngettext("%d price changed.", "%d prices changed.", count) % count)
            return None
        return TemplateResponse(
            request,
            "admin/catalog/product/change_prices.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Change prices by a percentage"),
                "form": form,
                "products": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )


class StockAdjustmentForm(forms.ModelForm[StockAdjustment]):
    """Staff either add/remove units (change) or enter a counted quantity (set to)."""

    set_to = forms.IntegerField(
        label=_("or set stock to"), required=False, min_value=0, help_text=_("The quantity counted on the shelf.")
    )

    class Meta:
        model = StockAdjustment
        fields = ("variant", "delta", "set_to", "reason", "note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delta"].required = False
        self.fields["delta"].help_text = _("Units to add (positive) or remove (negative).")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        delta, set_to, variant = data.get("delta"), data.get("set_to"), data.get("variant")
        if (delta is None) == (set_to is None):
            raise forms.ValidationError(_("Enter either a change or a quantity to set, not both."))
        if delta is not None and variant is not None and variant.stock + delta < 0:
            raise forms.ValidationError(
                _("%(sku)s has %(stock)d in stock; it cannot lose %(units)d.")
                % {"sku": variant.sku, "stock": variant.stock, "units": -delta}
            )
        return data


@admin.register(StockAdjustment)
class StockAdjustmentAdmin(admin.ModelAdmin[StockAdjustment]):
    form = StockAdjustmentForm
    list_display = ("created_at", "variant", "delta", "quantity_after", "reason", "user", "note")
    list_filter = ("reason", "created_at")
    list_select_related = ("variant", "user")
    search_fields = ("variant__sku", "variant__product__title", "note", "user__email")
    autocomplete_fields = ("variant",)
    date_hierarchy = "created_at"

    def has_change_permission(self, request: HttpRequest, obj: StockAdjustment | None = None) -> bool:
        return False  # the ledger is append-only

    def has_delete_permission(self, request: HttpRequest, obj: StockAdjustment | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: StockAdjustment, form: Any, change: bool) -> None:
        data = form.cleaned_data
        common = {"variant": data["variant"], "reason": data["reason"], "user": request.user, "note": data["note"]}
        if data.get("set_to") is not None:
            adjustment = services.stock_set(quantity=data["set_to"], **common)
        else:
            adjustment = services.stock_adjust(delta=data["delta"], **common)
        # The admin logs and links to the object it was given; point it at the recorded row.
        obj.__dict__.update({f.attname: getattr(adjustment, f.attname) for f in StockAdjustment._meta.concrete_fields})

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except CatalogError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin[Variant]):
    """Mostly for search (the stock adjustment form looks variants up here)."""

    list_display = ("sku", "product", "name", "price", "currency", "stock")
    search_fields = ("sku", "product__title")
    list_select_related = ("product",)
    readonly_fields = ("stock",)

    def save_model(self, request: HttpRequest, obj: Variant, form: Any, change: bool) -> None:
        services.variant_save(variant=obj, user=request.user)  # type: ignore[arg-type]


# Search's staff screens (synonyms, the search log and its report) live with search.
import catalog.search.admin  # noqa: E402, F401
