#!/usr/bin/env bash
# Installs the workspace (frozen lockfile), builds and typechecks every package (including the
# reference README's examples in packages/agent-runtime/type-tests), lints the repository (ESLint)
# and runs every test suite.
# The last line sums all packages: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh
if ! command -v bwrap >/dev/null 2>&1; then
  echo "bubblewrap is missing: the local sandbox tests need it. Install it with: apt-get install -y bubblewrap" >&2
  exit 1
fi
pnpm install --frozen-lockfile
pnpm build
pnpm typecheck
pnpm lint
pnpm test 2>&1 | node scripts/test-summary.mjs
