//! Evidence intake: decoding the encodings evidence arrives in (raw, hex, base64, the
//! JSON forms of Trustee and NVIDIA's tools), telling which TEE produced it by content,
//! and what collateral verifying it needs.

use base64::Engine as _;

use serde_json::Value;

use crate::azure::{self, AzureEvidence, AzureHardware};
use crate::collateral::Bundle;
use crate::error::{Error, ExpectationError, ParseError, ParseErrorKind, Unsupported};
use crate::expectations::Expectations;
use crate::needs::CollateralKey;
use crate::needs::Requirement;
use crate::nvidia::GpuEvidence;
pub use crate::tee::Tee;
use crate::{nvidia, snp, tdx};

/// Evidence of one kind, decoded from the form it travelled in, not yet verified.
///
/// [`Evidence::from_bytes`] reads every form Verdict accepts; the variants may also be
/// built directly from bytes obtained some other way. Nothing here is trusted:
/// [`crate::Verifier::verify`] parses and checks it all.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// An AMD SEV-SNP attestation report (1184 bytes).
    Snp(Vec<u8>),
    /// An AMD SEV-SNP attestation report with certificates that travelled with it (DER):
    /// Trustee's SNP evidence with a `cert_chain` (see [`snp::trustee`]).
    ///
    /// A variant of its own rather than a member of [`Self::Snp`], so that code building
    /// or matching `Snp(report)` is unchanged. The certificates are collateral
    /// candidates like the bundle's, tried first and trusted no more: verification gives
    /// each its role (VCEK, VLEK, ASK, ASVK, ARK) by its content, and only a chain to the
    /// pinned ARK, with the bundle's CRLs, makes one count. So the VCEK need not be in
    /// the bundle; the ASK/ARK chain and the CRL still come from it unless carried.
    SnpWithCertificates {
        /// The report.
        report: Vec<u8>,
        /// The certificates, DER, in the order they came.
        certificates: Vec<Vec<u8>>,
    },
    /// An Intel TDX quote, with the TD's CCEL event log when given.
    Tdx {
        /// The quote.
        quote: Vec<u8>,
        /// The event log, which must replay to the quote's RTMRs.
        event_log: Option<Vec<u8>>,
    },
    /// An Intel SGX quote.
    Sgx(Vec<u8>),
    /// One or several NVIDIA GPUs' evidence (one evidence file).
    Gpus(Vec<GpuEvidence>),
    /// An Azure confidential VM's vTPM evidence (SEV-SNP or TDX).
    Azure(Box<AzureEvidence>),
}

impl Evidence {
    /// Reads evidence in any accepted form: an SNP report or DCAP quote as raw bytes,
    /// hex or base64; Trustee's SNP JSON (the report's fields and its certificate table,
    /// [`snp::trustee`]: [`Self::SnpWithCertificates`] when it carries certificates,
    /// [`Self::Snp`] otherwise); Trustee's TDX JSON (quote and event log); Trustee's
    /// Azure vTPM JSON; NVIDIA GPU evidence as
    /// a raw or hex report, or the SDK, NRAS or Trustee JSON with one or several GPUs.
    /// `hint` names the TEE the caller expects: it decides for bytes whose kind cannot
    /// be told by content, and evidence plainly of another kind is refused.
    ///
    /// # Errors
    /// [`ExpectationError::TeeMismatch`] when `hint` contradicts the content;
    /// [`Unsupported::UnknownEvidence`] when the kind cannot be told and no hint is
    /// given; [`Unsupported::EventLogWithoutTd`] for an event log beside an SGX quote;
    /// the JSON forms' own parse errors.
    pub fn from_bytes(raw: &[u8], hint: Option<Tee>) -> Result<Self, Error> {
        // Azure vTPM evidence: Trustee's JSON, recognised by its members.
        if azure::evidence::looks_like(raw) {
            let evidence = azure::evidence::decode_trustee(raw)?;
            check_hint(hint, evidence.tee())?;
            return Ok(Self::Azure(Box::new(evidence)));
        }
        // Trustee's SNP evidence JSON: the report as its fields, recognised by
        // `attestation_report`, rebuilt into the signed bytes.
        if let Some(evidence) = snp::trustee::decode(raw)? {
            check_hint(hint, Tee::Snp)?;
            return Ok(evidence.into());
        }
        // GPU evidence has forms of its own (hex reports, SDK and Trustee JSON).
        if nvidia::looks_like(raw) {
            check_hint(hint, Tee::Nvidia)?;
            return Ok(Self::Gpus(nvidia::decode(raw)?));
        }
        if hint == Some(Tee::Nvidia) {
            if let Some(detected) = detect(&decode(raw)) {
                check_hint(hint, detected)?;
            }
            return Ok(Self::Gpus(nvidia::decode(raw)?));
        }
        // Trustee's TDX evidence JSON carries the quote (and an event log) in base64.
        let (bytes, event_log) = match trustee_tdx(raw)? {
            Some(t) => (t.quote, t.event_log),
            None => (decode(raw), None),
        };
        if azure::evidence::is_hcl_report(&bytes) {
            return Err(Unsupported::HclReportAlone.into());
        }
        let detected = detect(&bytes);
        if let Some(detected) = detected {
            check_hint(hint, detected)?;
        }
        match hint.or(detected) {
            Some(Tee::Snp) => Ok(Self::Snp(bytes)),
            Some(Tee::Sgx) if event_log.is_some() => Err(Unsupported::EventLogWithoutTd.into()),
            Some(Tee::Sgx) => Ok(Self::Sgx(bytes)),
            Some(Tee::Tdx) => Ok(Self::Tdx {
                quote: bytes,
                event_log,
            }),
            Some(Tee::Nvidia) => Ok(Self::Gpus(nvidia::decode(&bytes)?)),
            Some(tee @ (Tee::AzureSnp | Tee::AzureTdx)) => Err(ExpectationError::TeeMismatch {
                expected: tee.name(),
                actual: detected.map_or("unrecognised", Tee::name),
            }
            .into()),
            None => Err(Unsupported::UnknownEvidence { len: bytes.len() }.into()),
        }
    }

    /// Adds a TD's CCEL event log (given separately from the quote).
    ///
    /// # Errors
    /// [`Unsupported::EventLogWithoutTd`] for evidence other than a TDX quote.
    pub fn with_event_log(self, log: Vec<u8>) -> Result<Self, Error> {
        match self {
            Self::Tdx { quote, .. } => Ok(Self::Tdx {
                quote,
                event_log: Some(log),
            }),
            _ => Err(Unsupported::EventLogWithoutTd.into()),
        }
    }

    /// The TEE that produced it.
    pub fn tee(&self) -> Tee {
        match self {
            Self::Snp(_) | Self::SnpWithCertificates { .. } => Tee::Snp,
            Self::Tdx { .. } => Tee::Tdx,
            Self::Sgx(_) => Tee::Sgx,
            Self::Gpus(_) => Tee::Nvidia,
            Self::Azure(a) => a.tee(),
        }
    }

