# Shared helpers for the scripts in this folder (sourced, not run).
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"   # npm wasm-opt first
export TRUNK_SKIP_VERSION_CHECK=true
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}

log() { printf '[%s] %s\n' "$(basename "$0")" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }
timed() { local t0=$SECONDS; "$@"; log "  $1 took $((SECONDS - t0))s"; }

# wait_for_line FILE PATTERN SECONDS PID: waits until FILE has a line matching PATTERN; fails
# early if PID dies. Prints the match.
wait_for_line() {
  local file=$1 pattern=$2 seconds=$3 pid=$4 i
  for ((i = 0; i < seconds * 10; i++)); do
    if grep -m1 -E "$pattern" "$file" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -30 "$file" >&2; die "process $pid exited before printing '$pattern'"; }
    sleep 0.1
  done
  tail -30 "$file" >&2
  die "no '$pattern' in $file after ${seconds}s"
}
