# Sourced by the other scripts: makes `pnpm` (the version pinned in package.json) available.
# Corepack's signature check fails against some registries; COREPACK_INTEGRITY_KEYS=0 skips it.
export COREPACK_INTEGRITY_KEYS=0
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
if ! pnpm --version >/dev/null 2>&1; then
  corepack enable >/dev/null 2>&1 || true
fi
if ! pnpm --version >/dev/null 2>&1; then
  pnpm() { npx -y pnpm@10.34.8 "$@"; }
fi
