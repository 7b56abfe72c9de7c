//! The TDX CC event log (CCEL): the ACPI table that locates it, the TCG crypto-agile
//! event log it holds, and the replay of that log into the four RTMRs of a TD quote.
//!
//! # Formats
//!
//! **ACPI CCEL table** (ACPI 6.5, "Confidential Computing Event Log Table (CCEL)";
//! Intel TDX Guest-Hypervisor Communication Interface, "Event Log"; 56 bytes,
//! little-endian): the standard 36-byte ACPI header (Signature `"CCEL"`, Length,
//! Revision, Checksum so that all bytes sum to 0 mod 256, OEMID, OEM Table ID, OEM
//! Revision, Creator ID, Creator Revision), then CC Type (u8; 1 = AMD SEV, 2 = Intel TDX),
//! CC Subtype (u8), Reserved (u16, zero), LAML (u64, log area minimum length) and LASA
//! (u64, log area start address, a guest physical address). See [`parse_ccel_table`].
//!
//! **Event log** (TCG PC Client Platform Firmware Profile, PFP, "Crypto Agile Log
//! Format"; UEFI 2.10 `EFI_CC_MEASUREMENT_PROTOCOL`, which writes it): the log area
//! starts with one event in the legacy SHA-1 `TCG_PCClientPCREvent` layout (PCRIndex
//! u32, EventType u32 = EV_NO_ACTION, a zero 20-byte SHA-1 digest, EventSize u32,
//! Event) whose data is the `TCG_EfiSpecIDEvent` (signature `"Spec ID Event03\0"`,
//! platformClass, spec version, uintnSize, the algorithm list {algorithmId u16,
//! digestSize u16} and vendor info). Every later record is a `TCG_PCR_EVENT2`: PCRIndex
//! (here the CC MR index) u32, EventType u32, a `TPML_DIGEST_VALUES` (count u32, then
//! per digest hashAlg u16 and a digest of the size the Spec ID event declared for that
//! algorithm), EventSize u32 and the event data. All integers are little-endian.
//!
//! **MR index mapping** (UEFI 2.10 `EFI_CC_MEASUREMENT_PROTOCOL.MapPcrToMrIndex` for
//! TDX; Intel TDX GHCI and TDVF design guide): MR index 0 is MRTD, which the TDX module
//! builds before the TD runs, so no log event can extend it and index-0 events are not
//! replayed; MR index 1..=4 extends RTMR0..=RTMR3. An RTMR starts as 48 zero bytes and
//! `extend(d)` sets `RTMR = SHA-384(RTMR ‖ d)`, with `d` the event's SHA-384 digest.
//! EV_NO_ACTION events are informational and never extended (PFP, "Event Types").
//!
//! **End of the log.** The CCEL log area is LAML bytes long and the log only fills
//! its beginning; the rest is what firmware initialised the area with. TDVF/OVMF fill
//! it with 0xFF (the staged go-tdx-guest and trustee logs end that way), and copies of
//! the area may be zero-filled instead. The parser therefore stops where the next
//! record header would start if the input ends there, or if that header's first 8
//! bytes (MR index and event type; fewer if the input ends sooner) are all 0xFF or all
//! 0x00. No real record looks like that: MR index 0xFFFFFFFF does not exist, and
//! MR index 0 with event type 0 (EV_PREBOOT_CERT, unused by the PFP) is MRTD, which
//! the log never extends. Bytes after the marker are not inspected: they are not part
//! of the log, and anything extended without being logged shows up as a replay
//! mismatch. [`EventLog::log_len`] tells where the log ended.
//!
//! **Decoded event data** (for claims; see [`EventLog::decode`] and [`EventData`]):
//! UEFI_VARIABLE_DATA, UEFI_IMAGE_LOAD_EVENT with the device path in the UEFI text
//! form (UEFI 2.10 "Device Path Text Representation"), UEFI_GPT_DATA,
//! UEFI_PLATFORM_FIRMWARE_BLOB(2), UEFI_HANDOFF_TABLE_POINTERS(2), TCG_PCClientTaggedEvent,
//! EV_SEPARATOR values and printable strings (EV_IPL from grub, the kernel command
//! line, EV_EFI_ACTION, EV_PLATFORM_CONFIG_FLAGS). Anything that does not decode
//! exactly is shown as (bounded) hex; decoding never fails.
//!
//! Decoded data is only as trustworthy as its binding to the replayed digest:
//! [`DecodedEvent::data_matches_digest`] says whether SHA-384(event data) equals the
//! extended digest. When it does not (images, grub commands, which firmware and grub
//! hash in another form), a policy must judge the event by its digest.

