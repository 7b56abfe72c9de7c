//! [`QuoteSpec`]: Intel DCAP ECDSA quotes v3 (SGX), v4 (SGX or TDX) and v5 (body
//! descriptor), signed by the fake PKI's attestation and PCK keys (`shared/notes/tdx.md`
//! §(a)).
//!
//! Layout: header (48) ‖ v5 body descriptor (type u16, size u32) ‖ body ‖ sig_data_len
//! (u32) ‖ signature data ‖ trailing padding. Signature data, v4/v5: quote signature (64,
//! r‖s over every byte before sig_data_len) ‖ attestation key (64, x‖y) ‖ type 6 ‖ size ‖
//! [QE report (384) ‖ QE report signature (64, PCK key) ‖ auth data length (u16) ‖ auth data
//! ‖ type 5 ‖ size ‖ PCK chain PEM NUL-terminated]. v3 has the bracketed part directly after
//! the attestation key. QE report data = SHA-256(attestation key ‖ auth data) ‖ 32 zeros.

use core::ops::Range;

use sha2::{Digest, Sha256};

use super::qe_identity::SGX_QE_ISVSVN;
use super::report::{SgxReportBody, TdReport10, TdReport15};
use crate::pki::intel::sgx_ext::DEFAULT_PCESVN;
use crate::pki::intel::IntelPki;
use crate::pki::PrivateKey;

/// Intel's QE vendor ID (`939A7233-F79C-4CA9-940A-0DB3957F0607`).
pub const INTEL_QE_VENDOR_ID: [u8; 16] = [
    0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C, 0x4C, 0xA9, 0x94, 0x0A, 0x0D, 0xB3, 0x95, 0x7F, 0x06, 0x07,
];
/// Attestation key type ECDSA-256-with-P-256.
pub const ATT_KEY_TYPE_ECDSA_P256: u16 = 2;
/// TEE type SGX.
pub const TEE_TYPE_SGX: u32 = 0;
/// TEE type TDX.
pub const TEE_TYPE_TDX: u32 = 0x81;
/// Certification data type 1: the PPID in clear text ‖ CPUSVN ‖ PCESVN ‖ PCE-ID.
pub const CERT_TYPE_PPID_CLEARTEXT: u16 = 1;
/// Certification data type 2: the PPID encrypted with RSA-2048-OAEP (256 bytes) ‖ CPUSVN ‖
/// PCESVN ‖ PCE-ID.
pub const CERT_TYPE_PPID_RSA2048: u16 = 2;
/// Certification data type 3: the PPID encrypted with RSA-3072-OAEP (384 bytes) ‖ CPUSVN ‖
/// PCESVN ‖ PCE-ID.
pub const CERT_TYPE_PPID_RSA3072: u16 = 3;
/// Certification data type 4: the PCK leaf certificate (PEM).
pub const CERT_TYPE_PCK_LEAF: u16 = 4;
/// Certification data type 5: PCK certificate chain (PEM).
pub const CERT_TYPE_PCK_CHAIN: u16 = 5;
/// Certification data type 6: QE report certification data (v4/v5 outer wrapper).
pub const CERT_TYPE_QE_REPORT: u16 = 6;
/// Length of the quote header.
pub const HEADER_LEN: usize = 48;

/// The QE-ID written in the first 16 bytes of the header's user data.
pub const DEFAULT_QE_ID: [u8; 16] = *b"verdict-qe-id-01";

/// A quote body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteBody {
    /// An SGX enclave report (v5 body type 1).
    Sgx(SgxReportBody),
    /// A TD 1.0 report (v5 body type 2).
    Td10(TdReport10),
    /// A TD 1.5 report (v5 body type 3).
    Td15(TdReport15),
    /// Arbitrary bytes with an arbitrary v5 body type (e.g. 4 = TD 1.5ex, or garbage).
    Raw {
        /// The v5 descriptor's type.
        body_type: u16,
        /// The body.
        bytes: Vec<u8>,
    },
}

