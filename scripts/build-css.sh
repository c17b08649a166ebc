#!/usr/bin/env bash
# Build the Elkarlan stylesheet and copy govuk-frontend's JS into
# crates/web/static/ (both are committed, so `cargo build` needs no Node).
#
# Writes exactly:
#   crates/web/static/elkarlan.css            (compressed, no source map)
#   crates/web/static/govuk-frontend.min.js   (copied from govuk-frontend)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -f assets/package-lock.json ]]; then
  npm ci --prefix assets --no-audit --no-fund --ignore-scripts
else
  npm install --prefix assets --no-audit --no-fund --ignore-scripts
fi

mkdir -p crates/web/static

assets/node_modules/.bin/sass \
  --load-path=assets/node_modules \
  --style=compressed \
  --no-source-map \
  assets/scss/elkarlan.scss \
  crates/web/static/elkarlan.css

cp assets/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js \
  crates/web/static/govuk-frontend.min.js
