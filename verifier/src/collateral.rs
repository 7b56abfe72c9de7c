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

use std::collections::HashMap;

use serde::Deserialize;

use crate::error::{Error, ParseError, ParseErrorKind};
use crate::nvidia::rim::Rim;
use crate::pki::ocsp::OcspResponse;
use crate::pki::{Certificate, Crl};
use crate::snp::index::AmdIndex;
use crate::tdx::{SignedQeIdentity, SignedTcbInfo};

/// Collateral for one verification.
///
/// Items are indexed as they are added (VEKs by hwID, CRLs by issuer, TCB Infos by
/// FMSPC, RIMs by product and version, OCSP responses by serial), so a verification looks
/// up what it needs instead of scanning: a bundle may hold a fleet's collateral. The
/// fields are private for that reason: an index that could go stale behind a public
/// `Vec` would let a verification miss a certificate or use a removed one, so every item
/// enters through `add_bytes` or a `push_*` method, and is read through a slice.
#[derive(Debug, Clone, Default)]
pub struct Bundle {
    certificates: Vec<Certificate>,
    crls: Vec<Crl>,
    tcb_infos: Vec<SignedTcbInfo>,
    qe_identities: Vec<SignedQeIdentity>,
    rims: Vec<Rim>,
    ocsp_responses: Vec<OcspResponse>,
    index: Index,
}

/// Positions into a bundle's lists by what verification looks items up by. Every list
/// keeps bundle order, so the first candidate (and the error reported when none
/// verifies) is the one a scan would find.
#[derive(Debug, Clone, Default)]
struct Index {
    amd: AmdIndex,
    /// Certificates by a hash of their whole DER (then compared byte for byte), keyed
    /// by `der_state` (random per bundle, as the maps' own keys are, so crafted
    /// collisions cannot pile up in one entry).
    certificates_by_der: HashMap<u64, Vec<usize>>,
    der_state: std::collections::hash_map::RandomState,
    /// CRLs by the raw DER of their issuer name.
    crls_by_issuer: HashMap<Vec<u8>, Vec<usize>>,
    tcb_infos_by_fmspc: HashMap<[u8; 6], Vec<usize>>,
    /// RIMs by product and colloquialVersion, both ASCII-lowercased (they are matched
    /// case-insensitively).
    rims_by_version: HashMap<(String, String), Vec<usize>>,
    /// OCSP responses by the serial of each CertID they answer for (a CertID names a
    /// certificate by serial whatever its hash algorithm).
    ocsp_by_serial: HashMap<Vec<u8>, Vec<usize>>,
}

/// The same items in the same order; the index follows from them.
impl PartialEq for Bundle {
    fn eq(&self, other: &Self) -> bool {
        self.certificates == other.certificates
            && self.crls == other.crls
            && self.tcb_infos == other.tcb_infos
            && self.qe_identities == other.qe_identities
            && self.rims == other.rims
            && self.ocsp_responses == other.ocsp_responses
    }
}

impl Eq for Bundle {}