impl QuoteBody {
    /// The v5 body descriptor type.
    pub fn body_type(&self) -> u16 {
        match self {
            Self::Sgx(_) => 1,
            Self::Td10(_) => 2,
            Self::Td15(_) => 3,
            Self::Raw { body_type, .. } => *body_type,
        }
    }

    /// The encoded body.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Self::Sgx(b) => b.to_bytes(),
            Self::Td10(b) => b.to_bytes(),
            Self::Td15(b) => b.to_bytes(),
            Self::Raw { bytes, .. } => bytes.clone(),
        }
    }

    /// The enclave report of an SGX body.
    pub fn sgx_mut(&mut self) -> Option<&mut SgxReportBody> {
        match self {
            Self::Sgx(b) => Some(b),
            Self::Td10(_) | Self::Td15(_) | Self::Raw { .. } => None,
        }
    }

    /// The TD 1.0 fields of a TD body (also of a TD 1.5 one).
    pub fn td10_mut(&mut self) -> Option<&mut TdReport10> {
        match self {
            Self::Td10(b) => Some(b),
            Self::Td15(b) => Some(&mut b.base),
            Self::Sgx(_) | Self::Raw { .. } => None,
        }
    }
}

/// A quote before signing. Every field is written as given; the signatures and the QE
/// report binding are computed by [`QuoteSpec::build`], so a changed spec is re-signed.
#[derive(Debug, Clone)]
pub struct QuoteSpec {
    /// version @0 (3, 4 or 5; ≥ 5 writes the body descriptor, 3 the v3 signature layout).
    pub version: u16,
    /// att_key_type @2.
    pub att_key_type: u16,
    /// tee_type @4.
    pub tee_type: u32,
    /// reserved @8 (v3: QE SVN u16 ‖ PCE SVN u16).
    pub reserved: [u8; 4],
    /// qe_vendor_id @12.
    pub qe_vendor_id: [u8; 16],
    /// user_data @28 (QE-ID ‖ 4 zero bytes).
    pub user_data: [u8; 20],
    /// The body.
    pub body: QuoteBody,
    /// v5 descriptor type written instead of the body's.
    pub body_type_override: Option<u16>,
    /// v5 descriptor size written instead of the body's length.
    pub body_size_override: Option<u32>,
    /// The QE report (its `reportdata` is replaced by the binding unless
    /// `qe_report_data` is set).
    pub qe_report: SgxReportBody,
    /// QE report data written instead of SHA-256(attestation key ‖ auth data) ‖ zeros.
    pub qe_report_data: Option<[u8; 64]>,
    /// QE authentication data (32 bytes in every real quote).
    pub qe_auth_data: Vec<u8>,
    /// Outer certification data type (v4/v5): 6.
    pub outer_cert_data_type: u16,
    /// Inner certification data type: 5.
    pub cert_data_type: u16,
    /// Certification data written instead of the PKI's PCK chain PEM + NUL.
    pub cert_data: Option<Vec<u8>>,
    /// Key that signs the quote and whose public half is embedded (default: the PKI's
    /// attestation key).
    pub attestation_key: Option<PrivateKey>,
    /// Attestation public key (x‖y) embedded instead of the signing key's.
    pub attestation_pubkey_override: Option<[u8; 64]>,
    /// Key that signs the QE report (default: the PKI's PCK key).
    pub qe_report_signing_key: Option<PrivateKey>,
    /// Zero bytes appended after the signature data (real quotes carry 39 to 3065).
    pub trailing_padding: usize,
}

