#!/usr/bin/env bash
# Sign-in round trip in Chromium: click "Se connecter avec Microsoft", pick the account on the
# sandbox page, until the signed-in page shows the rep's name. N runs, min / median / max.
# Usage: bench/signin-time.sh [runs=10] [profile=release]   (build first: ./dev run or cargo leptos build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}; profile=${2:-release}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
bin="$CARGO_TARGET_DIR/$profile"
[ -x "$bin/spine" ] && [ -x "$bin/spine-sandbox" ] || { echo "build $profile spine and spine-sandbox first" >&2; exit 1; }
state=$(mktemp -d)
"$bin/spine-sandbox" --listen 127.0.0.1:3202 --state-file "$state/sandbox.json" \
  --redirect-uri http://127.0.0.1:3200/auth/microsoft/callback 2>/dev/null &
sandbox=$!
DATABASE_URL=postgres://postgres@127.0.0.1:5432/spine_bench SPINE_LISTEN=127.0.0.1:3200 \
SPINE_PUBLIC_URL=http://127.0.0.1:3200 SPINE_MICROSOFT_AUTHORITY=http://127.0.0.1:3202/organizations/v2.0 \
SPINE_JOBS_NAMESPACE=spine-bench SPINE_LOG=warn LEPTOS_SITE_ROOT="$PWD/target/site" LEPTOS_OUTPUT_NAME=spine \
  "$bin/spine" serve 2>/dev/null &
spine=$!
trap 'kill $sandbox $spine 2>/dev/null || true; rm -rf "$state"' EXIT
until [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:3200/ready)" = 200 ]; do sleep 0.1; done
cd end2end && RUNS=$runs BASE=http://127.0.0.1:3200 node ../bench/signin-time.cjs
