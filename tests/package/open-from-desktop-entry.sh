#!/bin/bash
# WebKitWebDriver's "browser" in the package test: starts the installed Folio the way a desktop
# does, through its desktop entry (`gio launch`), and stays alive for as long as that Folio runs.
# WebKitWebDriver reaches the app through the inspector address it puts in the environment
# (WEBKIT_INSPECTOR_SERVER), which gio passes on with the rest; so does TAURI_WEBVIEW_AUTOMATION.
# The app's output goes to $FOLIO_APP_LOG, and so does why this script gave up, if it did
# (WebKitWebDriver does not show this script's own output).
set -u
. "$(dirname "$0")/../../scripts/wait-until.sh"
log=${FOLIO_APP_LOG:-/dev/null}
fail() {
  echo "open-from-desktop-entry.sh: $*" | tee -a "$log" >&2
  exit 1
}

gio launch /usr/share/applications/Folio.desktop >>"$log" 2>&1 || fail "gio launch of Folio.desktop failed"
# gio does not say which process it started: the installed Folio is found by its executable.
folio=""
started() {
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/bin/folio-desktop ] && folio=${p#/proc/} && return 0
  done
  return 1
}
wait_until 10 "the Folio started by gio launch" started 2>>"$log" || fail "no /usr/bin/folio-desktop ran 10 s after gio launch"
# Until that Folio exits (tail checks that it lives; nothing is read from /dev/null).
tail --pid="$folio" -s 0.2 -f /dev/null
