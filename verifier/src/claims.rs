//! Verified claims: the normalized, documented schema a policy sees (docs/claims.md), and
//! the [`Verified`] proof wrapper that only this crate can construct.

use std::sync::Arc;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::azure::{AzureClaims, HardwareClaims};
use crate::nvidia::GpuClaims;
use crate::snp::SnpClaims;
use crate::tdx::{QuoteClaims, SgxClaims, TdxClaims};

/// A value that passed verification. Only the verifier constructs it, so a policy engine
/// taking `&Verified<Claims>` cannot be handed unverified claims (rustls' proof types).
///
/// The claims are shared (an `Arc`): a policy engine keeps them for an appraisal without
/// copying a GPU's measurements or a report's fields, and nothing can change them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<T> {
    claims: Arc<T>,
    warnings: Vec<Warning>,
}

impl<T> Verified<T> {
    pub(crate) fn new(claims: T, warnings: Vec<Warning>) -> Self {
        Self {
            claims: Arc::new(claims),
            warnings,
        }
    }

    /// The verified claims.
    pub fn claims(&self) -> &T {
        &self.claims
    }

    /// The verified claims, shared: to keep them beyond this value without a copy.
    pub fn shared_claims(&self) -> Arc<T> {
        Arc::clone(&self.claims)
    }

    /// Things that did not fail verification but that a relying party should know.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The claims and the warnings, owned (for a verifier step that wraps another's
    /// result). Crate-private, like [`Self::map`].
    pub(crate) fn into_parts(self) -> (T, Vec<Warning>)
    where
        T: Clone,
    {
        (Arc::unwrap_or_clone(self.claims), self.warnings)
    }

    /// Maps the claims, keeping the proof (for wrapping per-TEE claims into [`Claims`]).
    /// Crate-private: a caller able to map could put any claims behind the proof.
    pub(crate) fn map<U>(self, f: impl FnOnce(T) -> U) -> Verified<U>
    where
        T: Clone,
    {
        // The value was made a moment ago and is not shared yet: no copy is made.
        Verified::new(f(Arc::unwrap_or_clone(self.claims)), self.warnings)
    }
}

/// A non-fatal finding, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable snake_case identifier.
    pub code: &'static str,
    /// One readable sentence.
    pub message: String,
    /// In multi-GPU evidence, the position of the GPU the warning concerns (as in
    /// `gpus`); `None` otherwise, and then not serialized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu: Option<usize>,
}

impl Warning {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            gpu: None,
        }
    }
}

/// Claims from any TEE, serialized as `{"tee": "...", "<namespace>": {...}}`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claims {
    /// AMD SEV-SNP, namespace `snp`.
    Snp(Box<SnpClaims>),
    /// Intel TDX, namespace `tdx`.
    Tdx(Box<TdxClaims>),
    /// Intel SGX enclave, namespace `sgx`.
    Sgx(Box<SgxClaims>),
    /// One NVIDIA GPU, namespace `gpu`.
    Gpu(Box<GpuClaims>),
    /// Several NVIDIA GPUs (one evidence file), a list `gpus`.
    Gpus(Vec<GpuClaims>),
    /// An Azure confidential VM: the hardware report's namespace (`snp` or `tdx`),
    /// `azure` and `tpm`.
    Azure(Box<AzureClaims>),
}

impl From<QuoteClaims> for Claims {
    fn from(c: QuoteClaims) -> Self {
        match c {
            QuoteClaims::Tdx(t) => Self::Tdx(t),
            QuoteClaims::Sgx(s) => Self::Sgx(s),
        }
    }
}

impl Claims {
    /// The `tee` claim.
    pub fn tee(&self) -> &'static str {
        match self {
            Self::Snp(_) => "snp",
            Self::Tdx(_) => "tdx",
            Self::Sgx(_) => "sgx",
            Self::Gpu(_) | Self::Gpus(_) => "nvidia-gpu",
            Self::Azure(a) => match a.hardware {
                HardwareClaims::Snp(_) => "azure-snp",
                HardwareClaims::Tdx(_) => "azure-tdx",
            },
        }
    }
}

impl Serialize for Claims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("tee", self.tee())?;
        match self {
            Self::Snp(c) => map.serialize_entry("snp", c)?,
            Self::Tdx(c) => map.serialize_entry("tdx", c)?,
            Self::Sgx(c) => map.serialize_entry("sgx", c)?,
            Self::Gpu(c) => map.serialize_entry("gpu", c)?,
            Self::Gpus(c) => map.serialize_entry("gpus", c)?,
            Self::Azure(a) => {
                match &a.hardware {
                    HardwareClaims::Snp(c) => map.serialize_entry("snp", c)?,
                    HardwareClaims::Tdx(c) => map.serialize_entry("tdx", c)?,
                }
                map.serialize_entry("azure", &a.azure)?;
                map.serialize_entry("tpm", &a.tpm)?;
            }
        }
        map.end()
    }
}
