//! A fake NVIDIA device PKI in the shape of a Hopper GPU's chain: Device Identity CA
//! (root) → GH100 Identity → GH100 Provisioner ICA → per-device BROM → FMC leaf (the
//! attestation key, with its FWID extension), all P-384 / ecdsa-with-SHA384, plus a
//! delegated OCSP responder under each CA.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use super::asn1::{integer, object_identifier, octet_string, oid, sequence, tlv};
use super::time::{add_years, unix_time};
use super::x509::{key_usage, name};
use super::{to_pem, CertSpec, PrivateKey};

/// The Hopper FWID extension OID.
pub const FWID_EXTENSION: &str = "2.23.133.5.4.1";
/// TCG DICE TcbInfo (Blackwell's FWID carrier).
pub const DICE_TCB_INFO: &str = "2.23.133.5.4.1.1";
/// id-kp-OCSPSigning.
pub const OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";
/// id-pkix-ocsp-nocheck.
pub const OCSP_NOCHECK: &str = "1.3.6.1.5.5.7.48.1.5";
/// id-ce-extKeyUsage.
pub const EXT_KEY_USAGE: &str = "2.5.29.37";

/// The default FWID of the fake device (also what [`crate::build::nvidia`] puts in the
/// report's opaque data).
pub fn default_fwid() -> [u8; 48] {
    let mut fwid = [0u8; 48];
    for (i, chunk) in fwid.chunks_mut(32).enumerate() {
        let d = Sha256::digest(format!("verdict fake GPU FWID {i}"));
        chunk.copy_from_slice(&d[..chunk.len()]);
    }
    fwid
}

/// The certificates of the fake chain, before signing; tests change them, then
/// [`GpuSpecs::build`].
#[derive(Debug, Clone)]
pub struct GpuSpecs {
    /// NVIDIA Device Identity CA (self-signed root).
    pub root: CertSpec,
    /// GH100 Identity (issued by the root).
    pub identity: CertSpec,
    /// GH100 Provisioner ICA (issued by Identity).
    pub provisioner: CertSpec,
    /// The device's BROM CA (issued by the Provisioner ICA).
    pub brom: CertSpec,
    /// The attestation certificate `GH100 A01 GSP FMC LF` (issued by BROM).
    pub leaf: CertSpec,
}

/// A built fake device PKI.
#[derive(Debug, Clone)]
pub struct GpuPki {
    /// The specs it was built from.
    pub specs: GpuSpecs,
    /// DER of leaf, BROM, Provisioner ICA, Identity, root (the GPU's order).
    pub chain: Vec<Vec<u8>>,
    /// SHA-256 of the root's SubjectPublicKeyInfo (deriving a public key is slow in
    /// debug builds, so it is computed once).
    root_pin: [u8; 32],
}

fn key(label: &str) -> PrivateKey {
    PrivateKey::generate_p384(PrivateKey::seed_for(&format!("nvidia/{label}")))
}

/// `SEQUENCE { INTEGER 1, SubjectPublicKeyInfo, SEQUENCE { sha384, OCTET STRING fwid } }`,
/// the layout Hopper attestation certificates carry.
pub fn hopper_fwid_extension(spki_der: &[u8], fwid: &[u8]) -> Vec<u8> {
    let digest = sequence(&[
        &object_identifier(&oid("2.16.840.1.101.3.4.2.2")),
        &octet_string(fwid),
    ]);
    sequence(&[&integer(1), spki_der, &digest])
}

/// A DiceTcbInfo whose `fwids` ([6]) holds `fwid` as SHA-384 (Blackwell's layout).
pub fn dice_tcb_info_extension(fwid: &[u8]) -> Vec<u8> {
    let entry = sequence(&[
        &object_identifier(&oid("2.16.840.1.101.3.4.2.2")),
        &octet_string(fwid),
    ]);
    let vendor = tlv(0x80, b"NVIDIA");
    let fwids = tlv(0xA6, &entry);
    sequence(&[&vendor, &fwids])
}

impl GpuSpecs {
    /// The default chain: CA certificates valid 2020–9999 like NVIDIA's, the FWID of
    /// [`default_fwid`] in the leaf.
    pub fn new() -> Self {
        let not_before = unix_time(2021, 11, 5, 0, 0, 0);
        let forever = unix_time(9999, 12, 31, 23, 59, 59);
        let ca = |spec: &mut CertSpec, path_len: Option<u8>| {
            spec.not_before = not_before;
            spec.not_after = forever;
            spec.set_basic_constraints(true, path_len);
            spec.set_key_usage(key_usage::KEY_CERT_SIGN | key_usage::CRL_SIGN);
        };
        let mut root = CertSpec::self_signed(
            name(&[("CN", "Fake NVIDIA Device Identity CA"), ("O", "NVIDIA")]),
            key("device-root"),
        );
        ca(&mut root, None);
        let mut identity = CertSpec::issued_by(
            name(&[
                ("CN", "Fake NVIDIA GH100 Identity"),
                ("O", "NVIDIA Corporation"),
            ]),
            key("gh100-identity"),
            &root,
        );
        ca(&mut identity, None);
        identity.set_serial(2);
        let mut provisioner = CertSpec::issued_by(
            name(&[
                ("CN", "Fake NVIDIA GH100 Provisioner ICA 1"),
                ("O", "NVIDIA Corporation"),
            ]),
            key("gh100-provisioner"),
            &identity,
        );
        ca(&mut provisioner, None);
        provisioner.set_serial(3);
        let mut brom = CertSpec::issued_by(
            name(&[("CN", "GH100 A01 GSP BROM"), ("O", "NVIDIA Corporation")]),
            key("gh100-brom"),
            &provisioner,
        );
        ca(&mut brom, None);
        brom.set_serial(0x41_43_1D_48);
        let mut leaf = CertSpec::issued_by(
            name(&[("CN", "GH100 A01 GSP FMC LF"), ("O", "NVIDIA Corporation")]),
            key("gh100-fmc-leaf"),
            &brom,
        );
        leaf.not_before = not_before;
        leaf.not_after = forever;
        leaf.set_serial(0x53_C2_2B_A1);
        leaf.set_key_usage(key_usage::DIGITAL_SIGNATURE);
        let spki = leaf.spki_der();
        leaf.set_ext(
            FWID_EXTENSION,
            false,
            hopper_fwid_extension(&spki, &default_fwid()),
        );
        Self {
            root,
            identity,
            provisioner,
            brom,
            leaf,
        }
    }

