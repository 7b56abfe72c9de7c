//! Synthetic GPU attestation reports: an SPDM 1.1 GET_MEASUREMENTS request and
//! MEASUREMENTS response laid out as NVIDIA's driver writes them, signed with the fake
//! device PKI's attestation key. Every header field can be overridden, so a test can
//! break one thing and re-sign.

use sha2::{Digest, Sha384};

use crate::pki::nvidia::{default_fwid, GpuPki};

/// Opaque record types (NVIDIA's numbering; the verifier's constants, which are facts of
/// the format — the layout below is written independently of the verifier's parser).
pub use verifier::nvidia::opaque::record;

/// The fake device's measurement at SPDM index `index` (1-based): a SHA-384 digest
/// derived from the index, so the fake RIMs can list it as golden.
pub fn measurement_value(index: u8) -> [u8; 48] {
    Sha384::digest(format!("verdict fake GPU measurement {index}")).into()
}

/// One measurement block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockSpec {
    /// Index (1-based).
    pub index: u8,
    /// MeasurementSpecification (0x01 DMTF).
    pub spec: u8,
    /// DMTFSpecMeasurementValueType.
    pub value_type: u8,
    /// The value.
    pub value: Vec<u8>,
    /// MeasurementSize to write instead of 3 + value length.
    pub size_override: Option<u16>,
}

/// A report before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpec {
    /// Request SPDMVersion.
    pub request_version: u8,
    /// Request code (0xE0).
    pub request_code: u8,
    /// Request attributes (bit 0: signature requested).
    pub attributes: u8,
    /// Measurement operation (0xFF: all).
    pub operation: u8,
    /// The requester nonce.
    pub nonce: [u8; 32],
    /// SlotIDParam.
    pub slot: u8,
    /// Response SPDMVersion.
    pub response_version: u8,
    /// Response code (0x60).
    pub response_code: u8,
    /// The blocks.
    pub blocks: Vec<BlockSpec>,
    /// NumberOfBlocks to write instead of the count.
    pub block_count_override: Option<u8>,
    /// MeasurementRecordLength to write instead of the real length.
    pub record_len_override: Option<u32>,
    /// The responder nonce.
    pub responder_nonce: [u8; 32],
    /// Opaque records `(type, value)` in order.
    pub opaque: Vec<(u16, Vec<u8>)>,
    /// OpaqueLength to write instead of the real length.
    pub opaque_len_override: Option<u16>,
    /// Opaque bytes to write instead of the records (e.g. another format).
    pub opaque_raw: Option<Vec<u8>>,
    /// Bytes appended after the signature (unsigned).
    pub trailing: Vec<u8>,
}

impl ReportSpec {
    /// A Hopper H100 PCIe report like the real 550.90.07 one: 64 blocks, the opaque
    /// records NVIDIA writes, the fake device's FWID.
    pub fn hopper(nonce: [u8; 32]) -> Self {
        let blocks = (1..=64u8)
            .map(|index| BlockSpec {
                index,
                spec: 0x01,
                value_type: 0x01,
                value: measurement_value(index).to_vec(),
                size_override: None,
            })
            .collect();
        let mut msrscnt = Vec::with_capacity(256);
        for i in 0..64u32 {
            msrscnt.extend_from_slice(&(i % 3).to_le_bytes());
        }
        let opaque = vec![
            (
                record::VBIOS_VERSION,
                vec![0x00, 0x9f, 0x00, 0x96, 0x01, 0, 0, 0],
            ),
            (record::BOARD_ID, 0x3b1u32.to_le_bytes().to_vec()),
            (record::CHIP_SKU, b"882\0\0\0\0\0\0".to_vec()),
            (record::CHIP_SKU_MOD, b"0\0\0\0\0".to_vec()),
            (record::PROJECT, b"1010\0".to_vec()),
            (record::PROJECT_SKU, b"0200\0".to_vec()),
            (record::PROJECT_SKU_MOD, b"\0\0".to_vec()),
            (record::DRIVER_VERSION, b"550.90.07\0".to_vec()),
            (record::GPU_INFO, vec![0x80, 0x01, 0, 0, 0, 0, 0, 0]),
            (record::MSRSCNT, msrscnt),
            (record::CPRINFO, vec![0x00, 0xc0, 0x01, 0x00]),
            (record::NVDEC0_STATUS, vec![0x55]),
            (record::FWID, default_fwid().to_vec()),
            (record::PROTECTED_PCIE_STATUS, vec![0x55]),
        ];
        Self {
            request_version: 0x11,
            request_code: 0xE0,
            attributes: 0x01,
            operation: 0xFF,
            nonce,
            slot: 0,
            response_version: 0x11,
            response_code: 0x60,
            blocks,
            block_count_override: None,
            record_len_override: None,
            responder_nonce: [0x5a; 32],
            opaque,
            opaque_len_override: None,
            opaque_raw: None,
            trailing: Vec::new(),
        }
    }

