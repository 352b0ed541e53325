#!/usr/bin/env bash
# Server time of the pipeline board at 2,000 and 5,000 cards (SSR page, server function, bare
# SQL + session lookup), p50/p95, and a move beside a bare UPDATE. Needs PostgreSQL and Redis
# running (./dev services).
# Usage: [BENCH_ITERATIONS=100] bench/board.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
export SQLX_OFFLINE=true LEPTOS_OUTPUT_NAME=spine
exec cargo bench -p server --bench board
