"""How fast a recommendation slot is served from the web process, on PostgreSQL and Redis.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/pasar_reco REDIS_URL=redis://127.0.0.1:6379/9
    .venv/bin/python manage.py load_demo --data ../shared/data/online-retail --no-images   # once
    .venv/bin/python manage.py recommendations train
    .venv/bin/python bench/recommendations.py [--customers 200] [--rounds 5]

In this process, through Django's test client (the whole middleware stack, sessions in Redis),
for CUSTOMERS demo customers signed in and as many products:

- the "Recommended for you" fragment a cached home page fetches (a hit: the session read and one
  cache read), and its first render per customer (a miss: the list, two queries and the template);
- the API's also_viewed slot for a product page (lists from the cache, two queries, JSON);
- the product page's two slots as rendered into the page on a cache miss (the selector alone).

Each is timed ROUNDS times per customer or product after one warm-up round; the median and 95th
percentile of the wall-clock time are printed, and the 95th percentile of this process's CPU time
(which leaves out waiting for PostgreSQL, Redis and, on a shared host, for a core). The budget (issue 7): a slot under 5 ms at p95.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")


def _timed(calls: list[Callable[[], object]], rounds: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU milliseconds per call (the CPU time leaves out waiting for
    the database, Redis and, on a busy host, for a core)."""
    for call in calls:  # warm-up: fills the caches a real shop would have warm
        call()
    wall, cpu = [], []
    for _ in range(rounds):
        for call in calls:
            started, started_cpu = time.perf_counter(), time.thread_time()
            call()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
    return wall, cpu


def _row(name: str, timings: tuple[list[float], list[float]]) -> str:
    wall, cpu = timings
    p95 = statistics.quantiles(wall, n=100)[94]
    cpu_p95 = statistics.quantiles(cpu, n=100)[94]
    return f"| {name} | {len(wall)} | {statistics.median(wall):.2f} | {p95:.2f} | {cpu_p95:.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from catalog.models import Product
    from recommendations.api.views import RecommendationsView
    from recommendations.models import TrainingRun
    from recommendations.selectors import SlotRequest, slots_resolve

    settings.ALLOWED_HOSTS = ["*"]
    RecommendationsView.throttle_classes = []  # one client asks thousands of times: no rate limit here
    if not TrainingRun.objects.filter(is_current=True).exists():
        sys.exit("No trained model: run `manage.py recommendations train` first.")
    users = list(User.objects.exclude(source_customer_id="").order_by("pk")[: args.customers])
    products = list(Product.objects.filter(is_active=True).order_by("-popularity")[: args.customers])
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)

    def fragment(client: Client) -> Callable[[], object]:
        def call() -> object:
            response = client.get("/recommendations/slot/for_you/")
            assert response.status_code in (200, 204), response.status_code
            return response

        return call

    def api(client: Client, slug: str) -> Callable[[], object]:
        def call() -> object:
            response = client.get("/api/v1/recommendations/", {"slot": "also_viewed", "product": slug})
            assert response.status_code == 200, response.content
            return response

        return call

    def product_slots(product: Product) -> Callable[[], object]:
        return lambda: slots_resolve(
            requests=[SlotRequest("also_viewed", limit=4), SlotRequest("bought_together", limit=4)], product=product
        )

    from django.core.cache import cache

    from shop.pagecache import page_cache_key

    def fragment_miss(client: Client, user: User) -> Callable[[], object]:
        def call() -> object:
            cache.delete(page_cache_key(f"reco|for_you|u{user.pk}|"))
            return client.get("/recommendations/slot/for_you/")

        return call

    anonymous = Client()
    print(f"{len(users)} customers, {len(products)} products, {args.rounds} rounds; times in ms\n")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print("| what | requests | median | p95 | CPU p95 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(
        _row(
            "baseline: robots.txt through the same stack",
            _timed([partial(c.get, "/robots.txt") for c in clients], args.rounds),
        )
    )
    print(
        _row("for-you fragment, cached (the home page's script)", _timed([fragment(c) for c in clients], args.rounds))
    )
    print(
        _row(
            "for-you fragment, rendered (first visit after a change)",
            _timed([fragment_miss(c, u) for c, u in zip(clients, users, strict=True)], args.rounds),
        )
    )
    print(_row("API also_viewed slot", _timed([api(anonymous, p.slug) for p in products], args.rounds)))
    print(_row("product page's two slots (selector)", _timed([product_slots(p) for p in products], args.rounds)))


if __name__ == "__main__":
    main()