mod decode;

use core::fmt;

use crate::crypto::{CryptoProvider, HashAlg};
use crate::error::{Error, ParseError, ParseErrorKind};
use crate::reader::Reader;

pub use decode::{
    decode_event_data, DecodedDigest, DecodedEvent, EventData, GptPartition, HandoffTable, HexData,
    MAX_HEX_BYTES,
};

/// Length of a revision-1 CCEL table (the 36-byte ACPI header and 20 bytes of fields).
pub const CCEL_TABLE_LEN: usize = 56;
/// CC Type of Intel TDX in the CCEL table.
pub const CC_TYPE_TDX: u8 = 2;
/// EventType of informational events, which are never extended (PFP, "Event Types").
pub const EV_NO_ACTION: u32 = 0x0000_0003;
/// TPM_ALG_ID of SHA-384 (TCG Algorithm Registry), the RTMR hash.
pub const TPM_ALG_SHA384: u16 = 0x000C;
/// Number of RTMRs in a TD report.
pub const RTMR_COUNT: usize = 4;
/// The signature that starts a crypto-agile log's Spec ID event (PFP, `TCG_EfiSpecIDEvent`).
pub const SPEC_ID_EVENT03: &[u8; 16] = b"Spec ID Event03\0";

/// The ACPI CCEL table, decoded.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CcelTable {
    /// Table revision (1 in ACPI 6.5).
    pub revision: u8,
    /// OEMID (6 bytes, usually space-padded ASCII such as `"INTEL "`).
    pub oem_id: [u8; 6],
    /// OEM Table ID (8 bytes).
    pub oem_table_id: [u8; 8],
    /// OEM Revision.
    pub oem_revision: u32,
    /// Creator ID (4 bytes).
    pub creator_id: [u8; 4],
    /// Creator Revision.
    pub creator_revision: u32,
    /// CC Type: 1 = AMD SEV, 2 = Intel TDX ([`CC_TYPE_TDX`]).
    pub cc_type: u8,
    /// CC Subtype (0 for TDX).
    pub cc_subtype: u8,
    /// LAML: the log area's minimum length in bytes.
    pub laml: u64,
    /// LASA: the log area's start address (guest physical).
    pub lasa: u64,
}

impl CcelTable {
    /// Whether the table describes an Intel TDX log.
    pub fn is_tdx(&self) -> bool {
        self.cc_type == CC_TYPE_TDX
    }
}

fn parse_error(what: &'static str, offset: usize, kind: ParseErrorKind) -> Error {
    Error::Parse(ParseError { what, offset, kind })
}

/// A log that reads but holds a value Verdict cannot use (class Rejected).
fn invalid(what: &'static str, offset: usize, reason: &'static str) -> Error {
    parse_error(what, offset, ParseErrorKind::InvalidValue(reason))
}

/// Bytes that are not a CCEL table or crypto-agile log at all (class Malformed): a wrong
/// signature, or headers whose counts and sizes do not fit together.
fn structure(what: &'static str, offset: usize, reason: &'static str) -> Error {
    parse_error(what, offset, ParseErrorKind::Structure(reason))
}

