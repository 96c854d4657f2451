"""The UCI Online Retail data, read into typed records.

Kept apart from the catalogue import so that other demo importers (customers and their order
history) can read the same lines: each RetailLine keeps its invoice, stock code and customer id as
they are in the data, so any row in the shop can be traced back to the rows it came from.

The data's quirks are decided here once: a leading "C" on the invoice is a cancellation; stock
codes that are not five digits plus an optional letter are postage and fees; stock adjustments
come with a blank or note-like description ("?", "damaged") and a unit price of 0.
"""

import csv
import gzip
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

_T = TypeVar("_T", str, Decimal)

RETAIL_CURRENCY = "GBP"
# The shop is in the UK and its invoices are stamped with local time.
RETAIL_TIME_ZONE = ZoneInfo("Europe/London")
RETAIL_COLUMNS = (
    "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country",
)  # fmt: skip

# Codes are upper-cased first: the data spells a few products both ways (85123A and 85123a).
_PRODUCT_CODE = re.compile(r"\d{5}[A-Z]?")
# A few charges hide behind product-like codes.
_CHARGE_DESCRIPTION = re.compile(r"\b(CARRIAGE|POSTAGE|PACKING CHARGE)\b", re.IGNORECASE)


class RetailDataError(Exception):
    """The files are not the Online Retail CSVs (wrong folder, columns or values)."""


@dataclass(frozen=True, slots=True)
class RetailLine:
    """One row of the data: a product (or fee) on an invoice."""

    invoice_no: str
    stock_code: str  # upper-cased
    description: str  # whitespace collapsed, otherwise as in the data
    quantity: int
    invoiced_at: datetime  # aware, UK time
    unit_price: Decimal
    customer_id: str  # "" for a guest order
    country: str

    @property
    def is_cancellation(self) -> bool:
        return self.invoice_no.startswith("C")

    @property
    def is_fee(self) -> bool:
        return not _PRODUCT_CODE.fullmatch(self.stock_code) or bool(_CHARGE_DESCRIPTION.search(self.description))

    @property
    def is_return(self) -> bool:
        """Goods coming back: a cancelled line, or a return or write-off booked as an adjustment."""
        return self.quantity < 0

    @property
    def is_sale(self) -> bool:
        """A product sold at a price: what the catalogue's names, prices and popularity come from.

        Stock adjustments have a unit price of 0, which also keeps out their notes ("damaged").
        """
        return (
            not self.is_cancellation
            and self.quantity > 0
            and self.unit_price > 0
            and any(c.isalpha() for c in self.description)
            and not self.is_fee
        )


def retail_files(*, path: Path) -> list[Path]:
    """The monthly files in a folder, oldest first (their names sort by month), or a single file."""
    if path.is_file():
        return [path]
    files = sorted([*path.glob("*.csv.gz"), *path.glob("*.csv")])
    if not files:
        raise RetailDataError(f"No .csv.gz or .csv files in {path}.")
    return files


def _customer_id(raw: str) -> str:
    # The data stores ids as floats ("13509.0").
    return raw.removesuffix(".0")


def retail_lines_read(*, path: Path) -> Iterator[RetailLine]:
    """Every row of the file(s) at `path`, in file order. Rows are not filtered: callers choose
    with the is_* properties, so that fees and cancellations stay available to those who need them."""
    for file in retail_files(path=path):
        opener = gzip.open if file.suffix == ".gz" else open
        with opener(file, "rt", encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle)
            header = tuple(next(rows, ()))
            if header != RETAIL_COLUMNS:
                raise RetailDataError(f"{file}: expected the columns {','.join(RETAIL_COLUMNS)}, got {header}.")
            for line_no, row in enumerate(rows, start=2):
                try:
                    invoice_no, code, description, quantity, invoiced_at, price, customer_id, country = row
                    line = RetailLine(
                        invoice_no=invoice_no,
                        stock_code=code.strip().upper(),
                        description=" ".join(description.split()),
                        quantity=int(quantity),
                        invoiced_at=datetime.fromisoformat(invoiced_at).replace(tzinfo=RETAIL_TIME_ZONE),
                        unit_price=Decimal(price),
                        customer_id=_customer_id(customer_id),
                        country=country,
                    )
                except (ValueError, InvalidOperation) as error:
                    raise RetailDataError(f"{file}, line {line_no}: {error}") from error
                yield line


@dataclass(frozen=True)
class RetailProduct:
    """A product as the data shows it: its usual name and price, and how well it sold lately."""

    stock_code: str
    description: str
    unit_price: Decimal
    units_sold_recently: int


@dataclass
class _Tally:
    descriptions: Counter[str] = field(default_factory=Counter)
    prices: Counter[Decimal] = field(default_factory=Counter)
    units_by_day: Counter[date] = field(default_factory=Counter)


def _most_common(counts: Counter[_T]) -> _T:
    """The most frequent value; ties go to the smallest, so that the result never depends on row order."""
    return max(sorted(counts), key=counts.__getitem__)


def retail_products(*, lines: Iterable[RetailLine], recent_days: int = 90) -> list[RetailProduct]:
    """The products sold in `lines`, by stock code.

    A product's description and price are the most common among its sales (a price changes now and
    then, and a few lines carry a discount). Units sold recently are those of the last `recent_days`
    days of the data, less cancellations, so the demo's best-sellers are the data's best-sellers
    whatever period the files cover. Products never sold at a price (only adjustments) are left out.
    """
    tallies: dict[str, _Tally] = {}
    latest: datetime | None = None
    for line in lines:
        latest = line.invoiced_at if latest is None else max(latest, line.invoiced_at)
        if line.is_sale:
            tally = tallies.setdefault(line.stock_code, _Tally())
            tally.descriptions[line.description] += 1
            tally.prices[line.unit_price] += 1
            tally.units_by_day[line.invoiced_at.date()] += line.quantity
        elif line.is_cancellation and line.unit_price > 0 and not line.is_fee:
            tally = tallies.setdefault(line.stock_code, _Tally())
            tally.units_by_day[line.invoiced_at.date()] += line.quantity
    if latest is None:
        return []
    since = latest.date() - timedelta(days=recent_days - 1)
    return [
        RetailProduct(
            stock_code=code,
            description=_most_common(tally.descriptions),
            unit_price=_most_common(tally.prices),
            units_sold_recently=max(0, sum(units for day, units in tally.units_by_day.items() if day >= since)),
        )
        for code, tally in sorted(tallies.items())
        if tally.prices
    ]
