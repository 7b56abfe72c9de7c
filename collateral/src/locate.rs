//! Where vendors serve each piece of collateral the verifier can ask for.
//!
//! The verifier names what it needs as [`CollateralKey`]s and builds no URLs; this module
//! maps a key to the vendor service that publishes it (AMD KDS, Intel PCS or a PCCS,
//! NVIDIA's RIM service and OCSP responder), for people (the CLI's "missing collateral"
//! message) and for the HTTP source. Each service is a base URL ([`Endpoints`]); the paths
//! below it are the vendor's own, so a base pointed at a mirror, a PCCS or a local mock
//! serves the same requests.

use std::fmt;

use verifier::needs::{AmdSigner, CollateralKey};

/// AMD's Key Distribution Service.
pub const AMD_KDS: &str = "https://kdsintf.amd.com";
/// Intel's Provisioning Certification Service (API v4).
pub const INTEL_PCS: &str = "https://api.trustedservices.intel.com";
/// Where Intel publishes its root CA's CRL (PCS itself does not serve it; a PCCS does,
/// at [`PCCS_ROOT_CA_CRL_PATH`]).
pub const INTEL_ROOT_CA_CRL: &str =
    "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der";
/// The path below a PCCS base URL that serves the root CA's CRL.
pub const PCCS_ROOT_CA_CRL_PATH: &str = "/sgx/certification/v4/rootcacrl";
/// NVIDIA's RIM service.
pub const NVIDIA_RIM_SERVICE: &str = "https://rim.attestation.nvidia.com";
/// NVIDIA's OCSP responder (device and RIM signing chains).
pub const NVIDIA_OCSP: &str = "https://ocsp.ndis.nvidia.com";

/// The base URL of each vendor service.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// AMD KDS ([`AMD_KDS`]).
    pub amd_kds: String,
    /// Intel PCS v4, or a PCCS ([`INTEL_PCS`]).
    pub intel_pcs: String,
    /// The full URL of the Intel SGX Root CA's CRL ([`INTEL_ROOT_CA_CRL`]; below a PCCS,
    /// [`PCCS_ROOT_CA_CRL_PATH`]).
    pub intel_root_ca_crl: String,
    /// NVIDIA's RIM service ([`NVIDIA_RIM_SERVICE`]).
    pub nvidia_rim: String,
    /// NVIDIA's OCSP responder ([`NVIDIA_OCSP`]).
    pub nvidia_ocsp: String,
}

impl Default for Endpoints {
    fn default() -> Self {
        Self {
            amd_kds: AMD_KDS.to_owned(),
            intel_pcs: INTEL_PCS.to_owned(),
            intel_root_ca_crl: INTEL_ROOT_CA_CRL.to_owned(),
            nvidia_rim: NVIDIA_RIM_SERVICE.to_owned(),
            nvidia_ocsp: NVIDIA_OCSP.to_owned(),
        }
    }
}

impl Endpoints {
    /// The vendors' own services.
    pub fn vendors() -> Self {
        Self::default()
    }

    /// With AMD KDS at `base`.
    #[must_use]
    pub fn with_amd_kds(mut self, base: &str) -> Self {
        self.amd_kds = trim(base);
        self
    }

    /// With Intel PCS at `base`. Any base but Intel's own is taken for a PCCS (or a
    /// mirror of one), which also serves the root CA's CRL, below
    /// [`PCCS_ROOT_CA_CRL_PATH`].
    #[must_use]
    pub fn with_intel_pcs(mut self, base: &str) -> Self {
        self.intel_pcs = trim(base);
        self.intel_root_ca_crl = if self.intel_pcs == INTEL_PCS {
            INTEL_ROOT_CA_CRL.to_owned()
        } else {
            format!("{}{PCCS_ROOT_CA_CRL_PATH}", self.intel_pcs)
        };
        self
    }

    /// With NVIDIA's RIM service at `base`.
    #[must_use]
    pub fn with_nvidia_rim(mut self, base: &str) -> Self {
        self.nvidia_rim = trim(base);
        self
    }

    /// With NVIDIA's OCSP responder at `url`.
    #[must_use]
    pub fn with_nvidia_ocsp(mut self, url: &str) -> Self {
        self.nvidia_ocsp = trim(url);
        self
    }

