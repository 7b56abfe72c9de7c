//! Trustee's SEV-SNP evidence JSON (`SnpEvidence { attestation_report, cert_chain }`, the
//! report as the virtee `sev` crate serializes it): the real vector
//! `genoa-siena-v3-trustee-e2e` rebuilds to its exact report bytes and verifies with the
//! VCEK it carries; every real report of EXPECTED.tsv, written as the sev crate would
//! write it (v2, v3 and v5; Milan, Genoa and Turin; VCEK and VLEK), does the same; each
//! malformed field is a typed error naming it; the certificates carried are candidates
//! only (fake PKI); and no JSON makes the decoder panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::{json, Value};
use sev::firmware::guest::AttestationReport as SevReport;
use sev::parser::ByteParser;
use testvectors::build::snp::{anchors, report, sign};
use testvectors::pki::amd::{AmdPki, Signer};
use testvectors::pki::time::DEFAULT_NOW;
use testvectors::pki::to_pem;
use testvectors::real::snp_dir;
use verifier::collateral::Bundle;
use verifier::crypto::all_providers;
use verifier::error::{Error, ExpectationError, ParseError, ParseErrorKind, Unsupported};
use verifier::needs::CollateralKey;
use verifier::snp::trustee::{self, TrusteeSnpEvidence};
use verifier::snp::{Product, REPORT_LEN};
use verifier::{time, Evidence, Expectations, Tee, TrustAnchors, Verifier};

const VECTOR: &str = "genoa-siena-v3-trustee-e2e";

