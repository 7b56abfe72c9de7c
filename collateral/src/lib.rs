//! Getting vendor collateral to the verifier.
//!
//! The verifier is pure: it takes collateral as a value ([`verifier::collateral::Bundle`])
//! and says what it needs as typed keys ([`verifier::Evidence::requirements`]). This crate
//! turns keys into bytes:
//!
//! - [`Source`]: keys in, bytes (or a [`FetchError`] per key) out, async;
//! - [`Http`]: AMD KDS, Intel PCS or a PCCS, NVIDIA's RIM service and OCSP responder, at
//!   the base URLs of an [`Endpoints`] ([`Endpoints::locate`] maps a key to its URL);
//! - [`Cache`]: an on-disk cache in front of any source, shared safely by processes;
//! - [`Offline`]: nothing, for `--offline` behind the cache;
//! - [`resolve`]: everything a piece of evidence needs, in as many rounds as its needs
//!   unfold;
//! - bundle directories for air-gapped use ([`BundleWriter`], [`list_bundle`]), read back
//!   like any collateral directory ([`load_paths`]).
//!
//! Everything a source returns is checked to answer its key ([`check_answer`]) and then
//! re-verified by the verifier, so nothing here is trusted.
#![deny(missing_docs)]

mod answer;
mod bundle_dir;
mod cache;
mod fetch;
mod files;
#[cfg(feature = "http")]
mod http;
mod locate;
mod names;
mod ocsp;
mod read;
mod resolve;

pub use answer::{check_answer, valid_until};
pub use bundle_dir::{list_bundle, BundleItem, BundleWriter, MANIFEST, README};
pub use cache::{Cache, DEFAULT_ABSENT_TTL, DEFAULT_GRACE};
pub use fetch::{
    fetch_all, FetchError, FetchErrorKind, FetchFuture, Fetched, Offline, Origin, Source, Stale,
};
pub use files::{load_paths, LoadError, Loaded, SkipKind, Skipped, MAX_FILE_BYTES};
#[cfg(feature = "http")]
pub use http::{Http, HttpOptions, HttpSetupError};
pub use locate::{
    locate, Endpoints, Location, AMD_KDS, INTEL_PCS, INTEL_ROOT_CA_CRL, NVIDIA_OCSP,
    NVIDIA_RIM_SERVICE, PCCS_ROOT_CA_CRL_PATH, PCK_CERT_PATH,
};
pub use names::file_name;
pub use ocsp::{AnswerMismatch, OcspRequest, OcspRequestError};
pub use read::{read_bounded, read_to_limit, size_text, ReadError};
pub use resolve::{resolve, Progress, Quiet, Resolved};
