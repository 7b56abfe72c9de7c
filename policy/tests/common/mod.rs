//! Real evidence, verified, for policy tests and benches: one report per kind of
//! evidence, read from the shared vectors (never copied into the repository), each
//! verified at a time its collateral was valid.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code, unreachable_pub)]

use std::path::PathBuf;

use verifier::collateral::Bundle;
use verifier::nvidia::GpuEvidence;
use verifier::{time, Claims, Evidence, Expectations, TrustAnchors, Verified, Verifier};

/// A verified piece of real evidence with the time it was verified at (Unix seconds).
pub struct Sample {
    pub name: &'static str,
    pub verified: Verified<Claims>,
    pub now: time::UnixTime,
}

fn at(rfc3339: &str) -> time::UnixTime {
    time::parse_rfc3339(rfc3339).unwrap()
}

/// The raw inputs of a real SEV-SNP report (Milan v3, VLEK, AWS).
pub struct SnpInput {
    pub report: Vec<u8>,
    pub bundle: Bundle,
    pub at: &'static str,
}

pub fn snp_input() -> SnpInput {
    let base = testvectors::real::snp_dir();
    let dir = base.join("milan-v3-vlek-aws-trustee");
    SnpInput {
        report: std::fs::read(dir.join("report.bin")).unwrap(),
        bundle: testvectors::bundle_from_bytes(&[
            std::fs::read(dir.join("vlek.der")).unwrap(),
            std::fs::read(base.join("roots/milan_asvk_ark.pem")).unwrap(),
        ]),
        at: "2024-12-11T22:14:21Z",
    }
}

pub fn snp() -> Sample {
    let input = snp_input();
    let now = at(input.at);
    let verified = Verifier::new(TrustAnchors::default())
        .verify(
            &Evidence::Snp(input.report.clone()),
            &input.bundle,
            &Expectations::none(),
            now,
        )
        .unwrap();
    Sample {
        name: "snp milan-v3-vlek-aws-trustee",
        verified,
        now,
    }
}

/// The raw inputs of a real Intel quote case: quote, collateral bundle, time.
pub struct QuoteInput {
    pub quote: Vec<u8>,
    pub bundle: Bundle,
    pub at: &'static str,
}

pub fn quote_input(case: &str, at: &'static str) -> QuoteInput {
    let dir = testvectors::real::tdx_dir().join("cases").join(case);
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
    QuoteInput {
        quote: std::fs::read(dir.join("quote.bin")).unwrap(),
        bundle,
        at,
    }
}

pub fn tdx_input() -> QuoteInput {
    quote_input(
        "tdx-v5-td15-automata-alibaba-90c06f-uptodate",
        "2025-06-20T00:00:00Z",
    )
}

fn quote(name: &'static str, input: &QuoteInput) -> Sample {
    let now = at(input.at);
    let verified = Verifier::new(TrustAnchors::default())
        .verify(
            &Evidence::from_bytes(&input.quote, None).unwrap(),
            &input.bundle,
            &Expectations::none(),
            now,
        )
        .unwrap();
    Sample {
        name,
        verified,
        now,
    }
}

pub fn tdx() -> Sample {
    quote("tdx v5 td15 alibaba", &tdx_input())
}

pub fn sgx() -> Sample {
    quote(
        "sgx v3 phala",
        &quote_input(
            "sgx-v3-phala-00a067-confswhardening",
            "2025-07-01T00:00:00Z",
        ),
    )
}

/// The real H100 setA evidence, its bundle (RIMs, OCSP) and time.
pub struct GpuInput {
    pub evidence: GpuEvidence,
    pub bundle: Bundle,
    pub at: &'static str,
    pub nonce: &'static str,
}

pub fn gpu_dir() -> PathBuf {
    testvectors::real::nvidia_dir().join("setA_h100_550.90.07")
}

pub fn gpu_input() -> GpuInput {
    let nv = gpu_dir();
    let mut bundle = Bundle::new();
    for f in [
        "NV_GPU_DRIVER_GH100_550.90.07.xml",
        "NV_GPU_VBIOS_1010_0200_882_96009F0001.xml",
    ] {
        bundle
            .add_bytes(&std::fs::read(nv.join(f)).unwrap())
            .unwrap();
    }
    for entry in std::fs::read_dir(nv.join("ocsp")).unwrap() {
        bundle
            .add_bytes(&std::fs::read(entry.unwrap().path()).unwrap())
            .unwrap();
    }
    let mut gpu =
        verifier::nvidia::decode(&std::fs::read(nv.join("attestation_report.hex")).unwrap())
            .unwrap();
    let mut evidence = gpu.remove(0);
    evidence.certificate_chain = std::fs::read(nv.join("device_cert_chain.pem")).unwrap();
    GpuInput {
        evidence,
        bundle,
        at: "2025-08-21T12:00:00Z",
        nonce: "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb",
    }
}

