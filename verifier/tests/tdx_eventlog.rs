//! The TDX CC event log parser and RTMR replay, on real logs (../shared/vectors/tdx, see
//! its README and MANIFEST.tsv) and on synthetic malformed ones.
//!
//! - `cases/tdx-v4-gotdxguest-cos113-ccel-xpair`: a Container-Optimized OS 113 TD's
//!   CCEL table and log area (go-tdx-guest test data); the log replays to the RTMRs of
//!   the quote taken in the same TD.
//! - `parse-only/eventlog/trustee_CCEL_data_ovmf`: an OVMF boot log and trustee's
//!   expected parse of it, compared field by field where the shapes correspond.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use std::path::PathBuf;

use base64::Engine as _;
use proptest::prelude::*;
use verifier::crypto::{all_providers, default_provider};
use verifier::error::{ParseError, ParseErrorKind};
use verifier::tdx::eventlog::{
    decode_event_data, parse_ccel_table, EventData, EventLog, RtmrMismatch, CC_TYPE_TDX,
    EV_NO_ACTION,
};
use verifier::Error;

use testvectors::real::vectors_dir;

// ---------------------------------------------------------------------------------
// Real vectors

fn tdx_dir() -> PathBuf {
    let dir = vectors_dir().join("tdx");
    assert!(
        dir.join("README.md").is_file(),
        "real vectors not found at {} (set VERDICT_REAL_VECTORS)",
        dir.display()
    );
    dir
}

