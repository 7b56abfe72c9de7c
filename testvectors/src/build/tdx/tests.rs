//! Layout checks of the quote builder against `shared/notes/tdx.md` §(a) and of the
//! collateral outputs against the real files' shapes.

use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey as _;
use sha2::{Digest, Sha256};

use super::*;
use crate::pki::intel::IntelPki;

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().expect("2 bytes"))
}

fn u32_at(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes")) as usize
}

fn raw_verifies(public_xy: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let key = VerifyingKey::from_sec1_bytes(&[&[0x04][..], public_xy].concat()).expect("point");
    let sig = Signature::from_slice(signature).expect("r || s");
    key.verify(message, &sig).is_ok()
}

/// Walks a v4/v5 quote as a verifier would and checks every binding.
fn check_v4_layout(quote: &[u8], pki: &IntelPki, sig_len_at: usize) {
    assert_eq!(u16_at(quote, 2), ATT_KEY_TYPE_ECDSA_P256);
    assert_eq!(&quote[12..28], &INTEL_QE_VENDOR_ID);
    assert_eq!(&quote[28..44], &DEFAULT_QE_ID);
    let sig_len = u32_at(quote, sig_len_at);
    let s = sig_len_at + 4;
    assert_eq!(s + sig_len, quote.len(), "no trailing bytes by default");
    let (signature, key) = (&quote[s..s + 64], &quote[s + 64..s + 128]);
    assert_eq!(key, pki.attestation_key.p256_public_raw());
    assert!(raw_verifies(key, &quote[..sig_len_at], signature));
    assert_eq!(u16_at(quote, s + 128), CERT_TYPE_QE_REPORT);
    assert_eq!(u32_at(quote, s + 130), sig_len - 134);
    let qe_report = &quote[s + 134..s + 518];
    let qe_sig = &quote[s + 518..s + 582];
    let pck_key = VerifyingKey::from_public_key_der(&pki.specs.pck.spki_der()).expect("PCK key");
    pck_key
        .verify(qe_report, &Signature::from_slice(qe_sig).expect("r || s"))
        .expect("QE report signed by the PCK key");
    let auth_len = usize::from(u16_at(quote, s + 582));
    assert_eq!(auth_len, 32);
    let auth = &quote[s + 584..s + 584 + auth_len];
    let binding = Sha256::new()
        .chain_update(key)
        .chain_update(auth)
        .finalize();
    assert_eq!(&qe_report[320..352], &binding[..]);
    assert_eq!(&qe_report[352..384], &[0; 32]);
    let c = s + 584 + auth_len;
    assert_eq!(u16_at(quote, c), CERT_TYPE_PCK_CHAIN);
    let chain = &quote[c + 6..c + 6 + u32_at(quote, c + 2)];
    assert_eq!(c + 6 + chain.len(), quote.len());
    assert_eq!(chain.last(), Some(&0));
    assert_eq!(&chain[..chain.len() - 1], pki.pck_chain_pem().as_bytes());
}

#[test]
fn tdx_quotes_follow_the_documented_offsets() {
    let pki = IntelPki::cached();
    let v4 = QuoteSpec::tdx_v4_default().build(pki);
    assert_eq!(&v4[..8], &[4, 0, 2, 0, 0x81, 0, 0, 0]);
    check_v4_layout(&v4, pki, 632);
    // TEE_TCB_SVN at 48, TDATTRIBUTES at 48 + 120.
    assert_eq!(&v4[48..64], &DEFAULT_TEE_TCB_SVN);
    assert_eq!(&v4[168..176], &TD_ATTR_SEPT_VE_DISABLE.to_le_bytes());

    let td15 = QuoteSpec::tdx_v5_td15_default().build(pki);
    assert_eq!(u16_at(&td15, 48), 3);
    assert_eq!(u32_at(&td15, 50), TD15_REPORT_LEN);
    check_v4_layout(&td15, pki, 702);
    assert_eq!(&td15[54 + 584..54 + 600], &DEFAULT_TEE_TCB_SVN);

    let td10 = QuoteSpec::tdx_v5_td10_default().build(pki);
    assert_eq!((u16_at(&td10, 48), u32_at(&td10, 50)), (2, TD10_REPORT_LEN));
    check_v4_layout(&td10, pki, 638);

    let sgx4 = QuoteSpec::sgx_v4_default().build(pki);
    assert_eq!(&sgx4[4..8], &[0; 4]);
    check_v4_layout(&sgx4, pki, 48 + 384);
}

#[test]
fn sgx_v3_quote_has_the_flat_layout() {
    let pki = IntelPki::cached();
    let built = QuoteSpec::sgx_v3_default().build_with_offsets(pki);
    let q = &built.bytes;
    assert_eq!(&q[..12], &[3, 0, 2, 0, 0, 0, 0, 0, 8, 0, 13, 0]);
    let s = 436;
    assert_eq!(built.offsets.sig_data_len, 432);
    assert_eq!(built.offsets.outer_cert_data, None);
    assert_eq!(built.offsets.qe_report, s + 128);
    assert_eq!(built.offsets.qe_auth_data_len, s + 128 + 384 + 64);
    assert_eq!(u16_at(q, built.offsets.cert_data), CERT_TYPE_PCK_CHAIN);
    assert!(raw_verifies(&q[s + 64..s + 128], &q[..432], &q[s..s + 64]));
    assert_eq!(u32_at(q, 432), q.len() - s);
}