fn dir() -> PathBuf {
    snp_dir()
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(dir().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn real_json() -> Value {
    serde_json::from_slice(&read(&format!("{VECTOR}/evidence.json"))).unwrap()
}

/// The vector's pinned time (EXPECTED.tsv's verify_at_utc).
fn pinned(vector: &str) -> time::UnixTime {
    let at = expected_rows()
        .into_iter()
        .find(|r| r.vector == vector)
        .unwrap()
        .at;
    time::parse_rfc3339(&at).unwrap()
}

struct Row {
    vector: String,
    report: String,
    vek: String,
    chain: String,
    at: String,
}

/// The positive rows of EXPECTED.tsv.
fn expected_rows() -> Vec<Row> {
    let tsv = String::from_utf8(read("EXPECTED.tsv")).unwrap();
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (v, r, k, c, a) = (
        col("vector"),
        col("report"),
        col("vek"),
        col("chain"),
        col("verify_at_utc"),
    );
    lines
        .filter(|l| !l.trim().is_empty() && !l.starts_with("NEG"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Row {
                vector: f[v].to_owned(),
                report: f[r].to_owned(),
                vek: f[k].to_owned(),
                chain: f[c].to_owned(),
                at: f[a].to_owned(),
            }
        })
        .collect()
}

fn bundle_of(files: &[&str]) -> Bundle {
    let mut bundle = Bundle::new();
    for file in files {
        bundle.add_bytes(&read(file)).unwrap();
    }
    bundle
}

fn decode(doc: &Value) -> Result<Option<TrusteeSnpEvidence>, Error> {
    trustee::decode(doc.to_string().as_bytes())
}

fn decode_err(doc: &Value) -> ParseError {
    match decode(doc) {
        Err(Error::Parse(p)) => p,
        other => panic!("expected a parse error, got {other:?}"),
    }
}

/// `attestation_report` of `doc`, mutably.
fn report_of(doc: &mut Value) -> &mut serde_json::Map<String, Value> {
    doc["attestation_report"].as_object_mut().unwrap()
}

/// A report as the sev crate serializes it (its serde derive: fields by name, `None` as
/// null, byte arrays as lists, bitfield newtypes as their integer). The fields come from
/// the sev crate's own decoder of the raw bytes, independent of Verdict's parser.
fn sev_json(report: &SevReport) -> Value {
    let tcb = |t: &sev::firmware::host::TcbVersion| json!({"fmc": t.fmc, "bootloader": t.bootloader, "tee": t.tee, "snp": t.snp, "microcode": t.microcode});
    let version = |v: &sev::firmware::guest::Version| json!({"major": v.major, "minor": v.minor, "build": v.build});
    json!({
        "version": report.version,
        "guest_svn": report.guest_svn,
        "policy": u64::from(report.policy),
        "family_id": report.family_id.to_vec(),
        "image_id": report.image_id.to_vec(),
        "vmpl": report.vmpl,
        "sig_algo": report.sig_algo,
        "current_tcb": tcb(&report.current_tcb),
        "plat_info": u64::from(report.plat_info),
        "key_info": u32::from(report.key_info),
        "report_data": report.report_data.to_vec(),
        "measurement": report.measurement.to_vec(),
        "host_data": report.host_data.to_vec(),
        "id_key_digest": report.id_key_digest.to_vec(),
        "author_key_digest": report.author_key_digest.to_vec(),
        "report_id": report.report_id.to_vec(),
        "report_id_ma": report.report_id_ma.to_vec(),
        "reported_tcb": tcb(&report.reported_tcb),
        "cpuid_fam_id": report.cpuid_fam_id,
        "cpuid_mod_id": report.cpuid_mod_id,
        "cpuid_step": report.cpuid_step,
        "chip_id": report.chip_id.to_vec(),
        "committed_tcb": tcb(&report.committed_tcb),
        "current": version(&report.current),
        "committed": version(&report.committed),
        "launch_tcb": tcb(&report.launch_tcb),
        "launch_mit_vector": report.launch_mit_vector,
        "current_mit_vector": report.current_mit_vector,
        "signature": {"r": report.signature.r().to_vec(), "s": report.signature.s().to_vec()},
    })
}

fn entry(cert_type: &str, data: &[u8]) -> Value {
    json!({"cert_type": cert_type, "data": data.to_vec()})
}

#[test]
fn real_evidence_rebuilds_the_exact_report_and_carries_the_vcek() {
    let raw = read(&format!("{VECTOR}/evidence.json"));
    let decoded = trustee::decode(&raw).unwrap().unwrap();
    let expected = read(&format!("{VECTOR}/report.bin"));
    assert_eq!(decoded.report.len(), REPORT_LEN);
    assert_eq!(decoded.report, expected);
    assert_eq!(
        decoded.certificates,
        vec![read(&format!("{VECTOR}/vcek.der"))]
    );

    // The sev crate, reading report.bin, gives the same fields as the document (which
    // was written before the sev crate had the v5 mitigation vectors: they are absent).
    let mut doc = real_json();
    let ours = sev_json(&SevReport::from_bytes(&expected).unwrap());
    let theirs = report_of(&mut doc);
    for (name, value) in ours.as_object().unwrap() {
        match theirs.get(name) {
            Some(v) => assert_eq!(v, value, "{name}"),
            None => assert!(value.is_null(), "{name} absent from the real document"),
        }
    }
}

#[test]
fn real_evidence_verifies_with_the_carried_vcek_and_the_bundles_chain() {
    let raw = read(&format!("{VECTOR}/evidence.json"));
    for hint in [None, Some(Tee::Snp)] {
        let evidence = Evidence::from_bytes(&raw, hint).unwrap();
        assert_eq!(evidence.tee(), Tee::Snp);
        assert!(
            matches!(&evidence, Evidence::SnpWithCertificates { report, certificates }
                if *report == read(&format!("{VECTOR}/report.bin")) && certificates.len() == 1),
            "{evidence:?}"
        );
    }
    let evidence = Evidence::from_bytes(&raw, None).unwrap();
    // Only the ASK/ARK chain: the VCEK is the one the evidence carries.
    let chain = bundle_of(&["roots/genoa_ask_ark.pem"]);
    let now = pinned(VECTOR);
    for provider in all_providers() {
        let v = Verifier::with_provider(TrustAnchors::default(), provider);
        let verified = v
            .verify(&evidence, &chain, &Expectations::none(), now)
            .unwrap_or_else(|e| panic!("[{}] {e}", provider.name()));
        let verifier::Claims::Snp(claims) = verified.claims() else {
            panic!("not SNP claims");
        };
        assert_eq!(claims.product, "Genoa");
    }
    // What is still to fetch: never the VCEK (optional items, such as the CRL, may be).
    let missing = chain.missing(&evidence, &Expectations::none());
    assert!(
        missing.iter().all(|r| r.optional),
        "required and missing: {missing:?}"
    );
    assert!(!missing
        .iter()
        .any(|r| matches!(r.key, CollateralKey::AmdVcek { .. })));

    // With the real Genoa CRL, at a time it is current, the CRL is checked too.
    let with_crl = bundle_of(&["roots/genoa_ask_ark.pem", "roots/genoa_crl.pem"]);
    let crl_time = time::parse_rfc3339("2025-09-01T00:00:00Z").unwrap();
    let verified = Verifier::new(TrustAnchors::default())
        .verify(&evidence, &with_crl, &Expectations::none(), crl_time)
        .unwrap();
    let verifier::Claims::Snp(claims) = verified.claims() else {
        panic!("not SNP claims");
    };
    assert!(claims.crl_checked);
}

#[test]
fn a_hint_of_another_kind_is_refused() {
    let raw = read(&format!("{VECTOR}/evidence.json"));
    for hint in [Tee::Tdx, Tee::Sgx, Tee::Nvidia, Tee::AzureSnp] {
        let e = Evidence::from_bytes(&raw, Some(hint)).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Expectation(ExpectationError::TeeMismatch { actual: "snp", .. })
            ),
            "{hint:?}: {e}"
        );
    }
}

