//! Synthetic Azure confidential-VM ("vTPM") evidence: an HCL report holding a fake-PKI
//! SEV-SNP report or a TDREPORT, its runtime data JSON with the vTPM attestation key (AK),
//! a TPM2 quote (TPMS_ATTEST) signed by that AK, and for TDX the fake-PKI TD quote made
//! from the TDREPORT (`shared/vectors/azure/README.md` sections 2 to 4).
//!
//! Every byte is written here from those layouts, not by the verifier's Azure parsers, so
//! that a parser bug cannot hide in a round trip. [`AzureSpec`] holds every field before
//! signing; [`AzureSpec::build`] derives what binds the parts (the runtime data's SHA-256
//! in the hardware report's `report_data`, the PCR digest, the TDREPORT copied from the
//! quote body) unless a knob overrides it, and re-signs everything it changed: the SNP
//! report with the fake VCEK, the TD quote with the fake Intel keys, the TPMS_ATTEST with
//! the AK. A test changes one knob and gets evidence whose only defect is that one.
//!
//! ```
//! use testvectors::build::azure::AzureSpec;
//!
//! let built = AzureSpec::snp(1).with(|s| s.attest.clock = 7).build();
//! assert_eq!(&built.evidence.hcl_report[..4], b"HCLA");
//! ```

use std::sync::OnceLock;

use base64::Engine as _;
use rsa::traits::PublicKeyParts;
use rsa::Pkcs1v15Sign;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use verifier::azure::{AzureEvidence, AzureHardware, AzureSnpOptions, AzureTdxOptions, TpmQuote};
use verifier::collateral::Bundle;
use verifier::snp::{AttestationReport, Product};
use verifier::{Expectations, TrustAnchors};

use super::snp;
use super::tdx::{Collateral, QuoteSpec, TdReport10};
use crate::pki::amd::{AmdPki, Signer};
use crate::pki::intel::IntelPki;
use crate::pki::time::DEFAULT_NOW;
use crate::pki::{to_pem, PrivateKey};

// ---------------------------------------------------------------- keys

/// The vTPM attestation key (RSA-2048, as Azure's vTPM has).
pub const AK_FILE: &str = "ak.pem";
/// A second RSA-2048 key, written as the endorsement key (`HCLEkPub`): "signed by another
/// key" cases sign with it.
pub const EK_FILE: &str = "ek.pem";
/// An RSA-1024 key: a size the verifier refuses for an AK.
pub const SHORT_AK_FILE: &str = "ak-1024.pem";
/// Every committed Azure key with its size, in `regen` order.
pub const KEY_FILES: [(&str, usize); 3] = [(AK_FILE, 2048), (EK_FILE, 2048), (SHORT_AK_FILE, 1024)];

macro_rules! key_pem {
    ($file:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/keys/azure/", $file))
    };
}

/// The committed PEMs, in [`KEY_FILES`] order. RSA key generation takes seconds in debug
/// builds, so tests load these instead of deriving them.
const COMMITTED: [&str; 3] = [
    key_pem!("ak.pem"),
    key_pem!("ek.pem"),
    key_pem!("ak-1024.pem"),
];

/// Generates the key `file` of [`KEY_FILES`] from its fixed seed (`azure/<file>`); what
/// `regen` writes under `keys/azure/`. Panics on another name.
pub fn generate_key(file: &str) -> PrivateKey {
    let (_, bits) = KEY_FILES
        .iter()
        .find(|(f, _)| *f == file)
        .unwrap_or_else(|| panic!("{file} is not an Azure key file"));
    PrivateKey::generate_rsa(PrivateKey::seed_for(&format!("azure/{file}")), *bits)
}

/// The committed key `file` of [`KEY_FILES`], parsed once per process.
pub fn committed_key(file: &str) -> PrivateKey {
    static CACHE: [OnceLock<PrivateKey>; 3] = [const { OnceLock::new() }; 3];
    let slot = KEY_FILES
        .iter()
        .position(|(f, _)| *f == file)
        .unwrap_or_else(|| panic!("{file} is not an Azure key file"));
    CACHE[slot]
        .get_or_init(|| {
            PrivateKey::from_pkcs8_pem(COMMITTED[slot]).unwrap_or_else(|e| {
                panic!(
                    "testvectors/keys/azure/{file} is unusable ({e}); \
                     run `cargo run --release -p verdict-testvectors --bin regen`"
                )
            })
        })
        .clone()
}

/// The attestation key.
pub fn ak() -> PrivateKey {
    committed_key(AK_FILE)
}

/// The endorsement key (another RSA-2048 key).
pub fn ek() -> PrivateKey {
    committed_key(EK_FILE)
}

/// The RSA-1024 key.
pub fn short_ak() -> PrivateKey {
    committed_key(SHORT_AK_FILE)
}

