#!/usr/bin/env bash
# The packages, as a member gets them. Builds the .deb and the .rpm; checks the .rpm's files,
# requirements and desktop entry (rpm installs it into a scratch folder); installs the .deb on
# this machine; then, under Xvfb:
#  1. opens the installed Folio from its desktop entry (`gio launch`, driven through
#     tauri-driver), connects the demo plan's entry that returns through Folio's link: the
#     member's browser (tests/e2e/member-browser.mjs) signs in, consents and hands the
#     health.folio.desktop: redirect to the desktop with `xdg-open`; the package's desktop entry
#     starts a second Folio that passes it to the running one and exits; the app finishes the
#     connection, downloads the records and shows them (tests/package/installed-app.mjs);
#  2. opens another link with xdg-open as a GNOME desktop does it (through gio) and checks that
#     it reaches the same running Folio, and that one Folio runs;
#  3. runs the installed `folio` command on the same profile: it opens the encrypted records with
#     the key from the keychain and counts what the app showed;
#  4. measures the installed app's start (scripts/measure-start.sh).
# The package is removed again at the end, whatever happens. Needs root (or sudo).
# Called by scripts/test.sh inside dbus-run-session.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. scripts/wait-until.sh
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
began=$(date +%s)
say() { printf '%s\n' "$*"; }

# FOLIO_PACKAGES_BUILT=1 tests the packages already in target/release/bundle as they are.
if [ "${FOLIO_PACKAGES_BUILT:-0}" != 1 ]; then
  (cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb,rpm)
