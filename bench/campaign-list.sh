#!/usr/bin/env bash
# Server time of the campaign list (SSR page, server function, bare SQL + session lookup),
# 100 users × 1,000 campaigns, p50/p95. Needs PostgreSQL and Redis running (./dev services).
# Usage: [BENCH_ITERATIONS=300] bench/campaign-list.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
export SQLX_OFFLINE=true LEPTOS_OUTPUT_NAME=spine
exec cargo bench -p server --bench campaign_list
