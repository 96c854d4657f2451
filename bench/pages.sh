#!/usr/bin/env bash
# Load benchmark of the shop pages under gunicorn on PostgreSQL + Redis with the demo catalogue.
#
#   bench/pages.sh            # defaults: 5 sync workers; wrk -t2 -c32, 3 rounds of 10 s per page
#   DURATION=30s bench/pages.sh
#   ACCEPT_ENCODING=identity bench/pages.sh   # as a client that takes no compression
#
# Needs wrk (apt-get install wrk), PostgreSQL and Redis on 127.0.0.1. It loads the demo catalogue
# into its own database (pasar_bench) and cache (Redis db 14), serves it with gunicorn from this
# checkout, warms each page once, then measures each URL with wrk from a second process. The bare
# "hello" view runs through the same middleware and gunicorn settings, as the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."

WORKERS=${WORKERS:-5}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-8900}
PY=${PY:-.venv/bin/python}
# What a browser sends; ACCEPT_ENCODING=identity measures clients that take no compression.
ACCEPT_ENCODING=${ACCEPT_ENCODING:-gzip, deflate, br}
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/pasar_bench}
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}
export DJANGO_SETTINGS_MODULE=bench.settings DEBUG=false LOG_LEVEL=WARNING
# A broker, as in production: the work pages hand to Celery (recording product views, flushed in
# batches) is queued, not run inside the request. Nothing consumes it during the run.
export CELERY_BROKER_URL=${BENCH_BROKER_URL:-redis://127.0.0.1:6379/13}
results=bench/results
mkdir -p "$results"

source bench/serve.sh
bench_serve

base="http://127.0.0.1:$PORT"
product=$(curl -fsS "$base/" | grep -o 'href="/p/[^"]*"' | head -1 | cut -d'"' -f2)
category=$(curl -fsS "$base/" | grep -o 'href="/c/[^"]*"' | head -1 | cut -d'"' -f2)
declare -A urls=(
  [hello]="/bench/hello/"
  [home]="/"
  [category]="$category"
  [product]="$product"
)

# Each page is measured right after a run of hello, and its share of hello is taken from that pair:
# the machine's speed drifts over minutes (neighbours on the host), and a pair sees the same
# drift. Rounds interleave the pages; the table gives medians over the rounds.
: > "$results/runs.tsv"
for url in "${urls[@]}"; do for _ in 1 2 3; do curl -fsS -o /dev/null "$base$url"; done; done  # warm every worker
for round in $(seq "$ROUNDS"); do
  for name in home category product; do
    for run in hello "$name"; do
      out="$results/$run-$round-$name.txt"
      # As a returning shopper: with the visitor cookie, every product view is recorded for the
      # recommendations (a first request only gets the cookie).
      wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Accept-Encoding: $ACCEPT_ENCODING" \
        -H "Cookie: pasar_vid=benchshopper1" "$base${urls[$run]}" > "$out"
      if grep -qE "Non-2xx|Socket errors" "$out"; then
        echo "warning: $run round $round:" && grep -E "Non-2xx|Socket errors" "$out"
      fi
      printf '%s\t%s\t%s\t%s\n' "$run" "${urls[$run]}" "$out" "$round-$name" >> "$results/runs.tsv"
    done
  done
done
$PY bench/wrk_table.py "$results/runs.tsv" | tee "$results/pages.md"