fi
target_dir=$(cargo metadata --format-version 1 --no-deps --locked | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
deb=$(ls -t "$target_dir"/release/bundle/deb/*.deb | head -n 1)
rpm_file=$(ls -t "$target_dir"/release/bundle/rpm/*.rpm | head -n 1)
say "packages: $deb ($(stat -c %s "$deb") bytes), $rpm_file ($(stat -c %s "$rpm_file") bytes)"

# --- the .rpm: contents, requirements, desktop entry; installed with rpm into a scratch root ----
rpm_files=$(rpm -qpl "$rpm_file")
for f in /usr/bin/folio-desktop /usr/bin/folio /usr/share/applications/Folio.desktop /usr/share/icons/hicolor/128x128/apps/folio-desktop.png; do
  grep -qx "$f" <<<"$rpm_files" || { echo "the .rpm lacks $f" >&2; exit 1; }
done
rpm_requires=$(rpm -qp --requires "$rpm_file")
# The bundler does not read requirements from the binaries: the libraries they need beyond
# WebKitGTK and GTK (OpenSSL's two, D-Bus for the keychain) are required by name in
# tauri.conf.json; below, every library the folio command needs must be among them.
for r in 'libwebkit2gtk-4.1.so.0()(64bit)' 'libgtk-3.so.0()(64bit)' 'libcrypto.so.3()(64bit)' 'libssl.so.3()(64bit)' 'libdbus-1.so.3()(64bit)'; do
  grep -qxF "$r" <<<"$rpm_requires" || { echo "the .rpm does not require $r" >&2; exit 1; }
done
# This is Debian: rpm unpacks the package into a folder of its own (its requirements are the
# system's, so not checked there) and verifies every file against the package.
rpm_root=$(mktemp -d)
rpm_log=$(mktemp)
$SUDO rpm --root "$rpm_root" --initdb
$SUDO rpm -i --root "$rpm_root" --nodeps --noscripts "$rpm_file" 2>"$rpm_log" || { cat "$rpm_log" >&2; exit 1; }
$SUDO rpm -V --nodeps --root "$rpm_root" folio
for lib in $(readelf -d "$rpm_root/usr/bin/folio" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
  case "$lib" in libc.so.6 | libm.so.6 | libgcc_s.so.1 | ld-linux-*) continue ;; esac
  grep -qxF "$lib()(64bit)" <<<"$rpm_requires" || { echo "/usr/bin/folio needs $lib, which the .rpm does not require" >&2; exit 1; }
done
grep -qx 'Exec=folio-desktop %u' "$rpm_root/usr/share/applications/Folio.desktop"
grep -qx 'MimeType=x-scheme-handler/health.folio.desktop' "$rpm_root/usr/share/applications/Folio.desktop"
[ "$("$rpm_root/usr/bin/folio-desktop" --version)" = "folio-desktop $(rpm -qp --qf '%{VERSION}' "$rpm_file")" ]
[ "$("$rpm_root/usr/bin/folio" --version)" = "folio $(rpm -qp --qf '%{VERSION}' "$rpm_file")" ]
$SUDO rm -rf "$rpm_root"
say "the .rpm installs (rpm into a scratch root): the app, the folio command, its icons and a desktop entry for health.folio.desktop: links (Exec=folio-desktop %u)"

# --- the .deb: installed, removed at the end ---------------------------------------------------
pids=()
driver=""
cleanup() {
  installed_pids | while read -r p; do kill_tree "$p"; done
  [ -n "$driver" ] && kill_tree "$driver"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  $SUDO dpkg -r folio >/dev/null 2>&1 || true
}
# A process this script started and everything it started (WebKit's processes, WebKitWebDriver).
kill_tree() {
  local p=$1 c
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do kill_tree "$c"; done
  kill "$p" 2>/dev/null || true
}
installed_pids() { for p in /proc/[0-9]*; do [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/bin/folio-desktop ] && echo "${p#/proc/}"; done; true; }
trap cleanup EXIT
$SUDO env DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >/dev/null
grep -qx 'Exec=folio-desktop %u' /usr/share/applications/Folio.desktop
grep -qx 'MimeType=x-scheme-handler/health.folio.desktop' /usr/share/applications/Folio.desktop
version=$(dpkg-query -W -f='${Version}' folio)
[ "$(/usr/bin/folio-desktop --version)" = "folio-desktop $version" ] || { echo "folio-desktop --version: $(/usr/bin/folio-desktop --version)" >&2; exit 1; }
[ "$(/usr/bin/folio --version)" = "folio $version" ] || { echo "folio --version: $(/usr/bin/folio --version)" >&2; exit 1; }
say "installed Folio $version (Installed-Size $(dpkg-query -W -f='${Installed-Size}' folio) kB); folio-desktop --version and folio --version say so"

export NO_AT_BRIDGE=1 RUST_LOG=info
export XDG_DATA_HOME XDG_CONFIG_HOME XDG_RUNTIME_DIR FOLIO_DATA_DIR
XDG_DATA_HOME=$(mktemp -d); XDG_CONFIG_HOME=$(mktemp -d); XDG_RUNTIME_DIR=$(mktemp -d); chmod 700 "$XDG_RUNTIME_DIR"
FOLIO_DATA_DIR=$(mktemp -d)/profile
# Only the package's desktop entry may route links (no per-user registration at start-up).
export FOLIO_SKIP_URL_REGISTRATION=1
eval "$(printf folio-package-keyring | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# The member's browser: signs in at the demo plan and hands Folio's link to xdg-open.
export BROWSER="node $root/tests/e2e/member-browser.mjs"
export ARTIFACTS_DIR="$root/artifacts"
mkdir -p "$ARTIFACTS_DIR"
rm -f "$ARTIFACTS_DIR/member-browser.log"
export FOLIO_APP_LOG; FOLIO_APP_LOG=$(mktemp)

display=90
while [ -e "/tmp/.X$display-lock" ] || [ -e "/tmp/.X11-unix/X$display" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
wait_until 5 "Xvfb on display :$display" test -e "/tmp/.X11-unix/X$display"
export DISPLAY=":$display"
[ "$(gio mime x-scheme-handler/health.folio.desktop | head -n 1)" = 'Default application for “x-scheme-handler/health.folio.desktop”: Folio.desktop' ]

# --- 1. the journey, from the desktop entry to records on screen -------------------------------
port=4460
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || (exec 3<>"/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null; do port=$((port + 2)); done
tauri-driver --port "$port" --native-port $((port + 1)) >/dev/null 2>&1 &
driver=$!
wait_until 10 "tauri-driver on port $port" port_open "$port"
say "the installed Folio, opened from its desktop entry:"
journey_log=$(mktemp)
if ! WEBDRIVER_URL="http://127.0.0.1:$port" EXPECT_VERSION="$version" node tests/package/installed-app.mjs | tee "$journey_log"; then
  echo "the journey failed; the app's log:" >&2
  cat "$FOLIO_APP_LOG" >&2
  cat "$ARTIFACTS_DIR/member-browser.log" >&2 2>/dev/null || true
  exit 1
fi
grep -q 'handed to xdg-open' "$ARTIFACTS_DIR/member-browser.log"
app=$(installed_pids)
[ "$(wc -w <<<"$app")" = 1 ] || { echo "expected one Folio, found: $app" >&2; exit 1; }
# Started by GIO from a desktop entry (it marks the process), as the entry's Exec line says.
tr '\0' '\n' <"/proc/$app/environ" | grep -qx "GIO_LAUNCHED_DESKTOP_FILE_PID=$app" \
  && [ "$(tr '\0' ' ' <"/proc/$app/cmdline")" = "folio-desktop " ] \
  || { echo "the running Folio was not started from its desktop entry" >&2; exit 1; }

# --- 2. a link through xdg-open as on a GNOME desktop (gio), to the same running Folio ---------
stray="a folio link arrived that no sign-in was waiting for"
before=$(grep -c "$stray" "$FOLIO_APP_LOG" || true)
XDG_CURRENT_DESKTOP=GNOME xdg-open "health.folio.desktop:/cb/demo?code=package-test&state=nothing-pending"
for _ in $(seq 1 100); do
  [ "$(grep -c "$stray" "$FOLIO_APP_LOG" || true)" -gt "$before" ] && break
  sleep 0.1
done
if [ "$(grep -c "$stray" "$FOLIO_APP_LOG" || true)" -le "$before" ]; then
  echo "the link did not reach the running Folio; its log:" >&2
  cat "$FOLIO_APP_LOG" >&2
  exit 1
fi
# The second Folio that each link started handed it over and exited: one installed Folio runs.
for _ in $(seq 1 50); do [ "$(installed_pids | wc -l)" = 1 ] && break; sleep 0.1; done
[ "$(installed_pids | wc -l)" = 1 ] || { echo "a second Folio kept running ($(installed_pids | wc -l) running)" >&2; exit 1; }
say "a health.folio.desktop: link opened with xdg-open as a GNOME desktop does (gio) reached the same Folio (one instance)"
kill_tree "$app"
kill_tree "$driver"
driver=""
no_folio_runs() { [ -z "$(installed_pids)" ]; }
wait_until 5 "the installed Folio, stopped, to exit" no_folio_runs

# --- 3. the installed folio command reads the same records, with the key from the keychain -----
shown=$(sed -n 's/.*records downloaded and shown (\([0-9,]*\) on this computer).*/\1/p' "$journey_log" | tr -d ,)
stats=$(/usr/bin/folio stats)
grep -q 'database integrity: ok' <<<"$stats" || { echo "folio stats: $stats" >&2; exit 1; }
held=$(awk '/ records  / { n += $3 } END { print n + 0 }' <<<"$stats")
[ -n "$shown" ] && [ "$held" = "$shown" ] || { echo "the app showed '$shown' records, folio stats counts $held: $stats" >&2; exit 1; }
say "the installed folio command opens the app's encrypted records (key from the keychain): $held records, integrity ok"

# --- 4. how fast it starts, and its memory (figures for docs/performance.md) -------------------
say "start of the installed app (fresh profile, warm cache):"
FOLIO_DATA_DIR=$(mktemp -d)/measure scripts/measure-start.sh --runs "${MEASURE_RUNS:-5}" | sed 's/^/  /'
say "package test passed in $(($(date +%s) - began)) s"
