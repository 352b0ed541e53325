# Sourced by the benches that run Spine as ./dev run serves it: `serve NAME PORT BINARY SITE
# HASH_FILE HASHED` starts a sandbox on PORT+2 and Spine on PORT on a seeded database of its
# own (spine_speed_NAME), and stops them when the bench exits.
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
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
