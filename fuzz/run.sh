#!/usr/bin/env bash
# Run one cargo-fuzz target for a fixed wall time, on the stable toolchain.
#
#   fuzz/run.sh TARGET SECONDS [extra libFuzzer flags...]
#
# TARGET: snp_report | x509_collateral | evidence_decode | snp_verify | snp_verify_fake_chain
#         | tdx_quote | intel_collateral_json | tdx_verify
#         | rim_xml | ocsp | nvidia_report | policy_yaml | token_verify | json_inputs
#         | collateral_answer | azure_parse | snp_trustee_json
#
# Environment:
#   SANITIZER       address (default) or none. ASan links on stable 1.95 x86_64-linux.
#   VERDICT_VECTORS real vectors to seed the corpus from at run time
#                   (default: ../shared/vectors next to the repository, else /work/shared/vectors).
#                   Real vectors are only ever copied into fuzz/corpus/ (git-ignored).
#                   Exported: tdx_verify reads its collateral from there.
#   NICE            nice level (default 10).
#   BUILD_ONLY=1    build the target and exit.
#
# The corpus grows in fuzz/corpus/TARGET, crashes land in fuzz/artifacts/TARGET, and the
# libFuzzer log (with the final stats) is kept as fuzz/logs/TARGET-<date>.log.
set -euo pipefail

if [ $# -lt 2 ]; then
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
TARGET=$1
SECONDS_TOTAL=$2
shift 2

FUZZ_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$FUZZ_DIR")
cd "$FUZZ_DIR"

case "$TARGET" in
    snp_report|x509_collateral|evidence_decode|snp_verify|snp_verify_fake_chain) ;;
    tdx_quote|intel_collateral_json|tdx_verify) ;;
    rim_xml|ocsp|nvidia_report) ;;
    policy_yaml|token_verify|json_inputs) ;;
    collateral_answer|azure_parse|snp_trustee_json) ;;
    *) echo "unknown target: $TARGET" >&2; exit 2 ;;
esac

SANITIZER=${SANITIZER:-address}
NICE=${NICE:-10}
if [ -z "${VERDICT_VECTORS:-}" ]; then
    if [ -d "$REPO/../shared/vectors" ]; then
        VERDICT_VECTORS=$(cd "$REPO/../shared/vectors" && pwd)
    else
        VERDICT_VECTORS=/work/shared/vectors
    fi
fi
export VERDICT_VECTORS

# cargo-fuzz passes -Z flags (-Zsanitizer, -Zcrate-attr ...): allow them on stable.
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz missing: cargo install cargo-fuzz" >&2; exit 1; }

# ---- seed corpus (copied at run time; never committed) ------------------------------
CORPUS="$FUZZ_DIR/corpus/$TARGET"
mkdir -p "$CORPUS" "$FUZZ_DIR/artifacts/$TARGET" "$FUZZ_DIR/logs"

