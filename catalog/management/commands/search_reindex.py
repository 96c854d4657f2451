from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.models import Product
from catalog.search.exceptions import SearchUnavailable
from catalog.search.services import search_reindex


class Command(BaseCommand):
    help = (
        "Rebuild the search indexes: the database's and, when SEARCH_BACKEND is OpenSearch, a new OpenSearch "
        "index that replaces the old one in one step (search keeps answering throughout). Run it after "
        "importing products in bulk (load_demo) or changing the OpenSearch mapping."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = Product.objects.count()
        bars: dict[str, tqdm[Any]] = {}
        quiet = options["verbosity"] == 0

        def progress(backend: str, n: int) -> None:
            if backend not in bars:
                bars[backend] = tqdm(total=total, desc=backend, unit="products", disable=quiet, file=self.stderr)
            bars[backend].update(n)

        try:
            counts = search_reindex(progress=progress)
        except SearchUnavailable as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars.values():
                bar.close()
        for backend, count in counts.items():
            self.stdout.write(f"{backend}: {count:,} products indexed")