/// Parses the ACPI CCEL table (56 bytes, see the module docs).
///
/// # Errors
/// [`Error::Parse`] with the field and its offset:
/// - Signature other than `"CCEL"` ([`ParseErrorKind::Structure`], offset 0);
/// - Length field other than 56 ([`ParseErrorKind::WrongLength`], offset 4);
/// - input shorter than that ([`ParseErrorKind::Truncated`]) or longer
///   ([`ParseErrorKind::TrailingData`] at offset 56);
/// - bytes that do not sum to 0 mod 256 ([`ParseErrorKind::Structure`], offset 9,
///   the Checksum field);
/// - a non-zero Reserved field ([`ParseErrorKind::NonZeroReserved`], offset 38).
pub fn parse_ccel_table(bytes: &[u8]) -> Result<CcelTable, Error> {
    let mut r = Reader::new(bytes);
    // The signature is checked first so that a wrong table gets the clearest error.
    if &r.array::<4>("CCEL table Signature")? != b"CCEL" {
        return Err(structure(
            "CCEL table Signature",
            0,
            "signature is not \"CCEL\"",
        ));
    }
    let length = r.u32("CCEL table Length")?;
    if usize::try_from(length).ok() != Some(CCEL_TABLE_LEN) {
        return Err(parse_error(
            "CCEL table Length",
            4,
            ParseErrorKind::WrongLength {
                expected: CCEL_TABLE_LEN,
                actual: usize::try_from(length).unwrap_or(usize::MAX),
            },
        ));
    }
    if bytes.len() < CCEL_TABLE_LEN {
        return Err(parse_error(
            "CCEL table",
            bytes.len(),
            ParseErrorKind::Truncated {
                needed: CCEL_TABLE_LEN,
                available: bytes.len(),
            },
        ));
    }
    if let Some(extra) = bytes.len().checked_sub(CCEL_TABLE_LEN).filter(|e| *e > 0) {
        return Err(parse_error(
            "CCEL table",
            CCEL_TABLE_LEN,
            ParseErrorKind::TrailingData { extra },
        ));
    }
    // ACPI 6.5 §5.2.6: the entire table, checksum byte included, sums to zero.
    if bytes.iter().fold(0u8, |sum, b| sum.wrapping_add(*b)) != 0 {
        return Err(structure(
            "CCEL table Checksum",
            9,
            "the table's bytes do not sum to zero mod 256",
        ));
    }
    let revision = r.u8("CCEL table Revision")?;
    let _checksum = r.u8("CCEL table Checksum")?;
    let oem_id = r.array("CCEL table OEMID")?;
    let oem_table_id = r.array("CCEL table OEM Table ID")?;
    let oem_revision = r.u32("CCEL table OEM Revision")?;
    let creator_id = r.array("CCEL table Creator ID")?;
    let creator_revision = r.u32("CCEL table Creator Revision")?;
    let cc_type = r.u8("CCEL table CC Type")?;
    let cc_subtype = r.u8("CCEL table CC Subtype")?;
    let reserved_at = r.pos();
    if r.u16("CCEL table Reserved")? != 0 {
        return Err(parse_error(
            "CCEL table Reserved",
            reserved_at,
            ParseErrorKind::NonZeroReserved,
        ));
    }
    let laml = r.u64("CCEL table LAML")?;
    let lasa = r.u64("CCEL table LASA")?;
    Ok(CcelTable {
        revision,
        oem_id,
        oem_table_id,
        oem_revision,
        creator_id,
        creator_revision,
        cc_type,
        cc_subtype,
        laml,
        lasa,
    })
}

/// One entry of the Spec ID event's algorithm list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlgorithmSize {
    /// TPM_ALG_ID (TCG Algorithm Registry), e.g. [`TPM_ALG_SHA384`].
    pub alg_id: u16,
    /// Size in bytes of this algorithm's digests in every later record.
    pub digest_size: u16,
}

