//! One negative test per check of Azure vTPM verification (the step list of
//! `verifier/src/azure/mod.rs`, 1 to 9, and each parse check of the HCL report, runtime
//! data and TPMS_ATTEST), on evidence built by `testvectors::build::azure` with the fake
//! AMD and Intel PKIs and a committed fake AK: change one knob, let the builder re-sign
//! what it covers, and assert the precise error kind (and, where several checks share a
//! kind, the message). Every case runs on every compiled crypto provider. Positive cases
//! first, so that a failure below is the mutation's, not the fixture's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use serde_json::{json, Value};
use testvectors::build::azure::{
    ek, short_ak, td_report, AzureSpec, BuiltAzure, Jwk, PcrBank, UserData, TPM_ALG_SHA1,
};
use testvectors::build::tdx::{Collateral, QeIdentitySpec, QuoteSpec, TcbInfoSpec};
use testvectors::pki::amd::{rogue_rsa, AmdPki};
use testvectors::pki::intel::IntelPki;
use verifier::azure::{
    AzureClaims, AzureEvidence, AzureHardware, AzureSnpOptions, AzureTdxOptions, HardwareClaims,
};
use verifier::crypto::{all_providers, default_provider, HashAlg};
use verifier::snp::Product;
use verifier::tdx::TcbStatus;
use verifier::time::from_secs;
use verifier::{Error, Evidence, Expectations, Verified, Verifier};

// ---------------------------------------------------------------- harness

/// Built evidence and the options it is verified with.
struct Case {
    built: BuiltAzure,
    snp: AzureSnpOptions,
    tdx: AzureTdxOptions,
}

impl From<AzureSpec> for Case {
    fn from(spec: AzureSpec) -> Self {
        Self::of(spec.build())
    }
}

impl Case {
    fn of(built: BuiltAzure) -> Self {
        let (snp, tdx) = (built.snp_options(), built.tdx_options());
        Self { built, snp, tdx }
    }

    fn evidence(&mut self) -> &mut AzureEvidence {
        &mut self.built.evidence
    }

    /// The results on every provider, through the entry point of the evidence's kind.
    fn results(&self) -> Vec<(&'static str, Result<Verified<AzureClaims>, Error>)> {
        let b = &self.built;
        all_providers()
            .into_iter()
            .map(|p| {
                let v = Verifier::with_provider(b.anchors.clone(), p);
                let now = from_secs(b.now);
                let r = match b.evidence.hardware {
                    AzureHardware::Snp { .. } => {
                        v.verify_azure_snp(&b.evidence, &b.bundle, &self.snp, now)
                    }
                    AzureHardware::Tdx { .. } => {
                        v.verify_azure_tdx(&b.evidence, &b.bundle, &self.tdx, now)
                    }
                };
                (p.name(), r)
            })
            .collect()
    }

    /// Verifies on every provider; the claims and warnings of the last.
    #[track_caller]
    fn verifies(&self) -> Verified<AzureClaims> {
        let mut last = None;
        for (provider, result) in self.results() {
            match result {
                Ok(v) => last = Some(v),
                Err(e) => panic!("{provider}: {e} ({})", e.kind()),
            }
        }
        last.expect("at least one provider")
    }

    /// Rejects with `kind` on every provider; the error of the last.
    #[track_caller]
    fn rejects(&self, kind: &str) -> Error {
        let mut last = None;
        for (provider, result) in self.results() {
            match result {
                Ok(_) => panic!("{provider}: verified, expected {kind}"),
                Err(e) => {
                    assert_eq!(e.kind(), kind, "{provider}: {e}");
                    last = Some(e);
                }
            }
        }
        last.expect("at least one provider")
    }

    /// Rejects with `kind` and a message containing `text`.
    #[track_caller]
    fn rejects_saying(&self, kind: &str, text: &str) -> Error {
        let e = self.rejects(kind);
        assert!(e.to_string().contains(text), "{kind}: {e:?} lacks {text:?}");
        e
    }
}

fn snp(version: u8, f: impl FnOnce(&mut AzureSpec)) -> Case {
    AzureSpec::snp(version).with(f).into()
}

fn tdx(version: u8, f: impl FnOnce(&mut AzureSpec)) -> Case {
    AzureSpec::tdx(version).with(f).into()
}

