//! Where vendors serve each piece of collateral the verifier can ask for.
//!
//! The verifier names what it needs as [`CollateralKey`]s and builds no URLs; this module
//! maps a key to the vendor service that publishes it (AMD KDS, Intel PCS, NVIDIA's RIM
//! service and OCSP responder), for people (the CLI's "missing collateral" message) and
//! for fetchers.

use std::fmt;

use verifier::needs::{AmdSigner, CollateralKey};

/// AMD's Key Distribution Service.
pub const AMD_KDS: &str = "https://kdsintf.amd.com";
/// Intel's Provisioning Certification Service (API v4).
pub const INTEL_PCS: &str = "https://api.trustedservices.intel.com";
/// Where Intel publishes its root CA's CRL.
pub const INTEL_ROOT_CA_CRL: &str =
    "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der";
/// NVIDIA's RIM service.
pub const NVIDIA_RIM_SERVICE: &str = "https://rim.attestation.nvidia.com/v1/rim";
/// NVIDIA's OCSP responder (device and RIM signing chains).
pub const NVIDIA_OCSP: &str = "https://ocsp.ndis.nvidia.com";

/// Where a piece of collateral comes from.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
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

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Get(url) => write!(f, "from {url}"),
            Self::Header { url, header } => write!(f, "in the {header} header from {url}"),
            Self::Ocsp(responder) => write!(f, "by an OCSP request to {responder}"),
            Self::NotPublic(why) => f.write_str(why),
        }
    }
}

/// Where the vendor serves the collateral `key` names.
pub fn source(key: &CollateralKey) -> Source {
    match key {
        CollateralKey::AmdChain {
            product: Some(product),
            signer,
        } => Source::Get(format!("{AMD_KDS}/{}/v1/{product}/cert_chain", kds_kind(*signer))),
        CollateralKey::AmdChain { product: None, .. }
        | CollateralKey::AmdVcek { product: None, .. } => Source::NotPublic(
            "its product line is not known yet: the report has no CPUID, so the VEK names it",
        ),
        CollateralKey::AmdVcek {
            product: Some(product),
            hw_id,
            tcb,
        } => {
            if hw_id.iter().all(|b| *b == 0) {
                return Source::NotPublic(
                    "the report's CHIP_ID is masked, so KDS cannot be asked for its VCEK: the host must supply it",
                );
            }
            let fmc = tcb.fmc.map(|f| format!("fmcSPL={f}&")).unwrap_or_default();
            Source::Get(format!(
                "{AMD_KDS}/vcek/v1/{product}/{}?{fmc}blSPL={}&teeSPL={}&snpSPL={}&ucodeSPL={}",
                hex::encode(hw_id),
                tcb.bootloader,
                tcb.tee,
                tcb.snp,
                tcb.microcode
            ))
        }
        CollateralKey::AmdVlek { .. } => Source::NotPublic(
            "VLEKs are issued to the cloud provider, which supplies them with the extended report",
        ),
        CollateralKey::AmdCrl { product, signer } => {
            Source::Get(format!("{AMD_KDS}/{}/v1/{product}/crl", kds_kind(*signer)))
        }
        CollateralKey::IntelTcbInfo { tee, fmspc } => Source::Get(format!(
            "{INTEL_PCS}/{}/certification/v4/tcb?fmspc={}",
            tee.name(),
            hex::encode(fmspc)
        )),
        CollateralKey::IntelQeIdentity { tee } => Source::Get(format!(
            "{INTEL_PCS}/{}/certification/v4/qe/identity",
            tee.name()
        )),
        CollateralKey::IntelTcbSigning => Source::Header {
            url: format!("{INTEL_PCS}/sgx/certification/v4/qe/identity"),
            header: "SGX-Enclave-Identity-Issuer-Chain",
        },
        CollateralKey::IntelRootCaCrl => Source::Get(INTEL_ROOT_CA_CRL.to_owned()),
        CollateralKey::IntelPckCrl { ca } => Source::Get(format!(
            "{INTEL_PCS}/sgx/certification/v4/pckcrl?ca={}&encoding=der",
            ca.name()
        )),
        CollateralKey::NvidiaDeviceChain => Source::NotPublic(
            "the GPU returns its device chain with the report: capture both together",
        ),
        CollateralKey::NvidiaDeviceRoot { .. } => Source::NotPublic(
            "the NVIDIA Device Identity CA is a trust anchor: take it from NVIDIA's attestation SDK and pin it",
        ),
        CollateralKey::NvidiaRim { id, .. } => Source::Get(format!("{NVIDIA_RIM_SERVICE}/{id}")),
        CollateralKey::NvidiaOcsp(_) => Source::Ocsp(NVIDIA_OCSP.to_owned()),
        // Keys added later are not served by any source known here.
        _ => Source::NotPublic("no vendor source is known for it"),
    }
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
            assert_eq!(source(&key).to_string(), expected, "{key}");
        }
        let masked = CollateralKey::AmdVcek {
            product: Some(Product::Milan),
            hw_id: vec![0; 64],
            tcb,
        };
        assert!(matches!(source(&masked), Source::NotPublic(_)));
    }
}
