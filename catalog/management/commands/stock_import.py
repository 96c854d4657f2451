import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog import services
from catalog.exceptions import StockImportError


class Command(BaseCommand):
    help = (
        "Set stock from a CSV of 'sku,quantity' rows (header optional), recorded as warehouse sync. "
        "All or nothing: any bad row is reported and nothing changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_path", help="Path to the CSV file, or - for standard input.")
        parser.add_argument("--note", default="", help="Why, e.g. the warehouse's file name.")

    def handle(self, *args: Any, csv_path: str, note: str, **options: Any) -> None:
        try:
            if csv_path == "-":
                result = services.stock_import_csv(file=sys.stdin, note=note)
            else:
                with open(csv_path, newline="", encoding="utf-8-sig") as file:
                    result = services.stock_import_csv(file=file, note=note or csv_path)
        except OSError as exc:
            raise CommandError(f"Cannot read {csv_path}: {exc.strerror}") from exc
        except StockImportError as exc:
            raise CommandError("Nothing was changed. Fix these rows:\n  " + "\n  ".join(exc.errors)) from exc
        self.stdout.write(f"Stock set: {result.changed} changed, {result.unchanged} already right.")