seed() { # seed SRC: copy under a name derived from its path, so vectors do not collide
    local rel=${1#"$VERDICT_VECTORS"/}
    cp -f "$1" "$CORPUS/seed-${rel//\//_}"
}

seed_reports() {
    local f
    for f in "$VERDICT_VECTORS"/snp/*/report.bin "$VERDICT_VECTORS"/snp/negative/*.bin; do
        [ -f "$f" ] && seed "$f"
    done
    # Synthetic: all-zero reports of each supported version (not signed, reach the
    # checks after the version gate).
    local v
    for v in 2 3 4 5; do
        { printf "\\x0$v\\x00\\x00\\x00"; head -c 1180 /dev/zero; } > "$CORPUS/synth-zero-v$v.bin"
    done
}

seed_quotes() { # every real DCAP quote, raw (the .hex parse-only quote decoded)
    local f
    for f in "$VERDICT_VECTORS"/tdx/cases/*/quote.bin "$VERDICT_VECTORS"/tdx/parse-only/*.bin; do
        [ -f "$f" ] && seed "$f"
    done
    for f in "$VERDICT_VECTORS"/tdx/parse-only/*.hex; do
        [ -f "$f" ] || continue
        rel=${f#"$VERDICT_VECTORS"/}; rel=${rel//\//_}
        if command -v xxd >/dev/null; then
            tr -d ' \n\r' < "$f" | xxd -r -p > "$CORPUS/seed-${rel%.hex}.bin"
        else # the targets decode hex text themselves (evidence::decode)
            seed "$f"
        fi
    done
}

EXTRA_FLAGS=()
if [ -d "$VERDICT_VECTORS" ]; then
    case "$TARGET" in
        snp_report|snp_verify)
            seed_reports
            ;;
        snp_verify_fake_chain)
            # The bundled example verifies against the fake chain the target embeds.
            cp -f "$REPO/examples/snp/report.bin" "$CORPUS/example-report.bin"
            ;;
        evidence_decode)
            seed_reports
            # The text encodings evidence arrives in: hex and base64 of each real report.
            for f in "$VERDICT_VECTORS"/snp/*/report.bin; do
                [ -f "$f" ] || continue
                rel=${f#"$VERDICT_VECTORS"/}; rel=${rel//\//_}
                od -An -v -tx1 "$f" | tr -d ' \n' > "$CORPUS/seed-$rel.hex"
                base64 -w 76 "$f" > "$CORPUS/seed-$rel.b64"
                base64 -w 0 "$f" | tr '+/' '-_' | tr -d '=' > "$CORPUS/seed-$rel.b64url"
            done
            ;;
        tdx_quote)
            seed_quotes
            # The encodings quotes arrive in: hex, base64 and Trustee's JSON, for two quotes
            # (a v4 TD 1.0 and a v5 TD 1.5; the parser paths do not depend on more).
            for c in tdx-v4-phala-b0c06f-uptodate tdx-v5-td15-automata-alibaba-90c06f-uptodate; do
                f="$VERDICT_VECTORS/tdx/cases/$c/quote.bin"
                [ -f "$f" ] || continue
                od -An -v -tx1 "$f" | tr -d ' \n' > "$CORPUS/seed-$c.hex"
                base64 -w 76 "$f" > "$CORPUS/seed-$c.b64"
                printf '{"quote":"%s","cc_eventlog":""}' "$(base64 -w 0 "$f")" > "$CORPUS/seed-$c.trustee.json"
            done
            ;;
        tdx_verify)
            seed_quotes
            ;;
        snp_trustee_json)
            # Trustee's real SnpEvidence document.
            for f in "$VERDICT_VECTORS"/snp/*/evidence.json; do
                [ -f "$f" ] && seed "$f"
            done
            EXTRA_FLAGS+=("-dict=$FUZZ_DIR/dicts/snp_trustee_json.dict")
            ;;
        policy_yaml)
            cp -f "$REPO"/policies/*.yaml "$CORPUS/"
            ;;
        json_inputs)
            # GPU evidence JSON in each form, the hostile JSON of the CLI's corpus, and a
            # Trustee TDX document.
            for f in "$VERDICT_VECTORS"/nvidia/*/*.json; do
                [ -f "$f" ] && seed "$f"
            done
            cp -f "$REPO"/cli/tests/hostile/*.json "$CORPUS/"
            f="$VERDICT_VECTORS/tdx/cases/tdx-v4-phala-b0c06f-uptodate/quote.bin"
            [ -f "$f" ] && printf '{"quote":"%s"}' "$(base64 -w 0 "$f")" > "$CORPUS/seed-trustee.json"
            ;;
        token_verify)
            # Tokens signed by a key the target does not know (made by the built CLI, if
            # there is one): they reach every parser and stop at the signature.
            if [ -x "$REPO/target/debug/verdict" ]; then
                k=$(mktemp -u)
                "$REPO/target/debug/verdict" token keygen --out "$k" 2>/dev/null || true
                for fmt in jwt cwt; do
                    "$REPO/target/debug/verdict" appraise --policy "$REPO/policies/snp.yaml" --key "$k" \
                        --format "$fmt" --anchor "$REPO/examples/snp/ark.pem" --collateral "$REPO/examples/snp" \
                        --at 2024-06-01T00:00:00Z "$REPO/examples/snp/report.bin" > "$CORPUS/seed-$fmt.txt" 2>/dev/null || true
                done
                rm -f "$k"
            fi
            ;;
        intel_collateral_json)
            for f in "$VERDICT_VECTORS"/tdx/cases/*/collateral/*.json; do
                [ -f "$f" ] && seed "$f"
            done
            # The inner (signed) objects, as TcbInfo::parse / QeIdentity::parse take them.
            if command -v jq >/dev/null; then
                for f in "$VERDICT_VECTORS"/tdx/cases/*/collateral/{tcb_info,qe_identity}.json; do
                    [ -f "$f" ] || continue
                    rel=${f#"$VERDICT_VECTORS"/}; rel=${rel//\//_}
                    jq -c '.tcbInfo // .enclaveIdentity' "$f" > "$CORPUS/seed-$rel.inner.json"
                done
            fi
            EXTRA_FLAGS+=("-dict=$FUZZ_DIR/dicts/intel_collateral_json.dict")
            ;;
        rim_xml)
            # Every real RIM (the target also reads them at start as its oracle).
            while IFS= read -r -d '' f; do
                seed "$f"
            done < <(find "$VERDICT_VECTORS/nvidia" -type f \( -name '*.xml' -o -name '*.swidtag' \) -print0 2>/dev/null)
            EXTRA_FLAGS+=("-dict=$FUZZ_DIR/dicts/rim_xml.dict")
            ;;
        azure_parse)
            # The real Azure HCL reports, runtime data, TPM quotes (TPMS_ATTEST, JSON and
            # bincode) and Trustee evidence files.
            for f in "$VERDICT_VECTORS"/azure/*/extracted/*/hcl-report.bin \
                     "$VERDICT_VECTORS"/azure/*/extracted/*/tpm-quote-msg.bin \
                     "$VERDICT_VECTORS"/azure/*/extracted/*/runtime-data.json \
                     "$VERDICT_VECTORS"/azure/tdx/extracted/hcl-report.bin \
                     "$VERDICT_VECTORS"/azure/tdx/extracted/tpm-quote-msg.bin \
                     "$VERDICT_VECTORS"/azure/tdx/extracted/runtime-data.json \
                     "$VERDICT_VECTORS"/azure/*/evidence-v*.json \
                     "$VERDICT_VECTORS"/azure/*/tpm-quote-v1.json \
                     "$VERDICT_VECTORS"/azure/*/quote.bin \
                     "$VERDICT_VECTORS"/azure/snp/hcl-report.bin "$VERDICT_VECTORS"/azure/snp/tpm-quote.msg; do
                [ -f "$f" ] && seed "$f"
            done
            ;;
        collateral_answer)
            # Collateral of every kind as vendors serve it: AMD chains, VCEKs and CRLs,
            # Intel PCS bodies and chains, NVIDIA RIMs and OCSP responses.
            for f in "$VERDICT_VECTORS"/snp/roots/* "$VERDICT_VECTORS"/snp/*/vcek*.* \
                     "$VERDICT_VECTORS"/tdx/cases/*/collateral/* \
                     "$VERDICT_VECTORS"/nvidia/setA_h100_550.90.07/*.xml \
                     "$VERDICT_VECTORS"/nvidia/*/ocsp/*.der; do
                [ -f "$f" ] && seed "$f"
            done
            ;;
        ocsp)
            # The real responses (setA), DER; ocsp reads setA's chains from VERDICT_VECTORS.
            for f in "$VERDICT_VECTORS"/nvidia/*/ocsp/*.der; do
                [ -f "$f" ] && seed "$f"
            done
            ;;
        nvidia_report)
            # Real GPU and NVSwitch reports (hex text and raw) and the JSON evidence forms.
            while IFS= read -r -d '' f; do
                seed "$f"
            done < <(find "$VERDICT_VECTORS/nvidia" -type f \( -name '*.hex' -o -name '*.bin' -o -name '*.json' \) \
                        -size -256k -print0 2>/dev/null)
            for f in "$VERDICT_VECTORS"/nvidia/*/*.hex; do
                [ -f "$f" ] || continue
                rel=${f#"$VERDICT_VECTORS"/}; rel=${rel//\//_}
                tr -d ' \n\r' < "$f" | xxd -r -p > "$CORPUS/seed-${rel%.hex}.raw"
            done
            ;;
        x509_collateral)
            while IFS= read -r -d '' f; do
                seed "$f"
            done < <(find "$VERDICT_VECTORS/snp" "$VERDICT_VECTORS/tdx" "$VERDICT_VECTORS/nvidia" \
                        -type f \( -name '*.der' -o -name '*.pem' \) -size -64k -print0 2>/dev/null)
            ;;
    esac
