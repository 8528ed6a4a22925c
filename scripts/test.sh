#!/usr/bin/env bash
# Installs what the machine lacks (bubblewrap, chromium; see scripts/setup.sh) and the workspace
# (frozen lockfile), builds and typechecks every package (including the reference README's
# examples in packages/agent-runtime/type-tests), lints the repository (ESLint) and runs every
# test suite. PostgreSQL and NATS (JetStream) are started when installed but not running.
# The last line sums all packages: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh
source scripts/setup.sh
require_node
require_system_packages "the tests: bubblewrap for the local sandbox, socat for its network door, chromium for the demo UI" bwrap:bubblewrap socat:socat "${CHROMIUM_PATH:-/usr/bin/chromium}:chromium"
require_postgres
require_nats
pnpm install --frozen-lockfile
pnpm build
pnpm typecheck
pnpm lint
pnpm test 2>&1 | node scripts/test-summary.mjs
