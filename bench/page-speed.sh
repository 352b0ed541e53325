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

# This build, as ./dev run serves it (./dev bench-site).
site="$root/target/site-bench"
./dev bench-site

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

# shellcheck source=bench/serve.sh
source "$root/bench/serve.sh"
serve new 3300 "$CARGO_TARGET_DIR/release/spine" "$site" hash-bench.txt true
serve ref 3310 "$refdir/target/release/spine" "$refdir/src/target/site" hash.txt "$ref_hashed"

echo "reference: $(git log -1 --format='%h %s' "$ref")"
cd end2end && RUNS=$runs NEW_BASE=http://127.0.0.1:3300 OLD_BASE=http://127.0.0.1:3310 node ../bench/page-speed.cjs
