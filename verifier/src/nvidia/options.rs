//! What the caller expects of GPU evidence beyond its authenticity.

use core::time::Duration;

use crate::pki::ocsp::DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE;

/// Caller expectations for [`crate::Verifier::verify_nvidia`]. The default checks
/// authenticity only and reports OCSP and RIM results as claims.
///
/// Non-exhaustive so that options can be added without breaking callers: start from
/// `Default::default()` and set the fields you need.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NvidiaOptions {
    /// The nonce the caller sent; the report's requester nonce must equal it.
    pub expected_nonce: Option<[u8; 32]>,
    /// Accepted driver versions (compared case-insensitively); empty accepts any.
    pub allowed_driver_versions: Vec<String>,
    /// Accepted VBIOS versions (compared case-insensitively); empty accepts any.
    pub allowed_vbios_versions: Vec<String>,
    /// Every certificate NVIDIA's responder covers (all but the device leaf and the
    /// roots) must have a current `good` OCSP response; otherwise a missing, stale or
    /// `unknown` answer is a claim with a warning.
    pub require_ocsp: bool,
    /// Both RIMs must be supplied and verify, and every active measurement must match;
    /// otherwise their absence or a mismatch is a claim with a warning.
    pub require_rims: bool,
    /// Accept a certificate OCSP reports revoked with reason `certificateHold` (as
    /// nvtrust's `--allow_hold_cert` does), reporting it as a claim and a warning.
    pub allow_cert_hold: bool,
    /// How long an OCSP answer without nextUpdate counts as current after its thisUpdate
    /// (RFC 5019 §6 lets a client bound it); later it is stale. Default: a day
    /// ([`DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE`]), the lifetime of NVIDIA's answers.
    pub ocsp_max_age_without_next_update: Duration,
}

impl Default for NvidiaOptions {
    fn default() -> Self {
        Self {
            expected_nonce: None,
            allowed_driver_versions: Vec::new(),
            allowed_vbios_versions: Vec::new(),
            require_ocsp: false,
            require_rims: false,
            allow_cert_hold: false,
            ocsp_max_age_without_next_update: DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE,
        }
    }
}
