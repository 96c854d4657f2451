import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.demo.history import demo_history_load
from catalog.demo.importer import DEMO_DATA, demo_catalog_load
from catalog.demo.retail import RetailDataError


class Command(BaseCommand):
    help = (
        "Load the demo shop: the products of the UCI Online Retail data, with categories, prices, stock and "
        "pictures, then its customers (made-up names and addresses, e-mails on example.com) and their order "
        "history. Safe to run again: it adds what is missing and changes nothing staff edited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data",
            type=Path,
            default=DEMO_DATA,
            help="A folder of monthly Online Retail CSVs (.csv.gz), or one file. "
            "Default: the three months shipped with Pasar.",
        )
        parser.add_argument("--no-images", action="store_false", dest="images", help="Skip the pictures (much faster).")
        parser.add_argument(
            "--no-orders", action="store_false", dest="orders", help="Skip the customers and their order history."
        )
        parser.add_argument("--limit", type=int, help="Load only the first N products by stock code.")
        parser.add_argument(
            "--processes",
            type=int,
            default=os.cpu_count() or 1,
            help="Worker processes drawing pictures (default: one per CPU).",
        )

    def handle(
        self,
        *args: Any,
        data: Path | str,
        images: bool,
        limit: int | None,
        processes: int,
        orders: bool = True,
        **options: Any,
    ) -> None:
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        started = time.monotonic()
        path = Path(data)  # call_command passes options through as given, e.g. a str
        progress = options["verbosity"] > 0
        try:
            result = demo_catalog_load(
                path=path, images=images, limit=limit, processes=max(1, processes), progress=progress
            )
            history = demo_history_load(path=path, progress=progress) if orders else None
        except (RetailDataError, OSError) as exc:
            raise CommandError(f"Cannot load the demo data from {data}: {exc}") from exc
        skipped = f", {result.products_skipped:,} skipped (SKU in use)" if result.products_skipped else ""
        self.stdout.write(
            f"Read {result.lines:,} lines; done in {time.monotonic() - started:.1f} s.\n"
            f"Products: {result.products_created:,} created, {result.products_updated:,} with new popularity, "
            f"{result.products_unchanged:,} unchanged{skipped}.\n"
            f"Categories: {result.categories_created:,} created. Pictures: {result.images_created:,} created."
        )
        if history is None:
            return
        customers_skipped = (
            f", {history.customers_skipped:,} skipped (e-mail in use)" if history.customers_skipped else ""
        )
        orders_skipped = f", {history.orders_skipped:,} skipped (customer skipped)" if history.orders_skipped else ""
        self.stdout.write(
            f"Customers: {history.customers_created:,} created, {history.customers_existing:,} unchanged"
            f"{customers_skipped}.\n"
            f"Orders: {history.orders_created:,} created ({history.orders_refunded:,} with cancellations refunded), "
            f"{history.orders_existing:,} unchanged{orders_skipped}. Order lines: {history.lines_created:,} created.\n"
            f"Not imported: {history.guest_invoices:,} guest invoices (no CustomerID), "
            f"{history.cancellations_unmatched:,} cancelled lines bought before the data begins."
        )