/// RSASSA-PKCS1-v1_5 with SHA-256 (the AK's default scheme, what the vTPM signs quotes
/// with). Panics for a key that is not RSA.
pub fn sign_pkcs1_sha256(key: &PrivateKey, message: &[u8]) -> Vec<u8> {
    let rsa = key
        .as_rsa()
        .unwrap_or_else(|| panic!("{key:?} is not an RSA key"));
    rsa.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
        .expect("PKCS#1 v1.5 signing")
}

// ---------------------------------------------------------------- runtime data

/// A JWK as the paravisor writes it: `n` and `e` base64url without padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwk {
    /// `kid` (`HCLAkPub`, `HCLEkPub`).
    pub kid: String,
    /// `kty`.
    pub kty: String,
    /// `key_ops`.
    pub key_ops: Vec<String>,
    /// The modulus, big-endian.
    pub n: Vec<u8>,
    /// The public exponent, big-endian.
    pub e: Vec<u8>,
    /// `n` written instead of the base64url of [`Jwk::n`] (e.g. padded or standard base64).
    pub n_text: Option<String>,
}

impl Jwk {
    /// The public half of the RSA `key` under `kid` with `key_ops` `[op]`.
    pub fn rsa(kid: &str, op: &str, key: &PrivateKey) -> Self {
        let rsa = key
            .as_rsa()
            .unwrap_or_else(|| panic!("{key:?} is not an RSA key"));
        Self {
            kid: kid.into(),
            kty: "RSA".into(),
            key_ops: vec![op.into()],
            n: rsa.n().to_bytes_be(),
            e: rsa.e().to_bytes_be(),
            n_text: None,
        }
    }

    /// The JSON object.
    pub fn to_value(&self) -> Value {
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        json!({
            "kid": self.kid,
            "key_ops": self.key_ops,
            "kty": self.kty,
            "e": b64(&self.e),
            "n": self.n_text.clone().unwrap_or_else(|| b64(&self.n)),
        })
    }
}

/// What `user-data` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserData {
    /// The member is absent (2023 paravisors).
    Absent,
    /// 64 zero bytes (evidence versions 0 and 1).
    Zero,
    /// The evidence's nonce, then zeros up to 64 bytes (version 2: the paravisor wrote
    /// the nonce before the report was made).
    Nonce,
    /// This text, as is.
    Text(String),
}

/// The runtime data JSON before serialization.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeDataSpec {
    /// `HCLAkPub`; `None` leaves it out of `keys`.
    pub ak: Option<Jwk>,
    /// `HCLEkPub`; `None` leaves it out.
    pub ek: Option<Jwk>,
    /// More members of `keys`, appended as given (a second `HCLAkPub`, a non-object, ...).
    pub extra_keys: Vec<Value>,
    /// `vm-configuration`; `None` leaves it out.
    pub vm_configuration: Option<Value>,
    /// `user-data`.
    pub user_data: UserData,
    /// Members written instead of the whole document's (`keys` replaced, etc.): applied
    /// last, `Value::Null` removes a member.
    pub members: Vec<(String, Value)>,
    /// Bytes written instead of the JSON (not JSON at all, a list, ...).
    pub raw: Option<Vec<u8>>,
}

impl RuntimeDataSpec {
    /// The runtime data of a current paravisor: AK and EK, the SNP file's
    /// `vm-configuration`, the given `user-data`.
    pub fn new(user_data: UserData) -> Self {
        Self {
            ak: Some(Jwk::rsa("HCLAkPub", "sign", &ak())),
            ek: Some(Jwk::rsa("HCLEkPub", "encrypt", &ek())),
            extra_keys: Vec::new(),
            vm_configuration: Some(json!({
                "console-enabled": true,
                "secure-boot": true,
                "tpm-enabled": true,
                "vmUniqueId": "6B1A9F30-0D5E-4C58-9E1F-7A5B3C2D1E0F",
            })),
            user_data,
            members: Vec::new(),
            raw: None,
        }
    }

    /// The exact bytes the HCL report stores (and the hardware report hashes).
    pub fn to_bytes(&self, nonce: &[u8]) -> Vec<u8> {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }
        let mut root = serde_json::Map::new();
        let keys: Vec<Value> = [&self.ak, &self.ek]
            .into_iter()
            .flatten()
            .map(Jwk::to_value)
            .chain(self.extra_keys.iter().cloned())
            .collect();
        root.insert("keys".into(), Value::Array(keys));
        if let Some(vm) = &self.vm_configuration {
            root.insert("vm-configuration".into(), vm.clone());
        }
        if let Some(text) = user_data_text(&self.user_data, nonce) {
            root.insert("user-data".into(), Value::String(text));
        }
        for (name, value) in &self.members {
            if value.is_null() {
                root.remove(name);
            } else {
                root.insert(name.clone(), value.clone());
            }
        }
        serde_json::to_vec(&Value::Object(root)).expect("JSON serialization")
    }
}