    /// Replaces (or appends) the opaque record of `record_type`.
    pub fn set_opaque(&mut self, record_type: u16, value: Vec<u8>) {
        match self.opaque.iter_mut().find(|(t, _)| *t == record_type) {
            Some(entry) => entry.1 = value,
            None => self.opaque.push((record_type, value)),
        }
    }

    /// Removes the opaque record of `record_type`.
    pub fn remove_opaque(&mut self, record_type: u16) {
        self.opaque.retain(|(t, _)| *t != record_type);
    }

    /// Sets the measurement at SPDM index `index`.
    pub fn set_measurement(&mut self, index: u8, value: &[u8]) {
        if let Some(b) = self.blocks.iter_mut().find(|b| b.index == index) {
            b.value = value.to_vec();
        }
    }

    /// request ‖ response up to (not including) the signature.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = vec![
            self.request_version,
            self.request_code,
            self.attributes,
            self.operation,
        ];
        out.extend_from_slice(&self.nonce);
        out.push(self.slot);
        out.extend_from_slice(&[self.response_version, self.response_code, 0, 0]);
        let mut record = Vec::new();
        for b in &self.blocks {
            let size = b
                .size_override
                .unwrap_or_else(|| u16::try_from(3 + b.value.len()).expect("block size"));
            record.push(b.index);
            record.push(b.spec);
            record.extend_from_slice(&size.to_le_bytes());
            record.push(b.value_type);
            record.extend_from_slice(
                &u16::try_from(b.value.len())
                    .expect("value size")
                    .to_le_bytes(),
            );
            record.extend_from_slice(&b.value);
        }
        let count = self
            .block_count_override
            .unwrap_or_else(|| u8::try_from(self.blocks.len()).expect("at most 255 blocks"));
        out.push(count);
        let len = self
            .record_len_override
            .unwrap_or_else(|| u32::try_from(record.len()).expect("record length"));
        out.extend_from_slice(&len.to_le_bytes()[..3]);
        out.extend_from_slice(&record);
        out.extend_from_slice(&self.responder_nonce);
        let mut opaque = Vec::new();
        for (t, v) in self.opaque.iter().filter(|_| self.opaque_raw.is_none()) {
            opaque.extend_from_slice(&t.to_le_bytes());
            opaque.extend_from_slice(&u16::try_from(v.len()).expect("record length").to_le_bytes());
            opaque.extend_from_slice(v);
        }
        let opaque = self.opaque_raw.clone().unwrap_or(opaque);
        let opaque_len = self
            .opaque_len_override
            .unwrap_or_else(|| u16::try_from(opaque.len()).expect("opaque length"));
        out.extend_from_slice(&opaque_len.to_le_bytes());
        out.extend_from_slice(&opaque);
        out
    }

    /// The signed report: signed bytes ‖ signature by `pki`'s attestation key ‖ trailing.
    pub fn sign(&self, pki: &GpuPki) -> Vec<u8> {
        let mut out = self.signed_bytes();
        let signature = pki.sign(&out);
        out.extend_from_slice(&signature);
        out.extend_from_slice(&self.trailing);
        out
    }
}

/// The nonce the fake reports use by default.
pub const NONCE: [u8; 32] = [0x4e; 32];

/// Fake OCSP responses and RIMs that fit the fake GPU: the collateral of a full
/// verification, and the bundled example (`examples/nvidia/`).
pub mod collateral {
    use crate::build::nvidia_rim::{RimPki, RimSpec};
    use crate::pki::nvidia::GpuPki;
    use crate::pki::ocsp::{
        responder_cert, CertIdHash, NoCheck, OcspResponseSpec, SingleResponseSpec, StatusSpec,
    };
    use crate::pki::time::{unix_time, DAY};
    use crate::pki::x509::name;
    use crate::pki::{CertSpec, PrivateKey};

    use super::measurement_value;

    /// The time the fake collateral is made for: inside the fake RIM signer's validity
    /// (2024-01-01 to 2026-01-01), an hour after the OCSP responses were produced.
    pub fn at() -> u64 {
        unix_time(2025, 6, 1, 0, 0, 0)
    }

    /// A delegated responder under `issuer` (NVIDIA's style: nocheck inside the EKU),
    /// valid a year either side of [`at`].
    pub fn responder(issuer: &CertSpec, label: &str) -> CertSpec {
        let mut spec = responder_cert(
            name(&[("CN", &format!("Fake OCSP Responder {label}"))]),
            PrivateKey::generate_p384(PrivateKey::seed_for(&format!("nvidia/ocsp-{label}"))),
            issuer,
            NoCheck::InsideEku,
        );
        spec.not_before = at() - 365 * DAY;
        spec.not_after = at() + 365 * DAY;
        spec
    }

