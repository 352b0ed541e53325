#!/usr/bin/env bash
# Seconds from `spine serve` start to /ready = 200, warm build, N runs (min / median / max).
# Usage: bench/ready-time.sh [runs=7] [profile=release]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}; profile=${2:-release}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
bin="$CARGO_TARGET_DIR/$profile/spine"
[ -x "$bin" ] || { echo "build first: ./dev run (release) or cargo leptos build" >&2; exit 1; }
export LEPTOS_SITE_ROOT="$PWD/target/site" LEPTOS_OUTPUT_NAME=spine
export SPINE_LISTEN=127.0.0.1:3199 SPINE_JOBS_NAMESPACE=spine-bench SPINE_LOG=warn
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/spine_bench
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$bin" serve >/dev/null 2>&1 &
  pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:3199/ready)" = 200 ]; do sleep 0.01; done
  end=$(date +%s.%N)
  kill -TERM "$pid"; wait "$pid" || true
  times+=("$(echo "$end - $start" | bc -l)")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "spine serve -> /ready 200 (%d runs): min %.3f s, median %.3f s, max %.3f s\n", NR, a[1], a[int((NR+1)/2)], a[NR]}'
