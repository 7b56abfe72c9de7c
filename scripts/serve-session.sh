#!/usr/bin/env bash
# A scripted curl session against `verdict serve` with a real AMD SEV-SNP report:
# challenge → attest → token → verify the token with the service's JWKS.
#
#   scripts/serve-session.sh            (the real vectors from ../shared/vectors)
#
# The report was recorded long ago, so it cannot answer a fresh challenge: the session
# asks for one (to show the flow), then attests under `snp-open`, the default SNP policy
# with `challenge: optional`, and the token carries no eat_nonce. The service verifies
# as of the report's collateral validity (--at) and offline (the AMD chain, VCEK and
# CRL from the vectors). Evidence that binds the nonce is in service/tests/e2e.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
vectors="${VERDICT_REAL_VECTORS:-$(cd .. && pwd)/shared/vectors}"
vector="$vectors/snp/milan-v3-oak-oc-release"
at="2025-01-16T21:21:54Z"

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cargo build -q -p verdict-cli
verdict=target/debug/verdict
[ -n "${CARGO_TARGET_DIR:-}" ] && verdict="$CARGO_TARGET_DIR/debug/verdict"

mkdir -p "$work/policies" "$work/collateral"
awk '{print} /^version:/ && !done {print "challenge: optional"; done=1}' policies/snp.yaml \
  > "$work/policies/snp-open.yaml"
# (AMD's CRL in the vectors was issued after the report: left out, as it was then.)
cp "$vector/vcek.der" "$vectors/snp/roots/milan_ask_ark.pem" \
  "$work/collateral/"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$verdict" serve --listen "127.0.0.1:$port" --data-dir "$work/data" --offline \
  --collateral "$work/collateral" --policies-dir "$work/policies" --at "$at" \
  2> "$work/serve.log" &
server=$!
for _ in $(seq 100); do curl -sf "$base/readyz" > /dev/null && break; sleep 0.1; done

show() { printf '\n$ %s\n' "$*" >&2; }
# fail_on_problem: curl that prints the body and fails on an HTTP error.
call() { curl -sS --fail-with-body "$@"; }

show "curl -X POST $base/v1/challenge"
call -X POST "$base/v1/challenge"; echo
printf '{"evidence": [{"evidence": "%s"}], "policy": "snp-open"}' \
  "$(base64 -w0 < "$vector/report.bin")" > "$work/request.json"
show "curl -X POST $base/v1/attest -d '{\"evidence\": [{\"evidence\": \"<base64 of report.bin>\"}], \"policy\": \"snp-open\"}'"
call -X POST "$base/v1/attest" -H 'content-type: application/json' \
  --data-binary @"$work/request.json" > "$work/answer.json" || { cat "$work/answer.json" >&2; exit 1; }
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print("status:", a["status"], "policy:", a["policy_id"]); open(sys.argv[2],"w").write(a["token"])' \
  "$work/answer.json" "$work/token"
show "curl $base/.well-known/jwks.json > jwks.json"
call "$base/.well-known/jwks.json" > "$work/jwks.json"
show "verdict token verify token --jwks jwks.json --at $at"
"$verdict" token verify "$work/token" --jwks "$work/jwks.json" --at "$at"