/// `user-data` as the paravisor writes it: 64 bytes, uppercase hex.
fn user_data_text(user_data: &UserData, nonce: &[u8]) -> Option<String> {
    let padded = |prefix: &[u8]| {
        let mut bytes = prefix.to_vec();
        bytes.resize(bytes.len().max(64), 0);
        hex::encode_upper(bytes)
    };
    match user_data {
        UserData::Absent => None,
        UserData::Zero => Some(padded(&[])),
        UserData::Nonce => Some(padded(nonce)),
        UserData::Text(text) => Some(text.clone()),
    }
}

// ---------------------------------------------------------------- HCL report

/// The size of the NV index the HCL report is read from: what the report is padded to.
pub const NV_INDEX_SIZE: usize = 2600;
/// The hardware report area.
pub const HARDWARE_AREA: usize = 1184;
/// A TDREPORT_STRUCT.
pub const TD_REPORT_LEN: usize = 1024;
/// Where the runtime data starts.
pub const RUNTIME_DATA_AT: usize = 0x4D4;
/// IGVM report type of an SEV-SNP report.
pub const REPORT_TYPE_SNP: u32 = 2;
/// IGVM report type of a TDX TDREPORT.
pub const REPORT_TYPE_TDX: u32 = 4;

/// The HCL report's unsigned header and request data header, each field as written.
/// `None` sizes are computed from the runtime data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HclSpec {
    /// Signature @0x00 (`"HCLA"`).
    pub magic: [u8; 4],
    /// Header version @0x04 (1 on SNP, 2 on TDX in the real files).
    pub header_version: u32,
    /// report_size @0x08 (`0x4D4 + runtime data size`).
    pub report_size: Option<u32>,
    /// request_type @0x0C (2: AK certificate request).
    pub request_type: u32,
    /// status @0x10.
    pub status: u32,
    /// reserved @0x14.
    pub reserved: [u8; 12],
    /// IGVM_REQUEST_DATA.data_size @0x4C0 (`20 + runtime data size`).
    pub data_size: Option<u32>,
    /// version @0x4C4 (1).
    pub request_version: u32,
    /// report_type @0x4C8 (2 SNP, 4 TDX).
    pub report_type: u32,
    /// report_data_hash_type @0x4CC (1: SHA-256).
    pub hash_type: u32,
    /// variable_data_size @0x4D0 (the runtime data's length).
    pub variable_size: Option<u32>,
    /// The 160 bytes after a TDREPORT are filled with this (0).
    pub td_area_fill: u8,
    /// The report is padded with zeros to this length (at least its own length).
    pub padded_len: usize,
    /// Written over the padding, right after the runtime data (non-zero padding cases).
    pub padding_bytes: Vec<u8>,
}

impl HclSpec {
    /// The header of a real report of `report_type`.
    pub fn new(report_type: u32) -> Self {
        Self {
            magic: *b"HCLA",
            header_version: if report_type == REPORT_TYPE_TDX { 2 } else { 1 },
            report_size: None,
            request_type: 2,
            status: 0,
            reserved: [0; 12],
            data_size: None,
            request_version: 1,
            report_type,
            hash_type: 1,
            variable_size: None,
            td_area_fill: 0,
            padded_len: NV_INDEX_SIZE,
            padding_bytes: Vec::new(),
        }
    }

    /// The HCL report around `hardware` (an SNP report, or a TDREPORT that is padded to
    /// the area here) and `runtime`.
    pub fn build(&self, hardware: &[u8], runtime: &[u8]) -> Vec<u8> {
        let variable = u32::try_from(runtime.len()).expect("runtime data under 4 GiB");
        let mut out = Vec::with_capacity(self.padded_len.max(RUNTIME_DATA_AT + runtime.len()));
        out.extend(self.magic);
        out.extend(self.header_version.to_le_bytes());
        out.extend(
            self.report_size
                .unwrap_or(variable + RUNTIME_DATA_AT as u32)
                .to_le_bytes(),
        );
        out.extend(self.request_type.to_le_bytes());
        out.extend(self.status.to_le_bytes());
        out.extend(self.reserved);
        out.extend(hardware);
        out.resize(0x20 + HARDWARE_AREA.max(hardware.len()), self.td_area_fill);
        out.extend(self.data_size.unwrap_or(variable + 20).to_le_bytes());
        out.extend(self.request_version.to_le_bytes());
        out.extend(self.report_type.to_le_bytes());
        out.extend(self.hash_type.to_le_bytes());
        out.extend(self.variable_size.unwrap_or(variable).to_le_bytes());
        out.extend(runtime);
        out.extend(&self.padding_bytes);
        let len = out.len().max(self.padded_len);
        out.resize(len, 0);
        out
    }
}