impl QuoteSpec {
    fn base(version: u16, tee_type: u32, body: QuoteBody, qe_report: SgxReportBody) -> Self {
        let mut user_data = [0u8; 20];
        user_data[..16].copy_from_slice(&DEFAULT_QE_ID);
        Self {
            version,
            att_key_type: ATT_KEY_TYPE_ECDSA_P256,
            tee_type,
            reserved: [0; 4],
            qe_vendor_id: INTEL_QE_VENDOR_ID,
            user_data,
            body,
            body_type_override: None,
            body_size_override: None,
            qe_report,
            qe_report_data: None,
            qe_auth_data: (0..32).collect(),
            outer_cert_data_type: CERT_TYPE_QE_REPORT,
            cert_data_type: CERT_TYPE_PCK_CHAIN,
            cert_data: None,
            attestation_key: None,
            attestation_pubkey_override: None,
            qe_report_signing_key: None,
            trailing_padding: 0,
        }
    }

    /// A v4 TDX quote with a TD 1.0 body ([`TdReport10::production`]) and the TD-QE report.
    pub fn tdx_v4_default() -> Self {
        Self::base(
            4,
            TEE_TYPE_TDX,
            QuoteBody::Td10(TdReport10::production()),
            SgxReportBody::td_qe(),
        )
    }

    /// A v5 TDX quote with a TD 1.5 body (body type 3, TEE_TCB_SVN2 = TEE_TCB_SVN).
    pub fn tdx_v5_td15_default() -> Self {
        Self::base(
            5,
            TEE_TYPE_TDX,
            QuoteBody::Td15(TdReport15::production()),
            SgxReportBody::td_qe(),
        )
    }

    /// A v5 TDX quote with a TD 1.0 body (body type 2).
    pub fn tdx_v5_td10_default() -> Self {
        Self {
            version: 5,
            ..Self::tdx_v4_default()
        }
    }

    /// A v3 SGX quote ([`SgxReportBody::enclave`], the SGX QE report); the reserved header
    /// field holds the QE SVN and PCE SVN, as v3 quotes do.
    pub fn sgx_v3_default() -> Self {
        let mut spec = Self::base(
            3,
            TEE_TYPE_SGX,
            QuoteBody::Sgx(SgxReportBody::enclave()),
            SgxReportBody::sgx_qe(),
        );
        spec.reserved[..2].copy_from_slice(&SGX_QE_ISVSVN.to_le_bytes());
        spec.reserved[2..].copy_from_slice(&DEFAULT_PCESVN.to_le_bytes());
        spec
    }

    /// A v4 SGX quote (v4 signature layout with the type 6 wrapper).
    pub fn sgx_v4_default() -> Self {
        Self::base(
            4,
            TEE_TYPE_SGX,
            QuoteBody::Sgx(SgxReportBody::enclave()),
            SgxReportBody::sgx_qe(),
        )
    }

    /// Changes the spec in place and returns it (the result is signed afresh by `build`).
    pub fn with(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }

    /// Builds and signs the quote.
    pub fn build(&self, pki: &IntelPki) -> Vec<u8> {
        self.build_with_offsets(pki).bytes
    }

