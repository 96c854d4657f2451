"""Time a cache miss: how long the home, a category and a product page take to render from the
database, and how many queries each runs. Complements pages.sh, which measures cache hits.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pasar_bench REDIS_URL=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/render.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from catalog.models import Category, Product  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "30"))


def main() -> None:
    client = Client()
    product = Product.objects.filter(is_active=True).order_by("-popularity").first()
    category = Category.objects.filter(depth=1).order_by("path").first()
    if product is None or category is None:
        sys.exit("No catalogue: run `python manage.py load_demo` on this database first.")
    urls = {"home": "/", "category": category.get_absolute_url(), "product": product.get_absolute_url()}
    print("| page | queries | median ms | p95 ms |\n| --- | ---: | ---: | ---: |")
    for name, url in urls.items():
        timings = []
        for _ in range(ROUNDS):
            cache.delete_many(["v:catalog", f"v:product:{product.slug}"])  # every page goes stale
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and response["X-Page-Cache"] == "miss", (url, response.status_code)
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(f"| {name} | {len(queries)} | {statistics.median(timings):.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