// ---------------------------------------------------------------- TPMS_ATTEST

/// TPM_ALG_SHA256.
pub const TPM_ALG_SHA256: u16 = 0x000B;
/// TPM_ALG_SHA1.
pub const TPM_ALG_SHA1: u16 = 0x0004;

/// One bank of a TPML_PCR_SELECTION.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcrBank {
    /// hash (TPM_ALG_ID).
    pub hash: u16,
    /// pcrSelect: bit i of byte j selects PCR 8j + i (its length is sizeofSelect).
    pub bitmap: Vec<u8>,
}

impl PcrBank {
    /// The SHA-256 bank selecting PCR 0 to 23 (`ff ff ff`), as Azure's vTPM quotes.
    pub fn sha256_all() -> Self {
        Self {
            hash: TPM_ALG_SHA256,
            bitmap: vec![0xFF; 3],
        }
    }

    /// The PCR indices selected, ascending.
    pub fn selected(&self) -> Vec<usize> {
        (0..self.bitmap.len() * 8)
            .filter(|i| self.bitmap[i / 8] & (1 << (i % 8)) != 0)
            .collect()
    }
}

/// A TPMS_ATTEST of type quote, every field as written (big-endian).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestSpec {
    /// magic (TPM_GENERATED_VALUE 0xFF544347).
    pub magic: u32,
    /// type (TPM_ST_ATTEST_QUOTE 0x8018).
    pub attest_type: u16,
    /// qualifiedSigner TPM2B_NAME contents (nameAlg ‖ digest).
    pub qualified_signer: Vec<u8>,
    /// extraData written instead of the evidence's nonce.
    pub extra_data: Option<Vec<u8>>,
    /// clockInfo.clock.
    pub clock: u64,
    /// clockInfo.resetCount.
    pub reset_count: u32,
    /// clockInfo.restartCount.
    pub restart_count: u32,
    /// clockInfo.safe (0 or 1 in a valid quote).
    pub safe: u8,
    /// firmwareVersion.
    pub firmware_version: u64,
    /// pcrSelect (`count` is their number unless `bank_count` is set).
    pub banks: Vec<PcrBank>,
    /// pcrSelect.count written instead of the number of banks.
    pub bank_count: Option<u32>,
    /// pcrDigest written instead of SHA-256 of the first bank's selected PCR values.
    pub pcr_digest: Option<Vec<u8>>,
    /// Bytes after the structure.
    pub trailing: Vec<u8>,
}

impl Default for AttestSpec {
    fn default() -> Self {
        let mut qualified_signer = TPM_ALG_SHA256.to_be_bytes().to_vec();
        qualified_signer.extend([0x5A; 32]);
        Self {
            magic: 0xFF54_4347,
            attest_type: 0x8018,
            qualified_signer,
            extra_data: None,
            clock: 0x0000_0001_2345_6789,
            reset_count: 3,
            restart_count: 1,
            safe: 1,
            firmware_version: 0x2020_0312_0012_0003,
            banks: vec![PcrBank::sha256_all()],
            bank_count: None,
            pcr_digest: None,
            trailing: Vec::new(),
        }
    }
}

impl AttestSpec {
    /// The marshalled structure, with `nonce` as extraData (unless overridden) and the
    /// digest of `pcrs` (indexed by PCR number; a PCR past the list counts as zeros).
    pub fn build(&self, nonce: &[u8], pcrs: &[[u8; 32]]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(self.magic.to_be_bytes());
        out.extend(self.attest_type.to_be_bytes());
        tpm2b(&mut out, &self.qualified_signer);
        tpm2b(&mut out, self.extra_data.as_deref().unwrap_or(nonce));
        out.extend(self.clock.to_be_bytes());
        out.extend(self.reset_count.to_be_bytes());
        out.extend(self.restart_count.to_be_bytes());
        out.push(self.safe);
        out.extend(self.firmware_version.to_be_bytes());
        let count = self
            .bank_count
            .unwrap_or_else(|| u32::try_from(self.banks.len()).expect("a few banks"));
        out.extend(count.to_be_bytes());
        for bank in &self.banks {
            out.extend(bank.hash.to_be_bytes());
            out.push(u8::try_from(bank.bitmap.len()).expect("a short bitmap"));
            out.extend(&bank.bitmap);
        }
        let digest = self.pcr_digest.clone().unwrap_or_else(|| {
            let mut h = Sha256::new();
            for i in self
                .banks
                .first()
                .map(PcrBank::selected)
                .unwrap_or_default()
            {
                h.update(pcrs.get(i).copied().unwrap_or_default());
            }
            h.finalize().to_vec()
        });
        tpm2b(&mut out, &digest);
        out.extend(&self.trailing);
        out
    }
}

