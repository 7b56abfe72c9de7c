//! A fake Intel SGX/TDX DCAP PKI: Root CA → PCK Platform CA (or Processor CA) → PCK
//! certificate, Root CA → TCB Signing, the Root CA CRL and the PCK CRL, in the shapes Intel
//! PCS serves (P-256 everywhere, ecdsa-with-SHA256, the SGX extension of
//! `shared/notes/tdx.md` §8), from the committed keys in `keys/intel/`.
//!
//! Collateral JSON (TCB Info, QE Identity) and quotes are built in [`crate::build::tdx`].
//!
//! ```
//! use testvectors::pki::intel::{IntelPki, PckSpec};
//!
//! let mut pck = PckSpec::platform_default();
//! pck.set_tcb([9; 16], 13);
//! let pki = IntelPki::builder()
//!     .pck(pck)
//!     .override_platform_ca(|c| c.corrupt_signature = true)
//!     .build();
//! let chain = pki.pck_chain_pem(); // leaf, Platform CA, root
//! assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 3);
//! ```

mod crl;
mod keys;
pub mod sgx_ext;
mod specs;

use std::sync::OnceLock;

use sha2::{Digest, Sha256};

pub use crl::{CrlBuilder, REASON_KEY_COMPROMISE};
pub use keys::{committed_key, generate_key, rogue_p256, IntelKeys, KeyRole};
pub use sgx_ext::{PckConfiguration, PckSpec};
pub use specs::{
    intel_name, pck_crl_url, pck_serial, PCK_CN, PLATFORM_CA_CN, PROCESSOR_CA_CN, ROOT_CA_CRL_URL,
    ROOT_CN, TCB_SIGNING_CN,
};

use super::time::{add_years, DAY, DEFAULT_NOT_BEFORE};
use super::{to_pem, CertSpec};

/// notAfter of the Root CA: 2049-12-31T23:59:59Z, as on the real one.
pub const ROOT_NOT_AFTER: u64 = 2_524_607_999;

/// 2024-05-20T00:00:00Z: issueDate of the default TCB Info and QE Identity and thisUpdate
/// of the default PCK CRL (12 days before [`super::time::DEFAULT_NOW`]).
pub const COLLATERAL_ISSUE_DATE: u64 = 1_716_163_200;

/// 2024-06-19T00:00:00Z: nextUpdate of the default TCB Info, QE Identity and PCK CRL (30
/// days after issue, as Intel PCS does).
pub const COLLATERAL_NEXT_UPDATE: u64 = COLLATERAL_ISSUE_DATE + 30 * DAY;

/// Which CA issues the PCK certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PckCa {
    /// Intel SGX PCK Platform CA (every TDX host seen).
    #[default]
    Platform,
    /// Intel SGX PCK Processor CA.
    Processor,
}

/// Intel PCS's answer to `GET /sgx/certification/v4/pckcert` for a fake platform: the PCK
/// certificate (the body) and the response headers that come with it, unencoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcsPckCertificate {
    /// The body: the PCK certificate, PEM.
    pub pem: String,
    /// `SGX-PCK-Certificate-Issuer-Chain` before URL-encoding: PCK CA ‖ root, PEM.
    pub issuer_chain: String,
    /// `SGX-TCBm`: hex of the certified CPUSVN (16 bytes) ‖ PCESVN (2 bytes, little endian).
    pub tcbm: String,
    /// `SGX-FMSPC`: hex (upper case, as PCS sends it).
    pub fmspc: String,
    /// `SGX-PCK-Certificate-CA-Type`: `platform` or `processor`.
    pub ca_type: &'static str,
}

/// The certificate specs as signed (after overrides).
#[derive(Debug, Clone)]
pub struct IntelSpecs {
    /// Root CA.
    pub root: CertSpec,
    /// PCK Platform CA.
    pub platform_ca: CertSpec,
    /// PCK Processor CA.
    pub processor_ca: CertSpec,
    /// TCB Signing.
    pub tcb_signing: CertSpec,
    /// PCK leaf.
    pub pck: CertSpec,
}

