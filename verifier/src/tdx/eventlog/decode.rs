//! Decoding of event data into claim-friendly values. Structures come from the UEFI
//! 2.10 specification and the TCG PC Client PFP (structure names on each decoder).
//! Every decoder checks that the structure covers the event data exactly; anything
//! else becomes [`EventData::Hex`], so decoding cannot fail.

use serde::Serialize;

use super::{event_type_name, hash_alg_name, Event, TPM_ALG_SHA384};
use crate::crypto::{CryptoProvider, HashAlg};
use crate::reader::Reader;

/// The most bytes of a blob shown as hex in claims; longer blobs are cut there and
/// marked `truncated` (their full length is always given). 1 KiB covers every
/// non-certificate event in the staged real logs while keeping claims of a log with
/// large certificate variables (db, KEK: 1–5 KiB each) small.
pub const MAX_HEX_BYTES: usize = 1024;

/// One record, decoded for claims.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedEvent {
    /// Position among the `TCG_PCR_EVENT2` records, from 0.
    pub index: usize,
    /// The CC MR index: 0 = MRTD, 1..=4 = RTMR0..=3.
    pub mr_index: u32,
    /// The RTMR the record extends (`None` for EV_NO_ACTION and MR index 0).
    pub rtmr: Option<u8>,
    /// EventType.
    pub event_type: u32,
    /// Its PFP name (`EV_IPL`, …), `None` for codes the PFP does not define.
    pub event_type_name: Option<&'static str>,
    /// The SHA-384 digest, lowercase hex (the value replayed into the RTMR).
    pub sha384: Option<String>,
    /// Digests of other algorithms, in log order.
    pub other_digests: Vec<DecodedDigest>,
    /// Whether SHA-384(event data) equals the SHA-384 digest, i.e. whether the decoded
    /// data is exactly what was measured. `None` without a SHA-384 digest.
    pub data_matches_digest: Option<bool>,
    /// The event data, decoded.
    pub data: EventData,
}

impl DecodedEvent {
    pub(super) fn new(event: &Event, uintn_bytes: usize, provider: &dyn CryptoProvider) -> Self {
        let data_matches_digest = event.sha384().map(|digest| {
            provider.hash(HashAlg::Sha384, &[event.data()]).as_ref() == digest.as_slice()
        });
        Self {
            index: event.index(),
            mr_index: event.mr_index(),
            rtmr: event.rtmr(),
            event_type: event.event_type(),
            event_type_name: event_type_name(event.event_type()),
            sha384: event.sha384().map(hex::encode),
            other_digests: event
                .digests()
                .iter()
                .filter(|d| d.alg_id != TPM_ALG_SHA384)
                .map(|d| DecodedDigest {
                    alg_id: d.alg_id,
                    alg: hash_alg_name(d.alg_id),
                    digest: hex::encode(&d.digest),
                })
                .collect(),
            data_matches_digest,
            data: decode_event_data(event.event_type(), event.data(), uintn_bytes),
        }
    }
}

/// A digest other than SHA-384.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedDigest {
    /// TPM_ALG_ID.
    pub alg_id: u16,
    /// Its name (`sha256`, …) if known.
    pub alg: Option<&'static str>,
    /// Lowercase hex.
    pub digest: String,
}

/// A blob as bounded hex.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HexData {
    /// Full length in bytes.
    pub len: usize,
    /// Lowercase hex of the first [`MAX_HEX_BYTES`] bytes at most.
    pub hex: String,
    /// Whether `hex` is shorter than the blob.
    pub truncated: bool,
}

impl HexData {
    /// Hex of `bytes`, cut at [`MAX_HEX_BYTES`].
    pub fn new(bytes: &[u8]) -> Self {
        let shown = bytes.get(..MAX_HEX_BYTES).unwrap_or(bytes);
        Self {
            len: bytes.len(),
            hex: hex::encode(shown),
            truncated: shown.len() < bytes.len(),
        }
    }
}

