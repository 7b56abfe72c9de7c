//! Collateral as data: the certificates, CRLs and signed vendor documents a verification
//! may use, in any order. The verifier picks what it needs by role and re-verifies
//! everything it uses, so a bundle may hold more than one product's or platform's
//! collateral, or stale entries it will not use.
//!
//! Intel collateral is read in both forms it travels in (docs/collateral.md): the raw
//! PCS response bodies (`{"tcbInfo":…}`, `{"enclaveIdentity":…}`, issuer chains as PEM,
//! CRLs as DER or PEM) and the single JSON document of PCCS / dcap-qvl
//! (`QuoteCollateralV3`: `tcb_info`, `qe_identity`, `pck_crl`, `root_ca_crl`, …).
//!
//! NVIDIA collateral: RIMs as the signed SWID XML (or the RIM service's JSON response,
//! `{"id", "rim": base64}`), OCSP responses as DER (or its base64 text), device and
//! root certificates as PEM or DER.

use serde::Deserialize;

use crate::error::{Error, ParseError, ParseErrorKind};
use crate::nvidia::rim::Rim;
use crate::pki::ocsp::OcspResponse;
use crate::pki::{Certificate, Crl};
use crate::tdx::{SignedQeIdentity, SignedTcbInfo};

/// Collateral for one verification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bundle {
    /// Certificates (vendor roots, intermediates, leaves).
    pub certificates: Vec<Certificate>,
    /// Certificate revocation lists.
    pub crls: Vec<Crl>,
    /// Intel TCB Info documents (any FMSPC).
    pub tcb_infos: Vec<SignedTcbInfo>,
    /// Intel QE Identity documents.
    pub qe_identities: Vec<SignedQeIdentity>,
    /// NVIDIA reference integrity manifests (driver, VBIOS).
    pub rims: Vec<Rim>,
    /// OCSP responses (NVIDIA device and RIM chains).
    pub ocsp_responses: Vec<OcspResponse>,
}

/// What one piece of collateral input turned out to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Added {
    /// Certificates added.
    pub certificates: usize,
    /// CRLs added.
    pub crls: usize,
    /// TCB Info documents added.
    pub tcb_infos: usize,
    /// QE Identity documents added.
    pub qe_identities: usize,
    /// RIMs added.
    pub rims: usize,
    /// OCSP responses added.
    pub ocsp_responses: usize,
}

/// PCCS / dcap-qvl `QuoteCollateralV3`: chains as PEM, CRLs as hex DER (or PEM), the
/// signed documents as their exact JSON text with hex signatures.
#[derive(Deserialize)]
struct QuoteCollateralV3 {
    pck_crl_issuer_chain: String,
    root_ca_crl: String,
    pck_crl: String,
    tcb_info_issuer_chain: String,
    tcb_info: String,
    tcb_info_signature: String,
    qe_identity_issuer_chain: String,
    qe_identity: String,
    qe_identity_signature: String,
    #[serde(default)]
    pck_certificate_chain: Option<String>,
}

impl Bundle {
    /// An empty bundle.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the collateral in `bytes`, detected by content: PEM (any number of
    /// `CERTIFICATE` and `X509 CRL` blocks; other blocks are an error), a single DER
    /// certificate, CRL or OCSP response, an OCSP response as base64 text, an NVIDIA RIM
    /// (XML), or a JSON document (Intel collateral, or the NVIDIA RIM service's response).
    ///
    /// # Errors
    /// [`Error::Parse`] if the bytes are none of these, or a part does not decode.
    pub fn add_bytes(&mut self, bytes: &[u8]) -> Result<Added, Error> {
        let mut added = Added::default();
        if bytes.trim_ascii_start().starts_with(b"<") {
            self.rims.push(Rim::parse(bytes)?);
            added.rims = 1;
            return Ok(added);
        }
        if bytes.trim_ascii_start().starts_with(b"{") {
            // All or nothing: a document that fails halfway adds nothing.
            let mut staged = Self::new();
            let added = staged.add_json(bytes)?;
            self.extend(staged);
            return Ok(added);
        }
        if looks_like_pem(bytes) {
            let blocks =
                pem::parse_many(bytes).map_err(|e| der("PEM collateral", e.to_string()))?;
            if blocks.is_empty() {
                return Err(der("PEM collateral", "no PEM blocks".into()));
            }
            for block in blocks {
                match block.tag() {
                    "CERTIFICATE" => {
                        self.certificates
                            .push(Certificate::from_der(block.contents())?);
                        added.certificates = added.certificates.saturating_add(1);
                    }
                    "X509 CRL" => {
                        self.crls.push(Crl::from_der(block.contents())?);
                        added.crls = added.crls.saturating_add(1);
                    }
                    _ => {
                        return Err(der(
                            "PEM collateral",
                            format!("unexpected PEM block {}", block.tag()),
                        ))
                    }
                }
            }
            return Ok(added);
        }
        match Certificate::from_der(bytes) {
            Ok(c) => {
                self.certificates.push(c);
                added.certificates = 1;
            }
            Err(cert_err) => {
                if let Ok(c) = Crl::from_der(bytes) {
                    self.crls.push(c);
                    added.crls = 1;
                } else if let Some(response) = ocsp_response(bytes) {
                    self.ocsp_responses.push(response);
                    added.ocsp_responses = 1;
                } else {
                    return Err(cert_err);
                }
            }
        }
        Ok(added)
    }

