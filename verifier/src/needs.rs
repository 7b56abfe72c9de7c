//! What a verification needs from outside the evidence, as typed keys.
//!
//! [`crate::Evidence::requirements`] lists them, [`crate::Error::MissingCollateral`]
//! names the one that was absent, and [`crate::collateral::Bundle::select`] finds what
//! in a bundle serves one. The keys name *what* is needed, never where to get it: the
//! mapping to vendor URLs belongs to the `collateral` crate, so the pure core builds no
//! URLs and a fetcher never parses error text.

use std::fmt;

use serde::Serialize;

use crate::amd::{Product, TcbParts};

/// Which NVIDIA RIM: the driver's or the VBIOS's (also which RIM a golden value comes
/// from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RimKind {
    /// The driver RIM.
    Driver,
    /// The VBIOS RIM.
    Vbios,
}

impl RimKind {
    /// `driver` or `VBIOS`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Driver => "driver",
            Self::Vbios => "VBIOS",
        }
    }
}

/// The key that signed an SEV-SNP report, and so the chain it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AmdSigner {
    /// Versioned Chip Endorsement Key: ARK → ASK → VCEK.
    Vcek,
    /// Versioned Loaded Endorsement Key: ARK → ASVK → VLEK.
    Vlek,
}

/// The Intel TEE a DCAP quote comes from, which picks its TCB Info and QE Identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntelTee {
    /// A trust domain (its QE is the TD QE).
    Tdx,
    /// An SGX enclave.
    Sgx,
}

impl IntelTee {
    /// `tdx` or `sgx`, as PCS paths have it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tdx => "tdx",
            Self::Sgx => "sgx",
        }
    }
}

/// The intermediate that issued a PCK certificate, which names the PCK CRL to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PckCa {
    /// Intel SGX PCK Platform CA (multi-package platforms).
    Platform,
    /// Intel SGX PCK Processor CA.
    Processor,
}

impl PckCa {
    /// `platform` or `processor`, as PCS's `ca` parameter has it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Platform => "platform",
            Self::Processor => "processor",
        }
    }

    /// `Platform` or `Processor`, as the CA's common name has it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Platform => "Platform",
            Self::Processor => "Processor",
        }
    }
}

/// One certificate whose revocation status an OCSP response must give: the certificate
/// and its issuer (DER), which is what an OCSP request is built from.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OcspTarget {
    /// The certificate's subject, for people.
    pub subject: String,
    /// Its serial number, hex.
    pub serial: String,
    /// The certificate, DER.
    pub certificate: Vec<u8>,
    /// Its issuer's certificate, DER.
    pub issuer: Vec<u8>,
}