/// A handoff table: an `EFI_CONFIGURATION_TABLE` entry.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandoffTable {
    /// VendorGuid, lowercase registry form.
    pub vendor_guid: String,
    /// VendorTable (a guest address).
    pub address: u64,
}

/// One entry of a measured GPT.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GptPartition {
    /// PartitionTypeGUID.
    pub type_guid: String,
    /// UniquePartitionGUID.
    pub unique_guid: String,
    /// StartingLBA.
    pub starting_lba: u64,
    /// EndingLBA.
    pub ending_lba: u64,
    /// Attributes.
    pub attributes: u64,
    /// PartitionName (UTF-16LE, up to the first NUL).
    pub name: String,
}

/// Event data, decoded where its structure is known. GUIDs are in the lowercase
/// registry form with the first three fields little-endian as stored (the form
/// efivarfs names use, e.g. `8be4df61-93ca-11d2-aa0d-00e098032b8c`); device paths use
/// the UEFI text form (UEFI 2.10 "Device Path Text Representation"), whose GUIDs are uppercase.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventData {
    /// A printable UTF-8 (or, for EV_S_CRTM_VERSION, UTF-16LE) string, one trailing NUL
    /// removed: grub commands and the kernel command line (EV_IPL), EV_EFI_ACTION,
    /// EV_PLATFORM_CONFIG_FLAGS, EV_POST_CODE strings.
    Text {
        /// The string.
        text: String,
    },
    /// EV_SEPARATOR: 0 normally, 1 when firmware signals an error (PFP, "Event Types").
    Separator {
        /// The 32-bit value.
        value: u32,
    },
    /// `UEFI_VARIABLE_DATA` (EV_EFI_VARIABLE_*, PFP).
    UefiVariable {
        /// VariableName (the vendor GUID).
        variable_name: String,
        /// UnicodeName, decoded from UTF-16LE.
        unicode_name: String,
        /// VariableData (e.g. one byte 01 for SecureBoot enabled).
        data: HexData,
    },
    /// `UEFI_IMAGE_LOAD_EVENT` (EV_EFI_BOOT_SERVICES_APPLICATION/DRIVER,
    /// EV_EFI_RUNTIME_SERVICES_DRIVER, PFP).
    ImageLoad {
        /// ImageLocationInMemory.
        image_location: u64,
        /// ImageLengthInMemory.
        image_length: u64,
        /// ImageLinkTimeAddress.
        link_time_address: u64,
        /// DevicePath in the UEFI text form, e.g. `PciRoot(0x0)/Pci(0x4,0x0)/…/\EFI\BOOT\BOOTX64.EFI`.
        device_path: String,
    },
    /// `UEFI_PLATFORM_FIRMWARE_BLOB` or `…BLOB2` (EV_EFI_PLATFORM_FIRMWARE_BLOB(2),
    /// EV_POST_CODE(2), PFP).
    FirmwareBlob {
        /// BlobDescription (BLOB2 only).
        description: Option<String>,
        /// BlobBase.
        base: u64,
        /// BlobLength.
        length: u64,
    },
    /// `UEFI_HANDOFF_TABLE_POINTERS` or `…POINTERS2` (EV_EFI_HANDOFF_TABLES(2), PFP).
    HandoffTables {
        /// TableDescription (POINTERS2 only).
        description: Option<String>,
        /// The tables.
        tables: Vec<HandoffTable>,
    },
    /// `TCG_PCClientTaggedEvent` (EV_EVENT_TAG, PFP).
    Tagged {
        /// taggedEventID.
        tag_id: u32,
        /// taggedEventData as text, if printable.
        text: Option<String>,
        /// taggedEventData.
        data: HexData,
    },
    /// `UEFI_GPT_DATA` (EV_EFI_GPT_EVENT(2), PFP).
    Gpt {
        /// DiskGUID from the partition table header.
        disk_guid: String,
        /// The partitions measured.
        partitions: Vec<GptPartition>,
    },
    /// Anything else, and anything that did not decode exactly.
    Hex(HexData),
}

