#!/usr/bin/env bash
# Install what the browser tests need, idempotently:
#   - Debian's chromium (only when /usr/bin/chromium is missing; no browser is ever downloaded
#     by npm or playwright),
#   - the e2e/ npm packages (playwright-core, @axe-core/playwright) from e2e/package-lock.json.
# Needs root (or sudo) for apt-get the first time.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  echo "install-browser: installing Debian chromium"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" apt-get install -y chromium
else
  echo "install-browser: /usr/bin/chromium already present"
fi
/usr/bin/chromium --version 2>/dev/null || true

cd "$repo_root/e2e"
# Never let any package try to fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi
