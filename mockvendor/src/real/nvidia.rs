//! NVIDIA's RIM service and OCSP responder from `nvidia/`.

use std::path::Path;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::{content_type, read, read_dir_sorted};
use crate::catalog::Catalog;
use crate::error::BuildError;

/// `last_updated` of every RIM the mock serves. The real service gives the time the RIM was
/// published; nothing in a vector records it, so this is a fixed, recognisable value.
pub(crate) const RIM_LAST_UPDATED: &str = "2000-01-01T00:00:00.000000";

/// The RIM service's answer for an unknown id.
const RIM_NOT_FOUND: &str = r#"{"message": "RIM_NOT_FOUND"}"#;

impl Catalog {
    /// NVIDIA's RIM service and OCSP responder: [`Catalog::nvidia_rim_service`] and
    /// [`Catalog::nvidia_ocsp`] together.
    ///
    /// # Errors
    /// As those two.
    pub fn nvidia() -> Result<Self, BuildError> {
        let mut catalog = Self::nvidia_rim_service()?;
        catalog.merge(Self::nvidia_ocsp()?)?;
        Ok(catalog)
    }

    /// NVIDIA's RIM service (base [`NVIDIA_RIM_BASE`](crate::NVIDIA_RIM_BASE)): every
    /// genuine RIM in the vectors at `/v1/rim/{id}`, as [`Catalog::nvidia_rim`] serves one:
    ///
    /// * each `nvidia/<set>/NV_*.xml` (the setA driver and VBIOS RIMs, the 550.144.03
    ///   driver RIM, the LS10 switch BIOS RIM), id = the file stem, e.g.
    ///   `NV_GPU_DRIVER_GH100_550.90.07`;
    /// * each `nvidia/rim_corpus/nvtrust_vbios_prod/<board>_PROD.swidtag`, id =
    ///   `NV_GPU_VBIOS_<BOARD>` (`g520_0200_885_9600740001` → `NV_GPU_VBIOS_G520_0200_885_9600740001`).
    ///
    /// Negative RIMs (`NEG_*`, `sample_rims/`) and setB's test RIMs are not served; serve
    /// one under a real id with [`Catalog::nvidia_rim`]. Unknown ids get the service's 404
    /// body `{"message": "RIM_NOT_FOUND"}`.
    ///
    /// # Errors
    /// A folder or file that cannot be read.
    pub fn nvidia_rim_service() -> Result<Self, BuildError> {
        let nvidia = testvectors::real::nvidia_dir();
        let mut catalog = Self::new();
        for set in read_dir_sorted(&nvidia)?.into_iter().filter(|p| p.is_dir()) {
            for file in read_dir_sorted(&set)? {
                if let Some(id) = stem_with(&file, "NV_", ".xml") {
                    catalog.nvidia_rim(&id, &read(&file)?);
                }
            }
        }
        let corpus = nvidia.join("rim_corpus").join("nvtrust_vbios_prod");
        if corpus.is_dir() {
            for file in read_dir_sorted(&corpus)? {
                if let Some(board) = stem_with(&file, "", "_PROD.swidtag") {
                    let id = format!("NV_GPU_VBIOS_{}", board.to_ascii_uppercase());
                    catalog.nvidia_rim(&id, &read(&file)?);
                }
            }
        }
        Ok(catalog)
    }

    /// Serves `rim` (the XML) at `/v1/rim/{id}` as the RIM service does:
    /// `{"id", "rim": base64(XML), "sha256": hex SHA-256 of the XML, "last_updated",
    /// "rim_format": "TCG", "request_id"}` (`TCG` is the format the service names for
    /// SWID RIMs; `last_updated` is a fixed value, `request_id` derived from the id).
    pub fn nvidia_rim(&mut self, id: &str, rim: &[u8]) -> &mut Self {
        let digest = Sha256::digest(rim);
        let request = Sha256::digest(id.as_bytes());
        let request_id = format!(
            "{}-{}-{}-{}-{}",
            hex::encode(&request[0..4]),
            hex::encode(&request[4..6]),
            hex::encode(&request[6..8]),
            hex::encode(&request[8..10]),
            hex::encode(&request[10..16]),
        );
        let body = serde_json::json!({
            "id": id,
            "rim": base64::engine::general_purpose::STANDARD.encode(rim),
            "sha256": hex::encode(digest),
            "last_updated": RIM_LAST_UPDATED,
            "rim_format": "TCG",
            "request_id": request_id,
        });
        self.route(
            &format!("/v1/rim/{id}"),
            &[],
            body.to_string(),
            &[("Content-Type", content_type::JSON)],
        )
        .not_found(
            "/v1/rim/",
            RIM_NOT_FOUND,
            &[("Content-Type", content_type::JSON)],
        )
    }

    /// NVIDIA's OCSP responder (base [`NVIDIA_OCSP_BASE`](crate::NVIDIA_OCSP_BASE),
    /// `POST /`): every recorded response `nvidia/<set>/ocsp/*.ocsp.der` (setA: the device
    /// chain's BROM, Provisioner ICA and Identity, and the RIM chains' L4, L3 and L2
    /// certificates).
    ///
    /// # Errors
    /// A file that cannot be read or is not a successful basic OCSP response.
    pub fn nvidia_ocsp() -> Result<Self, BuildError> {
        let nvidia = testvectors::real::nvidia_dir();
        let mut catalog = Self::new();
        for set in read_dir_sorted(&nvidia)?.into_iter().filter(|p| p.is_dir()) {
            let dir = set.join("ocsp");
            if !dir.is_dir() {
                continue;
            }
            for file in read_dir_sorted(&dir)? {
                if stem_with(&file, "", ".ocsp.der").is_some() {
                    let der = read(&file)?;
                    catalog.ocsp_response(der).map_err(|e| match e {
                        BuildError::Ocsp(reason) => crate::error::malformed(&file, reason),
                        other => other,
                    })?;
                }
            }
        }
        Ok(catalog)
    }
}

/// The file name without `suffix`, if it starts with `prefix` and ends with `suffix`.
fn stem_with(path: &Path, prefix: &str, suffix: &str) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    if !path.is_file() || !name.starts_with(prefix) {
        return None;
    }
    name.strip_suffix(suffix).map(str::to_owned)
}
