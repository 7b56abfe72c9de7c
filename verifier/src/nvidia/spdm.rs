//! The GPU attestation report: an SPDM 1.1 GET_MEASUREMENTS request followed by the
//! MEASUREMENTS response (DSP0274 §10.11), as NVIDIA's driver returns it.
//!
//! Every field is located by the lengths the structure declares, walking forward from
//! offset 0; the signature is where the response says it is, never "the last 96 bytes".
//! Offsets in errors are absolute in the evidence.
//!
//! **Bytes after the signature.** The signature ends the SPDM message, so anything
//! after it is unsigned and outside the format. Captures from NVIDIA's SDK sometimes
//! carry one stray byte there, so at most [`MAX_TRAILING`] such byte is tolerated: kept
//! out of the signed and parsed bytes, and reported ([`AttestationReport::trailing_len`],
//! the `trailing_bytes` claim and a `trailing_data` warning). More is not a capture
//! artefact but data of unknown meaning appended to a report, and is refused as malformed
//! ([`ParseErrorKind::TrailingData`] at the offset where the report should have ended).

use crate::error::{Error, ParseError, ParseErrorKind, Unsupported};
use crate::reader::{invalid, Reader};

/// A message or block that is not the SPDM structure it should be (class Malformed).
fn structure(what: &'static str, offset: usize, why: &'static str) -> ParseError {
    ParseError {
        what,
        offset,
        kind: ParseErrorKind::Structure(why),
    }
}

use super::opaque::OpaqueData;

/// The only SPDM version NVIDIA GPUs and NVSwitches speak in their attestation reports.
pub const SPDM_VERSION_1_1: u8 = 0x11;
/// GET_MEASUREMENTS request code.
const GET_MEASUREMENTS: u8 = 0xE0;
/// MEASUREMENTS response code.
const MEASUREMENTS: u8 = 0x60;
/// Request attribute bit 0: the responder must sign the response.
const SIGNATURE_REQUESTED: u8 = 0x01;
/// MeasurementSpecification bit 0: the DMTF measurement format.
const DMTF_SPEC: u8 = 0x01;
/// Length of the request when a signature is requested (1.1: header, nonce, slot).
pub const REQUEST_LEN: usize = 37;
/// ECDSA P-384 raw r‖s.
pub const SIGNATURE_LEN: usize = 96;
/// Unsigned bytes tolerated after the signature (see the module docs).
pub const MAX_TRAILING: usize = 1;
/// SPDM 1.1 caps OpaqueLength at 1024 bytes.
const MAX_OPAQUE_LEN: usize = 1024;

/// The GET_MEASUREMENTS request (what the verifier side sent the GPU).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasurementRequest {
    /// SPDMVersion (0x11).
    pub version: u8,
    /// Param1, request attributes (bit 0: signature requested).
    pub attributes: u8,
    /// Param2, measurement operation (0xFF: all blocks).
    pub operation: u8,
    /// The requester's nonce: what the caller's freshness check compares.
    pub nonce: [u8; 32],
    /// SlotIDParam: the certificate slot whose key signs.
    pub slot: u8,
}

/// One DMTF measurement block of the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasurementBlock {
    /// Index, 1-based (RIM golden index + 1).
    pub index: u8,
    /// DMTFSpecMeasurementValueType (bit 7: raw bit stream; low bits: what was measured).
    pub value_type: u8,
    /// The measurement (a SHA-384 digest on every NVIDIA device seen).
    pub value: Vec<u8>,
    /// Absolute offset of the block header in the evidence.
    pub offset: usize,
}

/// A parsed attestation report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationReport {
    bytes: Vec<u8>,
    signed_len: usize,
    request: MeasurementRequest,
    slot: u8,
    blocks: Vec<MeasurementBlock>,
    responder_nonce: [u8; 32],
    opaque: OpaqueData,
    signature: [u8; SIGNATURE_LEN],
    trailing: usize,
}

impl AttestationReport {
    /// Parses request ‖ response. At most [`MAX_TRAILING`] byte after the signature is
    /// kept out of the report and counted ([`Self::trailing_len`]); it is not signed.
    ///
    /// # Errors
    /// [`Error::Parse`] naming the field and offset, including
    /// [`ParseErrorKind::TrailingData`] for more than [`MAX_TRAILING`] byte after the
    /// signature; [`Error::Unsupported`] for an SPDM version other than 1.1, an unsigned
    /// request, or an opaque-data format not known.
    pub fn parse(evidence: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(evidence);
        let request = parse_request(&mut r)?;
        let response_at = r.pos();
        let version = r.u8("response SPDMVersion")?;
        if version != request.version {
            return Err(invalid(
                "response SPDMVersion",
                response_at,
                "differs from the request's",
            )
            .into());
        }
        let code = r.u8("response RequestResponseCode")?;
        if code != MEASUREMENTS {
            return Err(structure(
                "response RequestResponseCode",
                response_at.saturating_add(1),
                "expected 0x60 (MEASUREMENTS)",
            )
            .into());
        }
        // Param1 carries the number of indices only for operation 0 (a count request).
        let _param1 = r.u8("response Param1")?;
        let slot = r.u8("response Param2 (slot)")? & 0x0F;
        let blocks = parse_record(&mut r)?;
        let responder_nonce = r.array::<32>("response Nonce")?;
        let opaque_len_at = r.pos();
        let opaque_len = usize::from(r.u16("OpaqueLength")?);
        if opaque_len > MAX_OPAQUE_LEN {
            return Err(invalid("OpaqueLength", opaque_len_at, "exceeds 1024 (SPDM 1.1)").into());
        }
        let mut opaque_r = r.sub(opaque_len, "OpaqueData")?;
        let opaque = OpaqueData::parse(&mut opaque_r)?;
        let signed_len = r.pos();
        let signature = r.array::<SIGNATURE_LEN>("Signature")?;
        let trailing = r.remaining();
        if trailing > MAX_TRAILING {
            return Err(ParseError {
                what: "bytes after the Signature (at most 1 is tolerated)",
                offset: r.pos(),
                kind: ParseErrorKind::TrailingData { extra: trailing },
            }
            .into());
        }
        let bytes = evidence
            .get(..signed_len.saturating_add(SIGNATURE_LEN))
            .unwrap_or(evidence)
            .to_vec();
        Ok(Self {
            bytes,
            signed_len,
            request,
            slot,
            blocks,
            responder_nonce,
            opaque,
            signature,
            trailing,
        })
    }

