//! Trust anchors: vendor roots pinned by the SHA-256 of their SubjectPublicKeyInfo.
//!
//! The root certificate itself arrives with the collateral (KDS serves ARK and ASK
//! together); it is accepted only if its key hash is pinned here. [`TrustAnchors`] is a
//! value the caller can replace, which is how tests use the fake roots of `testvectors`.

use crate::amd::Product;
use crate::crypto::{CryptoProvider, Curve, HashAlg};
use crate::pki::{Certificate, PathChecker, PublicKey, SignatureCache};

/// A certificate given as a trust anchor that cannot be one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("anchor {subject}: {reason}")]
pub struct AnchorError {
    /// The certificate's subject.
    pub subject: String,
    /// Why it is refused.
    pub reason: &'static str,
}

/// Pinned roots, by vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustAnchors {
    /// AMD Root Keys per product line: SHA-256 of the ARK's DER SubjectPublicKeyInfo.
    pub amd_ark: Vec<(Product, [u8; 32])>,
    /// Intel SGX Root CA keys (roots of the PCK and TCB Signing chains): SHA-256 of the
    /// DER SubjectPublicKeyInfo.
    pub intel_root: Vec<[u8; 32]>,
    /// NVIDIA Device Identity CA keys (root of GPU/NVSwitch device chains).
    pub nvidia_device_root: Vec<[u8; 32]>,
    /// NVIDIA CoRIM signing Root CA keys (root of RIM signing chains).
    pub nvidia_rim_root: Vec<[u8; 32]>,
}

// Computed from the ARK in KDS `https://kdsintf.amd.com/vcek/v1/{Milan,Genoa,Turin}/cert_chain`
// (identical in go-sev-guest verify/trust/*.pem, virtee/sev builtin, Oak and trustee):
// `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256sum`.
// Certificate DER SHA-256: ARK-Milan 69d063b4…0bcd, ARK-Genoa 4c6598d1…b2f1, ARK-Turin 1f084161…3f6a.

/// Intel SGX Root CA (P-256, valid 2018-05-21 to 2049-12-31; certificate DER SHA-256
/// 44a0196b…b674d3), from `https://certificates.trustedservices.intel.com/Intel_SGX_Provisioning_Certification_RootCA.cer`.
pub const INTEL_SGX_ROOT_CA: [u8; 32] =
    hex_literal("a0af031289f5d5d4132f9186068a7fc13628633ba235777472e29b6b6c67a49e");

/// NVIDIA Device Identity CA (P-384; NDIS publishes `Root-CA.cer` and `Root-CA-L1B.cer`
/// with this same key; nvtrust's `verifier_device_root.pem`).
pub const NVIDIA_DEVICE_IDENTITY_CA: [u8; 32] =
    hex_literal("a90c4eb5acfd3e3d03a25db6a26b84f720ad0503196c627c21ddd48dd85b06a4");

/// NVIDIA CoRIM signing Root CA (P-384, valid 2023-03-16 to 2053-03-08; nvtrust's
/// `verifier_RIM_root.pem`).
pub const NVIDIA_RIM_ROOT_CA: [u8; 32] =
    hex_literal("dec1dc316477aa851eebdf51327ae9f864bc8d89254657ed1e7eb9168af1e1a3");

/// ARK-Milan (RSA-4096, serial 0x10000, valid until 2045-10-22).
pub const AMD_ARK_MILAN: [u8; 32] =
    hex_literal("9f056bee44377e29308cb5ffa895bdfb62d18881fa6bed8d6f075b0204089cb9");
/// ARK-Genoa (RSA-4096, serial 0x20000, valid until 2047-01-26).
pub const AMD_ARK_GENOA: [u8; 32] =
    hex_literal("429a69c9422aa258ee4d8db5fcda9c6470ef15f8cd5a9cebd6cbc7d90b863831");
/// ARK-Turin (RSA-4096, serial 0x30000, valid until 2048-05-15).
pub const AMD_ARK_TURIN: [u8; 32] =
    hex_literal("4f125410563a2ab9a50356f9243f6fe0b6f73de98603f53f90339c70e9d7ad08");

impl Default for TrustAnchors {
    /// The real vendor roots.
    fn default() -> Self {
        Self {
            amd_ark: vec![
                (Product::Milan, AMD_ARK_MILAN),
                (Product::Genoa, AMD_ARK_GENOA),
                (Product::Turin, AMD_ARK_TURIN),
            ],
            intel_root: vec![INTEL_SGX_ROOT_CA],
            nvidia_device_root: vec![NVIDIA_DEVICE_IDENTITY_CA],
            nvidia_rim_root: vec![NVIDIA_RIM_ROOT_CA],
        }
    }
}