    /// The collateral verification will look for, as typed keys, given what is already
    /// `known` (pure: nothing is fetched or verified here). Needs unfold in stages: a v2
    /// SNP report's product line comes from its VEK, a GPU's RIMs name the signing
    /// chains whose OCSP status is needed next. So a caller adds what it found for the
    /// listed keys to `known` and asks again, until nothing new is listed. A key whose
    /// absence is only a claim (an OCSP answer without `require_ocsp`, a RIM without
    /// `require_rims`, the AMD CRL without `require_crl`) is marked optional.
    pub fn requirements(&self, known: &Bundle, expectations: &Expectations) -> Vec<Requirement> {
        let mut needs = match self {
            Self::Snp(report) => match snp::AttestationReport::parse(report) {
                Ok(report) => snp::needs::requirements(
                    &report,
                    &expectations.snp.clone().unwrap_or_default(),
                    known,
                ),
                Err(_) => Vec::new(),
            },
            Self::SnpWithCertificates {
                report,
                certificates,
            } => match snp::AttestationReport::parse(report) {
                Ok(report) => snp::needs::requirements(
                    &report,
                    &expectations.snp.clone().unwrap_or_default(),
                    &with_carried(known, certificates.iter().map(Vec::as_slice)),
                ),
                Err(_) => Vec::new(),
            },
            Self::Tdx { quote, .. } | Self::Sgx(quote) => tdx::needs::requirements(quote, known),
            Self::Gpus(gpus) => {
                let options = expectations.nvidia.clone().unwrap_or_default();
                let provider = crate::crypto::default_provider();
                gpus.iter()
                    .flat_map(|gpu| nvidia::needs::requirements(provider, gpu, &options, known))
                    .collect()
            }
            Self::Azure(a) => match &a.hardware {
                AzureHardware::Snp { vcek } => match azure_snp_report(a) {
                    Some(report) => {
                        let options = expectations
                            .azure_snp
                            .as_ref()
                            .map(|o| o.snp.clone())
                            .unwrap_or_default();
                        let known = with_carried(known, vcek.as_deref());
                        snp::needs::requirements(&report, &options, &known)
                    }
                    None => Vec::new(),
                },
                AzureHardware::Tdx { td_quote } => tdx::needs::requirements(td_quote, known),
            },
        };
        // One list, each key once (several GPUs share RIMs and chain certificates); a
        // key any GPU requires is required.
        needs.sort_by(|a, b| a.key.cmp(&b.key).then(a.optional.cmp(&b.optional)));
        needs.dedup_by(|later, first| later.key == first.key);
        needs
    }

    /// The items of `bundle` that serve `key` for this evidence.
    pub(crate) fn select(&self, key: &CollateralKey, bundle: &Bundle) -> Bundle {
        let mut out = Bundle::new();
        match self {
            Self::Snp(report) => {
                if let Ok(report) = snp::AttestationReport::parse(report) {
                    snp::needs::select(&report, key, bundle, &mut out);
                }
            }
            Self::SnpWithCertificates {
                report,
                certificates,
            } => {
                if let Ok(report) = snp::AttestationReport::parse(report) {
                    let bundle = with_carried(bundle, certificates.iter().map(Vec::as_slice));
                    snp::needs::select(&report, key, &bundle, &mut out);
                }
            }
            Self::Tdx { quote, .. } | Self::Sgx(quote) => {
                tdx::needs::select(quote, key, bundle, &mut out);
            }
            Self::Gpus(gpus) => {
                let provider = crate::crypto::default_provider();
                for gpu in gpus {
                    nvidia::needs::select(provider, gpu, key, bundle, &mut out);
                }
            }
            Self::Azure(a) => match &a.hardware {
                AzureHardware::Snp { vcek } => {
                    if let Some(report) = azure_snp_report(a) {
                        let bundle = with_carried(bundle, vcek.as_deref());
                        snp::needs::select(&report, key, &bundle, &mut out);
                    }
                }
                AzureHardware::Tdx { td_quote } => {
                    tdx::needs::select(td_quote, key, bundle, &mut out);
                }
            },
        }
        out.dedup();
        out
    }
}

impl Bundle {
    /// The items of this bundle that serve `key` for `evidence` (what verification would
    /// consider for it), as a bundle of their own.
    pub fn select(&self, evidence: &Evidence, key: &CollateralKey) -> Self {
        evidence.select(key, self)
    }

    /// The requirements of `evidence` (see [`Evidence::requirements`]) that this bundle
    /// does not serve. Optional ones are included, marked so.
    pub fn missing(&self, evidence: &Evidence, expectations: &Expectations) -> Vec<Requirement> {
        evidence
            .requirements(self, expectations)
            .into_iter()
            .filter(|r| !self.serves(evidence, &r.key))
            .collect()
    }

    /// Whether the bundle holds everything `key` stands for (an AMD chain is its CA and
    /// its ARK, an Intel PCK CA chain its CA and the root).
    fn serves(&self, evidence: &Evidence, key: &CollateralKey) -> bool {
        let selected = self.select(evidence, key);
        match key {
            CollateralKey::AmdChain { .. } => snp::needs::is_whole_chain(&selected),
            CollateralKey::IntelPckCaChain { .. } => tdx::needs::is_whole_ca_chain(&selected),
            _ => !selected.is_empty(),
        }
    }
}

