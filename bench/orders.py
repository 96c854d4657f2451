"""Orders placed per second through the real checkout service (orders.services.checkout.order_place)
on PostgreSQL, by concurrent buyers in separate processes.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pasar_bench_orders .venv/bin/python bench/orders.py

Two scenarios, each for SECONDS (default 15) with BUYERS concurrent buyers (default 32: 8 processes
of 4 threads): every buyer on a product of its own ("distinct"), and every buyer on one hot product
("hot"). Each order is a one-line cart placed with cash on delivery; stock never runs out. The
carts are filled before the clock starts (shoppers build them while browsing), so the figure is
the checkout alone. The database is created and migrated if needed and its orders cleared first.
"""

import multiprocessing
import os
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pasar_bench_orders"
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
# As in production, e-mails are queued for workers (none runs here), not sent inside the request.
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("LOG_LEVEL", "WARNING")

PROCESSES = int(os.environ.get("PROCESSES", "8"))
THREADS = int(os.environ.get("THREADS", "4"))
SECONDS = float(os.environ.get("SECONDS", "15"))
CARTS_EACH = int(os.environ.get("CARTS_EACH", "800"))  # more than one buyer places in SECONDS


def setup_database() -> None:
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], capture_output=True, check=False)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from catalog.models import Category, Product, Variant
    from orders.models import Cart, Order, ShippingMethod

    Cart.objects.all().delete()
    Order.objects.all().delete()
    Product.objects.filter(slug__startswith="bench-").delete()
    category = Category.objects.filter(slug="bench").first() or Category.objects.add_root(
        create_kwargs={"name": "Bench", "slug": "bench"}
    )
    for n in range(PROCESSES * THREADS + 1):
        product = Product.objects.create(category=category, title=f"Bench {n}", slug=f"bench-{n}")
        Variant.objects.create(product=product, sku=f"BENCH-{n}", price=Decimal("2.50"), stock=10_000_000)
    ShippingMethod.objects.get_or_create(code="standard", defaults={"name": "Standard", "price": Decimal("4.95")})


def buyer_process(scenario: str, index: int, start_at: float, results: "multiprocessing.Queue[list[float]]") -> None:
    import django

    django.setup()
    from django.db import connection

    from catalog.models import Variant
    from orders.models import Cart, CartLine, ShippingMethod
    from orders.services.checkout import ShippingAddress, order_place

    method = ShippingMethod.objects.get(code="standard")
    address = ShippingAddress(name="Bench", line1="1 High St", city="London", postcode="N1 9GU", country="GB")
    latencies: list[float] = []
    lock = threading.Lock()

    def buy(thread: int) -> None:
        sku = "BENCH-0" if scenario == "hot" else f"BENCH-{1 + index * THREADS + thread}"
        variant = Variant.objects.select_related("product").get(sku=sku)
        carts = Cart.objects.bulk_create(Cart() for _ in range(CARTS_EACH))
        CartLine.objects.bulk_create(
            CartLine(cart=cart, variant=variant, quantity=1, price_seen=variant.price) for cart in carts
        )
        while time.time() < start_at:
            time.sleep(0.001)
        mine: list[float] = []
        for cart in carts:
            if time.time() >= start_at + SECONDS:
                break
            began = time.perf_counter()
            order_place(
                cart=cart, email="bench@example.com", address=address, shipping_method=method, payment_method="cod"
            )
            mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)
        connection.close()

    threads = [threading.Thread(target=buy, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(latencies)


def run(scenario: str) -> str:
    results: multiprocessing.Queue[list[float]] = multiprocessing.Queue()
    start_at = time.time() + 15  # every process set up and its carts filled before the clock starts
    processes = [
        multiprocessing.Process(target=buyer_process, args=(scenario, i, start_at, results)) for i in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    latencies = [latency for _ in processes for latency in results.get()]
    for process in processes:
        process.join()
    p50 = statistics.median(latencies) * 1000
    p99 = statistics.quantiles(latencies, n=100)[-1] * 1000
    return f"| {scenario} | {PROCESSES * THREADS} | {len(latencies) / SECONDS:,.0f} | {p50:.1f} | {p99:.1f} |"


def main() -> None:
    setup_database()
    from django.db import connections

    connections.close_all()
    print("| buyers on | concurrent buyers | orders/s | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: | ---: |")
    for scenario in ("distinct", "hot"):
        print(run(scenario), flush=True)
    import redis

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()  # the queued e-mails of the run


if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    main()
