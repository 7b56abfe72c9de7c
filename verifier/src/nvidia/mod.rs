//! NVIDIA GPU (Hopper H100) attestation: SPDM measurement reports, the device
//! certificate chain with OCSP, and reference integrity manifests (RIMs).

pub mod rim;
