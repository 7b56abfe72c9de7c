//! What the caller expects of the evidence, per TEE kind, for [`crate::Verifier::verify`].

use crate::azure::{AzureSnpOptions, AzureTdxOptions};
use crate::error::{Error, ExpectationError};
use crate::nvidia::NvidiaOptions;
use crate::snp::SnpOptions;
use crate::tdx::{SgxOptions, TdxOptions};
use crate::tee::Tee;

/// The caller's expectations, one set per TEE kind. Only the set for the evidence's kind
/// applies; a set given for another kind is an error, never silently skipped (a TDX
/// policy must not pass an SGX quote because nothing checked it). A kind without a set
/// is verified with that kind's defaults: every cryptographic check, no expectations.
#[non_exhaustive]
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    /// For an SEV-SNP report.
    pub snp: Option<SnpOptions>,
    /// For a TDX quote.
    pub tdx: Option<TdxOptions>,
    /// For an SGX quote.
    pub sgx: Option<SgxOptions>,
    /// For NVIDIA GPU evidence (applies to each GPU).
    pub nvidia: Option<NvidiaOptions>,
    /// For Azure SEV-SNP vTPM evidence.
    pub azure_snp: Option<AzureSnpOptions>,
    /// For Azure TDX vTPM evidence.
    pub azure_tdx: Option<AzureTdxOptions>,
}

impl Expectations {
    /// No expectations: every check of the evidence itself, nothing more.
    pub fn none() -> Self {
        Self::default()
    }

    /// The set for `tee` with every option at its default: the evidence's own checks,
    /// no caller expectations (what a caller that has none, or fetches collateral for
    /// any evidence of the kind, passes).
    pub fn defaults_for(tee: Tee) -> Self {
        match tee {
            Tee::Snp => Self::snp(SnpOptions::default()),
            Tee::Tdx => Self::tdx(TdxOptions::default()),
            Tee::Sgx => Self::sgx(SgxOptions::default()),
            Tee::Nvidia => Self::nvidia(NvidiaOptions::default()),
            Tee::AzureSnp => Self::azure_snp(AzureSnpOptions::default()),
            Tee::AzureTdx => Self::azure_tdx(AzureTdxOptions::default()),
        }
    }

    /// Expectations for an SEV-SNP report.
    pub fn snp(options: SnpOptions) -> Self {
        Self {
            snp: Some(options),
            ..Self::default()
        }
    }

    /// Expectations for a TDX quote.
    pub fn tdx(options: TdxOptions) -> Self {
        Self {
            tdx: Some(options),
            ..Self::default()
        }
    }

    /// Expectations for an SGX quote.
    pub fn sgx(options: SgxOptions) -> Self {
        Self {
            sgx: Some(options),
            ..Self::default()
        }
    }

    /// Expectations for NVIDIA GPU evidence.
    pub fn nvidia(options: NvidiaOptions) -> Self {
        Self {
            nvidia: Some(options),
            ..Self::default()
        }
    }

    /// Expectations for Azure SEV-SNP vTPM evidence.
    pub fn azure_snp(options: AzureSnpOptions) -> Self {
        Self {
            azure_snp: Some(options),
            ..Self::default()
        }
    }

    /// Expectations for Azure TDX vTPM evidence.
    pub fn azure_tdx(options: AzureTdxOptions) -> Self {
        Self {
            azure_tdx: Some(options),
            ..Self::default()
        }
    }

    /// Refuses a set of expectations for another kind than `tee`.
    pub(crate) fn check_kind(&self, tee: Tee) -> Result<(), Error> {
        let given = [
            (self.snp.is_some(), Tee::Snp),
            (self.tdx.is_some(), Tee::Tdx),
            (self.sgx.is_some(), Tee::Sgx),
            (self.nvidia.is_some(), Tee::Nvidia),
            (self.azure_snp.is_some(), Tee::AzureSnp),
            (self.azure_tdx.is_some(), Tee::AzureTdx),
        ];
        match given.iter().find(|(set, kind)| *set && *kind != tee) {
            Some((_, kind)) => Err(ExpectationError::TeeMismatch {
                expected: kind.name(),
                actual: tee.name(),
            }
            .into()),
            None => Ok(()),
        }
    }
}