/// The `TCG_EfiSpecIDEvent` that opens a crypto-agile log (PFP).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecIdEvent {
    /// The PCRIndex of the header event (PFP says 0; TDVF writes 1). Not interpreted.
    pub header_mr_index: u32,
    /// platformClass (0 = client, 1 = server).
    pub platform_class: u32,
    /// specVersionMinor.
    pub spec_version_minor: u8,
    /// specVersionMajor (2 for the crypto-agile format).
    pub spec_version_major: u8,
    /// specErrata.
    pub spec_errata: u8,
    /// uintnSize: 1 = UINTN is 32 bits, 2 = 64 bits (used to decode UEFI structures).
    pub uintn_size: u8,
    /// The digest algorithms every record may carry, with their sizes.
    pub algorithms: Vec<AlgorithmSize>,
    /// vendorInfo.
    pub vendor_info: Vec<u8>,
}

impl SpecIdEvent {
    /// The digest size declared for `alg_id`.
    pub fn digest_size(&self, alg_id: u16) -> Option<u16> {
        self.algorithms
            .iter()
            .find(|a| a.alg_id == alg_id)
            .map(|a| a.digest_size)
    }

    /// Bytes in a UINTN (4 or 8): uintnSize 1 means 32 bits, anything else is taken as
    /// 64 bits, which is what TDX guests (x86-64) use.
    pub fn uintn_bytes(&self) -> usize {
        if self.uintn_size == 1 {
            4
        } else {
            8
        }
    }
}

/// One digest of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDigest {
    /// TPM_ALG_ID.
    pub alg_id: u16,
    /// The digest, of the size the Spec ID event declared for `alg_id`.
    pub digest: Vec<u8>,
}

/// One `TCG_PCR_EVENT2` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    index: usize,
    offset: usize,
    mr_index: u32,
    event_type: u32,
    digests: Vec<EventDigest>,
    sha384: Option<[u8; 48]>,
    data: Vec<u8>,
}

impl Event {
    /// Position among the `TCG_PCR_EVENT2` records, from 0 (the Spec ID header is not
    /// counted).
    pub fn index(&self) -> usize {
        self.index
    }

    /// Byte offset of the record in the log.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The CC MR index (the record's PCRIndex field): 0 = MRTD, 1..=4 = RTMR0..=3.
    pub fn mr_index(&self) -> u32 {
        self.mr_index
    }

    /// EventType.
    pub fn event_type(&self) -> u32 {
        self.event_type
    }

    /// The PFP name of the event type, e.g. `EV_IPL`.
    pub fn event_type_name(&self) -> Option<&'static str> {
        event_type_name(self.event_type)
    }

    /// Whether the record was extended into a measurement register (it is not
    /// EV_NO_ACTION).
    pub fn is_extended(&self) -> bool {
        self.event_type != EV_NO_ACTION
    }

    /// The RTMR (0..=3) this record extends, or `None` for EV_NO_ACTION records and for
    /// MR index 0 (MRTD, which is not replayed).
    pub fn rtmr(&self) -> Option<u8> {
        if !self.is_extended() {
            return None;
        }
        self.mr_index
            .checked_sub(1)
            .and_then(|i| u8::try_from(i).ok())
            .filter(|i| usize::from(*i) < RTMR_COUNT)
    }

    /// Every digest of the record, in log order.
    pub fn digests(&self) -> &[EventDigest] {
        &self.digests
    }

    /// The SHA-384 digest: always present on extended records (the parser requires it).
    pub fn sha384(&self) -> Option<&[u8; 48]> {
        self.sha384.as_ref()
    }

    /// The event data, as logged.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

/// A parsed crypto-agile event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLog {
    spec_id: SpecIdEvent,
    events: Vec<Event>,
    log_len: usize,
}

/// A replayed RTMR that differs from the quoted one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "event log replays RTMR{index} to {}, the quote has {}",
    hex::encode(replayed),
    hex::encode(quoted)
)]
pub struct RtmrMismatch {
    /// Which RTMR (0..=3).
    pub index: u8,
    /// The value the log replays to.
    pub replayed: [u8; 48],
    /// The value in the quote.
    pub quoted: [u8; 48],
}