/// A TPM2B: big-endian u16 size, then the bytes.
fn tpm2b(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend(
        u16::try_from(bytes.len())
            .expect("a TPM2B under 64 KiB")
            .to_be_bytes(),
    );
    out.extend(bytes);
}

/// 24 distinct SHA-256 PCR values (PCR i = SHA-256 of "pcr" ‖ i), PCR 8 zero as on
/// Azure without init-data.
pub fn default_pcrs() -> Vec<[u8; 32]> {
    (0u8..24)
        .map(|i| {
            if i == 8 {
                [0; 32]
            } else {
                Sha256::new()
                    .chain_update(b"verdict fake pcr")
                    .chain_update([i])
                    .finalize()
                    .into()
            }
        })
        .collect()
}

// ---------------------------------------------------------------- hardware

/// The SEV-SNP side: a report for a fake AMD PKI, signed by its VCEK.
#[derive(Debug, Clone)]
pub struct SnpHardware {
    /// The PKI (replace it for chain cases: an expired VCEK, ...).
    pub pki: AmdPki,
    /// The report; its `report_data` is replaced by the binding unless
    /// [`AzureSpec::report_data`] is set.
    pub report: AttestationReport,
    /// Whether the evidence carries the VCEK (as Trustee's JSON does); otherwise it is in
    /// the bundle.
    pub vcek_in_evidence: bool,
}

/// The TDX side: the TD quote (fake Intel PKI), its collateral, and the TDREPORT the HCL
/// report holds.
#[derive(Debug, Clone)]
pub struct TdxHardware {
    /// The TD quote; its body's `report_data` is replaced by the binding unless
    /// [`AzureSpec::report_data`] is set.
    pub quote: QuoteSpec,
    /// The collateral put in the bundle.
    pub collateral: Collateral,
    /// TDREPORT REPORTTYPE.type @0 (0x81: TDX).
    pub report_type: u8,
    /// TDREPORT offsets XORed with 1 after it is copied from the quote body (a TDREPORT
    /// not made with the quote).
    pub td_report_flips: Vec<usize>,
}

/// What endorses the hardware report.
#[derive(Debug, Clone)]
pub enum HardwareSpec {
    /// SEV-SNP.
    Snp(Box<SnpHardware>),
    /// TDX.
    Tdx(Box<TdxHardware>),
}

/// TDREPORT_STRUCT field offsets (README section 2).
pub mod td_report {
    /// REPORTMACSTRUCT.reporttype.
    pub const REPORT_TYPE: usize = 0x000;
    /// CPUSVN.
    pub const CPUSVN: usize = 0x010;
    /// REPORTDATA.
    pub const REPORT_DATA: usize = 0x080;
    /// MAC.
    pub const MAC: usize = 0x0E0;
    /// TEE_TCB_INFO.tee_tcb_svn.
    pub const TEE_TCB_SVN: usize = 0x108;
    /// TEE_TCB_INFO.mrseam.
    pub const MR_SEAM: usize = 0x118;
    /// TEE_TCB_INFO.mrsignerseam.
    pub const MR_SIGNER_SEAM: usize = 0x148;
    /// TEE_TCB_INFO.attributes.
    pub const SEAM_ATTRIBUTES: usize = 0x178;
    /// TDINFO.attributes.
    pub const TD_ATTRIBUTES: usize = 0x200;
    /// TDINFO.xfam.
    pub const XFAM: usize = 0x208;
    /// TDINFO.mrtd.
    pub const MR_TD: usize = 0x210;
    /// TDINFO.mrconfigid.
    pub const MR_CONFIG_ID: usize = 0x240;
    /// TDINFO.mrowner.
    pub const MR_OWNER: usize = 0x270;
    /// TDINFO.mrownerconfig.
    pub const MR_OWNER_CONFIG: usize = 0x2A0;
    /// TDINFO.rtmr[0] (each 48 bytes).
    pub const RTMR0: usize = 0x2D0;
}

/// The TDREPORT the TDX module would have made with `body`: the quote body's fields at
/// their TDREPORT offsets, a MAC and CPUSVN the quote does not carry.
pub fn td_report_from(body: &TdReport10, report_type: u8) -> Vec<u8> {
    use td_report::*;
    let mut r = vec![0u8; TD_REPORT_LEN];
    let mut put = |at: usize, bytes: &[u8]| r[at..at + bytes.len()].copy_from_slice(bytes);
    put(REPORT_TYPE, &[report_type, 0, 0, 0]);
    put(CPUSVN, &[0x06; 16]);
    put(REPORT_DATA, &body.report_data);
    put(MAC, &[0x4D; 32]);
    put(TEE_TCB_SVN, &body.tee_tcb_svn);
    put(MR_SEAM, &body.mr_seam);
    put(MR_SIGNER_SEAM, &body.mr_signer_seam);
    put(SEAM_ATTRIBUTES, &body.seam_attributes.to_le_bytes());
    put(TD_ATTRIBUTES, &body.td_attributes.to_le_bytes());
    put(XFAM, &body.xfam.to_le_bytes());
    put(MR_TD, &body.mr_td);
    put(MR_CONFIG_ID, &body.mr_config_id);
    put(MR_OWNER, &body.mr_owner);
    put(MR_OWNER_CONFIG, &body.mr_owner_config);
    for (i, rtmr) in body.rtmr.iter().enumerate() {
        put(RTMR0 + 48 * i, rtmr);
    }
    r
}

