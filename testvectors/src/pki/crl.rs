//! A generic CRL description ([`CrlSpec`]) and its DER builder.

use der::asn1::BitString;
use der::Encode;
use x509_cert::certificate::Version;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::name::Name;

use super::time::{add_years, x509_time, DEFAULT_NOT_BEFORE};
use super::x509::{algorithm_identifier, authority_key_id, oids, serial_number, sign};
use super::{asn1, Ext, PrivateKey, SigAlg};

/// One revoked certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    /// userCertificate: serial content octets, as in [`super::CertSpec::serial`].
    pub serial: Vec<u8>,
    /// revocationDate, Unix seconds.
    pub date: u64,
}

/// A mutable description of one v2 CRL before signing.
#[derive(Debug, Clone)]
pub struct CrlSpec {
    /// issuer.
    pub issuer: Name,
    /// thisUpdate, Unix seconds.
    pub this_update: u64,
    /// nextUpdate, Unix seconds (`None` omits it).
    pub next_update: Option<u64>,
    /// revokedCertificates; empty omits the list, as real empty CRLs do.
    pub revoked: Vec<Revoked>,
    /// crlExtensions in order.
    pub extensions: Vec<Ext>,
    /// The key that signs the CRL.
    pub signing_key: PrivateKey,
    /// How to sign, and the AlgorithmIdentifier written by default.
    pub sig_alg: SigAlg,
    /// Raw DER AlgorithmIdentifier for the outer `signatureAlgorithm`.
    pub outer_alg_override: Option<Vec<u8>>,
    /// Raw DER AlgorithmIdentifier for the TBS `signature` field.
    pub tbs_alg_override: Option<Vec<u8>>,
    /// Flip the lowest bit of the signature after signing.
    pub corrupt_signature: bool,
    /// A CRLReason (RFC 5280 §5.3.1, e.g. 1 = keyCompromise) written as an entry extension
    /// on every revoked certificate, as Intel's CRLs do; `None` writes no entry extensions.
    pub entry_reason: Option<u8>,
    /// Mark that entry extension critical (as no real CRL does: a verifier must refuse a
    /// critical entry extension it does not process).
    pub entry_critical: bool,
}

impl CrlSpec {
    /// An empty CRL from `issuer` signed by `signing_key` with `sig_alg`, valid one year
    /// from [`DEFAULT_NOT_BEFORE`], with an AuthorityKeyIdentifier `issuer_key_id` and CRL
    /// number 1.
    pub fn new(
        issuer: Name,
        issuer_key_id: &[u8],
        signing_key: PrivateKey,
        sig_alg: SigAlg,
    ) -> Self {
        let mut spec = Self {
            issuer,
            this_update: DEFAULT_NOT_BEFORE,
            next_update: Some(add_years(DEFAULT_NOT_BEFORE, 1)),
            revoked: Vec::new(),
            extensions: Vec::new(),
            signing_key,
            sig_alg,
            outer_alg_override: None,
            tbs_alg_override: None,
            corrupt_signature: false,
            entry_reason: None,
            entry_critical: false,
        };
        spec.extensions.push(Ext::new(
            oids::AUTHORITY_KEY_ID,
            false,
            authority_key_id(issuer_key_id),
        ));
        spec.set_crl_number(1);
        spec
    }

    /// Sets (or adds) the CRL number extension.
    pub fn set_crl_number(&mut self, number: u64) {
        let ext = Ext::new(oids::CRL_NUMBER, false, asn1::integer(number));
        match self.extensions.iter_mut().find(|e| e.oid == ext.oid) {
            Some(slot) => *slot = ext,
            None => self.extensions.push(ext),
        }
    }

    /// The DER TBSCertList, exactly the bytes that get signed.
    pub fn tbs_der(&self) -> Vec<u8> {
        self.tbs().to_der().expect("TBSCertList encoding")
    }

    fn tbs(&self) -> TbsCertList {
        let tbs_alg = self
            .tbs_alg_override
            .clone()
            .unwrap_or_else(|| self.sig_alg.algorithm_identifier());
        let entry_extensions = self.entry_reason.map(|reason| {
            // CRLReason ::= ENUMERATED, id-ce-cRLReasons.
            vec![Ext::new(
                oids::CRL_REASON,
                self.entry_critical,
                asn1::tlv(0x0A, &[reason]),
            )
            .to_x509()]
        });
        let revoked = self
            .revoked
            .iter()
            .map(|r| RevokedCert {
                serial_number: serial_number(&r.serial),
                revocation_date: x509_time(r.date),
                crl_entry_extensions: entry_extensions.clone(),
            })
            .collect::<Vec<_>>();
        TbsCertList {
            version: Version::V2,
            signature: algorithm_identifier(&tbs_alg),
            issuer: self.issuer.clone(),
            this_update: x509_time(self.this_update),
            next_update: self.next_update.map(x509_time),
            revoked_certificates: (!revoked.is_empty()).then_some(revoked),
            crl_extensions: (!self.extensions.is_empty())
                .then(|| self.extensions.iter().map(Ext::to_x509).collect()),
        }
    }

    /// Signs and encodes the CRL (DER).
    pub fn build(&self) -> Vec<u8> {
        let tbs = self.tbs();
        let tbs_der = tbs.to_der().expect("TBSCertList encoding");
        let signature = sign(
            &self.sig_alg,
            &self.signing_key,
            &tbs_der,
            self.corrupt_signature,
        );
        let outer = self
            .outer_alg_override
            .clone()
            .unwrap_or_else(|| self.sig_alg.algorithm_identifier());
        CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: algorithm_identifier(&outer),
            signature: BitString::from_bytes(&signature).expect("signature BIT STRING"),
        }
        .to_der()
        .expect("CertificateList encoding")
    }
}