    /// Builds and signs the quote, also returning where each part is, for changes after
    /// signing (see [`BuiltQuote`]).
    pub fn build_with_offsets(&self, pki: &IntelPki) -> BuiltQuote {
        let attestation_key = self
            .attestation_key
            .as_ref()
            .unwrap_or(&pki.attestation_key);
        let attestation_pubkey = self
            .attestation_pubkey_override
            .unwrap_or_else(|| attestation_key.p256_public_raw());

        // Header, descriptor and body: the range the attestation key signs.
        let mut bytes = Vec::new();
        bytes.extend(self.version.to_le_bytes());
        bytes.extend(self.att_key_type.to_le_bytes());
        bytes.extend(self.tee_type.to_le_bytes());
        bytes.extend(self.reserved);
        bytes.extend(self.qe_vendor_id);
        bytes.extend(self.user_data);
        let body = self.body.to_bytes();
        let body_descriptor = (self.version >= 5).then(|| {
            let at = bytes.len();
            let size = self
                .body_size_override
                .unwrap_or_else(|| u32::try_from(body.len()).expect("body under 4 GiB"));
            bytes.extend(
                self.body_type_override
                    .unwrap_or_else(|| self.body.body_type())
                    .to_le_bytes(),
            );
            bytes.extend(size.to_le_bytes());
            at
        });
        let body_at = bytes.len();
        bytes.extend(&body);
        let sig_data_len_at = bytes.len();
        let quote_signature = attestation_key.sign_p256_raw(&bytes);

        // The QE report, bound to the attestation key and auth data, signed by the PCK key.
        let mut qe_report = self.qe_report.clone();
        qe_report.reportdata = self.qe_report_data.unwrap_or_else(|| {
            let mut data = [0u8; 64];
            let hash = Sha256::new()
                .chain_update(attestation_pubkey)
                .chain_update(&self.qe_auth_data)
                .finalize();
            data[..32].copy_from_slice(&hash);
            data
        });
        let qe_report = qe_report.to_bytes();
        let qe_report_signature = match &self.qe_report_signing_key {
            Some(key) => key.sign_p256_raw(&qe_report),
            None => pki.sign_qe_report(&qe_report),
        };
        let cert_data = self.cert_data.clone().unwrap_or_else(|| {
            let mut pem = pki.pck_chain_pem().into_bytes();
            pem.push(0);
            pem
        });

        // The signature data, with offsets relative to its start.
        let mut sig = Vec::new();
        sig.extend(quote_signature);
        sig.extend(attestation_pubkey);
        let outer = (self.version != 3).then(|| {
            let at = sig.len();
            sig.extend(self.outer_cert_data_type.to_le_bytes());
            sig.extend([0; 4]); // size, patched below
            at
        });
        let qe_report_at = sig.len();
        sig.extend(&qe_report);
        sig.extend(qe_report_signature);
        let auth_len_at = sig.len();
        let auth_len = u16::try_from(self.qe_auth_data.len()).expect("auth data under 64 KiB");
        sig.extend(auth_len.to_le_bytes());
        sig.extend(&self.qe_auth_data);
        let cert_type_at = sig.len();
        sig.extend(self.cert_data_type.to_le_bytes());
        sig.extend(u32_len(&cert_data).to_le_bytes());
        sig.extend(&cert_data);
        if let Some(at) = outer {
            let size = u32_len(&sig[at + 6..]);
            sig[at + 2..at + 6].copy_from_slice(&size.to_le_bytes());
        }

        let sig_at = sig_data_len_at + 4;
        bytes.extend(u32_len(&sig).to_le_bytes());
        bytes.extend(&sig);
        let sig_data_end = bytes.len();
        bytes.resize(sig_data_end + self.trailing_padding, 0);

        BuiltQuote {
            bytes,
            offsets: QuoteOffsets {
                body_descriptor,
                body: body_at,
                body_len: body.len(),
                sig_data_len: sig_data_len_at,
                quote_signature: sig_at,
                attestation_key: sig_at + 64,
                outer_cert_data: outer.map(|o| sig_at + o),
                qe_report: sig_at + qe_report_at,
                qe_report_signature: sig_at + qe_report_at + 384,
                qe_auth_data_len: sig_at + auth_len_at,
                cert_data: sig_at + cert_type_at,
                sig_data_end,
            },
        }
    }
}

/// What certification data of type 3 (or 2) names the platform's PCK certificate by, and
/// what Intel PCS is asked for it with: the encrypted PPID, the raw CPUSVN, PCESVN and
/// PCE-ID. Layout (`sgx_ql_ppid_rsa3072_encrypted_cert_info_t` of Intel's
/// `sgx_quote_3.h`): encrypted PPID ‖ CPUSVN (16) ‖ PCESVN (u16 LE) ‖ PCE-ID (u16 LE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PckCertId {
    /// The encrypted PPID: 384 bytes (RSA-3072, type 3) or 256 (RSA-2048, type 2).
    pub encrypted_ppid: Vec<u8>,
    /// The platform's raw CPUSVN.
    pub cpusvn: [u8; 16],
    /// The PCE's ISVSVN.
    pub pcesvn: u16,
    /// The PCE-ID.
    pub pceid: u16,
    /// The QE-ID (the quote header's user data starts with it), by which a PCCS serves
    /// the certificate.
    pub qe_id: [u8; 16],
}