/// The SEV-SNP report inside Azure evidence's HCL report, if it parses.
fn azure_snp_report(evidence: &AzureEvidence) -> Option<snp::AttestationReport> {
    let hcl = azure::hcl::HclReport::parse(&evidence.hcl_report).ok()?;
    snp::AttestationReport::parse(hcl.hardware_report).ok()
}

/// `bundle` with the certificates the evidence carries (Azure's VCEK, Trustee's SNP
/// `cert_chain`): they serve the needs they can, so that only the rest is fetched.
/// Certificates that do not parse serve nothing (verification names them).
fn with_carried<'b, 'c>(
    bundle: &'b Bundle,
    carried: impl IntoIterator<Item = &'c [u8]>,
) -> std::borrow::Cow<'b, Bundle> {
    let mut certs = carried
        .into_iter()
        .filter_map(|der| crate::pki::Certificate::from_der(der).ok())
        .peekable();
    if certs.peek().is_none() {
        return std::borrow::Cow::Borrowed(bundle);
    }
    let mut with = bundle.clone();
    for cert in certs {
        with.push_certificate(cert);
    }
    std::borrow::Cow::Owned(with)
}

impl From<snp::trustee::TrusteeSnpEvidence> for Evidence {
    /// [`Evidence::Snp`] when no certificate came with the report,
    /// [`Evidence::SnpWithCertificates`] otherwise.
    fn from(evidence: snp::trustee::TrusteeSnpEvidence) -> Self {
        let snp::trustee::TrusteeSnpEvidence {
            report,
            certificates,
        } = evidence;
        if certificates.is_empty() {
            Self::Snp(report)
        } else {
            Self::SnpWithCertificates {
                report,
                certificates,
            }
        }
    }
}

/// A hint that names another TEE than the content shows is refused.
fn check_hint(hint: Option<Tee>, detected: Tee) -> Result<(), Error> {
    match hint {
        Some(h) if h != detected => Err(ExpectationError::TeeMismatch {
            expected: h.name(),
            actual: detected.name(),
        }
        .into()),
        _ => Ok(()),
    }
}

/// TDX evidence as confidential-containers' Trustee sends it:
/// `{"quote": base64, "cc_eventlog": base64?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrusteeTdxEvidence {
    /// The quote.
    pub quote: Vec<u8>,
    /// The CCEL event log, if given.
    pub event_log: Option<Vec<u8>>,
}

/// Reads Trustee's TDX evidence JSON.
///
/// The form is recognised by its shape alone: a JSON object with a `quote` member.
/// Anything else (binary, hex or base64 text, other JSON) is `Ok(None)`, for the caller
/// to read another way. Once recognised it is read strictly, so that a broken file is
/// named for what is wrong with it rather than taken for some other kind of evidence.
/// `quote` and `cc_eventlog` are base64 (standard or URL-safe, padded or not; wrapped
/// text is accepted); `cc_eventlog` may be absent, `null` or empty. Other members are
/// ignored, as Trustee adds some (`aa_eventlog`) that Verdict does not use.
///
/// # Errors
/// [`Error::Parse`] with [`ParseErrorKind::Json`] for a member named twice or a member
/// of the wrong type, and [`ParseErrorKind::Encoding`] for a `quote` or `cc_eventlog`
/// that is not base64, or an empty `quote`; each names the member.
pub fn trustee_tdx(bytes: &[u8]) -> Result<Option<TrusteeTdxEvidence>, Error> {
    let text = bytes.trim_ascii();
    if !text.starts_with(b"{") {
        return Ok(None);
    }
    // Shape first, leniently, so that a duplicated member is reported as such (below)
    // rather than making the bytes "not this form".
    let is_trustee = serde_json::from_slice::<Value>(text)
        .ok()
        .is_some_and(|v| v.get("quote").is_some());
    if !is_trustee {
        return Ok(None);
    }
    let value = crate::json::from_slice(text).map_err(|e| ParseError {
        what: "Trustee TDX evidence JSON",
        offset: 0,
        kind: ParseErrorKind::Json(e.to_string()),
    })?;
    let quote = match value.get("quote") {
        Some(Value::String(s)) => base64_member(s, QUOTE, BASE64_QUOTE)?,
        Some(other) => return Err(trustee_type("quote", other)),
        None => return Ok(None),
    };
    if quote.is_empty() {
        return Err(ParseError {
            what: QUOTE,
            offset: 0,
            kind: ParseErrorKind::Encoding(BASE64_QUOTE),
        }
        .into());
    }
    let event_log = match value.get("cc_eventlog") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(base64_member(
            s,
            "Trustee TDX evidence \"cc_eventlog\"",
            "base64 (standard or URL-safe)",
        )?),
        Some(other) => return Err(trustee_type("cc_eventlog", other)),
    };
    Ok(Some(TrusteeTdxEvidence { quote, event_log }))
}

