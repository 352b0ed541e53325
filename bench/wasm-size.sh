#!/usr/bin/env bash
# What each page costs a tablet: per page, the bytes a browser downloads to make it interactive
# (main WASM + JS, the page's chunks, CSS), raw and over the wire (br/gzip), from the release
# split build that ./dev run serves; then the largest functions of the main chunk (twiggy).
# The same figures are the budget ./dev test enforces (end2end/tests/budget.spec.ts).
# Usage: bench/wasm-size.sh [number of functions to list, default 25]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
top=${1:-25}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
export PATH="$HOME/.cargo/bin:$PATH" SQLX_OFFLINE=true LEPTOS_OUTPUT_NAME=spine LEPTOS_SITE_PKG_DIR=pkg
# The site ./dev bench-site builds (a running ./dev run keeps serving its own).
export LEPTOS_SITE_ROOT="$root/target/site-bench" LEPTOS_HASH_FILE_NAME=hash-bench.txt
./dev services >/dev/null
./dev bench-site

pkg=$LEPTOS_SITE_ROOT/pkg
echo "Files of the build (raw / brotli):"
# board.*: the board's script (board-script/), loaded by the board page only.
for f in "$pkg"/*.wasm "$pkg"/*.js "$pkg"/*.css; do
  printf '  %-60s %9d B %9d B\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(stat -c %s "$f.br" 2>/dev/null || echo 0)"
done

(cd end2end && SPINE_BIN="$CARGO_TARGET_DIR/release/spine" SANDBOX_BIN="$CARGO_TARGET_DIR/release/spine-sandbox" \
  npx playwright test budget.spec.ts --reporter=list 2>&1 | sed -n '/Downloads to make/,/budgets:/p')

# The main chunk as split, before wasm-bindgen and wasm-opt: function names are still there.
main=$(ls -t "$CARGO_TARGET_DIR"/front/wasm32-unknown-unknown/wasm-release/*_split.wasm 2>/dev/null | head -n 1 || true)
if ! command -v twiggy >/dev/null; then
  echo "(twiggy missing: cargo install twiggy --locked, then run again for the largest functions)"
elif [ -n "$main" ]; then
  echo
  echo "Largest functions of the main chunk ($(basename "$main"), before wasm-opt):"
  twiggy top -n "$top" "$main"
fi