impl EventLog {
    /// Parses a CCEL log area: the Spec ID header event, then `TCG_PCR_EVENT2` records up
    /// to the end marker or the end of the input (see the module docs).
    ///
    /// # Errors
    /// [`Error::Parse`] with the absolute offset of the offending field:
    /// - [`ParseErrorKind::Truncated`] when a record (or the header) runs past the input,
    ///   including absurd digest counts and event sizes, which are checked against the
    ///   remaining input before anything is allocated;
    /// - [`ParseErrorKind::Structure`] (bytes that are not a crypto-agile log: class
    ///   Malformed) when the first event is not an EV_NO_ACTION `"Spec ID Event03"` event
    ///   with a zero SHA-1 digest, when the algorithm list is empty, repeats an algorithm
    ///   or gives a known algorithm the wrong size, when a record uses an algorithm the
    ///   header did not declare, repeats one or has more digests than declared
    ///   algorithms;
    /// - [`ParseErrorKind::InvalidValue`] (a log that reads but cannot be replayed into a
    ///   TD quote: class Rejected) when the algorithms lack SHA-384 at 48 bytes, when an
    ///   extended record lacks SHA-384, or when it names an MR index above 4;
    /// - [`ParseErrorKind::TrailingData`] when the Spec ID event has bytes after its
    ///   vendor info.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes);
        let spec_id = parse_spec_id(&mut r)?;
        let mut events = Vec::new();
        while !at_end_marker(r.unread()) {
            let event = parse_event2(&mut r, &spec_id, events.len())?;
            events.push(event);
        }
        Ok(Self {
            spec_id,
            events,
            log_len: r.pos(),
        })
    }

    /// The Spec ID header event.
    pub fn spec_id(&self) -> &SpecIdEvent {
        &self.spec_id
    }

    /// The `TCG_PCR_EVENT2` records, in log order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Bytes of input the log occupies: the offset of the end marker, or the input
    /// length if the log filled it.
    pub fn log_len(&self) -> usize {
        self.log_len
    }

    /// Replays the log: RTMR\[n\] starts as 48 zero bytes and every extended record with
    /// MR index n + 1 sets it to SHA-384(RTMR\[n\] ‖ record's SHA-384 digest).
    pub fn replay(&self, provider: &dyn CryptoProvider) -> [[u8; 48]; RTMR_COUNT] {
        let mut rtmrs = [[0u8; 48]; RTMR_COUNT];
        for event in &self.events {
            let (Some(rtmr), Some(digest)) = (event.rtmr(), event.sha384.as_ref()) else {
                continue;
            };
            if let Some(slot) = rtmrs.get_mut(usize::from(rtmr)) {
                let extended = provider.hash(HashAlg::Sha384, &[slot.as_slice(), digest]);
                // A SHA-384 provider returns 48 bytes; a broken one leaves zeros, which
                // then fail the comparison with the quote rather than panic.
                *slot = <[u8; 48]>::try_from(extended.as_ref()).unwrap_or([0u8; 48]);
            }
        }
        rtmrs
    }

    /// Replays the log and compares all four RTMRs with the quote's.
    ///
    /// A guest that extends RTMR3 at run time (and logs those events elsewhere) makes
    /// RTMR3 differ; a caller in that situation compares [`EventLog::replay`]'s first
    /// three values itself.
    ///
    /// # Errors
    /// [`RtmrMismatch`] for the first RTMR that differs.
    pub fn replay_matches(
        &self,
        provider: &dyn CryptoProvider,
        rtmrs: &[[u8; 48]; RTMR_COUNT],
    ) -> Result<(), RtmrMismatch> {
        let replayed = self.replay(provider);
        for ((index, replayed), quoted) in (0u8..).zip(replayed).zip(rtmrs) {
            if replayed != *quoted {
                return Err(RtmrMismatch {
                    index,
                    replayed,
                    quoted: *quoted,
                });
            }
        }
        Ok(())
    }

    /// Decodes every record for claims (see [`DecodedEvent`]); `provider` hashes the
    /// event data to tell whether it is what was extended.
    pub fn decode(&self, provider: &dyn CryptoProvider) -> Vec<DecodedEvent> {
        self.events
            .iter()
            .map(|e| DecodedEvent::new(e, self.spec_id.uintn_bytes(), provider))
            .collect()
    }
}

