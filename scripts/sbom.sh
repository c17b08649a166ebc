#!/usr/bin/env bash
# Writes a CycloneDX 1.5 JSON SBOM of Elkarlan: every crate the workspace resolves to (from
# `cargo metadata` and the checksums in Cargo.lock, for all target platforms), with version,
# licence, package URL, SHA-256 and the dependency graph, plus the browser tests' npm packages
# (scope "excluded": test tooling, not shipped). Needs only cargo and python3, no network.
#   bash scripts/sbom.sh [OUT]      default OUT: target/sbom/elkarlan.cdx.json
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-target/sbom/elkarlan.cdx.json}"
mkdir -p "$(dirname "$out")"
cargo metadata --format-version 1 --locked >"$out.metadata.json"
python3 - "$out" <<'PY'
import base64, datetime, json, sys, tomllib, uuid
from urllib.parse import quote

out = sys.argv[1]
meta = json.load(open(out + ".metadata.json"))
lock = tomllib.load(open("Cargo.lock", "rb"))
checksums = {(p["name"], p["version"]): p.get("checksum") for p in lock["package"]}
members = set(meta["workspace_members"])
packages = {p["id"]: p for p in meta["packages"]}

def purl(p):
    return f"pkg:cargo/{p['name']}@{p['version']}"

def component(p):
    c = {
        "type": "application" if p["id"] in members else "library",
        "bom-ref": purl(p),
        "name": p["name"],
        "version": p["version"],
        "purl": purl(p),
    }
    if p.get("description"):
        c["description"] = " ".join(p["description"].split())
    if p.get("license"):
        c["licenses"] = [{"expression": " ".join(p["license"].replace("/", " OR ").split())}]
    checksum = checksums.get((p["name"], p["version"]))
    if checksum:
        c["hashes"] = [{"alg": "SHA-256", "content": checksum}]
    refs = []
    if p.get("repository"):
        refs.append({"type": "vcs", "url": p["repository"]})
    if p.get("source", "") and p["source"].startswith("registry+"):
        refs.append({"type": "distribution", "url": f"https://crates.io/crates/{p['name']}/{p['version']}"})
    if refs:
        c["externalReferences"] = refs
    return c

app = next(packages[m] for m in members if packages[m]["name"] == "elkarlan")
components = [component(p) for i, p in sorted(packages.items()) if i != app["id"]]
dependencies = []
for node in meta["resolve"]["nodes"]:
    deps = sorted({purl(packages[d["pkg"]]) for d in node["deps"]})
    dependencies.append({"ref": purl(packages[node["id"]]), "dependsOn": deps})

npm = json.load(open("e2e/package-lock.json"))
for path, p in sorted(npm["packages"].items()):
    if not path:
        continue
    name = path.split("node_modules/")[-1]
    ref = f"pkg:npm/{quote(name, safe='/')}@{p['version']}"
    c = {"type": "library", "bom-ref": ref, "name": name, "version": p["version"], "purl": ref, "scope": "excluded"}
    if p.get("license"):
        c["licenses"] = [{"expression": p["license"]}]
    alg, _, digest = p.get("integrity", "").partition("-")
    if alg == "sha512":
        c["hashes"] = [{"alg": "SHA-512", "content": base64.b64decode(digest).hex()}]
    components.append(c)

bom = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "serialNumber": f"urn:uuid:{uuid.uuid4()}",
    "version": 1,
    "metadata": {
        "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tools": {"components": [{"type": "application", "name": "scripts/sbom.sh"}]},
        "component": component(app),
    },
    "components": components,
    "dependencies": dependencies,
}
json.dump(bom, open(out, "w"), indent=1)
crates = sum(1 for c in components if c["purl"].startswith("pkg:cargo/"))
print(f"{out}: {crates} crates, {len(components) - crates} npm packages, {len(dependencies)} dependency entries")
PY
rm -f "$out.metadata.json"
