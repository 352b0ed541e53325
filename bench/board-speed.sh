#!/usr/bin/env bash
# Time from navigation to an interactive board of 2,000 cards in Chromium, beside the campaign
# list measured in the same run: interactive = the app's `data-hydrated` marker set, and (on the
# board) a card answering a key press, ArrowDown moving the focus to the next card (the board's
# script). Cold cache each run, on this machine's loopback and on a throttled show-floor network
# (10 Mbit/s, 60 ms). Also the board page's weight: its HTML, and the files it downloads.
# Usage: bench/board-speed.sh [runs=10] [cards=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-10}; cards=${2:-2000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
export PATH="$HOME/.cargo/bin:$PATH" SQLX_OFFLINE=true LEPTOS_OUTPUT_NAME=spine LEPTOS_SITE_PKG_DIR=pkg
# The site ./dev bench-site builds (a running ./dev run keeps serving its own).
export LEPTOS_SITE_ROOT="$root/target/site-bench" LEPTOS_HASH_FILE_NAME=hash-bench.txt
./dev services >/dev/null
./dev bench-site

# shellcheck source=bench/serve.sh
source "$root/bench/serve.sh"
port=3320
serve board "$port" "$CARGO_TARGET_DIR/release/spine" "$LEPTOS_SITE_ROOT" hash-bench.txt true

cd end2end && RUNS=$runs CARDS=$cards BASE=http://127.0.0.1:$port node ../bench/board-speed.cjs