else
    echo "warning: no vectors at $VERDICT_VECTORS; seeding only what is already in $CORPUS" >&2
fi
# Never start from an empty corpus.
[ -n "$(ls -A "$CORPUS")" ] || printf '\x30\x00' > "$CORPUS/synth-empty-seq"
echo "corpus $CORPUS: $(ls "$CORPUS" | wc -l) files"

# ---- build ---------------------------------------------------------------------------
nice -n "$NICE" cargo fuzz build --fuzz-dir "$FUZZ_DIR" --release --debug-assertions -s "$SANITIZER" "$TARGET"
[ "${BUILD_ONLY:-0}" = 1 ] && exit 0

# ---- run -----------------------------------------------------------------------------
# -jobs=1 -workers=1: one fuzzing process (libFuzzer then forks it as job 0 and writes its
# output to fuzz-0.log in the working directory; we copy that to fuzz/logs/).
# cargo-fuzz itself sets -artifact_prefix=fuzz/artifacts/TARGET/.
LOG="$FUZZ_DIR/logs/$TARGET-$(date -u +%Y%m%dT%H%M%SZ).log"
WORK=$(mktemp -d)
rc=0
(
    cd "$WORK"
    nice -n "$NICE" cargo fuzz run --fuzz-dir "$FUZZ_DIR" \
        --release --debug-assertions -s "$SANITIZER" "$TARGET" "$CORPUS" -- \
        -max_total_time="$SECONDS_TOTAL" -jobs=1 -workers=1 -print_final_stats=1 \
        ${EXTRA_FLAGS[@]+"${EXTRA_FLAGS[@]}"} "$@"
) || rc=$?
cat "$WORK"/fuzz-*.log > "$LOG" 2>/dev/null || true
rm -rf "$WORK"
echo "---- libFuzzer log: $LOG"
tail -n 25 "$LOG"
echo "---- exit $rc; corpus now $(ls "$CORPUS" | wc -l) files; artifacts: $(ls "$FUZZ_DIR/artifacts/$TARGET" | wc -l)"
exit "$rc"