impl fmt::Debug for OcspTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OcspTarget")
            .field("subject", &self.subject)
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// One piece of collateral a verification looks for.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CollateralKey {
    /// AMD's CA chain for a product and signer kind: ASK and ARK (VCEK), or ASVK and ARK
    /// (VLEK). `product` is `None` for a v2 report whose product line is not yet known
    /// (it has no CPUID; the VEK names it).
    AmdChain {
        /// The product line.
        product: Option<Product>,
        /// The signer kind.
        signer: AmdSigner,
    },
    /// The VCEK for one chip at one reported TCB.
    AmdVcek {
        /// The product line (`None` as for [`Self::AmdChain`]).
        product: Option<Product>,
        /// The chip's hwID: CHIP_ID (its first 8 bytes on Turin). All zero when masked.
        hw_id: Vec<u8>,
        /// The reported TCB, decoded for the product (Milan's layout while unknown).
        tcb: TcbParts,
    },
    /// The VLEK (issued to a cloud provider, which supplies it with the report).
    AmdVlek {
        /// The product line (`None` as for [`Self::AmdChain`]).
        product: Option<Product>,
    },
    /// The ARK's CRL, listing revoked ASKs/ASVKs. Optional: without it the claims say
    /// `crl_checked: false`.
    AmdCrl {
        /// The product line.
        product: Product,
        /// The signer kind (VCEK and VLEK chains have a CRL each).
        signer: AmdSigner,
    },
    /// Intel TCB Info for one platform (FMSPC) and TEE.
    IntelTcbInfo {
        /// The TEE.
        tee: IntelTee,
        /// The platform's FMSPC (from its PCK certificate).
        fmspc: [u8; 6],
    },
    /// Intel's QE Identity for a TEE (the TD QE's for TDX, the QE's for SGX).
    IntelQeIdentity {
        /// The TEE.
        tee: IntelTee,
    },
    /// The Intel SGX TCB Signing certificate, which signs TCB Info and QE Identity (PCS
    /// serves it as the issuer chain of those documents).
    IntelTcbSigning,
    /// The Intel SGX Root CA's CRL, listing revoked PCK CAs and TCB Signing certificates.
    IntelRootCaCrl,
    /// The CRL of the PCK CA that issued the quote's PCK certificate.
    IntelPckCrl {
        /// Which PCK CA.
        ca: PckCa,
    },
    /// The PCK certificate of a platform whose quote names it by encrypted PPID
    /// (certification data type 2 or 3) instead of carrying it. Intel PCS serves it by
    /// the encrypted PPID, CPUSVN, PCESVN and PCE-ID; a PCCS by the QE-ID, CPUSVN, PCESVN
    /// and PCE-ID (the encrypted PPID only when it must ask PCS). The certificate that
    /// verifies the quote's QE report signature is the one that answers it.
    IntelPckCertificate {
        /// The PPID encrypted with Intel's PPID encryption key (384 bytes for RSA-3072,
        /// 256 for RSA-2048).
        encrypted_ppid: Vec<u8>,
        /// The platform's raw CPUSVN.
        cpusvn: [u8; 16],
        /// The PCE's ISVSVN.
        pcesvn: u16,
        /// The PCE's id.
        pceid: u16,
        /// The QE-ID: the first 16 bytes of the quote header's user data.
        qe_id: [u8; 16],
    },
    /// A PCK CA certificate and the Intel SGX Root CA above it, when the quote does not
    /// carry its PCK chain (certification data types 2 to 4). PCS sends them as the
    /// issuer chain of the CA's PCK CRL.
    IntelPckCaChain {
        /// Which PCK CA.
        ca: PckCa,
    },
    /// A GPU's device certificate chain, when the evidence does not carry it.
    NvidiaDeviceChain,
    /// The root of a GPU's device chain, when the chain in the evidence stops below it.
    NvidiaDeviceRoot {
        /// The root's name, as the last certificate's issuer gives it.
        issuer: String,
    },
    /// An NVIDIA reference integrity manifest.
    NvidiaRim {
        /// Driver or VBIOS.
        kind: RimKind,
        /// The id NVIDIA's RIM service publishes it under.
        id: String,
        /// The chip it is for (as the RIM's product names it, `GH100`).
        chip: String,
        /// The driver or VBIOS version it describes.
        version: String,
    },
    /// An OCSP response for one certificate of a GPU's device chain or a RIM's signing
    /// chain.
    NvidiaOcsp(OcspTarget),
}

impl CollateralKey {
    /// A stable snake_case name of the kind of key (for JSON output and metrics).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::AmdChain { .. } => "amd_chain",
            Self::AmdVcek { .. } => "amd_vcek",
            Self::AmdVlek { .. } => "amd_vlek",
            Self::AmdCrl { .. } => "amd_crl",
            Self::IntelTcbInfo { .. } => "intel_tcb_info",
            Self::IntelQeIdentity { .. } => "intel_qe_identity",
            Self::IntelTcbSigning => "intel_tcb_signing",
            Self::IntelRootCaCrl => "intel_root_ca_crl",
            Self::IntelPckCrl { .. } => "intel_pck_crl",
            Self::IntelPckCertificate { .. } => "intel_pck_certificate",
            Self::IntelPckCaChain { .. } => "intel_pck_ca_chain",
            Self::NvidiaDeviceChain => "nvidia_device_chain",
            Self::NvidiaDeviceRoot { .. } => "nvidia_device_root",
            Self::NvidiaRim { .. } => "nvidia_rim",
            Self::NvidiaOcsp(_) => "nvidia_ocsp",
        }
    }
}

