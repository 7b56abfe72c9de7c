//! What the caller expects of GPU evidence beyond its authenticity.

/// Caller expectations for [`crate::Verifier::verify_nvidia`]. The default checks
/// authenticity only and reports OCSP and RIM results as claims.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
}
