#!/usr/bin/env bash
# Runs every Rust test, the #[ignore]d ones included. Those need what a plain `cargo test`
# cannot assume: a Secret Service (a real gnome-keyring, started here on a private D-Bus session
# with a keyring of its own), Node.js and the interop test plan's npm packages, pdftotext, and
# user namespaces. Anything missing is named and the run fails before a test starts;
# `scripts/setup.sh --test` installs them.
#   scripts/rust-tests.sh                       every crate: cargo test --workspace --locked
#   scripts/rust-tests.sh -p folio-core --test connect -- filter
#                                               your own cargo test arguments, and after `--`
#                                               the test binaries' (--include-ignored is added)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1: $2"); }
need dbus-run-session "the private D-Bus session of the keychain tests (Debian: dbus)"
need gnome-keyring-daemon "the Secret Service of the keychain tests (Debian: gnome-keyring)"
need node "the scripted member's browser and the interop tests (Node.js 20+)"
need pdftotext "reads the PDF export back (Debian: poppler-utils)"
need unshare "the fault tests' small full disk (Debian: util-linux)"
# `npm ls` fails when a package the lock file names is not installed (an older npm ci).
[ -d tests/interop/node_modules ] && (cd tests/interop && npm ls --all >/dev/null 2>&1) \
  || missing+=("tests/interop/node_modules as package-lock.json says: the interop tests' OIDC plan, FHIR server (Medplum's router, Node.js 20.19+) and FHIR validator (npm ci in tests/interop)")
if command -v unshare >/dev/null 2>&1 && ! unshare --user --map-root-user --mount true 2>/dev/null; then
  missing+=("user namespaces: the fault tests mount a small tmpfs in one, and unshare --user --mount is refused here")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "scripts/rust-tests.sh: cannot run every Rust test, this machine lacks:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  echo "scripts/setup.sh --test installs them (user namespaces are a kernel setting)." >&2
  exit 1
fi
# cargo's arguments, then (after `--`) the test binaries'.
cargo_args=()
while [ "$#" -gt 0 ] && [ "$1" != -- ]; do cargo_args+=("$1"); shift; done
[ "$#" -gt 0 ] && shift
if [ "${#cargo_args[@]}" -eq 0 ]; then cargo_args=(--workspace --locked); fi

dbus-run-session -- bash -c '
  set -euo pipefail
  export XDG_DATA_HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
  chmod 700 "$XDG_RUNTIME_DIR"
  # The keyring runs in the foreground of this session, so its log is kept and its end is seen:
  # if it dies during the tests (it crashed once in CI, a GLib trap, with its stderr lost), the
  # run says so and shows what it wrote, instead of only the keychain errors that follow.
  source scripts/wait-until.sh
  keyring_log=$(mktemp)
  printf folio-ci-keyring | gnome-keyring-daemon --foreground --unlock --components=secrets \
    >/dev/null 2>"$keyring_log" &
  keyring=$!
  secrets_owned() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
      | grep -q "boolean true"
  }
  wait_until 10 "gnome-keyring-daemon on the session bus" secrets_owned
  n=$1; shift
  status=0
  cargo test "${@:1:$n}" -- --include-ignored "${@:$((n + 1))}" || status=$?
  if ! kill -0 "$keyring" 2>/dev/null; then
    wait "$keyring" && code=0 || code=$?
    echo "gnome-keyring-daemon ended during the tests (exit $code); what it wrote:" >&2
    cat "$keyring_log" >&2
    [ "$status" -ne 0 ] || status=1
  fi
  kill "$keyring" 2>/dev/null || true
  exit "$status"
' _ "${#cargo_args[@]}" "${cargo_args[@]}" "$@"
