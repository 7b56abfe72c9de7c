//! The default [`CertSpec`] of each AMD certificate, in the shapes KDS serves
//! (`shared/notes/snp.md` §2.2): names, serials, validity, extension order.

use verifier::snp::{Product, TcbParts};
use x509_cert::name::Name;

use super::ext::vek_extensions;
use super::keys::Role;
use super::Signer;
use crate::pki::asn1::ia5_string;
use crate::pki::time::add_years;
use crate::pki::x509::{key_usage, name};
use crate::pki::{CertSpec, PrivateKey, PssParams, SigAlg};

/// `OU=Engineering, C=US, L=Santa Clara, ST=CA, O=Advanced Micro Devices, CN={cn}`, in
/// AMD's order and string types (PrintableString for C, UTF8String for the rest).
pub fn amd_name(cn: &str) -> Name {
    name(&[
        ("OU", "Engineering"),
        ("C", "US"),
        ("L", "Santa Clara"),
        ("ST", "CA"),
        ("O", "Advanced Micro Devices"),
        ("CN", cn),
    ])
}

/// The real serial of a CA certificate (`0x10000` ARK-Milan, `0x20002` SEV-Genoa, ...);
/// 0 for the leaves.
pub fn amd_serial(product: Product, role: Role) -> u64 {
    let base = match product {
        Product::Milan => 0x10000,
        Product::Genoa => 0x20000,
        Product::Turin => 0x30000,
    };
    match (role, product) {
        (Role::Ark, _) => base,
        (Role::Ask, Product::Genoa) => base + 2, // 0x20001 is the revoked first Genoa ASK
        (Role::Ask, _) => base + 1,
        (Role::Asvk, _) => base + 0x101,
        (Role::Vcek | Role::Vlek, _) => 0,
    }
}

/// The CN of each role (`ARK-Milan`, `SEV-Milan`, `SEV-VLEK-Milan`, `SEV-VCEK`, `SEV-VLEK`).
pub fn amd_common_name(product: Product, role: Role) -> String {
    let p = product.name();
    match role {
        Role::Ark => format!("ARK-{p}"),
        Role::Ask => format!("SEV-{p}"),
        Role::Asvk => format!("SEV-VLEK-{p}"),
        Role::Vcek => "SEV-VCEK".to_owned(),
        Role::Vlek => "SEV-VLEK".to_owned(),
    }
}

fn kds_crl_url(product: Product, vlek: bool) -> String {
    let kind = if vlek { "vlek" } else { "vcek" };
    format!("https://kdsintf.amd.com/{kind}/v1/{}/crl", product.name())
}

fn base(product: Product, role: Role, key: PrivateKey, not_before: u64, years: u16) -> CertSpec {
    let mut spec = CertSpec::self_signed(amd_name(&amd_common_name(product, role)), key);
    spec.set_serial(amd_serial(product, role));
    spec.not_before = not_before;
    spec.not_after = add_years(not_before, years);
    spec.sig_alg = SigAlg::RsaPss(PssParams::AMD_EXPLICIT_TRAILER);
    spec
}

/// ARK: self-signed, 25 years; KU (critical) keyCertSign+cRLSign, SKI, BC (critical) CA,
/// CRL DP.
pub(super) fn ark(product: Product, key: PrivateKey, not_before: u64) -> CertSpec {
    let mut spec = base(product, Role::Ark, key, not_before, 25);
    spec.set_key_usage(key_usage::KEY_CERT_SIGN | key_usage::CRL_SIGN);
    spec.set_subject_key_id(&spec.key.key_id());
    spec.set_basic_constraints(true, None);
    spec.set_crl_distribution_point(&kds_crl_url(product, false));
    spec
}

/// ASK or ASVK: ARK-signed, 25 years; SKI, AKI, BC (critical) CA pathlen 0, KU (critical)
/// keyCertSign, CRL DP (`/vlek/...` for the ASVK).
pub(super) fn intermediate(
    product: Product,
    role: Role,
    key: PrivateKey,
    ark: &CertSpec,
    not_before: u64,
) -> CertSpec {
    let mut spec = base(product, role, key, not_before, 25);
    spec.issuer = ark.subject.clone();
    spec.signing_key = ark.key.clone();
    spec.set_subject_key_id(&spec.key.key_id());
    spec.set_authority_key_id(&ark.key_id());
    spec.set_basic_constraints(true, Some(0));
    spec.set_key_usage(key_usage::KEY_CERT_SIGN);
    spec.set_crl_distribution_point(&kds_crl_url(product, role == Role::Asvk));
    spec
}

/// What a leaf needs besides its key and issuer.
pub(super) struct LeafParams<'a> {
    pub(super) tcb: TcbParts,
    /// hwID bytes (VCEK) or the cspID text (VLEK).
    pub(super) id: LeafId<'a>,
    pub(super) not_before: u64,
    pub(super) pss: PssParams,
}

/// The identity extension of a leaf.
pub(super) enum LeafId<'a> {
    HwId(&'a [u8]),
    CspId(&'a str),
}

/// VCEK (7 years) or VLEK (1 year): serial 0, P-384 key, AMD extensions only.
pub(super) fn leaf(
    product: Product,
    signer: Signer,
    key: PrivateKey,
    issuer: &CertSpec,
    params: LeafParams<'_>,
) -> CertSpec {
    let (role, years) = match signer {
        Signer::Vcek => (Role::Vcek, 7),
        Signer::Vlek => (Role::Vlek, 1),
    };
    let mut spec = base(product, role, key, params.not_before, years);
    spec.issuer = issuer.subject.clone();
    spec.signing_key = issuer.key.clone();
    spec.sig_alg = SigAlg::RsaPss(params.pss);
    let id = match params.id {
        LeafId::HwId(hwid) => hwid.to_vec(),
        LeafId::CspId(csp) => ia5_string(csp),
    };
    spec.extensions = vek_extensions(product, signer, params.tcb, &id);
    spec
}