// ---------------------------------------------------------------- the evidence

/// The default nonce: 32 bytes, as a verifier would send.
pub fn default_nonce() -> Vec<u8> {
    Sha256::digest(b"verdict fake azure nonce").to_vec()
}

/// Fake Azure evidence before signing. Change any field, then [`AzureSpec::build`].
#[derive(Debug, Clone)]
pub struct AzureSpec {
    /// The evidence version (0, 1 or 2; 2 binds the nonce into `user-data`).
    pub version: u8,
    /// The nonce the TPM quote answers (extraData, unless [`AttestSpec::extra_data`]).
    pub nonce: Vec<u8>,
    /// The runtime data.
    pub runtime: RuntimeDataSpec,
    /// The HCL report's headers.
    pub hcl: HclSpec,
    /// The TPMS_ATTEST.
    pub attest: AttestSpec,
    /// The PCR values the digest is computed over (24, PCR0 first).
    pub pcrs: Vec<[u8; 32]>,
    /// The PCR values that travel with the quote, instead of [`AzureSpec::pcrs`].
    pub supplied_pcrs: Option<Vec<[u8; 32]>>,
    /// The key that signs the TPMS_ATTEST (the AK).
    pub tpm_signer: PrivateKey,
    /// The hardware report's `report_data` instead of SHA-256(runtime data) ‖ 32 zeros.
    pub report_data: Option<[u8; 64]>,
    /// The SNP report or the TD quote.
    pub hardware: HardwareSpec,
}

impl AzureSpec {
    /// SEV-SNP evidence of `version` for the fake Milan PKI, VCEK carried in the evidence.
    pub fn snp(version: u8) -> Self {
        let pki = AmdPki::cached(Product::Milan).clone();
        let report = snp::report(&pki, Signer::Vcek);
        Self::new(
            version,
            REPORT_TYPE_SNP,
            HardwareSpec::Snp(Box::new(SnpHardware {
                pki,
                report,
                vcek_in_evidence: true,
            })),
        )
    }

    /// TDX evidence of `version`: a v4 TD quote and its default collateral (UpToDate).
    pub fn tdx(version: u8) -> Self {
        let pki = IntelPki::cached();
        Self::new(
            version,
            REPORT_TYPE_TDX,
            HardwareSpec::Tdx(Box::new(TdxHardware {
                quote: QuoteSpec::tdx_v4_default(),
                collateral: Collateral::tdx_default(pki),
                report_type: 0x81,
                td_report_flips: Vec::new(),
            })),
        )
    }

    fn new(version: u8, report_type: u32, hardware: HardwareSpec) -> Self {
        let user_data = if version >= 2 {
            UserData::Nonce
        } else {
            UserData::Zero
        };
        Self {
            version,
            nonce: default_nonce(),
            runtime: RuntimeDataSpec::new(user_data),
            hcl: HclSpec::new(report_type),
            attest: AttestSpec::default(),
            pcrs: default_pcrs(),
            supplied_pcrs: None,
            tpm_signer: ak(),
            report_data: None,
            hardware,
        }
    }

    /// Changes the spec in place and returns it.
    pub fn with(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }

    /// The SNP side; panics for TDX.
    pub fn snp_mut(&mut self) -> &mut SnpHardware {
        match &mut self.hardware {
            HardwareSpec::Snp(s) => s,
            HardwareSpec::Tdx(_) => panic!("not SEV-SNP evidence"),
        }
    }

    /// The TDX side; panics for SEV-SNP.
    pub fn tdx_mut(&mut self) -> &mut TdxHardware {
        match &mut self.hardware {
            HardwareSpec::Tdx(t) => t,
            HardwareSpec::Snp(_) => panic!("not TDX evidence"),
        }
    }

    /// The runtime data bytes.
    pub fn runtime_data(&self) -> Vec<u8> {
        self.runtime.to_bytes(&self.nonce)
    }

