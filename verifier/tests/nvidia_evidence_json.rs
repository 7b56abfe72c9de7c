//! Issue 12: the JSON and hex forms GPU evidence travels in, read strictly. A member
//! named twice or of the wrong type is malformed input naming the member and the item;
//! labels beside a report that disagree with it reject; wrapped hex is read.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use testvectors::build::nvidia::{ReportSpec, NONCE};
use testvectors::pki::nvidia::GpuPki;
use verifier::collateral::Bundle;
use verifier::error::{ParseError, ParseErrorKind};
use verifier::nvidia::{decode, looks_like, NvidiaOptions};
use verifier::time::parse_rfc3339;
use verifier::{Error, ErrorClass, TrustAnchors, Verifier};

fn report(pki: &GpuPki) -> Vec<u8> {
    ReportSpec::hopper(NONCE).sign(pki)
}

/// One item of the SDK's JSON form, every member right.
fn item(pki: &GpuPki) -> Value {
    json!({
        "arch": "HOPPER",
        "nonce": hex::encode(NONCE),
        "evidence": STANDARD.encode(report(pki)),
        "certificate": STANDARD.encode(pki.chain_pem()),
    })
}

fn verify(bytes: &[u8]) -> Result<(), Error> {
    let pki = GpuPki::cached();
    let gpus = decode(bytes)?;
    let verifier = Verifier::new(TrustAnchors {
        nvidia_device_root: vec![pki.root_spki_sha256()],
        ..TrustAnchors::empty()
    });
    let options = {
        let mut opts = NvidiaOptions::default();
        opts.expected_nonce = Some(NONCE);
        opts
    };
    let now = parse_rfc3339("2026-11-27T00:00:00Z").unwrap();
    verifier
        .verify_nvidia_all(&gpus, &Bundle::new(), &options, now)
        .map(drop)
}

/// The error `decode` gives, asserted to be malformed JSON whose message holds `text`.
#[track_caller]
fn malformed_json(bytes: &[u8], text: &str) {
    let what = String::from_utf8_lossy(bytes);
    assert!(looks_like(bytes), "not taken for GPU evidence: {what}");
    let e = decode(bytes).expect_err(&what);
    assert_eq!(e.kind(), "malformed_json", "{what}: {e}");
    assert_eq!(e.class(), ErrorClass::Malformed, "{what}: {e}");
    let Error::Parse(ParseError {
        kind: ParseErrorKind::Json(message),
        ..
    }) = &e
    else {
        panic!("{what}: {e:?}")
    };
    assert!(message.contains(text), "{text:?} not in {message:?}");
}

#[test]
fn the_well_formed_document_verifies() {
    let pki = GpuPki::cached();
    let doc = json!([item(pki)]).to_string();
    verify(doc.as_bytes()).unwrap();
}