    /// The request.
    pub fn request(&self) -> &MeasurementRequest {
        &self.request
    }

    /// The requester nonce (what freshness is judged by).
    pub fn nonce(&self) -> &[u8; 32] {
        &self.request.nonce
    }

    /// The responder's own random nonce.
    pub fn responder_nonce(&self) -> &[u8; 32] {
        &self.responder_nonce
    }

    /// The response's slot id.
    pub fn slot(&self) -> u8 {
        self.slot
    }

    /// The measurement blocks in report order.
    pub fn blocks(&self) -> &[MeasurementBlock] {
        &self.blocks
    }

    /// The block with SPDM index `index` (1-based).
    pub fn block(&self, index: u8) -> Option<&MeasurementBlock> {
        self.blocks.iter().find(|b| b.index == index)
    }

    /// The opaque data.
    pub fn opaque(&self) -> &OpaqueData {
        &self.opaque
    }

    /// The bytes the signature covers: request ‖ response up to the signature.
    pub fn signed_bytes(&self) -> &[u8] {
        self.bytes.get(..self.signed_len).unwrap_or(&self.bytes)
    }

    /// The signature, raw r‖s big-endian.
    pub fn signature(&self) -> &[u8; SIGNATURE_LEN] {
        &self.signature
    }

    /// Unsigned bytes that followed the signature in the input.
    pub fn trailing_len(&self) -> usize {
        self.trailing
    }
}

fn parse_request(r: &mut Reader<'_>) -> Result<MeasurementRequest, Error> {
    let version = r.u8("request SPDMVersion")?;
    if version != SPDM_VERSION_1_1 {
        return Err(Unsupported::SpdmVersion(version).into());
    }
    let code = r.u8("request RequestResponseCode")?;
    if code != GET_MEASUREMENTS {
        return Err(structure(
            "request RequestResponseCode",
            1,
            "expected 0xE0 (GET_MEASUREMENTS)",
        )
        .into());
    }
    let attributes = r.u8("request Param1 (attributes)")?;
    if attributes & SIGNATURE_REQUESTED == 0 {
        return Err(Unsupported::UnsignedMeasurements.into());
    }
    let operation = r.u8("request Param2 (operation)")?;
    let nonce = r.array::<32>("request Nonce")?;
    let slot = r.u8("request SlotIDParam")?;
    Ok(MeasurementRequest {
        version,
        attributes,
        operation,
        nonce,
        slot,
    })
}

/// NumberOfBlocks, MeasurementRecordLength and the record: the blocks must fill the
/// declared length exactly, be DMTF-format, and have distinct indices.
fn parse_record(r: &mut Reader<'_>) -> Result<Vec<MeasurementBlock>, Error> {
    let count_at = r.pos();
    let count = r.u8("NumberOfBlocks")?;
    if count == 0 {
        return Err(invalid("NumberOfBlocks", count_at, "must not be zero").into());
    }
    let len_at = r.pos();
    let len = r.array::<3>("MeasurementRecordLength")?;
    let [b0, b1, b2] = len;
    let len = u32::from_le_bytes([b0, b1, b2, 0]) as usize;
    let mut record = r.sub(len, "MeasurementRecord")?;
    let mut blocks: Vec<MeasurementBlock> = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let offset = record.pos();
        let index = record.u8("measurement block Index")?;
        let spec = record.u8("measurement block MeasurementSpecification")?;
        if spec != DMTF_SPEC {
            return Err(structure(
                "measurement block MeasurementSpecification",
                offset.saturating_add(1),
                "expected 0x01 (DMTF)",
            )
            .into());
        }
        let size_at = record.pos();
        let size = usize::from(record.u16("measurement block MeasurementSize")?);
        let mut m = record.sub(size, "measurement block Measurement")?;
        let value_type = m.u8("DMTFSpecMeasurementValueType")?;
        let value_size = usize::from(m.u16("DMTFSpecMeasurementValueSize")?);
        let value = m.take(value_size, "DMTFSpecMeasurementValue")?.to_vec();
        if m.remaining() != 0 {
            return Err(ParseError {
                what: "measurement block MeasurementSize",
                offset: size_at,
                kind: ParseErrorKind::WrongLength {
                    expected: value_size.saturating_add(3),
                    actual: size,
                },
            }
            .into());
        }
        if blocks.iter().any(|b| b.index == index) {
            return Err(invalid("measurement block Index", offset, "index repeated").into());
        }
        blocks.push(MeasurementBlock {
            index,
            value_type,
            value,
            offset,
        });
    }
    if record.remaining() != 0 {
        return Err(ParseError {
            what: "MeasurementRecordLength",
            offset: len_at,
            kind: ParseErrorKind::WrongLength {
                expected: len.saturating_sub(record.remaining()),
                actual: len,
            },
        }
        .into());
    }
    Ok(blocks)
}