    /// Where these services serve the collateral `key` names.
    pub fn locate(&self, key: &CollateralKey) -> Location {
        let kds = &self.amd_kds;
        let pcs = &self.intel_pcs;
        match key {
            CollateralKey::AmdChain {
                product: Some(product),
                signer,
            } => Location::Get(format!("{kds}/{}/v1/{product}/cert_chain", kds_kind(*signer))),
            CollateralKey::AmdChain { product: None, .. }
            | CollateralKey::AmdVcek { product: None, .. } => Location::NotPublic(
                "its product line is not known yet: the report has no CPUID, so the VEK names it",
            ),
            CollateralKey::AmdVcek {
                product: Some(product),
                hw_id,
                tcb,
            } => {
                if hw_id.iter().all(|b| *b == 0) {
                    return Location::NotPublic(
                        "the report's CHIP_ID is masked, so KDS cannot be asked for its VCEK: the host must supply it",
                    );
                }
                let fmc = tcb.fmc.map(|f| format!("fmcSPL={f}&")).unwrap_or_default();
                Location::Get(format!(
                    "{kds}/vcek/v1/{product}/{}?{fmc}blSPL={}&teeSPL={}&snpSPL={}&ucodeSPL={}",
                    hex::encode(hw_id),
                    tcb.bootloader,
                    tcb.tee,
                    tcb.snp,
                    tcb.microcode
                ))
            }
            CollateralKey::AmdVlek { .. } => Location::NotPublic(
                "VLEKs are issued to the cloud provider, which supplies them with the extended report",
            ),
            CollateralKey::AmdCrl { product, signer } => {
                Location::Get(format!("{kds}/{}/v1/{product}/crl", kds_kind(*signer)))
            }
            CollateralKey::IntelTcbInfo { tee, fmspc } => Location::Get(format!(
                "{pcs}/{}/certification/v4/tcb?fmspc={}",
                tee.name(),
                hex::encode(fmspc)
            )),
            CollateralKey::IntelQeIdentity { tee } => Location::Get(format!(
                "{pcs}/{}/certification/v4/qe/identity",
                tee.name()
            )),
            CollateralKey::IntelTcbSigning => Location::Header {
                url: format!("{pcs}/sgx/certification/v4/qe/identity"),
                header: "SGX-Enclave-Identity-Issuer-Chain",
            },
            CollateralKey::IntelRootCaCrl => Location::Get(self.intel_root_ca_crl.clone()),
            CollateralKey::IntelPckCrl { ca } => Location::Get(pck_crl_url(pcs, *ca)),
            // GET pckcert (PCS API v4): the PPID encrypted with RSA-3072 as 768 hex
            // digits, CPUSVN as 32, and PCESVN and PCE-ID as the hex of their two
            // little-endian bytes. Intel's PCS may want a subscription key for it
            // (`HttpOptions::intel_api_key`). A PCCS wants no key but the QE-ID
            // (`qeid`, by which it caches), and the encrypted PPID only when it must ask
            // PCS (Intel's PCCS, `pckcertController.js`), so it can serve a type-2 quote's
            // platform that it has cached.
            CollateralKey::IntelPckCertificate {
                encrypted_ppid,
                cpusvn,
                pcesvn,
                pceid,
                qe_id,
            } => {
                let pccs = pcs != INTEL_PCS;
                let rsa3072 = encrypted_ppid.len() == PCS_ENCRYPTED_PPID_LEN;
                if !rsa3072 && !pccs {
                    return Location::NotPublic(
                        "PCS serves PCK certificates by a PPID encrypted with RSA-3072 (certification data type 3), and this one is RSA-2048-encrypted (type 2): supply the platform's PCK certificate, or ask a PCCS that holds it",
                    );
                }
                let mut url = format!("{pcs}{PCK_CERT_PATH}?");
                if rsa3072 {
                    url.push_str(&format!("encrypted_ppid={}&", hex::encode(encrypted_ppid)));
                }
                url.push_str(&format!(
                    "cpusvn={}&pcesvn={}&pceid={}",
                    hex::encode(cpusvn),
                    hex::encode(pcesvn.to_le_bytes()),
                    hex::encode(pceid.to_le_bytes())
                ));
                if pccs {
                    url.push_str(&format!("&qeid={}", hex::encode(qe_id)));
                }
                Location::Get(url)
            }
            // The PCK CA and the root head every PCK CRL response (the same request as
            // the CRL's, so fetching both costs one); PCS's pckcert response has them
            // too, but only for certification data PCS can be asked by.
            CollateralKey::IntelPckCaChain { ca } => Location::Header {
                url: pck_crl_url(pcs, *ca),
                header: "SGX-PCK-CRL-Issuer-Chain",
            },
            CollateralKey::NvidiaDeviceChain => Location::NotPublic(
                "the GPU returns its device chain with the report: capture both together",
            ),
            CollateralKey::NvidiaDeviceRoot { .. } => Location::NotPublic(
                "the NVIDIA Device Identity CA is a trust anchor: take it from NVIDIA's attestation SDK and pin it",
            ),
            CollateralKey::NvidiaRim { id, .. } if !id.is_empty() => {
                Location::Get(format!("{}/v1/rim/{id}", self.nvidia_rim))
            }
            CollateralKey::NvidiaRim { .. } => Location::NotPublic(
                "the report does not name the RIM's id, so the RIM service cannot be asked for it",
            ),
            CollateralKey::NvidiaOcsp(_) => Location::Ocsp(self.nvidia_ocsp.clone()),
            // Keys added later are not served by any source known here.
            _ => Location::NotPublic("no vendor source is known for it"),
        }
    }
}

