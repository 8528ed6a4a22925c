#!/usr/bin/env bash
# Installs and builds what the demo needs, then starts it (SQLite + local sandbox, no API keys needed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh
if ! command -v bwrap >/dev/null 2>&1; then
  echo "bubblewrap is missing: agents run inside it. Install it with: apt-get install -y bubblewrap" >&2
  exit 1
fi
pnpm install --frozen-lockfile
pnpm turbo run build --filter=@agent-runtime/demo...
exec pnpm --filter @agent-runtime/demo start