    /// A response about `cert` (issued by `issuer`) from a responder `issuer` delegated,
    /// SHA-384 CertID as NVIDIA's responses have, produced an hour before [`at`] and
    /// valid a day.
    pub fn response(cert: &CertSpec, issuer: &CertSpec, status: StatusSpec) -> OcspResponseSpec {
        let responder = responder(issuer, &issuer.subject.to_string());
        let responder_der = responder.build();
        let mut single = SingleResponseSpec::good(
            &cert.build(),
            &issuer.build(),
            CertIdHash::Sha384,
            at() - 3600,
        );
        single.status = status;
        let mut spec = OcspResponseSpec::new(single, &responder_der, responder.key.clone());
        spec.certs = vec![responder_der];
        spec
    }

    /// `good` answers for the three device CAs below the root (BROM, Provisioner ICA,
    /// Identity), in that order.
    pub fn device_ocsp(pki: &GpuPki) -> Vec<Vec<u8>> {
        let s = &pki.specs;
        [
            (&s.brom, &s.provisioner),
            (&s.provisioner, &s.identity),
            (&s.identity, &s.root),
        ]
        .iter()
        .map(|(c, i)| response(c, i, StatusSpec::Good).build())
        .collect()
    }

    /// `good` answers for the RIM chain below its root (signer, L3, L2).
    pub fn rim_ocsp(rim: &RimPki) -> Vec<Vec<u8>> {
        let s = &rim.specs;
        [(&s.signer, &s.l3), (&s.l3, &s.l2), (&s.l2, &s.root)]
            .iter()
            .map(|(c, i)| response(c, i, StatusSpec::Good).build())
            .collect()
    }

    /// `spec` with its active golden values set to the fake report's measurements.
    pub fn matching(spec: RimSpec) -> RimSpec {
        spec.with(|s| {
            for m in s.measurements.iter_mut().filter(|m| m.active) {
                let spdm_index = u8::try_from(m.index + 1).expect("index below 255");
                m.hashes = vec![measurement_value(spdm_index).to_vec()];
            }
        })
    }

    /// The driver RIM for [`super::ReportSpec::hopper`] (550.90.07).
    pub fn driver_rim() -> RimSpec {
        matching(RimSpec::driver("550.90.07"))
    }

    /// The VBIOS RIM for [`super::ReportSpec::hopper`] (96.00.9F.00.01).
    pub fn vbios_rim() -> RimSpec {
        matching(RimSpec::vbios("96.00.9F.00.01"))
    }
}

/// The files of `examples/nvidia/` (paths relative to the testvectors crate): a fake
/// H100 report (hex, nonce [`NONCE`]), its device chain, both RIMs and six OCSP responses,
/// plus the two fake roots to pass as `--anchor`; verified at [`collateral::at`].
pub fn example_files(pki: &GpuPki) -> Vec<(String, Vec<u8>)> {
    use crate::build::nvidia_rim::RimPki;
    use crate::pki::to_pem;
    let rim_pki = RimPki::cached();
    let dir = "../examples/nvidia";
    let mut out = vec![
        (
            format!("{dir}/report.hex"),
            format!("{}\n", hex::encode(ReportSpec::hopper(NONCE).sign(pki))).into_bytes(),
        ),
        (
            format!("{dir}/device_root.pem"),
            to_pem("CERTIFICATE", &pki.chain[4]).into_bytes(),
        ),
        (
            format!("{dir}/rim_root.pem"),
            to_pem("CERTIFICATE", &rim_pki.root).into_bytes(),
        ),
        (
            format!("{dir}/collateral/device_cert_chain.pem"),
            pki.chain_pem().into_bytes(),
        ),
        (
            format!("{dir}/collateral/NV_GPU_DRIVER_GH100_550.90.07.xml"),
            collateral::driver_rim().build(rim_pki),
        ),
        (
            format!("{dir}/collateral/NV_GPU_VBIOS_1010_0200_882_96009F0001.xml"),
            collateral::vbios_rim().build(rim_pki),
        ),
    ];
    let names = ["brom", "provisioner", "identity"];
    for (name, der) in names.iter().zip(collateral::device_ocsp(pki)) {
        out.push((format!("{dir}/collateral/ocsp_device_{name}.der"), der));
    }
    let names = ["rim_signer", "rim_l3", "rim_l2"];
    for (name, der) in names.iter().zip(collateral::rim_ocsp(rim_pki)) {
        out.push((format!("{dir}/collateral/ocsp_{name}.der"), der));
    }
    out
}
