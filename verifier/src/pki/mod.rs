//! The certificate and CRL engine.
//!
//! Certificates and CRLs are parsed once (with `x509-parser`) into owned values that keep
//! the exact signed bytes. Chains are checked with fixed roles, root first, against roots
//! pinned by the SHA-256 of their SubjectPublicKeyInfo:
//!
//! 1. the root's key hash is a pinned anchor, and its self-signature verifies;
//! 2. each certificate's issuer name is its issuer's subject, the issuer is a CA
//!    (basicConstraints, keyUsage keyCertSign when present, pathLenConstraint), and the
//!    issuer's signature verifies over the raw TBS bytes;
//! 3. every certificate is valid at `now`; unknown critical extensions reject;
//! 4. a certificate that signs evidence or manifests ([`check_signer_usage`]) has
//!    keyUsage digitalSignature, and an extendedKeyUsage, when present, fit for its role;
//! 5. a CRL, when given, is signed by the issuer, current at `now`, and does not list the
//!    certificate's serial.
//!
//! Signature checks go through a [`SignatureCache`] keyed by the exact bytes, so a chain
//! seen before costs hash lookups; validity and revocation are evaluated on every call.

mod algorithm;
mod cache;
mod cert;
pub(crate) use cert::dotted;
mod crl;
mod frame;
pub mod ocsp;

pub use crate::role::CertRole;
pub(crate) use algorithm::verify_fixed_ecdsa;
pub use algorithm::SignatureAlgorithm;
pub(crate) use cache::DigestMemo;
pub(crate) use cache::ParsedChainCache;
pub use cache::SignatureCache;
pub use cert::{Certificate, Extension, Name, PublicKey};
pub use crl::{Crl, RevokedEntry};

use crate::crypto::{CryptoProvider, HashAlg};
use crate::error::{CertErrorKind, CrlErrorKind, Error};
use crate::time::{secs, UnixTime};

/// anyExtendedKeyUsage (RFC 5280 §4.2.1.12): no restriction.
const ANY_EXTENDED_KEY_USAGE: &str = "2.5.29.37.0";

/// Checks that the end entity `cert` (in `role`) may sign what it signs: keyUsage is
/// present with digitalSignature (RFC 5280 §4.2.1.3), and extendedKeyUsage, when present,
/// lists anyExtendedKeyUsage or one of `purposes` (§4.2.1.12). A CA chain holds
/// certificates of other purposes too (OCSP responders); the CN is not what tells them
/// apart.
///
/// # Errors
/// [`CertErrorKind::SignerKeyUsage`] or [`CertErrorKind::SignerExtendedKeyUsage`].
pub fn check_signer_usage(
    cert: &Certificate,
    role: CertRole,
    purposes: &[&str],
) -> Result<(), Error> {
    let fail = |kind| Error::cert(role, cert.subject().display(), kind);
    if cert.can_sign_data() != Some(true) {
        return Err(fail(CertErrorKind::SignerKeyUsage));
    }
    if let Some(found) = cert.extended_key_usage() {
        let fits = found
            .iter()
            .any(|p| p == ANY_EXTENDED_KEY_USAGE || purposes.contains(&p.as_str()));
        if !fits {
            let mut allowed = vec![ANY_EXTENDED_KEY_USAGE];
            allowed.extend_from_slice(purposes);
            return Err(fail(CertErrorKind::SignerExtendedKeyUsage {
                purposes: found.join(", "),
                allowed: allowed.join(", "),
            }));
        }
    }
    Ok(())
}

/// Checks certificates and CRLs at one point in time through one provider and cache.
#[derive(Debug, Clone, Copy)]
pub struct PathChecker<'a> {
    /// Crypto backend.
    pub provider: &'a dyn CryptoProvider,
    /// Cache of verified signatures.
    pub cache: &'a SignatureCache,
    /// Verification time.
    pub now: UnixTime,
}

