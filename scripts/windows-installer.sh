#!/usr/bin/env bash
# Builds Folio's Windows installer (NSIS) on Linux from the cross-built binaries:
#   scripts/windows-installer.sh DESKTOP_EXE CLI_EXE OUT_FILE
# Debian's makensis compiles src-tauri/windows/installer.nsi; WebView2Loader.dll is the copy the
# webview2-com-sys crate carries (Microsoft's redistributable loader, which a windows-gnu build
# loads at run time instead of linking it statically). Tauri's own NSIS bundling is not used:
# it downloads a plugin DLL from GitHub before it builds (docs/adr/0010-windows-gnu-cross-build.md).
set -euo pipefail
cd "$(dirname "$0")/.."
desktop_exe=$1 cli_exe=$2 out_file=$3

command -v makensis >/dev/null || { echo "makensis is missing: run scripts/setup.sh --test (Debian package nsis)." >&2; exit 1; }

# The WebView2Loader.dll of the webview2-com-sys version in Cargo.lock, from cargo's sources.
wv2_version=$(awk '/^name = "webview2-com-sys"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
[ -n "$wv2_version" ] || { echo "Cargo.lock names no webview2-com-sys." >&2; exit 1; }
loader=""
for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"webview2-com-sys-$wv2_version"; do
  [ -f "$dir/x64/WebView2Loader.dll" ] && loader="$dir/x64/WebView2Loader.dll"
done
[ -n "$loader" ] || { echo "webview2-com-sys $wv2_version's x64/WebView2Loader.dll is not in cargo's sources: build folio-desktop for x86_64-pc-windows-gnu first." >&2; exit 1; }

version=$(cargo metadata --format-version 1 --no-deps --locked \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).packages.find(p=>p.name==="folio-desktop").version))')

mkdir -p "$(dirname "$out_file")"
makensis -V2 -NOCD \
  -DVERSION="$version" \
  -DDESKTOP_EXE="$(realpath "$desktop_exe")" \
  -DCLI_EXE="$(realpath "$cli_exe")" \
  -DWEBVIEW2_LOADER="$loader" \
  -DICON="$PWD/icons/icon.ico" \
  -DOUT_FILE="$(realpath -m "$out_file")" \
  src-tauri/windows/installer.nsi
echo "installer: $out_file ($(stat -c %s "$out_file") bytes)"
