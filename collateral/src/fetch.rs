//! The [`Source`] trait: typed keys in, collateral bytes (or a typed error per key) out.
//!
//! Every source answers one key at a time, asynchronously; [`fetch_all`] asks for many at
//! once. What a source returns is bytes the verifier will re-verify: a source checks only
//! that the bytes answer the key (an FMSPC's TCB Info, this chip's VCEK), so that a wrong
//! answer is named where it came from instead of surfacing later as a missing key.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use verifier::needs::CollateralKey;
use verifier::time::UnixTime;

/// The future a [`Source`] returns.
pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<Fetched, FetchError>> + Send + 'a>>;

/// Something that turns collateral keys into collateral bytes: the vendors' services
/// ([`crate::Http`]), a cache in front of another source ([`crate::Cache`]), or nothing
/// at all ([`Offline`]).
pub trait Source: Send + Sync {
    /// The collateral `key` names, as of `now` (a cache judges freshness at `now`; the
    /// network records it as the fetch time).
    fn fetch<'a>(&'a self, key: &'a CollateralKey, now: UnixTime) -> FetchFuture<'a>;
}

impl<S: Source + ?Sized> Source for Arc<S> {
    fn fetch<'a>(&'a self, key: &'a CollateralKey, now: UnixTime) -> FetchFuture<'a> {
        (**self).fetch(key, now)
    }
}

impl<S: Source + ?Sized> Source for Box<S> {
    fn fetch<'a>(&'a self, key: &'a CollateralKey, now: UnixTime) -> FetchFuture<'a> {
        (**self).fetch(key, now)
    }
}

/// Collateral bytes for one key, and where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The bytes, in a form [`verifier::collateral::Bundle::add_bytes`] reads (DER, PEM,
    /// the vendor's JSON, RIM XML).
    pub bytes: Vec<u8>,
    /// When they were fetched from the vendor.
    pub fetched_at: UnixTime,
    /// Where they came from.
    pub origin: Origin,
}

/// Where fetched collateral came from.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// From the vendor's service, at this URL.
    Network {
        /// The URL asked.
        url: String,
    },
    /// From the on-disk cache.
    Cache {
        /// The entry's file.
        path: PathBuf,
        /// Set when the entry was past its validity and served within the grace period
        /// because the source behind the cache failed: how long past it was, and why
        /// the refresh failed.
        stale: Option<Stale>,
    },
}

/// A cache entry served past its validity, within the grace period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// How long past its validity the entry was.
    pub by: Duration,
    /// Why it could not be refreshed.
    pub refresh_error: String,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network { url } => write!(f, "{url}"),
            Self::Cache { path, stale: None } => write!(f, "the cache ({})", path.display()),
            Self::Cache {
                path,
                stale: Some(stale),
            } => write!(
                f,
                "the cache ({}), {}s past its validity, because the refresh failed: {}",
                path.display(),
                stale.by.as_secs(),
                stale.refresh_error
            ),
        }
    }
}

/// Why a key could not be fetched: the key, the URL asked (if any) and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct FetchError {
    /// The key asked for (boxed: keys are large, and errors travel in `Result`s).
    pub key: Box<CollateralKey>,
    /// The URL asked, when one was.
    pub url: Option<String>,
    /// What went wrong.
    pub kind: FetchErrorKind,
}