#[test]
fn a_changed_measurement_decodes_but_fails_the_report_signature() {
    let mut doc = real_json();
    let m = &mut report_of(&mut doc)["measurement"][0];
    *m = json!(m.as_u64().unwrap() ^ 1);
    let decoded = decode(&doc).unwrap().unwrap();
    let original = read(&format!("{VECTOR}/report.bin"));
    let differing: Vec<usize> = (0..REPORT_LEN)
        .filter(|i| decoded.report[*i] != original[*i])
        .collect();
    assert_eq!(differing, vec![0x90], "only MEASUREMENT[0] changes");
    let evidence = Evidence::from(decoded);
    let e = Verifier::new(TrustAnchors::default())
        .verify(
            &evidence,
            &bundle_of(&["roots/genoa_ask_ark.pem"]),
            &Expectations::none(),
            pinned(VECTOR),
        )
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::EvidenceSignature {
                what: "attestation report"
            }
        ),
        "{e}"
    );
    assert_eq!(e.kind(), "evidence_signature");
}

#[test]
fn without_cert_chain_the_vcek_comes_from_the_collateral() {
    let expected = read(&format!("{VECTOR}/report.bin"));
    let chain = bundle_of(&["roots/genoa_ask_ark.pem"]);
    let now = pinned(VECTOR);
    let v = Verifier::new(TrustAnchors::default());
    for cert_chain in [None, Some(Value::Null), Some(json!([]))] {
        let mut doc = real_json();
        let root = doc.as_object_mut().unwrap();
        match &cert_chain {
            None => {
                root.remove("cert_chain");
            }
            Some(c) => {
                root.insert("cert_chain".into(), c.clone());
            }
        }
        let evidence = Evidence::from_bytes(doc.to_string().as_bytes(), None).unwrap();
        assert_eq!(evidence, Evidence::Snp(expected.clone()), "{cert_chain:?}");
        let e = v
            .verify(&evidence, &chain, &Expectations::none(), now)
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::MissingCollateral {
                    key: CollateralKey::AmdVcek { .. }
                }
            ),
            "{e}"
        );
        let full = bundle_of(&["roots/genoa_ask_ark.pem", &format!("{VECTOR}/vcek.der")]);
        v.verify(&evidence, &full, &Expectations::none(), now)
            .unwrap();
    }
    // Entries that are not certificates are read and skipped.
    let mut doc = real_json();
    doc["cert_chain"] = json!([
        {"cert_type": "CRL", "data": [1, 2, 3]},
        {"cert_type": {"OTHER": "00000000-0000-0000-0000-000000000001"}, "data": [4]},
        {"cert_type": "Empty", "data": []},
    ]);
    assert_eq!(
        Evidence::from_bytes(doc.to_string().as_bytes(), None).unwrap(),
        Evidence::Snp(expected)
    );
}