/// The same mutation on SNP and TDX evidence of version 1.
fn both(f: impl Fn(&mut AzureSpec)) -> [(&'static str, Case); 2] {
    [("snp", snp(1, &f)), ("tdx", tdx(1, &f))]
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    default_provider()
        .hash(HashAlg::Sha256, &[bytes])
        .as_ref()
        .to_vec()
}

fn has_warning(v: &Verified<AzureClaims>, code: &str) -> bool {
    v.warnings().iter().any(|w| w.code == code)
}

// ---------------------------------------------------------------- positive

#[test]
fn snp_fake_evidence_verifies_on_every_provider() {
    for version in 0..=2 {
        for carried in [true, false] {
            let case = snp(version, |s| s.snp_mut().vcek_in_evidence = carried);
            let v = case.verifies();
            let c = v.claims();
            assert!(matches!(c.hardware, HardwareClaims::Snp(_)));
            assert_eq!(c.tpm.nonce, hex::encode(&case.built.nonce));
            assert!(c.tpm.pcrs_verified);
            assert_eq!(c.tpm.pcrs.len(), 24);
            assert_eq!(c.tpm.pcr_selection, (0..24).collect::<Vec<u8>>());
            assert_eq!(c.azure.evidence_version, version);
            assert_eq!(c.azure.hcl_report_fresh, version == 2);
            assert_eq!(has_warning(&v, "hcl_report_not_fresh"), version < 2);
            assert_eq!(c.azure.ak_bits, 2048);
            assert_eq!(
                c.azure.runtime_data_sha256,
                hex::encode(sha256(&case.built.runtime_data))
            );
            assert!(!c.azure.ek_thumbprint.is_empty());
            assert_eq!(c.azure.vm_configuration.secure_boot, Some(true));
        }
    }
}

#[test]
fn tdx_fake_evidence_verifies_on_every_provider() {
    for version in 0..=2 {
        let case = tdx(version, |_| {});
        let v = case.verifies();
        let c = v.claims();
        let HardwareClaims::Tdx(td) = &c.hardware else {
            panic!("not TDX claims")
        };
        assert_eq!(td.platform.tcb_status, TcbStatus::UpToDate);
        assert_eq!(td.mr_td, hex::encode([0x11; 48]));
        let mut report_data = sha256(&case.built.runtime_data);
        report_data.resize(64, 0);
        assert_eq!(td.report_data, hex::encode(report_data));
        assert_eq!(c.azure.hcl_report_fresh, version == 2);
        assert!(c.tpm.pcrs_verified);
    }
}

/// Trustee's JSON forms read back to the same evidence, and `Verifier::verify` (the one
/// entry point of the CLI) accepts it with the expectations of its kind.
#[test]
fn trustee_json_forms_read_back_and_verify_through_the_common_entry_point() {
    for built in [0, 1, 2]
        .into_iter()
        .flat_map(|v| [AzureSpec::snp(v).build(), AzureSpec::tdx(v).build()])
    {
        let read = Evidence::from_bytes(&built.to_trustee_json(), None).unwrap();
        let Evidence::Azure(read) = read else {
            panic!("not read as Azure evidence")
        };
        assert_eq!(*read, built.evidence);
        let verifier = Verifier::new(built.anchors.clone());
        verifier
            .verify(
                &Evidence::Azure(read),
                &built.bundle,
                &built.expectations(),
                from_secs(built.now),
            )
            .unwrap();
    }
}

/// The header fields no signature covers are read, never trusted: changing them does not
/// change the verdict (README N11).
#[test]
fn unsigned_header_fields_do_not_decide() {
    for (name, case) in both(|s| {
        s.hcl.status = 7;
        s.hcl.reserved = [0xEE; 12];
        s.hcl.request_type = 3;
        s.hcl.header_version = 3 - s.hcl.header_version;
    }) {
        let v = case.verifies();
        assert_eq!(v.claims().azure.evidence_version, 1, "{name}");
    }
}

#[test]
fn accepted_runtime_data_variants() {
    // The AK is chosen by kid, not key_ops (2023 files label it "encrypt").
    snp(1, |s| {
        s.runtime.ak.as_mut().unwrap().key_ops = vec!["encrypt".into()]
    })
    .verifies();
    // 4096 bits is the largest AK accepted.
    let v = snp(1, |s| {
        s.tpm_signer = rogue_rsa();
        s.runtime.ak = Some(Jwk::rsa("HCLAkPub", "sign", &rogue_rsa()));
    })
    .verifies();
    assert_eq!(v.claims().azure.ak_bits, 4096);
    // No EK, no vm-configuration, no user-data (v1), members Azure may add.
    let v = snp(1, |s| {
        s.runtime.ek = None;
        s.runtime.vm_configuration = None;
        s.runtime.user_data = UserData::Absent;
        s.runtime.members = vec![("new-member".into(), json!({"x": 1}))];
    })
    .verifies();
    assert_eq!(v.claims().azure.ek_thumbprint, "");
    assert_eq!(v.claims().azure.user_data, "");
    assert_eq!(v.claims().azure.vm_configuration.secure_boot, None);
}

// ---------------------------------------------------------------- evidence version

#[test]
fn an_evidence_version_above_2_is_unsupported() {
    for (_, case) in both(|s| s.version = 3) {
        case.rejects("unsupported_azure_evidence_version");
    }
}

// ---------------------------------------------------------------- 1. HCL report

type SpecEdit = Box<dyn Fn(&mut AzureSpec)>;

/// Each structural check of the HCL report, on SNP and TDX evidence.
#[test]
fn hcl_report_structure_is_checked() {
    let rows: Vec<(&str, SpecEdit, &str, &str)> = vec![
        (
            "magic",
            Box::new(|s| s.hcl.magic = *b"HCLB"),
            "malformed_structure",
            "HCLA",
        ),
        (
            "header version 0",
            Box::new(|s| s.hcl.header_version = 0),
            "invalid_value",
            "must be 1 or 2",
        ),
        (
            "header version 3",
            Box::new(|s| s.hcl.header_version = 3),
            "invalid_value",
            "must be 1 or 2",
        ),
        (
            "request data version",
            Box::new(|s| s.hcl.request_version = 2),
            "invalid_value",
            "IGVM request data version",
        ),
        (
            "VBS report",
            Box::new(|s| s.hcl.report_type = 1),
            "invalid_value",
            "VBS or TVM",
        ),
        (
            "TVM report",
            Box::new(|s| s.hcl.report_type = 3),
            "invalid_value",
            "VBS or TVM",
        ),
        (
            "unknown report type",
            Box::new(|s| s.hcl.report_type = 5),
            "invalid_value",
            "must be 2 (SNP) or 4 (TDX)",
        ),
        (
            "SHA-384 runtime data hash",
            Box::new(|s| s.hcl.hash_type = 2),
            "invalid_value",
            "SHA-384",
        ),
        (
            "SHA-512 runtime data hash",
            Box::new(|s| s.hcl.hash_type = 3),
            "invalid_value",
            "SHA-384 and SHA-512",
        ),
        (
            "unknown hash type",
            Box::new(|s| s.hcl.hash_type = 0),
            "invalid_value",
            "must be 1 (SHA-256)",
        ),
        (
            "data size not 20 + variable size",
            Box::new(|s| s.hcl.data_size = Some(21 + s.runtime_data().len() as u32)),
            "invalid_value",
            "20 + the runtime data size",
        ),
        (
            "report size not 0x4D4 + variable size",
            Box::new(|s| s.hcl.report_size = Some(0x4D5 + s.runtime_data().len() as u32)),
            "invalid_value",
            "0x4D4 + the runtime data size",
        ),
        (
            "runtime data over 64 KiB",
            Box::new(|s| {
                s.hcl.variable_size = Some(0x1_0001);
                s.hcl.data_size = Some(0x1_0001 + 20);
            }),
            "invalid_value",
            "larger than 64 KiB",
        ),
        (
            "runtime data past the input",
            Box::new(|s| {
                let n = s.runtime_data().len() as u32 + 1;
                s.hcl.variable_size = Some(n);
                s.hcl.data_size = Some(n + 20);
                s.hcl.report_size = Some(n + 0x4D4);
                s.hcl.padded_len = 0;
            }),
            "truncated",
            "runtime data",
        ),
        (
            "non-zero padding",
            Box::new(|s| s.hcl.padding_bytes = vec![0, 0, 1]),
            "trailing_data",
            "HCL report padding",
        ),
    ];
    for (name, edit, kind, text) in &rows {
        for (tee, case) in both(edit) {
            // Shown with the failure (the harness captures it otherwise).
            eprintln!("row {name:?} on {tee}");
            case.rejects_saying(kind, text);
        }
    }
}

#[test]
fn a_truncated_hcl_report_is_malformed() {
    for len in [0, 3, 0x20 + 100, 0x4D3] {
        for (_, mut case) in both(|_| {}) {
            case.evidence().hcl_report.truncate(len);
            case.rejects("truncated");
        }
    }
}

#[test]
fn the_tdreport_area_is_padded_with_zeros() {
    tdx(1, |s| s.hcl.td_area_fill = 1).rejects_saying("nonzero_reserved", "TDREPORT padding");
}

/// Step 1: the HCL report's type is the kind of endorsement the evidence carries.
#[test]
fn the_hcl_report_type_is_the_evidence_kind() {
    // An SNP report labelled TDX (its bytes after 1024 are the report's zero reserved
    // bytes, so the TDREPORT area parses) beside a VCEK.
    snp(1, |s| s.hcl.report_type = 4).rejects_saying("hcl_report_type_mismatch", "TDX");
    tdx(1, |s| s.hcl.report_type = 2).rejects_saying("hcl_report_type_mismatch", "SEV-SNP");
}

// ---------------------------------------------------------------- 2. runtime data

/// Each check of the runtime data JSON and its keys: every one is `malformed_json` with a
/// message naming what is wrong.
#[test]
fn runtime_data_is_checked() {
    let rows: Vec<(&str, SpecEdit)> = vec![
        (
            "EOF while parsing",
            Box::new(|s| s.runtime.raw = Some(br#"{"keys":"#.to_vec())),
        ),
        (
            "expected an object",
            Box::new(|s| s.runtime.raw = Some(b"[1,2]".to_vec())),
        ),
        (
            // A NUL inside the AK's modulus (Trustee's own test).
            "control character",
            Box::new(|s| {
                let text = String::from_utf8(s.runtime_data()).unwrap();
                let at = text.find("\"n\":\"").unwrap() + 10;
                let mut raw = text.into_bytes();
                raw[at] = 0;
                s.runtime.raw = Some(raw);
            }),
        ),
        (
            "keys: absent",
            Box::new(|s| s.runtime.members = vec![("keys".into(), Value::Null)]),
        ),
        (
            "keys: expected a list",
            Box::new(|s| s.runtime.members = vec![("keys".into(), json!({}))]),
        ),
        (
            r#"no key with kid "HCLAkPub""#,
            Box::new(|s| s.runtime.ak = None),
        ),
        (
            "two keys have kid",
            Box::new(|s| {
                let ak = s.runtime.ak.clone().unwrap().to_value();
                s.runtime.extra_keys.push(ak);
            }),
        ),
        (
            "keys[2]: expected a JWK object",
            Box::new(|s| s.runtime.extra_keys.push(json!("HCLAkPub"))),
        ),
        (
            r#"kty is "EC""#,
            Box::new(|s| s.runtime.ak.as_mut().unwrap().kty = "EC".into()),
        ),
        (
            r#""n" is not base64url"#,
            Box::new(|s| {
                let ak = s.runtime.ak.as_mut().unwrap();
                ak.n_text = Some(format!("{}=", hex::encode(&ak.n)));
            }),
        ),
        (
            r#""n" is absent"#,
            Box::new(|s| {
                s.runtime.ak = None;
                s.runtime
                    .extra_keys
                    .push(json!({"kid": "HCLAkPub", "kty": "RSA", "e": "AQAB"}));
            }),
        ),
        (
            // A real RSA-1024 key, and the quote really signed by it: only the size refuses.
            "HCLAkPub: a 1024-bit RSA modulus",
            Box::new(|s| {
                s.runtime.ak = Some(Jwk::rsa("HCLAkPub", "sign", &short_ak()));
                s.tpm_signer = short_ak();
            }),
        ),
        (
            "HCLAkPub: a 4104-bit RSA modulus",
            Box::new(|s| {
                let ak = s.runtime.ak.as_mut().unwrap();
                ak.n = vec![0xC3; 513];
            }),
        ),
        (
            "HCLEkPub: a 1024-bit RSA modulus",
            Box::new(|s| s.runtime.ek = Some(Jwk::rsa("HCLEkPub", "encrypt", &short_ak()))),
        ),
        (
            "not a valid RSA exponent",
            Box::new(|s| s.runtime.ak.as_mut().unwrap().e = vec![1, 0, 0]),
        ),
        (
            "not a valid RSA exponent",
            Box::new(|s| s.runtime.ak.as_mut().unwrap().e = vec![1]),
        ),
        (
            "vm-configuration: expected an object",
            Box::new(|s| s.runtime.vm_configuration = Some(json!([true]))),
        ),
        (
            "vm-configuration.secure-boot: expected true or false",
            Box::new(|s| s.runtime.vm_configuration = Some(json!({"secure-boot": "yes"}))),
        ),
        (
            "vm-configuration.vmUniqueId: expected a string",
            Box::new(|s| s.runtime.vm_configuration = Some(json!({"vmUniqueId": 5}))),
        ),
        (
            "current-time: not an integer",
            Box::new(|s| s.runtime.vm_configuration = Some(json!({"current-time": 1.5}))),
        ),
        (
            "user-data: expected hex",
            Box::new(|s| s.runtime.user_data = UserData::Text("nonce".into())),
        ),
        (
            "user-data: expected a hex string",
            Box::new(|s| s.runtime.members = vec![("user-data".into(), json!(5))]),
        ),
    ];
    for (text, edit) in &rows {
        for (tee, case) in both(edit) {
            let e = case.rejects("malformed_json");
            assert!(e.to_string().contains(text), "{tee}: {e} lacks {text:?}");
        }
    }
}

// ---------------------------------------------------------------- 3. TPM quote

/// Each structural check of the TPMS_ATTEST; the quote is signed by the AK, so the
/// parser is what refuses.
#[test]
fn tpms_attest_structure_is_checked() {
    let rows: Vec<(&str, SpecEdit, &str)> = vec![
        (
            "TPM_GENERATED_VALUE",
            Box::new(|s| s.attest.magic = 0xFF54_4348),
            "malformed_structure",
        ),
        (
            "TPM_ST_ATTEST_QUOTE",
            Box::new(|s| s.attest.attest_type = 0x8017),
            "invalid_value",
        ),
        (
            "qualifiedSigner",
            Box::new(|s| s.attest.qualified_signer = vec![0; 67]),
            "invalid_value",
        ),
        (
            "extraData",
            Box::new(|s| s.attest.extra_data = Some(vec![1; 65])),
            "invalid_value",
        ),
        (
            "clockInfo.safe",
            Box::new(|s| s.attest.safe = 2),
            "invalid_value",
        ),
        (
            "pcrSelect.count",
            Box::new(|s| s.attest.bank_count = Some(0)),
            "invalid_value",
        ),
        (
            "pcrSelect.count",
            Box::new(|s| s.attest.bank_count = Some(17)),
            "invalid_value",
        ),
        (
            "pcrSelect.sizeofSelect",
            Box::new(|s| s.attest.banks[0].bitmap = Vec::new()),
            "invalid_value",
        ),
        (
            "pcrSelect.sizeofSelect",
            Box::new(|s| s.attest.banks[0].bitmap = vec![0xFF; 5]),
            "invalid_value",
        ),
        (
            "selects no PCR",
            Box::new(|s| s.attest.banks[0].bitmap = vec![0; 3]),
            "invalid_value",
        ),
        (
            "pcrDigest",
            Box::new(|s| s.attest.pcr_digest = Some(vec![0; 65])),
            "invalid_value",
        ),
        (
            "TPMS_ATTEST",
            Box::new(|s| s.attest.trailing = vec![0]),
            "trailing_data",
        ),
    ];
    for (text, edit, kind) in &rows {
        for (_, case) in both(edit) {
            case.rejects_saying(kind, text);
        }
    }
    // Cut anywhere, the structure is incomplete (inside each field in turn).
    for len in [0, 3, 5, 20, 43, 60, 75, 80, 90, 121] {
        for (_, mut case) in both(|_| {}) {
            assert!(case.evidence().tpm_quote.message.len() > len);
            case.evidence().tpm_quote.message.truncate(len);
            case.rejects("truncated");
        }
    }
}

/// Step 3: only the AK's signature over the exact TPMS_ATTEST is accepted.
#[test]
fn the_tpm_quote_is_signed_by_the_ak() {
    // Signed by the EK (another key the runtime data holds), and by the RSA-1024 key.
    for (_, case) in both(|s| s.tpm_signer = ek()) {
        case.rejects_saying("evidence_signature", "HCLAkPub");
    }
    for (_, case) in both(|s| s.tpm_signer = short_ak()) {
        case.rejects("evidence_signature");
    }
    // The runtime data names the EK as HCLAkPub (the hardware report binds that runtime
    // data, so only the quote signature can tell).
    for (_, case) in both(|s| s.runtime.ak = Some(Jwk::rsa("HCLAkPub", "sign", &ek()))) {
        case.rejects("evidence_signature");
    }
    // The signature or the message changed after signing; a signature cut short.
    let edits: [fn(&mut AzureEvidence); 4] = [
        |e| e.tpm_quote.signature[0] ^= 1,
        |e| e.tpm_quote.signature[255] ^= 1,
        |e| e.tpm_quote.message[60] ^= 1,
        |e| {
            e.tpm_quote.signature.pop();
        },
    ];
    for edit in edits {
        for (_, mut case) in both(|_| {}) {
            edit(case.evidence());
            case.rejects("evidence_signature");
        }
    }
}

// ---------------------------------------------------------------- 4. nonce

#[test]
fn the_quote_answers_the_callers_nonce() {
    // A quote over another nonce, signed correctly.
    for (_, case) in both(|s| s.attest.extra_data = Some(b"an older nonce".to_vec())) {
        let e = case.rejects("unexpected_nonce");
        assert!(
            e.to_string().contains(&hex::encode(b"an older nonce")),
            "{e}"
        );
    }
    // The caller expects another nonce.
    for (_, mut case) in both(|_| {}) {
        case.snp.nonce = Some(b"challenge".to_vec());
        case.tdx.nonce = Some(b"challenge".to_vec());
        case.rejects("unexpected_nonce");
    }
    // The nonce and one byte more: byte for byte means full length.
    for (_, case) in both(|s| {
        let mut longer = s.nonce.clone();
        longer.push(0);
        s.attest.extra_data = Some(longer);
    }) {
        case.rejects("unexpected_nonce");
    }
    // Without an expected nonce the quote's is only a claim.
    for (_, mut case) in both(|s| s.attest.extra_data = Some(b"whatever".to_vec())) {
        case.snp.nonce = None;
        case.tdx.nonce = None;
        assert_eq!(case.verifies().claims().tpm.nonce, hex::encode(b"whatever"));
    }
}

// ---------------------------------------------------------------- 5. PCRs

#[test]
fn the_pcr_values_digest_to_the_quoted_digest() {
    // A supplied value differs from the one quoted.
    for (_, mut case) in both(|_| {}) {
        case.evidence().tpm_quote.pcrs[7][0] ^= 1;
        case.rejects("pcr_digest_mismatch");
    }
    // The quote's pcrDigest is of other values (signed correctly).
    for (_, case) in both(|s| s.attest.pcr_digest = Some(vec![0x42; 32])) {
        case.rejects_saying("pcr_digest_mismatch", &hex::encode([0x42; 32]));
    }
    // The values supplied are the quoted ones in another order.
    for (_, mut case) in both(|_| {}) {
        case.evidence().tpm_quote.pcrs.swap(0, 1);
        case.rejects("pcr_digest_mismatch");
    }
}

#[test]
fn the_pcr_count_must_fit_the_selection() {
    // 23 values for 24 selected PCRs (PCR23 dropped).
    for (_, case) in both(|s| s.supplied_pcrs = Some(s.pcrs[..23].to_vec())) {
        case.rejects("pcr_count_mismatch");
    }
    // PCR 0 to 7 selected: 8 values, or the whole bank by index, verify; 10 do not.
    let eight = |s: &mut AzureSpec| s.attest.banks[0].bitmap = vec![0xFF, 0, 0];
    for (_, case) in both(|s| {
        eight(s);
        s.supplied_pcrs = Some(s.pcrs[..8].to_vec());
    }) {
        assert_eq!(case.verifies().claims().tpm.pcrs.len(), 8);
    }
    for (_, case) in both(eight) {
        let v = case.verifies();
        assert_eq!(v.claims().tpm.pcr_selection, (0..8).collect::<Vec<u8>>());
    }
    for (_, case) in both(|s| {
        eight(s);
        s.supplied_pcrs = Some(s.pcrs[..10].to_vec());
    }) {
        case.rejects("pcr_count_mismatch");
    }
    // PCRs 24 to 31 selected: the 24 values given hold none of them.
    for (_, case) in both(|s| s.attest.banks[0].bitmap = vec![0, 0, 0, 0xFF]) {
        case.rejects("pcr_count_mismatch");
    }
}

#[test]
fn only_one_sha256_bank_is_read() {
    for (_, case) in both(|s| s.attest.banks[0].hash = TPM_ALG_SHA1) {
        case.rejects_saying("unsupported_pcr_selection", "other than SHA-256");
    }
    for (_, case) in both(|s| {
        s.attest.banks.push(PcrBank {
            hash: TPM_ALG_SHA1,
            bitmap: vec![0xFF; 3],
        })
    }) {
        case.rejects_saying("unsupported_pcr_selection", "several PCR banks");
    }
    for (_, case) in both(|s| s.attest.pcr_digest = Some(vec![0; 20])) {
        case.rejects_saying("unsupported_pcr_selection", "not a SHA-256 digest");
    }
}

#[test]
fn without_pcr_values_the_digest_is_unchecked_and_said_so() {
    for (_, case) in both(|s| s.supplied_pcrs = Some(Vec::new())) {
        let v = case.verifies();
        assert!(!v.claims().tpm.pcrs_verified);
        assert!(v.claims().tpm.pcrs.is_empty());
        assert!(has_warning(&v, "pcr_values_absent"));
    }
}

// ---------------------------------------------------------------- 6. binding

#[test]
fn the_hardware_report_binds_the_runtime_data() {
    // report_data of other runtime data, under a valid SNP signature / TD quote signature.
    let mut other = [0u8; 64];
    other[..32].copy_from_slice(&sha256(b"other runtime data"));
    snp(1, |s| s.report_data = Some(other)).rejects_saying("runtime_data_binding", "SEV-SNP");
    tdx(1, |s| s.report_data = Some(other)).rejects_saying("runtime_data_binding", "TD quote");
    // Runtime data edited after the report was made (the VM id), AK unchanged.
    for (_, mut case) in both(|_| {}) {
        let text = String::from_utf8(case.built.runtime_data.clone()).unwrap();
        let at = 0x4D4 + text.find(r#""vmUniqueId":""#).unwrap() + 14;
        case.evidence().hcl_report[at] ^= 1;
        case.rejects("runtime_data_binding");
    }
    // Only report_data[0..32] binds; the second half is not read.
    for (_, case) in both(|s| {
        let mut data = [0x99; 64];
        data[..32].copy_from_slice(&sha256(&s.runtime_data()));
        s.report_data = Some(data);
    }) {
        case.verifies();
    }
}

// ---------------------------------------------------------------- 7. v2 user-data

#[test]
fn version_2_user_data_carries_the_nonce() {
    type UserDataOf = fn(&[u8]) -> UserData;
    let bad: [(&str, UserDataOf); 4] = [
        ("absent", |_| UserData::Absent),
        ("zero", |_| UserData::Zero),
        ("another nonce", |_| UserData::Text(hex::encode([0x5A; 64]))),
        ("half the nonce", |n| {
            UserData::Text(hex::encode(&n[..n.len() / 2]))
        }),
    ];
    for (name, user_data) in bad {
        for version_2 in [AzureSpec::snp(2), AzureSpec::tdx(2)] {
            let case = Case::from(version_2.with(|s| s.runtime.user_data = user_data(&s.nonce)));
            let e = case.rejects("user_data_nonce_mismatch");
            assert!(
                e.to_string().contains(&hex::encode(&case.built.nonce)),
                "{name}: {e}"
            );
        }
    }
    // The nonce exactly, without the zero padding: a prefix is what is asked.
    let v = snp(2, |s| {
        s.runtime.user_data = UserData::Text(hex::encode(&s.nonce))
    })
    .verifies();
    assert!(v.claims().azure.hcl_report_fresh);
}

#[test]
fn version_2_with_an_empty_extra_data_is_not_fresh() {
    // The caller asked for (and the quote answers) the empty nonce: user-data cannot
    // carry it, so version 2's freshness claim would be empty.
    for spec in [AzureSpec::snp(2), AzureSpec::tdx(2)] {
        let mut case = Case::from(spec.with(|s| s.nonce = Vec::new()));
        case.snp.nonce = Some(Vec::new());
        case.tdx.nonce = Some(Vec::new());
        case.rejects("user_data_nonce_mismatch");
    }
}

#[test]
fn versions_0_and_1_do_not_read_user_data() {
    for version in [0, 1] {
        let v = snp(version, |s| s.runtime.user_data = UserData::Nonce).verifies();
        assert!(!v.claims().azure.hcl_report_fresh);
        assert!(has_warning(&v, "hcl_report_not_fresh"));
    }
    // Version 2 semantics on version 1 data (README V1): user-data is all zero.
    let mut case = snp(1, |_| {});
    case.evidence().version = 2;
    case.rejects("user_data_nonce_mismatch");
}

// ---------------------------------------------------------------- 8. SNP report

#[test]
fn the_snp_report_verifies_by_the_snp_path() {
    // The report's signature, and a field changed after signing.
    for at in [0x20 + 0x2A0, 0x20 + 0x90] {
        let mut case = snp(1, |_| {});
        case.evidence().hcl_report[at] ^= 1;
        case.rejects("evidence_signature");
    }
    // Re-signed, but CHIP_ID is another chip's, or the reported TCB is not the VCEK's.
    snp(1, |s| s.snp_mut().report.chip_id[0] ^= 1).rejects("chip_id_mismatch");
    snp(1, |s| {
        let report = &mut s.snp_mut().report;
        let mut parts = report.reported_tcb.parts(Product::Milan);
        parts.snp += 1;
        report.reported_tcb = verifier::snp::TcbVersion::from_parts(parts, Product::Milan);
    })
    .rejects("tcb_mismatch");
    // The SNP options apply.
    let mut case = snp(1, |_| {});
    case.snp.snp.measurement = Some([0; 48]);
    case.rejects("unexpected_measurement");
}

#[test]
fn vcek_chain_issues_flow_through() {
    let now = testvectors::pki::time::DEFAULT_NOW;
    let expired = AmdPki::builder(Product::Milan)
        .override_vcek(|c| c.not_after = now - 10)
        .build();
    for carried in [true, false] {
        let pki = expired.clone();
        snp(1, move |s| {
            let hw = s.snp_mut();
            hw.pki = pki;
            hw.vcek_in_evidence = carried;
        })
        .rejects("certificate_expired");
    }
    // Another product's root pinned instead.
    let mut case = snp(1, |_| {});
    case.built.anchors.amd_ark = vec![(
        Product::Genoa,
        AmdPki::cached(Product::Genoa).ark_spki_sha256(),
    )];
    case.rejects("untrusted_root");
    // No VCEK anywhere: the collateral names it.
    let mut case = snp(1, |s| s.snp_mut().vcek_in_evidence = false);
    let pki = AmdPki::cached(Product::Milan);
    case.built.bundle = testvectors::bundle_from_bytes(&[pki.ask_ark_pem().into_bytes()]);
    case.rejects("missing_collateral");
    // A VCEK that is not DER.
    let mut case = snp(1, |_| {});
    case.evidence().hardware = AzureHardware::Snp {
        vcek: Some(b"not a certificate".to_vec()),
    };
    // "no" reads as a tag and a length of 111: the DER ends before its content.
    assert_eq!(
        case.rejects("truncated").class(),
        verifier::ErrorClass::Malformed
    );
}

// ---------------------------------------------------------------- 8. TD quote

#[test]
fn the_td_quote_verifies_by_the_tdx_path() {
    let pki = IntelPki::cached();
    // A body byte changed after signing (MRTD: the binding still holds).
    let mut case = tdx(1, |_| {});
    let AzureHardware::Tdx { td_quote } = &mut case.evidence().hardware else {
        unreachable!()
    };
    td_quote[48 + 136] ^= 1;
    case.rejects("evidence_signature");
    // The TCB, through the fake collateral: Revoked rejects, OutOfDate is a claim.
    let revoked = Collateral::new(
        pki,
        &TcbInfoSpec::tdx_default().with(|t| t.tcb_levels[0].tcb_status = "Revoked".into()),
        &QeIdentitySpec::tdx_default(),
    );
    tdx(1, |s| s.tdx_mut().collateral = revoked).rejects("tcb_revoked");
    let out_of_date = Collateral::new(
        pki,
        &TcbInfoSpec::tdx_default().with(|t| t.tcb_levels[0].tcb_status = "OutOfDate".into()),
        &QeIdentitySpec::tdx_default(),
    );
    let mut case = tdx(1, |s| s.tdx_mut().collateral = out_of_date);
    let v = case.verifies();
    let HardwareClaims::Tdx(td) = &v.claims().hardware else {
        panic!("not TDX")
    };
    assert_eq!(td.platform.tcb_status, TcbStatus::OutOfDate);
    case.tdx.tdx.allowed_tcb_statuses = vec![TcbStatus::UpToDate];
    case.rejects("tcb_status_not_allowed");
    // The TDX options apply.
    let mut case = tdx(1, |_| {});
    case.tdx.tdx.mr_td = Some([0; 48]);
    case.rejects("unexpected_mr_td");
    // No collateral.
    let mut case = tdx(1, |_| {});
    case.built.bundle = verifier::collateral::Bundle::new();
    case.rejects("missing_collateral");
    // An SGX quote is no TD's.
    tdx(1, |s| s.tdx_mut().quote = QuoteSpec::sgx_v4_default()).rejects("tee_mismatch");
}

// ---------------------------------------------------------------- 9. TDREPORT

#[test]
fn the_tdreport_equals_the_quote_body_in_every_field() {
    use td_report::*;
    // (field, offset, width)
    let fields = [
        ("REPORTDATA", REPORT_DATA, 64),
        ("TEE_TCB_SVN", TEE_TCB_SVN, 16),
        ("MRSEAM", MR_SEAM, 48),
        ("MRSIGNERSEAM", MR_SIGNER_SEAM, 48),
        ("SEAMATTRIBUTES", SEAM_ATTRIBUTES, 8),
        ("TDATTRIBUTES", TD_ATTRIBUTES, 8),
        ("XFAM", XFAM, 8),
        ("MRTD", MR_TD, 48),
        ("MRCONFIGID", MR_CONFIG_ID, 48),
        ("MROWNER", MR_OWNER, 48),
        ("MROWNERCONFIG", MR_OWNER_CONFIG, 48),
        ("RTMR0", RTMR0, 48),
        ("RTMR1", RTMR0 + 48, 48),
        ("RTMR2", RTMR0 + 96, 48),
        ("RTMR3", RTMR0 + 144, 48),
    ];
    for (field, at, width) in fields {
        // The first and the last byte, so a comparison over a short range fails too.
        for offset in [at, at + width - 1] {
            let e = tdx(1, |s| s.tdx_mut().td_report_flips = vec![offset])
                .rejects("td_report_mismatch");
            assert!(e.to_string().contains(field), "{field}: {e}");
        }
    }
    tdx(1, |s| s.tdx_mut().report_type = 0).rejects_saying("td_report_mismatch", "REPORTTYPE");
    // What the quote does not carry (CPUSVN, MAC) is not compared.
    tdx(1, |s| s.tdx_mut().td_report_flips = vec![CPUSVN, MAC]).verifies();
}

// ---------------------------------------------------------------- expectations of the wrong kind

#[test]
fn expectations_of_another_kind_are_tee_mismatch() {
    let snp = AzureSpec::snp(1).build();
    let tdx = AzureSpec::tdx(1).build();
    let refused = [
        (&snp, Expectations::azure_tdx(tdx.tdx_options())),
        (&snp, Expectations::snp(Default::default())),
        (&tdx, Expectations::azure_snp(snp.snp_options())),
        (&tdx, Expectations::tdx(Default::default())),
    ];
    for (built, expectations) in refused {
        for provider in all_providers() {
            let verifier = Verifier::with_provider(built.anchors.clone(), provider);
            let e = verifier
                .verify(
                    &Evidence::Azure(Box::new(built.evidence.clone())),
                    &built.bundle,
                    &expectations,
                    from_secs(built.now),
                )
                .unwrap_err();
            assert_eq!(e.kind(), "tee_mismatch", "{e}");
        }
    }
    // The kind-specific entry points refuse the other kind's evidence too.
    let verifier = Verifier::new(snp.anchors.clone());
    let e = verifier
        .verify_azure_tdx(
            &snp.evidence,
            &snp.bundle,
            &snp.tdx_options(),
            from_secs(snp.now),
        )
        .unwrap_err();
    assert_eq!(e.kind(), "tee_mismatch", "{e}");
    let verifier = Verifier::new(tdx.anchors.clone());
    let e = verifier
        .verify_azure_snp(
            &tdx.evidence,
            &tdx.bundle,
            &tdx.snp_options(),
            from_secs(tdx.now),
        )
        .unwrap_err();
    assert_eq!(e.kind(), "tee_mismatch", "{e}");
}

#[test]
fn a_different_fake_intel_root_is_untrusted() {
    let mut case = tdx(1, |_| {});
    case.built.anchors.intel_root = vec![[0x11; 32]];
    case.rejects("untrusted_root");
}
