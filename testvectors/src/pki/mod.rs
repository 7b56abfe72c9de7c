//! Fake vendor PKIs, built on a small generic X.509 certificate and CRL builder.
//!
//! - [`x509::CertSpec`] and [`crl::CrlSpec`] describe one certificate or CRL before
//!   signing, with raw control over names, serials, extensions and the signature
//!   AlgorithmIdentifier bytes.
//! - [`amd::AmdPki`] builds the AMD SEV-SNP chain (ARK, ASK, ASVK, VCEK, VLEK and CRL) in
//!   the shapes AMD KDS serves.
//! - [`intel::IntelPki`] builds the Intel SGX/TDX DCAP chain (Root CA, PCK Platform and
//!   Processor CAs, PCK leaf with its SGX extension, TCB Signing, Root CA and PCK CRLs).
//! - [`ocsp::OcspResponseSpec`] builds OCSP responses with raw control over every field,
//!   and [`ocsp::responder_cert`] a delegated responder certificate.

pub mod amd;
pub mod asn1;
pub mod crl;
pub mod intel;
pub mod key;
pub mod nvidia;
pub mod ocsp;
pub mod sign;
pub mod time;
pub mod x509;

pub use crl::CrlSpec;
pub use key::PrivateKey;
pub use sign::{HashAlg, PssParams, SigAlg};
pub use x509::{CertSpec, Ext};

/// PEM-encodes `der` under `label` (for example `CERTIFICATE`), with LF line endings.
pub fn to_pem(label: &str, der: &[u8]) -> String {
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    pem::encode_config(&pem::Pem::new(label, der), config)
}
