#!/usr/bin/env bash
# A bounded load test of `verdict serve` on loopback with a real load generator (oha):
# attestations per second and p50/p99 latency for real SNP and TDX evidence with the
# collateral warm, one replica, then two replicas behind one Redis.
#
#   scripts/load-test.sh [SECONDS] [CONNECTIONS]     (default 10 s, 16 connections)
#
# oha comes from crates.io (`cargo install oha --locked`; $OHA or ~/.cargo/bin/oha).
# Requests carry no nonce (each nonce is single-use, and oha repeats one body), under
# the default policies with `challenge: optional`: what is measured is verification,
# appraisal and signing, the work a nonce does not change (its check is one HMAC and
# one in-memory or Redis SET). Everything runs on this machine's cores, the load
# generator included.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
connections="${2:-16}"
vectors="${VERDICT_REAL_VECTORS:-$(cd .. && pwd)/shared/vectors}"
oha="${OHA:-$(command -v oha || echo "$HOME/.cargo/bin/oha")}"
[ -x "$oha" ] || { echo "oha not found: cargo install oha --locked" >&2; exit 1; }

cargo build -q --release -p verdict-cli
verdict="${CARGO_TARGET_DIR:-target}/release/verdict"

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/policies"
for p in snp tdx; do
  awk '{print} /^version:/ && !done {print "challenge: optional"; done=1}' "policies/$p.yaml" \
    > "$work/policies/$p-open.yaml"
done

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# serve NAME AT COLLATERAL [REDIS_URL [FLAG...]]: starts a replica; its port is left in $port
# (not printed: a command substitution's subshell would own the server).
serve() {
  local name=$1 at=$2 collateral=$3 redis=${4:-}
  shift $(( $# < 4 ? $# : 4 ))
  port=$(free_port)
  local extra=("$@")
  [ -n "$redis" ] && extra+=(--redis-url "$redis" --challenge-key "$work/challenge.key")
  RUST_LOG=warn "$verdict" serve --listen "127.0.0.1:$port" --data-dir "$work/$name" --offline \
    --collateral "$collateral" --policies-dir "$work/policies" --at "$at" "${extra[@]}" \
    2> "$work/$name.log" &
  pids+=($!)
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.05; done
}

body() { # EVIDENCE_FILE POLICY
  printf '{"evidence": [{"evidence": "%s"}], "policy": "%s"}' "$(base64 -w0 < "$1")" "$2"
}

# load LABEL BODY_FILE PORT...: oha against each port at once (connections split).
load() {
  local label=$1 body=$2; shift 2
  local n=$#; local per=$(( connections / n )); local outs=() ohas=()
  for port in "$@"; do
    # Warm: the collateral and caches.
    curl -sf -X POST "http://127.0.0.1:$port/v1/attest" -H 'content-type: application/json' \
      --data-binary @"$body" > /dev/null
  done
  for port in "$@"; do
    "$oha" -z "${seconds}s" -c "$per" --no-tui --output-format json -m POST \
      -T application/json -D "$body" "http://127.0.0.1:$port/v1/attest" > "$work/$label-$port.json" &
    ohas+=($!)
    outs+=("$work/$label-$port.json")
  done
  wait "${ohas[@]}"
  python3 - "$label" "${outs[@]}" <<'PY'
import json, sys
label, files = sys.argv[1], sys.argv[2:]
runs = [json.load(open(f)) for f in files]
rps = sum(r["summary"]["requestsPerSec"] for r in runs)
ok = all(set(r.get("statusCodeDistribution", {})) <= {"200"} for r in runs)
p50 = max(r["latencyPercentiles"]["p50"] for r in runs) * 1000
p99 = max(r["latencyPercentiles"]["p99"] for r in runs) * 1000
codes = {k: v for r in runs for k, v in r.get("statusCodeDistribution", {}).items()}
print(f"{label:<28} {rps:>9.0f}/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  {'all 200' if ok else codes}")
PY
}

snp_dir="$vectors/snp/milan-v3-oak-oc-release"
mkdir -p "$work/snp-collateral"
# (the vectors' AMD CRL was issued after the report: left out, as it was then)
cp "$snp_dir/vcek.der" "$vectors/snp/roots/milan_ask_ark.pem" "$work/snp-collateral/"
snp_at="2025-01-16T21:21:54Z"
body "$snp_dir/report.bin" snp-open > "$work/snp.json"

tdx_case="$vectors/tdx/cases/tdx-v4-phala-b0c06f-uptodate"
tdx_at=$(python3 - "$tdx_case/expected.json" <<'PY'
import json, sys, datetime
e = json.load(open(sys.argv[1]))
p = lambda s: datetime.datetime.fromisoformat(s)
a, b = p(e["valid_from"]), p(e["valid_until"])
print((a + (b - a) / 2).strftime("%Y-%m-%dT%H:%M:%SZ"))
PY
)
body "$tdx_case/quote.bin" tdx-open > "$work/tdx.json"

echo "load: ${seconds}s per run, $connections connections, $(nproc) cores shared by server and oha"
serve snp-1 "$snp_at" "$work/snp-collateral"
load "SNP, 1 replica" "$work/snp.json" "$port"
serve tdx-1 "$tdx_at" "$tdx_case/collateral"
load "TDX, 1 replica" "$work/tdx.json" "$port"
# The token signature is the largest single cost of a TDX request (ES384, the default):
# the same run with a P-256 key shows what the key's algorithm costs.
"$verdict" token keygen --alg es256 --out "$work/es256.pem"
serve tdx-es256 "$tdx_at" "$tdx_case/collateral" "" --signing-key "$work/es256.pem"
load "TDX, 1 replica, ES256 key" "$work/tdx.json" "$port"

if command -v redis-server > /dev/null; then
  rport=$(free_port)
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no > /dev/null &
  pids+=($!)
  sleep 0.3
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/challenge.key"
  serve snp-a "$snp_at" "$work/snp-collateral" "redis://127.0.0.1:$rport/0"; a=$port
  serve snp-b "$snp_at" "$work/snp-collateral" "redis://127.0.0.1:$rport/0"; b=$port
  load "SNP, 2 replicas + Redis" "$work/snp.json" "$a" "$b"
  serve tdx-a "$tdx_at" "$tdx_case/collateral" "redis://127.0.0.1:$rport/0"; a=$port
  serve tdx-b "$tdx_at" "$tdx_case/collateral" "redis://127.0.0.1:$rport/0"; b=$port
  load "TDX, 2 replicas + Redis" "$work/tdx.json" "$a" "$b"
else
  echo "redis-server not installed: the two-replica runs are skipped" >&2
fi
