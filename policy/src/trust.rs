//! The AR4SI trustworthiness claims (draft-ietf-rats-ar4si) a rule can set, their
//! standard values, and the tiers those values fall in.

use core::fmt;

/// The tier of a trustworthiness value or status (AR4SI §2.3.2), ordered from no claim
/// to contraindicated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TrustTier {
    /// No claim (values -1, 0, 1).
    None,
    /// Affirming.
    Affirming,
    /// Warning.
    Warning,
    /// Contraindicated.
    Contraindicated,
}

/// One of the eight trustworthiness claims of an EAR trustworthiness vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TrustClaim {
    /// `instance-identity` (key 0).
    InstanceIdentity,
    /// `configuration` (key 1).
    Configuration,
    /// `executables` (key 2).
    Executables,
    /// `file-system` (key 3).
    FileSystem,
    /// `hardware` (key 4).
    Hardware,
    /// `runtime-opaque` (key 5).
    RuntimeOpaque,
    /// `storage-opaque` (key 6).
    StorageOpaque,
    /// `sourced-data` (key 7).
    SourcedData,
}

/// Values every claim may take (AR4SI §2.3.1).
const COMMON: &[(&str, i8)] = &[
    ("VERIFIER_MALFUNCTION", -1),
    ("NO_CLAIM", 0),
    ("UNEXPECTED_EVIDENCE", 1),
    ("CRYPTO_VALIDATION_FAILED", 99),
];

impl TrustClaim {
    /// Every claim, in key order.
    pub const ALL: [Self; 8] = [
        Self::InstanceIdentity,
        Self::Configuration,
        Self::Executables,
        Self::FileSystem,
        Self::Hardware,
        Self::RuntimeOpaque,
        Self::StorageOpaque,
        Self::SourcedData,
    ];

    /// The claim's name in EAR (`ear_trustworthiness_vector` keys in JSON).
    pub fn name(self) -> &'static str {
        match self {
            Self::InstanceIdentity => "instance-identity",
            Self::Configuration => "configuration",
            Self::Executables => "executables",
            Self::FileSystem => "file-system",
            Self::Hardware => "hardware",
            Self::RuntimeOpaque => "runtime-opaque",
            Self::StorageOpaque => "storage-opaque",
            Self::SourcedData => "sourced-data",
        }
    }

    /// The claim for a name as policies write it (`file-system` or `file_system`).
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.replace('_', "-");
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The standard values AR4SI defines for this claim, by their `ear` crate names.
    pub fn values(self) -> &'static [(&'static str, i8)] {
        match self {
            Self::InstanceIdentity => &[
                ("TRUSTWORTHY_INSTANCE", 2),
                ("UNTRUSTWORTHY_INSTANCE", 96),
                ("UNRECOGNIZED_INSTANCE", 97),
            ],
            Self::Configuration => &[
                ("APPROVED_CONFIG", 2),
                ("NO_CONFIG_VULNS", 3),
                ("UNSAFE_CONFIG", 32),
                ("UNAVAIL_CONFIG_ELEMS", 36),
                ("UNSUPPORTABLE_CONFIG", 96),
            ],
            Self::Executables => &[
                ("APPROVED_RUNTIME", 2),
                ("APPROVED_BOOT", 3),
                ("UNSAFE_RUNTIME", 32),
                ("UNRECOGNIZED_RUNTIME", 33),
                ("CONTRAINDICATED_RUNTIME", 96),
            ],
            Self::FileSystem => &[
                ("APPROVED_FILES", 2),
                ("UNRECOGNIZED_FILES", 32),
                ("CONTRAINDICATED_FILES", 96),
            ],
            Self::Hardware => &[
                ("GENUINE_HARDWARE", 2),
                ("UNSAFE_HARDWARE", 32),
                ("CONTRAINDICATED_HARDWARE", 96),
                ("UNRECOGNIZED_HARDWARE", 97),
            ],
            Self::RuntimeOpaque => &[
                ("ENCRYPTED_MEMORY_RUNTIME", 2),
                ("ISOLATED_MEMORY_RUNTIME", 32),
                ("VISIBLE_MEMORY_RUNTIME", 96),
            ],
            Self::StorageOpaque => &[
                ("HW_KEYS_ENCRYPTED_SECRETS", 2),
                ("SW_KEYS_ENCRYPTED_SECRETS", 32),
                ("UNENCRYPTED_SECRETS", 96),
            ],
            Self::SourcedData => &[
                ("TRUSTED_SOURCES", 2),
                ("UNTRUSTED_SOURCES", 32),
                ("CONTRAINDICATED_SOURCES", 96),
            ],
        }
    }

    /// The value a claim takes when every rule that sets it passes (its affirming value).
    pub fn affirming_value(self) -> i8 {
        2
    }

    /// Parses a value as a policy writes it: a name of this claim's standard values or
    /// of the common ones (`UNSAFE_CONFIG`, `unsafe_config`), or an integer -128..=127
    /// (private-use values included).
    ///
    /// # Errors
    /// A sentence naming the claim's values when `text` is none of them.
    pub fn parse_value(self, text: &str) -> Result<i8, String> {
        if let Ok(v) = text.trim().parse::<i8>() {
            return Ok(v);
        }
        let upper = text.trim().to_ascii_uppercase();
        self.values()
            .iter()
            .chain(COMMON)
            .find(|(name, _)| *name == upper)
            .map(|&(_, v)| v)
            .ok_or_else(|| {
                let names: Vec<&str> = self.values().iter().map(|(n, _)| *n).collect();
                format!(
                    "`{text}` is not a value of {}: expected one of {}, a common value \
                     (VERIFIER_MALFUNCTION, NO_CLAIM, UNEXPECTED_EVIDENCE, \
                     CRYPTO_VALIDATION_FAILED) or an integer -128..127",
                    self.name(),
                    names.join(", ")
                )
            })
    }

    /// The standard name of a value of this claim, if it has one.
    pub fn value_name(self, value: i8) -> Option<&'static str> {
        self.values()
            .iter()
            .chain(COMMON)
            .find(|&&(_, v)| v == value)
            .map(|&(n, _)| n)
    }
}

