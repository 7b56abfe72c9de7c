//! What the caller expects of Azure vTPM evidence: the TPM quote's nonce, and the
//! expectations of the hardware report's own kind. An SNP set cannot be given for TDX
//! evidence (or the reverse): each kind has its own options type.

use crate::snp::SnpOptions;
use crate::tdx::TdxOptions;

/// Options for Azure SEV-SNP vTPM evidence.
///
/// Non-exhaustive so that options can be added without breaking callers: start from
/// `Default::default()` and set the fields you need.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AzureSnpOptions {
    /// The TPM quote's expected `extraData` (the verifier's nonce), byte for byte.
    pub nonce: Option<Vec<u8>>,
    /// Expectations of the SEV-SNP report inside the HCL report. Its `report_data` is
    /// the runtime data's hash, which Verdict checks itself.
    pub snp: SnpOptions,
}

/// Options for Azure TDX vTPM evidence.
///
/// Non-exhaustive so that options can be added without breaking callers: start from
/// `Default::default()` and set the fields you need.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AzureTdxOptions {
    /// The TPM quote's expected `extraData` (the verifier's nonce), byte for byte.
    pub nonce: Option<Vec<u8>>,
    /// Expectations of the TD quote. Its `report_data` is the runtime data's hash, which
    /// Verdict checks itself.
    pub tdx: TdxOptions,
}
