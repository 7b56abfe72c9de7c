//! [`CrlBuilder`]: the Root CA CRL and the PCK CRLs, in the shape of the real ones
//! (ecdsa-with-SHA256, CRL Number 1 then AKI, keyCompromise reason on every entry).

use x509_cert::name::Name;

use crate::pki::asn1::uint_content;
use crate::pki::crl::Revoked;
use crate::pki::x509::oids;
use crate::pki::{CertSpec, CrlSpec, PrivateKey, SigAlg};

/// CRLReason keyCompromise, written on every entry of Intel's CRLs.
pub const REASON_KEY_COMPROMISE: u8 = 1;

/// A CRL under construction, issued and signed by one CA of the fake PKI.
#[derive(Debug, Clone)]
pub struct CrlBuilder {
    spec: CrlSpec,
}

impl CrlBuilder {
    /// An empty CRL from `issuer` valid from `this_update` to `next_update`.
    pub(super) fn new(issuer: &CertSpec, this_update: u64, next_update: u64) -> Self {
        let mut spec = CrlSpec::new(
            issuer.subject.clone(),
            &issuer.key_id(),
            issuer.key.clone(),
            SigAlg::EcdsaSha256,
        );
        // Intel writes the CRL Number before the AKI.
        spec.extensions
            .sort_by_key(|e| e.oid != crate::pki::asn1::oid(oids::CRL_NUMBER));
        spec.this_update = this_update;
        spec.next_update = Some(next_update);
        spec.entry_reason = Some(REASON_KEY_COMPROMISE);
        Self { spec }
    }

    /// Lists `serial` (INTEGER content octets, as in [`CertSpec::serial`]) as revoked at
    /// the CRL's thisUpdate (Intel dates every entry so).
    pub fn revoke(mut self, serial: &[u8]) -> Self {
        let date = self.spec.this_update;
        self.spec.revoked.push(Revoked {
            serial: serial.to_vec(),
            date,
        });
        self
    }

    /// Lists the non-negative serial `serial` as revoked.
    pub fn revoke_serial(self, serial: u64) -> Self {
        self.revoke(&uint_content(&serial.to_be_bytes()))
    }

    /// Lists `cert`'s serial as revoked.
    pub fn revoke_cert(self, cert: &CertSpec) -> Self {
        self.revoke(&cert.serial)
    }

    /// Sets thisUpdate (entries already added keep their date).
    pub fn this_update(mut self, t: u64) -> Self {
        self.spec.this_update = t;
        self
    }

    /// Sets nextUpdate.
    pub fn next_update(mut self, t: u64) -> Self {
        self.spec.next_update = Some(t);
        self
    }

    /// Sets the CRL number.
    pub fn crl_number(mut self, number: u64) -> Self {
        self.spec.set_crl_number(number);
        self
    }

    /// Signs with `key` instead of the issuer's key (issuer name unchanged).
    pub fn signed_by(mut self, key: PrivateKey) -> Self {
        self.spec.signing_key = key;
        self
    }

    /// Sets the issuer name.
    pub fn issuer(mut self, issuer: Name) -> Self {
        self.spec.issuer = issuer;
        self
    }

    /// Flips a bit of the signature.
    pub fn corrupt_signature(mut self) -> Self {
        self.spec.corrupt_signature = true;
        self
    }

    /// Any other change, on the underlying [`CrlSpec`].
    pub fn modify(mut self, f: impl FnOnce(&mut CrlSpec)) -> Self {
        f(&mut self.spec);
        self
    }

    /// The description so far.
    pub fn spec(&self) -> &CrlSpec {
        &self.spec
    }

    /// Signs and encodes the CRL (DER).
    pub fn build(&self) -> Vec<u8> {
        self.spec.build()
    }
}
