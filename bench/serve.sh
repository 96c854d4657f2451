# Sourced by bench/pages.sh and bench/api.sh: the demo shop in its own PostgreSQL database
# ($DATABASE_URL, created if missing), served by gunicorn ($WORKERS sync workers on $PORT) until the
# calling script exits (its EXIT trap, set here, stops it). Needs PY, WORKERS, PORT and results set.
bench_serve() {
  trap 'kill "$(cat "$results/gunicorn.pid")" 2>/dev/null || true' EXIT
  local db=${DATABASE_URL##*/}
  psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || createdb -h 127.0.0.1 -U postgres "$db"
  $PY manage.py migrate --no-input -v0
  $PY manage.py load_demo
  $PY manage.py collectstatic --no-input -v0

  $PY -m gunicorn shop.wsgi -w "$WORKERS" -b "127.0.0.1:$PORT" --log-level warning --pid "$results/gunicorn.pid" &
  for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break; sleep 0.2; done
}
