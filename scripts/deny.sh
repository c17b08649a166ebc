#!/usr/bin/env bash
# cargo deny check (deny.toml), offline, against the RustSec advisory database copied in
# ../shared (a snapshot without git history). cargo-deny opens its database as a git checkout
# in a folder named after the database URL under `db-path` and dates it by its HEAD commit, so
# the snapshot is committed once into that folder with the snapshot's own date: the
# staleness limit in deny.toml then measures the age of the data, not of the copy.
#   bash scripts/deny.sh [checks...]     e.g. bash scripts/deny.sh licenses bans
#   ELKARLAN_ADVISORY_DB=/path/to/rustsec-advisory-db bash scripts/deny.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
advisory_db="${ELKARLAN_ADVISORY_DB:-$(dirname "$PWD")/shared/data/rustsec-advisory-db}"
if [ ! -d "$advisory_db/crates" ] || [ ! -f "$advisory_db/SNAPSHOT" ]; then
  echo "ERROR: RustSec advisory database not found at $advisory_db" >&2
  exit 1
fi
# cargo-deny's folder for https://github.com/rustsec/advisory-db (deny.toml's db-urls).
db_dir=target/advisory-dbs/advisory-db-3157b0e258782691
snapshot="$(cat "$advisory_db/SNAPSHOT")"
if [ ! -d "$db_dir/.git" ] || [ "$(cat "$db_dir/SNAPSHOT" 2>/dev/null)" != "$snapshot" ]; then
  day="$(grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}' <<<"$snapshot" | head -1)"
  if [ -z "$day" ]; then
    echo "ERROR: no date in $advisory_db/SNAPSHOT" >&2
    exit 1
  fi
  rm -rf "$db_dir"
  mkdir -p "$db_dir"
  cp -R "$advisory_db/." "$db_dir/"
  chmod -R u+w "$db_dir"
  (
    cd "$db_dir"
    git init -q
    git add -A
    GIT_AUTHOR_DATE="${day}T00:00:00Z" GIT_COMMITTER_DATE="${day}T00:00:00Z" \
      git -c user.name=elkarlan -c user.email=elkarlan@invalid -c commit.gpgsign=false \
      commit -q -m "$snapshot"
  )
fi
# cargo-deny reads `cargo metadata` for every platform offline, so the sources of crates that only
# other platforms build (wasm-bindgen, android_system_properties, ...) must be in cargo's cache too:
# `cargo fetch` downloads exactly what Cargo.lock names, for every target.
cargo fetch --locked --quiet
cargo deny --offline --locked check "$@"