#[test]
fn overrides_padding_and_post_signing_changes() {
    let pki = IntelPki::cached();
    let built = QuoteSpec::tdx_v4_default()
        .with(|q| {
            q.trailing_padding = 70;
            q.qe_auth_data = vec![9; 20];
            q.cert_data_type = 4;
            q.cert_data = Some(pki.pck.clone());
        })
        .build_with_offsets(pki);
    let o = built.offsets;
    assert_eq!(built.bytes.len(), o.sig_data_end + 70);
    assert!(built.bytes[o.sig_data_end..].iter().all(|b| *b == 0));
    assert_eq!(u16_at(&built.bytes, o.qe_auth_data_len), 20);
    assert_eq!(u16_at(&built.bytes, o.cert_data), 4);
    assert_eq!(
        &built.bytes[o.cert_data + 6..o.sig_data_end],
        pki.pck.as_slice()
    );

    let mut changed = built.clone();
    changed
        .set_u16(o.outer_cert_data.expect("v4"), 5)
        .set_u32(o.sig_data_len, 1);
    assert_eq!(u16_at(&changed.bytes, o.outer_cert_data.unwrap()), 5);
    assert_eq!(u32_at(&changed.bytes, o.sig_data_len), 1);

    // Re-signing after a body change keeps the quote signature valid.
    let mut resigned = built.clone();
    let key = &resigned.bytes[o.attestation_key..o.attestation_key + 64].to_vec();
    resigned.flip_byte(o.body);
    let range = resigned.signed_range();
    let sig = resigned.bytes[o.quote_signature..o.quote_signature + 64].to_vec();
    assert!(!raw_verifies(key, &resigned.bytes[range.clone()], &sig));
    resigned.resign_quote(&pki.attestation_key);
    let sig = &resigned.bytes[o.quote_signature..o.quote_signature + 64];
    assert!(raw_verifies(key, &resigned.bytes[range], sig));
}

#[test]
fn v5_descriptor_overrides_and_raw_bodies() {
    let pki = IntelPki::cached();
    let q = QuoteSpec::tdx_v5_td15_default()
        .with(|q| {
            q.body_type_override = Some(2);
            q.body_size_override = Some(584);
        })
        .build(pki);
    assert_eq!((u16_at(&q, 48), u32_at(&q, 50)), (2, 584));
    let raw = QuoteSpec::tdx_v5_td15_default()
        .with(|q| {
            q.body = QuoteBody::Raw {
                body_type: 4,
                bytes: vec![0; 885],
            }
        })
        .build_with_offsets(pki);
    assert_eq!(raw.offsets.body_len, 885);
    assert_eq!(raw.offsets.sig_data_len, 54 + 885);
}

#[test]
fn signed_json_bodies_verify_over_the_inner_bytes() {
    let pki = IntelPki::cached();
    let vk = VerifyingKey::from_public_key_der(&pki.specs.tcb_signing.spki_der()).expect("key");
    for (signed, field) in [
        (TcbInfoSpec::tdx_default().signed(pki), "tcbInfo"),
        (TcbInfoSpec::sgx_v2_default().signed(pki), "tcbInfo"),
        (QeIdentitySpec::sgx_default().signed(pki), "enclaveIdentity"),
        (SignedJson::sign(pki, "tcbInfo", "{not json"), "tcbInfo"),
    ] {
        let body = String::from_utf8(signed.body()).expect("UTF-8");
        let prefix = format!("{{\"{field}\":{}", signed.inner);
        assert!(body.starts_with(&prefix));
        assert_eq!(
            body[prefix.len()..],
            format!(",\"signature\":\"{}\"}}", signed.signature_hex())
        );
        let sig = Signature::from_slice(&signed.signature).expect("64 bytes");
        vk.verify(signed.inner.as_bytes(), &sig).expect("verifies");
        let bad = signed.clone().corrupt_signature();
        let bad = Signature::from_slice(&bad.signature).expect("64 bytes");
        assert!(vk.verify(signed.inner.as_bytes(), &bad).is_err());
    }
}

#[test]
fn quote_collateral_v3_json_has_the_real_field_order() {
    let pki = IntelPki::cached();
    let collateral = Collateral::tdx_default(pki);
    let json = collateral.to_quote_collateral_v3_json();
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let keys: Vec<_> = json
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('"'))
        .map(|l| l.split('"').next().expect("key"))
        .collect();
    assert_eq!(
        keys,
        [
            "pck_crl_issuer_chain",
            "root_ca_crl",
            "pck_crl",
            "tcb_info_issuer_chain",
            "tcb_info",
            "tcb_info_signature",
            "qe_identity_issuer_chain",
            "qe_identity",
            "qe_identity_signature"
        ]
    );
    assert!(json.starts_with("{\n  \"pck_crl_issuer_chain\": \"-----BEGIN CERTIFICATE-----\\n"));
    assert!(json.ends_with("\"\n}"));
    assert_eq!(value["tcb_info"], collateral.tcb_info.inner.as_str());
    assert_eq!(value["pck_crl"], hex::encode(&collateral.pck_crl).as_str());
    assert_eq!(
        value["qe_identity_signature"].as_str().map(str::len),
        Some(128)
    );

    let files = collateral.files();
    let names: Vec<_> = files.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, COLLATERAL_FILES);
    let dir = std::env::temp_dir().join(format!("verdict-tdx-collateral-{}", std::process::id()));
    collateral.write_dir(&dir).expect("write");
    for (name, bytes) in files {
        assert_eq!(std::fs::read(dir.join(name)).expect("read"), bytes);
    }
    std::fs::remove_dir_all(&dir).expect("clean up");
}
