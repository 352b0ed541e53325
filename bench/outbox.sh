#!/usr/bin/env bash
# The outbox's numbers against spine-sandbox's Graph (see server/benches/outbox.rs): the
# dispatcher's overhead per mail beside a plain loop of the same Graph calls (1,000 mails, 50
# mailboxes; goal ≤ 5 ms a mail), and Exchange's pace kept (600 a minute over 300 mails, then
# the real 30 a minute over 60 mails; goal within 5 %, never above in any 60 s).
# Needs PostgreSQL and Redis (./dev services). Usage: [BENCH_RUNS=3] [BENCH_PART=overhead|pace] bench/outbox.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
export SQLX_OFFLINE=true
exec cargo bench -q -p server --bench outbox
