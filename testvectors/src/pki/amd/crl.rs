//! [`CrlBuilder`]: the ARK-issued CRL served at `/vcek/v1/{P}/crl` (AMD 57230; shape of the
//! real KDS CRLs: PSS with the trailer omitted, AKI, CRL number).

use x509_cert::name::Name;

use crate::pki::asn1::uint_content;
use crate::pki::time::add_years;
use crate::pki::{CertSpec, CrlSpec, PrivateKey, PssParams, SigAlg};

/// A CRL under construction, issued and signed by the ARK by default.
#[derive(Debug, Clone)]
pub struct CrlBuilder {
    spec: CrlSpec,
}

impl CrlBuilder {
    /// An empty CRL from `ark` valid one year from `this_update`.
    pub(super) fn new(ark: &CertSpec, this_update: u64) -> Self {
        let mut spec = CrlSpec::new(
            ark.subject.clone(),
            &ark.key_id(),
            ark.key.clone(),
            SigAlg::RsaPss(PssParams::AMD_OMITTED_TRAILER),
        );
        spec.this_update = this_update;
        spec.next_update = Some(add_years(this_update, 1));
        Self { spec }
    }

    /// Lists `serial` (INTEGER content octets) as revoked at `at` (Unix seconds).
    pub fn revoke(mut self, serial: &[u8], at: u64) -> Self {
        self.spec.revoked.push(crate::pki::crl::Revoked {
            serial: serial.to_vec(),
            date: at,
        });
        self
    }

    /// Lists the non-negative serial `serial` (e.g. `0x20001`) as revoked at `at`.
    pub fn revoke_serial(self, serial: u64, at: u64) -> Self {
        self.revoke(&uint_content(&serial.to_be_bytes()), at)
    }

    /// Sets thisUpdate.
    pub fn this_update(mut self, t: u64) -> Self {
        self.spec.this_update = t;
        self
    }

    /// Sets nextUpdate.
    pub fn next_update(mut self, t: u64) -> Self {
        self.spec.next_update = Some(t);
        self
    }

    /// Omits nextUpdate.
    pub fn no_next_update(mut self) -> Self {
        self.spec.next_update = None;
        self
    }

    /// Sets the CRL number.
    pub fn crl_number(mut self, number: u64) -> Self {
        self.spec.set_crl_number(number);
        self
    }

    /// Signs with `key` instead of the ARK's key (issuer name unchanged).
    pub fn signed_by(mut self, key: PrivateKey) -> Self {
        self.spec.signing_key = key;
        self
    }

    /// Sets the issuer name.
    pub fn issuer(mut self, issuer: Name) -> Self {
        self.spec.issuer = issuer;
        self
    }

    /// Signs with `alg` (and declares it).
    pub fn sig_alg(mut self, alg: SigAlg) -> Self {
        self.spec.sig_alg = alg;
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
