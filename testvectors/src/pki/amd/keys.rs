//! The committed AMD keys (`keys/amd/*.pem`), parsed once per process.

use std::sync::OnceLock;

use verifier::snp::Product;

use crate::pki::PrivateKey;

/// A certificate role in the AMD PKI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// AMD Root Key (self-signed RSA-4096).
    Ark,
    /// AMD SEV Key, the VCEK issuer (RSA-4096).
    Ask,
    /// AMD SEV VLEK Key, the VLEK issuer (RSA-4096).
    Asvk,
    /// Versioned Chip Endorsement Key (P-384).
    Vcek,
    /// Versioned Loaded Endorsement Key (P-384).
    Vlek,
}

impl Role {
    /// Every role, CAs first.
    pub const ALL: [Self; 5] = [Self::Ark, Self::Ask, Self::Asvk, Self::Vcek, Self::Vlek];

    /// Lower-case name used in key file names (`ark`, `ask`, ...).
    pub fn file_stem(self) -> &'static str {
        match self {
            Self::Ark => "ark",
            Self::Ask => "ask",
            Self::Asvk => "asvk",
            Self::Vcek => "vcek",
            Self::Vlek => "vlek",
        }
    }

    /// Whether the role's key is RSA-4096 (the CAs) rather than P-384 (the leaves).
    pub fn is_ca(self) -> bool {
        matches!(self, Self::Ark | Self::Ask | Self::Asvk)
    }

    fn index(self) -> usize {
        Self::ALL
            .iter()
            .position(|r| *r == self)
            .expect("role is in ALL")
    }
}

/// The key file name under `keys/amd/`, e.g. `milan-ark.pem`.
pub fn key_file_name(product: Product, role: Role) -> String {
    format!("{}-{}.pem", product.name().to_lowercase(), role.file_stem())
}

/// Generates the key for `(product, role)` from its fixed seed (RSA-4096 for CAs, P-384
/// for leaves). Slow for RSA: only `regen` calls this.
pub fn generate_key(product: Product, role: Role) -> PrivateKey {
    let seed = PrivateKey::seed_for(&format!("amd/{}", key_file_name(product, role)));
    if role.is_ca() {
        PrivateKey::generate_rsa(seed, 4096)
    } else {
        PrivateKey::generate_p384(seed)
    }
}

/// File name and seed name of the spare RSA-4096 key, for "signed by the wrong key" cases.
pub const ROGUE_RSA_FILE: &str = "rogue-rsa.pem";
/// File name and seed name of the spare P-384 key.
pub const ROGUE_P384_FILE: &str = "rogue-p384.pem";

/// Generates the spare RSA-4096 key from its fixed seed.
pub fn generate_rogue_rsa() -> PrivateKey {
    PrivateKey::generate_rsa(PrivateKey::seed_for(&format!("amd/{ROGUE_RSA_FILE}")), 4096)
}

/// Generates the spare P-384 key from its fixed seed.
pub fn generate_rogue_p384() -> PrivateKey {
    PrivateKey::generate_p384(PrivateKey::seed_for(&format!("amd/{ROGUE_P384_FILE}")))
}

macro_rules! key_pem {
    ($file:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/keys/amd/", $file))
    };
}

/// The committed PEMs, indexed `[product][role]` in `Product::ALL` and `Role::ALL` order.
const COMMITTED: [[(&str, &str); 5]; 3] = [
    [
        ("milan-ark.pem", key_pem!("milan-ark.pem")),
        ("milan-ask.pem", key_pem!("milan-ask.pem")),
        ("milan-asvk.pem", key_pem!("milan-asvk.pem")),
        ("milan-vcek.pem", key_pem!("milan-vcek.pem")),
        ("milan-vlek.pem", key_pem!("milan-vlek.pem")),
    ],
    [
        ("genoa-ark.pem", key_pem!("genoa-ark.pem")),
        ("genoa-ask.pem", key_pem!("genoa-ask.pem")),
        ("genoa-asvk.pem", key_pem!("genoa-asvk.pem")),
        ("genoa-vcek.pem", key_pem!("genoa-vcek.pem")),
        ("genoa-vlek.pem", key_pem!("genoa-vlek.pem")),
    ],
    [
        ("turin-ark.pem", key_pem!("turin-ark.pem")),
        ("turin-ask.pem", key_pem!("turin-ask.pem")),
        ("turin-asvk.pem", key_pem!("turin-asvk.pem")),
        ("turin-vcek.pem", key_pem!("turin-vcek.pem")),
        ("turin-vlek.pem", key_pem!("turin-vlek.pem")),
    ],
];

const ROGUE: [(&str, &str); 2] = [
    (ROGUE_RSA_FILE, key_pem!("rogue-rsa.pem")),
    (ROGUE_P384_FILE, key_pem!("rogue-p384.pem")),
];

static CACHE: [OnceLock<PrivateKey>; 17] = [const { OnceLock::new() }; 17];

fn cached(slot: usize, (file, pem): (&str, &str)) -> PrivateKey {
    CACHE[slot]
        .get_or_init(|| {
            PrivateKey::from_pkcs8_pem(pem).unwrap_or_else(|e| {
                panic!(
                    "testvectors/keys/amd/{file} is unusable ({e}); \
                     run `cargo run --release -p verdict-testvectors --bin regen`"
                )
            })
        })
        .clone()
}

/// The committed key for `(product, role)`, parsed once per process.
pub fn committed_key(product: Product, role: Role) -> PrivateKey {
    let p = Product::ALL
        .iter()
        .position(|x| *x == product)
        .expect("product is in ALL");
    cached(p * 5 + role.index(), COMMITTED[p][role.index()])
}

/// The committed spare RSA-4096 key (`keys/amd/rogue-rsa.pem`), not part of any chain.
pub fn rogue_rsa() -> PrivateKey {
    cached(15, ROGUE[0])
}

/// The committed spare P-384 key (`keys/amd/rogue-p384.pem`), not part of any chain.
pub fn rogue_p384() -> PrivateKey {
    cached(16, ROGUE[1])
}

/// The five keys of one product's PKI.
#[derive(Debug, Clone)]
pub struct AmdKeys {
    /// ARK key (RSA-4096).
    pub ark: PrivateKey,
    /// ASK key (RSA-4096).
    pub ask: PrivateKey,
    /// ASVK key (RSA-4096).
    pub asvk: PrivateKey,
    /// VCEK key (P-384).
    pub vcek: PrivateKey,
    /// VLEK key (P-384).
    pub vlek: PrivateKey,
}

impl AmdKeys {
    /// The committed keys of `product`.
    pub fn committed(product: Product) -> Self {
        Self::from_fn(|role| committed_key(product, role))
    }

    /// Keys from a function of the role (e.g. loading files, in `regen`).
    pub fn from_fn(mut key: impl FnMut(Role) -> PrivateKey) -> Self {
        Self {
            ark: key(Role::Ark),
            ask: key(Role::Ask),
            asvk: key(Role::Asvk),
            vcek: key(Role::Vcek),
            vlek: key(Role::Vlek),
        }
    }

    /// The key of `role`.
    pub fn get(&self, role: Role) -> &PrivateKey {
        match role {
            Role::Ark => &self.ark,
            Role::Ask => &self.ask,
            Role::Asvk => &self.asvk,
            Role::Vcek => &self.vcek,
            Role::Vlek => &self.vlek,
        }
    }
}