    /// Builds and signs everything.
    pub fn build(&self) -> BuiltAzure {
        let runtime = self.runtime_data();
        let report_data = self.report_data.unwrap_or_else(|| {
            let mut data = [0u8; 64];
            data[..32].copy_from_slice(&Sha256::digest(&runtime));
            data
        });
        let (hardware_area, hardware, bundle, amd_ark) = match &self.hardware {
            HardwareSpec::Snp(s) => {
                let (area, hardware, bundle) = build_snp(s, report_data);
                (
                    area,
                    hardware,
                    bundle,
                    vec![(s.pki.product, s.pki.ark_spki_sha256())],
                )
            }
            HardwareSpec::Tdx(t) => {
                let (area, hardware, bundle) = build_tdx(t, report_data);
                (area, hardware, bundle, Vec::new())
            }
        };
        let hcl_report = self.hcl.build(&hardware_area, &runtime);
        let message = self.attest.build(&self.nonce, &self.pcrs);
        let signature = sign_pkcs1_sha256(&self.tpm_signer, &message);
        let pcrs = self
            .supplied_pcrs
            .clone()
            .unwrap_or_else(|| self.pcrs.clone());
        BuiltAzure {
            evidence: AzureEvidence {
                hcl_report,
                tpm_quote: TpmQuote {
                    message,
                    signature,
                    pcrs,
                },
                hardware,
                version: self.version,
            },
            bundle,
            anchors: TrustAnchors {
                amd_ark,
                intel_root: vec![IntelPki::cached().root_spki_sha256()],
                ..TrustAnchors::empty()
            },
            nonce: self.nonce.clone(),
            runtime_data: runtime,
            now: DEFAULT_NOW,
        }
    }
}

/// The signed SNP report, the evidence's hardware part and the bundle.
fn build_snp(s: &SnpHardware, report_data: [u8; 64]) -> (Vec<u8>, AzureHardware, Bundle) {
    let mut report = s.report.clone();
    report.report_data = report_data;
    let signed = snp::sign(&s.pki, Signer::Vcek, &report);
    let (vcek, bundle) = if s.vcek_in_evidence {
        let bundle = crate::bundle_from_bytes(&[s.pki.ask_ark_pem().into_bytes()]);
        (Some(s.pki.vcek.clone()), bundle)
    } else {
        (None, snp::bundle(&s.pki, Signer::Vcek))
    };
    (signed, AzureHardware::Snp { vcek }, bundle)
}

