//! A fake AMD SEV-SNP PKI: ARK → ASK → VCEK and ARK → ASVK → VLEK, plus the ARK's CRL, in
//! the shapes AMD KDS serves (RSA-4096 CAs signing with RSASSA-PSS, P-384 leaves with
//! serial 0 and AMD extensions), from the committed keys in `keys/amd/`.
//!
//! ```
//! use testvectors::pki::amd::{AmdPki, Signer};
//! use verifier::snp::Product;
//!
//! let pki = AmdPki::builder(Product::Genoa)
//!     .override_ask(|c| c.corrupt_signature = true)
//!     .build();
//! let mut report = vec![0u8; 0x4A0];
//! pki.sign_report(Signer::Vcek, &mut report);
//! ```

mod crl;
pub mod ext;
mod keys;
mod report;
mod specs;

use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use verifier::snp::{Product, TcbParts, TcbVersion};

pub use crl::CrlBuilder;
pub use keys::{
    committed_key, generate_key, generate_rogue_p384, generate_rogue_rsa, key_file_name,
    rogue_p384, rogue_rsa, AmdKeys, Role, ROGUE_P384_FILE, ROGUE_RSA_FILE,
};
pub use report::{sign_report_with, SIGNED_LEN, SIG_COMPONENT_LEN, SIG_R_OFFSET, SIG_S_OFFSET};
pub use specs::{amd_common_name, amd_name, amd_serial};

use self::specs::{LeafId, LeafParams};
use super::time::DEFAULT_NOT_BEFORE;
use super::{to_pem, CertSpec, PssParams};

/// Which endorsement key signs a report (SIGNING_KEY 0 or 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signer {
    /// The chip-unique VCEK (chain ARK → ASK → VCEK).
    Vcek,
    /// The cloud provider's VLEK (chain ARK → ASVK → VLEK).
    Vlek,
}

/// The default cspID of the fake VLEK (real ones look like `CN=cc-us-east-2.amazonaws.com`).
pub const DEFAULT_CSP_ID: &str = "CN=cc-test-1.verdict.invalid";

/// The default reported TCB of each product's leaves, taken from real reports (Milan's
/// ucodeSPL 219 needs a two-byte INTEGER, as real certificates do).
pub fn default_tcb(product: Product) -> TcbParts {
    let (fmc, bootloader, tee, snp, microcode) = match product {
        Product::Milan => (None, 4, 0, 24, 219),
        Product::Genoa => (None, 10, 0, 25, 84),
        Product::Turin => (Some(1), 1, 1, 4, 81),
    };
    TcbParts {
        fmc,
        bootloader,
        tee,
        snp,
        microcode,
    }
}

/// The default CHIP_ID: SHA-512 of a product-specific label; on Turin only the first 8
/// bytes are non-zero (the rest of a Turin CHIP_ID is zero and hwID is 8 bytes).
pub fn default_chip_id(product: Product) -> [u8; 64] {
    let mut id: [u8; 64] = sha2::Sha512::digest(format!("verdict fake chip {product}")).into();
    id[product.hwid_len()..].fill(0);
    id
}

/// The five certificate specs as signed (after overrides).
#[derive(Debug, Clone)]
pub struct AmdSpecs {
    /// ARK.
    pub ark: CertSpec,
    /// ASK.
    pub ask: CertSpec,
    /// ASVK.
    pub asvk: CertSpec,
    /// VCEK.
    pub vcek: CertSpec,
    /// VLEK.
    pub vlek: CertSpec,
}

/// A built fake AMD PKI for one product.
#[derive(Debug, Clone)]
pub struct AmdPki {
    /// The product line.
    pub product: Product,
    /// ARK certificate (DER).
    pub ark: Vec<u8>,
    /// ASK certificate (DER).
    pub ask: Vec<u8>,
    /// ASVK certificate (DER).
    pub asvk: Vec<u8>,
    /// VCEK certificate (DER).
    pub vcek: Vec<u8>,
    /// VLEK certificate (DER).
    pub vlek: Vec<u8>,
    /// The specs the certificates were built from, keys included: clone one and change
    /// it to issue a sibling certificate.
    pub specs: AmdSpecs,
    /// The TCB the VCEK certifies (before any override of its extensions).
    pub vcek_tcb: TcbParts,
    /// The TCB the VLEK certifies.
    pub vlek_tcb: TcbParts,
    /// The CHIP_ID whose prefix is the VCEK hwID.
    pub chip_id: [u8; 64],
    /// The VLEK cspID.
    pub csp_id: String,
    crl_this_update: u64,
}

type Override<'a> = Box<dyn FnOnce(&mut CertSpec) + 'a>;

/// Builder for [`AmdPki`]; see [`AmdPki::builder`].
pub struct AmdPkiBuilder<'a> {
    product: Product,
    keys: Option<AmdKeys>,
    vcek_tcb: TcbParts,
    vlek_tcb: TcbParts,
    chip_id: [u8; 64],
    csp_id: String,
    ca_not_before: u64,
    vcek_not_before: u64,
    vlek_not_before: u64,
    crl_this_update: u64,
    leaf_pss: PssParams,
    overrides: Vec<(Role, Override<'a>)>,
}

