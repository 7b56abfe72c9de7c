//! The content of an NVIDIA RIM: an ISO/IEC 19770-2:2015 SWID tag in the TCG PC Client
//! RIM profile (`Meta` carries the TCG RIM Information Model attributes) whose `Payload`
//! lists one `Resource` per measurement index.

use std::collections::HashSet;

use super::xml::Element;
use crate::error::{Error, RimErrorKind};

/// The ISO/IEC 19770-2:2015 SWID namespace (NVIDIA binds it as the default and as `ns0`).
pub(crate) const SWID_NS: &str = "http://standards.iso.org/iso/19770/-2/2015/schema.xsd";
/// The TCG RIM Information Model namespace of `Meta`'s platform attributes (`ns1`).
pub(crate) const RIM_IM_NS: &str =
    "https://trustedcomputinggroup.org/resource/tcg-reference-integrity-manifest-rim-information-model/";
/// The namespace of the `HashN` attributes (`ns2`): it names SHA-384 as their algorithm.
pub(crate) const SHA384_NS: &str = "http://www.w3.org/2001/04/xmlenc#sha384";
/// The largest digest a measurement may hold (SHA-512).
const MAX_DIGEST_LEN: usize = 64;

/// One golden measurement: a `Resource type="Measurement"` of the RIM's Payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RimMeasurement {
    /// `index`: the measurement index, 0-based (SPDM measurement block `index + 1`).
    pub index: u32,
    /// `active="True"`: only active measurements are compared with evidence.
    pub active: bool,
    /// `size`: the length of each digest, in bytes (48 for SHA-384).
    pub size: usize,
    /// `name`, e.g. `Measurement_7` or `HashedMeasurement_35_GSP`.
    pub name: String,
    /// `Hash0` … `Hash{alternatives-1}`, decoded from hex: the evidence may match any one.
    pub alternatives: Vec<Vec<u8>>,
}

/// The document element and its Meta: what names the RIM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) tag_id: String,
    pub(crate) colloquial_version: String,
    pub(crate) product: String,
    pub(crate) edition: String,
    pub(crate) manufacturer_id: Option<String>,
}

impl Header {
    /// How errors name the RIM: `RIM GH100 550.90.07`.
    pub(crate) fn label(&self) -> String {
        format!("RIM {} {}", self.product, self.colloquial_version)
    }
}

fn content(rim: &str, msg: String) -> Error {
    Error::Rim {
        rim: rim.to_owned(),
        kind: RimErrorKind::Content(msg),
    }
}

/// Reads the document element's tagId and its one Meta.
///
/// # Errors
/// [`Error::Rim`] with [`RimErrorKind::Content`] for a missing or malformed element or
/// attribute.
pub(crate) fn header(root: &Element) -> Result<Header, Error> {
    if !root.is(SWID_NS, "SoftwareIdentity") {
        return Err(content(
            "RIM",
            format!(
                "the document element is {}, not a SoftwareIdentity of the ISO 19770-2:2015 namespace",
                root.qname()
            ),
        ));
    }
    let tag_id = root
        .attr(None, "tagId")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| content("RIM", "SoftwareIdentity has no tagId".to_owned()))?;
    let label = format!("RIM {tag_id}");
    let meta = only_child(root, "Meta").map_err(|m| content(&label, m))?;
    let required = |name: &str| {
        meta.attr(None, name)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| content(&label, format!("Meta has no {name}")))
    };
    Ok(Header {
        tag_id: tag_id.to_owned(),
        colloquial_version: required("colloquialVersion")?,
        product: required("product")?,
        edition: required("edition")?,
        manufacturer_id: meta
            .attr(Some(RIM_IM_NS), "FirmwareManufacturerId")
            .map(str::to_owned),
    })
}

/// Reads the measurements of the one Payload. `label` names the RIM in errors.
///
/// # Errors
/// [`Error::Rim`] with [`RimErrorKind::Content`] for a missing Payload or an element in it
/// other than Resource, [`RimErrorKind::Measurement`] / [`RimErrorKind::DuplicateIndex`]
/// for a bad Resource.
pub(crate) fn measurements(root: &Element, label: &str) -> Result<Vec<RimMeasurement>, Error> {
    let payload = only_child(root, "Payload").map_err(|m| content(label, m))?;
    let mut measurements: Vec<RimMeasurement> = Vec::new();
    let mut seen = HashSet::new();
    for resource in payload.elements() {
        if !resource.is(SWID_NS, "Resource") {
            return Err(content(
                label,
                format!(
                    "{} in Payload (only Resource is accepted)",
                    resource.qname()
                ),
            ));
        }
        let fail = |kind| Error::Rim {
            rim: label.to_owned(),
            kind,
        };
        let m = measurement(resource).map_err(fail)?;
        if !seen.insert(m.index) {
            return Err(fail(RimErrorKind::DuplicateIndex { index: m.index }));
        }
        measurements.push(m);
    }
    Ok(measurements)
}

