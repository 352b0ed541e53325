#!/usr/bin/env bash
# Size of what the browser downloads (release WASM + JS + CSS), raw and gzip -9.
# Usage: bench/wasm-size.sh   (builds the release site first)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
export PATH="$HOME/.cargo/bin:$PATH" SQLX_OFFLINE=true LEPTOS_OUTPUT_NAME=spine
cargo leptos build --release >&2
pkg=target/site/pkg
total_raw=0; total_gz=0
printf '%-14s %10s %10s\n' file raw gzip
for f in spine.wasm spine.js spine.css; do
  raw=$(stat -c %s "$pkg/$f")
  gz=$(gzip -9 -c "$pkg/$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-14s %8d B %8d B\n' "$f" "$raw" "$gz"
done
printf '%-14s %7.1f KB %7.1f KB   (goal for the finished app: <= 400 KB gzip)\n' total \
  "$(echo "$total_raw/1024" | bc -l)" "$(echo "$total_gz/1024" | bc -l)"
