#!/usr/bin/env bash
# Measures how fast the installed Folio starts: from starting the process to its window mapped,
# and to its first painted UI (the first capture of the window that is no longer blank,
# scripts/first-paint.py), over several runs, with the median; then its memory after idling.
# The figures go to docs/performance.md.
#
#   scripts/measure-start.sh [--runs N] [--cold] [--app PATH]
#
# A first, unmeasured start creates the profile (the database, its key in the keychain) and
# warms the cache; every run then uses that profile, as a member's usual start does. --cold
# drops the kernel's page cache before each measured run (root only; it slows everything else
# on the machine for a moment). Needs xdotool and python3; uses $DISPLAY, or its own Xvfb. Run
# it inside a D-Bus session with an unlocked keychain (scripts/package-test.sh does) to measure
# the usual start rather than the passphrase screen. scripts/package-test.sh runs it against
# the freshly installed package.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/wait-until.sh"

runs=5
cold=0
app=/usr/bin/folio-desktop
idle_secs=10
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --cold) cold=1; shift ;;
    --app) app=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--cold] [--app PATH]" >&2; exit 2 ;;
  esac
done
[ -x "$app" ] || { echo "$app is not installed (install the .deb first)" >&2; exit 1; }

pids=()
started=""
cleanup() {
  [ -n "$started" ] && stop_app "$started"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

if [ -z "${DISPLAY:-}" ]; then
  display=80
  while [ -e "/tmp/.X$display-lock" ] || [ -e "/tmp/.X11-unix/X$display" ]; do display=$((display + 1)); done
  Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  pids+=($!)
  wait_until 5 "Xvfb on display :$display" test -e "/tmp/.X11-unix/X$display"
  export DISPLAY=":$display"
fi
export NO_AT_BRIDGE=1 FOLIO_SKIP_URL_REGISTRATION=1
# A scratch profile unless one is given; the keychain is the session's (none is needed to start).
export FOLIO_DATA_DIR="${FOLIO_DATA_DIR:-$(mktemp -d)/profile}"
APP_LOG=${APP_LOG:-$(mktemp)}

now() { date +%s%N; }
secs() { awk -v ns="$1" 'BEGIN { printf "%.2f", ns / 1e9 }'; }

# The app's process and its children (WebKit's web and network processes).
tree() {
  local p=$1
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree "$c"; done
}

stop_app() {
  local p=$1 kids
  kids=$(tree "$p" | tail -n +2)
  kill "$p" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
  # shellcheck disable=SC2086
  [ -n "$kids" ] && kill $kids 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  started=""
}

# One start: sets $mapped and $painted (nanoseconds from start to the window mapped, and to
# the first painted UI) and leaves the app running as $started.
measure() {
  local t0 id="" ready
  mapped=""
  painted=""
  captures=0
  # The watcher for the first paint is up before the clock starts (scripts/first-paint.py).
  coproc PAINT { python3 "$here/first-paint.py"; }
  read -r ready <&"${PAINT[0]}"
  [ "$ready" = ready ] || { echo "first-paint.py did not start" >&2; return 1; }
  t0=$(now)
  "$app" >>"$APP_LOG" 2>&1 &
  started=$!
  while [ -z "$id" ]; do
    id=$(xdotool search --onlyvisible --name '^Folio$' 2>/dev/null | head -n 1 || true)
    if [ -n "$id" ]; then mapped=$(($(now) - t0)); fi
    kill -0 "$started" 2>/dev/null || { echo "Folio ended while starting; its log:" >&2; tail -n 20 "$APP_LOG" >&2; return 1; }
    [ $(($(now) - t0)) -gt 60000000000 ] && { echo "no window after 60 s; the app's log:" >&2; tail -n 20 "$APP_LOG" >&2; return 1; }
    [ -z "$id" ] && sleep 0.01
  done
  echo "$t0 $id" >&"${PAINT[1]}"
  read -r painted captures <&"${PAINT[0]}" \
    || { echo "nothing painted; the app's log:" >&2; tail -n 20 "$APP_LOG" >&2; return 1; }
  if [ -n "${PAINT_PID:-}" ]; then wait "$PAINT_PID" 2>/dev/null || true; fi
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# A first, unmeasured start creates the profile's database and warms the cache.
measure
stop_app "$started"
maps=()
paints=()
for i in $(seq 1 "$runs"); do
  if [ "$cold" = 1 ]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi
  measure
  maps+=("$mapped")
  paints+=("$painted")
  echo "run $i: window mapped $(secs "$mapped") s, first paint $(secs "$painted") s ($captures captures, $(((painted - mapped) / captures / 1000000)) ms each)"
  if [ "$i" -lt "$runs" ]; then stop_app "$started"; fi
done
echo "median of $runs ($([ "$cold" = 1 ] && echo cold || echo warm) cache): window mapped $(secs "$(printf '%s\n' "${maps[@]}" | median)") s, first paint $(secs "$(printf '%s\n' "${paints[@]}" | median)") s"

# Memory of the last start after idling: the app's own process, and with WebKit's processes
# (resident sizes summed, which counts shared libraries more than once, and proportional sizes).
sleep "$idle_secs"
rss=0
pss=0
own=$(awk '/^VmRSS:/ { print $2 }' /proc/"$started"/status)
for p in $(tree "$started"); do
  rss=$((rss + $(awk '/^VmRSS:/ { print $2 }' /proc/"$p"/status 2>/dev/null || echo 0)))
  pss=$((pss + $(awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)))
done
echo "memory after ${idle_secs} s idle: app process ${own} kB resident; with WebKit's processes ${rss} kB resident, ${pss} kB proportional ($(tree "$started" | wc -l) processes)"
