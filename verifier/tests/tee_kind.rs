//! The kind of quote is part of what the caller asks for (security review, issue 11
//! item 1): `verify_tdx` refuses SGX quotes and `verify_sgx` refuses TD quotes, so an
//! expectation about a TD (MRTD, RTMRs, …) can never be skipped because the quote turned
//! out to be a genuine enclave's, nor the reverse.

use std::path::PathBuf;

use testvectors::real::tdx_dir;
use verifier::collateral::Bundle;
use verifier::tdx::{QuoteClaims, SgxOptions, TdxOptions};
use verifier::time::{parse_rfc3339, UnixTime};
use verifier::{Error, ErrorClass, TrustAnchors, Verifier};

const SGX: &str = "sgx-v3-phala-00a067-confswhardening";
const TDX: &str = "tdx-v4-phala-b0c06f-uptodate";

fn case_dir(case: &str) -> PathBuf {
    tdx_dir().join("cases").join(case)
}

fn quote(case: &str) -> Vec<u8> {
    std::fs::read(case_dir(case).join("quote.bin")).unwrap()
}

fn bundle(case: &str) -> Bundle {
    let mut b = Bundle::new();
    for name in [
        "tcb_info.json",
        "tcb_info_issuer_chain.pem",
        "qe_identity.json",
        "qe_identity_issuer_chain.pem",
        "pck_crl.der",
        "pck_crl_issuer_chain.pem",
        "root_ca_crl.der",
    ] {
        b.add_bytes(&std::fs::read(case_dir(case).join("collateral").join(name)).unwrap())
            .unwrap();
    }
    b
}

/// The middle of the case's collateral validity window.
fn mid(case: &str) -> UnixTime {
    let e: serde_json::Value =
        serde_json::from_slice(&std::fs::read(case_dir(case).join("expected.json")).unwrap())
            .unwrap();
    let t = |k: &str| parse_rfc3339(e[k].as_str().unwrap()).unwrap().as_secs();
    let (a, b) = (t("valid_from"), t("valid_until"));
    verifier::time::from_secs(a + (b - a) / 2)
}

fn tee_mismatch(result: Result<impl std::fmt::Debug, Error>, expected: &str, actual: &str) {
    let e = result.expect_err("a quote of the other kind must be refused");
    assert_eq!(e.kind(), "tee_mismatch", "{e}");
    assert_eq!(e.class(), ErrorClass::Rejected, "{e}");
    assert_eq!(
        e.to_string(),
        format!("expected {expected} evidence, got {actual} evidence")
    );
}

#[test]
fn verify_tdx_refuses_a_genuine_sgx_quote_with_td_expectations() {
    // Before the fix this returned Ok: only the enclave expectations ran, and the pinned
    // MRTD and RTMR were skipped.
    let options = {
        let mut opts = TdxOptions::default();
        opts.mr_td = Some([0x11; 48]);
        opts.rtmrs = [Some([0x22; 48]), None, None, None];
        opts.minimum_tee_tcb_svn = Some([0xff; 16]);
        opts
    };
    let v = Verifier::new(TrustAnchors::default());
    tee_mismatch(
        v.verify_tdx(&quote(SGX), &bundle(SGX), &options, mid(SGX)),
        "tdx",
        "sgx",
    );
    tee_mismatch(
        v.verify_tdx(&quote(SGX), &bundle(SGX), &TdxOptions::default(), mid(SGX)),
        "tdx",
        "sgx",
    );
}

#[test]
fn verify_tdx_with_an_event_log_refuses_an_sgx_quote_as_a_tee_mismatch() {
    let v = Verifier::new(TrustAnchors::default());
    tee_mismatch(
        v.verify_tdx_with_event_log(
            &quote(SGX),
            b"not read",
            &bundle(SGX),
            &TdxOptions::default(),
            mid(SGX),
        ),
        "tdx",
        "sgx",
    );
}

#[test]
fn verify_sgx_refuses_a_genuine_td_quote_with_enclave_expectations() {
    let options = {
        let mut opts = SgxOptions::default();
        opts.mr_enclave = Some([0x33; 32]);
        opts.mr_signer = Some([0x44; 32]);
        opts
    };
    let v = Verifier::new(TrustAnchors::default());
    tee_mismatch(
        v.verify_sgx(&quote(TDX), &bundle(TDX), &options, mid(TDX)),
        "sgx",
        "tdx",
    );
}

#[test]
fn each_entry_point_verifies_its_own_kind_and_checks_its_expectations() {
    let v = Verifier::new(TrustAnchors::default());
    let sgx = v
        .verify_sgx(&quote(SGX), &bundle(SGX), &SgxOptions::default(), mid(SGX))
        .unwrap();
    let QuoteClaims::Sgx(claims) = sgx.claims() else {
        panic!("verify_sgx gave TD claims");
    };
    let tdx = v
        .verify_tdx(&quote(TDX), &bundle(TDX), &TdxOptions::default(), mid(TDX))
        .unwrap();
    assert!(matches!(tdx.claims(), QuoteClaims::Tdx(_)));

    // The enclave's own MRENCLAVE passes; another one is refused.
    let mut mr_enclave = [0u8; 32];
    hex::decode_to_slice(&claims.mr_enclave, &mut mr_enclave).unwrap();
    let pinned = {
        let mut opts = SgxOptions::default();
        opts.mr_enclave = Some(mr_enclave);
        opts
    };
    v.verify_sgx(&quote(SGX), &bundle(SGX), &pinned, mid(SGX))
        .unwrap();
    mr_enclave[0] ^= 1;
    let wrong = {
        let mut opts = SgxOptions::default();
        opts.mr_enclave = Some(mr_enclave);
        opts
    };
    let e = v
        .verify_sgx(&quote(SGX), &bundle(SGX), &wrong, mid(SGX))
        .unwrap_err();
    assert_eq!(e.kind(), "unexpected_mr_enclave", "{e}");
}
