//! Intel's signed JSON collateral: PCS bodies (`{"tcbInfo": ..}`, `{"enclaveIdentity":
//! ..}`) and dcap-qvl / PCCS `QuoteCollateralV3` documents through `Bundle::add_bytes`, the
//! inner objects through `TcbInfo::parse` / `QeIdentity::parse`, and Intel's TCB
//! evaluation over whatever TCB Info and QE Identity came out.
//!
//! Invariants: nothing panics; `add_bytes` reports what it added; a signed document's
//! parsed form is what its signed bytes parse to (so the verifier evaluates exactly the
//! bytes whose signature it checks); evaluation of any parsed pair never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::collateral::Bundle;
use verifier::tdx::{
    evaluate, PlatformTcb, QeIdentity, QeTcbLevel, SignedQeIdentity, SignedTcbInfo, TcbInfo,
    TcbStatus,
};

/// A few platforms to evaluate against, each with and without a TEE_TCB_SVN: the lowest,
/// the highest, and one exactly at each of the TCB Info's first eight levels (so the
/// matching walks past a level, lands on one and ends, with fuzzed SVNs).
fn evaluate_all(info: &TcbInfo, qe: &QeIdentity) {
    let mut platforms = vec![
        (
            PlatformTcb {
                sgx_components: [0; 16],
                pce_svn: 0,
                qe_isv_svn: 0,
            },
            [0u8; 16],
        ),
        (
            PlatformTcb {
                sgx_components: [0xff; 16],
                pce_svn: u16::MAX,
                qe_isv_svn: u16::MAX,
            },
            [0xff; 16],
        ),
    ];
    for level in info.tcb_levels.iter().take(8) {
        let qe_isv_svn = qe.tcb_levels.first().map_or(0, |l| l.isv_svn);
        let tee = level.tdx_components.unwrap_or([0; 16]);
        platforms.push((
            PlatformTcb {
                sgx_components: level.sgx_components,
                pce_svn: level.pce_svn,
                qe_isv_svn,
            },
            tee,
        ));
    }
    for (platform, tee) in &platforms {
        let _ = evaluate(info, qe, platform, None).map(|e| e.status.name());
        let _ = evaluate(info, qe, platform, Some(tee)).map(|e| e.advisory_ids.len());
    }
    if let Some(tee) = platforms.get(2).map(|p| p.1) {
        let _ = info.module_identity(tee[1]);
    }
}

/// The signed bytes of a PCS body are the raw span of its inner object as served (Intel
/// signs the object text), never a re-serialisation with different framing. (A
/// `QuoteCollateralV3` document gives the signed text as a string, used as it is.)
fn assert_object_span(signed: &[u8]) {
    assert!(
        signed.starts_with(b"{") && signed.ends_with(b"}"),
        "signed bytes are not an object span"
    );
}

fn check_tcb_info(t: &SignedTcbInfo) {
    let again = TcbInfo::parse(t.signed_bytes()).expect("the signed bytes of a TCB Info re-parse");
    assert_eq!(&again, t.body(), "TCB Info differs from its signed bytes");
}

fn check_qe_identity(q: &SignedQeIdentity) {
    let again =
        QeIdentity::parse(q.signed_bytes()).expect("the signed bytes of a QE Identity re-parse");
    assert_eq!(
        &again,
        q.body(),
        "QE Identity differs from its signed bytes"
    );
}

fuzz_target!(|data: &[u8]| {
    // Inner objects, as `from_parts` and the verifier see them.
    let info = TcbInfo::parse(data).ok();
    let identity = QeIdentity::parse(data).ok();
    if let Some(info) = &info {
        let _ = info.module_identity(0);
        let _ = info.module_identity(1);
    }

    // Whole documents. `add_bytes` sends input that starts with `{` to the JSON readers
    // (anything else is PEM/DER, covered by `x509_collateral`).
    if data.trim_ascii_start().starts_with(b"{") {
        if let Ok(t) = SignedTcbInfo::from_pcs_body(data) {
            assert_object_span(t.signed_bytes());
            check_tcb_info(&t);
        }
        if let Ok(q) = SignedQeIdentity::from_pcs_body(data) {
            assert_object_span(q.signed_bytes());
            check_qe_identity(&q);
        }
        let mut bundle = Bundle::new();
        if let Ok(added) = bundle.add_bytes(data) {
            let counts = [
                (added.tcb_infos, bundle.tcb_infos().len()),
                (added.qe_identities, bundle.qe_identities().len()),
                (added.certificates, bundle.certificates().len()),
                (added.crls, bundle.crls().len()),
            ];
            // Every kind of item is counted, QuoteCollateralV3 fields included (each
            // field must hold only its own kind: the 2026-11-27 campaign found CRL fields
            // smuggling certificates past the count).
            for (reported, held) in counts {
                assert_eq!(reported, held, "add_bytes miscounted what it added");
            }
        }
        bundle.tcb_infos().iter().for_each(check_tcb_info);
        bundle.qe_identities().iter().for_each(check_qe_identity);
        // A QuoteCollateralV3 document carries both: evaluate them together.
        if let (Some(t), Some(q)) = (bundle.tcb_infos().first(), bundle.qe_identities().first()) {
            evaluate_all(t.body(), q.body());
        }
    }

    // A bare TCB Info (the common case for this input) is evaluated with a QE Identity
    // of Intel's shape, so that the platform and module level matching sees fuzzed
    // levels without the fuzzer having to build a second document.
    if let Some(info) = &info {
        evaluate_all(info, identity.as_ref().unwrap_or(&synthetic_qe_identity()));
    }
});

/// A TD_QE identity with one UpToDate level at ISVSVN 0 (every QE report matches it).
fn synthetic_qe_identity() -> QeIdentity {
    QeIdentity {
        id: "TD_QE".to_owned(),
        version: 2,
        issue_date: 0,
        next_update: u64::MAX,
        tcb_evaluation_data_number: 17,
        miscselect: 0,
        miscselect_mask: 0,
        attributes: [0; 16],
        attributes_mask: [0; 16],
        mrsigner: [0; 32],
        isv_prod_id: 2,
        tcb_levels: vec![QeTcbLevel {
            isv_svn: 0,
            tcb_date: 0,
            status: TcbStatus::UpToDate,
            advisory_ids: Vec::new(),
        }],
    }
}