impl fmt::Display for EventLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CC event log: {} events in {} bytes",
            self.events.len(),
            self.log_len
        )
    }
}

/// Whether the next record header (its first 8 bytes, or what is left) is the end of
/// the log: no bytes, or only 0xFF, or only 0x00 (see the module docs for why).
fn at_end_marker(rest: &[u8]) -> bool {
    let head = rest.get(..8).unwrap_or(rest);
    head.iter().all(|b| *b == 0xFF) || head.iter().all(|b| *b == 0)
}

/// Digest sizes of the algorithms in the TCG Algorithm Registry that PFP logs use; a
/// Spec ID event that gives one of them another size is malformed.
const KNOWN_DIGEST_SIZES: &[(u16, u16)] = &[
    (0x0004, 20), // SHA-1
    (0x000B, 32), // SHA-256
    (TPM_ALG_SHA384, 48),
    (0x000D, 64), // SHA-512
    (0x0012, 32), // SM3-256
    (0x0027, 32), // SHA3-256
    (0x0028, 48), // SHA3-384
    (0x0029, 64), // SHA3-512
];

fn parse_spec_id(r: &mut Reader<'_>) -> Result<SpecIdEvent, Error> {
    const WHAT: &str = "Spec ID Event03";
    let header_mr_index = r.u32("TCG_PCClientPCREvent PCRIndex")?;
    let type_at = r.pos();
    if r.u32("TCG_PCClientPCREvent EventType")? != EV_NO_ACTION {
        return Err(structure(
            "TCG_PCClientPCREvent EventType",
            type_at,
            "the first event is not EV_NO_ACTION: not a crypto-agile log",
        ));
    }
    let digest_at = r.pos();
    if r.array::<20>("TCG_PCClientPCREvent Digest")? != [0u8; 20] {
        return Err(structure(
            "TCG_PCClientPCREvent Digest",
            digest_at,
            "the Spec ID event's SHA-1 digest must be zero",
        ));
    }
    let size = r.u32("TCG_PCClientPCREvent EventSize")?;
    let mut body = r.sub(
        usize::try_from(size).unwrap_or(usize::MAX),
        "TCG_PCClientPCREvent Event",
    )?;
    let sig_at = body.pos();
    if &body.array::<16>("Spec ID Event03 signature")? != SPEC_ID_EVENT03 {
        return Err(structure(
            "Spec ID Event03 signature",
            sig_at,
            "signature is not \"Spec ID Event03\"",
        ));
    }
    let platform_class = body.u32("Spec ID Event03 platformClass")?;
    let spec_version_minor = body.u8("Spec ID Event03 specVersionMinor")?;
    let spec_version_major = body.u8("Spec ID Event03 specVersionMajor")?;
    let spec_errata = body.u8("Spec ID Event03 specErrata")?;
    let uintn_size = body.u8("Spec ID Event03 uintnSize")?;
    let count_at = body.pos();
    let count = body.u32("Spec ID Event03 numberOfAlgorithms")?;
    if count == 0 {
        return Err(structure(
            "Spec ID Event03 numberOfAlgorithms",
            count_at,
            "no digest algorithms",
        ));
    }
    // Each entry is 4 bytes: check the whole list fits before allocating for it.
    let list_len = usize::try_from(count)
        .ok()
        .and_then(|c| c.checked_mul(4))
        .unwrap_or(usize::MAX);
    let mut list = body.sub(list_len, "Spec ID Event03 digestSizes")?;
    let mut algorithms: Vec<AlgorithmSize> = Vec::with_capacity(list_len / 4);
    while !list.is_empty() {
        let at = list.pos();
        let alg_id = list.u16("Spec ID Event03 algorithmId")?;
        let digest_size = list.u16("Spec ID Event03 digestSize")?;
        if algorithms.iter().any(|a| a.alg_id == alg_id) {
            return Err(structure(
                "Spec ID Event03 algorithmId",
                at,
                "algorithm listed twice",
            ));
        }
        let known = KNOWN_DIGEST_SIZES.iter().find(|(id, _)| *id == alg_id);
        if digest_size == 0 || known.is_some_and(|(_, size)| *size != digest_size) {
            return Err(structure(
                "Spec ID Event03 digestSize",
                at.saturating_add(2),
                "digest size does not match the algorithm",
            ));
        }
        algorithms.push(AlgorithmSize {
            alg_id,
            digest_size,
        });
    }
    if !algorithms.iter().any(|a| a.alg_id == TPM_ALG_SHA384) {
        return Err(invalid(
            "Spec ID Event03 digestSizes",
            count_at,
            "SHA-384 (0x000C), the RTMR hash, is not among the algorithms",
        ));
    }
    let vendor_size = body.u8("Spec ID Event03 vendorInfoSize")?;
    let vendor_info = body
        .take(usize::from(vendor_size), "Spec ID Event03 vendorInfo")?
        .to_vec();
    if !body.is_empty() {
        return Err(parse_error(
            WHAT,
            body.pos(),
            ParseErrorKind::TrailingData {
                extra: body.remaining(),
            },
        ));
    }
    Ok(SpecIdEvent {
        header_mr_index,
        platform_class,
        spec_version_minor,
        spec_version_major,
        spec_errata,
        uintn_size,
        algorithms,
        vendor_info,
    })
}