/// Every positive pairing of EXPECTED.tsv, as Trustee would send it: the report through
/// the sev crate's decoder into its serde form, the VEK (DER or PEM) in `cert_chain`, and
/// only the KDS chain in the bundle.
#[test]
fn every_real_report_in_the_sev_serde_form_rebuilds_and_verifies() {
    let rows = expected_rows();
    assert!(rows.len() >= 15, "{} rows", rows.len());
    let mut versions = std::collections::BTreeSet::new();
    let mut turin = false;
    let v = Verifier::new(TrustAnchors::default());
    for row in rows {
        let bytes = read(&row.report);
        let sev = SevReport::from_bytes(&bytes)
            .unwrap_or_else(|e| panic!("{}: the sev crate: {e}", row.vector));
        versions.insert(sev.version);
        turin |= sev.current_tcb.fmc.is_some();
        let label = if row.vek.contains("vlek") {
            "VLEK"
        } else {
            "VCEK"
        };
        let doc = json!({
            "attestation_report": sev_json(&sev),
            "cert_chain": [entry(label, &read(&row.vek))],
        });
        let decoded = decode(&doc)
            .unwrap_or_else(|e| panic!("{}: {e}", row.vector))
            .unwrap();
        assert_eq!(
            decoded.report, bytes,
            "{}: rebuilt bytes differ",
            row.vector
        );
        let evidence = Evidence::from(decoded);
        let now = time::parse_rfc3339(&row.at).unwrap();
        v.verify(
            &evidence,
            &bundle_of(&[&row.chain]),
            &Expectations::none(),
            now,
        )
        .unwrap_or_else(|e| panic!("{} ({}): {e}", row.vector, row.vek));
    }
    assert_eq!(
        versions.into_iter().collect::<Vec<_>>(),
        vec![2, 3, 5],
        "versions covered"
    );
    assert!(turin, "a Turin report (TCB versions with an FMC byte)");
}