pub fn gpu() -> Sample {
    let input = gpu_input();
    let now = at(input.at);
    let verified = Verifier::new(TrustAnchors::default())
        .verify(
            &Evidence::Gpus(vec![input.evidence.clone()]),
            &input.bundle,
            &Expectations::none(),
            now,
        )
        .unwrap();
    Sample {
        name: "nvidia setA h100",
        verified,
        now,
    }
}

/// The challenge of Trustee's Azure test data (v0, v1, TDX): the bytes `challenge`.
pub const AZURE_CHALLENGE: &[u8] = b"challenge";
/// The 48-byte nonce of the Azure SEV-SNP v2 evidence (also its runtime data's user-data).
pub const AZURE_V2_NONCE: &str = "982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398f647caa2338748cd0fd9f5f819ef";

fn azure_dir() -> PathBuf {
    testvectors::real::vectors_dir().join("azure")
}

fn azure_read(rel: &str) -> Vec<u8> {
    std::fs::read(azure_dir().join(rel)).unwrap_or_else(|e| panic!("azure/{rel}: {e}"))
}

/// Real Azure vTPM evidence verified with its nonce, as verifier/tests/azure_real.rs
/// verifies it: `snp-v1`, `snp-v2`, `snp-legacy-2023` (no PCR values) or `tdx-v1`.
pub fn azure(case: &'static str) -> Sample {
    use verifier::azure::{
        AzureEvidence, AzureHardware, AzureSnpOptions, AzureTdxOptions, TpmQuote,
    };
    let snp_roots =
        |f: &str| std::fs::read(testvectors::real::snp_dir().join("roots").join(f)).unwrap();
    let milan = || {
        testvectors::bundle_from_bytes(&[
            snp_roots("milan_ask_ark.pem"),
            snp_roots("milan_crl.der"),
        ])
    };
    let from_json = |rel: &str| match Evidence::from_bytes(&azure_read(rel), None).unwrap() {
        Evidence::Azure(a) => *a,
        other => panic!("{rel}: read as {:?}", other.tee()),
    };
    let (evidence, bundle, nonce, now): (AzureEvidence, Bundle, Vec<u8>, &str) = match case {
        "snp-v1" => (
            from_json("snp/evidence-v1.json"),
            milan(),
            AZURE_CHALLENGE.to_vec(),
            "2025-09-01T00:00:00Z",
        ),
        "snp-v2" => (
            from_json("snp/evidence-v2.json"),
            milan(),
            hex::decode(AZURE_V2_NONCE).unwrap(),
            "2025-09-01T00:00:00Z",
        ),
        "snp-legacy-2023" => {
            let mut bundle = milan();
            bundle
                .add_bytes(&azure_read("snp/legacy-2023/az-vcek.pem"))
                .unwrap();
            let evidence = AzureEvidence {
                hcl_report: azure_read("snp/legacy-2023/az-hcl-data.bin"),
                tpm_quote: TpmQuote::from_parts(
                    azure_read("snp/tpm-quote.msg"),
                    azure_read("snp/tpm-quote.sig"),
                    &[],
                )
                .unwrap(),
                hardware: AzureHardware::Snp { vcek: None },
                version: 0,
            };
            (
                evidence,
                bundle,
                AZURE_CHALLENGE.to_vec(),
                "2025-09-01T00:00:00Z",
            )
        }
        "tdx-v1" => {
            let dir = testvectors::real::tdx_dir()
                .join("cases/tdx-v4-dcaprs-00806f05-outofdate/collateral");
            let files: Vec<Vec<u8>> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| std::fs::read(e.unwrap().path()).unwrap())
                .collect();
            (
                from_json("tdx/evidence-v1.json"),
                testvectors::bundle_from_bytes(&files),
                AZURE_CHALLENGE.to_vec(),
                "2025-03-01T00:00:00Z",
            )
        }
        other => panic!("no Azure case {other}"),
    };
    let expectations = match evidence.hardware {
        AzureHardware::Snp { .. } => {
            let mut o = AzureSnpOptions::default();
            o.nonce = Some(nonce);
            Expectations::azure_snp(o)
        }
        AzureHardware::Tdx { .. } => {
            let mut o = AzureTdxOptions::default();
            o.nonce = Some(nonce);
            Expectations::azure_tdx(o)
        }
    };
    let now = at(now);
    let verified = Verifier::new(TrustAnchors::default())
        .verify(
            &Evidence::Azure(Box::new(evidence)),
            &bundle,
            &expectations,
            now,
        )
        .unwrap_or_else(|e| panic!("azure {case}: {e}"));
    Sample {
        name: case,
        verified,
        now,
    }
}

/// The default policy files.
pub fn policies_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../policies")
}

pub fn load_policy(file: &str) -> policy::Policy {
    let text = std::fs::read_to_string(policies_dir().join(file)).unwrap();
    policy::Policy::from_yaml(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}