/// The path below a PCS (or PCCS) base URL that serves PCK certificates by encrypted
/// PPID.
pub const PCK_CERT_PATH: &str = "/sgx/certification/v4/pckcert";

/// The length of the encrypted PPID PCS v4 takes (RSA-3072: 384 bytes, 768 hex digits).
const PCS_ENCRYPTED_PPID_LEN: usize = 384;

fn pck_crl_url(pcs: &str, ca: verifier::needs::PckCa) -> String {
    format!(
        "{pcs}/sgx/certification/v4/pckcrl?ca={}&encoding=der",
        ca.name()
    )
}

/// A base URL without its trailing slashes, so that paths join with one.
fn trim(base: &str) -> String {
    base.trim().trim_end_matches('/').to_owned()
}

/// Where a piece of collateral comes from.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The body of a GET of this URL.
    Get(String),
    /// A header of the response to a GET of this URL (Intel sends issuer chains so).
    Header {
        /// The URL.
        url: String,
        /// The response header that holds it (URL-encoded PEM).
        header: &'static str,
    },
    /// An OCSP request (RFC 6960) for the key's certificate, POSTed to this responder.
    Ocsp(String),
    /// No public service serves it; the reason says who has it.
    NotPublic(&'static str),
}

impl Location {
    /// The URL asked, if any.
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::Get(url) | Self::Header { url, .. } | Self::Ocsp(url) => Some(url),
            Self::NotPublic(_) => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Get(url) => write!(f, "from {url}"),
            Self::Header { url, header } => write!(f, "in the {header} header from {url}"),
            Self::Ocsp(responder) => write!(f, "by an OCSP request to {responder}"),
            Self::NotPublic(why) => f.write_str(why),
        }
    }
}

/// Where the vendors' own services serve the collateral `key` names.
pub fn locate(key: &CollateralKey) -> Location {
    Endpoints::vendors().locate(key)
}

