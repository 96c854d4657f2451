from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog import services
from catalog.exceptions import CatalogError
from catalog.models import StockAdjustment


class Command(BaseCommand):
    help = "Set a variant's stock on hand (warehouse sync); recorded like any other adjustment."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sku")
        parser.add_argument("quantity", type=int)
        parser.add_argument("--note", default="", help="Why, e.g. the warehouse's reference.")

    def handle(self, *args: Any, sku: str, quantity: int, note: str, **options: Any) -> None:
        try:
            adjustment = services.stock_set_by_sku(
                sku=sku, quantity=quantity, reason=StockAdjustment.Reason.SYNC, note=note
            )
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{sku}: stock {adjustment.quantity_after} ({adjustment.delta:+d})")