    /// Adds a JSON collateral document: a PCS TCB Info or QE Identity body, or a
    /// `QuoteCollateralV3` document.
    fn add_json(&mut self, bytes: &[u8]) -> Result<Added, Error> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| json(e.to_string()))?;
        let mut added = Added::default();
        if let (Some(_), Some(rim)) = (value.get("id"), value.get("rim").and_then(|r| r.as_str())) {
            use base64::Engine as _;
            let xml = base64::engine::general_purpose::STANDARD
                .decode(rim.trim())
                .map_err(|e| json(format!("RIM service response: rim is not base64: {e}")))?;
            self.rims.push(Rim::parse(&xml)?);
            added.rims = 1;
        } else if value.get("tcbInfo").is_some() {
            self.tcb_infos.push(SignedTcbInfo::from_pcs_body(bytes)?);
            added.tcb_infos = 1;
        } else if value.get("enclaveIdentity").is_some() {
            self.qe_identities
                .push(SignedQeIdentity::from_pcs_body(bytes)?);
            added.qe_identities = 1;
        } else if value.get("tcb_info").is_some() {
            let doc: QuoteCollateralV3 =
                serde_json::from_value(value).map_err(|e| json(e.to_string()))?;
            let sig = |hex_text: &str, what| crate::tdx::signature_from_hex(hex_text, what);
            self.tcb_infos.push(SignedTcbInfo::from_parts(
                doc.tcb_info.as_bytes(),
                sig(&doc.tcb_info_signature, "TCB Info")?,
            )?);
            self.qe_identities.push(SignedQeIdentity::from_parts(
                doc.qe_identity.as_bytes(),
                sig(&doc.qe_identity_signature, "QE Identity")?,
            )?);
            added.tcb_infos = 1;
            added.qe_identities = 1;
            let mut chains = vec![
                doc.pck_crl_issuer_chain,
                doc.tcb_info_issuer_chain,
                doc.qe_identity_issuer_chain,
            ];
            chains.extend(doc.pck_certificate_chain);
            // Each field holds one kind of item: a chain field with a CRL in it, or a CRL
            // field with certificates, is not this document's shape.
            for chain in chains {
                let mut part = Self::new();
                part.add_bytes(chain.as_bytes())?;
                if !(part.crls.is_empty()
                    && part.tcb_infos.is_empty()
                    && part.qe_identities.is_empty())
                {
                    return Err(json(
                        "an issuer chain field holds something other than certificates".to_owned(),
                    ));
                }
                added.certificates = added.certificates.saturating_add(part.certificates.len());
                self.certificates.extend(part.certificates);
            }
            for crl in [doc.root_ca_crl, doc.pck_crl] {
                let mut part = Self::new();
                part.add_bytes(&crl_bytes(&crl)?)?;
                if part.crls.len() != 1
                    || !(part.certificates.is_empty()
                        && part.tcb_infos.is_empty()
                        && part.qe_identities.is_empty())
                {
                    return Err(json("a CRL field does not hold exactly one CRL".to_owned()));
                }
                added.crls = added.crls.saturating_add(1);
                self.crls.extend(part.crls);
            }
        } else {
            return Err(json(
                "not collateral: expected a tcbInfo, enclaveIdentity or QuoteCollateralV3 document, or a RIM service response"
                    .to_owned(),
            ));
        }
        Ok(added)
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty()
            && self.crls.is_empty()
            && self.tcb_infos.is_empty()
            && self.qe_identities.is_empty()
            && self.rims.is_empty()
            && self.ocsp_responses.is_empty()
    }

    /// Drops items held twice (the same bytes).
    pub(crate) fn dedup(&mut self) {
        fn once<T: PartialEq + Clone>(items: &mut Vec<T>) {
            let mut kept: Vec<T> = Vec::with_capacity(items.len());
            for item in items.drain(..) {
                if !kept.contains(&item) {
                    kept.push(item);
                }
            }
            *items = kept;
        }
        once(&mut self.certificates);
        once(&mut self.crls);
        once(&mut self.tcb_infos);
        once(&mut self.qe_identities);
        once(&mut self.rims);
        once(&mut self.ocsp_responses);
    }

    /// Appends another bundle.
    pub fn extend(&mut self, other: Self) {
        self.certificates.extend(other.certificates);
        self.crls.extend(other.crls);
        self.tcb_infos.extend(other.tcb_infos);
        self.qe_identities.extend(other.qe_identities);
        self.rims.extend(other.rims);
        self.ocsp_responses.extend(other.ocsp_responses);
    }
}

/// An OCSP response as DER, or as its base64 text (how go-nvattest-tools stores them).
fn ocsp_response(bytes: &[u8]) -> Option<OcspResponse> {
    if let Ok(r) = OcspResponse::from_der(bytes) {
        return Some(r);
    }
    use base64::Engine as _;
    let text: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    OcspResponse::from_der(&der).ok()
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// A CRL inside `QuoteCollateralV3`: hex DER (dcap-qvl, PCCS) or PEM.
fn crl_bytes(text: &str) -> Result<Vec<u8>, Error> {
    if looks_like_pem(text.as_bytes()) {
        return Ok(text.as_bytes().to_vec());
    }
    hex::decode(text.trim()).map_err(|e| json(format!("CRL is neither PEM nor hex DER: {e}")))
}

fn json(msg: String) -> Error {
    Error::Parse(ParseError {
        what: "JSON collateral",
        offset: 0,
        kind: ParseErrorKind::Json(msg),
    })
}

fn der(what: &'static str, msg: String) -> Error {
    Error::Parse(ParseError {
        what,
        offset: 0,
        kind: ParseErrorKind::Der(msg),
    })
}
