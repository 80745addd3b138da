#!/usr/bin/env bash
# The screen-reader check: the built app under Xvfb with the accessibility bus on (AT-SPI, what
# Orca reads), its tree dumped and checked by tests/e2e/atspi_tree.py. Run inside dbus-run-session
# (scripts/test.sh does); needs APP_BIN. The tree is written to $ARTIFACTS_DIR/atspi-tree.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/wait-until.sh
: "${APP_BIN:?APP_BIN must name the built folio-desktop}"
artifacts=${ARTIFACTS_DIR:-artifacts}
mkdir -p "$artifacts"
# The accessibility bridge on (e2e.sh turns it off): GTK and WebKitGTK talk to the a11y bus.
unset NO_AT_BRIDGE
export GTK_A11Y=atspi
export FOLIO_DATA_DIR; FOLIO_DATA_DIR=$(mktemp -d)/profile
export XDG_DATA_HOME XDG_CONFIG_HOME XDG_RUNTIME_DIR
XDG_DATA_HOME=$(mktemp -d); XDG_CONFIG_HOME=$(mktemp -d); XDG_RUNTIME_DIR=$(mktemp -d); chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf folio-atspi-keyring | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

display=99
while [ -e "/tmp/.X$display-lock" ] || [ -e "/tmp/.X11-unix/X$display" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
wait_until 5 "Xvfb on display :$display" test -e "/tmp/.X11-unix/X$display"
export DISPLAY=":$display"

# The accessibility bus, started by D-Bus activation (one bus: the app finds the same), and its
# launcher stopped with the rest at the end (its bus and the registry end with it).
a11y_bus() { dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus org.a11y.Bus.GetAddress >/dev/null 2>&1; }
wait_until 10 "the accessibility bus" a11y_bus
pids+=("$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetConnectionUnixProcessID string:org.a11y.Bus | awk '{print $2}')")
"$APP_BIN" >"$artifacts/atspi-app.log" 2>&1 &
pids+=($!)
/usr/bin/python3 tests/e2e/atspi_tree.py "folio-desktop,Folio" "$artifacts/atspi-tree.txt"