fn read(rel: &str) -> Vec<u8> {
    let path = tdx_dir().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const COS: &str = "cases/tdx-v4-gotdxguest-cos113-ccel-xpair";

fn cos_log() -> Vec<u8> {
    read(&format!("{COS}/ccel/ccel_data.dat"))
}

/// RTMR0..3 of the v4 quote: TD report body at 48, RTMRs at body + 328 + 48·i.
fn cos_quote_rtmrs() -> [[u8; 48]; 4] {
    let quote = read(&format!("{COS}/quote.bin"));
    assert_eq!(u16::from_le_bytes([quote[0], quote[1]]), 4, "v4 quote");
    let mut rtmrs = [[0u8; 48]; 4];
    for (i, rtmr) in rtmrs.iter_mut().enumerate() {
        let at = 48 + 328 + 48 * i;
        rtmr.copy_from_slice(&quote[at..at + 48]);
    }
    rtmrs
}

/// Byte offsets where each record starts, and the end of the log, found independently
/// of the parser (the walk is spelled out here for SHA-384-only logs).
fn record_boundaries(log: &[u8]) -> Vec<usize> {
    let u32_at = |o: usize| u32::from_le_bytes(log[o..o + 4].try_into().unwrap()) as usize;
    let mut at = 32 + u32_at(28);
    let mut bounds = vec![at];
    while log[at..at + 8] != [0xFF; 8] {
        assert_eq!(u32_at(at + 8), 1, "one digest");
        let size_at = at + 12 + 2 + 48;
        at = size_at + 4 + u32_at(size_at);
        bounds.push(at);
    }
    bounds
}

fn parse_err(what: &'static str, offset: usize, kind: ParseErrorKind) -> Error {
    Error::Parse(ParseError::new(what, offset, kind))
}

#[test]
fn cos_ccel_table() {
    let table = parse_ccel_table(&read(&format!("{COS}/ccel/ccel_table.dat"))).unwrap();
    assert!(table.is_tdx());
    assert_eq!(table.cc_type, CC_TYPE_TDX);
    assert_eq!(table.cc_subtype, 0);
    assert_eq!(table.revision, 1);
    assert_eq!(&table.oem_id, b"INTEL ");
    assert_eq!(&table.oem_table_id, b"EDK2    ");
    assert_eq!(table.laml, 0x40000);
    assert_eq!(table.lasa, 0xBEDB_F000);
    // The log area file is exactly LAML bytes.
    assert_eq!(cos_log().len() as u64, table.laml);
}

#[test]
fn cos_log_replays_to_the_quote_rtmrs() {
    let log = EventLog::parse(&cos_log()).unwrap();
    let quoted = cos_quote_rtmrs();
    assert_eq!(log.events().len(), 43);
    assert_eq!(log.spec_id().algorithms.len(), 1);
    assert_eq!(log.spec_id().uintn_size, 2);
    // RTMR3 is all zero in the quote and no record targets it: all four match.
    assert_eq!(quoted[3], [0u8; 48]);
    assert!(log.events().iter().all(|e| e.rtmr() != Some(3)));
    for provider in all_providers() {
        let replayed = log.replay(provider);
        for i in 0..4 {
            assert_eq!(
                hex::encode(replayed[i]),
                hex::encode(quoted[i]),
                "RTMR{i} ({})",
                provider.name()
            );
        }
        assert_eq!(log.replay_matches(provider, &quoted), Ok(()));
    }
    assert_eq!(
        hex::encode(quoted[0]),
        "3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6"
    );
}

#[test]
fn a_changed_digest_is_reported_as_its_rtmr() {
    let bytes = cos_log();
    let quoted = cos_quote_rtmrs();
    let log = EventLog::parse(&bytes).unwrap();
    // The kernel command line (EV_IPL, RTMR2) and an RTMR0 variable.
    for index in [40, 2] {
        let event = &log.events()[index];
        let mut tampered = bytes.clone();
        tampered[event.offset() + 14] ^= 1; // first byte of the SHA-384 digest
        let replay = EventLog::parse(&tampered).unwrap();
        let rtmr = event.rtmr().unwrap();
        let err = replay
            .replay_matches(default_provider(), &quoted)
            .unwrap_err();
        assert_eq!(
            err,
            RtmrMismatch {
                index: rtmr,
                replayed: replay.replay(default_provider())[usize::from(rtmr)],
                quoted: quoted[usize::from(rtmr)],
            }
        );
        assert!(err
            .to_string()
            .starts_with(&format!("event log replays RTMR{rtmr} to ")));
    }
}

#[test]
fn end_of_log_is_the_fill_after_the_last_record() {
    let bytes = cos_log();
    let bounds = record_boundaries(&bytes);
    let end = *bounds.last().unwrap();
    assert_eq!(end, 18101);
    assert!(bytes[end..].iter().all(|b| *b == 0xFF));
    let log = EventLog::parse(&bytes).unwrap();
    assert_eq!(log.log_len(), end);
    assert_eq!(log.events().len(), bounds.len() - 1);
    for (event, start) in log.events().iter().zip(&bounds) {
        assert_eq!(event.offset(), *start);
    }
    // The same log in a zero-filled area, and cut exactly at its end.
    let mut zeroed = bytes.clone();
    zeroed[end..].fill(0);
    assert_eq!(EventLog::parse(&zeroed).unwrap(), log);
    assert_eq!(EventLog::parse(&bytes[..end]).unwrap(), log);
    // A fill marker shorter than a header at the end of the input also ends the log.
    let mut short = bytes[..end].to_vec();
    short.extend_from_slice(&[0xFF; 3]);
    assert_eq!(EventLog::parse(&short).unwrap().events().len(), 43);
}

#[test]
fn cos_events_decode() {
    let log = EventLog::parse(&cos_log()).unwrap();
    let decoded = log.decode(default_provider());
    assert_eq!(decoded.len(), 43);

    let names: Vec<_> = decoded.iter().map(|e| e.event_type_name.unwrap()).collect();
    assert_eq!(names[0], "EV_EFI_HANDOFF_TABLES2");
    assert_eq!(names[1], "EV_EFI_PLATFORM_FIRMWARE_BLOB2");
    assert_eq!(names[7], "EV_SEPARATOR");
    assert_eq!(names[16], "EV_EFI_GPT_EVENT");
    assert_eq!(names[20], "EV_EFI_VARIABLE_AUTHORITY");
    assert_eq!(names[40], "EV_IPL");
    assert_eq!(names[42], "EV_EFI_ACTION");

    // Every record's RTMR is its MR index − 1, and no record is EV_NO_ACTION.
    for e in &decoded {
        assert_ne!(e.event_type, EV_NO_ACTION);
        assert_eq!(u32::from(e.rtmr.unwrap()) + 1, e.mr_index);
        assert_eq!(e.sha384.as_ref().unwrap().len(), 96);
        assert!(e.other_digests.is_empty());
    }

    match &decoded[0].data {
        EventData::HandoffTables {
            description,
            tables,
        } => {
            assert_eq!(description.as_deref(), Some("TdxTable"));
            assert_eq!(tables.len(), 1);
            assert_eq!(tables[0].address, 0x80_9000);
        }
        other => panic!("{other:?}"),
    }
    match &decoded[1].data {
        EventData::FirmwareBlob {
            description,
            base,
            length,
        } => {
            assert_eq!(
                description.as_deref(),
                Some("Fv(48DB5E17-707C-472D-91CD-1613E7EF51B0)")
            );
            assert_eq!((*base, *length), (0xFFE0_0000, 0x2_0000));
        }
        other => panic!("{other:?}"),
    }
    match &decoded[2].data {
        EventData::UefiVariable {
            variable_name,
            unicode_name,
            data,
        } => {
            assert_eq!(variable_name, "8be4df61-93ca-11d2-aa0d-00e098032b8c");
            assert_eq!(unicode_name, "SecureBoot");
            assert_eq!(
                (data.len, data.hex.as_str()),
                (1, "00"),
                "secure boot is off in this TD"
            );
        }
        other => panic!("{other:?}"),
    }
    // EV_EFI_VARIABLE_DRIVER_CONFIG hashes the whole UEFI_VARIABLE_DATA.
    assert_eq!(decoded[2].data_matches_digest, Some(true));
    // db: a certificate list, cut to MAX_HEX_BYTES with its full length.
    match &decoded[5].data {
        EventData::UefiVariable {
            unicode_name, data, ..
        } => {
            assert_eq!(unicode_name, "db");
            assert_eq!(data.len, 1085);
            assert!(data.truncated);
            assert_eq!(data.hex.len(), 2 * 1024);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(decoded[7].data, EventData::Separator { value: 0 });
    match &decoded[16].data {
        EventData::Gpt { partitions, .. } => {
            assert_eq!(partitions.len(), 12);
            assert!(partitions.iter().any(|p| p.name == "EFI-SYSTEM"));
        }
        other => panic!("{other:?}"),
    }
    match &decoded[17].data {
        EventData::ImageLoad { device_path, .. } => {
            assert!(
                device_path.starts_with("PciRoot(0x0)/Pci(0x4,0x0)/NVMe(0x1,"),
                "{device_path}"
            );
            assert!(device_path.contains("/HD(12,GPT,"), "{device_path}");
        }
        other => panic!("{other:?}"),
    }
    match &decoded[23].data {
        EventData::ImageLoad { device_path, .. } => {
            // shim loads grub by a file path relative to its own device.
            assert_eq!(device_path, "\\EFI\\BOOT\\grub-lakitu.efi")
        }
        other => panic!("{other:?}"),
    }
    let text = |i: usize| match &decoded[i].data {
        EventData::Text { text } => text.clone(),
        other => panic!("event {i}: {other:?}"),
    };
    assert_eq!(text(25), "grub_cmd: defaultA=2");
    assert!(text(32).starts_with("grub_cmd: menuentry local image A {\n  linux /syslinux/"));
    assert!(text(40).starts_with("kernel_cmdline: /syslinux/vmlinuz.A init=/usr/lib/systemd/"));
    assert_eq!(text(41), "Exit Boot Services Invocation");
    assert_eq!(decoded[41].data_matches_digest, Some(true));
    // grub measures the command without its "grub_cmd: " prefix: the data is not bound.
    assert_eq!(decoded[25].data_matches_digest, Some(false));

    // The claims serialise.
    let json = serde_json::to_value(&decoded).unwrap();
    assert_eq!(json[2]["data"]["kind"], "uefi_variable");
    assert_eq!(json[2]["data"]["unicode_name"], "SecureBoot");
    assert_eq!(json[2]["rtmr"], 0);
    assert_eq!(json[40]["event_type_name"], "EV_IPL");
    assert_eq!(
        json[7]["data"],
        serde_json::json!({"kind": "separator", "value": 0})
    );
}

/// trustee's `CCEL_data_ovmf_out.json` against our decode: count, MR index, type names,
/// digests, raw event bytes, and the decoded details where the shapes correspond. Known
/// differences in form (not in content) are normalised, each with a comment.
#[test]
fn trustee_ovmf_log_matches_trustee_parse() {
    let bytes = read("parse-only/eventlog/trustee_CCEL_data_ovmf");
    let expected: serde_json::Value =
        serde_json::from_slice(&read("parse-only/eventlog/trustee_CCEL_data_ovmf_out.json"))
            .unwrap();
    let expected = expected["uefi_event_logs"].as_array().unwrap();

    let log = EventLog::parse(&bytes).unwrap();
    let decoded = log.decode(default_provider());
    assert_eq!(log.log_len(), 2120);
    // trustee lists the TCG_PCR_EVENT2 records, without the Spec ID header.
    assert_eq!(decoded.len(), expected.len());
    assert_eq!(decoded.len(), 20);

    let b64 = base64::engine::general_purpose::STANDARD;
    for ((ours, event), theirs) in decoded.iter().zip(log.events()).zip(expected) {
        let at = format!("event {}", ours.index);
        // trustee's "index" is the MR index.
        assert_eq!(
            u64::from(ours.mr_index),
            theirs["index"].as_u64().unwrap(),
            "{at}"
        );
        assert_eq!(ours.event_type_name.unwrap(), theirs["type_name"], "{at}");
        let digests = theirs["digests"].as_array().unwrap();
        assert_eq!(digests.len(), 1, "{at}");
        assert_eq!(digests[0]["alg"], "SHA-384", "{at}");
        assert_eq!(
            ours.sha384.as_deref().unwrap(),
            digests[0]["digest"],
            "{at}"
        );
        assert_eq!(
            event.data(),
            b64.decode(theirs["event"].as_str().unwrap()).unwrap(),
            "{at}"
        );
        assert_eq!(
            ours.data_matches_digest.unwrap(),
            theirs["digest_matches_event"].as_bool().unwrap(),
            "{at}"
        );

        let details = &theirs["details"];
        match &ours.data {
            EventData::Text { text } => assert_eq!(text, &details["string"], "{at}"),
            EventData::Tagged { text, .. } => {
                assert_eq!(text.as_deref().unwrap(), details["string"], "{at}")
            }
            // trustee shows the description of BLOB2 / HANDOFF_TABLES2 events only.
            EventData::FirmwareBlob { description, .. }
            | EventData::HandoffTables { description, .. } => {
                assert_eq!(description.as_deref().unwrap(), details["string"], "{at}")
            }
            EventData::Separator { value } => {
                assert_eq!(*value, 0, "{at}");
                assert_eq!(details, &serde_json::json!({}), "{at}");
            }
            EventData::UefiVariable {
                variable_name,
                unicode_name,
                data,
            } => {
                assert_eq!(unicode_name, &details["unicode_name"], "{at}");
                assert_eq!(
                    unicode_name.encode_utf16().count() as u64,
                    details["unicode_name_length"].as_u64().unwrap(),
                    "{at}"
                );
                assert_eq!(data.len as u64, details["variable_data_length"], "{at}");
                let their_data = b64
                    .decode(details["variable_data"].as_str().unwrap())
                    .unwrap();
                assert_eq!(data.hex, hex::encode(their_data), "{at}");
                // trustee prints the GUID's 16 bytes in storage order; we print the
                // registry form (Data1..3 little-endian). Same bytes.
                assert_eq!(
                    guid_storage_order(variable_name),
                    details["variable_name"],
                    "{at}"
                );
            }
            EventData::ImageLoad { device_path, .. } => {
                // trustee lists the nodes; ours is the joined UEFI text form. trustee
                // writes a file path node as File(…) and an empty vendor-data field
                // as a trailing comma; UEFI 2.10 §10.6 writes neither.
                let nodes: Vec<String> = details["device_paths"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| {
                        let n = n.as_str().unwrap().replace(",)", ")");
                        match n.strip_prefix("File(").and_then(|f| f.strip_suffix(')')) {
                            Some(file) => file.to_owned(),
                            None => n,
                        }
                    })
                    .collect();
                assert_eq!(device_path, &nodes.join("/"), "{at}");
            }
            other => panic!("{at}: no trustee counterpart for {other:?}"),
        }
    }
}

/// "8be4df61-93ca-11d2-…" → "61dfe48b-ca93-d211-…" (trustee's form).
fn guid_storage_order(registry: &str) -> String {
    let parts: Vec<&str> = registry.split('-').collect();
    let swap = |s: &str| {
        let b = hex::decode(s).unwrap();
        hex::encode(b.into_iter().rev().collect::<Vec<u8>>())
    };
    format!(
        "{}-{}-{}-{}-{}",
        swap(parts[0]),
        swap(parts[1]),
        swap(parts[2]),
        parts[3],
        parts[4]
    )
}

// ---------------------------------------------------------------------------------
// Truncation

#[test]
fn truncation_reports_the_field_and_offset() {
    let bytes = cos_log();
    // Inside the Spec ID header.
    assert_eq!(
        EventLog::parse(&bytes[..10]).unwrap_err(),
        parse_err(
            "TCG_PCClientPCREvent Digest",
            8,
            ParseErrorKind::Truncated {
                needed: 20,
                available: 2
            }
        )
    );
    assert_eq!(
        EventLog::parse(&bytes[..40]).unwrap_err(),
        parse_err(
            "TCG_PCClientPCREvent Event",
            32,
            ParseErrorKind::Truncated {
                needed: 33,
                available: 8
            }
        )
    );
    // Record 0 starts at 65: its MR index, its digest and its data cut short.
    assert_eq!(
        EventLog::parse(&bytes[..67]).unwrap_err(),
        parse_err(
            "TCG_PCR_EVENT2 PCRIndex",
            65,
            ParseErrorKind::Truncated {
                needed: 4,
                available: 2
            }
        )
    );
    assert_eq!(
        EventLog::parse(&bytes[..65 + 14 + 10]).unwrap_err(),
        parse_err(
            "TPMT_HA digest",
            65 + 14,
            ParseErrorKind::Truncated {
                needed: 48,
                available: 10
            }
        )
    );
    assert_eq!(
        EventLog::parse(&bytes[..65 + 66 + 5]).unwrap_err(),
        parse_err(
            "TCG_PCR_EVENT2 Event",
            65 + 66,
            ParseErrorKind::Truncated {
                needed: 42,
                available: 5
            }
        )
    );
}

/// Every prefix of the real log: exactly the prefixes ending on a record boundary
/// parse (to that many records), every other one is a truncation error, and nothing
/// panics. Also decodes every accepted prefix.
#[test]
fn every_prefix_of_the_real_log() {
    let bytes = cos_log();
    let bounds = record_boundaries(&bytes);
    let end = *bounds.last().unwrap();
    for cut in 0..=end {
        match EventLog::parse(&bytes[..cut]) {
            Ok(log) => {
                let n = bounds.iter().position(|b| *b == cut).unwrap_or_else(|| {
                    panic!("prefix of {cut} bytes parsed but is not a record boundary")
                });
                assert_eq!(log.events().len(), n);
                assert_eq!(log.log_len(), cut);
            }
            Err(Error::Parse(ParseError {
                kind: ParseErrorKind::Truncated { available, .. },
                offset,
                ..
            })) => {
                assert!(!bounds.contains(&cut), "boundary {cut} rejected");
                assert_eq!(offset + available, cut, "cut {cut}");
            }
            Err(other) => panic!("cut {cut}: {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------
// Synthetic logs

const SHA256: u16 = 0x000B;
const SHA384: u16 = 0x000C;

fn spec_id(algs: &[(u16, u16)]) -> Vec<u8> {
    let mut body = b"Spec ID Event03\0".to_vec();
    body.extend_from_slice(&0u32.to_le_bytes()); // platformClass
    body.extend_from_slice(&[0, 2, 0, 2]); // minor, major, errata, uintnSize
    body.extend_from_slice(&(algs.len() as u32).to_le_bytes());
    for (id, size) in algs {
        body.extend_from_slice(&id.to_le_bytes());
        body.extend_from_slice(&size.to_le_bytes());
    }
    body.push(0); // vendorInfoSize
    let mut out = 1u32.to_le_bytes().to_vec();
    out.extend_from_slice(&EV_NO_ACTION.to_le_bytes());
    out.extend_from_slice(&[0u8; 20]);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

fn event2(mr: u32, event_type: u32, digests: &[(u16, Vec<u8>)], data: &[u8]) -> Vec<u8> {
    let mut out = mr.to_le_bytes().to_vec();
    out.extend_from_slice(&event_type.to_le_bytes());
    out.extend_from_slice(&(digests.len() as u32).to_le_bytes());
    for (id, d) in digests {
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(d);
    }
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    out
}

const EV_IPL: u32 = 0xD;

#[test]
fn synthetic_log_with_two_banks() {
    let mut log = spec_id(&[(SHA256, 32), (SHA384, 48)]);
    let header_len = log.len();
    log.extend(event2(
        3,
        EV_IPL,
        &[(SHA256, vec![1; 32]), (SHA384, vec![2; 48])],
        b"cmd\0",
    ));
    // An EV_NO_ACTION record needs no SHA-384 and is not replayed.
    log.extend(event2(2, EV_NO_ACTION, &[(SHA256, vec![3; 32])], b"x"));
    log.extend(event2(0, 0x8000_0007, &[(SHA384, vec![4; 48])], b"MRTD"));
    let parsed = EventLog::parse(&log).unwrap();
    assert_eq!(parsed.events()[0].offset(), header_len);
    assert_eq!(parsed.events()[0].rtmr(), Some(2));
    assert_eq!(parsed.events()[1].rtmr(), None);
    assert_eq!(parsed.events()[2].rtmr(), None, "MR index 0 is MRTD");
    let decoded = parsed.decode(default_provider());
    assert_eq!(decoded[0].other_digests.len(), 1);
    assert_eq!(decoded[0].other_digests[0].alg, Some("sha256"));
    assert_eq!(decoded[0].other_digests[0].digest, hex::encode([1u8; 32]));
    assert_eq!(decoded[1].sha384, None);
    assert_eq!(decoded[1].data_matches_digest, None);

    let p = default_provider();
    let expected = p.hash(verifier::crypto::HashAlg::Sha384, &[&[0u8; 48], &[2u8; 48]]);
    let replayed = parsed.replay(p);
    assert_eq!(replayed[2].as_slice(), expected.as_ref());
    assert_eq!(replayed[0], [0; 48]);
    assert_eq!(replayed[1], [0; 48]);
    assert_eq!(replayed[3], [0; 48]);
}

#[test]
fn undeclared_digest_algorithm_has_unknown_size() {
    let mut log = spec_id(&[(SHA384, 48)]);
    let at = log.len();
    log.extend(event2(1, EV_IPL, &[(SHA256, vec![0; 32])], b""));
    assert_eq!(
        EventLog::parse(&log).unwrap_err(),
        parse_err(
            "TPMT_HA hashAlg",
            at + 12,
            ParseErrorKind::Structure(
                "algorithm not declared in the Spec ID event: its digest size is unknown"
            )
        )
    );
}

#[test]
fn extended_event_without_sha384() {
    let mut log = spec_id(&[(SHA256, 32), (SHA384, 48)]);
    let at = log.len();
    log.extend(event2(1, EV_IPL, &[(SHA256, vec![0; 32])], b"x"));
    assert_eq!(
        EventLog::parse(&log).unwrap_err(),
        parse_err(
            "TCG_PCR_EVENT2 Digests",
            at + 8,
            ParseErrorKind::InvalidValue("an extended event has no SHA-384 digest")
        )
    );
}

#[test]
fn spec_id_without_sha384_or_with_a_wrong_size() {
    assert_eq!(
        EventLog::parse(&spec_id(&[(SHA256, 32)])).unwrap_err(),
        parse_err(
            "Spec ID Event03 digestSizes",
            32 + 24,
            ParseErrorKind::InvalidValue(
                "SHA-384 (0x000C), the RTMR hash, is not among the algorithms"
            )
        )
    );
    assert_eq!(
        EventLog::parse(&spec_id(&[(SHA384, 32)])).unwrap_err(),
        parse_err(
            "Spec ID Event03 digestSize",
            32 + 28 + 2,
            ParseErrorKind::Structure("digest size does not match the algorithm")
        )
    );
    assert_eq!(
        EventLog::parse(&spec_id(&[(SHA384, 48), (SHA384, 48)])).unwrap_err(),
        parse_err(
            "Spec ID Event03 algorithmId",
            32 + 32,
            ParseErrorKind::Structure("algorithm listed twice")
        )
    );
    assert_eq!(
        EventLog::parse(&spec_id(&[])).unwrap_err(),
        parse_err(
            "Spec ID Event03 numberOfAlgorithms",
            32 + 24,
            ParseErrorKind::Structure("no digest algorithms")
        )
    );
    // An unknown algorithm with any non-zero size is carried.
    let log = EventLog::parse(&spec_id(&[(0x7777, 5), (SHA384, 48)])).unwrap();
    assert_eq!(log.spec_id().digest_size(0x7777), Some(5));
}

#[test]
fn spec_id_header_checks() {
    let good = spec_id(&[(SHA384, 48)]);
    let mut not_no_action = good.clone();
    not_no_action[4] = 4;
    assert_eq!(
        EventLog::parse(&not_no_action).unwrap_err(),
        parse_err(
            "TCG_PCClientPCREvent EventType",
            4,
            ParseErrorKind::Structure(
                "the first event is not EV_NO_ACTION: not a crypto-agile log"
            )
        )
    );
    let mut signature = good.clone();
    signature[32 + 14] = b'2'; // "Spec ID Event02": a TPM 1.2 SHA-1 log
    assert_eq!(
        EventLog::parse(&signature).unwrap_err(),
        parse_err(
            "Spec ID Event03 signature",
            32,
            ParseErrorKind::Structure("signature is not \"Spec ID Event03\"")
        )
    );
    let mut digest = good.clone();
    digest[20] = 1;
    assert_eq!(
        EventLog::parse(&digest).unwrap_err(),
        parse_err(
            "TCG_PCClientPCREvent Digest",
            8,
            ParseErrorKind::Structure("the Spec ID event's SHA-1 digest must be zero")
        )
    );
    // EventSize one larger than the Spec ID structure, with the byte present.
    let mut trailing = good.clone();
    trailing[28] += 1;
    trailing.push(0xAA);
    assert_eq!(
        EventLog::parse(&trailing).unwrap_err(),
        parse_err(
            "Spec ID Event03",
            good.len(),
            ParseErrorKind::TrailingData { extra: 1 }
        )
    );
    // An absurd numberOfAlgorithms is a truncation, not an allocation.
    let mut many = good.clone();
    many[32 + 24..32 + 28].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        EventLog::parse(&many).unwrap_err(),
        parse_err(
            "Spec ID Event03 digestSizes",
            32 + 28,
            ParseErrorKind::Truncated {
                needed: 4 * u32::MAX as usize,
                available: 5
            }
        )
    );
}

#[test]
fn absurd_digest_count_and_event_size() {
    let mut log = spec_id(&[(SHA384, 48)]);
    let at = log.len();
    let mut record = event2(1, EV_IPL, &[(SHA384, vec![0; 48])], b"abc");
    record[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    log.extend(&record);
    assert_eq!(
        EventLog::parse(&log).unwrap_err(),
        parse_err(
            "TCG_PCR_EVENT2 Digests.count",
            at + 8,
            ParseErrorKind::Structure("more digests than the Spec ID event declares algorithms")
        )
    );
    // Two digests of the one declared algorithm.
    let mut log = spec_id(&[(SHA256, 32), (SHA384, 48)]);
    log.extend(event2(
        1,
        EV_IPL,
        &[(SHA384, vec![0; 48]), (SHA384, vec![0; 48])],
        b"",
    ));
    assert!(matches!(
        EventLog::parse(&log).unwrap_err(),
        Error::Parse(ParseError {
            kind: ParseErrorKind::Structure("algorithm appears twice in one record"),
            ..
        })
    ));

    let mut log = spec_id(&[(SHA384, 48)]);
    let mut record = event2(1, EV_IPL, &[(SHA384, vec![0; 48])], b"abc");
    let size_at = 12 + 2 + 48;
    record[size_at..size_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    log.extend(&record);
    assert_eq!(
        EventLog::parse(&log).unwrap_err(),
        parse_err(
            "TCG_PCR_EVENT2 Event",
            at + size_at + 4,
            ParseErrorKind::Truncated {
                needed: u32::MAX as usize,
                available: 3
            }
        )
    );
}

#[test]
fn mr_index_above_rtmr3() {
    let mut log = spec_id(&[(SHA384, 48)]);
    let at = log.len();
    log.extend(event2(5, EV_IPL, &[(SHA384, vec![0; 48])], b""));
    assert_eq!(
        EventLog::parse(&log).unwrap_err(),
        parse_err(
            "TCG_PCR_EVENT2 PCRIndex",
            at,
            ParseErrorKind::InvalidValue("MR index above 4 (TDX has MRTD = 0 and RTMR0..3 = 1..4)")
        )
    );
    // Informational records may name any index.
    let mut log = spec_id(&[(SHA384, 48)]);
    log.extend(event2(9, EV_NO_ACTION, &[], b""));
    assert_eq!(EventLog::parse(&log).unwrap().events()[0].rtmr(), None);
}

// ---------------------------------------------------------------------------------
// CCEL table

fn table() -> Vec<u8> {
    read(&format!("{COS}/ccel/ccel_table.dat"))
}

/// Recomputes the checksum byte so that only the intended defect remains.
fn fix_checksum(t: &mut [u8]) {
    t[9] = 0;
    let sum = t.iter().fold(0u8, |s, b| s.wrapping_add(*b));
    t[9] = 0u8.wrapping_sub(sum);
}

#[test]
fn ccel_table_errors() {
    let mut bad_sum = table();
    bad_sum[20] ^= 0x01;
    assert_eq!(
        parse_ccel_table(&bad_sum).unwrap_err(),
        parse_err(
            "CCEL table Checksum",
            9,
            ParseErrorKind::Structure("the table's bytes do not sum to zero mod 256")
        )
    );

    let mut wrong_sig = table();
    wrong_sig[..4].copy_from_slice(b"TDEL");
    fix_checksum(&mut wrong_sig);
    assert_eq!(
        parse_ccel_table(&wrong_sig).unwrap_err(),
        parse_err(
            "CCEL table Signature",
            0,
            ParseErrorKind::Structure("signature is not \"CCEL\"")
        )
    );

    let mut wrong_len = table();
    wrong_len[4] = 60;
    fix_checksum(&mut wrong_len);
    assert_eq!(
        parse_ccel_table(&wrong_len).unwrap_err(),
        parse_err(
            "CCEL table Length",
            4,
            ParseErrorKind::WrongLength {
                expected: 56,
                actual: 60
            }
        )
    );

    let mut reserved = table();
    reserved[39] = 1;
    fix_checksum(&mut reserved);
    assert_eq!(
        parse_ccel_table(&reserved).unwrap_err(),
        parse_err("CCEL table Reserved", 38, ParseErrorKind::NonZeroReserved)
    );

    let t = table();
    assert_eq!(
        parse_ccel_table(&t[..40]).unwrap_err(),
        parse_err(
            "CCEL table",
            40,
            ParseErrorKind::Truncated {
                needed: 56,
                available: 40
            }
        )
    );
    assert_eq!(
        parse_ccel_table(&t[..2]).unwrap_err(),
        parse_err(
            "CCEL table Signature",
            0,
            ParseErrorKind::Truncated {
                needed: 4,
                available: 2
            }
        )
    );
    let mut long = t.clone();
    long.push(0);
    assert_eq!(
        parse_ccel_table(&long).unwrap_err(),
        parse_err("CCEL table", 56, ParseErrorKind::TrailingData { extra: 1 })
    );

    // A non-TDX CC type parses; the caller checks it.
    let mut sev = t.clone();
    sev[36] = 1;
    fix_checksum(&mut sev);
    assert!(!parse_ccel_table(&sev).unwrap().is_tdx());
}

#[test]
fn every_table_prefix_fails_cleanly() {
    let t = table();
    for cut in 0..t.len() {
        assert!(parse_ccel_table(&t[..cut]).is_err(), "cut {cut}");
    }
}

// ---------------------------------------------------------------------------------
// Decoding never fails

#[test]
fn malformed_structures_fall_back_to_hex() {
    // UEFI_VARIABLE_DATA whose name length overruns, and one with invalid UTF-16.
    let mut var = vec![0u8; 16];
    var.extend_from_slice(&u64::MAX.to_le_bytes());
    var.extend_from_slice(&0u64.to_le_bytes());
    assert!(matches!(
        decode_event_data(0x8000_0001, &var, 8),
        EventData::Hex(h) if h.len == var.len()
    ));
    let mut var = vec![0u8; 16];
    var.extend_from_slice(&1u64.to_le_bytes());
    var.extend_from_slice(&0u64.to_le_bytes());
    var.extend_from_slice(&[0x00, 0xD8]); // a lone high surrogate
    assert!(matches!(
        decode_event_data(0x8000_0002, &var, 8),
        EventData::Hex(_)
    ));
    // Non-UTF-8 bytes in a string event.
    assert!(matches!(
        decode_event_data(EV_IPL, &[b'a', 0xC3, 0x28], 8),
        EventData::Hex(_)
    ));
    // A separator of the wrong size.
    assert!(matches!(
        decode_event_data(4, &[0; 3], 8),
        EventData::Hex(_)
    ));
    // A long blob is cut, with its length.
    match decode_event_data(0x8000_0009, &[7u8; 5000], 8) {
        EventData::Hex(h) => {
            assert_eq!(h.len, 5000);
            assert!(h.truncated);
            assert_eq!(h.hex.len(), 2048);
        }
        other => panic!("{other:?}"),
    }
    // UTF-16 firmware version string.
    let version: Vec<u8> = "1.0\0".encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert_eq!(
        decode_event_data(8, &version, 8),
        EventData::Text {
            text: "1.0".to_owned()
        }
    );
}

const DECODED_TYPES: &[u32] = &[
    0x1,
    0x4,
    0x5,
    0x6,
    0x8,
    0xA,
    0xD,
    0x13,
    0x8000_0001,
    0x8000_0002,
    0x8000_0003,
    0x8000_0006,
    0x8000_0007,
    0x8000_0008,
    0x8000_0009,
    0x8000_000A,
    0x8000_000B,
    0x8000_00E0,
    0x1234,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Arbitrary bytes after a valid header never panic the parser or the decoder.
    #[test]
    fn random_records_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut log = spec_id(&[(SHA256, 32), (SHA384, 48)]);
        log.extend(tail);
        if let Ok(parsed) = EventLog::parse(&log) {
            let _ = parsed.decode(default_provider());
            let _ = parsed.replay(default_provider());
        }
    }

    /// Byte flips in the first records of the real log never panic anything.
    #[test]
    fn flipped_real_log_never_panics(
        flips in proptest::collection::vec((0usize..3000, any::<u8>()), 1..8),
    ) {
        let mut log = cos_log()[..3000].to_vec();
        for (at, x) in flips {
            log[at] ^= x;
        }
        if let Ok(parsed) = EventLog::parse(&log) {
            let _ = serde_json::to_string(&parsed.decode(default_provider())).unwrap();
        }
    }

    /// Each structured decoder on arbitrary bytes never panics.
    #[test]
    fn decoders_never_panic(
        ty in proptest::sample::select(DECODED_TYPES),
        data in proptest::collection::vec(any::<u8>(), 0..300),
        uintn in proptest::sample::select(&[4usize, 8][..]),
    ) {
        let _ = decode_event_data(ty, &data, uintn);
    }

    /// Random bytes as a CCEL table.
    #[test]
    fn random_tables_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = parse_ccel_table(&bytes);
    }
}
