"""A campaign to N customers through the real pipeline, timed: fan-out in batches through the
outbox, delivered by Celery workers (a Redis broker) to Amazon SES (moto's SES server on a local
port, so each e-mail is rendered, inlined and sent over HTTP as in production, minus AWS's latency).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pasar_bench_notifications \\
        .venv/bin/python bench/notifications_campaign.py --customers 2000 10000

It creates its own PostgreSQL database (named in DATABASE_URL) and uses Redis database 10 as the
broker. It prints, for each size, the time from "send" to the campaign being marked sent, the
messages per second, and the peak resident memory of the worker processes (VmHWM), which stays
flat as the segment grows because fan-out and delivery hold one batch at a time.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/10")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mib(pid: int) -> float:
    """The largest peak RSS among a process and its children."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    peak = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except FileNotFoundError:
            continue
    return peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--workers", type=int, default=2, help="worker processes (prefork concurrency)")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/pasar_bench_notifications"
        )
    ses_port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings",
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_BACKEND": "anymail.backends.amazon_ses.EmailBackend",
        "AWS_SES_ENDPOINT_URL": f"http://127.0.0.1:{ses_port}",
        "AWS_SES_REGION_NAME": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "DEFAULT_FROM_EMAIL": "Pasar <shop@example.com>",
        "NOTIFICATIONS_CAMPAIGN_RATE": "0",
        "NOTIFICATIONS_CAMPAIGN_BATCH_SIZE": str(args.batch),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", database_url.rsplit("/", 1)[1]],
        check=False,
        capture_output=True,
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import boto3
    import redis
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    redis.Redis.from_url(BROKER).flushdb()
    moto = subprocess.Popen(
        [str(ROOT / ".venv/bin/moto_server"), "-H", "127.0.0.1", "-p", str(ses_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                boto3.client(
                    "sesv2", region_name="eu-west-2", endpoint_url=env["AWS_SES_ENDPOINT_URL"]
                ).create_email_identity(EmailIdentity="example.com")
                break
            except Exception:
                time.sleep(0.1)
        print("| customers | batches | send → campaign sent (s) | messages/s | worker peak RSS (MiB) |")
        print("| ---: | ---: | ---: | ---: | ---: |")
        for n in args.customers:
            # A fresh worker for each size, so that its peak memory is this campaign's alone.
            worker = subprocess.Popen(
                [str(ROOT / ".venv/bin/celery"), "-A", "shop", "worker", "-c", str(args.workers), "--loglevel=WARNING"],
                cwd=ROOT,
                env=env,
            )
            try:
                elapsed, rate, rss = run(n, args.batch, worker.pid)
            finally:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=60)
            print(f"| {n:,} | {-(-n // args.batch)} | {elapsed:.1f} | {rate:,.0f} | {rss:.0f} |", flush=True)
    finally:
        moto.terminate()
        moto.wait(timeout=10)


def run(n: int, batch: int, worker_pid: int) -> tuple[float, float, float]:
    from accounts.models import User
    from notifications.models import Campaign, Message, Preference, Segment
    from notifications.services.campaigns import campaign_send

    Message.objects.all().delete()
    Campaign.objects.all().delete()
    Segment.objects.all().delete()
    User.objects.filter(email__endswith="@bench.example.com").delete()
    users = User.objects.bulk_create(
        [User(email=f"customer{i}@bench.example.com", first_name=f"Customer{i}") for i in range(n)], batch_size=2000
    )
    Preference.objects.bulk_create(
        [Preference(user=u, kind="marketing", channel="email", enabled=True) for u in users], batch_size=2000
    )
    segment = Segment.objects.create(name=f"bench {n}", opted_in="email")
    campaign = Campaign.objects.create(
        name=f"bench {n}",
        segment=segment,
        subject="Garden sale, {name}",
        body="Hello {name},\n\nEverything in the garden is 20% off this week.",
        link_url="https://shop.example.com/c/garden/",
        link_label="Shop the sale",
    )
    start = time.perf_counter()
    campaign_send(campaign=campaign)
    deadline = start + 3600
    while time.perf_counter() < deadline:
        campaign.refresh_from_db()
        if campaign.status == Campaign.Status.SENT:
            break
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    sent = Message.objects.filter(campaign=campaign, status="sent").count()
    if sent != n:
        raise SystemExit(f"Only {sent} of {n} messages were sent.")
    return elapsed, sent / elapsed, peak_rss_mib(worker_pid)


if __name__ == "__main__":
    main()
