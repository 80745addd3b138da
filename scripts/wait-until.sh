# Sourced by the test scripts, not run: waiting for something another process makes ready.
#
#   wait_until SECONDS "what is awaited" command [args...]
#
# Runs the command every 0.1 s until it succeeds; after SECONDS without success it says what
# never became ready and returns 1 (which ends a script under `set -e`).
wait_until() {
  local secs=$1 what=$2
  shift 2
  local deadline=$(($(date +%s%N) + secs * 1000000000))
  until "$@"; do
    if [ "$(date +%s%N)" -ge "$deadline" ]; then
      echo "$what: not ready after $secs s" >&2
      return 1
    fi
    sleep 0.1
  done
}

# Succeeds when something listens on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
