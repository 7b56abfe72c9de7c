//! Claims of verified Azure vTPM evidence: the hardware report's own claims (`snp.*` or
//! `tdx.*`), the paravisor's runtime data (`azure.*`) and the vTPM quote (`tpm.*`).

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

pub use super::runtime::VmConfiguration;
use crate::snp::SnpClaims;
use crate::tdx::TdxClaims;

/// The hardware report's claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HardwareClaims {
    /// The SEV-SNP report (namespace `snp`).
    Snp(Box<SnpClaims>),
    /// The TD quote (namespace `tdx`).
    Tdx(Box<TdxClaims>),
}

/// Everything verified Azure vTPM evidence says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureClaims {
    /// The hardware report's claims.
    pub hardware: HardwareClaims,
    /// The runtime data and how the parts are bound (`azure.*`).
    pub azure: VtpmClaims,
    /// The vTPM quote (`tpm.*`).
    pub tpm: TpmClaims,
}

/// `azure.*`: the paravisor's runtime data, bound to the hardware report by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VtpmClaims {
    /// The evidence version (0, 1 or 2).
    pub evidence_version: u8,
    /// Whether the HCL report (hardware report and runtime data) is as fresh as the TPM
    /// quote: true only for version 2 evidence, whose runtime data `user-data` begins
    /// with the quote's nonce. Otherwise only `tpm.*` answers the nonce, and an HCL
    /// report from an earlier boot of the same VM would verify the same.
    pub hcl_report_fresh: bool,
    /// SHA-256 of the runtime data, as the hardware report's `report_data[0..32]` holds.
    pub runtime_data_sha256: String,
    /// The attestation key's RFC 7638 JWK thumbprint (SHA-256), hex.
    pub ak_thumbprint: String,
    /// The attestation key's modulus size in bits.
    pub ak_bits: usize,
    /// The endorsement key's RFC 7638 thumbprint, hex; empty when the runtime data has none.
    pub ek_thumbprint: String,
    /// `user-data`, hex; empty when absent.
    pub user_data: String,
    /// `vm-configuration`, each member as given or `null` when absent.
    pub vm_configuration: VmConfiguration,
}

/// `tpm.*`: the vTPM quote, signed by the attestation key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TpmClaims {
    /// `extraData`: the nonce the quote answers, hex.
    pub nonce: String,
    /// `clockInfo.clock`: milliseconds the TPM has run.
    pub clock: u64,
    /// `clockInfo.resetCount`.
    pub reset_count: u32,
    /// `clockInfo.restartCount`.
    pub restart_count: u32,
    /// `clockInfo.safe`.
    pub safe: bool,
    /// `firmwareVersion`, 8 bytes hex.
    pub firmware_version: String,
    /// `qualifiedSigner` (TPM2B_NAME contents), hex.
    pub qualified_signer: String,
    /// The PCR indices the quote selects (SHA-256 bank), ascending.
    pub pcr_selection: Vec<u8>,
    /// `pcrDigest`, hex.
    pub pcr_digest: String,
    /// Whether PCR values were supplied and digest to `pcrDigest`.
    pub pcrs_verified: bool,
    /// The selected PCR values by index (`tpm.pcrs["7"]`), hex; empty when the values
    /// were not supplied.
    pub pcrs: PcrValues,
}

/// PCR values by index, ascending. Kept as bytes and written as hex only when the
/// claims are serialized (a map from the decimal index to the value), so that a
/// verification builds no strings for them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PcrValues(Vec<(u8, [u8; 32])>);

impl PcrValues {
    pub(crate) fn new(values: Vec<(u8, [u8; 32])>) -> Self {
        Self(values)
    }

    /// The value of PCR `index`, if it was selected and supplied.
    pub fn get(&self, index: u8) -> Option<&[u8; 32]> {
        self.0.iter().find(|(i, _)| *i == index).map(|(_, v)| v)
    }

    /// How many PCR values there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none (the values were not supplied).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// (index, value) pairs, ascending by index.
    pub fn iter(&self) -> impl Iterator<Item = (u8, &[u8; 32])> {
        self.0.iter().map(|(i, v)| (*i, v))
    }
}

impl Serialize for PcrValues {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (index, value) in &self.0 {
            map.serialize_entry(&index.to_string(), &crate::hexstr::to_hex(value))?;
        }
        map.end()
    }
}