#[test]
fn a_member_named_twice_is_malformed() {
    let pki = GpuPki::cached();
    let good = item(pki);
    let evidence = good["evidence"].as_str().unwrap();
    let certificate = good["certificate"].as_str().unwrap();
    let nonce = good["nonce"].as_str().unwrap();
    // serde_json alone keeps the last: a file could show one nonce to a reader and
    // another to Verdict.
    let twice_nonce = format!(
        r#"[{{"nonce": "{}", "nonce": "{nonce}", "evidence": "{evidence}", "certificate": "{certificate}"}}]"#,
        "00".repeat(32)
    );
    malformed_json(twice_nonce.as_bytes(), "duplicate");
    malformed_json(twice_nonce.as_bytes(), "nonce");
    let twice_evidence = format!(
        r#"{{"evidence_list": [{{"evidence": "{evidence}", "evidence": "{evidence}", "certificate": "{certificate}"}}]}}"#
    );
    malformed_json(twice_evidence.as_bytes(), "evidence");
    let twice_list =
        format!(r#"{{"evidence_list": [], "evidence_list": [{{"evidence": "{evidence}"}}]}}"#);
    malformed_json(twice_list.as_bytes(), "evidence_list");
}

#[test]
fn a_member_of_the_wrong_type_is_malformed_naming_it_and_its_item() {
    let pki = GpuPki::cached();
    let good = item(pki);
    let with = |member: &str, value: Value| {
        let mut bad = good.clone();
        bad[member] = value;
        // The second item, so that the index is the item's and not always 0.
        json!([good.clone(), bad]).to_string()
    };
    // `"certificate": {}` used to be skipped, and then fail as a missing chain (exit 3).
    malformed_json(
        with("certificate", json!({})).as_bytes(),
        "[1].certificate: expected a string, found an object",
    );
    malformed_json(
        with("arch", json!(5)).as_bytes(),
        "[1].arch: expected a string, found a number",
    );
    malformed_json(
        with("nonce", json!([])).as_bytes(),
        "[1].nonce: expected a string, found an array",
    );
    malformed_json(
        with("evidence", json!(5)).as_bytes(),
        "[1].evidence: expected a string, found a number",
    );
    malformed_json(
        with("evidence", json!("!!")).as_bytes(),
        "[1].evidence: neither base64 nor hex",
    );
    // `null` is how serializers write an absent optional value.
    let ev = decode(with("nonce", Value::Null).as_bytes()).unwrap();
    assert_eq!(ev[1].nonce_label, None);
    assert_eq!(ev[0].nonce_label, Some(hex::encode(NONCE)));

    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("evidence");
    missing["evidence_"] = json!(1);
    malformed_json(
        json!({ "device_evidence_list": [good.clone(), good.clone(), missing] })
            .to_string()
            .as_bytes(),
        "device_evidence_list[2].evidence: missing",
    );
    malformed_json(
        json!({ "evidence_list": [good.clone(), 5] })
            .to_string()
            .as_bytes(),
        "evidence_list[1]: expected an object, found a number",
    );
    malformed_json(
        json!({ "evidence_list": {} }).to_string().as_bytes(),
        "evidence_list: expected an array, found an object",
    );
    malformed_json(
        json!({ "nonce": 5, "evidence_list": [good.clone()] })
            .to_string()
            .as_bytes(),
        "nonce: expected a string, found a number",
    );
    let mut single = good.clone();
    single["certificate"] = json!(true);
    malformed_json(
        single.to_string().as_bytes(),
        "certificate: expected a string, found a boolean",
    );
}

/// An edit of one Python-dump item.
type Change = dyn Fn(&mut Value);

#[test]
fn python_dump_members_of_the_wrong_type_are_malformed() {
    let pki = GpuPki::cached();
    let pem: Vec<Value> = pki
        .chain_pem()
        .split_inclusive("-----END CERTIFICATE-----")
        .filter(|p| p.contains("BEGIN"))
        .map(|p| json!({ "pem": STANDARD.encode(p.trim()) }))
        .collect();
    let gpu = json!({
        "Arch": "HOPPER",
        "AttestationReport": { "py/b64": STANDARD.encode(report(pki)) },
        "CertificateChains": { "GpuAttestationCertificateChain": pem },
    });
    verify(json!({ "gpus": [gpu.clone()] }).to_string().as_bytes()).unwrap();
    let cases: [(&str, &Change, &str); 7] = [
        (
            "AttestationReport",
            &|g| g["AttestationReport"] = json!("AAAA"),
            "gpus[1].AttestationReport: expected an object, found a string",
        ),
        (
            "py/b64",
            &|g| g["AttestationReport"]["py/b64"] = json!(5),
            "gpus[1].AttestationReport.py/b64: expected a string, found a number",
        ),
        (
            "CertificateChains",
            &|g| g["CertificateChains"] = json!([]),
            "gpus[1].CertificateChains: expected an object, found an array",
        ),
        (
            "GpuAttestationCertificateChain",
            &|g| g["CertificateChains"]["GpuAttestationCertificateChain"] = json!({}),
            "gpus[1].CertificateChains.GpuAttestationCertificateChain: expected an array, \
             found an object",
        ),
        (
            "pem",
            &|g| g["CertificateChains"]["GpuAttestationCertificateChain"][2]["pem"] = json!(5),
            "gpus[1].CertificateChains.GpuAttestationCertificateChain[2].pem: expected a \
             string, found a number",
        ),
        (
            "Arch",
            &|g| g["Arch"] = json!(9),
            "gpus[1].Arch: expected a string, found a number",
        ),
        (
            "nvswitches",
            &|_| {},
            "nvswitches: expected an array, found a string",
        ),
    ];
    for (name, change, text) in cases {
        let mut bad = gpu.clone();
        change(&mut bad);
        let mut doc = json!({ "gpus": [gpu.clone(), bad] });
        if name == "nvswitches" {
            doc["nvswitches"] = json!("none");
        }
        malformed_json(doc.to_string().as_bytes(), text);
    }
}

/// The labels are unsigned: one that says another nonce or architecture than the
/// verified report is a rejection (exit 1), not a warning; through every JSON form.
#[test]
fn labels_that_disagree_with_the_report_reject() {
    let pki = GpuPki::cached();
    let mut wrong_nonce = item(pki);
    wrong_nonce["nonce"] = json!("11".repeat(32));
    let mut wrong_arch = item(pki);
    wrong_arch["arch"] = json!("BLACKWELL");
    let mut upper = item(pki);
    upper["nonce"] = json!(hex::encode_upper(NONCE));
    upper["arch"] = json!("Hopper");
    verify(json!([upper]).to_string().as_bytes()).unwrap();
    for (doc, label) in [
        (json!([item(pki), wrong_nonce.clone()]), "nonce"),
        (json!([wrong_arch.clone()]), "arch"),
        (json!({ "device_evidence_list": [wrong_arch] }), "arch"),
        (
            json!({ "nonce": "11".repeat(32), "arch": "HOPPER", "evidence_list": [
                { "evidence": item(pki)["evidence"], "certificate": item(pki)["certificate"] }
            ] }),
            "nonce",
        ),
    ] {
        let e = verify(doc.to_string().as_bytes()).unwrap_err();
        assert_eq!(e.kind(), "evidence_label_mismatch", "{doc}: {e}");
        assert_eq!(e.class(), ErrorClass::Rejected, "{e}");
        let Error::EvidenceLabel { label: l, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(*l, label, "{e}");
    }
    // An item label that contradicts the document's own top-level label.
    let doc = json!({ "nonce": hex::encode(NONCE), "evidence_list": [wrong_nonce] });
    malformed_json(
        doc.to_string().as_bytes(),
        "evidence_list[0].nonce is \"1111",
    );
}

/// Hex wrapped at 64 columns is read like unwrapped hex, as a raw hex file and inside
/// the JSON `evidence` member; so is wrapped base64.
#[test]
fn wrapped_hex_and_base64_are_read() {
    let pki = GpuPki::cached();
    let raw = report(pki);
    let wrap = |text: &str, width: usize| {
        text.as_bytes()
            .chunks(width)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let hex_text = wrap(&hex::encode(&raw), 64);
    assert!(hex_text.contains('\n'));
    assert!(looks_like(hex_text.as_bytes()));
    let ev = decode(format!("{hex_text}\r\n").as_bytes()).unwrap();
    assert_eq!(ev[0].report, raw);
    let crlf = hex::encode(&raw)
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\r\n  ");
    assert_eq!(decode(crlf.as_bytes()).unwrap()[0].report, raw);

    let mut in_json = item(pki);
    in_json["evidence"] = json!(wrap(&hex::encode(&raw), 64));
    let doc = json!([in_json]).to_string();
    assert_eq!(decode(doc.as_bytes()).unwrap()[0].report, raw);
    verify(doc.as_bytes()).unwrap();
    let mut b64 = item(pki);
    b64["evidence"] = json!(wrap(&STANDARD.encode(&raw), 76));
    let doc = json!([b64]).to_string();
    assert_eq!(decode(doc.as_bytes()).unwrap()[0].report, raw);

    // Odd-length hex is still refused, wrapped or not.
    let odd = wrap(&hex::encode(&raw)[1..], 64);
    assert_eq!(
        decode(odd.as_bytes()).unwrap_err().kind(),
        "malformed_encoding"
    );
}