/// The Trustee `quote` member, and what it must be.
const QUOTE: &str = "Trustee TDX evidence \"quote\"";
const BASE64_QUOTE: &str = "base64 of a non-empty quote (standard or URL-safe)";

/// A base64 member (whitespace inside ignored, as wrapped text has it).
fn base64_member(text: &str, what: &'static str, expected: &'static str) -> Result<Vec<u8>, Error> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
    ]
    .iter()
    .find_map(|e| e.decode(&compact).ok())
    .ok_or_else(|| {
        ParseError {
            what,
            offset: 0,
            kind: ParseErrorKind::Encoding(expected),
        }
        .into()
    })
}

/// A Trustee member that is not a string.
fn trustee_type(member: &str, found: &Value) -> Error {
    let found = crate::json::kind_name(found);
    ParseError {
        what: "Trustee TDX evidence JSON",
        offset: 0,
        kind: ParseErrorKind::Json(format!("{member}: expected a base64 string, found {found}")),
    }
    .into()
}

/// Decodes evidence given as raw bytes, hex text or base64 text (standard or URL-safe,
/// padded or not; surrounding whitespace ignored). Raw bytes are returned as they are.
pub fn decode(input: &[u8]) -> Vec<u8> {
    let text = match core::str::from_utf8(input) {
        Ok(t) => t.trim(),
        Err(_) => return input.to_vec(),
    };
    if text.is_empty() {
        return input.to_vec();
    }
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.len().is_multiple_of(2) && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
        if let Ok(bytes) = hex::decode(&compact) {
            return bytes;
        }
    }
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    for engine in engines {
        if let Ok(bytes) = engine.decode(&compact) {
            return bytes;
        }
    }
    input.to_vec()
}

