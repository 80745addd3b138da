#!/usr/bin/env bash
# Runs Folio's fuzz targets (fuzz/, cargo-fuzz + libFuzzer) each for a bounded time, and fails
# on any panic, timeout or out-of-memory. Issue 8: hostile input.
#
#   scripts/fuzz.sh                        every target, FUZZ_SECONDS (30) each
#   FUZZ_SECONDS=600 scripts/fuzz.sh narrative search_page
#
# Needs: the pinned stable toolchain (rust-toolchain.toml) and a C++ compiler; cargo-fuzz is
# installed from crates.io when missing. No nightly: the targets are built without a sanitizer
# (`-s none`; the workspace forbids unsafe code, and libFuzzer still catches panics, hangs and
# memory growth), with debug assertions and overflow checks on (`-a`). To add AddressSanitizer
# where a nightly toolchain is installed: FUZZ_TOOLCHAIN=nightly FUZZ_SANITIZER=address.
#
# Environment:
#   FUZZ_SECONDS     seconds per target (default 30)
#   FUZZ_RSS_MB      memory limit per target process, MB (default 1024)
#   FUZZ_TARGET_DIR  cargo target dir (default $CARGO_TARGET_DIR/fuzz, else fuzz/target); the
#                    working corpus grows in its work/ folder and is reused by the next run
#   ARTIFACTS_DIR    when set, failing inputs are copied to $ARTIFACTS_DIR/fuzz/<target>/
#   FUZZ_TOOLCHAIN   e.g. nightly (default: the pinned toolchain)
#   FUZZ_SANITIZER   none (default), or address etc. (nightly only)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

CARGO_FUZZ_VERSION=0.13.2
seconds=${FUZZ_SECONDS:-30}
rss_mb=${FUZZ_RSS_MB:-1024}
sanitizer=${FUZZ_SANITIZER:-none}
target_dir=${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:+$CARGO_TARGET_DIR/fuzz}}
target_dir=${target_dir:-$root/fuzz/target}
work=$target_dir/work
toolchain=()
[ -n "${FUZZ_TOOLCHAIN:-}" ] && toolchain=("+$FUZZ_TOOLCHAIN")

# Each target with the largest input it is given and its dictionary.
declare -A max_len=([fhir_resource]=32768 [search_page]=65536 [import_file]=65536 [narrative]=32768)
declare -A dict=([fhir_resource]=fhir_json [search_page]=fhir_json [import_file]=fhir_json [narrative]=html)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fhir_resource search_page import_file narrative)
for t in "${targets[@]}"; do
  [ -n "${max_len[$t]:-}" ] || { echo "unknown fuzz target: $t (known: ${!max_len[*]})" >&2; exit 2; }
done

if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  echo "==> installing cargo-fuzz $CARGO_FUZZ_VERSION"
  (cd / && cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked)
fi

build=(--fuzz-dir fuzz --target-dir "$target_dir" -s "$sanitizer" -a)
export CARGO_TERM_COLOR=never
started=$(date +%s)
echo "==> building the fuzz targets ($(cargo "${toolchain[@]}" --version))"
cargo "${toolchain[@]}" fuzz build "${build[@]}"
echo "==> built in $(( $(date +%s) - started ))s"

failed=()
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t" fuzz/artifacts/"$t"
  log=$work/$t.log
  stamp=$work/$t.started
  touch "$stamp"
  echo "==> fuzzing $t for ${seconds}s (max_len ${max_len[$t]}, rss limit ${rss_mb} MB)"
  # New inputs go to the first corpus folder (the working one); fuzz/corpus/$t holds the seeds.
  # The full log is kept; shown: start and end, and what a failure says.
  if cargo "${toolchain[@]}" fuzz run "${build[@]}" "$t" "$work/corpus/$t" "fuzz/corpus/$t" -- \
      -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -max_len="${max_len[$t]}" -timeout=10 \
      -dict="fuzz/dict/${dict[$t]}.dict" -print_final_stats=1 2>&1 | tee "$log" \
      | awk '/^#[0-9]+[[:space:]]+(INITED|DONE)|^==|^SUMMARY|^Reproduce|^[[:space:]]+cargo fuzz run|^Error/ { print }
             /panicked at/ { print; getline; print }'
     [ "${PIPESTATUS[0]}" -eq 0 ]; then
    result=ok
  else
    result=FAILED
    failed+=("$t")
    if [ -n "${ARTIFACTS_DIR:-}" ]; then
      mkdir -p "$ARTIFACTS_DIR/fuzz/$t"
      find fuzz/artifacts/"$t" -type f -newer "$stamp" -exec cp {} "$ARTIFACTS_DIR/fuzz/$t/" \;
      cp "$log" "$ARTIFACTS_DIR/fuzz/$t.log"
    fi
  fi
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  execs=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  rss=$(grep -oE 'stat::peak_rss_mb: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  summary+=("$(printf '%-14s %-6s %-20s %8s exec/s %10s runs  peak %s MB' "$t" "$result" "${cov:-cov: ?}" "${execs:-?}" "${runs:-?}" "${rss:-?}")")
done

echo "==> fuzzing summary (${seconds}s per target, total $(( $(date +%s) - started ))s)"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz targets failed: ${failed[*]} (failing inputs in fuzz/artifacts/<target>/${ARTIFACTS_DIR:+ and $ARTIFACTS_DIR/fuzz/}; reproduce with: cargo fuzz run -s none -a <target> <input>)" >&2
  exit 1
fi