#[test]
fn each_malformed_field_is_a_typed_error_naming_it() {
    const P: &str = "Trustee SNP evidence attestation_report.";
    let json_error = |p: &ParseError| match &p.kind {
        ParseErrorKind::Json(m) => m.clone(),
        other => panic!("{}: not a JSON error: {other:?}", p.what),
    };
    let mutate = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut doc = real_json();
        f(report_of(&mut doc));
        decode_err(&doc)
    };

    // A byte list of the wrong length.
    let p = mutate(&|r| {
        r["measurement"].as_array_mut().unwrap().pop();
    });
    assert_eq!(p.what, format!("{P}measurement"));
    assert_eq!(p.offset, 0x90);
    assert_eq!(
        p.kind,
        ParseErrorKind::WrongLength {
            expected: 48,
            actual: 47
        }
    );
    let e = Error::Parse(p);
    assert_eq!(e.kind(), "wrong_length");
    assert_eq!(e.class(), verifier::ErrorClass::Malformed);
    let p = mutate(&|r| r["signature"]["r"].as_array_mut().unwrap().push(json!(0)));
    assert_eq!(p.what, format!("{P}signature.r"));
    assert_eq!(p.offset, 0x2A0);
    assert_eq!(
        p.kind,
        ParseErrorKind::WrongLength {
            expected: 72,
            actual: 73
        }
    );

    // Wrong types.
    let p = mutate(&|r| {
        r.insert("guest_svn".into(), json!("0"));
    });
    assert_eq!((p.what, p.offset), (&*format!("{P}guest_svn"), 0x004));
    assert_eq!(
        json_error(&p),
        "expected an integer 0 to 4294967295, found a string"
    );
    let p = mutate(&|r| {
        r.insert("report_data".into(), json!("AAAA"));
    });
    assert_eq!(p.what, format!("{P}report_data"));
    assert_eq!(
        json_error(&p),
        "expected a list of 64 bytes, found a string"
    );
    let p = mutate(&|r| r["chip_id"][5] = json!(256));
    assert_eq!((p.what, p.offset), (&*format!("{P}chip_id"), 0x1A0));
    assert_eq!(json_error(&p), "[5]: expected a byte (0 to 255), found 256");
    let p = mutate(&|r| r["reported_tcb"]["microcode"] = json!(-1));
    assert_eq!((p.what, p.offset), (&*format!("{P}reported_tcb"), 0x180));
    assert_eq!(
        json_error(&p),
        "microcode: expected an integer 0 to 255, found -1"
    );
    let p = mutate(&|r| r["current"]["minor"] = json!(1.5));
    assert_eq!((p.what, p.offset), (&*format!("{P}current"), 0x1E8));
    assert!(json_error(&p).starts_with("minor: expected an integer"));
    let p = mutate(&|r| {
        r.insert("policy".into(), Value::Null);
    });
    assert_eq!(p.what, format!("{P}policy"));
    assert!(json_error(&p).ends_with("found null"));

    // Missing fields.
    let p = mutate(&|r| {
        r.remove("host_data");
    });
    assert_eq!((p.what, p.offset), (&*format!("{P}host_data"), 0x0C0));
    assert_eq!(json_error(&p), "absent");
    let p = mutate(&|r| {
        r["launch_tcb"].as_object_mut().unwrap().remove("snp");
    });
    assert_eq!(p.what, format!("{P}launch_tcb"));
    assert_eq!(json_error(&p), "snp: absent");
    let p = mutate(&|r| {
        r.insert("cpuid_step".into(), Value::Null);
    });
    assert_eq!((p.what, p.offset), (&*format!("{P}cpuid_step"), 0x18A));
    assert!(json_error(&p).contains("a version 3 report has it"));

    // Fields of another version.
    let p = mutate(&|r| {
        r.insert("current_mit_vector".into(), json!(0));
    });
    assert_eq!(
        (p.what, p.offset),
        (&*format!("{P}current_mit_vector"), 0x200)
    );
    assert!(json_error(&p).contains("a version 3 report has no such field"));
    let p = mutate(&|r| {
        r.insert("version".into(), json!(5));
    });
    assert_eq!(p.what, format!("{P}launch_mit_vector"));
    let p = mutate(&|r| {
        r.insert("version".into(), json!(2));
    });
    assert_eq!(p.what, format!("{P}cpuid_fam_id"));
    for version in [0, 1, 6] {
        let mut doc = real_json();
        report_of(&mut doc).insert("version".into(), json!(version));
        assert!(matches!(
            decode(&doc),
            Err(Error::Unsupported(Unsupported::ReportVersion(v))) if v == version
        ));
    }

    // Members the sev crate does not write, and TCB versions of two layouts.
    let p = mutate(&|r| {
        r.insert("_reserved_4".into(), json!([]));
    });
    assert_eq!(p.what, "Trustee SNP evidence attestation_report");
    assert!(json_error(&p).starts_with("unknown member \"_reserved_4\""));
    let p = mutate(&|r| {
        r["signature"]
            .as_object_mut()
            .unwrap()
            .insert("v".into(), json!(0));
    });
    assert_eq!(p.what, format!("{P}signature"));
    let p = mutate(&|r| r["committed_tcb"]["fmc"] = json!(1));
    assert_eq!((p.what, p.offset), (&*format!("{P}committed_tcb"), 0x1E0));
    assert!(json_error(&p).contains("share one layout"));

    // KEY_INFO's reserved bits are refused as the report parser refuses them.
    let mut doc = real_json();
    report_of(&mut doc).insert("key_info".into(), json!(1u32 << 5));
    let e = decode(&doc).unwrap_err();
    assert_eq!(e.kind(), "nonzero_reserved", "{e}");

    // The envelope: a report that is not an object, a certificate table that is not a
    // list of {cert_type, data}, a member named twice. Other top-level members are
    // ignored, as in Trustee's TDX form.
    let cases: [(Value, &str, &str); 6] = [
        (
            json!({"attestation_report": []}),
            "Trustee SNP evidence attestation_report",
            "expected an object, found an array",
        ),
        (
            {
                let mut d = real_json();
                d["cert_chain"] = json!({});
                d
            },
            "Trustee SNP evidence cert_chain",
            "expected a list of {cert_type, data} entries, found an object",
        ),
        (
            {
                let mut d = real_json();
                d["cert_chain"][0]["cert_type"] = json!("PCK");
                d
            },
            "Trustee SNP evidence cert_chain",
            "[0].cert_type: unknown type \"PCK\"",
        ),
        (
            {
                let mut d = real_json();
                d["cert_chain"][0]["data"] = json!("MIIB");
                d
            },
            "Trustee SNP evidence cert_chain",
            "[0].data: expected a list of bytes, found a string",
        ),
        (
            {
                let mut d = real_json();
                d["cert_chain"][0]["data"] = json!([]);
                d
            },
            "Trustee SNP evidence cert_chain",
            "[0].data: empty",
        ),
        (
            {
                let mut d = real_json();
                d["cert_chain"][0]
                    .as_object_mut()
                    .unwrap()
                    .insert("extra".into(), json!(1));
                d
            },
            "Trustee SNP evidence cert_chain",
            "[0]: unknown member \"extra\"",
        ),
    ];
    for (doc, what, message) in cases {
        let p = decode_err(&doc);
        assert_eq!(p.what, what, "{doc}");
        assert!(json_error(&p).starts_with(message), "{message:?}: {p}");
    }
    let text = real_json().to_string();
    let twice = text.replacen("\"vmpl\":0", "\"vmpl\":0,\"vmpl\":0", 1);
    assert_ne!(twice, text);
    let p = match trustee::decode(twice.as_bytes()) {
        Err(Error::Parse(p)) => p,
        other => panic!("{other:?}"),
    };
    assert_eq!(p.what, "Trustee SNP evidence JSON");
    assert!(json_error(&p).contains("vmpl"), "{p}");
    let mut doc = real_json();
    doc["aa_eventlog"] = json!("ignored");
    assert!(decode(&doc).unwrap().is_some());

    // Through Evidence::from_bytes the same errors arrive, class Malformed.
    let mut doc = real_json();
    report_of(&mut doc)["measurement"]
        .as_array_mut()
        .unwrap()
        .pop();
    let e = Evidence::from_bytes(doc.to_string().as_bytes(), None).unwrap_err();
    assert_eq!(e.kind(), "wrong_length");
    assert!(
        e.to_string().starts_with(
            "malformed Trustee SNP evidence attestation_report.measurement at offset 0x90"
        ),
        "{e}"
    );
}

