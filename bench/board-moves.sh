#!/usr/bin/env bash
# Stage moves under load: wrk posts move_card to Spine (production router) and the same load to
# a bare axum handler (session lookup + UPDATE), in one run; throughput, p99, their ratio,
# errors and lost moves. Installs wrk from apt if missing. Needs PostgreSQL and Redis running
# (./dev services).
# Usage: [BENCH_SECONDS=30] [BENCH_CONNECTIONS=50] [BENCH_THREADS=2] [BENCH_CARDS=4000]
#        [BENCH_VERBOSE=1] bench/board-moves.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk ||
    { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
export SQLX_OFFLINE=true LEPTOS_OUTPUT_NAME=spine
export BENCH_SECONDS=${BENCH_SECONDS:-30}
exec cargo bench -p server --bench board_moves