impl AmdPki {
    /// A builder with the committed keys, [`default_tcb`], [`default_chip_id`],
    /// [`DEFAULT_CSP_ID`] and every date at [`DEFAULT_NOT_BEFORE`].
    pub fn builder<'a>(product: Product) -> AmdPkiBuilder<'a> {
        AmdPkiBuilder {
            product,
            keys: None,
            vcek_tcb: default_tcb(product),
            vlek_tcb: default_tcb(product),
            chip_id: default_chip_id(product),
            csp_id: DEFAULT_CSP_ID.to_owned(),
            ca_not_before: DEFAULT_NOT_BEFORE,
            vcek_not_before: DEFAULT_NOT_BEFORE,
            vlek_not_before: DEFAULT_NOT_BEFORE,
            crl_this_update: DEFAULT_NOT_BEFORE,
            leaf_pss: PssParams::AMD_OMITTED_TRAILER,
            overrides: Vec::new(),
        }
    }

    /// The default PKI of `product`, built once per process.
    pub fn cached(product: Product) -> &'static Self {
        static CACHE: [OnceLock<AmdPki>; 3] = [const { OnceLock::new() }; 3];
        let i = Product::ALL
            .iter()
            .position(|p| *p == product)
            .expect("product is in ALL");
        CACHE[i].get_or_init(|| Self::builder(product).build())
    }

    /// SHA-256 of the ARK's DER SubjectPublicKeyInfo (the root pin).
    pub fn ark_spki_sha256(&self) -> [u8; 32] {
        Sha256::digest(self.specs.ark.spki_der()).into()
    }

    /// Signs `report` with the VCEK or VLEK key (see [`sign_report_with`]). Panics if that
    /// key was overridden with a non-P-384 key.
    pub fn sign_report(&self, signer: Signer, report: &mut [u8]) {
        let spec = match signer {
            Signer::Vcek => &self.specs.vcek,
            Signer::Vlek => &self.specs.vlek,
        };
        let key = spec
            .key
            .as_p384()
            .unwrap_or_else(|| panic!("the {signer:?} key is not P-384"));
        sign_report_with(key, report);
    }

    /// A CRL issued and signed by the ARK: empty, CRL number 1, valid one year from the
    /// builder's `crl_this_update`.
    pub fn crl(&self) -> CrlBuilder {
        CrlBuilder::new(&self.specs.ark, self.crl_this_update)
    }

    /// The keys actually used (after overrides): each certificate's subject key.
    pub fn keys(&self) -> AmdKeys {
        let s = &self.specs;
        AmdKeys {
            ark: s.ark.key.clone(),
            ask: s.ask.key.clone(),
            asvk: s.asvk.key.clone(),
            vcek: s.vcek.key.clone(),
            vlek: s.vlek.key.clone(),
        }
    }

    /// The leaf certificate of `signer` (DER).
    pub fn leaf(&self, signer: Signer) -> &[u8] {
        match signer {
            Signer::Vcek => &self.vcek,
            Signer::Vlek => &self.vlek,
        }
    }

    /// The TCB_VERSION a report signed by `signer` must carry as REPORTED_TCB.
    pub fn reported_tcb(&self, signer: Signer) -> TcbVersion {
        let tcb = match signer {
            Signer::Vcek => self.vcek_tcb,
            Signer::Vlek => self.vlek_tcb,
        };
        TcbVersion::from_parts(tcb, self.product)
    }

    /// ASK then ARK as PEM, like KDS `/vcek/v1/{P}/cert_chain`.
    pub fn ask_ark_pem(&self) -> String {
        to_pem("CERTIFICATE", &self.ask) + &to_pem("CERTIFICATE", &self.ark)
    }

    /// ASVK then ARK as PEM, like KDS `/vlek/v1/{P}/cert_chain`.
    pub fn asvk_ark_pem(&self) -> String {
        to_pem("CERTIFICATE", &self.asvk) + &to_pem("CERTIFICATE", &self.ark)
    }
}

impl<'a> AmdPkiBuilder<'a> {
    /// Uses these keys instead of the committed ones.
    pub fn keys(mut self, keys: AmdKeys) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The TCB certified by the VCEK.
    pub fn vcek_tcb(mut self, tcb: TcbParts) -> Self {
        self.vcek_tcb = tcb;
        self
    }

    /// The TCB certified by the VLEK.
    pub fn vlek_tcb(mut self, tcb: TcbParts) -> Self {
        self.vlek_tcb = tcb;
        self
    }

    /// The TCB certified by both leaves.
    pub fn tcb(self, tcb: TcbParts) -> Self {
        self.vcek_tcb(tcb).vlek_tcb(tcb)
    }

    /// The CHIP_ID; the VCEK hwID is its first 64 (Milan, Genoa) or 8 (Turin) bytes.
    pub fn chip_id(mut self, chip_id: [u8; 64]) -> Self {
        self.chip_id = chip_id;
        self
    }

    /// The VLEK cspID.
    pub fn csp_id(mut self, csp_id: &str) -> Self {
        csp_id.clone_into(&mut self.csp_id);
        self
    }

