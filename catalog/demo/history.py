"""The demo customers and their real order history, from the Online Retail data.

Each CustomerID becomes an account (catalog.demo.customers), and each of its invoices a delivered
order paid by bank transfer, with the invoice's products, quantities and unit prices, placed at the
invoice's date. Every imported row keeps where it came from: User.source_customer_id is the
CustomerID, Order.source_invoice the InvoiceNo, OrderLine.sku the StockCode.

What the data's quirks become, decided here once:

- Guest invoices (no CustomerID) are not imported: they belong to nobody's history and teach the
  recommendations nothing.
- Postage, fees, discounts and manual adjustments (POST, M, D, BANK CHARGES...) are not products and
  stay off the orders, as do lines without a price; shipping is 0.
- Cancellation invoices ("C" numbers) are not orders. Each of their product lines takes its units
  back from the same customer's latest earlier purchases of that product, and the order it came
  from records the refund: an order line keeps the units the customer kept (a line cancelled in full
  is left out), the order keeps the total invoiced, and its refunded total is the value cancelled,
  with status "partly refunded" (or "refunded" when nothing was kept) and an event naming the
  cancellation invoice. So every imported line is a purchase that stood, and an order's lines add
  up to its total less its refunds. Units cancelled with no earlier purchase in the data (bought
  before its first month) are left out and counted in the summary.

These orders are history: stock is not touched, no e-mail is sent, no cached page goes stale, and
the rows are written in bulk, not through the orders services. Safe to run again: a customer or
invoice imported before is left as it is.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from tqdm import tqdm

from catalog.demo.customers import DemoAccount, DemoCustomer, demo_customers_write, in_chunks
from catalog.demo.importer import DEMO_DATA
from catalog.demo.retail import RETAIL_CURRENCY, RetailLine, retail_lines_read
from catalog.demo.titles import title_from_description
from catalog.models import Variant
from orders.models import Order, OrderEvent, OrderLine
from shop.money import money_round

# Wholesale customers, paying by bank transfer; the shop's standard rate, free for them.
ORDER_PAYMENT_METHOD = "bank"
ORDER_SHIPPING_METHOD = "Standard delivery"
_ORDERS_PER_TRANSACTION = 1000


@dataclass(slots=True)
class PlannedLine:
    stock_code: str
    description: str
    quantity: int  # as invoiced
    unit_price: Decimal
    kept: int  # less what later cancellations took back


@dataclass(slots=True)
class PlannedRefund:
    invoice_no: str  # the cancellation's
    refunded_at: datetime
    units: int = 0
    amount: Decimal = Decimal(0)


@dataclass
class PlannedOrder:
    invoice_no: str
    customer_id: str
    placed_at: datetime
    lines: list[PlannedLine]
    refunds: dict[str, PlannedRefund] = field(default_factory=dict)  # by cancellation invoice, in date order

    @property
    def total(self) -> Decimal:
        return money_round(sum((line.quantity * line.unit_price for line in self.lines), Decimal(0)), RETAIL_CURRENCY)

    @property
    def refunded_total(self) -> Decimal:
        return money_round(sum((refund.amount for refund in self.refunds.values()), Decimal(0)), RETAIL_CURRENCY)

    @property
    def status(self) -> Order.Status:
        if not self.refunds:
            return Order.Status.DELIVERED
        return Order.Status.REFUNDED if self.refunded_total == self.total else Order.Status.PARTLY_REFUNDED


@dataclass(frozen=True)
class OrderHistoryPlan:
    customers: list[DemoCustomer]  # by CustomerID
    orders: list[PlannedOrder]  # by date
    guest_invoices: int
    cancellations_unmatched: int  # cancelled product lines with units that no earlier purchase explains


@dataclass(frozen=True)
class DemoHistoryResult:
    customers_created: int
    customers_existing: int
    customers_skipped: int  # e-mail address in use by an account that is not from the data
    orders_created: int
    orders_refunded: int  # of those created, with a cancellation recorded against them
    orders_existing: int
    orders_skipped: int  # their customer was skipped
    lines_created: int
    guest_invoices: int
    cancellations_unmatched: int


def _most_common(counts: Counter[str]) -> str:
    """Ties go to the first in alphabetical order, so that the result never depends on row order."""
    return max(sorted(counts), key=counts.__getitem__)


def _cancel(purchases: list[tuple[PlannedOrder, PlannedLine]], *, units: int, invoice_no: str, at: datetime) -> int:
    """Take `units` back from the latest purchases first; returns the units no purchase explains."""
    for order, line in reversed(purchases):
        if not units:
            break
        taken = min(units, line.kept)
        if not taken:
            continue
        line.kept -= taken
        units -= taken
        refund = order.refunds.setdefault(invoice_no, PlannedRefund(invoice_no=invoice_no, refunded_at=at))
        refund.units += taken
        refund.amount += taken * line.unit_price
    return units


def order_history_plan(*, lines: Iterable[RetailLine]) -> OrderHistoryPlan:
    """The customers of `lines` and their orders, with cancellations applied (see the module's notes).

    Invoices are taken in date order, an order before a cancellation stamped the same minute, so a
    cancellation only ever takes back what was bought before it.
    """
    invoices: dict[str, list[RetailLine]] = {}
    guests: set[str] = set()
    countries: dict[str, Counter[str]] = {}
    first_seen: dict[str, datetime] = {}
    for line in lines:
        if not line.customer_id:
            if not line.is_cancellation:
                guests.add(line.invoice_no)
            continue
        invoices.setdefault(line.invoice_no, []).append(line)
        countries.setdefault(line.customer_id, Counter())[line.country] += 1
        if line.customer_id not in first_seen or line.invoiced_at < first_seen[line.customer_id]:
            first_seen[line.customer_id] = line.invoiced_at

    # An invoice whose lines span a minute or two is placed when it was started.
    dated = sorted((min(row.invoiced_at for row in rows), no.startswith("C"), no) for no, rows in invoices.items())
    purchases: dict[tuple[str, str], list[tuple[PlannedOrder, PlannedLine]]] = {}
    orders: list[PlannedOrder] = []
    unmatched = 0
    for placed_at, cancellation, invoice_no in dated:
        rows = invoices[invoice_no]
        customer_id = rows[0].customer_id
        if cancellation:
            for row in rows:
                if row.quantity < 0 and not row.is_fee:
                    bought = purchases.get((customer_id, row.stock_code), [])
                    if _cancel(bought, units=-row.quantity, invoice_no=invoice_no, at=placed_at):
                        unmatched += 1
            continue
        planned = [
            PlannedLine(
                stock_code=row.stock_code,
                description=row.description,
                quantity=row.quantity,
                unit_price=price,
                kept=row.quantity,
            )
            for row in rows
            if row.is_sale and (price := money_round(row.unit_price, RETAIL_CURRENCY)) > 0
        ]
        if not planned:  # only fees or adjustments: nothing was bought
            continue
        order = PlannedOrder(invoice_no=invoice_no, customer_id=customer_id, placed_at=placed_at, lines=planned)
        orders.append(order)
        for planned_line in planned:
            purchases.setdefault((customer_id, planned_line.stock_code), []).append((order, planned_line))

    customers = [
        DemoCustomer(customer_id=customer_id, country=_most_common(countries[customer_id]), first_seen=seen)
        for customer_id, seen in sorted(first_seen.items())
    ]
    return OrderHistoryPlan(
        customers=customers, orders=orders, guest_invoices=len(guests), cancellations_unmatched=unmatched
    )


def _variants(codes: Sequence[str]) -> dict[str, tuple[int, str]]:
    """(variant id, product title) by SKU, for the stock codes the catalogue has."""
    found: dict[str, tuple[int, str]] = {}
    for chunk in in_chunks(codes):
        for sku, pk, title in Variant.objects.filter(sku__in=chunk).values_list("sku", "pk", "product__title"):
            found[sku] = (pk, title)
    return found


def _order(plan: PlannedOrder, account: DemoAccount) -> Order:
    ship_to = account.ship_to
    return Order(
        user_id=account.user_id,
        email=account.email,
        status=plan.status,
        language="en",
        currency=RETAIL_CURRENCY,
        subtotal=plan.total,
        shipping_total=Decimal("0.00"),
        tax_total=Decimal("0.00"),
        total=plan.total,
        refunded_total=plan.refunded_total,
        shipping_method_name=ORDER_SHIPPING_METHOD,
        payment_method=ORDER_PAYMENT_METHOD,
        ship_name=ship_to.name,
        ship_line1=ship_to.line1,
        ship_line2=ship_to.line2,
        ship_city=ship_to.city,
        ship_postcode=ship_to.postcode,
        ship_country=ship_to.country,
        ship_phone=ship_to.phone,
        source_invoice=plan.invoice_no,
        placed_at=plan.placed_at,
        paid_at=plan.placed_at,
    )


def _events(order: Order, plan: PlannedOrder) -> list[OrderEvent]:
    """How the order got its status. The events are dated when they are imported (their dates in
    the data are in the notes)."""
    events = [
        OrderEvent(
            order=order,
            to_status=Order.Status.DELIVERED,
            note=f"Imported from the Online Retail data: invoice {plan.invoice_no}",
        )
    ]
    status, refunded = Order.Status.DELIVERED, Decimal(0)
    for refund in plan.refunds.values():
        refunded += refund.amount
        after = Order.Status.REFUNDED if refunded == plan.total else Order.Status.PARTLY_REFUNDED
        events.append(
            OrderEvent(
                order=order,
                from_status=status,
                to_status=after,
                note=f"Cancelled by invoice {refund.invoice_no} of {refund.refunded_at:%Y-%m-%d} "
                f"({refund.units} unit{'' if refund.units == 1 else 's'}): "
                f"{money_round(refund.amount, RETAIL_CURRENCY)} {RETAIL_CURRENCY} refunded",
            )
        )
        status = after
    return events


def _orders_create(
    plans: list[PlannedOrder], *, accounts: dict[str, DemoAccount], variants: dict[str, tuple[int, str]]
) -> int:
    """One batch of orders with their lines and events, in one transaction; returns the lines written."""
    with transaction.atomic():
        orders = Order.objects.bulk_create(_order(plan, accounts[plan.customer_id]) for plan in plans)
        lines = []
        for order, plan in zip(orders, plans, strict=True):
            for line in plan.lines:
                if not line.kept:
                    continue
                variant_id, title = variants.get(line.stock_code, (None, ""))
                lines.append(
                    OrderLine(
                        order=order,
                        variant_id=variant_id,
                        product_title=title or title_from_description(line.description)[:200],
                        sku=line.stock_code,
                        quantity=line.kept,
                        unit_price=line.unit_price,
                        line_total=money_round(line.kept * line.unit_price, RETAIL_CURRENCY),
                    )
                )
        OrderLine.objects.bulk_create(lines, batch_size=2000)
        OrderEvent.objects.bulk_create(
            (event for order, plan in zip(orders, plans, strict=True) for event in _events(order, plan)),
            batch_size=2000,
        )
    return len(lines)


def _orders_write(
    plans: list[PlannedOrder], *, accounts: dict[str, DemoAccount], progress: bool
) -> tuple[int, int, int, int, int]:
    """Create the orders not imported before, a thousand to a transaction, so that an interrupted
    run keeps what it finished. Returns (created, refunded, existing, skipped, lines)."""
    existing: set[str] = set()
    for chunk in in_chunks([plan.invoice_no for plan in plans]):
        existing.update(Order.objects.filter(source_invoice__in=chunk).values_list("source_invoice", flat=True))
    new = [plan for plan in plans if plan.invoice_no not in existing and plan.customer_id in accounts]
    skipped = sum(1 for plan in plans if plan.invoice_no not in existing and plan.customer_id not in accounts)
    variants = _variants(sorted({line.stock_code for plan in new for line in plan.lines}))

    lines = 0
    with tqdm(total=len(new), desc="Orders", unit=" orders", disable=not progress) as bar:
        for start in range(0, len(new), _ORDERS_PER_TRANSACTION):
            batch = new[start : start + _ORDERS_PER_TRANSACTION]
            lines += _orders_create(batch, accounts=accounts, variants=variants)
            bar.update(len(batch))
    refunded = sum(1 for plan in new if plan.refunds)
    return len(new), refunded, len(plans) - len(new) - skipped, skipped, lines


def demo_history_load(*, path: Path = DEMO_DATA, progress: bool = False) -> DemoHistoryResult:
    """Load the customers of the Online Retail files at `path` and their order history.

    Run it after the catalogue import (catalog.demo.importer), so that order lines link to the
    imported variants; a line whose product is not in the catalogue keeps its SKU and a title made
    from the data's description, without a variant. `progress` shows progress bars on standard
    error. Raises RetailDataError for files that are not the Online Retail CSVs.
    """
    lines = tqdm(retail_lines_read(path=path), desc="Reading orders", unit=" lines", disable=not progress)
    plan = order_history_plan(lines=lines)
    customers = demo_customers_write(customers=plan.customers, progress=progress)
    created, refunded, existing, skipped, lines_created = _orders_write(
        plan.orders, accounts=customers.accounts, progress=progress
    )
    return DemoHistoryResult(
        customers_created=customers.created,
        customers_existing=customers.existing,
        customers_skipped=customers.skipped,
        orders_created=created,
        orders_refunded=refunded,
        orders_existing=existing,
        orders_skipped=skipped,
        lines_created=lines_created,
        guest_invoices=plan.guest_invoices,
        cancellations_unmatched=plan.cancellations_unmatched,
    )
