#!/usr/bin/env bash
# The test command of the README (`npm test`), and exactly what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_postgres
ensure_redis
export PGHOST="${PGHOST:-127.0.0.1}" PGUSER="${PGUSER:-postgres}"
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint --max-warnings 0 .
echo "== format"; npx prettier --check --log-level warn .
echo "== architecture rules"; npx depcruise --config .dependency-cruiser.js apps libs test bench
echo "== jest"; npx jest --ci "$@"
