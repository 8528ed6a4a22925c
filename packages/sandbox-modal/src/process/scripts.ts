/**
 * Shell scripts run inside the sandbox with `sh -c`. They need POSIX `sh`, GNU coreutils
 * (`realpath -m`), GNU findutils (`find -printf`) and util-linux `setsid` — all in Debian images.
 * Every path they touch is given relative to the exec's working directory, so the scripts behave
 * the same in Modal and in the offline fake (which maps the working directory into its own root).
 */

/**
 * The part of `EXEC_WRAPPER` that runs as the group leader: `$0` pid file, `$1` heartbeat file,
 * `$2` orphan timeout in seconds (0 = none), then the command. It records its pid, starts a
 * watchdog that SIGKILLs the whole group once the heartbeat file is older than `$2` seconds (the
 * runtime that drove it is gone), and execs the command (same pid). No single quotes inside.
 */
const LEADER = [
  'echo $$ > "$0"',
  'if [ "$2" -gt 0 ] 2>/dev/null; then',
  '  touch "$1" 2>/dev/null',
  '  (me=$$; step=$(( $2 / 4 )); [ $step -ge 1 ] || step=1; [ $step -le 10 ] || step=10',
  '   while sleep $step; do kill -0 $me 2>/dev/null || exit 0; t=$(stat -c %Y "$1" 2>/dev/null) || t=0;',
  '   [ $(( $(date +%s) - t )) -le "$2" ] || { kill -s KILL -- -$me 2>/dev/null; exit 0; }; done) </dev/null >/dev/null 2>&1 &',
  'fi',
  'shift 2',
  'exec "$@"',
].join('\n');

/**
 * Runs the command as the leader of its own process group (the SDK has no per-exec kill, so
 * `KILL_SCRIPT` signals the group) with an orphan watchdog (see `LEADER`). Arguments: pid file,
 * heartbeat file, orphan timeout in seconds, command... When the exec is already a group leader
 * it runs `LEADER` itself; otherwise `setsid` (same pid) makes it one first.
 */
export const EXEC_WRAPPER = [
  'g=',
  'read -r _ _ _ _ g _ < /proc/$$/stat 2>/dev/null',
  `if [ "$g" != "$$" ] && command -v setsid >/dev/null 2>&1; then exec setsid sh -c '${LEADER}' "$0" "$@"; fi`,
  LEADER,
].join('\n');

/** `$1` pid file, `$2` signal name: signals the process group (or the pid) once the file exists. */
export const KILL_SCRIPT = [
  'i=0',
  'while [ ! -s "$1" ]; do i=$((i+1)); [ $i -gt 200 ] && exit 3; sleep 0.05; done',
  'p=$(cat "$1")',
  'kill -s "$2" -- "-$p" 2>/dev/null || kill -s "$2" "$p" 2>/dev/null || true',
].join('\n');

/** Creates each relative directory (from `/`) and prints its physical path, one per line. */
export const SETUP_SCRIPT = 'set -e\nfor d in "$@"; do mkdir -p -- "$d"; (cd -- "$d" && pwd -P); done';

/** Exit codes of the file scripts. */
export const FILE_EXIT = { refused: 81, notFound: 82, notAFile: 83 } as const;

/** Shared prelude: `$root` is the physical working directory; `inside` checks a resolved path. */
const PRELUDE = [
  'root=$(pwd -P) || exit 90',
  'inside() { case "$1" in "$root"|"$root"/*) return 0;; *) return 1;; esac; }',
].join('\n');

/** `$1` relative path: prints the file, after resolving every symlink and checking it stays inside. */
export const READ_SCRIPT = [
  PRELUDE,
  'p=$(realpath -m -- "$1") || exit 90',
  `inside "$p" || exit ${FILE_EXIT.refused}`,
  `[ -e "$p" ] || exit ${FILE_EXIT.notFound}`,
  `[ -f "$p" ] || exit ${FILE_EXIT.notAFile}`,
  'exec cat -- "$p"',
].join('\n');

/** `$1` relative path: replaces the file with stdin, creating parents; symlinks must resolve inside. */
export const WRITE_SCRIPT = [
  PRELUDE,
  'p=$(realpath -m -- "$1") || exit 90',
  `inside "$p" || exit ${FILE_EXIT.refused}`,
  `[ "$p" != "$root" ] || exit ${FILE_EXIT.notAFile}`,
  'mkdir -p -- "${p%/*}" || exit 90',
  `[ ! -d "$p" ] || exit ${FILE_EXIT.notAFile}`,
  'exec cat > "$p"',
].join('\n');