fn kds_kind(signer: AmdSigner) -> &'static str {
    match signer {
        AmdSigner::Vcek => "vcek",
        AmdSigner::Vlek => "vlek",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use verifier::needs::{IntelTee, PckCa};
    use verifier::snp::{Product, TcbParts};

    #[test]
    fn keys_map_to_the_vendor_urls() {
        let tcb = TcbParts {
            fmc: None,
            bootloader: 3,
            tee: 0,
            snp: 8,
            microcode: 115,
        };
        let cases = [
            (
                CollateralKey::AmdVcek {
                    product: Some(Product::Milan),
                    hw_id: vec![0xab; 64],
                    tcb,
                },
                format!(
                    "from https://kdsintf.amd.com/vcek/v1/Milan/{}?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115",
                    "ab".repeat(64)
                ),
            ),
            (
                CollateralKey::AmdChain {
                    product: Some(Product::Genoa),
                    signer: AmdSigner::Vlek,
                },
                "from https://kdsintf.amd.com/vlek/v1/Genoa/cert_chain".to_owned(),
            ),
            (
                CollateralKey::AmdCrl {
                    product: Product::Turin,
                    signer: AmdSigner::Vcek,
                },
                "from https://kdsintf.amd.com/vcek/v1/Turin/crl".to_owned(),
            ),
            (
                CollateralKey::IntelTcbInfo {
                    tee: IntelTee::Tdx,
                    fmspc: [0xb0, 0xc0, 0x6f, 0, 0, 0],
                },
                "from https://api.trustedservices.intel.com/tdx/certification/v4/tcb?fmspc=b0c06f000000"
                    .to_owned(),
            ),
            (
                CollateralKey::IntelPckCrl {
                    ca: PckCa::Processor,
                },
                "from https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=processor&encoding=der"
                    .to_owned(),
            ),
            (
                CollateralKey::NvidiaRim {
                    kind: verifier::nvidia::RimKind::Driver,
                    id: "NV_GPU_DRIVER_GH100_550.90.07".into(),
                    chip: "GH100".into(),
                    version: "550.90.07".into(),
                },
                "from https://rim.attestation.nvidia.com/v1/rim/NV_GPU_DRIVER_GH100_550.90.07"
                    .to_owned(),
            ),
        ];
        for (key, expected) in cases {
            assert_eq!(locate(&key).to_string(), expected, "{key}");
        }
        // PCESVN and PCE-ID as their little-endian bytes, as PCS takes them.
        let pck = CollateralKey::IntelPckCertificate {
            encrypted_ppid: vec![0xe1; 384],
            cpusvn: [0x0c; 16],
            pcesvn: 13,
            pceid: 0x0102,
            qe_id: [0xab; 16],
        };
        assert_eq!(
            locate(&pck).to_string(),
            format!(
                "from https://api.trustedservices.intel.com/sgx/certification/v4/pckcert?encrypted_ppid={}&cpusvn={}&pcesvn=0d00&pceid=0201",
                "e1".repeat(384),
                "0c".repeat(16)
            )
        );
        // A PCCS also wants the QE-ID.
        let pccs = Endpoints::vendors().with_intel_pcs("https://pccs.example:8081/");
        assert_eq!(
            pccs.locate(&pck).to_string(),
            format!(
                "from https://pccs.example:8081/sgx/certification/v4/pckcert?encrypted_ppid={}&cpusvn={}&pcesvn=0d00&pceid=0201&qeid={}",
                "e1".repeat(384),
                "0c".repeat(16),
                "ab".repeat(16)
            )
        );
        // PCS takes no RSA-2048-encrypted PPID; a PCCS is asked by QE-ID alone.
        let rsa2048 = CollateralKey::IntelPckCertificate {
            encrypted_ppid: vec![0xe1; 256],
            cpusvn: [0x0c; 16],
            pcesvn: 13,
            pceid: 0,
            qe_id: [0xab; 16],
        };
        assert!(matches!(locate(&rsa2048), Location::NotPublic(_)));
        assert_eq!(
            pccs.locate(&rsa2048).to_string(),
            format!(
                "from https://pccs.example:8081/sgx/certification/v4/pckcert?cpusvn={}&pcesvn=0d00&pceid=0000&qeid={}",
                "0c".repeat(16),
                "ab".repeat(16)
            )
        );
        assert_eq!(
            locate(&CollateralKey::IntelPckCaChain { ca: PckCa::Platform }).to_string(),
            "in the SGX-PCK-CRL-Issuer-Chain header from https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=platform&encoding=der"
        );
        let masked = CollateralKey::AmdVcek {
            product: Some(Product::Milan),
            hw_id: vec![0; 64],
            tcb,
        };
        assert!(matches!(locate(&masked), Location::NotPublic(_)));
    }
}
