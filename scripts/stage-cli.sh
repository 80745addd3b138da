#!/usr/bin/env bash
# Run by `tauri build` before it bundles (tauri.conf.json > build > beforeBundleCommand): builds
# the `folio` command-line tool in release and puts it where the packages take it from
# (src-tauri/bundle/folio, mapped to /usr/bin/folio by bundle > linux > deb/rpm > files).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p folio-cli
target_dir=$(cargo metadata --format-version 1 --no-deps --locked | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
mkdir -p src-tauri/bundle
install -m 0755 "$target_dir/release/folio" src-tauri/bundle/folio