/// The TDREPORT (for the HCL report), the signed TD quote and the bundle.
fn build_tdx(t: &TdxHardware, report_data: [u8; 64]) -> (Vec<u8>, AzureHardware, Bundle) {
    let mut quote = t.quote.clone();
    let mut td_report = match quote.body.td10_mut() {
        Some(body) => {
            body.report_data = report_data;
            td_report_from(body, t.report_type)
        }
        // An SGX body has no TDREPORT: write an empty one of the right type.
        None => {
            let mut r = vec![0u8; TD_REPORT_LEN];
            r[0] = t.report_type;
            r
        }
    };
    for &at in &t.td_report_flips {
        td_report[at] ^= 1;
    }
    let td_quote = quote.build(IntelPki::cached());
    let mut bundle = Bundle::new();
    for (name, bytes) in t.collateral.files() {
        bundle
            .add_bytes(&bytes)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    (td_report, AzureHardware::Tdx { td_quote }, bundle)
}

/// Built evidence with what verifies it.
#[derive(Debug, Clone)]
pub struct BuiltAzure {
    /// The evidence.
    pub evidence: AzureEvidence,
    /// The collateral: the AMD chain (and the VCEK when not carried), or the Intel
    /// collateral.
    pub bundle: Bundle,
    /// The fake roots (the AMD ARK of the PKI used, and the fake Intel root).
    pub anchors: TrustAnchors,
    /// The nonce the quote was made for.
    pub nonce: Vec<u8>,
    /// The runtime data, exactly as stored in the HCL report.
    pub runtime_data: Vec<u8>,
    /// A time at which every certificate and collateral item is valid (Unix seconds).
    pub now: u64,
}

impl BuiltAzure {
    /// SEV-SNP options expecting the nonce.
    pub fn snp_options(&self) -> AzureSnpOptions {
        let mut o = AzureSnpOptions::default();
        o.nonce = Some(self.nonce.clone());
        o
    }

    /// TDX options expecting the nonce.
    pub fn tdx_options(&self) -> AzureTdxOptions {
        let mut o = AzureTdxOptions::default();
        o.nonce = Some(self.nonce.clone());
        o
    }

    /// The expectations of the evidence's own kind, expecting the nonce.
    pub fn expectations(&self) -> Expectations {
        match self.evidence.hardware {
            AzureHardware::Snp { .. } => Expectations::azure_snp(self.snp_options()),
            AzureHardware::Tdx { .. } => Expectations::azure_tdx(self.tdx_options()),
        }
    }

    /// The evidence in Trustee's JSON: version 0 writes byte lists (SNP: `quote`,
    /// `report`, `vcek` as PEM; TDX: `tpm_quote`, `hcl_report`, `td_quote`), versions 1
    /// and 2 the integer `version`, hex TPM parts and padded base64url blobs.
    pub fn to_trustee_json(&self) -> Vec<u8> {
        let e = &self.evidence;
        let q = &e.tpm_quote;
        let value = if e.version == 0 {
            let quote = json!({
                "signature": q.signature,
                "message": q.message,
                "pcrs": q.pcrs.iter().map(|p| p.to_vec()).collect::<Vec<_>>(),
            });
            match &e.hardware {
                AzureHardware::Snp { vcek } => json!({
                    "quote": quote,
                    "report": e.hcl_report,
                    "vcek": vcek.as_deref().map(|d| to_pem("CERTIFICATE", d)),
                }),
                AzureHardware::Tdx { td_quote } => json!({
                    "tpm_quote": quote,
                    "hcl_report": e.hcl_report,
                    "td_quote": td_quote,
                }),
            }
        } else {
            let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE.encode(b);
            let mut root = json!({
                "version": e.version,
                "tpm_quote": {
                    "signature": hex::encode(&q.signature),
                    "message": hex::encode(&q.message),
                    "pcrs": q.pcrs.iter().map(hex::encode).collect::<Vec<_>>(),
                },
                "hcl_report": b64(&e.hcl_report),
            });
            match &e.hardware {
                AzureHardware::Snp { vcek } => {
                    root["vcek"] = vcek.as_deref().map(b64).into();
                }
                AzureHardware::Tdx { td_quote } => root["td_quote"] = b64(td_quote).into(),
            }
            root
        };
        let mut value = value;
        // A VCEK that is not carried is absent, not null.
        if let Some(m) = value.as_object_mut() {
            m.retain(|_, v| !v.is_null());
        }
        serde_json::to_vec(&value).expect("JSON serialization")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_keys_have_their_sizes() {
        for (file, bits) in KEY_FILES {
            let key = committed_key(file);
            assert_eq!(key.as_rsa().map(|k| k.n().bits()), Some(bits), "{file}");
        }
        assert_ne!(ak(), ek());
    }

    #[test]
    fn hcl_report_layout() {
        let built = AzureSpec::snp(2).build();
        let hcl = &built.evidence.hcl_report;
        let u32_at = |at: usize| u32::from_le_bytes(hcl[at..at + 4].try_into().unwrap());
        let n = built.runtime_data.len();
        assert_eq!(hcl.len(), NV_INDEX_SIZE);
        assert_eq!(&hcl[..4], b"HCLA");
        assert_eq!(u32_at(0x08) as usize, RUNTIME_DATA_AT + n);
        assert_eq!(u32_at(0x4C0) as usize, 20 + n);
        assert_eq!(u32_at(0x4C8), REPORT_TYPE_SNP);
        assert_eq!(u32_at(0x4D0) as usize, n);
        assert_eq!(
            &hcl[RUNTIME_DATA_AT..RUNTIME_DATA_AT + n],
            built.runtime_data
        );
        // report_data[0..32] of the SNP report at 0x20 + 0x50.
        assert_eq!(
            hcl[0x70..0x90],
            Sha256::digest(&built.runtime_data)[..],
            "binding"
        );
        let text = String::from_utf8(built.runtime_data).unwrap();
        let nonce = hex::encode_upper(default_nonce());
        assert!(text.contains(&format!("\"user-data\":\"{nonce}")), "{text}");
    }

    #[test]
    fn tpms_attest_layout() {
        let nonce = [7u8; 9];
        let msg = AttestSpec::default().build(&nonce, &default_pcrs());
        // README section 4's offsets for a 9-byte nonce.
        assert_eq!(msg.len(), 122);
        assert_eq!(&msg[..6], &[0xFF, 0x54, 0x43, 0x47, 0x80, 0x18]);
        assert_eq!(&msg[42..44], &[0, 9]);
        assert_eq!(&msg[44..53], &nonce);
        assert_eq!(&msg[78..88], &[0, 0, 0, 1, 0, 0x0B, 3, 0xFF, 0xFF, 0xFF]);
        assert_eq!(&msg[88..90], &[0, 32]);
        assert_eq!(msg[90..], Sha256::digest(default_pcrs().concat())[..]);
    }

    #[test]
    fn tdx_td_report_copies_the_quote_body() {
        let built = AzureSpec::tdx(1).build();
        let hcl = &built.evidence.hcl_report;
        let body = TdReport10::production();
        assert_eq!(hcl[0x20], 0x81);
        assert_eq!(&hcl[0x20 + td_report::MR_TD..][..48], &body.mr_td);
        assert_eq!(
            hcl[0x20 + td_report::REPORT_DATA..][..32],
            Sha256::digest(&built.runtime_data)[..]
        );
        assert!(hcl[0x20 + TD_REPORT_LEN..0x20 + HARDWARE_AREA]
            .iter()
            .all(|b| *b == 0));
    }
}
