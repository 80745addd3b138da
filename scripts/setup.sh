#!/usr/bin/env bash
# Installs what Folio needs on a Debian/Ubuntu machine, skipping whatever is already there.
#   scripts/setup.sh            what running Folio needs
#   scripts/setup.sh --test     plus what the tests need (Xvfb, keyring daemon, Chromium, tauri-driver)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

log() { printf '\n==> %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# --- Debian packages --------------------------------------------------------------------------
run_pkgs=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config libdbus-1-dev libsecret-1-dev
  gnome-keyring dbus dbus-x11 xdg-utils desktop-file-utils libglib2.0-bin fonts-dejavu-core)
# rpm reads the built .rpm in the package test and installs it into a scratch folder; python3
# runs scripts/first-paint.py (start measurements).
test_pkgs=(xvfb webkit2gtk-driver xdotool imagemagick chromium poppler-utils rpm python3)
# Windows (scripts/windows-test.sh): the MinGW-w64 cross toolchain, makensis for the installer,
# and Wine (64-bit only: the installer is a 64-bit one) to run folio.exe and the installer.
test_pkgs+=(gcc-mingw-w64-x86-64 nsis wine wine64)
pkgs=("${run_pkgs[@]}")
[ "$want_test" = 1 ] && pkgs+=("${test_pkgs[@]}")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- Rust -------------------------------------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1; then
  if apt-cache show rustup >/dev/null 2>&1; then
    log "installing rustup from Debian"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rustup
    rustup default stable
  else
    echo "Rust is missing and this system has no rustup package. Install Rust with rustup (see the Rust website), then run this again." >&2
    exit 1
  fi
fi
# rust-toolchain.toml pins the toolchain; rustup fetches it (with rustfmt and clippy) if absent.
cargo --version >/dev/null

# --- Node.js ----------------------------------------------------------------------------------
if ! command -v node >/dev/null 2>&1; then
  log "installing Node.js and npm from Debian"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "Folio's UI tools need Node.js 20 or newer; this system has $(node --version). Install Node.js 20+, then run this again." >&2
  exit 1
fi

# --- npm packages (only when the lock file changed) --------------------------------------------
lock_hash=$(sha256sum ui/package-lock.json | cut -d' ' -f1)
if [ "$(cat ui/node_modules/.folio-lock-hash 2>/dev/null || true)" != "$lock_hash" ]; then
  log "installing npm packages (npm ci)"
  (cd ui && npm ci --no-audit --no-fund)
  echo "$lock_hash" > ui/node_modules/.folio-lock-hash
fi

# --- npm packages of the interop test plan (oidc-provider), for tests only --------------------
if [ "$want_test" = 1 ]; then
  interop_hash=$(sha256sum tests/interop/package-lock.json | cut -d' ' -f1)
  if [ "$(cat tests/interop/node_modules/.folio-lock-hash 2>/dev/null || true)" != "$interop_hash" ]; then
    log "installing the interop test plan's npm packages (npm ci in tests/interop)"
    (cd tests/interop && npm ci --no-audit --no-fund)
    echo "$interop_hash" > tests/interop/node_modules/.folio-lock-hash
  fi
fi

# --- the Windows target, for the cross-build in the tests ---------------------------------------
if [ "$want_test" = 1 ] && ! rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
  log "adding the Rust target x86_64-pc-windows-gnu"
  rustup target add x86_64-pc-windows-gnu
fi

# --- Rust tools for the tests -----------------------------------------------------------------
if [ "$want_test" = 1 ] && ! command -v tauri-driver >/dev/null 2>&1; then
  log "installing tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi
