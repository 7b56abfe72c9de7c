//! Real Intel quotes and collateral, mutated: every flipped byte the quote's signatures or
//! bindings cover rejects, and each kind of missing, stale, foreign or tampered collateral
//! gets its own precise error.

use std::path::PathBuf;

use testvectors::real::tdx_dir;
use testvectors::verify::VerifyQuote;
use verifier::collateral::Bundle;
use verifier::crypto::all_providers;
use verifier::tdx::{Quote, TcbStatus, TdxOptions};
use verifier::time::{from_secs, parse_rfc3339, UnixTime};
use verifier::{Error, ErrorClass, TrustAnchors, Verifier};

const V4: &str = "tdx-v4-phala-b0c06f-uptodate";
const V5: &str = "tdx-v5-td15-automata-alibaba-90c06f-uptodate";
const SGX: &str = "sgx-v3-phala-00a067-confswhardening";
const DEBUG_TD: &str = "tdx-v4-trustee-debug-td-50806f-xpair";
const OUT_OF_DATE: &str = "tdx-v4-dcaprs-00806f05-outofdate";

fn case_dir(case: &str) -> PathBuf {
    tdx_dir().join("cases").join(case)
}

fn quote(case: &str) -> Vec<u8> {
    std::fs::read(case_dir(case).join("quote.bin")).unwrap()
}

fn file(case: &str, name: &str) -> Vec<u8> {
    std::fs::read(case_dir(case).join("collateral").join(name)).unwrap()
}

const RAW_FILES: [&str; 7] = [
    "tcb_info.json",
    "tcb_info_issuer_chain.pem",
    "qe_identity.json",
    "qe_identity_issuer_chain.pem",
    "pck_crl.der",
    "pck_crl_issuer_chain.pem",
    "root_ca_crl.der",
];

fn bundle_without(case: &str, skip: &[&str]) -> Bundle {
    let mut b = Bundle::new();
    for name in RAW_FILES.iter().filter(|n| !skip.contains(n)) {
        b.add_bytes(&file(case, name)).unwrap();
    }
    b
}

fn bundle(case: &str) -> Bundle {
    bundle_without(case, &[])
}

fn window(case: &str) -> (u64, u64) {
    let e: serde_json::Value =
        serde_json::from_slice(&std::fs::read(case_dir(case).join("expected.json")).unwrap())
            .unwrap();
    let t = |k: &str| parse_rfc3339(e[k].as_str().unwrap()).unwrap().as_secs();
    (t("valid_from"), t("valid_until"))
}

fn mid(case: &str) -> UnixTime {
    let (a, b) = window(case);
    from_secs(a + (b - a) / 2)
}

fn verify(case: &str, quote: &[u8], bundle: &Bundle, options: &TdxOptions) -> Result<(), Error> {
    Verifier::new(TrustAnchors::default())
        .verify_tdx(quote, bundle, options, mid(case))
        .map(|_| ())
}

/// The end of the signature data: everything before it is covered by a signature, a
/// binding or the PCK chain.
fn signature_data_end(q: &[u8]) -> usize {
    let parsed = Quote::parse(q).unwrap();
    q.len() - parsed.trailing.len()
}

fn flip_every_byte(case: &str, step: usize) {
    let original = quote(case);
    let b = bundle(case);
    let now = mid(case);
    let cert = Quote::parse(&original)
        .unwrap()
        .signature
        .certification
        .clone();
    let pem_range = cert.offset..cert.offset + cert.data.len();
    let original_chain =
        pem::parse_many(cert.data.strip_suffix(&[0]).unwrap_or(cert.data)).unwrap();
    for provider in all_providers() {
        let verifier = Verifier::with_provider(TrustAnchors::default(), provider);
        let mut checked = 0;
        for i in (0..signature_data_end(&original)).step_by(step) {
            let mut q = original.clone();
            q[i] ^= 0x01;
            if verifier.verify_quote(&q, &b, now).is_ok() {
                // Only a flip that leaves the decoded PCK chain identical may pass
                // (PEM line breaks), since the chain is not itself signed text.
                assert!(
                    pem_range.contains(&i),
                    "{case}: flipped byte {i:#x} still verifies"
                );
                let text = &q[pem_range.clone()];
                let chain = pem::parse_many(text.strip_suffix(&[0]).unwrap_or(text)).unwrap();
                assert!(
                    chain == original_chain,
                    "{case}: byte {i:#x} changed the chain and verified"
                );
            }
            checked += 1;
        }
        assert!(checked > 100);
    }
}

#[test]
fn every_flipped_byte_of_a_v4_quote_rejects() {
    flip_every_byte(V4, 1);
}

#[test]
fn every_flipped_byte_of_a_v5_td15_quote_rejects() {
    flip_every_byte(V5, 1);
}

#[test]
fn flipped_bytes_of_an_sgx_quote_reject() {
    flip_every_byte(SGX, 3);
}

#[test]
fn the_flipped_byte_in_the_body_is_a_quote_signature_error() {
    let mut q = quote(V4);
    q[48 + 136] ^= 0x80; // MRTD
    let e = verify(V4, &q, &bundle(V4), &TdxOptions::default()).unwrap_err();
    assert_eq!(e.kind(), "evidence_signature");
    assert_eq!(e.to_string(), "TDX quote signature does not verify");
    let mut q = quote(V4);
    let qe_report_at = 48 + 584 + 4 + 128 + 6;
    q[qe_report_at + 64] ^= 0x01; // QE MRENCLAVE
    let e = verify(V4, &q, &bundle(V4), &TdxOptions::default()).unwrap_err();
    assert_eq!(e.to_string(), "QE report signature does not verify");
}

#[test]
fn trailing_bytes_are_tolerated_and_reported() {
    let mut q = quote(V5);
    q.extend_from_slice(&[0; 70]);
    let v = Verifier::new(TrustAnchors::default())
        .verify_quote(&q, &bundle(V5), mid(V5))
        .unwrap();
    assert_eq!(v.claims().platform().trailing_bytes, 70);
    assert!(v.warnings().is_empty());
    q.extend_from_slice(b"text");
    let v = Verifier::new(TrustAnchors::default())
        .verify_quote(&q, &bundle(V5), mid(V5))
        .unwrap();
    assert!(!v.claims().platform().trailing_bytes_zero);
    assert_eq!(v.warnings()[0].code, "trailing_data");
}

#[test]
fn collateral_is_judged_at_the_verification_time() {
    let (from, until) = window(V4);
    let verifier = Verifier::new(TrustAnchors::default());
    let q = quote(V4);
    let b = bundle(V4);
    for t in [from, until] {
        verifier
            .verify_quote(&q, &b, from_secs(t))
            .unwrap_or_else(|e| panic!("at the window's edge {t}: {e}"));
    }
    let late = verifier
        .verify_quote(&q, &b, from_secs(until + 1))
        .unwrap_err();
    assert_eq!(late.class(), ErrorClass::Rejected);
    assert!(
        ["crl_expired", "collateral_expired", "certificate_expired"].contains(&late.kind()),
        "{late}"
    );
    assert!(late.to_string().contains("verification time"), "{late}");
    let early = verifier
        .verify_quote(&q, &b, from_secs(from - 1))
        .unwrap_err();
    assert!(early.kind().ends_with("not_yet_valid"), "{early}");
}

#[test]
fn untrusted_root_is_rejected() {
    let anchors = TrustAnchors {
        amd_ark: Vec::new(),
        intel_root: vec![[7; 32]],
        ..TrustAnchors::empty()
    };
    let e = Verifier::new(anchors)
        .verify_quote(&quote(V4), &bundle(V4), mid(V4))
        .unwrap_err();
    assert_eq!(e.kind(), "untrusted_root");
    assert!(
        e.to_string().starts_with("Intel SGX Root CA certificate"),
        "{e}"
    );
}

#[test]
fn each_missing_piece_names_what_to_fetch() {
    use verifier::needs::{IntelTee, PckCa};
    use verifier::CollateralKey;
    let rows: [(&str, CollateralKey); 5] = [
        (
            "tcb_info.json",
            CollateralKey::IntelTcbInfo {
                tee: IntelTee::Tdx,
                fmspc: [0xb0, 0xc0, 0x6f, 0, 0, 0],
            },
        ),
        (
            "qe_identity.json",
            CollateralKey::IntelQeIdentity { tee: IntelTee::Tdx },
        ),
        (
            "pck_crl.der",
            CollateralKey::IntelPckCrl {
                ca: PckCa::Platform,
            },
        ),
        ("root_ca_crl.der", CollateralKey::IntelRootCaCrl),
        ("tcb_info_issuer_chain.pem", CollateralKey::IntelTcbSigning),
    ];
    for (skip, hint) in rows {
        let skips: Vec<&str> = if skip == "tcb_info_issuer_chain.pem" {
            vec![skip, "qe_identity_issuer_chain.pem"]
        } else {
            vec![skip]
        };
        let e = verify(
            V4,
            &quote(V4),
            &bundle_without(V4, &skips),
            &TdxOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.class(),
            ErrorClass::MissingCollateral,
            "without {skip}: {e}"
        );
        assert_eq!(e, Error::MissingCollateral { key: hint }, "without {skip}");
    }
}

#[test]
fn collateral_for_another_platform_is_missing_collateral() {
    let mut b = bundle_without(V4, &["tcb_info.json"]);
    b.add_bytes(&file(V5, "tcb_info.json")).unwrap();
    let e = verify(V4, &quote(V4), &b, &TdxOptions::default()).unwrap_err();
    assert_eq!(e.class(), ErrorClass::MissingCollateral);
    assert!(e.to_string().contains("FMSPC b0c06f000000"), "{e}");
}

#[test]
fn an_sgx_qe_identity_for_a_tdx_quote_is_a_binding_error() {
    let mut b = bundle_without(V4, &["qe_identity.json"]);
    b.add_bytes(&file(SGX, "qe_identity.json")).unwrap();
    let e = verify(V4, &quote(V4), &b, &TdxOptions::default()).unwrap_err();
    assert_eq!(e.kind(), "qe_identity_mismatch");
    assert!(e.to_string().contains("TD_QE"), "{e}");
}

fn tamper(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.contains(from), "fixture lacks {from:?}");
    text.replacen(from, to, 1).into_bytes()
}

#[test]
fn tampered_tcb_info_and_qe_identity_fail_their_signatures() {
    let mut b = bundle_without(V4, &["tcb_info.json"]);
    b.add_bytes(&tamper(
        &file(V4, "tcb_info.json"),
        "\"tcbEvaluationDataNumber\":17",
        "\"tcbEvaluationDataNumber\":18",
    ))
    .unwrap();
    let e = verify(V4, &quote(V4), &b, &TdxOptions::default()).unwrap_err();
    assert_eq!(e.kind(), "collateral_signature");
    assert_eq!(
        e.to_string(),
        "TCB Info signature does not verify with the TCB Signing certificate"
    );

    let mut b = bundle_without(V4, &["qe_identity.json"]);
    b.add_bytes(&tamper(
        &file(V4, "qe_identity.json"),
        "\"isvprodid\":2",
        "\"isvprodid\":2 ",
    ))
    .unwrap();
    let e = verify(V4, &quote(V4), &b, &TdxOptions::default()).unwrap_err();
    assert_eq!(e.kind(), "collateral_signature");
    assert!(e.to_string().starts_with("QE Identity"), "{e}");
}

#[test]
fn a_crl_signed_by_someone_else_is_rejected() {
    // The PCK CRL of another case is from the same Platform CA: a tampered copy fails
    // its signature; the untampered one is fine.
    let mut crl = file(V4, "pck_crl.der");
    let n = crl.len();
    crl[n - 10] ^= 0x01;
    let mut b = bundle_without(V4, &["pck_crl.der"]);
    b.add_bytes(&crl).unwrap();
    let e = verify(V4, &quote(V4), &b, &TdxOptions::default()).unwrap_err();
    assert_eq!(e.kind(), "crl_signature", "{e}");
}

