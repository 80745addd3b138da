#!/usr/bin/env bash
# Sets up what is missing and runs every test Folio has: formatting, lints, Rust tests (with a
# real gnome-keyring in a private D-Bus session), UI typecheck + lint + Vitest, browser tests in
# Chromium, and the built desktop app end to end under Xvfb through tauri-driver.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$(date +%s)
step() { printf '\n==> [%ss] %s\n' "$(( $(date +%s) - start ))" "$*"; }

bash scripts/setup.sh --test

export CARGO_INCREMENTAL=0 CARGO_TERM_COLOR=never NO_COLOR=1
features=(--workspace --locked --features folio-desktop/custom-protocol)
artifacts="$root/artifacts"
mkdir -p "$artifacts"

step "cargo fmt --check"
cargo fmt --all --check
cargo fmt --manifest-path fuzz/Cargo.toml --all --check

step "folio-core stays free of Tauri"
# The tree is read first: a cargo tree that fails (or prints nothing) must fail this check, not
# pass it for want of a match.
core_tree=$(cargo tree -p folio-core --locked -e normal,build --prefix none) \
  || { echo "cargo tree failed: cannot check that folio-core stays free of Tauri." >&2; exit 1; }
if ! grep -q '^folio-core ' <<<"$core_tree"; then
  echo "cargo tree did not list folio-core: cannot check that it stays free of Tauri." >&2
  exit 1
fi
if grep -E '^tauri' <<<"$core_tree"; then
  echo "folio-core depends on a tauri crate (see above): only src-tauri may." >&2
  exit 1
fi

step "the shipped crates leave folio-core's test-hooks off (only folio-bench turns them on)"
# test-hooks makes a connection's access token public (folio-core's tests, folio-bench): no
# shipped binary may be built with it. Both crates are resolved together, as a superset of
# either alone. Read first, as above: a failing or empty tree fails the check.
shipped_tree=$(cargo tree -p folio-cli -p folio-desktop --locked -e normal,build --prefix none -f '{p} {f}') \
  || { echo "cargo tree failed: cannot check the shipped crates' folio-core features." >&2; exit 1; }
if ! grep -q '^folio-core ' <<<"$shipped_tree"; then
  echo "cargo tree did not list folio-core: cannot check the shipped crates' features." >&2
  exit 1
fi
if grep -E '^folio-core .*\btest-hooks\b' <<<"$shipped_tree"; then
  echo "folio-cli or folio-desktop turns on folio-core's test-hooks (see above): only folio-bench may." >&2
  exit 1
fi

step "UI: build (embedded in the app), typecheck, lint, unit tests"
(cd ui && npm run build --silent)

step "clippy (warnings denied)"
cargo clippy "${features[@]}" --all-targets -- -D warnings

step "Rust build"
cargo build "${features[@]}" --all-targets

step "Rust tests, every one, with a real Secret Service (gnome-keyring) on a private D-Bus session"
bash scripts/rust-tests.sh "${features[@]}"

step "generated IPC bindings are committed and current"
if ! git diff --exit-code -- ui/src/ipc/bindings.ts || [ -n "$(git status --porcelain -- ui/src/ipc/bindings.ts)" ]; then
  echo "ui/src/ipc/bindings.ts is stale: run 'cargo test -p folio-desktop' and commit it." >&2
  exit 1
fi

step "UI typecheck, lint, Vitest"
(cd ui && npm run typecheck && npm run lint && npm test)

target_dir=$(cargo metadata --format-version 1 --no-deps --locked | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')

step "UI in Chromium (Playwright) with mocked IPC, and the demo plan's pages"
(cd ui && FOLIO_SANDBOX_BIN="$target_dir/debug/folio-sandbox" npm run test:browser)

step "desktop app end to end (tauri-driver + WebKitWebDriver under Xvfb)"
APP_BIN="$target_dir/debug/folio-desktop" ARTIFACTS_DIR="$artifacts" \
  dbus-run-session -- bash scripts/e2e.sh

step "screen-reader check: the app's accessibility tree over AT-SPI (what Orca reads) under Xvfb"
APP_BIN="$target_dir/debug/folio-desktop" ARTIFACTS_DIR="$artifacts" \
  dbus-run-session -- bash scripts/atspi.sh

step "the packages: .rpm built and checked; .deb built, installed, opened from its desktop entry, demo plan connected through a health.folio.desktop: link, start timed, removed"
dbus-run-session -- bash scripts/package-test.sh

step "Windows: folio.exe and folio-desktop.exe cross-built (x86_64-pc-windows-gnu), the NSIS installer, folio.exe and the installer under Wine, compared with Linux (scripts/windows-test.sh)"
FOLIO_LINUX_BIN="$target_dir/debug/folio" dbus-run-session -- bash scripts/windows-test.sh

step "fuzz targets, ${FUZZ_SECONDS:-30} s each (scripts/fuzz.sh: FHIR ingest, search pages, imports, narratives)"
ARTIFACTS_DIR="$artifacts" bash scripts/fuzz.sh

step "all tests passed"