/// One item of a bundle, as [`Bundle::retain`] shows it.
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    /// A certificate.
    Certificate(&'a Certificate),
    /// A CRL.
    Crl(&'a Crl),
    /// An Intel TCB Info.
    TcbInfo(&'a SignedTcbInfo),
    /// An Intel QE Identity.
    QeIdentity(&'a SignedQeIdentity),
    /// An NVIDIA RIM.
    Rim(&'a Rim),
    /// An OCSP response.
    OcspResponse(&'a OcspResponse),
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
            self.push_rim(Rim::parse(bytes)?);
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
            let blocks = crate::pem_blocks::parse(bytes).map_err(|e| der("PEM collateral", e))?;
            if blocks.is_empty() {
                return Err(der("PEM collateral", "no PEM blocks".into()));
            }
            for block in blocks {
                match (block.label.as_str(), &block.der) {
                    ("CERTIFICATE", Some(bytes)) => {
                        let cert = self.parse_certificate(bytes)?;
                        self.push_certificate(cert);
                        added.certificates = added.certificates.saturating_add(1);
                    }
                    ("X509 CRL", Some(bytes)) => {
                        self.push_crl(Crl::from_der(bytes)?);
                        added.crls = added.crls.saturating_add(1);
                    }
                    (label, _) => {
                        return Err(der(
                            "PEM collateral",
                            format!("unexpected PEM block {label}"),
                        ))
                    }
                }
            }
            return Ok(added);
        }
        match self.parse_certificate(bytes) {
            Ok(c) => {
                self.push_certificate(c);
                added.certificates = 1;
            }
            Err(cert_err) => {
                if let Ok(c) = Crl::from_der(bytes) {
                    self.push_crl(c);
                    added.crls = 1;
                } else if let Some(response) = ocsp_response(bytes) {
                    self.push_ocsp_response(response);
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
        // The top level is read once, as raw members: the kind is told by which members
        // are there, and a PCS body's signed object is parsed straight from its raw text
        // (building a `Value` of the document first cost as much as parsing it).
        let members = crate::json::object_members(bytes).map_err(|e| json(e.to_string()))?;
        let has = |name: &str| members.as_ref().is_some_and(|m| m.get(name).is_some());
        let mut added = Added::default();
        let rim = members
            .as_ref()
            .and_then(|m| m.get("id").and_then(|_| m.get_str("rim")));
        if let Some(rim) = rim {
            use base64::Engine as _;
            let xml = base64::engine::general_purpose::STANDARD
                .decode(rim.trim())
                .map_err(|e| json(format!("RIM service response: rim is not base64: {e}")))?;
            self.push_rim(Rim::parse(&xml)?);
            added.rims = 1;
        } else if let Some(m) = members.as_ref().filter(|_| has("tcbInfo")) {
            self.push_tcb_info(SignedTcbInfo::from_pcs_members(m)?);
            added.tcb_infos = 1;
        } else if let Some(m) = members.as_ref().filter(|_| has("enclaveIdentity")) {
            self.push_qe_identity(SignedQeIdentity::from_pcs_members(m)?);
            added.qe_identities = 1;
        } else if has("tcb_info") {
            let doc: QuoteCollateralV3 =
                serde_json::from_slice(bytes).map_err(|e| json(e.to_string()))?;
            let sig = |hex_text: &str, what| crate::tdx::signature_from_hex(hex_text, what);
            self.push_tcb_info(SignedTcbInfo::from_parts(
                doc.tcb_info.as_bytes(),
                sig(&doc.tcb_info_signature, "TCB Info")?,
            )?);
            self.push_qe_identity(SignedQeIdentity::from_parts(
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
                part.certificates
                    .into_iter()
                    .for_each(|c| self.push_certificate(c));
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
                part.crls.into_iter().for_each(|c| self.push_crl(c));
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
        fn once<T: PartialEq>(items: Vec<T>, mut push: impl FnMut(T)) {
            let mut kept: Vec<T> = Vec::with_capacity(items.len());
            for item in items {
                if !kept.contains(&item) {
                    kept.push(item);
                }
            }
            kept.into_iter().for_each(&mut push);
        }
        // Rebuilt through `push_*`, so the index follows the new positions.
        let old = std::mem::take(self);
        once(old.certificates, |c| self.push_certificate(c));
        once(old.crls, |c| self.push_crl(c));
        once(old.tcb_infos, |t| self.push_tcb_info(t));
        once(old.qe_identities, |q| self.push_qe_identity(q));
        once(old.rims, |r| self.push_rim(r));
        once(old.ocsp_responses, |r| self.push_ocsp_response(r));
    }

    /// Appends another bundle.
    pub fn extend(&mut self, other: Self) {
        other
            .certificates
            .into_iter()
            .for_each(|c| self.push_certificate(c));
        other.crls.into_iter().for_each(|c| self.push_crl(c));
        other
            .tcb_infos
            .into_iter()
            .for_each(|t| self.push_tcb_info(t));
        other
            .qe_identities
            .into_iter()
            .for_each(|q| self.push_qe_identity(q));
        other.rims.into_iter().for_each(|r| self.push_rim(r));
        other
            .ocsp_responses
            .into_iter()
            .for_each(|r| self.push_ocsp_response(r));
    }

    /// Adds a certificate (indexed by its AMD role, if it has one).
    pub fn push_certificate(&mut self, cert: Certificate) {
        self.index
            .certificates_by_der
            .entry(self.der_hash(cert.der()))
            .or_default()
            .push(self.certificates.len());
        self.index.amd.add(self.certificates.len(), &cert);
        self.certificates.push(cert);
    }

    /// Keeps only the items `keep` accepts, in their order (the index is rebuilt).
    pub fn retain(&mut self, mut keep: impl FnMut(Item<'_>) -> bool) {
        let old = std::mem::take(self);
        for c in old.certificates {
            if keep(Item::Certificate(&c)) {
                self.push_certificate(c);
            }
        }
        for c in old.crls {
            if keep(Item::Crl(&c)) {
                self.push_crl(c);
            }
        }
        for t in old.tcb_infos {
            if keep(Item::TcbInfo(&t)) {
                self.push_tcb_info(t);
            }
        }
        for q in old.qe_identities {
            if keep(Item::QeIdentity(&q)) {
                self.push_qe_identity(q);
            }
        }
        for r in old.rims {
            if keep(Item::Rim(&r)) {
                self.push_rim(r);
            }
        }
        for r in old.ocsp_responses {
            if keep(Item::OcspResponse(&r)) {
                self.push_ocsp_response(r);
            }
        }
    }

    /// Adds certificates, in order.
    pub fn extend_certificates(&mut self, certs: impl IntoIterator<Item = Certificate>) {
        certs.into_iter().for_each(|c| self.push_certificate(c));
    }

    /// Adds a CRL (indexed by issuer).
    pub fn push_crl(&mut self, crl: Crl) {
        self.index
            .crls_by_issuer
            .entry(crl.issuer().raw().to_vec())
            .or_default()
            .push(self.crls.len());
        self.crls.push(crl);
    }

    /// Adds a TCB Info (indexed by FMSPC).
    pub fn push_tcb_info(&mut self, tcb_info: SignedTcbInfo) {
        self.index
            .tcb_infos_by_fmspc
            .entry(tcb_info.body().fmspc)
            .or_default()
            .push(self.tcb_infos.len());
        self.tcb_infos.push(tcb_info);
    }

    /// Adds a QE Identity (one per TEE kind and date: few, so not indexed).
    pub fn push_qe_identity(&mut self, qe_identity: SignedQeIdentity) {
        self.qe_identities.push(qe_identity);
    }

    /// Adds a RIM (indexed by product and version).
    pub fn push_rim(&mut self, rim: Rim) {
        self.index
            .rims_by_version
            .entry(rim_key(rim.product(), rim.colloquial_version()))
            .or_default()
            .push(self.rims.len());
        self.rims.push(rim);
    }

    /// Adds an OCSP response (indexed by the serials it answers for).
    pub fn push_ocsp_response(&mut self, response: OcspResponse) {
        let position = self.ocsp_responses.len();
        for single in response.responses() {
            let at = self
                .index
                .ocsp_by_serial
                .entry(single.cert_id.serial.clone())
                .or_default();
            // A response answering twice for one serial is listed once.
            if at.last() != Some(&position) {
                at.push(position);
            }
        }
        self.ocsp_responses.push(response);
    }

    /// A certificate parsed from `der`: a copy of one the bundle already holds with
    /// exactly these bytes (Intel's issuer chains repeat the root and the TCB Signing
    /// certificate), else a fresh parse. A copy is the parse of the same bytes.
    pub(crate) fn parse_certificate(&self, der: &[u8]) -> Result<Certificate, Error> {
        let held = pick(
            &self.certificates,
            self.index.certificates_by_der.get(&self.der_hash(der)),
        )
        .find(|c| c.der() == der);
        match held {
            Some(c) => Ok(c.clone()),
            None => Certificate::from_der(der),
        }
    }

    /// The index key of a certificate's DER (a collision only costs a byte compare).
    fn der_hash(&self, der: &[u8]) -> u64 {
        use std::hash::BuildHasher as _;
        self.index.der_state.hash_one(der)
    }

    /// Certificates (vendor roots, intermediates, leaves), in the order added.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// Certificate revocation lists.
    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    /// Intel TCB Info documents (any FMSPC).
    pub fn tcb_infos(&self) -> &[SignedTcbInfo] {
        &self.tcb_infos
    }

    /// Intel QE Identity documents.
    pub fn qe_identities(&self) -> &[SignedQeIdentity] {
        &self.qe_identities
    }

    /// NVIDIA reference integrity manifests (driver, VBIOS).
    pub fn rims(&self) -> &[Rim] {
        &self.rims
    }

    /// OCSP responses (NVIDIA device and RIM chains).
    pub fn ocsp_responses(&self) -> &[OcspResponse] {
        &self.ocsp_responses
    }

    /// The AMD certificates by role.
    pub(crate) fn amd_index(&self) -> &AmdIndex {
        &self.index.amd
    }

    /// The CRLs whose issuer name is exactly `issuer` (raw DER), in bundle order.
    pub fn crls_by_issuer<'a>(&'a self, issuer: &[u8]) -> impl Iterator<Item = &'a Crl> {
        pick(&self.crls, self.index.crls_by_issuer.get(issuer))
    }

    /// The TCB Infos for `fmspc` (any TEE), in bundle order.
    pub fn tcb_infos_for(&self, fmspc: &[u8; 6]) -> impl Iterator<Item = &SignedTcbInfo> {
        pick(&self.tcb_infos, self.index.tcb_infos_by_fmspc.get(fmspc))
    }

    /// The RIMs for this product and colloquialVersion (ASCII case-insensitively), in
    /// bundle order.
    pub fn rims_for(&self, product: &str, version: &str) -> impl Iterator<Item = &Rim> {
        pick(
            &self.rims,
            self.index.rims_by_version.get(&rim_key(product, version)),
        )
    }

    /// The OCSP responses with a CertID for this serial (normalized, as
    /// [`Certificate::serial`]), in bundle order.
    pub fn ocsp_responses_for_serial(&self, serial: &[u8]) -> impl Iterator<Item = &OcspResponse> {
        pick(&self.ocsp_responses, self.index.ocsp_by_serial.get(serial))
    }
}

/// The items at `positions` (none when the key is absent).
fn pick<'a, T>(items: &'a [T], positions: Option<&'a Vec<usize>>) -> impl Iterator<Item = &'a T> {
    positions
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|p| items.get(*p))
}

fn rim_key(product: &str, version: &str) -> (String, String) {
    (product.to_ascii_lowercase(), version.to_ascii_lowercase())
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
