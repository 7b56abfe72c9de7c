//! docs/claims.md and the serialized claims list the same `snp.*`, `tdx.*`, `sgx.*`,
//! `gpu.*`, `azure.*` and `tpm.*` paths.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;
use testvectors::verify::VerifyQuote;
use verifier::azure::{AzureEvidence, AzureHardware, AzureSnpOptions, AzureTdxOptions, TpmQuote};
use verifier::collateral::Bundle;
use verifier::snp::SnpOptions;
use verifier::tdx::TdxOptions;
use verifier::{time, Claims, Evidence, Expectations, TrustAnchors, Verifier};

/// The 48-byte nonce of the Azure SEV-SNP v2 evidence.
const AZURE_V2_NONCE: &str = "982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398f647caa2338748cd0fd9f5f819ef";

fn paths(prefix: &str, v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                paths(&p, v, out);
            }
        }
        _ => {
            out.insert(prefix.to_owned());
        }
    }
}

/// Expands `a.{x,y}` and `a.*` rows of the doc table into concrete paths.
fn documented(doc: &str, tcb_fields: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let name = line.split('`').nth(1).unwrap();
        if let Some((head, rest)) = name.split_once(".{") {
            for f in rest.trim_end_matches('}').split(',') {
                out.insert(format!("{head}.{f}"));
            }
        } else if name == "gpu.measurements.*" {
            for i in 1..=64 {
                out.insert(format!("gpu.measurements.{i}"));
            }
        } else if name == "tpm.pcrs.*" {
            for i in 0..=23 {
                out.insert(format!("tpm.pcrs.{i}"));
            }
        } else if let Some(head) = name.strip_suffix(".*") {
            for f in tcb_fields {
                out.insert(format!("{head}.{f}"));
            }
        } else {
            out.insert(name.to_owned());
        }
    }
    out
}

#[test]
fn claims_doc_matches_serialized_claims() {
    let base = testvectors::real::snp_dir();
    let v = Verifier::new(TrustAnchors::default());
    let mut seen = BTreeSet::new();
    // A Turin v5 VCEK report and a Milan v3 VLEK report together produce every optional claim.
    for (dir, vek, chain, at) in [
        (
            "turin-v5-oak-oc",
            "vcek.der",
            "roots/turin_ask_ark.pem",
            "2025-07-18T17:04:46Z",
        ),
        (
            "milan-v3-vlek-aws-trustee",
            "vlek.der",
            "roots/milan_asvk_ark.pem",
            "2024-12-11T22:14:21Z",
        ),
    ] {
        let bundle = testvectors::bundle_from_bytes(&[
            std::fs::read(base.join(dir).join(vek)).unwrap(),
            std::fs::read(base.join(chain)).unwrap(),
        ]);
        let report = std::fs::read(base.join(dir).join("report.bin")).unwrap();
        let verified = v
            .verify_snp(
                &report,
                &bundle,
                &SnpOptions::default(),
                time::parse_rfc3339(at).unwrap(),
            )
            .unwrap();
        let json = serde_json::to_value(Claims::Snp(Box::new(verified.claims().clone()))).unwrap();
        paths("", &json, &mut seen);
    }
    // Intel: a TD 1.5 quote (launch and current evaluations), a TD 1.0 quote with a
    // module identity, and an SGX quote from a Processor-CA platform.
    let tdx = testvectors::real::tdx_dir().join("cases");
    for (case, at) in [
        (
            "tdx-v5-td15-gotdxguest-90c06f-uptodate-xpair",
            "2026-03-01T00:00:00Z",
        ),
        ("tdx-v4-phala-b0c06f-uptodate", "2025-07-01T00:00:00Z"),
        (
            "sgx-v3-phala-00a067-confswhardening",
            "2025-07-01T00:00:00Z",
        ),
        ("sgx-v3-automata-00606a-swhardening", "2025-09-01T00:00:00Z"),
        (
            "tdx-v4-gotdxguest-cos113-ccel-xpair",
            "2025-03-01T00:00:00Z",
        ),
    ] {
        let dir = tdx.join(case);
        let mut bundle = Bundle::new();
        for f in [
            "tcb_info.json",
            "tcb_info_issuer_chain.pem",
            "qe_identity.json",
            "pck_crl.der",
            "root_ca_crl.der",
        ] {
            bundle
                .add_bytes(&std::fs::read(dir.join("collateral").join(f)).unwrap())
                .unwrap();
        }
        let quote = std::fs::read(dir.join("quote.bin")).unwrap();
        let now = time::parse_rfc3339(at).unwrap();
        let verified = match std::fs::read(dir.join("ccel/ccel_data.dat")) {
            Ok(log) => {
                v.verify_tdx_with_event_log(&quote, &log, &bundle, &TdxOptions::default(), now)
            }
            Err(_) => v.verify_quote(&quote, &bundle, now),
        }
        .unwrap_or_else(|e| panic!("{case}: {e}"));
        let json = serde_json::to_value(Claims::from(verified.claims().clone())).unwrap();
        paths("", &json, &mut seen);
    }
    // NVIDIA: the real H100 setA evidence with its RIMs and OCSP responses.
    let nv = testvectors::real::nvidia_dir().join("setA_h100_550.90.07");
    let mut bundle = Bundle::new();
    for f in [
        "NV_GPU_DRIVER_GH100_550.90.07.xml",
        "NV_GPU_VBIOS_1010_0200_882_96009F0001.xml",
        "ocsp/test_gpu_certificate_l2.ocsp.der",
    ] {
        bundle
            .add_bytes(&std::fs::read(nv.join(f)).unwrap())
            .unwrap();
    }
    let mut gpu =
        verifier::nvidia::decode(&std::fs::read(nv.join("attestation_report.hex")).unwrap())
            .unwrap();
    gpu[0].certificate_chain = std::fs::read(nv.join("device_cert_chain.pem")).unwrap();
    let verified = v
        .verify_nvidia(
            &gpu[0],
            &bundle,
            &verifier::nvidia::NvidiaOptions::default(),
            time::parse_rfc3339("2025-08-21T12:00:00Z").unwrap(),
        )
        .unwrap();
    let json = serde_json::to_value(Claims::Gpu(Box::new(verified.claims().clone()))).unwrap();
    paths("", &json, &mut seen);
    // Azure: SEV-SNP v2 (every runtime-data member but current-time), legacy-2023 (no PCR
    // values, current-time, no EK) and TDX v1 (root-cert-thumbprint, tpm-persisted).
    for (case, claims) in azure_claims() {
        let json = serde_json::to_value(claims).unwrap();
        assert!(
            json["tee"].as_str().unwrap().starts_with("azure-"),
            "{case}"
        );
        paths("", &json, &mut seen);
    }
    let doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/claims.md"),
    )
    .unwrap();
    let claims_part = doc.split("## Warnings").next().unwrap();
    let documented = documented(
        claims_part,
        &["bootloader", "tee", "snp", "microcode", "fmc", "raw"],
    );
    let undocumented: Vec<_> = seen.difference(&documented).collect();
    let phantom: Vec<_> = documented.difference(&seen).collect();
    assert!(
        undocumented.is_empty(),
        "claims missing from docs/claims.md: {undocumented:?}"
    );
    assert!(
        phantom.is_empty(),
        "docs/claims.md lists claims that are never produced: {phantom:?}"
    );
}

