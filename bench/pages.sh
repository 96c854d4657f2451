#!/usr/bin/env bash
# Load benchmark of the shop pages under gunicorn on PostgreSQL + Redis with the demo catalogue.
#
#   bench/pages.sh            # defaults: 5 sync workers, wrk -t2 -c32 for 15 s per page
#   DURATION=30s bench/pages.sh
#
# Needs wrk (apt-get install wrk), PostgreSQL and Redis on 127.0.0.1. It loads the demo catalogue
# into its own database (pasar_bench) and cache (Redis db 14), serves it with gunicorn from this
# checkout, warms each page once, then measures each URL with wrk from a second process. The bare
# "hello" view runs through the same middleware and gunicorn settings, as the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."

WORKERS=${WORKERS:-5}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-15s}
PORT=${PORT:-8900}
PY=${PY:-.venv/bin/python}
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/pasar_bench}
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}
export DJANGO_SETTINGS_MODULE=bench.settings DEBUG=false LOG_LEVEL=WARNING
results=bench/results
mkdir -p "$results"

psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='pasar_bench'" | grep -q 1 \
  || createdb -h 127.0.0.1 -U postgres pasar_bench
$PY manage.py migrate --no-input -v0
$PY manage.py load_demo
$PY manage.py collectstatic --no-input -v0

$PY -m gunicorn shop.wsgi -w "$WORKERS" -b "127.0.0.1:$PORT" --log-level warning --pid "$results/gunicorn.pid" &
trap 'kill "$(cat "$results/gunicorn.pid")" 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break; sleep 0.2; done

base="http://127.0.0.1:$PORT"
product=$(curl -fsS "$base/" | grep -o 'href="/p/[^"]*"' | head -1 | cut -d'"' -f2)
category=$(curl -fsS "$base/" | grep -o 'href="/c/[^"]*"' | head -1 | cut -d'"' -f2)
declare -A urls=(
  [hello]="/bench/hello/"
  [home]="/"
  [category]="$category"
  [product]="$product"
)

printf '| page | URL | requests/s | %% of hello | p50 ms | p99 ms |\n| --- | --- | ---: | ---: | ---: | ---: |\n' > "$results/pages.md"
hello_rps=""
for name in hello home category product; do
  url="$base${urls[$name]}"
  for _ in 1 2 3; do curl -fsS -o /dev/null "$url"; done  # warm the page cache and each worker
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$url" > "$results/$name.txt"
  rps=$(awk '/^Requests\/sec/ {print $2}' "$results/$name.txt")
  p50=$(awk '$1=="50%" {print $2}' "$results/$name.txt")
  p99=$(awk '$1=="99%" {print $2}' "$results/$name.txt")
  errors=$(grep -E "Non-2xx|Socket errors" "$results/$name.txt" || true)
  [ -z "$errors" ] || echo "warning: $name: $errors"
  [ -n "$hello_rps" ] || hello_rps=$rps
  to_ms() { case "$1" in *us) awk -v v="${1%us}" 'BEGIN{printf "%.1f", v/1000}';; *ms) awk -v v="${1%ms}" 'BEGIN{printf "%.1f", v}';; *s) awk -v v="${1%s}" 'BEGIN{printf "%.1f", v*1000}';; esac; }
  share=$(awk -v a="$rps" -v b="$hello_rps" 'BEGIN{printf "%.0f%%", 100*a/b}')
  printf '| %s | `%s` | %.0f | %s | %s | %s |\n' "$name" "${urls[$name]}" "$rps" "$share" "$(to_ms "$p50")" "$(to_ms "$p99")" >> "$results/pages.md"
done
cat "$results/pages.md"
