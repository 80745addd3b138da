#!/bin/sh
# WebKitWebDriver's "browser" in the package test: starts the installed Folio the way a desktop
# does, through its desktop entry (`gio launch`), and stays alive for as long as that Folio runs.
# WebKitWebDriver reaches the app through the inspector address it puts in the environment
# (WEBKIT_INSPECTOR_SERVER), which gio passes on with the rest; so does TAURI_WEBVIEW_AUTOMATION.
# The app's output goes to $FOLIO_APP_LOG.
set -u
gio launch /usr/share/applications/Folio.desktop >>"${FOLIO_APP_LOG:-/dev/null}" 2>&1 || exit 1
running() {
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/bin/folio-desktop ] && return 0
  done
  return 1
}
i=0
until running; do
  i=$((i + 1))
  [ "$i" -gt 100 ] && exit 1
  sleep 0.1
done
while running; do sleep 0.5; done