/// With the fake AMD PKI: the whole chain carried (VEK, ASK, ARK) verifies with an empty
/// bundle, whatever the labels say and in DER or PEM; carried certificates are trusted no
/// more than a bundle's.
#[test]
fn carried_certificates_are_candidates_checked_against_the_pinned_ark() {
    for (product, signer) in [
        (Product::Milan, Signer::Vcek),
        (Product::Turin, Signer::Vcek),
        (Product::Genoa, Signer::Vlek),
    ] {
        let pki = AmdPki::cached(product);
        let bytes = sign(pki, signer, &report(pki, signer));
        let sev = SevReport::from_bytes(&bytes).unwrap();
        let chain_pem = match signer {
            Signer::Vcek => pki.ask_ark_pem(),
            Signer::Vlek => pki.asvk_ark_pem(),
        };
        let chain: Vec<Vec<u8>> = pem::parse_many(&chain_pem)
            .unwrap()
            .into_iter()
            .map(pem::Pem::into_contents)
            .collect();
        let leaf = pki.leaf(signer).to_vec();
        let now = time::from_secs(DEFAULT_NOW);
        let v = Verifier::new(anchors(&[pki]));
        let verify = |cert_chain: Value| {
            let doc = json!({"attestation_report": sev_json(&sev), "cert_chain": cert_chain});
            let evidence = Evidence::from_bytes(doc.to_string().as_bytes(), None).unwrap();
            assert!(
                matches!(evidence, Evidence::SnpWithCertificates { ref report, .. } if *report == bytes)
            );
            v.verify(&evidence, &Bundle::new(), &Expectations::none(), now)
        };
        // Labelled as a host writes them.
        verify(json!([
            entry(
                if signer == Signer::Vcek {
                    "VCEK"
                } else {
                    "VLEK"
                },
                &leaf
            ),
            entry("ASK", &chain[0]),
            entry("ARK", &chain[1]),
        ]))
        .unwrap_or_else(|e| panic!("{product:?}: {e}"));
        // Mislabelled, in another order, PEM in one entry: roles come from content.
        verify(json!([
            entry("ARK", &leaf),
            entry("VCEK", chain_pem.as_bytes()),
        ]))
        .unwrap_or_else(|e| panic!("{product:?}: {e}"));
        // Without the chain, it is missing collateral.
        let e = verify(json!([entry("VCEK", &leaf)])).unwrap_err();
        assert!(matches!(e, Error::MissingCollateral { .. }), "{e}");
        // A carried ARK is a candidate, not an anchor: with no ARK pinned, it fails.
        let e = Verifier::new(TrustAnchors::empty())
            .verify(
                &Evidence::from_bytes(
                    json!({"attestation_report": sev_json(&sev), "cert_chain": [
                        entry("VCEK", &leaf), entry("ASK", &chain[0]), entry("ARK", &chain[1]),
                    ]})
                    .to_string()
                    .as_bytes(),
                    None,
                )
                .unwrap(),
                &Bundle::new(),
                &Expectations::none(),
                now,
            )
            .unwrap_err();
        assert_eq!(e.kind(), "untrusted_root", "{e}");
        // A carried certificate that is not DER rejects, as a malformed input.
        let e = verify(json!([
            entry("VCEK", &leaf),
            entry("ASK", &[0x30, 0x03, 1])
        ]))
        .unwrap_err();
        assert_eq!(e.class(), verifier::ErrorClass::Malformed, "{e}");
    }
    // A PEM data entry without a certificate in it is refused at decoding.
    let pki = AmdPki::cached(Product::Milan);
    let sev = SevReport::from_bytes(&sign(pki, Signer::Vcek, &report(pki, Signer::Vcek))).unwrap();
    let doc = json!({
        "attestation_report": sev_json(&sev),
        "cert_chain": [entry("VCEK", to_pem("PUBLIC KEY", &[1, 2]).as_bytes())],
    });
    let p = decode_err(&doc);
    assert_eq!(p.what, "Trustee SNP evidence cert_chain");
    assert_eq!(p.kind, ParseErrorKind::Encoding("a DER or PEM certificate"));
}

