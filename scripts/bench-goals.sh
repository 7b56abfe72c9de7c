#!/usr/bin/env bash
# The benches behind the README's "scale goals" table, in one run, then the load test:
#
#   scripts/bench-goals.sh            (about 15 minutes on a 2-core VM; oha for the load)
#
# Each figure is compared with a floor measured in the same run (the signatures a
# verification cannot skip, the peers on the same input), so only ratios within one run
# mean anything on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export VERDICT_REAL_VECTORS="${VERDICT_REAL_VECTORS:-$(cd .. && pwd)/shared/vectors}"
short=(--warm-up-time 1 --measurement-time 4)

cargo bench -p verdict-verifier --bench snp -- \
  'snp/(verify_cached/aws-lc-rs|baseline/p384_verify/aws-lc-rs|sev_crate/milan)' "${short[@]}"
cargo bench -p verdict-verifier --bench tdx -- \
  'tdx/(verify_warm/aws-lc-rs|p256_verify/aws-lc-rs|verify_cold/aws-lc-rs|verify_cold_bundle_preparsed/aws-lc-rs|cold_signature_floor/aws-lc-rs|dcap_qvl)' \
  "${short[@]}"
cargo bench -p verdict-verifier --bench nvidia -- \
  'nvidia/(verify_warm/aws-lc-rs|verify_warm_device_only/aws-lc-rs|p384_verify/aws-lc-rs)' "${short[@]}"
cargo bench -p verdict-policy --all-features --bench appraise -- \
  'appraise/(verdict/)?(snp|tdx|nvidia)$|appraise/regorus_trustee' "${short[@]}"
cargo bench -p verdict-policy --all-features --bench pipeline -- "${short[@]}"
scripts/load-test.sh 10 16