impl PckCertId {
    /// Type 3 for `pki`'s platform: a fixed, random-looking 384-byte "encrypted PPID"
    /// derived from `seed` (no real encryption: only PCS could decrypt one), and the
    /// CPUSVN, PCESVN and PCE-ID of its PCK certificate's SGX extension (the platform
    /// runs at the TCB level its PCK certifies).
    pub fn for_pki(pki: &IntelPki, seed: &str) -> Self {
        Self::with_ppid_len(pki, seed, 384)
    }

    /// As [`PckCertId::for_pki`], with a 256-byte PPID (type 2, RSA-2048).
    pub fn rsa2048_for_pki(pki: &IntelPki, seed: &str) -> Self {
        Self::with_ppid_len(pki, seed, 256)
    }

    fn with_ppid_len(pki: &IntelPki, seed: &str, len: usize) -> Self {
        let mut encrypted_ppid = Vec::with_capacity(len);
        let mut counter = 0u32;
        while encrypted_ppid.len() < len {
            encrypted_ppid.extend(
                Sha256::new()
                    .chain_update(b"verdict fake encrypted PPID\0")
                    .chain_update(seed.as_bytes())
                    .chain_update(counter.to_be_bytes())
                    .finalize(),
            );
            counter += 1;
        }
        encrypted_ppid.truncate(len);
        Self {
            encrypted_ppid,
            cpusvn: pki.pck_spec.cpusvn,
            pcesvn: pki.pck_spec.pcesvn,
            pceid: u16::from_le_bytes(pki.pck_spec.pce_id),
            qe_id: DEFAULT_QE_ID,
        }
    }

    /// 3 for a 384-byte PPID, 2 otherwise.
    pub fn cert_data_type(&self) -> u16 {
        if self.encrypted_ppid.len() == 384 {
            CERT_TYPE_PPID_RSA3072
        } else {
            CERT_TYPE_PPID_RSA2048
        }
    }

    /// The certification data bytes: encrypted PPID ‖ CPUSVN ‖ PCESVN LE ‖ PCE-ID LE.
    pub fn cert_data(&self) -> Vec<u8> {
        let mut data = self.encrypted_ppid.clone();
        data.extend(self.cpusvn);
        data.extend(self.pcesvn.to_le_bytes());
        data.extend(self.pceid.to_le_bytes());
        data
    }

    /// The query parameters of PCS's `GET /sgx/certification/v4/pckcert` for it: hex,
    /// PCESVN and PCE-ID as their little-endian bytes.
    pub fn pcs_query(&self) -> Vec<(&'static str, String)> {
        vec![
            ("encrypted_ppid", hex::encode(&self.encrypted_ppid)),
            ("cpusvn", hex::encode(self.cpusvn)),
            ("pcesvn", hex::encode(self.pcesvn.to_le_bytes())),
            ("pceid", hex::encode(self.pceid.to_le_bytes())),
        ]
    }

    /// The query parameters a PCCS takes for it: PCS's and the QE-ID (`qeid`); the
    /// encrypted PPID only if it is RSA-3072's (Intel's PCCS refuses other lengths, and
    /// needs it only to ask PCS).
    pub fn pccs_query(&self) -> Vec<(&'static str, String)> {
        let mut query = self.pcs_query();
        if self.encrypted_ppid.len() != 384 {
            query.retain(|(k, _)| *k != "encrypted_ppid");
        }
        query.push(("qeid", hex::encode(self.qe_id)));
        query
    }
}