impl TrustAnchors {
    /// No anchors at all: nothing verifies until pins are added (tests and `--anchor`).
    pub fn empty() -> Self {
        Self {
            amd_ark: Vec::new(),
            intel_root: Vec::new(),
            nvidia_device_root: Vec::new(),
            nvidia_rim_root: Vec::new(),
        }
    }

    /// Anchors from root certificates (as `--anchor` files give them), each pinned by
    /// the SHA-256 of its SubjectPublicKeyInfo under the role it can play. A root is
    /// recognised by what it is: a self-signed CA certificate (its signature verifies
    /// with its own key) whose key and name fit one vendor root profile:
    ///
    /// | role | key | subject commonName |
    /// |---|---|---|
    /// | AMD ARK of a product line | RSA | `ARK-<product>` (`ARK-Milan`) |
    /// | Intel SGX Root CA | ECDSA P-256 | `Intel SGX Root CA` |
    /// | NVIDIA Device Identity CA | ECDSA P-384 | ends with `NVIDIA Device Identity CA` |
    /// | NVIDIA CoRIM signing Root CA | ECDSA P-384 | ends with `NVIDIA CoRIM signing Root CA` |
    ///
    /// Vendors without a root among them trust nothing.
    ///
    /// # Errors
    /// [`AnchorError`] naming the first certificate that is not a self-signed CA or fits
    /// no profile.
    pub fn from_root_certificates(
        provider: &dyn CryptoProvider,
        roots: &[Certificate],
    ) -> Result<Self, AnchorError> {
        let cache = SignatureCache::disabled();
        let checker = PathChecker {
            provider,
            cache: &cache,
            now: crate::time::from_secs(0),
        };
        let mut anchors = Self::empty();
        for cert in roots {
            let refuse = |reason: &'static str| AnchorError {
                subject: cert.subject().display().to_owned(),
                reason,
            };
            if !cert.basic_constraints().is_some_and(|(ca, _)| ca) {
                return Err(refuse("it is not a CA certificate"));
            }
            if !checker.is_signed_by(cert, cert) {
                return Err(refuse("it is not self-signed (a root signs itself)"));
            }
            let mut pin = [0u8; 32];
            pin.copy_from_slice(provider.hash(HashAlg::Sha256, &[cert.spki_der()]).as_ref());
            let cn = cert.subject().common_name().unwrap_or_default();
            let curve = match cert.public_key() {
                PublicKey::Ec { curve, .. } => Some(*curve),
                _ => None,
            };
            let rsa = matches!(cert.public_key(), PublicKey::Rsa { .. });
            let ark = cn.strip_prefix("ARK-").and_then(Product::from_name);
            match (ark, curve) {
                (Some(product), None) if rsa => anchors.amd_ark.push((product, pin)),
                (None, Some(Curve::P256)) if cn == "Intel SGX Root CA" => {
                    anchors.intel_root.push(pin);
                }
                (None, Some(Curve::P384)) if cn.ends_with("NVIDIA Device Identity CA") => {
                    anchors.nvidia_device_root.push(pin);
                }
                (None, Some(Curve::P384)) if cn.ends_with("NVIDIA CoRIM signing Root CA") => {
                    anchors.nvidia_rim_root.push(pin);
                }
                _ => return Err(refuse(
                    "it fits no vendor root: an AMD ARK (RSA, CN ARK-<product>), the Intel SGX Root CA (P-256), an NVIDIA Device Identity CA or CoRIM signing Root CA (P-384)",
                )),
            }
        }
        Ok(anchors)
    }

    /// The ARK pins for one product line.
    pub fn ark_pins(&self, product: Product) -> Vec<[u8; 32]> {
        self.amd_ark
            .iter()
            .filter(|(p, _)| *p == product)
            .map(|(_, h)| *h)
            .collect()
    }
}

/// Decodes a 64-character hex string at compile time (a bad literal fails the build).
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]
const fn hex_literal(s: &str) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("pin must be lower-case hex"),
        }
    }
    let b = s.as_bytes();
    assert!(b.len() == 64, "pin must be 64 hex characters");
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(b[2 * i]) << 4 | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}
