#!/usr/bin/env bash
# The province-year acceptance, full size: a generated province-year imported on the embedded default (SQLite),
# the SLA projections rebuilt, and the read models' figures compared with those computed straight from
# the CSV files (`projections check-csv`: per agency level, per agency, per channel x timeliness).
#
#   bash scripts/acceptance-province-year.sh [PROVINCE_DIR] [WORK_DIR]
#
# PROVINCE_DIR (default /tmp/pd/prov) is generated when it has no dossiers.csv (~700 k dossiers,
# 2025-01-01..2026-01-01, seed 'motcua'); WORK_DIR (default: a new temp dir) receives the event store,
# the read models and acceptance.log. The import takes several minutes: run it in the background,
#   nohup bash scripts/acceptance-province-year.sh > /tmp/acceptance.out 2>&1 &
# and read WORK_DIR/acceptance.log (or /tmp/acceptance.out). Exit code 0 only when every figure matches.
# ACCEPTANCE_DOSSIERS=N generates a smaller province; ACCEPTANCE_SKIP_IMPORT=1 reuses WORK_DIR's store
# (rebuild and compare only); ACCEPTANCE_FROM / ACCEPTANCE_TO set the compared period (inclusive).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PROV="${1:-/tmp/pd/prov}"
WORK="${2:-$(mktemp -d /tmp/motcua-acceptance-XXXXXX)}"
FROM="${ACCEPTANCE_FROM:-2025-01-01}"
TO="${ACCEPTANCE_TO:-2025-12-31}" # inclusive: the generator's --to is exclusive
mkdir -p "$WORK"
LOG="$WORK/acceptance.log"
exec > >(tee -a "$LOG") 2>&1

echo "== acceptance: province $PROV, work dir $WORK, period $FROM..$TO, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== build (then a private copy of dist/, so other builds cannot change the code under a long run)"
npm run -s build
rm -rf "$WORK/app" && mkdir -p "$WORK/app" && cp -r dist "$WORK/app/dist"
export NODE_PATH="$ROOT/node_modules"
CLI=(node "$WORK/app/dist/apps/cli/src/main.js")

# The embedded default: SQLite event store and read models in WORK.
export DATA_DIR="$WORK/data" EVENT_STORE=sqlite READ_MODELS_ENGINE=sqlite
export READ_MODELS_SQLITE_FILE="$WORK/data/read-models.sqlite" LOG_LEVEL="${LOG_LEVEL:-warn}"
unset EVENT_STORE_URL
mkdir -p "$DATA_DIR"

timed() { # timed LABEL command...: runs it, prints wall time and peak RSS
  local label=$1; shift
  local t0=$SECONDS rc=0
  /usr/bin/time -f "   [$label] peak RSS %M kB" "$@" || rc=$?
  echo "   [$label] $((SECONDS - t0)) s (exit $rc)"
  return $rc
}

if [ ! -s "$PROV/dossiers.csv" ]; then
  echo "== generate"
  timed generate "${CLI[@]}" generate --out "$PROV" --seed motcua --from 2025-01-01 --to 2026-01-01 --dossiers "${ACCEPTANCE_DOSSIERS:-700000}"
fi
echo "   $(($(wc -l < "$PROV/dossiers.csv") - 1)) dossiers in $PROV/dossiers.csv"

if [ "${ACCEPTANCE_SKIP_IMPORT:-0}" = 1 ]; then
  echo "== import skipped (ACCEPTANCE_SKIP_IMPORT=1): reusing the store in $DATA_DIR"
else
  echo "== import reference data"
  timed agencies "${CLI[@]}" import agencies "$PROV/agencies.csv"
  timed procedures "${CLI[@]}" import procedures "$PROV/procedures.csv"
  echo "== import dossiers (reference data read back from the store)"
  timed dossiers "${CLI[@]}" import dossiers "$PROV/dossiers.csv"
fi
ls -la "$DATA_DIR"
echo "== rebuild projections"
timed rebuild "${CLI[@]}" projections rebuild
"${CLI[@]}" projections status
echo "== compare with the CSV"
set +e
timed check "${CLI[@]}" projections check-csv "$PROV" --from "$FROM" --to "$TO"
rc=$?
set -e
echo "== done: $([ $rc -eq 0 ] && echo 'figures MATCH' || echo "figures DIFFER (exit $rc)"); log $LOG"
exit $rc
