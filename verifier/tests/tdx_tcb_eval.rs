//! Intel's TCB evaluation as a table: every status is reached, and every rule of the
//! current Quote Verification Library (level order, the module-byte skip, module and QE
//! convergence, the TD 1.5 relaunch rule) has a row that fails if the rule is dropped.

use serde_json::{json, Value};
use verifier::tdx::{evaluate, PlatformTcb, QeIdentity, TcbInfo, TcbStatus};

fn comps(svns: &[u8]) -> Value {
    let mut all = svns.to_vec();
    all.resize(16, 0);
    Value::Array(all.into_iter().map(|s| json!({ "svn": s })).collect())
}

fn level(sgx: &[u8], pcesvn: u16, tdx: &[u8], date: &str, status: &str, sa: &[&str]) -> Value {
    json!({
        "tcb": { "sgxtcbcomponents": comps(sgx), "pcesvn": pcesvn, "tdxtcbcomponents": comps(tdx) },
        "tcbDate": format!("{date}T00:00:00Z"),
        "tcbStatus": status,
        "advisoryIDs": sa,
    })
}

fn module_level(isvsvn: u8, date: &str, status: &str, sa: &[&str]) -> Value {
    json!({ "tcb": { "isvsvn": isvsvn }, "tcbDate": format!("{date}T00:00:00Z"), "tcbStatus": status, "advisoryIDs": sa })
}

/// A TDX TCB Info whose levels, listed deliberately out of order, step down one status
/// at a time as the SGX component 0 falls from 9 to 3.
fn tcb_info(module_levels: Vec<Value>) -> TcbInfo {
    let levels = vec![
        level(
            &[7, 7],
            13,
            &[5, 0, 3],
            "2024-01-07",
            "ConfigurationNeeded",
            &["SA-7"],
        ),
        level(&[9, 9], 13, &[5, 0, 3], "2024-03-13", "UpToDate", &[]),
        level(
            &[8, 8],
            13,
            &[5, 0, 3],
            "2024-02-08",
            "SWHardeningNeeded",
            &["SA-8"],
        ),
        level(
            &[6, 6],
            13,
            &[5, 0, 3],
            "2023-12-06",
            "ConfigurationAndSWHardeningNeeded",
            &["SA-6"],
        ),
        level(
            &[5, 5],
            13,
            &[5, 0, 3],
            "2023-11-05",
            "OutOfDate",
            &["SA-5"],
        ),
        level(
            &[4, 4],
            13,
            &[5, 0, 3],
            "2023-10-04",
            "OutOfDateConfigurationNeeded",
            &["SA-4"],
        ),
        level(&[3, 3], 13, &[0, 0, 0], "2023-09-03", "Revoked", &["SA-3"]),
        // Same SGX TCB as the top level, lower TDX components: ordered after it.
        level(
            &[9, 9],
            13,
            &[2, 0, 1],
            "2023-08-09",
            "OutOfDate",
            &["SA-9"],
        ),
    ];
    let module = |id: &str| {
        json!({
            "id": id, "mrsigner": "00".repeat(48), "attributes": "0000000000000000",
            "attributesMask": "FFFFFFFFFFFFFFFF", "tcbLevels": module_levels.clone()
        })
    };
    let doc = json!({
        "id": "TDX", "version": 3, "issueDate": "2024-05-01T00:00:00Z",
        "nextUpdate": "2024-07-01T00:00:00Z", "fmspc": "90C06F000000", "pceId": "0000",
        "tcbType": 0, "tcbEvaluationDataNumber": 17,
        "tdxModule": { "mrsigner": "00".repeat(48), "attributes": "0000000000000000", "attributesMask": "FFFFFFFFFFFFFFFF" },
        "tdxModuleIdentities": [module("TDX_01"), module("tdx_03")],
        "tcbLevels": levels,
    });
    TcbInfo::parse(doc.to_string().as_bytes()).expect("TCB Info parses")
}