/// Decodes the data of an event of `event_type`; `uintn_bytes` (4 or 8) is the UINTN
/// size from the Spec ID event. Never fails: unknown or malformed data is hex.
pub fn decode_event_data(event_type: u32, data: &[u8], uintn_bytes: usize) -> EventData {
    let decoded = match event_type {
        // EV_POST_CODE: a string, or a UEFI_PLATFORM_FIRMWARE_BLOB.
        0x0000_0001 => text(data).or_else(|| firmware_blob(data)),
        0x0000_0004 => separator(data),
        0x0000_0006 => tagged(data),
        // EV_S_CRTM_VERSION: EDK2 logs the firmware version as a CHAR16 string.
        0x0000_0008 => text(data).or_else(|| utf16_text(data)),
        // EV_ACTION, EV_PLATFORM_CONFIG_FLAGS, EV_COMPACT_HASH, EV_IPL,
        // EV_OMIT_BOOT_DEVICE_EVENTS, EV_EFI_ACTION, EV_EFI_HCRTM_EVENT: strings.
        0x0000_0005 | 0x0000_000A | 0x0000_000C | 0x0000_000D | 0x0000_0012 | 0x8000_0007
        | 0x8000_0010 => text(data),
        // EV_POST_CODE2, EV_EFI_PLATFORM_FIRMWARE_BLOB2.
        0x0000_0013 | 0x8000_000A => firmware_blob2(data),
        // EV_EFI_VARIABLE_DRIVER_CONFIG, _BOOT, _BOOT2, _AUTHORITY, and
        // EV_EFI_SPDM_DEVICE_POLICY, which EDK2 also logs as UEFI_VARIABLE_DATA.
        0x8000_0001 | 0x8000_0002 | 0x8000_000C | 0x8000_00E0 | 0x8000_00E3 => uefi_variable(data),
        0x8000_0003..=0x8000_0005 => image_load(data, uintn_bytes),
        0x8000_0006 | 0x8000_000D => gpt(data),
        0x8000_0008 => firmware_blob(data),
        0x8000_0009 => handoff_tables(data, uintn_bytes, false),
        0x8000_000B => handoff_tables(data, uintn_bytes, true),
        _ => None,
    };
    decoded.unwrap_or_else(|| EventData::Hex(HexData::new(data)))
}

// The `what` of reader errors is never shown here: any error means "not this structure".
const W: &str = "event data";

/// Printable UTF-8 with at most one trailing NUL (C strings from grub and the kernel
/// stub carry one; EDK2's action strings do not). Tabs and line breaks are printable
/// (grub menu entries span lines); other control characters make it binary.
fn printable(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    let s = core::str::from_utf8(bytes).ok()?;
    let binary = s
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
    (!binary).then(|| s.to_owned())
}

fn text(data: &[u8]) -> Option<EventData> {
    printable(data).map(|text| EventData::Text { text })
}

fn utf16(bytes: &[u8]) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units = bytes
        .chunks_exact(2)
        .filter_map(|c| <[u8; 2]>::try_from(c).ok())
        .map(u16::from_le_bytes);
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

fn utf16_text(data: &[u8]) -> Option<EventData> {
    let s = utf16(data)?;
    let s = s.strip_suffix('\0').unwrap_or(&s);
    if s.chars().any(char::is_control) {
        return None;
    }
    Some(EventData::Text { text: s.to_owned() })
}

/// An EFI_GUID as stored (Data1 u32, Data2 u16, Data3 u16 little-endian, Data4 bytes)
/// in registry text form.
fn guid(g: [u8; 16]) -> String {
    let [a0, a1, a2, a3, b0, b1, c0, c1, d0, d1, e @ ..] = g;
    format!(
        "{:08x}-{:04x}-{:04x}-{}-{}",
        u32::from_le_bytes([a0, a1, a2, a3]),
        u16::from_le_bytes([b0, b1]),
        u16::from_le_bytes([c0, c1]),
        hex::encode([d0, d1]),
        hex::encode(e)
    )
}