/// What went wrong fetching a key.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchErrorKind {
    /// No public service serves this key; the reason says who has it.
    #[error("not served by any vendor service: {0}")]
    NotPublic(&'static str),
    /// Offline: the network was not asked.
    #[error("not in the bundle or the cache, and --offline keeps from fetching it")]
    Offline,
    /// The service does not have it (HTTP 404).
    #[error("the service has no such item (HTTP 404)")]
    NotFound,
    /// The service answered with an error status, after any retries.
    #[error("HTTP {status}{}", retries_text(*attempts))]
    Status {
        /// The last status.
        status: u16,
        /// How many requests were made.
        attempts: u32,
    },
    /// The service kept refusing with 429, or asked to wait longer than allowed.
    #[error("rate-limited (HTTP 429){}{}", retry_after.map(|s| format!(", Retry-After {s}s")).unwrap_or_default(), retries_text(*attempts))]
    RateLimited {
        /// The last Retry-After, in seconds.
        retry_after: Option<u64>,
        /// How many requests were made.
        attempts: u32,
    },
    /// No answer within the timeout, after any retries.
    #[error("timed out after {}{}", duration_text(*timeout), retries_text(*attempts))]
    Timeout {
        /// The timeout of each request.
        timeout: Duration,
        /// How many requests were made.
        attempts: u32,
    },
    /// The connection failed or broke (refused, reset, a truncated body).
    #[error("{reason}{}", retries_text(*attempts))]
    Transport {
        /// What the transport said.
        reason: String,
        /// How many requests were made.
        attempts: u32,
    },
    /// The response is larger than the bound for collateral.
    #[error("the response is larger than {}, the limit for collateral", crate::size_text(*limit))]
    TooLarge {
        /// The bound, in bytes.
        limit: u64,
    },
    /// The response is not what was asked for (another FMSPC, another chip's VCEK, a
    /// certificate where a CRL was asked, bytes that do not parse).
    #[error("the response is not what was asked for: {0}")]
    WrongContent(String),
    /// The cache could not be read or written.
    #[error("cache: {0}")]
    Cache(String),
    /// What was served is not current at the verification time (an optional CRL past
    /// its nextUpdate or before its thisUpdate), so it is not used.
    #[error("what was served is not current at {at}, so it is not used")]
    NotCurrent {
        /// The verification time, RFC 3339.
        at: String,
    },
}

impl FetchErrorKind {
    /// A stable snake_case name (for JSON output and exit-code kinds).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotPublic(_) => "not_public",
            Self::Offline => "offline",
            Self::NotFound => "not_found",
            Self::Status { .. } => "http_status",
            Self::RateLimited { .. } => "rate_limited",
            Self::Timeout { .. } => "timeout",
            Self::Transport { .. } => "transport",
            Self::TooLarge { .. } => "too_large",
            Self::WrongContent(_) => "wrong_content",
            Self::Cache(_) => "cache",
            Self::NotCurrent { .. } => "not_current",
        }
    }
}

fn retries_text(attempts: u32) -> String {
    if attempts > 1 {
        format!(" ({attempts} attempts)")
    } else {
        String::new()
    }
}

fn duration_text(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

impl FetchError {
    /// An error for `key` at `url`.
    pub fn new(key: &CollateralKey, url: Option<&str>, kind: FetchErrorKind) -> Self {
        Self {
            key: Box::new(key.clone()),
            url: url.map(str::to_owned),
            kind,
        }
    }

    fn message(&self) -> String {
        match &self.url {
            Some(url) => format!("{} from {url}: {}", self.key, self.kind),
            None => format!("{}: {}", self.key, self.kind),
        }
    }

    /// Whether a later try might succeed (a timeout, a 5xx, rate limiting, a broken
    /// connection), as opposed to an answer that will not change (404, wrong content,
    /// not public, offline).
    pub fn is_transient(&self) -> bool {
        match &self.kind {
            FetchErrorKind::Timeout { .. }
            | FetchErrorKind::Transport { .. }
            | FetchErrorKind::RateLimited { .. } => true,
            FetchErrorKind::Status { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// The source that has nothing: what `--offline` puts behind the cache.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offline;

impl Source for Offline {
    fn fetch<'a>(&'a self, key: &'a CollateralKey, _now: UnixTime) -> FetchFuture<'a> {
        Box::pin(async move { Err(FetchError::new(key, None, FetchErrorKind::Offline)) })
    }
}

/// Fetches every key at once (a source coalesces keys that share a request), in the
/// order given.
pub async fn fetch_all<S: Source + ?Sized>(
    source: &S,
    keys: &[CollateralKey],
    now: UnixTime,
) -> Vec<Result<Fetched, FetchError>> {
    futures_util::future::join_all(keys.iter().map(|key| source.fetch(key, now))).await
}