fn qe_identity(levels: &[(u16, &str, &str)]) -> QeIdentity {
    let levels: Vec<Value> = levels
        .iter()
        .map(|(svn, date, status)| {
            json!({ "tcb": { "isvsvn": svn }, "tcbDate": format!("{date}T00:00:00Z"), "tcbStatus": status, "advisoryIDs": [format!("QE-{svn}")] })
        })
        .collect();
    let doc = json!({
        "id": "TD_QE", "version": 2, "issueDate": "2024-05-01T00:00:00Z",
        "nextUpdate": "2024-07-01T00:00:00Z", "tcbEvaluationDataNumber": 17,
        "miscselect": "00000000", "miscselectMask": "FFFFFFFF",
        "attributes": "11000000000000000000000000000000",
        "attributesMask": "FBFFFFFFFFFFFFFF0000000000000000",
        "mrsigner": "DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5",
        "isvprodid": 2, "tcbLevels": levels,
    });
    QeIdentity::parse(doc.to_string().as_bytes()).expect("QE Identity parses")
}

fn platform(sgx0: u8, qe_svn: u16) -> PlatformTcb {
    let mut sgx = [0u8; 16];
    sgx[0] = sgx0;
    sgx[1] = sgx0;
    PlatformTcb {
        sgx_components: sgx,
        pce_svn: 13,
        qe_isv_svn: qe_svn,
    }
}

fn tee(bytes: &[u8]) -> [u8; 16] {
    let mut t = [0u8; 16];
    t[..bytes.len()].copy_from_slice(bytes);
    t
}

fn up_to_date_modules() -> Vec<Value> {
    vec![
        module_level(4, "2024-03-13", "UpToDate", &[]),
        module_level(2, "2023-08-09", "OutOfDate", &["MOD-2"]),
        module_level(1, "2023-01-01", "Revoked", &["MOD-1"]),
    ]
}

fn good_qe() -> QeIdentity {
    qe_identity(&[
        (4, "2024-03-13", "UpToDate"),
        (2, "2023-08-09", "OutOfDate"),
        (1, "2022-01-01", "Revoked"),
    ])
}

#[test]
fn every_platform_status_is_reached_in_level_order() {
    let info = tcb_info(up_to_date_modules());
    let qe = good_qe();
    let rows = [
        (9, TcbStatus::UpToDate, "2024-03-13T00:00:00Z"),
        (8, TcbStatus::SwHardeningNeeded, "2024-02-08T00:00:00Z"),
        (7, TcbStatus::ConfigurationNeeded, "2024-01-07T00:00:00Z"),
        (
            6,
            TcbStatus::ConfigurationAndSwHardeningNeeded,
            "2023-12-06T00:00:00Z",
        ),
        (5, TcbStatus::OutOfDate, "2023-11-05T00:00:00Z"),
        (
            4,
            TcbStatus::OutOfDateConfigurationNeeded,
            "2023-10-04T00:00:00Z",
        ),
        (3, TcbStatus::Revoked, "2023-09-03T00:00:00Z"),
    ];
    for (sgx0, status, date) in rows {
        let e = evaluate(&info, &qe, &platform(sgx0, 4), Some(&tee(&[5, 0, 3]))).unwrap();
        assert_eq!(e.status, status, "SGX component {sgx0}");
        assert_eq!(e.platform_status, status);
        assert_eq!(
            verifier::time::rfc3339(verifier::time::from_secs(e.tcb_date)),
            date
        );
    }
    // Between two levels, the platform matches the lower one.
    let e = evaluate(&info, &qe, &platform(10, 4), Some(&tee(&[5, 0, 3]))).unwrap();
    assert_eq!(e.status, TcbStatus::UpToDate);
}

#[test]
fn no_level_is_tcb_not_supported() {
    let info = tcb_info(up_to_date_modules());
    let err = evaluate(&info, &good_qe(), &platform(2, 4), Some(&tee(&[5, 0, 3]))).unwrap_err();
    assert_eq!(verifier::Error::from(err).kind(), "tcb_not_supported");
    // PCESVN below every level.
    let mut p = platform(9, 4);
    p.pce_svn = 12;
    assert!(evaluate(&info, &good_qe(), &p, Some(&tee(&[5, 0, 3]))).is_err());
}