impl QuoteSpec {
    /// Certification data of type 3 (or 2) naming the PCK certificate by `id` instead of
    /// the PCK chain, and `id`'s QE-ID in the header's user data.
    pub fn with_encrypted_ppid(mut self, id: &PckCertId) -> Self {
        self.user_data[..16].copy_from_slice(&id.qe_id);
        self.cert_data_type = id.cert_data_type();
        self.cert_data = Some(id.cert_data());
        self
    }

    /// Certification data of type 4: the PKI's PCK leaf alone (PEM, NUL-terminated).
    pub fn with_pck_leaf_only(mut self, pki: &IntelPki) -> Self {
        let mut pem = crate::pki::to_pem("CERTIFICATE", &pki.pck).into_bytes();
        pem.push(0);
        self.cert_data_type = CERT_TYPE_PCK_LEAF;
        self.cert_data = Some(pem);
        self
    }
}

fn u32_len(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.len()).expect("quote parts are under 4 GiB")
}

/// Absolute offsets of the parts of a built quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteOffsets {
    /// The v5 body descriptor (type u16 then size u32), if written.
    pub body_descriptor: Option<usize>,
    /// The body.
    pub body: usize,
    /// The body's length.
    pub body_len: usize,
    /// The u32 signature data length; also the end of the signed range.
    pub sig_data_len: usize,
    /// The quote signature (64).
    pub quote_signature: usize,
    /// The attestation public key (64).
    pub attestation_key: usize,
    /// The outer certification data type (u16) and size (u32) (v4/v5 only).
    pub outer_cert_data: Option<usize>,
    /// The QE report (384).
    pub qe_report: usize,
    /// The QE report signature (64).
    pub qe_report_signature: usize,
    /// The QE auth data length (u16), followed by the auth data.
    pub qe_auth_data_len: usize,
    /// The inner certification data type (u16), size (u32), then data.
    pub cert_data: usize,
    /// The end of the signature data (start of any padding).
    pub sig_data_end: usize,
}

/// A signed quote with its layout, for corruption after signing. The quote signature covers
/// `bytes[..offsets.sig_data_len]`; the QE report signature covers the QE report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltQuote {
    /// The quote.
    pub bytes: Vec<u8>,
    /// Where its parts are.
    pub offsets: QuoteOffsets,
}

impl BuiltQuote {
    /// The range signed by the attestation key (header, descriptor, body).
    pub fn signed_range(&self) -> Range<usize> {
        0..self.offsets.sig_data_len
    }

    /// XORs `bytes[offset]` with 1.
    pub fn flip_byte(&mut self, offset: usize) -> &mut Self {
        self.bytes[offset] ^= 1;
        self
    }

    /// Writes a little-endian u16 at `offset`.
    pub fn set_u16(&mut self, offset: usize, value: u16) -> &mut Self {
        self.bytes[offset..offset + 2].copy_from_slice(&value.to_le_bytes());
        self
    }

    /// Writes a little-endian u32 at `offset`.
    pub fn set_u32(&mut self, offset: usize, value: u32) -> &mut Self {
        self.bytes[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
        self
    }

    /// Re-signs the signed range with `key` (after changing header or body bytes).
    pub fn resign_quote(&mut self, key: &PrivateKey) -> &mut Self {
        let signature = key.sign_p256_raw(&self.bytes[self.signed_range()]);
        let at = self.offsets.quote_signature;
        self.bytes[at..at + 64].copy_from_slice(&signature);
        self
    }

    /// Re-signs the QE report with `key` (after changing QE report bytes).
    pub fn resign_qe_report(&mut self, key: &PrivateKey) -> &mut Self {
        let at = self.offsets.qe_report;
        let signature = key.sign_p256_raw(&self.bytes[at..at + 384]);
        let sig_at = self.offsets.qe_report_signature;
        self.bytes[sig_at..sig_at + 64].copy_from_slice(&signature);
        self
    }

    /// The quote bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}
