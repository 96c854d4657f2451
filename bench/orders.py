"""Orders placed per second through the real checkout service (orders.services.checkout.order_place)
on PostgreSQL, by concurrent buyers in separate processes.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pasar_bench_orders .venv/bin/python bench/orders.py

Two scenarios, each for SECONDS (default 15) with 32 concurrent buyers (PROCESSES=2 processes of
THREADS=16 threads, each thread a buyer with its own database connection, as in gunicorn's gthread
workers): every buyer on a product of its own ("distinct"), and every buyer on one hot product
("hot"). Each order is a one-line cart placed with cash on delivery; stock never runs out. The
carts are filled, and each buyer has placed one order to warm up, before the clock starts, so the
figure is the checkout alone. As in production, DEBUG is off and the e-mails are queued on a Redis
broker for workers (none runs here). The database is created and migrated if needed, its orders
and carts cleared and its statistics refreshed first. A buyer that gets "busy, try again"
(CheckoutBusy, the lock timeout) counts it and goes on to its next cart; any other error stops the
run. Besides orders/s and latency, each line reports the CPU time one order cost in the buyer and
in its PostgreSQL backend, and how many cores other work on the machine used meanwhile, which is
what the figure can be read against on a shared machine.
"""

import multiprocessing
import os
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from multiprocessing.synchronize import Barrier
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
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

PROCESSES = int(os.environ.get("PROCESSES", "2"))
THREADS = int(os.environ.get("THREADS", "16"))
BUYERS = PROCESSES * THREADS
SECONDS = float(os.environ.get("SECONDS", "15"))
CARTS_EACH = int(os.environ.get("CARTS_EACH", "600"))  # more than one buyer places in SECONDS
SCENARIOS = os.environ.get("SCENARIOS", "distinct,hot").split(",")

# A buyer's latencies of the orders placed, how many were "busy", and the CPU seconds its own
# thread and its PostgreSQL backend used meanwhile.
Result = tuple[list[float], int, float, float]


def cpu_seconds(pid: int | str = "self") -> float:
    """User and system CPU time of a process (Linux /proc): the buyers' PostgreSQL backends run on
    this machine, and their CPU per order is the cost the checkout puts on the database."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_cpu_seconds() -> float:
    """CPU time the whole machine spent busy (all processes, all cores), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def setup_database() -> None:
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], capture_output=True, check=False)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    from catalog.models import Category, Product, Variant
    from notifications.models import Message
    from orders.models import Cart, Order, ShippingMethod

    Cart.objects.all().delete()
    Order.objects.all().delete()
    Message.objects.filter(dedupe_key__startswith="order_placed:").delete()
    Product.objects.filter(slug__startswith="bench-").delete()
    category = Category.objects.filter(slug="bench").first() or Category.objects.add_root(
        create_kwargs={"name": "Bench", "slug": "bench"}
    )
    for n in range(BUYERS + 1):
        product = Product.objects.create(category=category, title=f"Bench {n}", slug=f"bench-{n}")
        Variant.objects.create(product=product, sku=f"BENCH-{n}", price=Decimal("2.50"), stock=10_000_000)
    ShippingMethod.objects.get_or_create(code="standard", defaults={"name": "Standard", "price": Decimal("4.95")})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have, on a database that has been running


def buyer_process(scenario: str, index: int, ready: Barrier, results: "multiprocessing.Queue[Result | str]") -> None:
    import django

    django.setup()
    from django.db import connection

    from catalog.models import Variant
    from orders.exceptions import CheckoutBusy
    from orders.models import Cart, CartLine, ShippingMethod
    from orders.services.checkout import ShippingAddress, order_place

    method = ShippingMethod.objects.get(code="standard")
    address = ShippingAddress(name="Bench", line1="1 High St", city="London", postcode="N1 9GU", country="GB")

    def place(cart: Cart) -> None:
        order_place(cart=cart, email="bench@example.com", address=address, shipping_method=method, payment_method="cod")

    def buy(thread: int) -> None:
        try:
            sku = "BENCH-0" if scenario == "hot" else f"BENCH-{1 + index * THREADS + thread}"
            variant = Variant.objects.select_related("product").get(sku=sku)
            carts = Cart.objects.bulk_create(Cart() for _ in range(CARTS_EACH))
            CartLine.objects.bulk_create(
                CartLine(cart=cart, variant=variant, quantity=1, price_seen=variant.price) for cart in carts
            )
            while True:  # a warm worker: imports done, connections to PostgreSQL and Redis open
                try:
                    place(carts.pop())
                    break
                except CheckoutBusy:
                    continue
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            ready.wait()
            client_cpu, backend_cpu = time.thread_time(), cpu_seconds(backend)
            stop_at = time.perf_counter() + SECONDS
            latencies: list[float] = []
            busy = 0
            for cart in carts:
                began = time.perf_counter()
                if began >= stop_at:
                    break
                try:
                    place(cart)
                except CheckoutBusy:
                    busy += 1
                    continue
                latencies.append(time.perf_counter() - began)
            results.put((latencies, busy, time.thread_time() - client_cpu, cpu_seconds(backend) - backend_cpu))
        except Exception as error:  # reported by the parent, which stops the run
            results.put(f"buyer {index}/{thread}: {error!r}")
            ready.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run(scenario: str) -> str:
    load = os.getloadavg()[0]  # the other work on the machine, before the buyers start
    results: multiprocessing.Queue[Result | str] = multiprocessing.Queue()
    ready = multiprocessing.Barrier(BUYERS + 1)  # the clock starts when every buyer's carts are filled
    processes = [
        multiprocessing.Process(target=buyer_process, args=(scenario, i, ready, results)) for i in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        raise SystemExit(results.get()) from None
    machine_cpu = busy_cpu_seconds()
    latencies: list[float] = []
    busy = 0
    client_cpu = backend_cpu = 0.0
    for _ in range(BUYERS):
        result = results.get()
        if isinstance(result, str):
            raise SystemExit(result)
        latencies.extend(result[0])
        busy += result[1]
        client_cpu += result[2]
        backend_cpu += result[3]
    machine_cpu = busy_cpu_seconds() - machine_cpu
    for process in processes:
        process.join()
    p50 = statistics.median(latencies) * 1000
    p99 = statistics.quantiles(latencies, n=100)[-1] * 1000
    orders = len(latencies)
    others = max(machine_cpu - client_cpu - backend_cpu, 0.0) / SECONDS  # cores busy with other work
    return (
        f"| {scenario} | {BUYERS} ({PROCESSES}×{THREADS}) | {orders / SECONDS:,.0f} | {busy} | {p50:.1f} | {p99:.1f} "
        f"| {client_cpu / orders * 1000:.2f} | {backend_cpu / orders * 1000:.2f} | {others:.2f} | {load:.1f} |"
    )


def main() -> None:
    setup_database()
    from django.db import connections

    from notifications.tasks import message_deliver
    from orders.services import checkout  # noqa: F401  (imported once here, shared by the forked buyers)

    message_deliver.app.finalize()

    connections.close_all()
    print(
        "| buyers on | buyers (processes×threads) | orders/s | busy | p50 ms | p99 ms "
        "| buyer CPU ms/order | PostgreSQL CPU ms/order | other work, cores | load before |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for scenario in SCENARIOS:
        print(run(scenario), flush=True)
    import redis

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()  # the queued e-mails of the run


if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    main()
