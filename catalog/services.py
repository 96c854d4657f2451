"""Writes to the catalogue. Admin, commands, the importer and later the API all call these."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import nh3
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify

from accounts.models import User
from catalog.cache import catalog_changed
from catalog.exceptions import InvalidPriceChange, InvalidStockQuantity, StockImportError, UnknownSku
from catalog.models import Product, StockAdjustment, Variant, stock_level
from catalog.search.services import search_catalogue_changed, search_products_changed
from shop.money import money_round

# Tags a product description may use; everything else (scripts, styles, event handlers, iframes)
# is removed. Links get rel="noopener noreferrer" from nh3.
DESCRIPTION_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "h4",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip
DESCRIPTION_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan"}, "th": {"colspan", "scope"}}


def description_clean(html: str) -> str:
    """Sanitise staff-entered rich text so that it is safe to show to shoppers as HTML."""
    return nh3.clean(html, tags=DESCRIPTION_TAGS, attributes=DESCRIPTION_ATTRIBUTES).strip()


def slug_unique(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:200] or "product"
    slug, n = base, 1
    taken = Product.objects.all() if exclude_pk is None else Product.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def category_changed() -> None:
    """Categories show in every page's navigation and breadcrumbs."""
    catalog_changed(listings=True)
    search_catalogue_changed()


def products_changed(*, products: Iterable[Product], listings: bool = True) -> None:
    """Everything shown from these products goes stale once the transaction commits: their pages,
    their search documents and, unless `listings` is False, the listings. Listings and search show
    only whether a product is in stock, so a stock change that does not cross zero passes False.

    The one call every write to products, prices or stock makes (orders included); stock writes
    make it through products_stock_changed, which leaves out changes nobody sees."""
    products = list(products)
    catalog_changed(product_slugs=[product.slug for product in products], listings=listings)
    search_products_changed(product_ids=[product.pk for product in products], relevant=listings)


def stock_crossed_zero(*, before: int, after: int) -> bool:
    return (before == 0) != (after == 0)


def products_stock_changed(*, products: Iterable[Product], changes: Iterable[tuple[int, int]]) -> None:
    """products_changed for a stock write, given each variant's (before, after): only what shows
    goes stale. Whether a product is in stock shows everywhere (listings, search, its page); how
    many are left shows on its page and in the API only while few are (at most CATALOG_LOW_STOCK:
    "Only 3 left"). Plenty staying plenty shows nowhere, so through a sale every order leaves the
    product's cached page as it is until stock runs low. `products` is read only if needed."""
    changes = list(changes)
    # Unseen only when the level is "in" before and after: no count shown, still in stock.
    if any({stock_level(before), stock_level(after)} != {"in"} for before, after in changes):
        listings = any(stock_crossed_zero(before=before, after=after) for before, after in changes)
        products_changed(products=products, listings=listings)


def _products(product_ids: Iterable[int]) -> QuerySet[Product]:
    return Product.objects.filter(pk__in=list(product_ids)).only("pk", "slug")


def product_save(*, product: Product) -> Product:
    """Create or update a product (fields already validated by a form or the caller)."""
    product.description = description_clean(product.description)
    if not product.slug:
        product.slug = slug_unique(product.title, exclude_pk=product.pk)
    with transaction.atomic():
        before = list(_products([product.pk])) if product.pk else []  # its page under the old slug too
        product.save()
        products_changed(products=[*before, product])
    return product


def product_delete(*, product: Product) -> None:
    with transaction.atomic():
        products_changed(products=[product])
        product.delete()


def products_set_active(*, product_ids: Iterable[int], active: bool) -> int:
    ids = list(product_ids)
    with transaction.atomic():
        count = Product.objects.filter(pk__in=ids).exclude(is_active=active).update(is_active=active)
        products_changed(products=_products(ids))
    return count


def variant_prices_change_by_percent(*, product_ids: Iterable[int], percent: Decimal) -> int:
    """Raise (or with a negative percent, lower) every variant's price, rounded per currency."""
    if percent <= Decimal("-100"):
        raise InvalidPriceChange("A price cannot be lowered by 100% or more.")
    ids = list(product_ids)
    factor = 1 + percent / 100
    with transaction.atomic():
        variants = list(Variant.objects.select_for_update().filter(product_id__in=ids).order_by("pk"))
        for variant in variants:
            variant.price = money_round(variant.price * factor, variant.currency)
        Variant.objects.bulk_update(variants, ["price"])
        products_changed(products=_products(ids))
    return len(variants)


def variant_save(*, variant: Variant, user: User | None = None) -> Variant:
    """Create or update a variant. Stock is only set here on creation; later changes go through
    stock_adjust / stock_set so that each one is recorded."""
    created = variant.pk is None
    if variant.stock < 0:
        raise InvalidStockQuantity("Stock cannot be negative.")
    with transaction.atomic():
        if created:
            variant.save()
            if variant.stock:
                StockAdjustment.objects.create(
                    variant=variant,
                    delta=variant.stock,
                    quantity_after=variant.stock,
                    reason=StockAdjustment.Reason.INITIAL,
                    user=user,
                )
        else:
            variant.save(
                update_fields=[f.attname for f in Variant._meta.concrete_fields if f.name not in ("id", "stock")]
            )
        products_changed(products=_products([variant.product_id]))
    return variant