#[test]
fn tdx_components_pick_between_levels_with_the_same_sgx_tcb() {
    let info = tcb_info(up_to_date_modules());
    let qe = good_qe();
    // Module version 0: all 16 TDX bytes count. Byte 2 below the top level's 3.
    let e = evaluate(&info, &qe, &platform(9, 4), Some(&tee(&[5, 0, 2]))).unwrap();
    assert_eq!(e.status, TcbStatus::OutOfDate);
    assert_eq!(e.advisory_ids, vec!["SA-9", "QE-4"]);
    // Byte 0 below the top level's 5 with version 0: the lower level.
    let e = evaluate(&info, &qe, &platform(9, 4), Some(&tee(&[4, 0, 3]))).unwrap();
    assert_eq!(e.status, TcbStatus::OutOfDate);
}

#[test]
fn module_version_above_zero_judges_bytes_0_and_1_by_the_module_identity() {
    let info = tcb_info(up_to_date_modules());
    let qe = good_qe();
    // TEE_TCB_SVN = 04 01 03: byte 0 (4) is below the platform level's 5, but with a
    // module major version of 1 bytes 0–1 are skipped at platform level (Intel's rule);
    // the module identity TDX_01 level for ISVSVN 4 is UpToDate.
    let e = evaluate(&info, &qe, &platform(9, 4), Some(&tee(&[4, 1, 3]))).unwrap();
    assert_eq!(e.status, TcbStatus::UpToDate);
    assert_eq!(e.module, Some(("TDX_01".to_owned(), TcbStatus::UpToDate)));
    // Identities are matched case-insensitively: TDX_03 is listed as "tdx_03".
    let e = evaluate(&info, &qe, &platform(9, 4), Some(&tee(&[4, 3, 3]))).unwrap();
    assert_eq!(e.module.unwrap().0, "tdx_03");
    // No TDX_02 identity: not supported.
    let err = evaluate(&info, &qe, &platform(9, 4), Some(&tee(&[4, 2, 3]))).unwrap_err();
    assert!(err.to_string().contains("TDX_02"), "{err}");
    // Module ISVSVN below every module level: not supported.
    let err = evaluate(&info, &qe, &platform(9, 4), Some(&tee(&[0, 1, 3]))).unwrap_err();
    assert!(err.to_string().contains("TDX module"), "{err}");
}

#[test]
fn an_out_of_date_module_or_qe_converges_the_platform_status() {
    let info = tcb_info(up_to_date_modules());
    let qe = good_qe();
    let module_ood = tee(&[3, 1, 3]);
    let rows = [
        (9, TcbStatus::OutOfDate),
        (8, TcbStatus::OutOfDate),
        (7, TcbStatus::OutOfDateConfigurationNeeded),
        (6, TcbStatus::OutOfDateConfigurationNeeded),
        (5, TcbStatus::OutOfDate),
        (4, TcbStatus::OutOfDateConfigurationNeeded),
    ];
    for (sgx0, want) in rows {
        let e = evaluate(&info, &qe, &platform(sgx0, 4), Some(&module_ood)).unwrap();
        assert_eq!(e.status, want, "module out of date, SGX component {sgx0}");
        assert_eq!(e.module.as_ref().unwrap().1, TcbStatus::OutOfDate);
        let e = evaluate(&info, &qe, &platform(sgx0, 3), Some(&tee(&[5, 0, 3]))).unwrap();
        assert_eq!(e.status, want, "QE out of date, SGX component {sgx0}");
        assert_eq!(e.qe_status, TcbStatus::OutOfDate);
    }
    // Advisories: platform, then QE, then module; tcbDate the earliest.
    let e = evaluate(&info, &qe, &platform(8, 3), Some(&module_ood)).unwrap();
    assert_eq!(e.advisory_ids, vec!["SA-8", "QE-2", "MOD-2"]);
    assert_eq!(
        verifier::time::rfc3339(verifier::time::from_secs(e.tcb_date)),
        "2023-08-09T00:00:00Z"
    );
}