/** `$1` relative path: removes the file or link itself (never its target); missing is fine. */
export const DELETE_SCRIPT = [
  PRELUDE,
  'case "$1" in */*) dir=${1%/*};; *) dir=.;; esac',
  'd=$(realpath -m -- "$dir") || exit 90',
  `inside "$d" || exit ${FILE_EXIT.refused}`,
  'p="$d/${1##*/}"',
  'if [ -L "$p" ] || [ -f "$p" ]; then exec rm -f -- "$p"; fi',
  `[ ! -e "$p" ] || exit ${FILE_EXIT.notAFile}`,
].join('\n');

/**
 * `$1` relative directory ('' for the root), `$2` `1` for recursive: prints
 * `path NUL size NUL mtime NUL` per regular file. `find` does not follow symlinks.
 */
export const LIST_SCRIPT = [
  PRELUDE,
  'd=$root',
  `if [ -n "$1" ]; then d=$(realpath -m -- "$1") || exit 90; inside "$d" || exit ${FILE_EXIT.refused}; fi`,
  '[ -d "$d" ] || exit 0',
  'cd -- "$d" || exit 0',
  'if [ "$2" = 1 ]; then depth=; else depth="-maxdepth 1"; fi',
  "exec find . $depth -type f -printf '%P\\0%s\\0%T@\\0'",
].join('\n');

/**
 * Many files in one exec. `$1` / `$2`: the physical workspace / home paths. Stdin: per file a line
 * `<w|h> <size> <relative path>` then exactly `size` bytes (`head -c` reads no further; `read`
 * reads byte by byte), and a final line `end`. Every path gets the same `realpath -m` check as
 * `WRITE_SCRIPT`; a refused file's bytes are skipped. Prints `<index> <exit code>` per failure.
 */
export const BATCH_WRITE_SCRIPT = [
  'i=0',
  'while IFS= read -r line; do',
  '  [ "$line" = end ] && exit 0',
  '  r=${line%% *}; rest=${line#* }; n=${rest%% *}; rel=${rest#* }',
  '  if [ "$r" = h ]; then root=$2; else root=$1; fi',
  '  c=0',
  '  cd -- "$root" 2>/dev/null || c=90',
  '  [ $c != 0 ] || p=$(realpath -m -- "$rel") || c=90',
  `  [ $c != 0 ] || case "$p" in "$root"/*) ;; *) c=${FILE_EXIT.refused};; esac`,
  '  [ $c != 0 ] || mkdir -p -- "${p%/*}" 2>/dev/null || c=90',
  `  [ $c != 0 ] || [ ! -d "$p" ] || c=${FILE_EXIT.notAFile}`,
  '  [ $c != 0 ] || ( : > "$p" ) 2>/dev/null || c=90',
  '  if [ $c = 0 ]; then head -c "$n" >> "$p" || c=90; else head -c "$n" > /dev/null; fi',
  '  [ $c = 0 ] || echo "$i $c"',
  '  i=$((i+1))',
  'done',
  'exit 92',
].join('\n');

/**
 * `$1` the pid directory, then the pid files of this host's own running execs (kept). Every other
 * pid file names a process group an earlier host started (see `EXEC_WRAPPER`): each still alive
 * gets SIGTERM (the agent CLI can finish its transcript line), SIGKILL after 3 s, and the script
 * waits up to 5 s more for them to be gone. Each pid file is removed once handled. Prints how many
 * groups were stopped.
 */
export const STOP_LEFTOVERS_SCRIPT = [
  'd=$1; shift',
  'n=0; pids=',
  'for f in "$d"/*.pid; do',
  '  [ -f "$f" ] || continue',
  '  own=; for k in "$@"; do [ "$f" = "$k" ] && own=1; done',
  '  [ -z "$own" ] || continue',
  '  p=$(cat "$f" 2>/dev/null); rm -f -- "$f"',
  '  case "$p" in ""|*[!0-9]*) continue;; esac',
  '  kill -0 "$p" 2>/dev/null || continue',
  '  kill -s TERM -- "-$p" 2>/dev/null || kill -s TERM "$p" 2>/dev/null',
  '  n=$((n+1)); pids="$pids $p"',
  'done',
  'alive() { for p in $pids; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }',
  'i=0; while alive && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done',
  'for p in $pids; do kill -s KILL -- "-$p" 2>/dev/null || kill -s KILL "$p" 2>/dev/null; done',
  'i=0; while alive && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
  'echo $n',
].join('\n');
