#!/usr/bin/env bash
# Builds the .deb, installs it on this machine, starts the installed Folio under Xvfb, opens a
# health.folio.desktop: link the way a browser hands it to the desktop (gio open), and checks
# that the link reached the running Folio (single instance) through the package's own desktop
# entry. The package is removed again at the end, whatever happens. Needs root (or sudo).
# Called by scripts/test.sh inside dbus-run-session.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

(cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb)
target_dir=$(cargo metadata --format-version 1 --no-deps --locked | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
deb=$(ls "$target_dir"/release/bundle/deb/*.deb | head -n 1)
echo "package: $deb ($(du -h "$deb" | cut -f1))"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  $SUDO dpkg -r folio >/dev/null 2>&1 || true
}
trap cleanup EXIT
$SUDO env DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >/dev/null
grep -q '^Exec=folio-desktop %u$' /usr/share/applications/Folio.desktop
grep -q '^MimeType=x-scheme-handler/health.folio.desktop$' /usr/share/applications/Folio.desktop

export NO_AT_BRIDGE=1 RUST_LOG=info
export XDG_DATA_HOME XDG_CONFIG_HOME XDG_RUNTIME_DIR FOLIO_DATA_DIR
XDG_DATA_HOME=$(mktemp -d); XDG_CONFIG_HOME=$(mktemp -d); XDG_RUNTIME_DIR=$(mktemp -d); chmod 700 "$XDG_RUNTIME_DIR"
FOLIO_DATA_DIR=$(mktemp -d)/profile
# Only the package's desktop entry may route the link (no per-user registration at start-up).
export FOLIO_SKIP_URL_REGISTRATION=1
eval "$(printf folio-package-keyring | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

display=90
while [ -e "/tmp/.X$display-lock" ] || [ -e "/tmp/.X11-unix/X$display" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
export DISPLAY=":$display"

log=$(mktemp)
/usr/bin/folio-desktop >"$log" 2>&1 &
app=$!
pids+=("$app")
timeout 60 xdotool search --sync --name '^Folio$' >/dev/null
echo "the installed Folio's window is up"
[ "$(gio mime x-scheme-handler/health.folio.desktop | head -n 1)" = 'Default application for “x-scheme-handler/health.folio.desktop”: Folio.desktop' ]
gio open "health.folio.desktop:/cb/demo?code=package-test&state=nothing-pending"
for _ in $(seq 1 100); do
  grep -q "a folio link arrived that no sign-in was waiting for" "$log" && break
  sleep 0.1
done
if ! grep -q "a folio link arrived that no sign-in was waiting for" "$log"; then
  echo "the link did not reach the running Folio; its log:" >&2
  cat "$log" >&2
  exit 1
fi
# The second Folio that the link started hands it over and exits: one installed Folio runs.
installed() { for p in /proc/[0-9]*; do [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/bin/folio-desktop ] && echo "$p"; done | wc -l; }
for _ in $(seq 1 50); do [ "$(installed)" = 1 ] && break; sleep 0.1; done
[ "$(installed)" = 1 ] || { echo "a second Folio kept running ($(installed) running)" >&2; exit 1; }
echo "a health.folio.desktop: link opened from the desktop reached the running Folio (one instance)"
