#!/usr/bin/env bash
# This build beside a reference build, in one run: per page, the bytes downloaded to make it
# interactive (raw and over the wire), and the time from navigation to an interactive campaign
# list in Chromium on a throttled show-floor network (10 Mbit/s, 60 ms), median of N cold runs.
# Usage: bench/page-speed.sh [reference git revision, default 18e5ee5: before split WASM] [runs=10]
# The reference is built once in its own worktree and target directory (a full release build).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
ref=${1:-18e5ee5}; runs=${2:-10}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
export PATH="$HOME/.cargo/bin:$PATH" SQLX_OFFLINE=true LEPTOS_OUTPUT_NAME=spine LEPTOS_SITE_PKG_DIR=pkg
./dev services >/dev/null

# This build, as ./dev run serves it, in a site and hash file of its own (a running ./dev run
# keeps serving its files).
site="$root/target/site-bench"
LEPTOS_SITE_ROOT="$site" LEPTOS_HASH_FILE_NAME=hash-bench.txt cargo leptos build --release --split --precompress >&2
cargo build -q --release -p sandbox --bin spine-sandbox

# The reference, once per revision.
refdir=$(dirname "$CARGO_TARGET_DIR")/reference/$(git rev-parse --short "$ref")
if [ ! -x "$refdir/target/release/spine" ]; then
  rm -rf "$refdir/src"; mkdir -p "$refdir"
  git worktree prune
  git worktree add --detach "$refdir/src" "$ref" >&2
  flags=(--release); [ -f "$refdir/src/.cargo/config.toml" ] && flags+=(--split --precompress)
  (cd "$refdir/src" && CARGO_TARGET_DIR="$refdir/target" LEPTOS_SITE_ROOT="$refdir/src/target/site" \
    cargo leptos build "${flags[@]}" >&2)
fi
ref_hashed=false; grep -q '^hash-files = true' "$refdir/src/Cargo.toml" && ref_hashed=true

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
# serve NAME PORT BINARY SITE HASH_FILE HASHED: a sandbox on PORT+2 and Spine on PORT, on a
# seeded database.
serve() {
  local name=$1 port=$2 bin=$3 site=$4 hash_file=$5 hashed=$6 state
  state=$(mktemp -d)
  "$CARGO_TARGET_DIR/release/spine-sandbox" --listen "127.0.0.1:$((port + 2))" --state-file "$state/sandbox.json" \
    --redirect-uri "http://127.0.0.1:$port/auth/microsoft/callback" 2>/dev/null &
  pids+=($!)
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS spine_speed_$name WITH (FORCE)"
  (
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/spine_speed_$name" SPINE_LISTEN="127.0.0.1:$port" \
      SPINE_PUBLIC_URL="http://127.0.0.1:$port" SPINE_MICROSOFT_AUTHORITY="http://127.0.0.1:$((port + 2))/organizations/v2.0" \
      SPINE_JOBS_NAMESPACE="spine-speed-$name" SPINE_LOG=warn LEPTOS_SITE_ROOT="$site" LEPTOS_HASH_FILES=$hashed \
      LEPTOS_HASH_FILE_NAME=$hash_file
    "$bin" seed >/dev/null
    exec "$bin" serve 2>/dev/null
  ) &
  pids+=($!)
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")" = 200 ]; do sleep 0.2; done
}
serve new 3300 "$CARGO_TARGET_DIR/release/spine" "$site" hash-bench.txt true
serve ref 3310 "$refdir/target/release/spine" "$refdir/src/target/site" hash.txt "$ref_hashed"

echo "reference: $(git log -1 --format='%h %s' "$ref")"
cd end2end && RUNS=$runs NEW_BASE=http://127.0.0.1:3300 OLD_BASE=http://127.0.0.1:3310 node ../bench/page-speed.cjs
