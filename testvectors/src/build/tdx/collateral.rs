//! [`Collateral`]: everything besides the quote that a DCAP verifier consumes, in the two
//! forms of the staged real vectors: a directory of PCS responses and dcap-qvl's
//! `QuoteCollateralV3` JSON.

use std::path::Path;

use super::json::{string, SignedJson};
use super::qe_identity::QeIdentitySpec;
use super::tcb_info::TcbInfoSpec;
use crate::pki::intel::IntelPki;

/// File names of a collateral directory, in [`Collateral::files`] order (the names of
/// `shared/vectors/tdx/cases/*/collateral/`).
pub const COLLATERAL_FILES: [&str; 7] = [
    "tcb_info.json",
    "tcb_info_issuer_chain.pem",
    "qe_identity.json",
    "qe_identity_issuer_chain.pem",
    "pck_crl.der",
    "pck_crl_issuer_chain.pem",
    "root_ca_crl.der",
];

/// The collateral for one quote. Every field is public: replace one to build a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collateral {
    /// Signed TCB Info.
    pub tcb_info: SignedJson,
    /// TCB Signing ‖ root, PEM.
    pub tcb_info_issuer_chain: String,
    /// Signed QE Identity.
    pub qe_identity: SignedJson,
    /// TCB Signing ‖ root, PEM.
    pub qe_identity_issuer_chain: String,
    /// CRL of the PCK leaf's CA (DER).
    pub pck_crl: Vec<u8>,
    /// PCK CA ‖ root, PEM.
    pub pck_crl_issuer_chain: String,
    /// Root CA CRL (DER).
    pub root_ca_crl: Vec<u8>,
}

impl Collateral {
    /// Signs `tcb_info` and `qe_identity` with `pki` and adds its default CRLs and chains.
    pub fn new(pki: &IntelPki, tcb_info: &TcbInfoSpec, qe_identity: &QeIdentitySpec) -> Self {
        Self {
            tcb_info: tcb_info.signed(pki),
            tcb_info_issuer_chain: pki.tcb_signing_chain_pem(),
            qe_identity: qe_identity.signed(pki),
            qe_identity_issuer_chain: pki.tcb_signing_chain_pem(),
            pck_crl: pki.pck_crl().build(),
            pck_crl_issuer_chain: pki.pck_crl_issuer_chain_pem(),
            root_ca_crl: pki.root_ca_crl().build(),
        }
    }

    /// The collateral of the default TDX quotes ([`TcbInfoSpec::tdx_default`],
    /// [`QeIdentitySpec::tdx_default`]).
    pub fn tdx_default(pki: &IntelPki) -> Self {
        Self::new(
            pki,
            &TcbInfoSpec::tdx_default(),
            &QeIdentitySpec::tdx_default(),
        )
    }

    /// The collateral of the default SGX quotes ([`TcbInfoSpec::sgx_default`],
    /// [`QeIdentitySpec::sgx_default`]).
    pub fn sgx_default(pki: &IntelPki) -> Self {
        Self::new(
            pki,
            &TcbInfoSpec::sgx_default(),
            &QeIdentitySpec::sgx_default(),
        )
    }

    /// The files of a collateral directory (names from [`COLLATERAL_FILES`]).
    pub fn files(&self) -> Vec<(&'static str, Vec<u8>)> {
        let contents = [
            self.tcb_info.body(),
            self.tcb_info_issuer_chain.clone().into_bytes(),
            self.qe_identity.body(),
            self.qe_identity_issuer_chain.clone().into_bytes(),
            self.pck_crl.clone(),
            self.pck_crl_issuer_chain.clone().into_bytes(),
            self.root_ca_crl.clone(),
        ];
        COLLATERAL_FILES.into_iter().zip(contents).collect()
    }

    /// Writes [`Collateral::files`] into `dir` (created if missing).
    pub fn write_dir(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, bytes) in self.files() {
            std::fs::write(dir.join(name), bytes)?;
        }
        Ok(())
    }

    /// dcap-qvl's `QuoteCollateralV3` as JSON, in the field order, encodings and
    /// pretty-printing of the staged `dcap_qvl_collateral.json` files: chains as PEM strings,
    /// CRLs as lower-case hex DER, `tcb_info` / `qe_identity` as the signed inner JSON text,
    /// signatures as hex.
    pub fn to_quote_collateral_v3_json(&self) -> String {
        let fields = [
            ("pck_crl_issuer_chain", string(&self.pck_crl_issuer_chain)),
            ("root_ca_crl", string(&hex::encode(&self.root_ca_crl))),
            ("pck_crl", string(&hex::encode(&self.pck_crl))),
            ("tcb_info_issuer_chain", string(&self.tcb_info_issuer_chain)),
            ("tcb_info", string(&self.tcb_info.inner)),
            ("tcb_info_signature", string(&self.tcb_info.signature_hex())),
            (
                "qe_identity_issuer_chain",
                string(&self.qe_identity_issuer_chain),
            ),
            ("qe_identity", string(&self.qe_identity.inner)),
            (
                "qe_identity_signature",
                string(&self.qe_identity.signature_hex()),
            ),
        ];
        let body = fields
            .iter()
            .map(|(key, value)| format!("  {}: {value}", string(key)))
            .collect::<Vec<_>>()
            .join(",\n");
        format!("{{\n{body}\n}}")
    }
}