/// A built fake Intel PKI.
#[derive(Debug, Clone)]
pub struct IntelPki {
    /// Root CA certificate (DER).
    pub root: Vec<u8>,
    /// PCK Platform CA certificate (DER).
    pub platform_ca: Vec<u8>,
    /// PCK Processor CA certificate (DER).
    pub processor_ca: Vec<u8>,
    /// TCB Signing certificate (DER).
    pub tcb_signing: Vec<u8>,
    /// PCK leaf certificate (DER), issued by the CA `pck_ca` names.
    pub pck: Vec<u8>,
    /// The specs the certificates were built from, keys included.
    pub specs: IntelSpecs,
    /// The SGX extension fields of the PCK leaf (before any override of its extensions).
    pub pck_spec: PckSpec,
    /// The CA that issued the PCK leaf.
    pub pck_ca: PckCa,
    /// The quoting enclave's attestation key (signs quotes; certified by the QE report).
    pub attestation_key: crate::pki::PrivateKey,
    root_ca_crl_dates: (u64, u64),
    pck_crl_dates: (u64, u64),
}

type Override<'a> = Box<dyn FnOnce(&mut CertSpec) + 'a>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CertRole {
    Root,
    PlatformCa,
    ProcessorCa,
    TcbSigning,
    Pck,
}

/// Builder for [`IntelPki`]; see [`IntelPki::builder`].
pub struct IntelPkiBuilder<'a> {
    keys: Option<IntelKeys>,
    pck: PckSpec,
    pck_ca: PckCa,
    ca_not_before: u64,
    pck_not_before: u64,
    root_not_after: u64,
    root_ca_crl_dates: (u64, u64),
    pck_crl_dates: (u64, u64),
    overrides: Vec<(CertRole, Override<'a>)>,
}

impl IntelPki {
    /// A builder with the committed keys, [`PckSpec::platform_default`], every certificate's
    /// notBefore at [`DEFAULT_NOT_BEFORE`], the Root CA CRL valid one year from then and
    /// the PCK CRL from [`COLLATERAL_ISSUE_DATE`] to [`COLLATERAL_NEXT_UPDATE`].
    pub fn builder<'a>() -> IntelPkiBuilder<'a> {
        IntelPkiBuilder {
            keys: None,
            pck: PckSpec::platform_default(),
            pck_ca: PckCa::Platform,
            ca_not_before: DEFAULT_NOT_BEFORE,
            pck_not_before: DEFAULT_NOT_BEFORE,
            root_not_after: ROOT_NOT_AFTER,
            root_ca_crl_dates: (DEFAULT_NOT_BEFORE, add_years(DEFAULT_NOT_BEFORE, 1)),
            pck_crl_dates: (COLLATERAL_ISSUE_DATE, COLLATERAL_NEXT_UPDATE),
            overrides: Vec::new(),
        }
    }

