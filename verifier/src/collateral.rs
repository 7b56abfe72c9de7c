//! Collateral as data: the certificates and CRLs a verification may use, in any order.
//! The verifier picks what it needs by role and re-verifies everything it uses, so a
//! bundle may hold more than one product's chain, or stale entries it will not use.

use crate::error::{Error, ParseError, ParseErrorKind};
use crate::pki::{Certificate, Crl};

/// Certificates and CRLs for one verification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bundle {
    /// Certificates (vendor roots, intermediates, leaves).
    pub certificates: Vec<Certificate>,
    /// Certificate revocation lists.
    pub crls: Vec<Crl>,
}

/// What one piece of collateral input turned out to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Added {
    /// Certificates added.
    pub certificates: usize,
    /// CRLs added.
    pub crls: usize,
}

impl Bundle {
    /// An empty bundle.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the certificates and CRLs in `bytes`, detected by content: PEM (any number of
    /// `CERTIFICATE` and `X509 CRL` blocks; other blocks are an error) or a single DER
    /// certificate or CRL.
    ///
    /// # Errors
    /// [`Error::Parse`] if the bytes are neither, or a block does not decode.
    pub fn add_bytes(&mut self, bytes: &[u8]) -> Result<Added, Error> {
        let mut added = Added::default();
        if looks_like_pem(bytes) {
            let blocks =
                pem::parse_many(bytes).map_err(|e| der("PEM collateral", e.to_string()))?;
            if blocks.is_empty() {
                return Err(der("PEM collateral", "no PEM blocks".into()));
            }
            for block in blocks {
                match block.tag() {
                    "CERTIFICATE" => {
                        self.certificates
                            .push(Certificate::from_der(block.contents())?);
                        added.certificates = added.certificates.saturating_add(1);
                    }
                    "X509 CRL" => {
                        self.crls.push(Crl::from_der(block.contents())?);
                        added.crls = added.crls.saturating_add(1);
                    }
                    _ => {
                        return Err(der(
                            "PEM collateral",
                            format!("unexpected PEM block {}", block.tag()),
                        ))
                    }
                }
            }
            return Ok(added);
        }
        match Certificate::from_der(bytes) {
            Ok(c) => {
                self.certificates.push(c);
                added.certificates = 1;
            }
            Err(cert_err) => match Crl::from_der(bytes) {
                Ok(c) => {
                    self.crls.push(c);
                    added.crls = 1;
                }
                Err(_) => return Err(cert_err),
            },
        }
        Ok(added)
    }

    /// A bundle from several inputs (see [`Bundle::add_bytes`]); inputs that are not
    /// collateral are skipped.
    pub fn from_iter_bytes<B: AsRef<[u8]>>(inputs: &[B]) -> Self {
        let mut bundle = Self::new();
        for input in inputs {
            let _ = bundle.add_bytes(input.as_ref());
        }
        bundle
    }

    /// Appends another bundle.
    pub fn extend(&mut self, other: Self) {
        self.certificates.extend(other.certificates);
        self.crls.extend(other.crls);
    }
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

fn der(what: &'static str, msg: String) -> Error {
    Error::Parse(ParseError {
        what,
        offset: 0,
        kind: ParseErrorKind::Der(msg),
    })
}