    /// notBefore of every certificate and thisUpdate of the CRL (Unix seconds).
    pub fn not_before(self, t: u64) -> Self {
        self.ca_not_before(t)
            .vcek_not_before(t)
            .vlek_not_before(t)
            .crl_this_update(t)
    }

    /// notBefore of the ARK, ASK and ASVK (valid 25 years).
    pub fn ca_not_before(mut self, t: u64) -> Self {
        self.ca_not_before = t;
        self
    }

    /// notBefore of the VCEK (valid 7 years).
    pub fn vcek_not_before(mut self, t: u64) -> Self {
        self.vcek_not_before = t;
        self
    }

    /// notBefore of the VLEK (valid 1 year).
    pub fn vlek_not_before(mut self, t: u64) -> Self {
        self.vlek_not_before = t;
        self
    }

    /// Default thisUpdate of [`AmdPki::crl`] (nextUpdate one year later).
    pub fn crl_this_update(mut self, t: u64) -> Self {
        self.crl_this_update = t;
        self
    }

    /// Leaves with the explicit `trailerField 1` (pre-2024 style) instead of omitting it.
    pub fn leaf_trailer_explicit(mut self, explicit: bool) -> Self {
        self.leaf_pss = if explicit {
            PssParams::AMD_EXPLICIT_TRAILER
        } else {
            PssParams::AMD_OMITTED_TRAILER
        };
        self
    }

    /// Changes the ARK before signing. Children are derived from the result (issuer name,
    /// signing key, AKI), so set their fields too for a broken link.
    pub fn override_ark(self, f: impl FnOnce(&mut CertSpec) + 'a) -> Self {
        self.with_override(Role::Ark, f)
    }

    /// Changes the ASK before signing (the VCEK is derived from the result).
    pub fn override_ask(self, f: impl FnOnce(&mut CertSpec) + 'a) -> Self {
        self.with_override(Role::Ask, f)
    }

    /// Changes the ASVK before signing (the VLEK is derived from the result).
    pub fn override_asvk(self, f: impl FnOnce(&mut CertSpec) + 'a) -> Self {
        self.with_override(Role::Asvk, f)
    }

    /// Changes the VCEK before signing.
    pub fn override_vcek(self, f: impl FnOnce(&mut CertSpec) + 'a) -> Self {
        self.with_override(Role::Vcek, f)
    }

    /// Changes the VLEK before signing.
    pub fn override_vlek(self, f: impl FnOnce(&mut CertSpec) + 'a) -> Self {
        self.with_override(Role::Vlek, f)
    }

    fn with_override(mut self, role: Role, f: impl FnOnce(&mut CertSpec) + 'a) -> Self {
        self.overrides.push((role, Box::new(f)));
        self
    }

    /// Derives, overrides and signs the five certificates.
    pub fn build(mut self) -> AmdPki {
        let product = self.product;
        let keys = self
            .keys
            .take()
            .unwrap_or_else(|| AmdKeys::committed(product));
        let mut overrides = std::mem::take(&mut self.overrides);
        let mut apply = |role: Role, mut spec: CertSpec| {
            for (_, f) in overrides.iter_mut().filter(|(r, _)| *r == role) {
                let f = std::mem::replace(f, Box::new(|_| {}));
                f(&mut spec);
            }
            spec
        };

        let ark = apply(Role::Ark, specs::ark(product, keys.ark, self.ca_not_before));
        let ask = specs::intermediate(product, Role::Ask, keys.ask, &ark, self.ca_not_before);
        let ask = apply(Role::Ask, ask);
        let asvk = specs::intermediate(product, Role::Asvk, keys.asvk, &ark, self.ca_not_before);
        let asvk = apply(Role::Asvk, asvk);
        let hwid = &self.chip_id[..product.hwid_len()];
        let vcek_params = LeafParams {
            tcb: self.vcek_tcb,
            id: LeafId::HwId(hwid),
            not_before: self.vcek_not_before,
            pss: self.leaf_pss,
        };
        let vcek = apply(
            Role::Vcek,
            specs::leaf(product, Signer::Vcek, keys.vcek, &ask, vcek_params),
        );
        let vlek_params = LeafParams {
            tcb: self.vlek_tcb,
            id: LeafId::CspId(&self.csp_id),
            not_before: self.vlek_not_before,
            pss: self.leaf_pss,
        };
        let vlek = apply(
            Role::Vlek,
            specs::leaf(product, Signer::Vlek, keys.vlek, &asvk, vlek_params),
        );

        AmdPki {
            product,
            ark: ark.build(),
            ask: ask.build(),
            asvk: asvk.build(),
            vcek: vcek.build(),
            vlek: vlek.build(),
            specs: AmdSpecs {
                ark,
                ask,
                asvk,
                vcek,
                vlek,
            },
            vcek_tcb: self.vcek_tcb,
            vlek_tcb: self.vlek_tcb,
            chip_id: self.chip_id,
            csp_id: self.csp_id,
            crl_this_update: self.crl_this_update,
        }
    }
}

#[cfg(test)]
mod tests;