/// The real Azure vTPM cases, verified with their nonces as verifier/tests/azure_real.rs
/// verifies them.
fn azure_claims() -> Vec<(&'static str, Claims)> {
    let azure = testvectors::real::vectors_dir().join("azure");
    let read = |rel: &str| std::fs::read(azure.join(rel)).unwrap();
    let roots = testvectors::real::snp_dir().join("roots");
    let milan = || {
        testvectors::bundle_from_bytes(&[
            std::fs::read(roots.join("milan_ask_ark.pem")).unwrap(),
            std::fs::read(roots.join("milan_crl.der")).unwrap(),
        ])
    };
    let from_json = |rel: &str| match Evidence::from_bytes(&read(rel), None).unwrap() {
        Evidence::Azure(a) => *a,
        other => panic!("{rel}: read as {:?}", other.tee()),
    };
    let snp = |nonce: Vec<u8>| {
        let mut o = AzureSnpOptions::default();
        o.nonce = Some(nonce);
        Expectations::azure_snp(o)
    };
    let mut legacy_bundle = milan();
    legacy_bundle
        .add_bytes(&read("snp/legacy-2023/az-vcek.pem"))
        .unwrap();
    let legacy = AzureEvidence {
        hcl_report: read("snp/legacy-2023/az-hcl-data.bin"),
        tpm_quote: TpmQuote::from_parts(read("snp/tpm-quote.msg"), read("snp/tpm-quote.sig"), &[])
            .unwrap(),
        hardware: AzureHardware::Snp { vcek: None },
        version: 0,
    };
    let tdx_collateral =
        testvectors::real::tdx_dir().join("cases/tdx-v4-dcaprs-00806f05-outofdate/collateral");
    let tdx_bundle = testvectors::bundle_from_bytes(
        &std::fs::read_dir(tdx_collateral)
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect::<Vec<_>>(),
    );
    let mut tdx_options = AzureTdxOptions::default();
    tdx_options.nonce = Some(b"challenge".to_vec());
    let cases = [
        (
            "snp v2",
            from_json("snp/evidence-v2.json"),
            milan(),
            snp(hex::decode(AZURE_V2_NONCE).unwrap()),
            "2025-09-01T00:00:00Z",
        ),
        (
            "snp legacy-2023",
            legacy,
            legacy_bundle,
            snp(b"challenge".to_vec()),
            "2025-09-01T00:00:00Z",
        ),
        (
            "tdx v1",
            from_json("tdx/evidence-v1.json"),
            tdx_bundle,
            Expectations::azure_tdx(tdx_options),
            "2025-03-01T00:00:00Z",
        ),
    ];
    let v = Verifier::new(TrustAnchors::default());
    cases
        .into_iter()
        .map(|(case, evidence, bundle, expectations, at)| {
            let verified = v
                .verify(
                    &Evidence::Azure(Box::new(evidence)),
                    &bundle,
                    &expectations,
                    time::parse_rfc3339(at).unwrap(),
                )
                .unwrap_or_else(|e| panic!("azure {case}: {e}"));
            (case, verified.claims().clone())
        })
        .collect()
}
