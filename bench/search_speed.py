"""How fast the database search backend answers on PostgreSQL: search (results with facets and the
products to show, as the results page and the API get them) and suggestions (the search box).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pasar_search_bench .venv/bin/python bench/search_speed.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pasar_search_100k .venv/bin/python bench/search_speed.py --products 100000

It creates the database if needed, loads the demo catalogue (no pictures, no orders), with
--products tops it up with generated products (demo titles with a colour, material or style in
front, in the demo's categories) and reindexes. Then, in this process, it runs every query of
bench/search_relevance.py ROUNDS times (default 5) through catalog.search.selectors, after one
warm-up round, and prints the median and 95th percentile.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

WORDS = [
    "Red",
    "Blue",
    "Green",
    "Pink",
    "Ivory",
    "Black",
    "White",
    "Gold",
    "Silver",
    "Copper",
    "Zinc",
    "Wooden",
    "Glass",
    "Ceramic",
    "Enamel",
    "Vintage",
    "Retro",
    "Rustic",
    "Nordic",
    "Botanical",
    "Floral",
    "Polkadot",
    "Striped",
    "Tartan",
    "Paisley",
    "Woodland",
    "Seaside",
    "Garden",
    "Kitchen",
    "Party",
    "Mini",
    "Large",
    "Jumbo",
    "Set",
    "Pack",
    "Boxed",
    "Hanging",
    "Standing",
    "Painted",
    "Embroidered",
    "Knitted",
]
ROUNDS = int(os.environ.get("ROUNDS", "5"))
SUGGEST_PREFIXES = ["la", "lan", "lant", "cand", "mu", "hot wa", "xmas", "clo", "neckl", "umbr", "cake ca", "jumbo b"]


def database_prepare(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=False, capture_output=True)


def products_generate(total: int) -> int:
    from catalog.models import Product, Variant

    have = Product.objects.count()
    if have >= total:
        return 0
    demo = list(Product.objects.order_by("pk").values_list("title", "category_id")[:5000])
    rng = random.Random(42)
    made = 0
    while have + made < total:
        batch: list[Product] = []
        for _ in range(min(5000, total - have - made)):
            title, category_id = rng.choice(demo)
            n = have + made + len(batch)
            batch.append(
                Product(
                    title=f"{rng.choice(WORDS)} {title}"[:200],
                    slug=f"generated-{n}",
                    category_id=category_id,
                    description=f"<p>{title}, generated for the benchmark.</p>",
                    popularity=rng.randint(0, 500),
                    source_code=f"G{n}",
                )
            )
        Product.objects.bulk_create(batch)
        products = Product.objects.filter(slug__in=[p.slug for p in batch]).values_list("pk", "slug")
        Variant.objects.bulk_create(
            [
                Variant(
                    product_id=pk,
                    sku=f"G-{slug}",
                    price=Decimal(rng.randint(50, 5000)) / 100,
                    stock=rng.choice([0, 3, 10, 50]),
                )
                for pk, slug in products
            ]
        )
        made += len(batch)
        print(f"generated {have + made:,} products", file=sys.stderr)
    return made


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def figures(timings: list[float]) -> str:
    return f"{statistics.median(timings):.1f} | {statistics.quantiles(timings, n=20)[-1]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=0, help="top the catalogue up to this many products")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is created if missing).")
    database_prepare(url)

    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.cache import SessionStore
    from django.core.management import call_command

    from bench.search_relevance import QUERIES
    from catalog.models import Product
    from catalog.search import selectors

    call_command("migrate", verbosity=0)
    if not Product.objects.exists():
        call_command("load_demo", images=False, orders=False, verbosity=0)
    if products_generate(args.products) or not Product.objects.filter(search_document__isnull=False).exists():
        call_command("search_reindex", verbosity=0)
    count = Product.objects.count()
    queries = [q for q, _ in QUERIES]
    guest, session = AnonymousUser(), SessionStore()
    for q in queries:  # warm-up: connections, caches, the database's buffers
        selectors.search_page(q=q)
    searches = [timed(lambda q=q: selectors.search_page(q=q)) for _ in range(ROUNDS) for q in queries]
    suggestions = [
        timed(lambda p=p: selectors.suggestions(q=p, user=guest, session=session))
        for _ in range(ROUNDS)
        for p in SUGGEST_PREFIXES
    ]
    print(f"{count:,} products, {len(searches)} searches, {len(suggestions)} suggestions")
    print("| what | median ms | p95 ms |\n| --- | ---: | ---: |")
    print(f"| search (results, facets, products) | {figures(searches)} |")
    print(f"| suggestions | {figures(suggestions)} |")


if __name__ == "__main__":
    main()
