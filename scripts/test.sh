#!/usr/bin/env bash
# Installs what the machine lacks (bubblewrap, chromium; see scripts/setup.sh) and the workspace
# (frozen lockfile), builds and typechecks every package (including the reference README's
# examples in packages/agent-runtime/type-tests) and runs every test suite.
# The last line sums all packages: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh
source scripts/setup.sh
require_node
require_system_packages "the tests: bubblewrap for the local sandbox, chromium for the demo UI" bwrap:bubblewrap "${CHROMIUM_PATH:-/usr/bin/chromium}:chromium"
require_postgres
pnpm install --frozen-lockfile
pnpm build
pnpm typecheck
pnpm test 2>&1 | node scripts/test-summary.mjs
