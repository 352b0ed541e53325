#!/usr/bin/env bash
# Wall time of ./dev test: in this checkout (warm) and in a fresh clone of HEAD reusing the
# shared target directory (what CI does). Set EMPTY_TARGET=1 to also time it from an empty
# target directory (slow: a full build).
set -euo pipefail
cd "$(dirname "$0")/.."
# Seconds taken, and FAILED when the run did not pass (a failed run's time means nothing).
t() {
  local s rc=0
  s=$(date +%s)
  "$@" >/dev/null 2>&1 || rc=$?
  if [ "$rc" = 0 ]; then echo "$(( $(date +%s) - s ))"; else echo "$(( $(date +%s) - s )) (FAILED, exit $rc)"; fi
}
echo "./dev test, warm, this checkout: $(t ./dev test) s"
clone=$(mktemp -d); git clone -q . "$clone"
echo "./dev test, fresh clone, warm target dir: $(t "$clone/dev" test) s"
if [ "${EMPTY_TARGET:-0}" = 1 ]; then
  empty=$(mktemp -d)
  echo "./dev test, fresh clone, empty target dir: $(CARGO_TARGET_DIR=$empty t "$clone/dev" test) s"
  rm -rf "$empty"
fi
rm -rf "$clone"
