#!/usr/bin/env bash
# Installs (bubblewrap, when missing and it can) and builds what the demo needs, then starts it (SQLite + local sandbox, no API keys needed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh
source scripts/setup.sh
require_node
require_system_packages "the demo runs its agents inside bubblewrap" bwrap:bubblewrap
pnpm install --frozen-lockfile
pnpm turbo run build --filter=@agent-runtime/demo...
exec pnpm --filter @agent-runtime/demo start