fn parse_event2(r: &mut Reader<'_>, spec: &SpecIdEvent, index: usize) -> Result<Event, Error> {
    let offset = r.pos();
    let mr_index = r.u32("TCG_PCR_EVENT2 PCRIndex")?;
    let event_type = r.u32("TCG_PCR_EVENT2 EventType")?;
    let count_at = r.pos();
    let count = r.u32("TCG_PCR_EVENT2 Digests.count")?;
    // Each declared algorithm appears at most once, so this also bounds the allocation.
    if usize::try_from(count).map_or(true, |c| c > spec.algorithms.len()) {
        return Err(structure(
            "TCG_PCR_EVENT2 Digests.count",
            count_at,
            "more digests than the Spec ID event declares algorithms",
        ));
    }
    let mut digests: Vec<EventDigest> = Vec::with_capacity(spec.algorithms.len());
    for _ in 0..count {
        let alg_at = r.pos();
        let alg_id = r.u16("TPMT_HA hashAlg")?;
        let Some(size) = spec.digest_size(alg_id) else {
            return Err(structure(
                "TPMT_HA hashAlg",
                alg_at,
                "algorithm not declared in the Spec ID event: its digest size is unknown",
            ));
        };
        if digests.iter().any(|d| d.alg_id == alg_id) {
            return Err(structure(
                "TPMT_HA hashAlg",
                alg_at,
                "algorithm appears twice in one record",
            ));
        }
        let digest = r.take(usize::from(size), "TPMT_HA digest")?.to_vec();
        digests.push(EventDigest { alg_id, digest });
    }
    let size = r.u32("TCG_PCR_EVENT2 EventSize")?;
    let data = r
        .take_len(u64::from(size), "TCG_PCR_EVENT2 Event")?
        .to_vec();

    let sha384 = digests
        .iter()
        .find(|d| d.alg_id == TPM_ALG_SHA384)
        .and_then(|d| <[u8; 48]>::try_from(d.digest.as_slice()).ok());
    if event_type != EV_NO_ACTION {
        if mr_index > 4 {
            return Err(invalid(
                "TCG_PCR_EVENT2 PCRIndex",
                offset,
                "MR index above 4 (TDX has MRTD = 0 and RTMR0..3 = 1..4)",
            ));
        }
        if sha384.is_none() {
            return Err(invalid(
                "TCG_PCR_EVENT2 Digests",
                count_at,
                "an extended event has no SHA-384 digest",
            ));
        }
    }
    Ok(Event {
        index,
        offset,
        mr_index,
        event_type,
        digests,
        sha384,
        data,
    })
}

