#!/usr/bin/env bash
# Starts Spine for the end-to-end tests on a database made anew each run.
set -euo pipefail
port=${SPINE_E2E_PORT:-3100}
db=spine_e2e
psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
export SPINE_LISTEN="127.0.0.1:$port"
export SPINE_JOBS_NAMESPACE="spine-e2e-$$"
export LEPTOS_SITE_ADDR="127.0.0.1:$port"
exec "${SPINE_BIN:?set SPINE_BIN to the spine binary}" serve
