#!/usr/bin/env bash
# Time to read a 3-page scanned catalogue (the fixtures' pages joined with pdfunite) into
# products, beside the plain CLI on the same pages, one after another: `pdftoppm -r 300` then
# `tesseract … tsv` per page. First `spine extract-catalogue` (the reading alone), then the whole
# way from the Catalogue tab's upload to staged products (HTTP upload, checks, job worker,
# OCR, extraction, staging, crops: the `catalogue_upload` bench). Each pinned to one core
# (`taskset -c 0`; goal: Spine ≤ 1.3× the CLI), then on every core (goal: faster than the CLI).
# Runs interleaved; medians printed, nothing asserted. Needs PostgreSQL and Redis (./dev services).
# Usage: [RUNS=5] bench/catalogue-speed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
export SQLX_OFFLINE=true LEPTOS_OUTPUT_NAME=spine
cargo build -q --release --package=server --bin=spine --no-default-features
spine="$CARGO_TARGET_DIR/release/spine"
files=catalogue/tests/files
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pdfseparate -f 1 -l 2 "$files/sample-grid.pdf" "$work/grid-%d.pdf"
pdfseparate -f 1 -l 1 "$files/sample-table.pdf" "$work/table-%d.pdf"
pdfunite "$work/grid-1.pdf" "$work/grid-2.pdf" "$work/table-1.pdf" "$work/catalogue.pdf"
pages=$(pdfinfo "$work/catalogue.pdf" | awk '/^Pages:/ {print $2}')

cli() {
  for p in $(seq "$pages"); do
    pdftoppm -r 300 -png -singlefile -f "$p" -l "$p" "$work/catalogue.pdf" "$work/cli-$p"
    # One OpenMP thread, as Spine runs it (several fight over the cores: 5× slower).
    OMP_THREAD_LIMIT=1 tesseract "$work/cli-$p.png" "$work/cli-$p" -l fra+eng tsv 2>/dev/null
  done
}
export -f cli
export work pages
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -a a b c
found=$("$spine" extract-catalogue "$work/catalogue.pdf" | grep -o '"price_cents"' | wc -l)
for _ in $(seq "$runs"); do
  a+=("$(seconds taskset -c 0 bash -c cli)")
  b+=("$(seconds taskset -c 0 "$spine" extract-catalogue --parallel 1 "$work/catalogue.pdf")")
  c+=("$(seconds "$spine" extract-catalogue "$work/catalogue.pdf")")
done
ma=$(median "${a[@]}"); mb=$(median "${b[@]}"); mc=$(median "${c[@]}")
cores=$(nproc)
echo "catalogue of $pages scanned pages ($found products), $runs runs each, interleaved (medians):"
printf '  %-58s %6.2f s\n' "CLI: pdftoppm -r 300 + tesseract tsv, page after page, 1 core" "$ma"
printf '  %-58s %6.2f s  %.2f× (goal ≤ 1.3×)\n' "spine extract-catalogue, 1 core" "$mb" "$(echo "$mb / $ma" | bc -l)"
printf '  %-58s %6.2f s  %.2f× (goal < 1×)\n' "spine extract-catalogue, pages side by side on $cores cores" "$mc" "$(echo "$mc / $ma" | bc -l)"

echo
export LEPTOS_OUTPUT_NAME=spine BENCH_RUNS=$runs
cargo bench -q -p server --bench catalogue_upload --no-run
taskset -c 0 cargo bench -q -p server --bench catalogue_upload
cargo bench -q -p server --bench catalogue_upload | tail -n 2
