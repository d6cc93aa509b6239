#!/usr/bin/env bash
# `npm run test:faults`: the reliability tests alone — fault injection on both deployments (test/faults:
# faults-sqlite, the embedded default `npm start` runs, and faults-postgres), scale-out (test/scale-out.e2e-spec.ts)
# and the CSV importer fuzz. The fault and scale-out suites start their OWN Redis (and, on PostgreSQL, their own
# PostgreSQL: initdb into a temp dir, run as the `postgres` user) on free ports and the compiled API/worker as child
# processes, so the shared services on 5432/6379 are never restarted. They are also part of `npm test` (jest's e2e
# project). Test paths given (`npm run test:faults -- test/faults`) run instead of those three; arguments starting
# with `-` go to jest (give a flag's value with `=`). FAULTS_SEED=<n> replays a chaos schedule; FAULTS_LOAD_MS,
# FAULTS_COUNTERS, FAULTS_BAD_EVERY size the fault runs; FUZZ_RUNS the fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
paths=()
flags=()
for a in "$@"; do
  case "$a" in
    -*) flags+=("$a") ;;
    *) paths+=("$a") ;;
  esac
done
[ ${#paths[@]} -gt 0 ] || paths=(test/faults/ test/scale-out libs/province-data/src/importer.fuzz)
# One private build for the suites of the run, removed afterwards.
export FAULTS_DIST="$PWD/dist/.faults/run-$$"
trap 'rm -rf "$FAULTS_DIST" "$FAULTS_DIST.lock"' EXIT
npx jest --ci "${paths[@]}" "${flags[@]}"
