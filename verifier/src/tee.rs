//! The kinds of TEE Verdict reads evidence from.

/// The TEE that produced a piece of evidence.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tee {
    /// AMD SEV-SNP attestation report.
    Snp,
    /// Intel TDX quote.
    Tdx,
    /// Intel SGX enclave quote (DCAP, verified like TDX quotes).
    Sgx,
    /// NVIDIA GPU attestation report (SPDM), or an evidence file of several.
    Nvidia,
    /// An Azure confidential VM on SEV-SNP: HCL report and vTPM quote.
    AzureSnp,
    /// An Azure confidential VM on TDX: HCL report, vTPM quote and TD quote.
    AzureTdx,
}

impl Tee {
    /// Lower-case name (`snp`, `tdx`, `sgx`, `nvidia-gpu`, `azure-snp`, `azure-tdx`), as
    /// the `tee` claim has it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Snp => "snp",
            Self::Tdx => "tdx",
            Self::Sgx => "sgx",
            Self::Nvidia => "nvidia-gpu",
            Self::AzureSnp => "azure-snp",
            Self::AzureTdx => "azure-tdx",
        }
    }
}
