#!/usr/bin/env bash
# Sets up what is missing, builds Folio with its UI embedded, and starts it.
# Extra arguments go to the app, e.g. `scripts/run.sh --data-dir /tmp/folio-demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> building the UI"
(cd ui && npm run build --silent)
echo "==> building Folio (the first build takes a few minutes)"
cargo build -p folio-desktop --features custom-protocol
target_dir=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
echo "==> starting Folio"
exec "$target_dir/debug/folio-desktop" "$@"
