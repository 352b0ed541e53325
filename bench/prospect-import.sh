#!/usr/bin/env bash
# Prospect import of 100,000 rows beside a plain COPY and the database-only floor (COPY +
# one INSERT … SELECT … ON CONFLICT), re-import, row-by-row, workbook, peak memory.
# Needs PostgreSQL running (./dev services); /usr/bin/time and python3-openpyxl are optional.
# Usage: [BENCH_RUNS=5] bench/prospect-import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
export SQLX_OFFLINE=true LEPTOS_OUTPUT_NAME=spine
exec cargo bench -p server --bench prospect_import