fn guid_upper(g: [u8; 16]) -> String {
    guid(g).to_ascii_uppercase()
}

fn separator(data: &[u8]) -> Option<EventData> {
    let value = u32::from_le_bytes(<[u8; 4]>::try_from(data).ok()?);
    Some(EventData::Separator { value })
}

/// `TCG_PCClientTaggedEvent`: taggedEventID u32, taggedEventDataSize u32, data.
fn tagged(data: &[u8]) -> Option<EventData> {
    let mut r = Reader::new(data);
    let tag_id = r.u32(W).ok()?;
    let size = r.u32(W).ok()?;
    let payload = r.take_len(u64::from(size), W).ok()?;
    r.is_empty().then(|| EventData::Tagged {
        tag_id,
        text: printable(payload),
        data: HexData::new(payload),
    })
}

/// `UEFI_VARIABLE_DATA`: VariableName GUID, UnicodeNameLength u64 (in CHAR16),
/// VariableDataLength u64, UnicodeName, VariableData.
fn uefi_variable(data: &[u8]) -> Option<EventData> {
    let mut r = Reader::new(data);
    let name_guid = r.array::<16>(W).ok()?;
    let name_len = r.u64(W).ok()?;
    let data_len = r.u64(W).ok()?;
    let name = r.take_len(name_len.checked_mul(2)?, W).ok()?;
    let value = r.take_len(data_len, W).ok()?;
    if !r.is_empty() {
        return None;
    }
    Some(EventData::UefiVariable {
        variable_name: guid(name_guid),
        unicode_name: utf16(name)?,
        data: HexData::new(value),
    })
}

/// `UEFI_IMAGE_LOAD_EVENT`: ImageLocationInMemory u64, ImageLengthInMemory UINTN,
/// ImageLinkTimeAddress UINTN, LengthOfDevicePath UINTN, DevicePath.
fn image_load(data: &[u8], uintn: usize) -> Option<EventData> {
    let mut r = Reader::new(data);
    let image_location = r.u64(W).ok()?;
    let image_length = r.uintn(uintn, W).ok()?;
    let link_time_address = r.uintn(uintn, W).ok()?;
    let path_len = r.uintn(uintn, W).ok()?;
    let path = r.take_len(path_len, W).ok()?;
    if !r.is_empty() {
        return None;
    }
    Some(EventData::ImageLoad {
        image_location,
        image_length,
        link_time_address,
        device_path: device_path_text(path)?,
    })
}

/// `UEFI_PLATFORM_FIRMWARE_BLOB`: BlobBase u64, BlobLength u64.
fn firmware_blob(data: &[u8]) -> Option<EventData> {
    let mut r = Reader::new(data);
    let base = r.u64(W).ok()?;
    let length = r.u64(W).ok()?;
    r.is_empty().then_some(EventData::FirmwareBlob {
        description: None,
        base,
        length,
    })
}

/// `UEFI_PLATFORM_FIRMWARE_BLOB2`: BlobDescriptionSize u8, BlobDescription, BlobBase
/// u64, BlobLength u64.
fn firmware_blob2(data: &[u8]) -> Option<EventData> {
    let mut r = Reader::new(data);
    let size = r.u8(W).ok()?;
    let description = printable(r.take(usize::from(size), W).ok()?)?;
    let base = r.u64(W).ok()?;
    let length = r.u64(W).ok()?;
    r.is_empty().then_some(EventData::FirmwareBlob {
        description: Some(description),
        base,
        length,
    })
}

