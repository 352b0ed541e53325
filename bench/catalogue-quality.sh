#!/usr/bin/env bash
# Catalogue extraction quality against the ground truth of each fixture (catalogue/tests/files,
# or CATALOGUE_FIXTURES=DIR of X.pdf beside X.json): products found / expected, exact references
# and prices, name similarity, invented products. Needs pdftoppm and tesseract (./dev installs them).
# Usage: [CATALOGUE_FIXTURES=DIR] bench/catalogue-quality.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/spine/target}
exec cargo bench -q -p catalogue --bench quality
