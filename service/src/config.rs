//! `verdict serve` configuration: a TOML file, overridden by environment variables and
//! flags (the CLI applies those), with defaults that run a complete service from an
//! empty data directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::files::read_text;

/// The service's configuration. Every field has a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The data directory: the signing key and challenge key when not configured, the
    /// admin API's policies, the collateral cache.
    pub data_dir: PathBuf,
    /// The tokens' `iss` (default: `http://<listen>`).
    pub issuer: Option<String>,
    /// The tokens' `aud`, if any.
    pub audience: Option<String>,
    /// The token signing key (PEM PKCS#8); default: `<data_dir>/keys/current.pem`,
    /// generated on first start.
    pub signing_key: Option<PathBuf>,
    /// JWKS files of previous signing keys, published until removed.
    pub previous_jwks: Vec<PathBuf>,
    /// The file holding the challenge MAC key (64 hex digits); replicas must share it.
    /// Default: `<data_dir>/challenge.key`, generated on first start.
    pub challenge_key: Option<PathBuf>,
    /// How long a challenge stays valid, in seconds.
    pub challenge_ttl_seconds: u64,
    /// The admin bearer token for the policy and key routes; without one they answer
    /// 403.
    pub admin_token: Option<String>,
    /// Policy files (`<id>.yaml`) loaded at start beside the built-in ones.
    pub policies_dir: Option<PathBuf>,
    /// Collateral files and directories loaded at start (an offline bundle).
    pub collateral: Vec<PathBuf>,
    /// Roots to trust instead of the vendors' (tests and fake PKIs only).
    pub anchors: Vec<PathBuf>,
    /// Never ask the vendors: collateral comes from files and the cache only.
    pub offline: bool,
    /// Vendor service base URLs (a PCCS, a mirror, or the mock in tests).
    pub amd_kds_url: Option<String>,
    /// Intel PCS (or PCCS) base URL.
    pub intel_pcs_url: Option<String>,
    /// NVIDIA RIM service base URL.
    pub nvidia_rim_url: Option<String>,
    /// NVIDIA OCSP responder URL.
    pub nvidia_ocsp_url: Option<String>,
    /// Per vendor request, in seconds.
    pub fetch_timeout_seconds: u64,
    /// How long past its validity a cached item may serve when the vendor cannot be
    /// reached, in seconds.
    pub cache_grace_seconds: u64,
    /// How often the in-memory collateral goes back to the configured base (so
    /// replaced collateral is fetched again), in seconds.
    pub collateral_refresh_seconds: u64,
    /// Redis (`redis://host:6379/0`): shared nonce record and collateral cache.
    pub redis_url: Option<String>,
    /// Verify as of this RFC 3339 time instead of the clock: for replaying old evidence
    /// whose collateral has since expired; never in production.
    pub at: Option<String>,
    /// The largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Per request, reading the body included, in seconds.
    pub request_timeout_seconds: u64,
    /// Verifications running at once (default: four per core).
    pub verify_workers: Option<usize>,
    /// Logs as JSON lines instead of text.
    pub log_json: bool,
    /// TLS certificate chain (PEM); with `tls_key`, the service speaks HTTPS.
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    pub tls_key: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("verdict-data"),
            issuer: None,
            audience: None,
            signing_key: None,
            previous_jwks: Vec::new(),
            challenge_key: None,
            challenge_ttl_seconds: 300,
            admin_token: None,
            policies_dir: None,
            collateral: Vec::new(),
            anchors: Vec::new(),
            offline: false,
            amd_kds_url: None,
            intel_pcs_url: None,
            nvidia_rim_url: None,
            nvidia_ocsp_url: None,
            fetch_timeout_seconds: 10,
            cache_grace_seconds: 0,
            collateral_refresh_seconds: 3_600,
            redis_url: None,
            at: None,
            max_body_bytes: 2 << 20,
            request_timeout_seconds: 30,
            verify_workers: None,
            log_json: false,
            tls_cert: None,
            tls_key: None,
        }
    }
}

impl Config {
    /// Reads a TOML configuration file.
    ///
    /// # Errors
    /// An unreadable file, or one with unknown or mistyped settings (named).
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = read_text(path)?;
        toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))
    }

    /// The issuer tokens name.
    pub fn issuer(&self) -> String {
        self.issuer.clone().unwrap_or_else(|| {
            let scheme = if self.tls_cert.is_some() {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{}", self.listen)
        })
    }

    /// Checks what can be checked before starting.
    ///
    /// # Errors
    /// The first setting that is wrong, named.
    pub fn validate(&self) -> Result<(), String> {
        if self.challenge_ttl_seconds == 0 || self.challenge_ttl_seconds > 3_600 {
            return Err("challenge_ttl_seconds must be 1..=3600".into());
        }
        if self.max_body_bytes < 1024 {
            return Err("max_body_bytes must be at least 1024".into());
        }
        if self.request_timeout_seconds == 0 || self.fetch_timeout_seconds == 0 {
            return Err("timeouts must be at least 1 second".into());
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err("tls_cert and tls_key go together".into());
        }
        if self.admin_token.as_deref().is_some_and(|t| t.len() < 16) {
            return Err("admin_token must be at least 16 characters".into());
        }
        if let Some(at) = &self.at {
            verifier::time::parse_rfc3339_explained(at).map_err(|e| format!("at {at:?}: {e}"))?;
        }
        for (name, url) in [
            ("amd_kds_url", &self.amd_kds_url),
            ("intel_pcs_url", &self.intel_pcs_url),
            ("nvidia_rim_url", &self.nvidia_rim_url),
            ("nvidia_ocsp_url", &self.nvidia_ocsp_url),
        ] {
            if let Some(url) = url {
                let lower = url.to_ascii_lowercase();
                if !(lower.starts_with("https://") || lower.starts_with("http://")) {
                    return Err(format!(
                        "{name} {url:?} must start with https:// or http://"
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_sets_what_it_names_and_refuses_unknown_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serve.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:9000\"\noffline = true\n").unwrap();
        let c = Config::from_file(&path).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert!(c.offline);
        assert_eq!(c.challenge_ttl_seconds, 300);
        std::fs::write(&path, "listne = \"0.0.0.0:9000\"\n").unwrap();
        let e = Config::from_file(&path).unwrap_err();
        assert!(e.contains("listne"), "{e}");
    }

    #[test]
    fn validation_names_the_setting() {
        let c = Config {
            amd_kds_url: Some("ftp://x".into()),
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().contains("amd_kds_url"));
        let c = Config {
            admin_token: Some("short".into()),
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().contains("admin_token"));
    }
}
