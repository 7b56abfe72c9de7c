//! Runs `verdict verify` on every real Intel DCAP vector the way operators do: with the
//! case's collateral directory or its dcap-qvl JSON, at a time inside the collateral's
//! window, and on mutated, stale and re-encoded copies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine as _;
use serde_json::Value;
use testvectors::real::tdx_dir;

fn verdict(args: &[&str]) -> Output {
    common::verdict_command().args(args).output().unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

struct Case {
    name: String,
    dir: PathBuf,
    expected: Value,
}

impl Case {
    fn quote(&self) -> PathBuf {
        self.dir.join("quote.bin")
    }

    fn collateral(&self) -> PathBuf {
        self.dir.join("collateral")
    }

    fn time(&self, f: impl Fn(u64, u64) -> u64) -> String {
        use verifier::time::{from_secs, parse_rfc3339, rfc3339};
        let t = |k: &str| {
            parse_rfc3339(self.expected[k].as_str().unwrap())
                .unwrap()
                .as_secs()
        };
        rfc3339(from_secs(f(t("valid_from"), t("valid_until"))))
    }

    fn at(&self) -> String {
        self.time(|a, b| a + (b - a) / 2)
    }
}

fn cases() -> Vec<Case> {
    let mut out: Vec<Case> = std::fs::read_dir(tdx_dir().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|dir| Case {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            expected: serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap())
                .unwrap(),
            dir,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn verify(collateral: &Path, at: &str, quote: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "verify",
        "--collateral",
        collateral.to_str().unwrap(),
        "--at",
        at,
    ];
    args.extend_from_slice(extra);
    args.push(quote.to_str().unwrap());
    verdict(&args)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn every_real_vector_gets_its_expected_status() {
    for c in cases() {
        let expected = c.expected["intel_qvl_final_status"].as_str().unwrap();
        let out = verify(&c.collateral(), &c.at(), &c.quote(), &["--json"]);
        let v = json(&out);
        if expected == "TCB_NOT_SUPPORTED" {
            assert_eq!(code(&out), 1, "{}", c.name);
            assert_eq!(v["error"]["kind"], "tcb_not_supported", "{}", c.name);
            continue;
        }
        assert_eq!(code(&out), 0, "{}: {}", c.name, v["error"]);
        let ns = v["tee"].as_str().unwrap();
        assert_eq!(
            ns,
            if c.name.starts_with("sgx") {
                "sgx"
            } else {
                "tdx"
            }
        );
        assert_eq!(v["claims"][ns]["tcb_status"], expected, "{}", c.name);
        // The one-line human form names the status too.
        let human = verify(&c.collateral(), &c.at(), &c.quote(), &[]);
        assert_eq!(code(&human), 0);
        let first = String::from_utf8(human.stdout).unwrap();
        assert!(
            first
                .lines()
                .next()
                .unwrap()
                .ends_with(&format!("TCB {expected}")),
            "{first}"
        );
    }
}

#[test]
fn dcap_qvl_collateral_json_works_as_a_single_file() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "tdx-v4-phala-b0c06f-uptodate")
        .unwrap();
    let file = c.collateral().join("dcap_qvl_collateral.json");
    let out = verify(&file, &c.at(), &c.quote(), &["--json"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json(&out)["claims"]["tdx"]["tcb_status"], "UpToDate");
}

#[test]
fn mutated_quotes_exit_1() {
    let dir = tempdir();
    for c in cases().iter().filter(|c| c.name.starts_with("tdx-v")) {
        if c.expected["intel_qvl_final_status"] == "TCB_NOT_SUPPORTED" {
            continue;
        }
        let original = std::fs::read(c.quote()).unwrap();
        // Header, MRTD, REPORTDATA, TEE_TCB_SVN, the signature, the QE report.
        for offset in [10usize, 48 + 136, 48 + 520 + 63, 48, 640, 800] {
            let mut q = original.clone();
            q[offset] ^= 0x04;
            let path = dir.join("mutated.bin");
            std::fs::write(&path, &q).unwrap();
            let out = verify(&c.collateral(), &c.at(), &path, &["--json"]);
            assert_eq!(
                code(&out),
                1,
                "{} byte {offset}: {}",
                c.name,
                json(&out)["error"]
            );
        }
    }
}

#[test]
fn expired_collateral_exits_1_with_a_clear_message() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "tdx-v4-phala-b0c06f-uptodate")
        .unwrap();
    let late = c.time(|_, until| until + 86_400);
    let out = verify(&c.collateral(), &late, &c.quote(), &[]);
    assert_eq!(code(&out), 1);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("verdict: rejected: "), "{err}");
    assert!(err.contains("stale") || err.contains("expired"), "{err}");
    assert!(err.contains(&late), "names the verification time: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn missing_collateral_exits_3_with_the_pcs_url() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "tdx-v4-phala-b0c06f-uptodate")
        .unwrap();
    let dir = tempdir();
    for name in [
        "qe_identity.json",
        "qe_identity_issuer_chain.pem",
        "pck_crl.der",
        "root_ca_crl.der",
        "tcb_info_issuer_chain.pem",
    ] {
        std::fs::copy(c.collateral().join(name), dir.join(name)).unwrap();
    }
    let out = verify(&dir, &c.at(), &c.quote(), &["--offline"]);
    assert_eq!(code(&out), 3);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "https://api.trustedservices.intel.com/tdx/certification/v4/tcb?fmspc=b0c06f000000"
        ),
        "{err}"
    );
}