/// `UEFI_HANDOFF_TABLE_POINTERS(2)`: [TableDescriptionSize u8, TableDescription,]
/// NumberOfTables u64, then EFI_CONFIGURATION_TABLE {VendorGuid, VendorTable UINTN}.
fn handoff_tables(data: &[u8], uintn: usize, with_description: bool) -> Option<EventData> {
    let mut r = Reader::new(data);
    let description = if with_description {
        let size = r.u8(W).ok()?;
        Some(printable(r.take(usize::from(size), W).ok()?)?)
    } else {
        None
    };
    let count = r.u64(W).ok()?;
    let entry_len = uintn.checked_add(16)?;
    // Check the entries fill the rest exactly before allocating for them.
    let entries = r.remaining().checked_div(entry_len)?;
    if u64::try_from(entries).ok()? != count || r.remaining().checked_rem(entry_len)? != 0 {
        return None;
    }
    let mut tables = Vec::with_capacity(entries);
    while !r.is_empty() {
        let vendor_guid = guid(r.array(W).ok()?);
        let address = r.uintn(uintn, W).ok()?;
        tables.push(HandoffTable {
            vendor_guid,
            address,
        });
    }
    Some(EventData::HandoffTables {
        description,
        tables,
    })
}

/// `UEFI_GPT_DATA`: the 92-byte EFI_PARTITION_TABLE_HEADER, NumberOfPartitions u64,
/// then that many entries of the header's SizeOfPartitionEntry.
fn gpt(data: &[u8]) -> Option<EventData> {
    let mut r = Reader::new(data);
    let mut header = r.sub(92, W).ok()?;
    if header.take(8, W).ok()? != b"EFI PART" {
        return None;
    }
    // Revision, HeaderSize, HeaderCRC32, Reserved, MyLBA, AlternateLBA, FirstUsableLBA,
    // LastUsableLBA: not needed for claims.
    header.take(48, W).ok()?;
    let disk_guid = guid(header.array(W).ok()?);
    let _entry_lba = header.u64(W).ok()?;
    let _entries_in_table = header.u32(W).ok()?;
    let entry_size = usize::try_from(header.u32(W).ok()?).ok()?;
    let count = r.u64(W).ok()?;
    // UEFI 2.10 GPT Header: SizeOfPartitionEntry is 128 × 2^n.
    if entry_size < 128 {
        return None;
    }
    let entries = r.remaining().checked_div(entry_size)?;
    if u64::try_from(entries).ok()? != count || r.remaining().checked_rem(entry_size)? != 0 {
        return None;
    }
    let mut partitions = Vec::with_capacity(entries);
    while !r.is_empty() {
        let mut entry = r.sub(entry_size, W).ok()?;
        let type_guid = guid(entry.array(W).ok()?);
        let unique_guid = guid(entry.array(W).ok()?);
        let starting_lba = entry.u64(W).ok()?;
        let ending_lba = entry.u64(W).ok()?;
        let attributes = entry.u64(W).ok()?;
        let name = utf16(entry.take(72, W).ok()?)?;
        let name = name.split('\0').next().unwrap_or_default().to_owned();
        partitions.push(GptPartition {
            type_guid,
            unique_guid,
            starting_lba,
            ending_lba,
            attributes,
            name,
        });
    }
    Some(EventData::Gpt {
        disk_guid,
        partitions,
    })
}

/// An EFI_DEVICE_PATH_PROTOCOL in the text form of UEFI 2.10 ("Device Path Text Representation"): nodes joined by
/// `/`, instances by `,`. The common node types get their named form; others are
/// `Path(type,subtype,hex)`. `None` unless the nodes exactly fill `bytes` and end
/// with an End Entire node.
fn device_path_text(bytes: &[u8]) -> Option<String> {
    let mut r = Reader::new(bytes);
    let mut out = String::new();
    let mut separator = "";
    loop {
        let node_type = r.u8(W).ok()?;
        let subtype = r.u8(W).ok()?;
        let len = r.u16(W).ok()?;
        // Length includes the 4-byte node header; smaller is malformed and would loop.
        let body = r.take(usize::from(len).checked_sub(4)?, W).ok()?;
        match (node_type, subtype) {
            (0x7F, 0xFF) => return r.is_empty().then_some(out),
            (0x7F, 0x01) => separator = ",",
            _ => {
                out.push_str(separator);
                out.push_str(&node_text(node_type, subtype, body));
                separator = "/";
            }
        }
    }
}