/// The one child `{SWID}local` of the document element.
fn only_child<'a>(root: &'a Element, local: &str) -> Result<&'a Element, String> {
    let mut found = root.elements().filter(|e| e.is(SWID_NS, local));
    match (found.next(), found.next()) {
        (Some(one), None) => Ok(one),
        (None, _) => Err(format!("no {local} element")),
        (Some(_), Some(_)) => Err(format!("more than one {local} element")),
    }
}

/// A decimal number: ASCII digits only (no sign, no spaces).
fn decimal<T: core::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn measurement(e: &Element) -> Result<RimMeasurement, RimErrorKind> {
    let index_text = e.attr(None, "index");
    let index = index_text.and_then(decimal::<u32>);
    let bad = |reason: String| RimErrorKind::Measurement { index, reason };
    match e.attr(None, "type") {
        Some("Measurement") => {}
        Some(other) => return Err(bad(format!("Resource type {other:?} is not accepted"))),
        None => return Err(bad("Resource has no type".to_owned())),
    }
    let index = match (index_text, index) {
        (_, Some(i)) => i,
        (Some(text), None) => return Err(bad(format!("index {text:?} is not a number"))),
        (None, None) => return Err(bad("no index".to_owned())),
    };
    let active = match e.attr(None, "active") {
        Some("True") => true,
        Some("False") => false,
        Some(other) => {
            return Err(bad(format!(
                "active is {other:?}; only \"True\" and \"False\" are accepted"
            )))
        }
        None => return Err(bad("no active attribute".to_owned())),
    };
    let size = e
        .attr(None, "size")
        .and_then(decimal::<usize>)
        .filter(|s| (1..=MAX_DIGEST_LEN).contains(s))
        .ok_or_else(|| bad(format!("size must be a number from 1 to {MAX_DIGEST_LEN}")))?;
    let alternatives = e
        .attr(None, "alternatives")
        .and_then(decimal::<usize>)
        .filter(|n| *n >= 1)
        .ok_or_else(|| bad("alternatives must be a number, at least 1".to_owned()))?;
    let name = e
        .attr(None, "name")
        .ok_or_else(|| bad("no name".to_owned()))?
        .to_owned();

    let mut hashes: Vec<(usize, &str)> = Vec::new();
    for a in e
        .attrs
        .iter()
        .filter(|a| a.ns.as_deref() == Some(SHA384_NS))
    {
        let n = a
            .local
            .strip_prefix("Hash")
            // `Hash01` would be a second spelling of `Hash1`.
            .filter(|d| *d == "0" || !d.starts_with('0'))
            .and_then(decimal::<usize>)
            .ok_or_else(|| {
                bad(format!(
                    "unexpected attribute {} in the hash namespace",
                    a.local
                ))
            })?;
        hashes.push((n, &a.value));
    }
    if hashes.len() != alternatives {
        return Err(bad(format!(
            "alternatives is {alternatives} but {} HashN attributes are present",
            hashes.len()
        )));
    }
    hashes.sort_by_key(|(n, _)| *n);
    let mut decoded = Vec::with_capacity(alternatives);
    for (position, (n, hex_value)) in hashes.into_iter().enumerate() {
        if n != position {
            return Err(bad(format!(
                "Hash{position} is missing (HashN must be Hash0 to Hash{})",
                alternatives.saturating_sub(1)
            )));
        }
        let bytes =
            hex::decode(hex_value).map_err(|_| bad(format!("Hash{n} is not hexadecimal")))?;
        if bytes.len() != size {
            return Err(bad(format!(
                "Hash{n} is {} bytes, size says {size}",
                bytes.len()
            )));
        }
        decoded.push(bytes);
    }
    Ok(RimMeasurement {
        index,
        active,
        size,
        name,
        alternatives: decoded,
    })
}