#[test]
fn caller_expectations() {
    let q = quote(V4);
    let b = bundle(V4);
    let parsed = Quote::parse(&q).unwrap();
    let td = parsed.td_report().unwrap();
    let ok = {
        let mut opts = TdxOptions::default();
        opts.mr_td = Some(td.mr_td);
        opts.rtmrs = td.rtmr.map(Some);
        opts.report_data = Some(verifier::tdx::ReportDataExpectation::Prefix(
            td.report_data[..32].to_vec(),
        ));
        opts.minimum_tee_tcb_svn = Some(td.tee_tcb_svn);
        opts.allowed_tcb_statuses = vec![TcbStatus::UpToDate];
        opts.reject_debug = true;
        opts
    };
    verify(V4, &q, &b, &ok).unwrap();

    let mut wrong_mr_td = ok.clone();
    wrong_mr_td.mr_td = Some([0; 48]);
    assert_eq!(
        verify(V4, &q, &b, &wrong_mr_td).unwrap_err().kind(),
        "unexpected_mr_td"
    );
    let mut wrong_rtmr = ok.clone();
    wrong_rtmr.rtmrs[2] = Some([1; 48]);
    assert_eq!(
        verify(V4, &q, &b, &wrong_rtmr).unwrap_err().kind(),
        "unexpected_rtmr"
    );
    let mut wrong_nonce = ok.clone();
    wrong_nonce.report_data = Some(verifier::tdx::ReportDataExpectation::Prefix(vec![0xee; 8]));
    assert_eq!(
        verify(V4, &q, &b, &wrong_nonce).unwrap_err().kind(),
        "unexpected_report_data"
    );
    let mut high_svn = ok.clone();
    let mut svn = td.tee_tcb_svn;
    svn[2] += 1;
    high_svn.minimum_tee_tcb_svn = Some(svn);
    assert_eq!(
        verify(V4, &q, &b, &high_svn).unwrap_err().kind(),
        "tee_tcb_svn_too_low"
    );

    // A debug TD verifies (and warns) unless the caller rejects debug TDs.
    let dq = quote(DEBUG_TD);
    let db = bundle(DEBUG_TD);
    let v = Verifier::new(TrustAnchors::default())
        .verify_quote(&dq, &db, mid(DEBUG_TD))
        .unwrap();
    assert!(v.warnings().iter().any(|w| w.code == "debug_td"));
    let no_debug = {
        let mut opts = TdxOptions::default();
        opts.reject_debug = true;
        opts
    };
    assert_eq!(
        verify(DEBUG_TD, &dq, &db, &no_debug).unwrap_err().kind(),
        "debug_not_allowed"
    );

    // An OutOfDate platform verifies unless the caller narrows the statuses.
    let oq = quote(OUT_OF_DATE);
    let ob = bundle(OUT_OF_DATE);
    verify(OUT_OF_DATE, &oq, &ob, &TdxOptions::default()).unwrap();
    let only_current = {
        let mut opts = TdxOptions::default();
        opts.allowed_tcb_statuses = vec![TcbStatus::UpToDate, TcbStatus::SwHardeningNeeded];
        opts
    };
    let e = verify(OUT_OF_DATE, &oq, &ob, &only_current).unwrap_err();
    assert_eq!(e.kind(), "tcb_status_not_allowed");
    assert_eq!(
        e.to_string(),
        "TCB status OutOfDate is not among the accepted statuses (UpToDate, SWHardeningNeeded)"
    );
}

#[test]
fn truncations_are_malformed_never_a_panic() {
    let q = quote(V5);
    for len in 0..signature_data_end(&q) {
        match Quote::parse(&q[..len]) {
            Err(e) => assert_eq!(e.class(), ErrorClass::Malformed, "length {len}: {e}"),
            Ok(_) => panic!("a quote cut at {len} parsed"),
        }
    }
}

const CCEL: &str = "tdx-v4-gotdxguest-cos113-ccel-xpair";

fn ccel_log() -> Vec<u8> {
    std::fs::read(case_dir(CCEL).join("ccel/ccel_data.dat")).unwrap()
}

#[test]
fn the_ccel_event_log_replays_to_the_quote_and_becomes_claims() {
    let v = Verifier::new(TrustAnchors::default())
        .verify_tdx_with_event_log(
            &quote(CCEL),
            &ccel_log(),
            &bundle(CCEL),
            &TdxOptions::default(),
            mid(CCEL),
        )
        .unwrap();
    let verifier::tdx::QuoteClaims::Tdx(td) = v.claims() else {
        panic!("a TDX quote")
    };
    let events = td.event_log.as_ref().expect("event log claims");
    assert_eq!(events.len(), 43);
    let json = serde_json::to_value(events).unwrap();
    assert!(json.to_string().contains("EV_SEPARATOR"));
}

/// Issue 12: an event log that does not parse as one is malformed (exit 2), and says so;
/// it used to read "malformed ..." with the class Rejected (exit 1).
#[test]
fn event_log_garbage_is_malformed() {
    let garbage: Vec<u8> = b"this is not a TCG event log, just text that came along"
        .iter()
        .copied()
        .cycle()
        .take(600)
        .collect();
    let e = Verifier::new(TrustAnchors::default())
        .verify_tdx_with_event_log(
            &quote(CCEL),
            &garbage,
            &bundle(CCEL),
            &TdxOptions::default(),
            mid(CCEL),
        )
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::Malformed, "{e}");
    assert_eq!(e.kind(), "malformed_structure", "{e}");
    assert_eq!(
        e.to_string(),
        "malformed TCG_PCClientPCREvent EventType at offset 0x4: the first event is not \
         EV_NO_ACTION: not a crypto-agile log"
    );
}

