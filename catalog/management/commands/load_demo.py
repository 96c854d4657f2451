import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.demo.importer import DEMO_DATA, demo_catalog_load
from catalog.demo.retail import RetailDataError


class Command(BaseCommand):
    help = (
        "Load the demo catalogue: the products of the UCI Online Retail data, with categories, prices, "
        "stock and pictures. Safe to run again: it adds what is missing and changes nothing staff edited."
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
        parser.add_argument("--limit", type=int, help="Load only the first N products by stock code.")
        parser.add_argument(
            "--processes",
            type=int,
            default=os.cpu_count() or 1,
            help="Worker processes drawing pictures (default: one per CPU).",
        )

    def handle(
        self, *args: Any, data: Path | str, images: bool, limit: int | None, processes: int, **options: Any
    ) -> None:
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        started = time.monotonic()
        try:
            result = demo_catalog_load(
                path=Path(data),  # call_command passes options through as given, e.g. a str
                images=images,
                limit=limit,
                processes=max(1, processes),
                progress=options["verbosity"] > 0,
            )
        except (RetailDataError, OSError) as exc:
            raise CommandError(f"Cannot load the demo catalogue from {data}: {exc}") from exc
        skipped = f", {result.products_skipped:,} skipped (SKU in use)" if result.products_skipped else ""
        self.stdout.write(
            f"Read {result.lines:,} lines; done in {time.monotonic() - started:.1f} s.\n"
            f"Products: {result.products_created:,} created, {result.products_updated:,} with new popularity, "
            f"{result.products_unchanged:,} unchanged{skipped}.\n"
            f"Categories: {result.categories_created:,} created. Pictures: {result.images_created:,} created."
        )