/// Event type names from the PC Client PFP ("Event Types" table).
const EVENT_TYPES: &[(u32, &str)] = &[
    (0x0000_0000, "EV_PREBOOT_CERT"),
    (0x0000_0001, "EV_POST_CODE"),
    (0x0000_0002, "EV_UNUSED"),
    (0x0000_0003, "EV_NO_ACTION"),
    (0x0000_0004, "EV_SEPARATOR"),
    (0x0000_0005, "EV_ACTION"),
    (0x0000_0006, "EV_EVENT_TAG"),
    (0x0000_0007, "EV_S_CRTM_CONTENTS"),
    (0x0000_0008, "EV_S_CRTM_VERSION"),
    (0x0000_0009, "EV_CPU_MICROCODE"),
    (0x0000_000A, "EV_PLATFORM_CONFIG_FLAGS"),
    (0x0000_000B, "EV_TABLE_OF_DEVICES"),
    (0x0000_000C, "EV_COMPACT_HASH"),
    (0x0000_000D, "EV_IPL"),
    (0x0000_000E, "EV_IPL_PARTITION_DATA"),
    (0x0000_000F, "EV_NONHOST_CODE"),
    (0x0000_0010, "EV_NONHOST_CONFIG"),
    (0x0000_0011, "EV_NONHOST_INFO"),
    (0x0000_0012, "EV_OMIT_BOOT_DEVICE_EVENTS"),
    (0x0000_0013, "EV_POST_CODE2"),
    (0x8000_0000, "EV_EFI_EVENT_BASE"),
    (0x8000_0001, "EV_EFI_VARIABLE_DRIVER_CONFIG"),
    (0x8000_0002, "EV_EFI_VARIABLE_BOOT"),
    (0x8000_0003, "EV_EFI_BOOT_SERVICES_APPLICATION"),
    (0x8000_0004, "EV_EFI_BOOT_SERVICES_DRIVER"),
    (0x8000_0005, "EV_EFI_RUNTIME_SERVICES_DRIVER"),
    (0x8000_0006, "EV_EFI_GPT_EVENT"),
    (0x8000_0007, "EV_EFI_ACTION"),
    (0x8000_0008, "EV_EFI_PLATFORM_FIRMWARE_BLOB"),
    (0x8000_0009, "EV_EFI_HANDOFF_TABLES"),
    (0x8000_000A, "EV_EFI_PLATFORM_FIRMWARE_BLOB2"),
    (0x8000_000B, "EV_EFI_HANDOFF_TABLES2"),
    (0x8000_000C, "EV_EFI_VARIABLE_BOOT2"),
    (0x8000_000D, "EV_EFI_GPT_EVENT2"),
    (0x8000_0010, "EV_EFI_HCRTM_EVENT"),
    (0x8000_00E0, "EV_EFI_VARIABLE_AUTHORITY"),
    (0x8000_00E1, "EV_EFI_SPDM_FIRMWARE_BLOB"),
    (0x8000_00E2, "EV_EFI_SPDM_FIRMWARE_CONFIG"),
    (0x8000_00E3, "EV_EFI_SPDM_DEVICE_POLICY"),
    (0x8000_00E4, "EV_EFI_SPDM_DEVICE_AUTHORITY"),
];

/// The PFP name of an event type (`EV_IPL`, `EV_EFI_ACTION`, …), if it has one.
pub fn event_type_name(event_type: u32) -> Option<&'static str> {
    EVENT_TYPES
        .iter()
        .find(|(code, _)| *code == event_type)
        .map(|(_, name)| *name)
}

/// The name of a TPM_ALG_ID used in event logs (`sha1`, `sha256`, `sha384`, …).
pub fn hash_alg_name(alg_id: u16) -> Option<&'static str> {
    match alg_id {
        0x0004 => Some("sha1"),
        0x000B => Some("sha256"),
        TPM_ALG_SHA384 => Some("sha384"),
        0x000D => Some("sha512"),
        0x0012 => Some("sm3_256"),
        0x0027 => Some("sha3_256"),
        0x0028 => Some("sha3_384"),
        0x0029 => Some("sha3_512"),
        _ => None,
    }
}
