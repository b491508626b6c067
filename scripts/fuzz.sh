#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for a while on the nightly toolchain:
#
#   scripts/fuzz.sh [seconds-per-target] [target...]     # default: 180 s, every target
#
# Seeds come from fuzz/corpus/<target>/ (committed, read only); what the fuzzer
# finds interesting goes to fuzz/work/<target>/ and crashes to
# fuzz/artifacts/<target>/. Prints executions per target and exits non-zero when a
# target crashed. Needs `cargo install cargo-fuzz` and a nightly toolchain.
set -euo pipefail

secs="${1:-180}"
shift || true
cd "$(dirname "$0")/.."

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: needs cargo-fuzz on the nightly toolchain: rustup toolchain install nightly && cargo install cargo-fuzz" >&2
  exit 2
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir fuzz)
fi

cargo +nightly fuzz build --fuzz-dir fuzz >&2

failed=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/work/$t"
  log="fuzz/work/$t.log"
  echo "== $t: ${secs} s"
  # -timeout: one input taking over 10 s is a finding (quadratic or worse work).
  if cargo +nightly fuzz run --fuzz-dir fuzz "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    status=ok
  else
    status=CRASHED
    failed+=("$t")
  fi
  runs=$(grep -Eo '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 || true)
  echo "   $status: $runs executions, ${cov:-cov: ?} (log: $log)"
  if [ "$status" != ok ]; then
    { grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written to|^error' "$log" || true; } | head -5 | sed 's/^/   /'
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "crashed: ${failed[*]} (inputs in fuzz/artifacts/<target>/; replay: cargo +nightly fuzz run --fuzz-dir fuzz <target> <file>)" >&2
  exit 1
fi