impl PathChecker<'_> {
    /// Checks a root: its key is pinned, it is self-issued and self-signed, it is a CA
    /// and valid at `now`.
    ///
    /// # Errors
    /// The first failed check, naming the certificate.
    pub fn check_root(
        &self,
        root: &Certificate,
        role: CertRole,
        pins: &[[u8; 32]],
    ) -> Result<(), Error> {
        let fail = |kind| Error::cert(role, root.subject().display(), kind);
        let hash = self.provider.hash(HashAlg::Sha256, &[root.spki_der()]);
        if !pins.iter().any(|p| p.as_slice() == hash.as_ref()) {
            return Err(fail(CertErrorKind::UntrustedRoot {
                spki_sha256: hex::encode(hash.as_ref()),
            }));
        }
        self.check_common(root, role)?;
        self.check_issued_by(root, role, root, 0)
    }

    /// [`PathChecker::check_root`] less the self-signature, for a root whose whole DER has
    /// one of the SHA-256 digests in `known` (any other root gets every check). The pin,
    /// validity, self-issue and CA checks all run; only the signature is skipped, since
    /// bytes equal to a known certificate's carry the signature a test has verified, so
    /// checking it again on every cold verification proves nothing new (webpki does not
    /// check a trust anchor's self-signature at all).
    ///
    /// # Errors
    /// As [`PathChecker::check_root`].
    pub fn check_known_root(
        &self,
        root: &Certificate,
        role: CertRole,
        pins: &[[u8; 32]],
        known: &[[u8; 32]],
    ) -> Result<(), Error> {
        let digest = self.provider.hash(HashAlg::Sha256, &[root.der()]);
        if !known.iter().any(|k| k.as_slice() == digest.as_ref()) {
            return self.check_root(root, role, pins);
        }
        let hash = self.provider.hash(HashAlg::Sha256, &[root.spki_der()]);
        if !pins.iter().any(|p| p.as_slice() == hash.as_ref()) {
            return Err(Error::cert(
                role,
                root.subject().display(),
                CertErrorKind::UntrustedRoot {
                    spki_sha256: hex::encode(hash.as_ref()),
                },
            ));
        }
        self.check_common(root, role)?;
        self.check_issuer_constraints(root, role, root, 0)
    }

    /// Checks that `cert` (in `role`) was issued by `issuer` and is valid at `now`.
    /// `below` is the number of intermediate certificates that follow `issuer` in the
    /// chain, `cert` included, the leaf not (RFC 5280 pathLenConstraint): 0 when `cert` is
    /// the leaf, 1 for a CA that issues the leaf.
    ///
    /// # Errors
    /// The first failed check, naming the certificate.
    pub fn check_issued(
        &self,
        cert: &Certificate,
        role: CertRole,
        issuer: &Certificate,
        below: u32,
    ) -> Result<(), Error> {
        self.check_common(cert, role)?;
        self.check_issued_by(cert, role, issuer, below)
    }

    fn check_common(&self, cert: &Certificate, role: CertRole) -> Result<(), Error> {
        let fail = |kind| Error::cert(role, cert.subject().display(), kind);
        if let Some(oid) = cert.unhandled_critical_extension() {
            return Err(fail(CertErrorKind::UnhandledCriticalExtension {
                oid: oid.to_owned(),
            }));
        }
        let now = secs(self.now);
        if now < cert.not_before_secs() {
            return Err(fail(CertErrorKind::NotYetValid {
                now,
                not_before: cert.not_before_secs(),
            }));
        }
        if now > cert.not_after_secs() {
            return Err(fail(CertErrorKind::Expired {
                now,
                not_after: cert.not_after_secs(),
            }));
        }
        Ok(())
    }

    fn check_issued_by(
        &self,
        cert: &Certificate,
        role: CertRole,
        issuer: &Certificate,
        below: u32,
    ) -> Result<(), Error> {
        self.check_issuer_constraints(cert, role, issuer, below)?;
        self.signature_by(cert, issuer)
            .map_err(|kind| Error::cert(role, cert.subject().display(), kind))
    }

    /// [`PathChecker::check_issued_by`] less the signature: names chain, and `issuer` may
    /// issue certificates this deep.
    fn check_issuer_constraints(
        &self,
        cert: &Certificate,
        role: CertRole,
        issuer: &Certificate,
        below: u32,
    ) -> Result<(), Error> {
        let fail = |kind| Error::cert(role, cert.subject().display(), kind);
        if cert.issuer().raw() != issuer.subject().raw() {
            return Err(fail(CertErrorKind::IssuerMismatch {
                issuer: cert.issuer().display().to_owned(),
                candidate: issuer.subject().display().to_owned(),
            }));
        }
        // The issuer's own constraints are reported against the issuer.
        let issuer_fail = |kind| Error::cert(role, issuer.subject().display(), kind);
        match issuer.basic_constraints() {
            Some((true, path_len)) => {
                if let Some(max) = path_len {
                    if below > max {
                        return Err(issuer_fail(CertErrorKind::PathLenExceeded { max }));
                    }
                }
            }
            _ => return Err(issuer_fail(CertErrorKind::NotCa)),
        }
        if let Some(false) = issuer.can_sign_certificates() {
            return Err(issuer_fail(CertErrorKind::KeyUsage));
        }
        Ok(())
    }

    /// Whether `issuer`'s key made `cert`'s signature (names and constraints aside).
    fn signature_by(&self, cert: &Certificate, issuer: &Certificate) -> Result<(), CertErrorKind> {
        let alg = cert.signature_algorithm()?;
        algorithm::verify(
            self.provider,
            self.cache,
            alg,
            issuer.public_key(),
            cert.tbs(),
            Some(cert.tbs_memo()),
            cert.signature(),
        )
        .map_err(|e| match e {
            algorithm::VerifyError::Bad => CertErrorKind::BadSignature {
                issuer: issuer.subject().display().to_owned(),
            },
            algorithm::VerifyError::Unusable(k) => k,
        })
    }

    /// Whether `issuer` signed `cert`: the names chain and the signature verifies, nothing
    /// else. Ranks the errors of candidate chains; it decides nothing on its own.
    pub fn is_signed_by(&self, cert: &Certificate, issuer: &Certificate) -> bool {
        cert.issuer().raw() == issuer.subject().raw() && self.signature_by(cert, issuer).is_ok()
    }

    /// Checks a CRL issued by `issuer` (in `issuer_role`): issuer name, signature, and
    /// that it is current at `now` (`thisUpdate ≤ now ≤ nextUpdate`; a CRL without
    /// nextUpdate is refused).
    ///
    /// # Errors
    /// The first failed check, naming the CRL issuer.
    pub fn check_crl(
        &self,
        crl: &Crl,
        issuer: &Certificate,
        issuer_role: CertRole,
    ) -> Result<(), Error> {
        self.check_crl_signature(crl, issuer, issuer_role)?;
        self.check_crl_current(crl)
    }

    /// The first half of [`PathChecker::check_crl`]: the CRL names `issuer` and `issuer`'s
    /// key signed it.
    ///
    /// # Errors
    /// An issuer mismatch, or the CRL's signature error.
    pub fn check_crl_signature(
        &self,
        crl: &Crl,
        issuer: &Certificate,
        issuer_role: CertRole,
    ) -> Result<(), Error> {
        let fail = |kind| Error::Crl {
            issuer: crl.issuer().display().to_owned(),
            kind,
        };
        if crl.issuer().raw() != issuer.subject().raw() {
            return Err(Error::cert(
                issuer_role,
                issuer.subject().display(),
                CertErrorKind::IssuerMismatch {
                    issuer: crl.issuer().display().to_owned(),
                    candidate: issuer.subject().display().to_owned(),
                },
            ));
        }
        let alg = crl
            .signature_algorithm()
            .map_err(|k| fail(CrlErrorKind::Signature(k)))?;
        algorithm::verify(
            self.provider,
            self.cache,
            alg,
            issuer.public_key(),
            crl.tbs(),
            Some(crl.tbs_memo()),
            crl.signature(),
        )
        .map_err(|e| {
            fail(match e {
                algorithm::VerifyError::Bad => CrlErrorKind::BadSignature,
                algorithm::VerifyError::Unusable(k) => CrlErrorKind::Signature(k),
            })
        })
    }

    /// The second half of [`PathChecker::check_crl`]: the CRL is current at `now`.
    ///
    /// # Errors
    /// Not yet valid, stale, or without nextUpdate.
    pub fn check_crl_current(&self, crl: &Crl) -> Result<(), Error> {
        let fail = |kind| Error::Crl {
            issuer: crl.issuer().display().to_owned(),
            kind,
        };
        let now = secs(self.now);
        if now < crl.this_update_secs() {
            return Err(fail(CrlErrorKind::NotYetValid {
                now,
                this_update: crl.this_update_secs(),
            }));
        }
        match crl.next_update_secs() {
            None => Err(fail(CrlErrorKind::NoNextUpdate)),
            Some(next_update) if now > next_update => {
                Err(fail(CrlErrorKind::Expired { now, next_update }))
            }
            Some(_) => Ok(()),
        }
    }

    /// Rejects `cert` if a (checked) `crl` lists its serial.
    ///
    /// # Errors
    /// [`CertErrorKind::Revoked`] with the serial and revocation date.
    pub fn check_not_revoked(
        &self,
        cert: &Certificate,
        role: CertRole,
        crl: &Crl,
    ) -> Result<(), Error> {
        match crl.revoked(cert.serial()) {
            Some(entry) => Err(Error::cert(
                role,
                cert.subject().display(),
                CertErrorKind::Revoked {
                    serial: hex::encode(cert.serial()),
                    revoked_at: entry.revoked_at,
                },
            )),
            None => Ok(()),
        }
    }
}