#[test]
fn hex_base64_and_trustee_json_evidence_verify() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "tdx-v5-td15-automata-alibaba-90c06f-uptodate")
        .unwrap();
    let raw = std::fs::read(c.quote()).unwrap();
    let dir = tempdir();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
    let inputs = [
        ("quote.hex", hex::encode(&raw)),
        ("quote.b64", b64.clone()),
        ("trustee.json", format!("{{\"quote\":\"{b64}\"}}")),
    ];
    for (name, text) in inputs {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = verify(&c.collateral(), &c.at(), &path, &["--json"]);
        assert_eq!(code(&out), 0, "{name}: {}", json(&out)["error"]);
        assert_eq!(json(&out)["tee"], "tdx");
    }
}

#[test]
fn nonce_is_checked_against_report_data() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "tdx-v4-phala-b0c06f-uptodate")
        .unwrap();
    let raw = std::fs::read(c.quote()).unwrap();
    let report_data = hex::encode(&raw[48 + 520..48 + 584]);
    let ok = verify(
        &c.collateral(),
        &c.at(),
        &c.quote(),
        &["--nonce", &report_data[..32]],
    );
    assert_eq!(code(&ok), 0);
    let bad = verify(
        &c.collateral(),
        &c.at(),
        &c.quote(),
        &["--nonce", "00112233", "--json"],
    );
    assert_eq!(code(&bad), 1);
    assert_eq!(json(&bad)["error"]["kind"], "unexpected_report_data");
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "verdict-cli-tdx-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn event_log_is_replayed_from_a_file_or_trustee_json() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "tdx-v4-gotdxguest-cos113-ccel-xpair")
        .unwrap();
    let log = c.dir.join("ccel/ccel_data.dat");
    let out = verify(
        &c.collateral(),
        &c.at(),
        &c.quote(),
        &["--json", "--event-log", log.to_str().unwrap()],
    );
    assert_eq!(code(&out), 0, "{}", json(&out)["error"]);
    assert_eq!(
        json(&out)["claims"]["tdx"]["event_log"]
            .as_array()
            .unwrap()
            .len(),
        43
    );

    let b64 =
        |p: &Path| base64::engine::general_purpose::STANDARD.encode(std::fs::read(p).unwrap());
    let dir = tempdir();
    let trustee = dir.join("evidence.json");
    std::fs::write(
        &trustee,
        format!(
            "{{\"cc_eventlog\":\"{}\",\"quote\":\"{}\"}}",
            b64(&log),
            b64(&c.quote())
        ),
    )
    .unwrap();
    let out = verify(&c.collateral(), &c.at(), &trustee, &["--json"]);
    assert_eq!(code(&out), 0, "{}", json(&out)["error"]);
    assert!(json(&out)["claims"]["tdx"]["event_log"].is_array());

    // Another TD's quote with this log: rejected, naming the RTMR.
    let other = cases()
        .into_iter()
        .find(|c| c.name == "tdx-v4-phala-b0c06f-uptodate")
        .unwrap();
    let out = verify(
        &other.collateral(),
        &other.at(),
        &other.quote(),
        &["--event-log", log.to_str().unwrap()],
    );
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("event log replays RTMR0"));
}