    /// The default PKI, built once per process.
    pub fn cached() -> &'static Self {
        static CACHE: OnceLock<IntelPki> = OnceLock::new();
        CACHE.get_or_init(|| Self::builder().build())
    }

    /// SHA-256 of the root's DER SubjectPublicKeyInfo (the root pin).
    pub fn root_spki_sha256(&self) -> [u8; 32] {
        Sha256::digest(self.specs.root.spki_der()).into()
    }

    /// The PCK leaf's issuer certificate (DER): the Platform or Processor CA.
    pub fn pck_issuer(&self) -> &[u8] {
        match self.pck_ca {
            PckCa::Platform => &self.platform_ca,
            PckCa::Processor => &self.processor_ca,
        }
    }

    /// The spec of the PCK leaf's issuer.
    pub fn pck_issuer_spec(&self) -> &CertSpec {
        match self.pck_ca {
            PckCa::Platform => &self.specs.platform_ca,
            PckCa::Processor => &self.specs.processor_ca,
        }
    }

    /// The root as PEM (what a verifier is given as its trust anchor).
    pub fn root_pem(&self) -> String {
        to_pem("CERTIFICATE", &self.root)
    }

    /// PCK leaf, its CA and the root as PEM: the chain a quote embeds (certification data
    /// type 5, before the NUL terminator).
    pub fn pck_chain_pem(&self) -> String {
        to_pem("CERTIFICATE", &self.pck)
            + &to_pem("CERTIFICATE", self.pck_issuer())
            + &self.root_pem()
    }

    /// TCB Signing then root as PEM (`TCB-Info-Issuer-Chain`, `SGX-Enclave-Identity-Issuer-Chain`).
    pub fn tcb_signing_chain_pem(&self) -> String {
        to_pem("CERTIFICATE", &self.tcb_signing) + &self.root_pem()
    }

    /// The PCK certificate as Intel PCS serves it by encrypted PPID (certification data
    /// types 2 and 3): the PEM body and the headers.
    pub fn pcs_pck_certificate(&self) -> PcsPckCertificate {
        let mut tcbm = self.pck_spec.cpusvn.to_vec();
        tcbm.extend(self.pck_spec.pcesvn.to_le_bytes());
        PcsPckCertificate {
            pem: to_pem("CERTIFICATE", &self.pck),
            issuer_chain: self.pck_crl_issuer_chain_pem(),
            tcbm: hex::encode_upper(tcbm),
            fmspc: hex::encode_upper(self.pck_spec.fmspc),
            ca_type: match self.pck_ca {
                PckCa::Platform => "platform",
                PckCa::Processor => "processor",
            },
        }
    }

    /// PCK CA then root as PEM (`SGX-PCK-CRL-Issuer-Chain`).
    pub fn pck_crl_issuer_chain_pem(&self) -> String {
        to_pem("CERTIFICATE", self.pck_issuer()) + &self.root_pem()
    }

    /// The Root CA CRL: signed by the root, CRL number 1, empty (like the real one).
    pub fn root_ca_crl(&self) -> CrlBuilder {
        let (this_update, next_update) = self.root_ca_crl_dates;
        CrlBuilder::new(&self.specs.root, this_update, next_update)
    }

    /// The CRL of the PCK leaf's CA: signed by that CA, CRL number 1, listing two serials
    /// of unrelated PCK certificates (so lookups are exercised; the real one lists 44).
    pub fn pck_crl(&self) -> CrlBuilder {
        self.pck_crl_of(self.pck_ca)
    }

    /// The CRL of either PCK CA, as [`IntelPki::pck_crl`].
    pub fn pck_crl_of(&self, ca: PckCa) -> CrlBuilder {
        let issuer = match ca {
            PckCa::Platform => &self.specs.platform_ca,
            PckCa::Processor => &self.specs.processor_ca,
        };
        let (this_update, next_update) = self.pck_crl_dates;
        let unrelated = |label: &str| specs::serial_from(&Sha256::digest(label));
        CrlBuilder::new(issuer, this_update, next_update)
            .revoke(&unrelated("verdict revoked PCK 1"))
            .revoke(&unrelated("verdict revoked PCK 2"))
    }

    /// A raw `r ‖ s` ECDSA P-256/SHA-256 signature of `message` by the TCB Signing key: the
    /// `signature` of a TCB Info or QE Identity over the bytes of its inner JSON object.
    pub fn sign_collateral(&self, message: &[u8]) -> [u8; 64] {
        self.specs.tcb_signing.key.sign_p256_raw(message)
    }

    /// A raw `r ‖ s` signature of `qe_report` (384 bytes) by the PCK key.
    pub fn sign_qe_report(&self, qe_report: &[u8]) -> [u8; 64] {
        self.specs.pck.key.sign_p256_raw(qe_report)
    }

    /// The keys actually used (after overrides).
    pub fn keys(&self) -> IntelKeys {
        let s = &self.specs;
        IntelKeys {
            root: s.root.key.clone(),
            platform_ca: s.platform_ca.key.clone(),
            processor_ca: s.processor_ca.key.clone(),
            tcb_signing: s.tcb_signing.key.clone(),
            pck: s.pck.key.clone(),
            attestation_key: self.attestation_key.clone(),
        }
    }
}

impl<'a> IntelPkiBuilder<'a> {
    /// Uses these keys instead of the committed ones.
    pub fn keys(mut self, keys: IntelKeys) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The SGX extension of the PCK leaf.
    pub fn pck(mut self, pck: PckSpec) -> Self {
        self.pck = pck;
        self
    }

    /// Changes the SGX extension fields in place.
    pub fn modify_pck(mut self, f: impl FnOnce(&mut PckSpec)) -> Self {
        f(&mut self.pck);
        self
    }

    /// Which CA issues the PCK leaf (and which CRL DP it carries). The extension shape is
    /// separate: use [`PckSpec::processor_default`] for a realistic Processor-CA leaf.
    pub fn pck_ca(mut self, ca: PckCa) -> Self {
        self.pck_ca = ca;
        self
    }

    /// notBefore of every certificate, thisUpdate of the Root CA CRL (nextUpdate one
    /// year later).
    pub fn not_before(mut self, t: u64) -> Self {
        self.ca_not_before = t;
        self.pck_not_before = t;
        self.root_ca_crl_dates = (t, add_years(t, 1));
        self
    }

    /// notBefore of the root, the PCK CAs and TCB Signing.
    pub fn ca_not_before(mut self, t: u64) -> Self {
        self.ca_not_before = t;
        self
    }

