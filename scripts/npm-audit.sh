#!/usr/bin/env bash
# Audits the browser tests' npm packages (e2e/package-lock.json).
# First `npm audit` (the registry's advisory endpoint). Where that endpoint cannot be reached,
# the lock file is checked against what the registry does answer: every locked package must
# exist at its locked version with the same integrity hash, must not be deprecated, and must
# carry a licence from the allow-list below (the same families as deny.toml). That fallback
# proves the packages are the published ones, not that they have no advisory. Exit status 1
# on any finding, so CI fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

status=0
npm audit --prefix e2e --audit-level=low || status=$?
if [ "$status" -eq 0 ]; then
  echo "npm audit: no advisories"
  exit 0
fi
# npm audit exits 1 both for findings and for an unreachable endpoint; tell them apart.
if npm audit --prefix e2e --json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if "vulnerabilities" in d else 1)'; then
  echo "npm audit reported advisories (above)" >&2
  exit "$status"
fi
echo "npm audit: the advisory endpoint is not reachable; checking the lock file against the registry instead"

python3 - <<'PY'
import json, subprocess, sys

ALLOWED = {"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0", "0BSD", "CC0-1.0"}
lock = json.load(open("e2e/package-lock.json"))
problems = 0
for path, meta in lock["packages"].items():
    if not path:
        continue
    name = path.split("node_modules/")[-1]
    version = meta["version"]
    spec = f"{name}@{version}"
    out = subprocess.run(
        ["npm", "view", spec, "dist.integrity", "deprecated", "license", "--json"],
        capture_output=True, text=True,
    )
    if out.returncode != 0:
        print(f"FAIL {spec}: not found in the registry: {out.stderr.strip()}")
        problems += 1
        continue
    info = json.loads(out.stdout or "{}")
    notes = []
    if info.get("dist.integrity") != meta.get("integrity"):
        notes.append(f"integrity differs from the lock file ({info.get('dist.integrity')})")
    if info.get("deprecated"):
        notes.append(f"deprecated: {info['deprecated']}")
    licence = info.get("license") or meta.get("license")
    if licence not in ALLOWED:
        notes.append(f"licence {licence!r} not in the allow-list")
    if notes:
        problems += 1
        print(f"FAIL {spec}: " + "; ".join(notes))
    else:
        print(f"ok   {spec} ({licence}, integrity matches, not deprecated)")
sys.exit(1 if problems else 0)
PY