/// JSON values built from the report's member names and arbitrary scalars.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "version",
        "guest_svn",
        "policy",
        "measurement",
        "current_tcb",
        "fmc",
        "microcode",
        "signature",
        "r",
        "s",
        "cert_chain",
        "cert_type",
        "data",
        "current",
        "major",
        "cpuid_fam_id",
        "launch_mit_vector",
        "OTHER",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (0u64..300).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "[A-Za-z0-9-]{0,12}".prop_map(Value::from),
        prop::sample::select(vec!["VCEK", "ASK", "ARK", "CRL", "Empty", "-----BEGIN x"])
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
            prop::collection::vec((names.clone(), inner), 0..8).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any document with an `attestation_report` member decodes or fails with an error,
    /// never a panic.
    #[test]
    fn arbitrary_documents_never_panic(report in arbitrary_json(), chain in arbitrary_json()) {
        let doc = json!({"attestation_report": report, "cert_chain": chain});
        let _ = trustee::decode(doc.to_string().as_bytes());
        let _ = Evidence::from_bytes(doc.to_string().as_bytes(), None);
    }

    /// The real document with one report member replaced: an error, or a rebuilt report
    /// that differs from the real one exactly when the member's value differs.
    #[test]
    fn one_replaced_member_never_panics(index in 0usize..29, value in arbitrary_json()) {
        let mut doc = real_json();
        let report = report_of(&mut doc);
        let name = report.keys().nth(index % report.len()).unwrap().clone();
        let same = report[&name] == value;
        report.insert(name, value);
        if let Ok(Some(decoded)) = decode(&doc) {
            let original = read(&format!("{VECTOR}/report.bin"));
            prop_assert_eq!(decoded.report == original, same);
        }
    }
}
