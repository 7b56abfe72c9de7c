//! The committed Intel keys (`keys/intel/*.pem`), parsed once per process.

use std::sync::OnceLock;

use crate::pki::PrivateKey;

/// A key of the fake Intel PKI. Every one is P-256, as in Intel's real PKI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyRole {
    /// Intel SGX Root CA (self-signed).
    Root,
    /// Intel SGX PCK Platform CA (issues PCK certificates of multi-package platforms).
    PlatformCa,
    /// Intel SGX PCK Processor CA (issues PCK certificates of single-package platforms).
    ProcessorCa,
    /// Intel SGX TCB Signing (signs TCB Info and QE Identity).
    TcbSigning,
    /// The PCK leaf (signs the QE report).
    Pck,
    /// The quoting enclave's attestation key (signs the quote; no certificate).
    AttestationKey,
    /// A spare key outside every chain, for "signed by the wrong key" cases.
    Rogue,
}

impl KeyRole {
    /// Every key role, in file order.
    pub const ALL: [Self; 7] = [
        Self::Root,
        Self::PlatformCa,
        Self::ProcessorCa,
        Self::TcbSigning,
        Self::Pck,
        Self::AttestationKey,
        Self::Rogue,
    ];

    /// The key file name under `keys/intel/`, e.g. `platform-ca.pem`.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Root => "root.pem",
            Self::PlatformCa => "platform-ca.pem",
            Self::ProcessorCa => "processor-ca.pem",
            Self::TcbSigning => "tcb-signing.pem",
            Self::Pck => "pck.pem",
            Self::AttestationKey => "attestation-key.pem",
            Self::Rogue => "rogue.pem",
        }
    }

    fn index(self) -> usize {
        Self::ALL
            .iter()
            .position(|r| *r == self)
            .expect("role is in ALL")
    }
}

/// Generates the key of `role` from its fixed seed (`seed_for("intel/<file name>")`).
pub fn generate_key(role: KeyRole) -> PrivateKey {
    PrivateKey::generate_p256(PrivateKey::seed_for(&format!("intel/{}", role.file_name())))
}

macro_rules! key_pem {
    ($file:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/keys/intel/", $file))
    };
}

/// The committed PEMs in [`KeyRole::ALL`] order.
const COMMITTED: [&str; 7] = [
    key_pem!("root.pem"),
    key_pem!("platform-ca.pem"),
    key_pem!("processor-ca.pem"),
    key_pem!("tcb-signing.pem"),
    key_pem!("pck.pem"),
    key_pem!("attestation-key.pem"),
    key_pem!("rogue.pem"),
];

/// The committed key of `role`, parsed once per process.
pub fn committed_key(role: KeyRole) -> PrivateKey {
    static CACHE: [OnceLock<PrivateKey>; 7] = [const { OnceLock::new() }; 7];
    let i = role.index();
    CACHE[i]
        .get_or_init(|| {
            PrivateKey::from_pkcs8_pem(COMMITTED[i]).unwrap_or_else(|e| {
                panic!(
                    "testvectors/keys/intel/{} is unusable ({e}); \
                     run `cargo run -p verdict-testvectors --bin regen`",
                    role.file_name()
                )
            })
        })
        .clone()
}

/// The committed spare key (`keys/intel/rogue.pem`), not part of any chain.
pub fn rogue_p256() -> PrivateKey {
    committed_key(KeyRole::Rogue)
}

/// The keys of one fake Intel PKI.
#[derive(Debug, Clone)]
pub struct IntelKeys {
    /// Root CA key.
    pub root: PrivateKey,
    /// PCK Platform CA key.
    pub platform_ca: PrivateKey,
    /// PCK Processor CA key.
    pub processor_ca: PrivateKey,
    /// TCB Signing key.
    pub tcb_signing: PrivateKey,
    /// PCK leaf key.
    pub pck: PrivateKey,
    /// Quoting enclave attestation key.
    pub attestation_key: PrivateKey,
}

impl IntelKeys {
    /// The committed keys.
    pub fn committed() -> Self {
        Self::from_fn(committed_key)
    }

    /// Keys from a function of the role (e.g. loading files, in `regen`).
    pub fn from_fn(mut key: impl FnMut(KeyRole) -> PrivateKey) -> Self {
        Self {
            root: key(KeyRole::Root),
            platform_ca: key(KeyRole::PlatformCa),
            processor_ca: key(KeyRole::ProcessorCa),
            tcb_signing: key(KeyRole::TcbSigning),
            pck: key(KeyRole::Pck),
            attestation_key: key(KeyRole::AttestationKey),
        }
    }
}
