#!/usr/bin/env bash
# Cross-SDK benchmark: the same three jobs (build+sign an alipay.trade.query request,
# verify+parse a signed response, verify a notification) done N times by this runtime
# (release build) and by the official Node SDK on this machine, on the same keys and
# fixtures. Prints ops/s for both and the ratio. A measurement, never an assertion.
#
# Usage: scripts/bench-vs-node.sh [--rounds N] [--scale N]
#   --rounds  batches per job, the median is reported (default 11)
#   --scale   multiplies the calls per batch (default 1: 300 signs, 3000 verifies)
# Single-threaded on both sides. Other load on the machine skews both; run it idle.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tests/interop/setup.sh --node-only >&2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "building the Rust half (release)..." >&2
cargo bench -p alipay-tests --bench interop_vs_node --no-run >&2
cargo bench -p alipay-tests --bench interop_vs_node -- --workdir "$work" "$@" | tee "$work/rust.txt"
grep '^RESULT ' "$work/rust.txt" | sed 's/^RESULT //' > "$work/rust.json"
(cd tests/interop/node && node bench.mjs "$work" "$@" --compare "$work/rust.json")
echo "machine: $(nproc) cores, node $(node --version), $(rustc --version)"
