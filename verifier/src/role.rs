//! Certificate roles. Errors name the role of the certificate that failed and `pki`
//! checks chains by role, so the enum sits below both; `pki` re-exports it.

use core::fmt;

/// The role a certificate plays in a vendor chain; errors name it.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertRole {
    /// AMD Root Key.
    Ark,
    /// AMD SEV Key (signs VCEKs).
    Ask,
    /// AMD SEV VLEK key (signs VLEKs).
    Asvk,
    /// Versioned Chip Endorsement Key.
    Vcek,
    /// Versioned Loaded Endorsement Key.
    Vlek,
    /// Intel SGX Root CA.
    IntelRoot,
    /// Intel SGX PCK Platform CA or PCK Processor CA.
    PckCa,
    /// Intel SGX PCK Certificate (signs the quoting enclave's report).
    Pck,
    /// Intel SGX TCB Signing certificate (signs TCB Info and enclave identities).
    TcbSigning,
    /// NVIDIA Device Identity CA (root of GPU and NVSwitch device chains).
    GpuRoot,
    /// An NVIDIA device CA below the root (Identity, Provisioner ICA, BROM).
    GpuCa,
    /// The GPU's attestation key certificate (`... GSP FMC LF`), which signs the report.
    GpuAttestation,
    /// NVIDIA CoRIM signing Root CA (root of RIM signing chains).
    RimRoot,
    /// An NVIDIA Reference Value CA below the RIM root.
    RimCa,
    /// The RIM signing certificate (`... RIM L4 Signer`).
    RimSigner,
    /// A delegated OCSP responder.
    OcspResponder,
}

impl CertRole {
    /// The vendor's name for the role.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ark => "ARK",
            Self::Ask => "ASK",
            Self::Asvk => "ASVK",
            Self::Vcek => "VCEK",
            Self::Vlek => "VLEK",
            Self::IntelRoot => "Intel SGX Root CA",
            Self::PckCa => "PCK CA",
            Self::Pck => "PCK",
            Self::TcbSigning => "TCB Signing",
            Self::GpuRoot => "NVIDIA Device Identity CA",
            Self::GpuCa => "GPU CA",
            Self::GpuAttestation => "GPU attestation",
            Self::RimRoot => "NVIDIA RIM root",
            Self::RimCa => "RIM CA",
            Self::RimSigner => "RIM signer",
            Self::OcspResponder => "OCSP responder",
        }
    }
}

impl fmt::Display for CertRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
