#!/usr/bin/env bash
# `npm run test:faults`: the reliability tests alone — fault injection (test/faults), scale-out
# (test/scale-out.e2e-spec.ts) and the CSV importer fuzz. The first two start their OWN PostgreSQL (initdb into a
# temp dir, run as the `postgres` user) and Redis on free ports and the compiled API/worker as child processes,
# so the shared services on 5432/6379 are never restarted. They are also part of `npm test` (jest's e2e project).
# FAULTS_SEED=<n> replays a chaos schedule; FAULTS_LOAD_MS, FAULTS_COUNTERS size the fault run; FUZZ_RUNS the fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
# One private build for both suites, removed afterwards.
export FAULTS_DIST="$PWD/dist/.faults/run-$$"
trap 'rm -rf "$FAULTS_DIST" "$FAULTS_DIST.lock"' EXIT
npx jest --ci test/faults/ test/scale-out libs/province-data/src/importer.fuzz "$@"
