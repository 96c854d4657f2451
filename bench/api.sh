#!/usr/bin/env bash
# Load benchmark of the catalogue API under gunicorn on PostgreSQL + Redis with the demo catalogue.
#
#   bench/api.sh              # defaults: 5 sync workers; wrk -t2 -c32, 3 rounds of 10 s per URL
#   DURATION=30s bench/api.sh
#
# The same machinery as bench/pages.sh (bench/settings.py, bench/urls.py with the bare "hello"
# view as the baseline, bench/wrk_table.py), in its own database (pasar_bench_api) and Redis
# database 8. It measures GET /api/v1/products/ (a page of 24), GET /api/v1/products/<slug>/ and
# the same product revalidated with its ETag (If-None-Match: a 304 from the cache, no SQL), and,
# for comparison, the product's shop page as bench/pages.sh measures it. The
# throttles are raised for the run: one wrk process is one IP address sending thousands a second.
set -euo pipefail
cd "$(dirname "$0")/.."

WORKERS=${WORKERS:-5}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-8901}
PY=${PY:-.venv/bin/python}
ACCEPT_ENCODING=${ACCEPT_ENCODING:-gzip, deflate, br}
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/pasar_bench_api}
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/8}
export DJANGO_SETTINGS_MODULE=bench.settings DEBUG=false LOG_LEVEL=WARNING
# A broker, as in production: the work pages hand to Celery (recording product views, flushed in
# batches) is queued, not run inside the request. Nothing consumes it during the run.
export CELERY_BROKER_URL=${BENCH_BROKER_URL:-redis://127.0.0.1:6379/12}
export API_THROTTLE_CATALOGUE=10000000/min API_THROTTLE_GUEST=10000000/min
results=bench/results/api
mkdir -p "$results"

db=${DATABASE_URL##*/}
source bench/serve.sh
bench_serve

base="http://127.0.0.1:$PORT"
slug=$(curl -fsS "$base/api/v1/products/" | $PY -c 'import json, sys; print(json.load(sys.stdin)["results"][0]["slug"])')
etag=$(curl -fsS -o /dev/null -D - -H "Accept-Encoding: $ACCEPT_ENCODING" "$base/api/v1/products/$slug/" \
  | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" {print $2}')
declare -A urls=(
  [hello]="/bench/hello/"
  [products]="/api/v1/products/"
  [product]="/api/v1/products/$slug/"
  [product-304]="/api/v1/products/$slug/"
  [page]="/p/$slug/"  # the same product's shop page (the page cache's figure), for comparison
)

# Committed transactions in the benchmark's database (every statement outside a transaction is one).
transactions() { psql -h 127.0.0.1 -U postgres -Atc "SELECT xact_commit FROM pg_stat_database WHERE datname='$db'"; }
: > "$results/runs.tsv"
: > "$results/sql.txt"
for url in "${urls[@]}"; do for _ in 1 2 3; do curl -fsS -o /dev/null "$base$url"; done; done  # warm every worker
# Each URL is measured right after a run of hello, and its share of hello is taken from that pair
# (the machine's speed drifts over minutes; a pair sees the same drift), as in pages.sh.
for round in $(seq "$ROUNDS"); do
  for name in products product product-304 page; do
    for run in hello "$name"; do
      out="$results/$run-$round-$name.txt"
      extra=()
      [ "$run" = product-304 ] && extra=(-H "If-None-Match: $etag") && before=$(transactions)
      wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Accept-Encoding: $ACCEPT_ENCODING" "${extra[@]}" \
        "$base${urls[$run]}" > "$out"
      # A 304 is not 2xx to wrk; any other non-2xx or socket error is worth a look.
      if [ "$run" != product-304 ] && grep -qE "Non-2xx|Socket errors" "$out"; then
        echo "warning: $run round $round:" && grep -E "Non-2xx|Socket errors" "$out"
      fi
      if [ "$run" = product-304 ]; then
        sleep 2  # PostgreSQL publishes a connection's statistics when it has been idle a moment
        echo "round $round: $(awk '/requests in/ {print $1}' "$out") responses (304)," \
          "$(( $(transactions) - before )) SQL transactions in the database meanwhile" | tee -a "$results/sql.txt"
      fi
      printf '%s\t%s\t%s\t%s\n' "$run" "${urls[$run]}" "$out" "$round-$name" >> "$results/runs.tsv"
    done
  done
done
echo "load: $(uptime)"
$PY bench/wrk_table.py "$results/runs.tsv" | tee "$results/api.md"
