#!/usr/bin/env bash
# The mixer's numbers on PostgreSQL (see server/benches/mixer.rs): the server time of a preview
# over 1,000 prospects with 5 products each (p50/p95; goal p95 ≤ 5 ms) beside the bare reads of
# the same rows, and queuing 1,000 mails in one action (goal ≤ 2 s) beside a plain INSERT of the
# same outbox rows. Needs PostgreSQL (./dev services). Usage: [BENCH_RUNS=3] bench/mixer.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
export SQLX_OFFLINE=true
exec cargo bench -q -p server --bench mixer