fn node_text(node_type: u8, subtype: u8, body: &[u8]) -> String {
    known_node_text(node_type, subtype, body)
        .unwrap_or_else(|| format!("Path({node_type},{subtype},{})", hex::encode(body)))
}

/// The named text forms of UEFI 2.10 ("Device Node Text Representation") for the nodes firmware puts in image
/// load events. `None` if the node is not one of them or its length is wrong.
fn known_node_text(node_type: u8, subtype: u8, body: &[u8]) -> Option<String> {
    let mut r = Reader::new(body);
    let text = match (node_type, subtype) {
        // Hardware: PCI (Function u8, Device u8).
        (0x01, 0x01) => {
            let function = r.u8(W).ok()?;
            let device = r.u8(W).ok()?;
            format!("Pci(0x{device:X},0x{function:X})")
        }
        (0x01, 0x03) => {
            let memory_type = r.u32(W).ok()?;
            let start = r.u64(W).ok()?;
            let end = r.u64(W).ok()?;
            format!("MemoryMapped(0x{memory_type:X},0x{start:X},0x{end:X})")
        }
        (0x01, 0x04) => vendor("VenHw", &mut r)?,
        (0x01, 0x05) => format!("Ctrl(0x{:X})", r.u32(W).ok()?),
        // ACPI (_HID u32, _UID u32); EISA ids compress "PNP" into the low 16 bits.
        (0x02, 0x01) => {
            let hid = r.u32(W).ok()?;
            let uid = r.u32(W).ok()?;
            let [lo0, lo1, hi0, hi1] = hid.to_le_bytes();
            let product = u16::from_le_bytes([hi0, hi1]);
            if u16::from_le_bytes([lo0, lo1]) != 0x41D0 {
                format!("Acpi(0x{hid:08X},0x{uid:X})")
            } else if product == 0x0A03 {
                format!("PciRoot(0x{uid:X})")
            } else if product == 0x0A08 {
                format!("PcieRoot(0x{uid:X})")
            } else {
                format!("Acpi(PNP{product:04X},0x{uid:X})")
            }
        }
        // Messaging.
        (0x03, 0x01) => {
            let pun = r.u16(W).ok()?;
            let lun = r.u16(W).ok()?;
            format!("Scsi(0x{pun:X},0x{lun:X})")
        }
        (0x03, 0x05) => {
            let port = r.u8(W).ok()?;
            let interface = r.u8(W).ok()?;
            format!("USB(0x{port:X},0x{interface:X})")
        }
        (0x03, 0x0A) => vendor("VenMsg", &mut r)?,
        (0x03, 0x12) => {
            let hba_port = r.u16(W).ok()?;
            let multiplier_port = r.u16(W).ok()?;
            let lun = r.u16(W).ok()?;
            format!("Sata(0x{hba_port:X},0x{multiplier_port:X},0x{lun:X})")
        }
        (0x03, 0x17) => {
            let namespace = r.u32(W).ok()?;
            let eui = r.array::<8>(W).ok()?;
            let eui: Vec<String> = eui.iter().map(|b| format!("{b:02X}")).collect();
            format!("NVMe(0x{namespace:X},{})", eui.join("-"))
        }
        (0x03, 0x18) => format!("Uri({})", printable(r.take(body.len(), W).ok()?)?),
        // Media: hard drive partition.
        (0x04, 0x01) => {
            let partition = r.u32(W).ok()?;
            let start = r.u64(W).ok()?;
            let size = r.u64(W).ok()?;
            let signature = r.array::<16>(W).ok()?;
            let _mbr_type = r.u8(W).ok()?;
            let signature_type = r.u8(W).ok()?;
            match signature_type {
                1 => {
                    let [s0, s1, s2, s3, ..] = signature;
                    let mbr = u32::from_le_bytes([s0, s1, s2, s3]);
                    format!("HD({partition},MBR,0x{mbr:08X},0x{start:X},0x{size:X})")
                }
                2 => format!(
                    "HD({partition},GPT,{},0x{start:X},0x{size:X})",
                    guid_upper(signature)
                ),
                other => format!("HD({partition},{other},0,0x{start:X},0x{size:X})"),
            }
        }
        (0x04, 0x02) => {
            let entry = r.u32(W).ok()?;
            let start = r.u64(W).ok()?;
            let size = r.u64(W).ok()?;
            format!("CDROM(0x{entry:X},0x{start:X},0x{size:X})")
        }
        (0x04, 0x03) => vendor("VenMedia", &mut r)?,
        // File path: a NUL-terminated CHAR16 string, shown as is.
        (0x04, 0x04) => {
            let path = utf16(r.take(body.len(), W).ok()?)?;
            let path = path.strip_suffix('\0').unwrap_or(&path);
            if path.chars().any(char::is_control) {
                return None;
            }
            path.to_owned()
        }
        (0x04, 0x05) => format!("Media({})", guid_upper(r.array(W).ok()?)),
        (0x04, 0x06) => format!("FvFile({})", guid_upper(r.array(W).ok()?)),
        (0x04, 0x07) => format!("Fv({})", guid_upper(r.array(W).ok()?)),
        (0x04, 0x08) => {
            let _reserved = r.u32(W).ok()?;
            let start = r.u64(W).ok()?;
            let end = r.u64(W).ok()?;
            format!("Offset(0x{start:X},0x{end:X})")
        }
        _ => return None,
    };
    r.is_empty().then_some(text)
}