    /// Re-points every certificate at its issuer's current subject and key, so a test
    /// that changed a CA's key or name gets a chain signed consistently.
    pub fn relink(&mut self) {
        fn link(child: &mut CertSpec, issuer: &CertSpec) {
            child.issuer = issuer.subject.clone();
            child.signing_key = issuer.key.clone();
        }
        let root = self.root.clone();
        link(&mut self.root, &root);
        link(&mut self.identity, &self.root);
        link(&mut self.provisioner, &self.identity);
        link(&mut self.brom, &self.provisioner);
        link(&mut self.leaf, &self.brom);
    }

    /// Signs the chain.
    pub fn build(self) -> GpuPki {
        let chain = [
            &self.leaf,
            &self.brom,
            &self.provisioner,
            &self.identity,
            &self.root,
        ]
        .iter()
        .map(|s| s.build())
        .collect();
        let root_pin = Sha256::digest(self.root.spki_der()).into();
        GpuPki {
            specs: self,
            chain,
            root_pin,
        }
    }
}

impl Default for GpuSpecs {
    fn default() -> Self {
        Self::new()
    }
}

impl GpuPki {
    /// The default fake chain, built once.
    pub fn cached() -> &'static Self {
        static PKI: OnceLock<GpuPki> = OnceLock::new();
        PKI.get_or_init(|| GpuSpecs::new().build())
    }

    /// SHA-256 of the root's SubjectPublicKeyInfo (the pin).
    pub fn root_spki_sha256(&self) -> [u8; 32] {
        self.root_pin
    }

    /// The chain as the GPU returns it: PEM, leaf first, root last.
    pub fn chain_pem(&self) -> String {
        self.chain
            .iter()
            .map(|d| to_pem("CERTIFICATE", d))
            .collect()
    }

    /// The chain's certificates in order: leaf, BROM, Provisioner, Identity, root.
    pub fn specs_in_order(&self) -> [&CertSpec; 5] {
        let s = &self.specs;
        [&s.leaf, &s.brom, &s.provisioner, &s.identity, &s.root]
    }

    /// A raw `r ‖ s` ECDSA P-384/SHA-384 signature by the attestation key.
    pub fn sign(&self, message: &[u8]) -> [u8; 96] {
        sign_p384_raw(&self.specs.leaf.key, message)
    }

    /// A delegated OCSP responder for the CA `issuer` (EKU OCSPSigning, and, as NVIDIA's
    /// device responders have it, the OCSP-nocheck OID inside the EKU list).
    pub fn responder_for(issuer: &CertSpec, label: &str) -> CertSpec {
        let cn = format!("Fake NVIDIA OCSP Responder {label}");
        let mut spec = CertSpec::issued_by(
            name(&[("CN", cn.as_str()), ("O", "NVIDIA Corporation")]),
            key(&format!("ocsp-{label}")),
            issuer,
        );
        spec.not_before = unix_time(2024, 1, 1, 0, 0, 0);
        spec.not_after = add_years(spec.not_before, 10);
        spec.set_serial(0x0C5F);
        spec.set_key_usage(key_usage::DIGITAL_SIGNATURE);
        let eku = sequence(&[
            &object_identifier(&oid(OCSP_SIGNING)),
            &object_identifier(&oid(OCSP_NOCHECK)),
        ]);
        spec.set_ext(EXT_KEY_USAGE, false, eku);
        spec
    }
}

/// A raw `r ‖ s` ECDSA P-384/SHA-384 signature (big-endian, 48 + 48 bytes).
pub fn sign_p384_raw(key: &PrivateKey, message: &[u8]) -> [u8; 96] {
    use p384::ecdsa::signature::Signer as _;
    let PrivateKey::P384(secret) = key else {
        panic!("{key:?} is not a P-384 key")
    };
    let signature: p384::ecdsa::Signature = p384::ecdsa::SigningKey::from(secret).sign(message);
    let mut out = [0u8; 96];
    out.copy_from_slice(&signature.to_bytes());
    out
}