fn product_name(product: Option<Product>) -> &'static str {
    product.map_or("(product line not yet known)", Product::name)
}

impl fmt::Display for CollateralKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AmdChain { product, signer } => {
                let ca = match signer {
                    AmdSigner::Vcek => "ASK",
                    AmdSigner::Vlek => "ASVK",
                };
                write!(f, "AMD {ca} and ARK for {}", product_name(*product))
            }
            Self::AmdVcek { product, hw_id, tcb } => {
                let fmc = tcb.fmc.map(|v| format!("fmc={v} ")).unwrap_or_default();
                write!(
                    f,
                    "VCEK certificate for {} chip {} at TCB {fmc}bl={} tee={} snp={} ucode={}",
                    product_name(*product),
                    hex::encode(hw_id),
                    tcb.bootloader,
                    tcb.tee,
                    tcb.snp,
                    tcb.microcode
                )
            }
            Self::AmdVlek { product } => write!(
                f,
                "VLEK certificate for {} (VLEKs come from the cloud provider, in the extended report)",
                product_name(*product)
            ),
            Self::AmdCrl { product, signer } => {
                let ca = match signer {
                    AmdSigner::Vcek => "ASK",
                    AmdSigner::Vlek => "ASVK",
                };
                write!(f, "AMD ARK-{product} CRL (for the {ca})")
            }
            Self::IntelTcbInfo { tee, fmspc } => write!(
                f,
                "Intel {} TCB Info for FMSPC {}",
                tee.name().to_uppercase(),
                hex::encode(fmspc)
            ),
            Self::IntelQeIdentity { tee } => match tee {
                IntelTee::Tdx => f.write_str("Intel TD_QE identity"),
                IntelTee::Sgx => f.write_str("Intel QE identity"),
            },
            Self::IntelTcbSigning => f.write_str(
                "Intel SGX TCB Signing certificate (the issuer chain of TCB Info and QE Identity)",
            ),
            Self::IntelRootCaCrl => f.write_str("Intel SGX Root CA CRL"),
            Self::IntelPckCrl { ca } => {
                write!(f, "PCK CRL of the Intel SGX PCK {} CA", ca.label())
            }
            Self::IntelPckCertificate {
                encrypted_ppid,
                cpusvn,
                pcesvn,
                pceid,
                ..
            } => write!(
                f,
                "Intel SGX PCK certificate for encrypted PPID {}... (CPUSVN {}, PCESVN {pcesvn}, PCE-ID {})",
                hex::encode(encrypted_ppid.get(..8).unwrap_or(encrypted_ppid)),
                hex::encode(cpusvn),
                hex::encode(pceid.to_le_bytes())
            ),
            Self::IntelPckCaChain { ca } => write!(
                f,
                "Intel SGX PCK {} CA certificate and Intel SGX Root CA (the issuer chain of its PCK CRL)",
                ca.label()
            ),
            Self::NvidiaDeviceChain => f.write_str(
                "the GPU's device certificate chain (the attestation certificate that signed the report)",
            ),
            Self::NvidiaDeviceRoot { issuer } => {
                write!(f, "the root certificate ({issuer}) of the GPU device chain")
            }
            Self::NvidiaRim { kind, id, .. } => write!(f, "{} RIM {id}", kind.label()),
            Self::NvidiaOcsp(t) => write!(
                f,
                "OCSP response for {} (serial {})",
                t.subject, t.serial
            ),
        }
    }
}

/// A key a verification will look for, and whether its absence fails verification or
/// is only a claim with a warning (an OCSP answer without `require_ocsp`, a RIM without
/// `require_rims`, the AMD CRL).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Requirement {
    /// What is looked for.
    pub key: CollateralKey,
    /// `true` when verification can succeed without it.
    pub optional: bool,
}

impl Requirement {
    pub(crate) fn required(key: CollateralKey) -> Self {
        Self {
            key,
            optional: false,
        }
    }

    pub(crate) fn optional(key: CollateralKey) -> Self {
        Self {
            key,
            optional: true,
        }
    }
}
