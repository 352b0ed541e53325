#!/usr/bin/env bash
# Starts what the end-to-end tests run against: `serve.sh sandbox` (the Microsoft stand-in)
# or `serve.sh spine` (Spine on a database made anew each run).
set -euo pipefail
port=${SPINE_E2E_PORT:-3100}
sandbox_port=${SPINE_E2E_SANDBOX_PORT:-3102}
case "${1:?sandbox or spine}" in
  sandbox)
    state=$(mktemp -d)/sandbox-state.json
    exec "${SANDBOX_BIN:?set SANDBOX_BIN to the spine-sandbox binary}" \
      --listen "127.0.0.1:$sandbox_port" --state-file "$state" \
      --redirect-uri "http://127.0.0.1:$port/auth/microsoft/callback" \
      --redirect-uri "http://127.0.0.1:$port/auth/outlook/callback" \
      --enable-control
    ;;
  spine)
    db=spine_e2e
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
    export SPINE_LISTEN="127.0.0.1:$port"
    export SPINE_PUBLIC_URL="http://127.0.0.1:$port"
    export SPINE_MICROSOFT_AUTHORITY="http://127.0.0.1:$sandbox_port/organizations/v2.0"
    export SPINE_GRAPH_URL="http://127.0.0.1:$sandbox_port"
    export SPINE_JOBS_NAMESPACE="spine-e2e-$$"
    # Uploaded files of this run, outside the checkout.
    export SPINE_DATA_DIR="$(mktemp -d)"
    export LEPTOS_SITE_ADDR="127.0.0.1:$port"
    exec "${SPINE_BIN:?set SPINE_BIN to the spine binary}" serve
    ;;
esac