#[test]
fn a_revoked_module_or_qe_revokes() {
    let info = tcb_info(up_to_date_modules());
    let qe = good_qe();
    let e = evaluate(&info, &qe, &platform(9, 4), Some(&tee(&[1, 1, 3]))).unwrap();
    assert_eq!(e.status, TcbStatus::Revoked);
    let e = evaluate(&info, &qe, &platform(9, 1), Some(&tee(&[5, 0, 3]))).unwrap();
    assert_eq!(e.status, TcbStatus::Revoked);
    // QE below every QE level: not supported.
    assert!(evaluate(&info, &qe, &platform(9, 0), Some(&tee(&[5, 0, 3]))).is_err());
}

#[test]
fn sgx_evaluation_ignores_tdx_components() {
    let info = tcb_info(up_to_date_modules());
    let e = evaluate(&info, &good_qe(), &platform(9, 4), None).unwrap();
    assert_eq!(e.status, TcbStatus::UpToDate);
    assert_eq!(e.module, None);
}

#[test]
fn td_relaunch_rule() {
    use TcbStatus::*;
    let rows = [
        (OutOfDate, UpToDate, TdRelaunchAdvised),
        (OutOfDate, SwHardeningNeeded, TdRelaunchAdvised),
        (
            OutOfDate,
            ConfigurationNeeded,
            TdRelaunchAdvisedConfigurationNeeded,
        ),
        (
            OutOfDateConfigurationNeeded,
            UpToDate,
            TdRelaunchAdvisedConfigurationNeeded,
        ),
        (OutOfDate, OutOfDate, OutOfDate),
        (UpToDate, UpToDate, UpToDate),
        (SwHardeningNeeded, UpToDate, SwHardeningNeeded),
        (Revoked, UpToDate, Revoked),
        (OutOfDate, Revoked, OutOfDate),
    ];
    for (launch, current, want) in rows {
        assert_eq!(
            verifier::tdx::relaunch_status(launch, current),
            want,
            "launch {launch}, current {current}"
        );
    }
}

#[test]
fn levels_are_evaluated_in_intel_order_not_json_order() {
    // The fixture lists ConfigurationNeeded (7) before UpToDate (9): a verifier that
    // took the first matching level in JSON order would say ConfigurationNeeded.
    let info = tcb_info(up_to_date_modules());
    assert_eq!(info.tcb_levels[0].status, TcbStatus::UpToDate);
    let statuses: Vec<_> = info.tcb_levels.iter().map(|l| l.status).collect();
    assert_eq!(
        statuses[1],
        TcbStatus::OutOfDate,
        "same SGX TCB, lower TDX: second"
    );
}

#[test]
fn duplicate_levels_and_bad_statuses_are_rejected() {
    let dup = json!({
        "id": "SGX", "version": 3, "issueDate": "2024-05-01T00:00:00Z", "nextUpdate": "2024-07-01T00:00:00Z",
        "fmspc": "00606A000000", "pceId": "0000", "tcbType": 0, "tcbEvaluationDataNumber": 17,
        "tcbLevels": [
            { "tcb": { "sgxtcbcomponents": comps(&[1]), "pcesvn": 1 }, "tcbDate": "2024-01-01T00:00:00Z", "tcbStatus": "UpToDate" },
            { "tcb": { "sgxtcbcomponents": comps(&[1]), "pcesvn": 1 }, "tcbDate": "2024-01-01T00:00:00Z", "tcbStatus": "OutOfDate" },
        ],
    });
    let err = TcbInfo::parse(dup.to_string().as_bytes()).unwrap_err();
    assert!(err.to_string().contains("same TCB"), "{err}");
    let bad = dup.to_string().replace("OutOfDate", "Great");
    let err = TcbInfo::parse(bad.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("unknown tcbStatus"), "{err}");
    let v2 = dup.to_string().replace("\"version\":3", "\"version\":2");
    assert_eq!(
        TcbInfo::parse(v2.as_bytes()).unwrap_err().kind(),
        "unsupported_collateral_version"
    );
}