/// Which TEE produced `bytes` (already decoded), if that can be told from content.
/// GPU evidence in its JSON forms is recognised by [`crate::nvidia::looks_like`] before
/// decoding.
pub fn detect(bytes: &[u8]) -> Option<Tee> {
    // SPDM 1.1 GET_MEASUREMENTS: an NVIDIA GPU report.
    if bytes.starts_with(&[nvidia::spdm::SPDM_VERSION_1_1, 0xE0]) {
        return Some(Tee::Nvidia);
    }
    // An SNP report is exactly 1184 bytes and starts with a little-endian version.
    if bytes.len() == snp::REPORT_LEN {
        let version = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
        if snp::SUPPORTED_VERSIONS.contains(&version) {
            return Some(Tee::Snp);
        }
    }
    // A DCAP quote: version 3 to 5, ECDSA P-256 attestation key, Intel's QE vendor id.
    let version = u16::from_le_bytes(bytes.get(..2)?.try_into().ok()?);
    let key_type = u16::from_le_bytes(bytes.get(2..4)?.try_into().ok()?);
    let tee_type = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?);
    if (3..=5).contains(&version)
        && key_type == tdx::ATT_KEY_TYPE_ECDSA_P256
        && bytes.get(12..28) == Some(tdx::INTEL_QE_VENDOR_ID.as_slice())
    {
        return match tee_type {
            tdx::TEE_TYPE_TDX => Some(Tee::Tdx),
            tdx::TEE_TYPE_SGX => Some(Tee::Sgx),
            _ => None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorClass;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// Issue 12: once the bytes are Trustee's form (an object with `quote`), a member of
    /// the wrong type or encoding is a typed error naming it, not "not this form" (which
    /// sent the CLI on to "pass --tee" and then "unsupported quote version 8827").
    #[test]
    fn trustee_json_with_a_bad_member_is_malformed_naming_it() {
        let quote = b64(&[4, 0, 2, 0, 0x81, 0, 0, 0]);
        let cases: [(String, &str, &str); 8] = [
            (
                r#"{"quote": 5}"#.into(),
                "malformed_json",
                "quote: expected a base64 string, found a number",
            ),
            (
                r#"{"quote": null, "cc_eventlog": ""}"#.into(),
                "malformed_json",
                "quote: expected a base64 string, found null",
            ),
            (
                r#"{"quote": "!!notbase64", "cc_eventlog": ""}"#.into(),
                "malformed_encoding",
                "malformed Trustee TDX evidence \"quote\" at offset 0x0: not base64",
            ),
            (
                r#"{"quote": ""}"#.into(),
                "malformed_encoding",
                "\"quote\" at offset 0x0: not base64 of a non-empty quote",
            ),
            (
                format!(r#"{{"quote": "{quote}", "cc_eventlog": {{}}}}"#),
                "malformed_json",
                "cc_eventlog: expected a base64 string, found an object",
            ),
            (
                format!(r#"{{"quote": "{quote}", "cc_eventlog": "%%"}}"#),
                "malformed_encoding",
                "malformed Trustee TDX evidence \"cc_eventlog\" at offset 0x0: not base64",
            ),
            (
                format!(r#"{{"quote": "{quote}", "quote": "{quote}"}}"#),
                "malformed_json",
                "duplicate",
            ),
            (
                format!(r#"{{"quote": "{quote}", "cc_eventlog": "", "cc_eventlog": "AAAA"}}"#),
                "malformed_json",
                "cc_eventlog",
            ),
        ];
        for (json, kind, text) in cases {
            let e = trustee_tdx(json.as_bytes()).expect_err(&json);
            assert_eq!(e.kind(), kind, "{json}: {e}");
            assert_eq!(e.class(), ErrorClass::Malformed, "{json}: {e}");
            assert!(e.to_string().contains(text), "{text:?} not in {e}");
        }
    }

    #[test]
    fn trustee_json_is_read_and_other_input_is_not_taken_for_it() {
        let quote = [4u8, 0, 2, 0, 0x81, 0, 0, 0];
        let log = vec![0xA5u8; 200];
        // Wrapped base64, as a pretty-printer or a 76-column encoder leaves it.
        let wrapped: String = b64(&log)
            .as_bytes()
            .chunks(76)
            .map(|c| core::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let json = serde_json::json!({
            "quote": b64(&quote),
            "cc_eventlog": wrapped,
            "aa_eventlog": "ignored",
        })
        .to_string();
        let t = trustee_tdx(json.as_bytes()).unwrap().unwrap();
        assert_eq!(t.quote, quote);
        assert_eq!(t.event_log, Some(log));
        for absent in ["null", "\"\""] {
            let json = format!(r#"{{"quote": "{}", "cc_eventlog": {absent}}}"#, b64(&quote));
            let t = trustee_tdx(json.as_bytes()).unwrap().unwrap();
            assert_eq!(t.event_log, None, "{json}");
        }
        for other in [
            &quote[..],
            hex::encode(quote).as_bytes(),
            b64(&quote).as_bytes(),
            br#"{"evidence": "AAAA"}"#,
            br#"[{"quote": "AAAA"}]"#,
            br#"{"quote": "AAAA""#,
            b"",
        ] {
            assert_eq!(trustee_tdx(other).unwrap(), None, "{other:?}");
        }
    }

    #[test]
    fn decodes_all_forms() {
        let raw: Vec<u8> = (0u8..=255).collect();
        assert_eq!(decode(&raw), raw);
        assert_eq!(decode(hex::encode(&raw).as_bytes()), raw);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
        assert_eq!(decode(format!("{b64}\n").as_bytes()), raw);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
        assert_eq!(decode(url.as_bytes()), raw);
    }
}
