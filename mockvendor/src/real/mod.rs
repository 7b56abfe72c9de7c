//! Catalogs filled from the real vectors (`testvectors::real`), under each vendor's own
//! URL paths. The files are read when a builder runs, never copied.

mod amd;
mod intel;
mod nvidia;

use std::fs;
use std::path::Path;

use crate::catalog::Catalog;
use crate::error::{io, BuildError};

/// AMD KDS: `/vcek/v1/…`, `/vlek/v1/…`.
pub const AMD_KDS_BASE: &str = "https://kdsintf.amd.com";
/// Intel PCS v4 (`/sgx/certification/v4/…`, `/tdx/certification/v4/…`); a PCCS serves the
/// same paths, plus `/sgx/certification/v4/rootcacrl`.
pub const INTEL_PCS_BASE: &str = "https://api.trustedservices.intel.com";
/// Intel's certificates host: `/IntelSGXRootCA.der` (the Root CA CRL).
pub const INTEL_CERTIFICATES_BASE: &str = "https://certificates.trustedservices.intel.com";
/// NVIDIA RIM service: `/v1/rim/{id}`.
pub const NVIDIA_RIM_BASE: &str = "https://rim.attestation.nvidia.com";
/// NVIDIA OCSP responder: `POST /`.
pub const NVIDIA_OCSP_BASE: &str = "https://ocsp.ndis.nvidia.com";

/// The `Content-Type`s the builders serve. They are plausible media types for each
/// payload, not recorded from the services: a fetcher should not depend on them.
pub mod content_type {
    /// A DER certificate (a KDS VCEK).
    pub const DER_CERTIFICATE: &str = "application/x-x509-ca-cert";
    /// PEM certificates (a KDS `cert_chain`).
    pub const PEM: &str = "application/x-pem-file";
    /// A DER CRL (KDS, PCS, Intel's certificates host).
    pub const CRL: &str = "application/pkix-crl";
    /// JSON (PCS TCB Info and identities, the RIM service).
    pub const JSON: &str = "application/json";
    /// A DER OCSP response.
    pub const OCSP_RESPONSE: &str = "application/ocsp-response";
}

impl Catalog {
    /// AMD KDS, NVIDIA's RIM service and OCSP responder, and the Intel case `intel_case`:
    /// everything the real vectors hold that can be served at once (Intel cases share
    /// URLs, so only one).
    ///
    /// # Errors
    /// As the builders it merges, and [`BuildError::Collision`] if they overlap.
    pub fn all_real(intel_case: &str) -> Result<Self, BuildError> {
        let mut catalog = Self::amd_kds()?;
        catalog.merge(Self::nvidia()?)?;
        catalog.merge(Self::intel_case(intel_case)?)?;
        Ok(catalog)
    }
}

fn read(path: &Path) -> Result<Vec<u8>, BuildError> {
    fs::read(path).map_err(io(path))
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<std::path::PathBuf>, BuildError> {
    let mut entries = fs::read_dir(dir)
        .map_err(io(dir))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(io(dir))?;
    entries.sort();
    Ok(entries)
}
