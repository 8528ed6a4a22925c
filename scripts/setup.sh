# Sourced by demo.sh and test.sh: checks what the machine must provide and installs what is
# missing when it can (root with apt-get, or sudo without a password prompt); otherwise it stops
# and prints the exact command to run. AGENT_RUNTIME_NO_INSTALL=1 only checks (never installs).

# require_node: Node.js 20.19 or newer.
require_node() {
  if ! command -v node >/dev/null 2>&1; then
    echo "Node.js is missing: install Node.js 20.19 or newer, then run this again." >&2
    exit 1
  fi
  if ! node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1)'; then
    echo "Node.js $(node --version) is too old: agent-runtime needs Node.js 20.19 or newer." >&2
    exit 1
  fi
}

# _privilege: prints "" when root, "sudo" when sudo works without a prompt; fails otherwise.
_privilege() {
  if [ "$(id -u)" = "0" ]; then
    echo ""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "sudo"
  else
    return 1
  fi
}

# _missing_packages COMMAND:PACKAGE...: prints the packages whose command is missing.
_missing_packages() {
  local pair command
  for pair in "$@"; do
    command=${pair%%:*}
    if [ "${command#/}" != "$command" ]; then
      [ -e "$command" ] || echo "${pair#*:}"
    else
      command -v "$command" >/dev/null 2>&1 || echo "${pair#*:}"
    fi
  done
}

# require_system_packages WHY COMMAND:PACKAGE...
# For every COMMAND not on PATH (or, when it starts with "/", not an existing file), installs
# PACKAGE with apt-get when it can; else stops with the exact command to run.
require_system_packages() {
  local why=$1
  shift
  local missing
  missing=($(_missing_packages "$@"))
  [ ${#missing[@]} -eq 0 ] && return 0

  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing: ${missing[*]} ($why), and apt-get is not available." >&2
    echo "Install the package(s) ${missing[*]} with your system's package manager, then run this again." >&2
    exit 1
  fi
  local install="apt-get install -y --no-install-recommends ${missing[*]}"
  local privilege
  if [ "${AGENT_RUNTIME_NO_INSTALL:-}" = "1" ] || ! privilege=$(_privilege); then
    echo "Missing: ${missing[*]} ($why). Run:" >&2
    echo "  sudo apt-get update && sudo $install" >&2
    echo "then run this again." >&2
    exit 1
  fi
  echo "--- installing ${missing[*]} ($why): ${privilege:+sudo }$install"
  if ! $privilege env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    ! $privilege env DEBIAN_FRONTEND=noninteractive $install -qq >/dev/null; then
    echo "Installing ${missing[*]} failed. Run it yourself:" >&2
    echo "  ${privilege:+sudo }apt-get update && ${privilege:+sudo }$install" >&2
    exit 1
  fi
  missing=($(_missing_packages "$@"))
  if [ ${#missing[@]} -ne 0 ]; then
    echo "Still missing after apt-get: ${missing[*]}. Install it (e.g. $install) and run this again." >&2
    exit 1
  fi
}

# require_postgres: the PostgreSQL tests need a server on 127.0.0.1:5432 (trust auth, database
# `test`), or AGENT_RUNTIME_TEST_DATABASE_URL. Starts an installed but stopped Debian cluster.
require_postgres() {
  local url=${AGENT_RUNTIME_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
  if node -e '
    const net = require("node:net");
    const { hostname, port } = new URL(process.argv[1]);
    const socket = net.connect({ host: hostname, port: Number(port || 5432) });
    socket.setTimeout(2000, () => process.exit(1));
    socket.on("connect", () => process.exit(0));
    socket.on("error", () => process.exit(1));
  ' "$url"; then
    return 0
  fi
  local privilege
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] && privilege=$(_privilege); then
    local version
    version=$(ls /etc/postgresql | sort -V | tail -1)
    echo "--- starting PostgreSQL $version"
    $privilege pg_ctlcluster --skip-systemctl-redirect "$version" main start && return 0
  fi
  echo "The PostgreSQL tests need a server at $url (trust auth, database 'test'). Either start one, e.g." >&2
  echo "  sudo apt-get install -y postgresql && sudo pg_ctlcluster \$(ls /etc/postgresql) main start" >&2
  echo "  sudo -u postgres createdb test   # and 'trust' for 127.0.0.1 in pg_hba.conf" >&2
  echo "or point AGENT_RUNTIME_TEST_DATABASE_URL at one, then run this again." >&2
  exit 1
}

# require_nats: the cluster tests need NATS with JetStream on 127.0.0.1:4222, or
# AGENT_RUNTIME_TEST_NATS_URL. Starts `nats-server -js` (installing Debian's nats-server when it can)
# when nothing answers there; the server's store and log go to a temporary directory.
require_nats() {
  local url=${AGENT_RUNTIME_TEST_NATS_URL:-nats://127.0.0.1:4222}
  local probe='
    const net = require("node:net");
    const { hostname, port } = new URL(process.argv[1]);
    const socket = net.connect({ host: hostname, port: Number(port || 4222) });
    socket.setTimeout(2000, () => process.exit(1));
    socket.on("connect", () => process.exit(0));
    socket.on("error", () => process.exit(1));
  '
  node -e "$probe" "$url" && return 0
  if [ -n "${AGENT_RUNTIME_TEST_NATS_URL:-}" ]; then
    echo "Nothing answers at AGENT_RUNTIME_TEST_NATS_URL=$url (the cluster tests need NATS with JetStream there)." >&2
    exit 1
  fi
  require_system_packages "the cluster tests: NATS with JetStream" nats-server:nats-server
  local directory
  directory=$(mktemp -d "${TMPDIR:-/tmp}/agent-runtime-nats.XXXXXX")
  echo "--- starting nats-server -js (store and log in $directory)"
  nohup nats-server -js -sd "$directory/store" -a 127.0.0.1 -p 4222 >"$directory/nats.log" 2>&1 &
  for _ in $(seq 1 50); do
    node -e "$probe" "$url" && return 0
    sleep 0.2
  done
  echo "nats-server did not start; its log: $directory/nats.log" >&2
  exit 1
}
