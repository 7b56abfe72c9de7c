//! Every real NVIDIA report and evidence file parses, field by field as
//! VERIFICATION.txt records it.

use testvectors::real::nvidia_dir;
use verifier::nvidia::{decode, spdm::AttestationReport};

fn report(rel: &str) -> AttestationReport {
    let bytes = std::fs::read(nvidia_dir().join(rel)).unwrap();
    let ev = decode(&bytes).unwrap();
    assert_eq!(ev.len(), 1);
    AttestationReport::parse(&ev[0].report).unwrap()
}

#[test]
fn set_a_fields() {
    let r = report("setA_h100_550.90.07/attestation_report.hex");
    assert_eq!(
        hex::encode(r.nonce()),
        "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb"
    );
    assert_eq!(r.blocks().len(), 64);
    let o = r.opaque();
    assert_eq!(o.driver_version(), Some("550.90.07"));
    assert_eq!(o.vbios_version(), Some("96.00.9F.00.01"));
    assert_eq!(o.chip_sku(), Some("882"));
    assert_eq!(o.project(), Some("1010"));
    assert_eq!(o.project_sku(), Some("0200"));
    assert_eq!(o.nvdec0_enabled(), Some(false));
    assert!(o.fwid().is_some());
    assert_eq!(r.trailing_len(), 0);
    assert_eq!(r.signed_bytes().len() + 96, 4117);
    // The binary capture is the same report.
    let bin =
        std::fs::read(nvidia_dir().join("setA_h100_550.90.07/attestation_report.bin")).unwrap();
    assert_eq!(AttestationReport::parse(&bin).unwrap(), r);
}

#[test]
fn every_report_parses() {
    for rel in [
        "setB_h100_545.00/attestation_report.hex",
        "asdk_hopper/sample_hopperAttestationReport_535.86.09.hex",
        "asdk_hopper/hopperAttestationReport_570.124.03_expired_case.hex",
        "blackwell/blackwellAttestationReport_575.32.hex",
        "ppcie_nvswitch/switchAttestationReport_96.10.55.00.01.hex",
    ] {
        let r = report(rel);
        assert!(r.blocks().len() == 64 || r.blocks().len() == 31, "{rel}");
    }
    for rel in [
        "asdk_hopper/hopper_evidence.json",
        "asdk_hopper/multi_gpu_hopper.json",
        "asdk_hopper/hopper_evidence_cert_hold.json",
        "asdk_hopper/evidence_hopper_590_12.json",
        "ppcie_nvswitch/ppcie_gpu_evidence_590.12.json",
        "blackwell/mpt_8x_gb100_590.48.01.json",
    ] {
        let bytes = std::fs::read(nvidia_dir().join(rel)).unwrap();
        for ev in decode(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}")) {
            AttestationReport::parse(&ev.report).unwrap_or_else(|e| panic!("{rel}: {e}"));
            verifier::nvidia::decode_chain(&ev.certificate_chain).unwrap();
        }
    }
}

/// The NRAS request body and Trustee's evidence JSON carry the same report and chain as
/// the raw files (Trustee's evidence may be hex or base64).
#[test]
fn nras_and_trustee_forms_decode_to_the_raw_report() {
    use base64::Engine as _;
    let dir = nvidia_dir().join("setA_h100_550.90.07");
    let raw = std::fs::read(dir.join("attestation_report.bin")).unwrap();
    let chain = std::fs::read(dir.join("device_cert_chain.pem")).unwrap();
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let nras = serde_json::json!({
        "nonce": "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb",
        "arch": "HOPPER",
        "claims_version": "3.0",
        "evidence_list": [{"evidence": b64(&raw), "certificate": b64(&chain)}],
    });
    let trustee_hex = serde_json::json!({
        "device_evidence_list": [{"arch": "Hopper", "uuid": "GPU-0", "evidence": hex::encode(&raw), "certificate": b64(&chain)}],
    });
    let trustee_b64 = serde_json::json!({
        "device_evidence_list": [{"arch": "Hopper", "evidence": b64(&raw), "certificate": b64(&chain)}],
    });
    for doc in [nras, trustee_hex, trustee_b64] {
        let text = serde_json::to_vec(&doc).unwrap();
        assert!(verifier::nvidia::looks_like(&text));
        let ev = decode(&text).unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].report, raw);
        assert_eq!(
            verifier::nvidia::decode_chain(&ev[0].certificate_chain)
                .unwrap()
                .len(),
            5
        );
    }
    // Shapes that are not GPU evidence are refused as malformed (CLI exit 2).
    for (bad, kind) in [
        (&b"{\"quote\": \"AAAA\"}"[..], "malformed_json"),
        (b"[{\"certificate\": \"x\"}]", "malformed_json"),
        (b"\"text\"", "malformed_encoding"),
        (b"11e0abc", "malformed_encoding"),
    ] {
        let e = decode(bad).unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        assert_eq!(e.class(), verifier::ErrorClass::Malformed, "{e}");
    }
    for bad in [
        &b"{\"quote\": \"AAAA\"}"[..],
        b"[{\"certificate\": \"x\"}]",
        b"\"text\"",
    ] {
        assert!(!verifier::nvidia::looks_like(bad));
    }
    let e = verifier::nvidia::decode_chain(b"not a chain").unwrap_err();
    assert_eq!(e.kind(), "malformed_encoding", "{e}");
}
