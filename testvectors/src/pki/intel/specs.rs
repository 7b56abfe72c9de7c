//! The default [`CertSpec`] of each Intel certificate, in the shapes Intel PCS serves (names,
//! serial style, extension order and criticality copied from real certificates; see
//! `shared/notes/tdx.md` §8).

use sha2::{Digest, Sha256};
use x509_cert::name::Name;

use super::sgx_ext::{PckSpec, SGX_EXTENSION_OID};
use super::PckCa;
use crate::pki::asn1::uint_content;
use crate::pki::time::add_years;
use crate::pki::x509::{key_usage, name};
use crate::pki::{CertSpec, PrivateKey, SigAlg};

/// CRL Distribution Point of the root-issued certificates (and of the root itself).
pub const ROOT_CA_CRL_URL: &str =
    "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der";

/// CRL Distribution Point of PCK certificates issued by `ca`.
pub fn pck_crl_url(ca: PckCa) -> String {
    let ca = match ca {
        PckCa::Platform => "platform",
        PckCa::Processor => "processor",
    };
    format!(
        "https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca={ca}&encoding=der"
    )
}

/// `CN={cn}, O=Intel Corporation, L=Santa Clara, ST=CA, C=US`, in Intel's order and string
/// types (UTF8String, PrintableString for C).
pub fn intel_name(cn: &str) -> Name {
    name(&[
        ("CN", cn),
        ("O", "Intel Corporation"),
        ("L", "Santa Clara"),
        ("ST", "CA"),
        ("C", "US"),
    ])
}

/// The CN of the Root CA.
pub const ROOT_CN: &str = "Intel SGX Root CA";
/// The CN of the PCK Platform CA.
pub const PLATFORM_CA_CN: &str = "Intel SGX PCK Platform CA";
/// The CN of the PCK Processor CA.
pub const PROCESSOR_CA_CN: &str = "Intel SGX PCK Processor CA";
/// The CN of the TCB Signing certificate.
pub const TCB_SIGNING_CN: &str = "Intel SGX TCB Signing";
/// The CN of a PCK leaf.
pub const PCK_CN: &str = "Intel SGX PCK Certificate";

/// Intel serials are 20 random-looking bytes (a leading 0x00 is added when the top bit is
/// set, as in the real Platform CA). CA serials equal their SKI, as Intel's do; the PCK
/// leaf's comes from this label instead.
pub(super) fn serial_from(bytes: &[u8]) -> Vec<u8> {
    uint_content(&bytes[..20])
}

/// The serial of the default PCK leaf.
pub fn pck_serial() -> Vec<u8> {
    serial_from(&Sha256::digest(b"verdict fake Intel PCK leaf serial"))
}

/// Common shape: Intel name, ECDSA-SHA256, serial = SKI, AKI, CRL DP, SKI, then KU and BC
/// (both critical) appended by the caller, in the real order.
fn base(
    cn: &str,
    key: PrivateKey,
    issuer: Option<&CertSpec>,
    not_before: u64,
    years: u16,
) -> CertSpec {
    let mut spec = CertSpec::self_signed(intel_name(cn), key);
    if let Some(issuer) = issuer {
        spec.issuer = issuer.subject.clone();
        spec.signing_key = issuer.key.clone();
    }
    spec.sig_alg = SigAlg::EcdsaSha256;
    spec.not_before = not_before;
    spec.not_after = add_years(not_before, years);
    let ski = spec.key.key_id();
    spec.serial = serial_from(&ski);
    let aki = issuer.map_or_else(|| ski.clone(), CertSpec::key_id);
    spec.set_authority_key_id(&aki);
    spec.set_crl_distribution_point(ROOT_CA_CRL_URL);
    spec.set_subject_key_id(&ski);
    spec
}

/// Root CA: self-signed, valid until `not_after` (real: 2049-12-31T23:59:59Z); KU
/// keyCertSign+cRLSign, BC CA pathLen 1.
pub(super) fn root(key: PrivateKey, not_before: u64, not_after: u64) -> CertSpec {
    let mut spec = base(ROOT_CN, key, None, not_before, 0);
    spec.not_after = not_after;
    spec.set_key_usage(key_usage::KEY_CERT_SIGN | key_usage::CRL_SIGN);
    spec.set_basic_constraints(true, Some(1));
    spec
}

/// PCK Platform or Processor CA: root-issued, 15 years; KU keyCertSign+cRLSign, BC CA
/// pathLen 0.
pub(super) fn pck_ca(ca: PckCa, key: PrivateKey, root: &CertSpec, not_before: u64) -> CertSpec {
    let cn = match ca {
        PckCa::Platform => PLATFORM_CA_CN,
        PckCa::Processor => PROCESSOR_CA_CN,
    };
    let mut spec = base(cn, key, Some(root), not_before, 15);
    spec.set_key_usage(key_usage::KEY_CERT_SIGN | key_usage::CRL_SIGN);
    spec.set_basic_constraints(true, Some(0));
    spec
}

/// KU digitalSignature+nonRepudiation (critical) and an empty BC (critical), as on the
/// real TCB Signing and PCK leaves.
fn leaf_constraints(spec: &mut CertSpec) {
    spec.set_key_usage(key_usage::DIGITAL_SIGNATURE | key_usage::NON_REPUDIATION);
    spec.set_basic_constraints(false, None);
}

/// TCB Signing: root-issued, 7 years.
pub(super) fn tcb_signing(key: PrivateKey, root: &CertSpec, not_before: u64) -> CertSpec {
    let mut spec = base(TCB_SIGNING_CN, key, Some(root), not_before, 7);
    leaf_constraints(&mut spec);
    spec
}

/// PCK leaf: issued by the PCK CA `ca`, 7 years, CRL DP of the PCK CRL, SGX extension last.
pub(super) fn pck(
    key: PrivateKey,
    ca: PckCa,
    issuer: &CertSpec,
    not_before: u64,
    sgx: &PckSpec,
) -> CertSpec {
    let mut spec = base(PCK_CN, key, Some(issuer), not_before, 7);
    spec.serial = pck_serial();
    spec.set_crl_distribution_point(&pck_crl_url(ca));
    leaf_constraints(&mut spec);
    spec.set_ext(SGX_EXTENSION_OID, false, sgx.extension_value());
    spec
}