impl fmt::Display for TrustClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The tier of a claim value (AR4SI §2.3.2): `none` for 0, 1 and -1; `affirming` for
/// 2..=31 and -32..=-2; `warning` for 32..=95 and -96..=-33; `contraindicated` beyond.
pub fn tier_of(value: i8) -> TrustTier {
    match value {
        -1..=1 => TrustTier::None,
        2..=31 | -32..=-2 => TrustTier::Affirming,
        32..=95 | -96..=-33 => TrustTier::Warning,
        _ => TrustTier::Contraindicated,
    }
}

/// The tier's name as EAR writes it.
pub fn tier_name(tier: TrustTier) -> &'static str {
    match tier {
        TrustTier::None => "none",
        TrustTier::Affirming => "affirming",
        TrustTier::Warning => "warning",
        TrustTier::Contraindicated => "contraindicated",
    }
}

/// The tier for its EAR name.
pub fn tier_from_name(name: &str) -> Option<TrustTier> {
    [
        TrustTier::None,
        TrustTier::Affirming,
        TrustTier::Warning,
        TrustTier::Contraindicated,
    ]
    .into_iter()
    .find(|t| tier_name(*t) == name.trim().to_ascii_lowercase())
}

/// A trustworthiness vector: a value per claim, or none when no rule sets it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Vector([Option<i8>; 8]);

impl Vector {
    /// The claim's value, if set.
    pub fn get(&self, claim: TrustClaim) -> Option<i8> {
        self.0.get(claim as usize).copied().flatten()
    }

    /// Sets the claim's value.
    pub fn set(&mut self, claim: TrustClaim, value: i8) {
        if let Some(slot) = self.0.get_mut(claim as usize) {
            *slot = Some(value);
        }
    }

    /// The set claims, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (TrustClaim, i8)> + '_ {
        TrustClaim::ALL
            .into_iter()
            .filter_map(|c| self.get(c).map(|v| (c, v)))
    }

    /// The worst tier among the set claims (`none` when none is set): the submodule's
    /// `ear_status`, which EAR requires to be no better than its vector.
    pub fn status(&self) -> TrustTier {
        self.iter()
            .map(|(_, v)| tier_of(v))
            .max()
            .unwrap_or(TrustTier::None)
    }
}

/// The status of an appraisal of several devices (submodules): the least trustworthy
/// of theirs. Unlike [`Vector::status`], `none` counts as less trustworthy than
/// `affirming` here: a device that nothing affirmed — no rule set a value, or only
/// `none` values — must never be carried to an affirming result by the others.
/// Without devices, `none`.
pub fn overall_status(statuses: impl IntoIterator<Item = TrustTier>) -> TrustTier {
    fn rank(tier: TrustTier) -> u8 {
        match tier {
            TrustTier::Affirming => 0,
            TrustTier::None => 1,
            TrustTier::Warning => 2,
            TrustTier::Contraindicated => 3,
        }
    }
    statuses
        .into_iter()
        .max_by_key(|t| rank(*t))
        .unwrap_or(TrustTier::None)
}

/// Which of two values for one claim wins when several rules set it: the more severe
/// tier (contraindicated over warning over affirming over none); within a tier the
/// first one stays (AR4SI: "the most severe applicable value").
pub fn more_severe(current: Option<i8>, candidate: i8) -> i8 {
    match current {
        Some(v) if tier_of(v) >= tier_of(candidate) => v,
        _ => candidate,
    }
}
