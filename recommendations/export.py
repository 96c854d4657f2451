"""The interactions, products and customers in Amazon Personalize's format (ECOMMERCE domain).

Three CSV files with a header row, and the Avro schema of each (what CreateSchema takes):

- interactions.csv: USER_ID, ITEM_ID, TIMESTAMP (seconds), EVENT_TYPE: every purchase (one per
  order line, "Purchase"), view ("View") and add to cart ("AddToCart"); a visitor who never
  signed in is a user of their own ("visitor-<id>");
- items.csv: ITEM_ID, PRICE, CATEGORY_L1, CATEGORY_L2, CREATION_TIMESTAMP, IN_STOCK ("yes" or
  "no", what the in-stock filter reads), for active products;
- users.csv: USER_ID, COUNTRY (of the customer's default address, or of their latest order).

Ids are the shop's own: a product's id and a customer's id, so Personalize's answers map back to
products without a lookup. `destination` is a folder or an s3://bucket/prefix (written with
boto3: credentials from the environment or the instance role; AWS_ENDPOINT_URL_S3 points it
elsewhere, as the tests do at a moto server).
"""

import csv
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from django.db.models import Exists, OuterRef, Subquery

from accounts.models import Address, User
from catalog.models import Category, Product, Variant
from orders.models import Order, OrderLine
from recommendations.models import Interaction

NAMESPACE = "com.amazonaws.personalize.schema"
EVENT_TYPES: dict[str, str] = {
    Interaction.Kind.VIEW.value: "View",
    Interaction.Kind.CART.value: "AddToCart",
    Interaction.Kind.SEARCH_CLICK.value: "Click",
}
PURCHASE = "Purchase"
_NOT_PURCHASES = (Order.Status.CANCELLED, Order.Status.AWAITING_PAYMENT)

SCHEMAS: dict[str, dict[str, object]] = {
    "interactions": {
        "type": "record",
        "name": "Interactions",
        "namespace": NAMESPACE,
        "fields": [
            {"name": "USER_ID", "type": "string"},
            {"name": "ITEM_ID", "type": "string"},
            {"name": "TIMESTAMP", "type": "long"},
            {"name": "EVENT_TYPE", "type": "string"},
        ],
        "version": "1.0",
    },
    "items": {
        "type": "record",
        "name": "Items",
        "namespace": NAMESPACE,
        "fields": [
            {"name": "ITEM_ID", "type": "string"},
            {"name": "PRICE", "type": "float"},
            {"name": "CATEGORY_L1", "type": "string", "categorical": True},
            {"name": "CATEGORY_L2", "type": ["null", "string"], "categorical": True},
            {"name": "CREATION_TIMESTAMP", "type": "long"},
            {"name": "IN_STOCK", "type": "string", "categorical": True},
        ],
        "version": "1.0",
    },
    "users": {
        "type": "record",
        "name": "Users",
        "namespace": NAMESPACE,
        "fields": [
            {"name": "USER_ID", "type": "string"},
            {"name": "COUNTRY", "type": ["null", "string"], "categorical": True},
        ],
        "version": "1.0",
    },
}
HEADERS = {name: [field["name"] for field in schema["fields"]] for name, schema in SCHEMAS.items()}  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ExportResult:
    destination: str
    rows: dict[str, int]  # per data set
    files: list[str]


def visitor_user_id(visitor_id: str) -> str:
    return f"visitor-{visitor_id}"


def _interactions() -> Iterator[list[object]]:
    lines = (
        OrderLine.objects.filter(order__user__isnull=False, variant__isnull=False)
        .exclude(order__status__in=_NOT_PURCHASES)
        .values_list("order__user_id", "variant__product_id", "order__placed_at")
        .order_by("order__placed_at", "pk")
    )
    for user_id, product_id, placed_at in lines.iterator(chunk_size=20000):
        yield [str(user_id), str(product_id), int(placed_at.timestamp()), PURCHASE]
    events = Interaction.objects.values_list("user_id", "visitor_id", "product_id", "occurred_at", "kind").order_by(
        "occurred_at", "pk"
    )
    for user_id, visitor_id, product_id, at, kind in events.iterator(chunk_size=20000):
        who = str(user_id) if user_id is not None else visitor_user_id(visitor_id)
        yield [who, str(product_id), int(at.timestamp()), EVENT_TYPES[kind]]


def _items() -> Iterator[list[object]]:
    categories = {c.path: c for c in Category.objects.all()}
    variants = Variant.objects.filter(product=OuterRef("pk"))
    products = (
        Product.objects.filter(is_active=True)
        .annotate(
            price=Subquery(variants.order_by("price", "pk").values("price")[:1]),
            in_stock=Exists(variants.filter(stock__gt=0)),
        )
        .filter(price__isnull=False)
        .select_related("category")
        .order_by("pk")
    )
    for product in products.iterator(chunk_size=2000):
        path, step = product.category.path, product.category.steplen
        top = categories.get(path[:step])
        second = categories.get(path[: 2 * step]) if len(path) >= 2 * step else None
        yield [
            str(product.pk),
            f"{product.price:.2f}",
            top.name if top else product.category.name,
            second.name if second else "",
            int(product.created_at.timestamp()),
            "yes" if product.in_stock else "no",
        ]


def _users() -> Iterator[list[object]]:
    default_country = Address.objects.filter(user=OuterRef("pk"), is_default=True).values("country")[:1]
    last_country = Order.objects.filter(user=OuterRef("pk")).order_by("-placed_at").values("ship_country")[:1]
    users = (
        User.objects.filter(is_active=True)
        .annotate(default_country=Subquery(default_country), last_country=Subquery(last_country))
        .values_list("pk", "default_country", "last_country")
        .order_by("pk")
    )
    for pk, default, last in users.iterator(chunk_size=5000):
        yield [str(pk), default or last or ""]


def _write(path: Path, header: list[str], rows: Iterator[list[object]]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def personalize_export(*, destination: str) -> ExportResult:
    """Write the three data sets and their schemas to `destination` (a folder, created if need
    be, or an s3://bucket/prefix). Reads the database in chunks; nothing is changed."""
    target = urlsplit(destination)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) if target.scheme == "s3" else Path(destination)
        folder.mkdir(parents=True, exist_ok=True)
        rows = {
            "interactions": _write(folder / "interactions.csv", HEADERS["interactions"], _interactions()),
            "items": _write(folder / "items.csv", HEADERS["items"], _items()),
            "users": _write(folder / "users.csv", HEADERS["users"], _users()),
        }
        names = ["interactions.csv", "items.csv", "users.csv"]
        for name, schema in SCHEMAS.items():
            (folder / f"{name}.schema.json").write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
            names.append(f"{name}.schema.json")
        if target.scheme != "s3":
            return ExportResult(destination=str(folder), rows=rows, files=[str(folder / n) for n in names])
        s3 = boto3.client("s3")
        prefix = target.path.strip("/")
        keys = [f"{prefix}/{name}" if prefix else name for name in names]
        for name, key in zip(names, keys, strict=True):
            s3.upload_file(str(folder / name), target.netloc, key)
        return ExportResult(destination=destination, rows=rows, files=[f"s3://{target.netloc}/{key}" for key in keys])