    /// notBefore of the PCK leaf (valid 7 years).
    pub fn pck_not_before(mut self, t: u64) -> Self {
        self.pck_not_before = t;
        self
    }

    /// notAfter of the root.
    pub fn root_not_after(mut self, t: u64) -> Self {
        self.root_not_after = t;
        self
    }

    /// Default thisUpdate and nextUpdate of [`IntelPki::root_ca_crl`].
    pub fn root_ca_crl_dates(mut self, this_update: u64, next_update: u64) -> Self {
        self.root_ca_crl_dates = (this_update, next_update);
        self
    }

    /// Default thisUpdate and nextUpdate of [`IntelPki::pck_crl`].
    pub fn pck_crl_dates(mut self, this_update: u64, next_update: u64) -> Self {
        self.pck_crl_dates = (this_update, next_update);
        self
    }

    /// Changes the root before signing. Children are derived from the result (issuer name,
    /// signing key, AKI), so set their fields too for a broken link.
    pub fn override_root(self, f: impl FnOnce(&mut CertSpec) + 'a) -> Self {
        self.with_override(CertRole::Root, f)
    }

    /// Changes the Platform CA before signing (a Platform-CA PCK leaf derives from it).
    pub fn override_platform_ca(self, f: impl FnOnce(&mut CertSpec) + 'a) -> Self {
        self.with_override(CertRole::PlatformCa, f)
    }

    /// Changes the Processor CA before signing.
    pub fn override_processor_ca(self, f: impl FnOnce(&mut CertSpec) + 'a) -> Self {
        self.with_override(CertRole::ProcessorCa, f)
    }

    /// Changes the TCB Signing certificate before signing.
    pub fn override_tcb_signing(self, f: impl FnOnce(&mut CertSpec) + 'a) -> Self {
        self.with_override(CertRole::TcbSigning, f)
    }

    /// Changes the PCK leaf before signing (its SGX extension is already set from the
    /// [`PckSpec`]; `CertSpec::set_ext` replaces it).
    pub fn override_pck(self, f: impl FnOnce(&mut CertSpec) + 'a) -> Self {
        self.with_override(CertRole::Pck, f)
    }

    fn with_override(mut self, role: CertRole, f: impl FnOnce(&mut CertSpec) + 'a) -> Self {
        self.overrides.push((role, Box::new(f)));
        self
    }

    /// Derives, overrides and signs the five certificates.
    pub fn build(mut self) -> IntelPki {
        let keys = self.keys.take().unwrap_or_else(IntelKeys::committed);
        let mut overrides = std::mem::take(&mut self.overrides);
        let mut apply = |role: CertRole, mut spec: CertSpec| {
            for (_, f) in overrides.iter_mut().filter(|(r, _)| *r == role) {
                let f = std::mem::replace(f, Box::new(|_| {}));
                f(&mut spec);
            }
            spec
        };

        let nb = self.ca_not_before;
        let root = apply(
            CertRole::Root,
            specs::root(keys.root, nb, self.root_not_after),
        );
        let platform_ca = apply(
            CertRole::PlatformCa,
            specs::pck_ca(PckCa::Platform, keys.platform_ca, &root, nb),
        );
        let processor_ca = apply(
            CertRole::ProcessorCa,
            specs::pck_ca(PckCa::Processor, keys.processor_ca, &root, nb),
        );
        let tcb_signing = apply(
            CertRole::TcbSigning,
            specs::tcb_signing(keys.tcb_signing, &root, nb),
        );
        let issuer = match self.pck_ca {
            PckCa::Platform => &platform_ca,
            PckCa::Processor => &processor_ca,
        };
        let pck = apply(
            CertRole::Pck,
            specs::pck(
                keys.pck,
                self.pck_ca,
                issuer,
                self.pck_not_before,
                &self.pck,
            ),
        );

        IntelPki {
            root: root.build(),
            platform_ca: platform_ca.build(),
            processor_ca: processor_ca.build(),
            tcb_signing: tcb_signing.build(),
            pck: pck.build(),
            specs: IntelSpecs {
                root,
                platform_ca,
                processor_ca,
                tcb_signing,
                pck,
            },
            pck_spec: self.pck,
            pck_ca: self.pck_ca,
            attestation_key: keys.attestation_key,
            root_ca_crl_dates: self.root_ca_crl_dates,
            pck_crl_dates: self.pck_crl_dates,
        }
    }
}

#[cfg(test)]
mod tests;