#[test]
fn an_event_log_that_does_not_replay_is_rejected() {
    // Change one extended digest: the RTMR it feeds no longer matches.
    let log = ccel_log();
    let parsed = verifier::tdx::eventlog::EventLog::parse(&log).unwrap();
    let event = parsed
        .events()
        .iter()
        .find(|e| e.rtmr() == Some(1))
        .unwrap();
    let digest = event.sha384().unwrap();
    let at = log.windows(48).position(|w| w == digest).unwrap();
    let mut bad = log.clone();
    bad[at] ^= 0x01;
    let e = Verifier::new(TrustAnchors::default())
        .verify_tdx_with_event_log(
            &quote(CCEL),
            &bad,
            &bundle(CCEL),
            &TdxOptions::default(),
            mid(CCEL),
        )
        .unwrap_err();
    assert_eq!(e.kind(), "rtmr_replay_mismatch");
    assert!(
        e.to_string().starts_with("event log replays RTMR1 to "),
        "{e}"
    );
    // The log of another TD does not replay to this quote either.
    let e = Verifier::new(TrustAnchors::default())
        .verify_tdx_with_event_log(
            &quote(V4),
            &ccel_log(),
            &bundle(V4),
            &TdxOptions::default(),
            mid(V4),
        )
        .unwrap_err();
    assert_eq!(e.kind(), "rtmr_replay_mismatch");
    // A truncated log is malformed, not a pass.
    let e = Verifier::new(TrustAnchors::default())
        .verify_tdx_with_event_log(
            &quote(CCEL),
            &log[..500],
            &bundle(CCEL),
            &TdxOptions::default(),
            mid(CCEL),
        )
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::Malformed, "{e}");
    // SGX quotes have no RTMRs, and are not what `verify_tdx*` verifies.
    let e = Verifier::new(TrustAnchors::default())
        .verify_tdx_with_event_log(
            &quote(SGX),
            &log,
            &bundle(SGX),
            &TdxOptions::default(),
            mid(SGX),
        )
        .unwrap_err();
    assert_eq!(e.kind(), "tee_mismatch");
}

#[test]
fn a_quote_collateral_v3_field_holding_the_wrong_kind_is_refused_whole() {
    // Found by fuzzing: a CRL field carrying PEM certificates was added but not counted.
    let doc = file(V4, "dcap_qvl_collateral.json");
    let mut v: serde_json::Value = serde_json::from_slice(&doc).unwrap();
    let root_pem = std::fs::read_to_string(tdx_dir().join("roots/intel_sgx_root_ca.pem")).unwrap();
    v["pck_crl"] = serde_json::Value::String(root_pem.clone());
    let mut b = Bundle::new();
    let e = b.add_bytes(v.to_string().as_bytes()).unwrap_err();
    assert!(e.to_string().contains("CRL field"), "{e}");
    assert_eq!(b, Bundle::new(), "nothing is added from a refused document");
    let mut v: serde_json::Value = serde_json::from_slice(&doc).unwrap();
    v["tcb_info_issuer_chain"] =
        serde_json::Value::String(String::from_utf8(file(V4, "qe_identity.json")).unwrap());
    let e = b.add_bytes(v.to_string().as_bytes()).unwrap_err();
    assert!(e.to_string().contains("issuer chain field"), "{e}");
    let added = b.add_bytes(&doc).unwrap();
    assert_eq!(
        (
            added.certificates,
            added.crls,
            added.tcb_infos,
            added.qe_identities
        ),
        (b.certificates().len(), 2, 1, 1)
    );
}

/// The PCK chain holds certificates only: a block relabelled (same length, so the quote
/// still parses) as another kind the PEM reader knows, or as one it does not, is
/// refused by name rather than skipped; so is collateral PEM with such a block.
#[test]
fn pem_blocks_other_than_certificates_are_refused() {
    let original = quote(V4);
    let b = bundle(V4);
    let relabel = |label: &[u8; 11]| {
        let mut q = original.clone();
        for marker in [&b"BEGIN CERTIFICATE"[..], b"END CERTIFICATE"] {
            let at = q.windows(marker.len()).position(|w| w == marker).unwrap();
            let start = at + marker.len() - 11;
            q[start..start + 11].copy_from_slice(label);
        }
        q
    };
    for label in [b"PRIVATE KEY", b"CERTIFICATF"] {
        let err = verify(V4, &relabel(label), &b, &TdxOptions::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("PEM blocks other than CERTIFICATE"),
            "{}: {err}",
            String::from_utf8_lossy(label)
        );
    }

    let mut chain = file(V4, "pck_crl_issuer_chain.pem");
    chain.extend_from_slice(
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    );
    let err = Bundle::new().add_bytes(&chain).unwrap_err();
    assert!(
        err.to_string()
            .contains("unexpected PEM block OPENSSH PRIVATE KEY"),
        "{err}"
    );
    let mut unterminated = file(V4, "pck_crl_issuer_chain.pem");
    unterminated.extend_from_slice(b"-----BEGIN CERTIFICATE-----\nAAAA\n");
    assert!(Bundle::new().add_bytes(&unterminated).is_err());
}
