#!/usr/bin/env bash
# Runs tests/e2e against the built app: Xvfb, tauri-driver, then node's test runner.
# Called by scripts/test.sh inside dbus-run-session; needs APP_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/wait-until.sh
: "${APP_BIN:?APP_BIN must name the built folio-desktop}"
export NO_AT_BRIDGE=1
export FOLIO_DATA_DIR; FOLIO_DATA_DIR=$(mktemp -d)/profile
export XDG_DATA_HOME XDG_CONFIG_HOME XDG_RUNTIME_DIR
XDG_DATA_HOME=$(mktemp -d); XDG_CONFIG_HOME=$(mktemp -d); XDG_RUNTIME_DIR=$(mktemp -d); chmod 700 "$XDG_RUNTIME_DIR"
# The app keeps tokens in the real keychain: a gnome-keyring unlocked for this session only.
eval "$(printf folio-e2e-keyring | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# The member's browser is a script that signs in at the demo plan (see tests/e2e/member-browser.mjs).
export BROWSER="node $PWD/tests/e2e/member-browser.mjs"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# A free display number.
display=99
while [ -e "/tmp/.X$display-lock" ] || [ -e "/tmp/.X11-unix/X$display" ]; do display=$((display + 1)); done
# Wide enough for the window at 2560 px (the zoom test sizes it from 800 to 2560).
Xvfb ":$display" -screen 0 2600x1600x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
wait_until 5 "Xvfb on display :$display" test -e "/tmp/.X11-unix/X$display"
export DISPLAY=":$display"

port=${E2E_WEBDRIVER_PORT:-4444}
tauri-driver --port "$port" --native-port $((port + 1)) >/dev/null 2>&1 &
pids+=($!)
wait_until 10 "tauri-driver on port $port" port_open "$port"
WEBDRIVER_URL="http://127.0.0.1:$port" node --test --test-reporter=spec tests/e2e/*.e2e.mjs