/// A vendor-defined node: GUID, then vendor data shown as hex when present.
fn vendor(name: &str, r: &mut Reader<'_>) -> Option<String> {
    let vendor_guid = guid_upper(r.array(W).ok()?);
    let rest = r.take(r.remaining(), W).ok()?;
    Some(if rest.is_empty() {
        format!("{name}({vendor_guid})")
    } else {
        format!("{name}({vendor_guid},{})", hex::encode_upper(rest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_text_is_mixed_endian() {
        let g = [
            0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03,
            0x2b, 0x8c,
        ];
        assert_eq!(guid(g), "8be4df61-93ca-11d2-aa0d-00e098032b8c");
    }

    #[test]
    fn device_path_nodes() {
        let mut dp = vec![0x02, 0x01, 12, 0, 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0];
        dp.extend_from_slice(&[0x01, 0x01, 6, 0, 0x00, 0x04]);
        dp.extend_from_slice(&[0x04, 0x04, 14, 0]);
        dp.extend("\\a.e\0".encode_utf16().flat_map(u16::to_le_bytes));
        dp.extend_from_slice(&[0x7f, 0xff, 4, 0]);
        assert_eq!(
            device_path_text(&dp).unwrap(),
            "PciRoot(0x0)/Pci(0x4,0x0)/\\a.e"
        );
        // A node length below 4 is malformed, not an endless loop.
        assert_eq!(device_path_text(&[0x01, 0x01, 0, 0]), None);
        // No End node.
        assert_eq!(device_path_text(&[0x01, 0x01, 6, 0, 0, 4]), None);
    }

    #[test]
    fn text_keeps_one_nul_out_and_rejects_binary() {
        assert_eq!(printable(b"ab\0").as_deref(), Some("ab"));
        assert_eq!(printable(b"a\nb").as_deref(), Some("a\nb"));
        assert_eq!(printable(b"ab\0\0"), None);
        assert_eq!(printable(&[0xff, 0xfe]), None);
    }
}