def _stock_write(
    variant: Variant, *, quantity: int, reason: str, user: User | None, note: str, old: int
) -> StockAdjustment:
    Variant.objects.filter(pk=variant.pk).update(stock=quantity)
    variant.stock = quantity
    products_stock_changed(products=_products([variant.product_id]), changes=[(old, quantity)])
    return StockAdjustment.objects.create(
        variant=variant, delta=quantity - old, quantity_after=quantity, reason=reason, user=user, note=note
    )


def stock_adjust(
    *, variant: Variant, delta: int, reason: str, user: User | None = None, note: str = ""
) -> StockAdjustment:
    """Add (or with a negative delta, remove) units, recorded. Locks the variant's row."""
    with transaction.atomic():
        locked = Variant.objects.select_for_update().get(pk=variant.pk)
        quantity = locked.stock + delta
        if quantity < 0:
            raise InvalidStockQuantity(f"{locked.sku} has {locked.stock} in stock; cannot remove {-delta}.")
        adjustment = _stock_write(locked, quantity=quantity, reason=reason, user=user, note=note, old=locked.stock)
    variant.stock = quantity
    return adjustment


def stock_set(
    *, variant: Variant, quantity: int, reason: str, user: User | None = None, note: str = ""
) -> StockAdjustment:
    """Set the quantity on hand (a count, or the warehouse's figure), recorded. Locks the row."""
    if quantity < 0:
        raise InvalidStockQuantity(f"Stock cannot be negative (got {quantity} for {variant.sku}).")
    with transaction.atomic():
        locked = Variant.objects.select_for_update().get(pk=variant.pk)
        adjustment = _stock_write(locked, quantity=quantity, reason=reason, user=user, note=note, old=locked.stock)
    variant.stock = quantity
    return adjustment


def stock_set_by_sku(
    *, sku: str, quantity: int, reason: str = StockAdjustment.Reason.SYNC, user: User | None = None, note: str = ""
) -> StockAdjustment:
    variant = Variant.objects.filter(sku=sku).first()
    if variant is None:
        raise UnknownSku(f"No variant has the SKU {sku!r}.")
    return stock_set(variant=variant, quantity=quantity, reason=reason, user=user, note=note)


@dataclass(frozen=True)
class StockImportResult:
    changed: int
    unchanged: int


def stock_import_csv(*, file: IO[str], user: User | None = None, note: str = "") -> StockImportResult:
    """Set stock from `sku,quantity` rows (a header row is optional). All or nothing: any bad row
    is reported with its line number and nothing is applied."""
    rows: dict[str, int] = {}
    errors: list[str] = []
    for line_no, row in enumerate(csv.reader(file), start=1):
        if not row or not "".join(row).strip():
            continue
        if line_no == 1 and row[0].strip().lower() == "sku":
            continue
        if len(row) != 2:
            errors.append(f"line {line_no}: expected 'sku,quantity', got {len(row)} fields")
            continue
        sku, raw_quantity = row[0].strip(), row[1].strip()
        try:
            quantity = int(raw_quantity)
        except ValueError:
            errors.append(f"line {line_no}: quantity {raw_quantity!r} is not a whole number")
            continue
        if quantity < 0:
            errors.append(f"line {line_no}: quantity {quantity} is negative")
        elif sku in rows:
            errors.append(f"line {line_no}: SKU {sku} appears twice")
        else:
            rows[sku] = quantity
    known = dict(Variant.objects.filter(sku__in=rows).values_list("sku", "pk"))
    errors += [f"unknown SKU {sku}" for sku in rows if sku not in known]
    if errors:
        raise StockImportError(errors)

    changed = 0
    with transaction.atomic():
        # Lock in primary-key order, as checkout does, so the two can never deadlock.
        for variant in Variant.objects.select_for_update().filter(pk__in=known.values()).order_by("pk"):
            quantity = rows[variant.sku]
            if quantity != variant.stock:
                _stock_write(
                    variant,
                    quantity=quantity,
                    reason=StockAdjustment.Reason.SYNC,
                    user=user,
                    note=note,
                    old=variant.stock,
                )
                changed += 1
    return StockImportResult(changed=changed, unchanged=len(rows) - changed)


def product_create(
    *,
    category: Any,
    title: str,
    variants: list[dict[str, Any]],
    description: str = "",
    brand: str = "",
    attributes: dict[str, Any] | None = None,
    is_active: bool = True,
    user: User | None = None,
) -> Product:
    """Create a product with its variants in one transaction (used by tests, imports and the API)."""
    with transaction.atomic():
        product = product_save(
            product=Product(
                category=category,
                title=title,
                description=description,
                brand=brand,
                attributes=attributes or {},
                is_active=is_active,
            )
        )
        for position, fields in enumerate(variants):
            variant_save(variant=Variant(product=product, position=position, **fields), user=user)
    return product
