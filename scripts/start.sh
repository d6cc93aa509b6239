#!/usr/bin/env bash
# `npm start`: build, make sure Redis runs, start the API and the worker on the embedded default
# (SQLite in $DATA_DIR; PostgreSQL is not needed), print where to look, stop both on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

export DATA_DIR="${DATA_DIR:-./data}" PORT="${PORT:-3000}"
# The worker writes the SLA read models and the API reads them: both from READ_MODELS_* (same DATA_DIR).
export READ_MODELS_SQLITE_FILE="${READ_MODELS_SQLITE_FILE:-$DATA_DIR/read-models.sqlite}"
mkdir -p "$DATA_DIR"

echo "== build"
# Builds only when a source changed since the last build (the CLI's fingerprint, so `npm run cli` after it does not build again).
node scripts/cli.js --build-only

echo "== services"
ensure_redis || echo "start: continuing without Redis: /api/health will say so; deadline alerts need it" >&2

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "== stopping"
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

node dist/apps/api/src/main.js &
pids+=($!)
node dist/apps/worker/src/main.js &
pids+=($!)

# Wait until the API answers (or died), then say where to look.
for _ in $(seq 1 100); do
  if ! kill -0 "${pids[0]}" 2>/dev/null; then echo "start: the API exited; see its log above" >&2; exit 1; fi
  listening "$PORT" && break
  sleep 0.1
done

# The CLI signs development tokens with the secret in DATA_DIR: a custom one must be passed on, or every call is 401.
cli="npm run -s cli --"
[ "$DATA_DIR" = "./data" ] || cli="DATA_DIR=$DATA_DIR npm run -s cli --"

cat <<MSG

  Motcua is running (embedded: SQLite in $DATA_DIR/events.sqlite, Redis ${REDIS_URL:-redis://127.0.0.1:6379})
    dashboard  http://localhost:$PORT/dashboard/   (paste a token: $cli token --role monitor --agency CODE)
    API        http://localhost:$PORT/api
    OpenAPI    http://localhost:$PORT/api/docs
    health     http://localhost:$PORT/api/health
    metrics    http://localhost:$PORT/metrics

  A development admin token (signed with the secret in $DATA_DIR unless AUTH_JWT_SECRET is set):
    TOKEN=\$($cli token --role admin)
    curl -H "Authorization: Bearer \$TOKEN" http://localhost:$PORT/api/agencies
  Reference data:  $cli import agencies FILE.csv   |   $cli import procedures FILE.csv
  SLA figures:     curl -H "Authorization: Bearer \$TOKEN" "http://localhost:$PORT/api/sla?from=2025-01-01&to=2025-12-31&by=level"
  Rebuild:         $cli projections rebuild   (or POST /api/admin/projections/rebuild as admin)

  Ctrl-C stops the API and the worker.

MSG

# Exit when either process ends (and stop the other one).
wait -n "${pids[@]}" || true
