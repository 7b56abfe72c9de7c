//! An on-disk cache in front of any [`Source`].
//!
//! One file per key ([`crate::file_name`]), holding the raw bytes as fetched and a short
//! text header (what key, from where, when, and a SHA-256 of the bytes). An entry is
//! served while the collateral it holds is current ([`crate::valid_until`]: the nextUpdate
//! of a CRL, TCB Info, QE Identity or OCSP answer, the notAfter of a certificate); after
//! that the source behind is asked again, and only if that fails is the old entry served,
//! within a grace period, marked [`Stale`].
//!
//! Nothing in the cache is trusted: the verifier re-checks every signature and date. An
//! entry that does not parse, whose checksum does not match, or that does not answer its
//! key is deleted and fetched again. Writes go to a temporary file renamed into place, so
//! several processes can share one cache directory and a reader sees a whole entry or
//! none.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};
use verifier::needs::CollateralKey;
use verifier::time::{from_secs, secs, UnixTime};

use crate::answer::{check_answer, valid_until};
use crate::fetch::{FetchError, FetchErrorKind, FetchFuture, Fetched, Origin, Source, Stale};
use crate::names::file_name;
use crate::read::read_bounded;
use crate::MAX_FILE_BYTES;

/// The first line of every entry; a later format gets a new one.
const MAGIC: &str = "verdict-cache 1";
/// The first line of a marker that the service had no such item.
const ABSENT_MAGIC: &str = "verdict-cache-absent 1";

/// How long a service's "nothing (newer)" is remembered by default: a service is not asked
/// again within this time for an item it did not have (404), or for one whose answer was
/// already past its own validity when fetched (it had nothing fresher); after it, it is
/// (a VCEK for a new TCB may appear, a CRL be reissued). AMD KDS rate-limits hard.
pub const DEFAULT_ABSENT_TTL: Duration = Duration::from_secs(3600);

/// The default grace period: how long past its validity an entry may still be served
/// when the source behind the cache fails.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(0);

/// A cache directory in front of `inner`.
#[derive(Debug)]
pub struct Cache<S> {
    dir: PathBuf,
    grace: Duration,
    absent_ttl: Duration,
    inner: S,
}

/// One entry read back.
#[derive(Debug)]
struct Entry {
    bytes: Vec<u8>,
    fetched_at: UnixTime,
    valid_until: Option<UnixTime>,
}

/// Why an entry could not be used.
enum Unusable {
    Absent,
    /// Unreadable, not an entry, a checksum mismatch, or not an answer to its key.
    Corrupt,
}

impl<S: Source> Cache<S> {
    /// A cache in `dir` (created when first written) in front of `inner`, with no grace
    /// period.
    pub fn new(dir: impl Into<PathBuf>, inner: S) -> Self {
        Self {
            dir: dir.into(),
            grace: DEFAULT_GRACE,
            absent_ttl: DEFAULT_ABSENT_TTL,
            inner,
        }
    }

    /// Remember a service's "nothing (newer)" for `ttl` (default [`DEFAULT_ABSENT_TTL`];
    /// zero asks again every time).
    #[must_use]
    pub fn with_absent_ttl(mut self, ttl: Duration) -> Self {
        self.absent_ttl = ttl;
        self
    }

    /// Serve entries past their validity by up to `grace` when `inner` fails (with
    /// [`Origin::Cache`]'s `stale` set, which callers report as a warning).
    #[must_use]
    pub fn with_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// The source behind the cache.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds `key`'s entry, if the key is cacheable.
    pub fn entry_path(&self, key: &CollateralKey) -> Option<PathBuf> {
        file_name(key).map(|name| self.dir.join(name))
    }

    async fn fetch_key(&self, key: &CollateralKey, now: UnixTime) -> Result<Fetched, FetchError> {
        let Some(path) = self.entry_path(key) else {
            return self.inner.fetch(key, now).await;
        };
        let entry = match read_entry(&path, key) {
            Ok(entry) => Some(entry),
            Err(Unusable::Absent) => None,
            Err(Unusable::Corrupt) => {
                // Dropped, never trusted; a concurrent writer may already have replaced
                // it, which the next read will see.
                let _ = std::fs::remove_file(&path);
                None
            }
        };
        if let Some(entry) = &entry {
            let current = entry.valid_until.is_none_or(|until| now <= until);
            // Already past its validity when fetched: asking again soon gets the same.
            let nothing_newer = entry
                .valid_until
                .is_some_and(|until| secs(until) < secs(entry.fetched_at))
                && secs(now)
                    .checked_sub(secs(entry.fetched_at))
                    .is_some_and(|age| age < self.absent_ttl.as_secs());
            if current || nothing_newer {
                return Ok(Fetched {
                    bytes: entry.bytes.clone(),
                    fetched_at: entry.fetched_at,
                    origin: Origin::Cache { path, stale: None },
                });
            }
        }
        let absent = absent_path(&path);
        if entry.is_none() {
            if let Some((url, asked_at)) = read_absent(&absent) {
                let age = secs(now).checked_sub(asked_at);
                if age.is_some_and(|age| age < self.absent_ttl.as_secs()) {
                    return Err(FetchError::new(key, Some(&url), FetchErrorKind::NotFound));
                }
            }
        }
        match self.inner.fetch(key, now).await {
            Ok(fetched) => {
                if let Origin::Network { url } = &fetched.origin {
                    store(&path, key, url, &fetched)
                        .map_err(|e| FetchError::new(key, None, FetchErrorKind::Cache(e)))?;
                    let _ = std::fs::remove_file(&absent);
                }
                Ok(fetched)
            }
            Err(error) => {
                let Some(entry) = entry else {
                    if let (FetchErrorKind::NotFound, Some(url)) = (&error.kind, &error.url) {
                        // Best effort: failing to remember a 404 only costs a request.
                        let _ = store_absent(&absent, key, url, now);
                    }
                    return Err(error);
                };
                let until = entry.valid_until.map_or(0, secs);
                let by = secs(now).saturating_sub(until);
                if by <= self.grace.as_secs() {
                    Ok(Fetched {
                        bytes: entry.bytes,
                        fetched_at: entry.fetched_at,
                        origin: Origin::Cache {
                            path,
                            stale: Some(Stale {
                                by: Duration::from_secs(by),
                                refresh_error: error.kind.to_string(),
                            }),
                        },
                    })
                } else {
                    Err(error)
                }
            }
        }
    }
}

impl<S: Source> Source for Cache<S> {
    fn fetch<'a>(&'a self, key: &'a CollateralKey, now: UnixTime) -> FetchFuture<'a> {
        Box::pin(self.fetch_key(key, now))
    }
}

/// The marker beside an entry's path that the service had no such item.
fn absent_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".absent");
    path.with_file_name(name)
}

/// The URL asked and when, from a "not found" marker; `None` if there is none or it is
/// not one.
fn read_absent(path: &Path) -> Option<(String, u64)> {
    let raw = read_bounded(path, 64 << 10, "a cache marker").ok()?;
    let text = std::str::from_utf8(&raw).ok()?;
    let mut lines = text.lines();
    if lines.next() != Some(ABSENT_MAGIC) {
        return None;
    }
    let (mut url, mut at) = (None, None);
    for line in lines {
        if let Some(v) = line.strip_prefix("url: ") {
            url = Some(v.to_owned());
        } else if let Some(v) = line.strip_prefix("asked-at: ") {
            at = v.parse().ok();
        }
    }
    Some((url?, at?))
}

fn store_absent(path: &Path, key: &CollateralKey, url: &str, now: UnixTime) -> Result<(), String> {
    let one_line = |s: String| s.replace(['\n', '\r'], " ");
    let text = format!(
        "{ABSENT_MAGIC}\nkey: {}\nurl: {}\nasked-at: {}\n",
        one_line(key.to_string()),
        one_line(url.to_owned()),
        secs(now)
    );
    write_atomic(path, text.as_bytes())
}

/// Reads the entry at `path` and checks it answers `key`.
fn read_entry(path: &Path, key: &CollateralKey) -> Result<Entry, Unusable> {
    let raw = match read_bounded(path, MAX_FILE_BYTES, "a cache entry") {
        Ok(raw) => raw,
        Err(crate::ReadError::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(Unusable::Absent)
        }
        Err(_) => return Err(Unusable::Corrupt),
    };
    let split = raw
        .windows(2)
        .position(|w| w == b"\n\n")
        .ok_or(Unusable::Corrupt)?;
    let header = std::str::from_utf8(&raw[..split]).map_err(|_| Unusable::Corrupt)?;
    let bytes = raw[split + 2..].to_vec();
    let mut lines = header.lines();
    if lines.next() != Some(MAGIC) {
        return Err(Unusable::Corrupt);
    }
    let mut fetched_at = None;
    let mut checksum = None;
    for line in lines {
        if let Some(v) = line.strip_prefix("fetched-at: ") {
            fetched_at = v.parse::<u64>().ok();
        } else if let Some(v) = line.strip_prefix("sha256: ") {
            checksum = Some(v.to_owned());
        }
    }
    let fetched_at = fetched_at.ok_or(Unusable::Corrupt)?;
    if checksum.as_deref() != Some(hex::encode(Sha256::digest(&bytes)).as_str()) {
        return Err(Unusable::Corrupt);
    }
    let bundle = check_answer(key, &bytes).map_err(|_| Unusable::Corrupt)?;
    Ok(Entry {
        valid_until: valid_until(&bundle),
        bytes,
        fetched_at: from_secs(fetched_at),
    })
}

/// Writes an entry atomically: a temporary file in the same directory, renamed over the
/// entry.
fn store(path: &Path, key: &CollateralKey, url: &str, fetched: &Fetched) -> Result<(), String> {
    // Header lines hold no newline, whatever the key's text or URL holds.
    let one_line = |s: String| s.replace(['\n', '\r'], " ");
    let mut entry = format!(
        "{MAGIC}\nkey: {}\nurl: {}\nfetched-at: {}\nsha256: {}\n\n",
        one_line(key.to_string()),
        one_line(url.to_owned()),
        secs(fetched.fetched_at),
        hex::encode(Sha256::digest(&fetched.bytes))
    )
    .into_bytes();
    entry.extend_from_slice(&fetched.bytes);
    write_atomic(path, &entry)
}

/// Writes a file atomically: a temporary file in the same directory (unique to this
/// process and call), renamed over the path.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let fail = |what: &str, e: std::io::Error| format!("cannot {what} in {}: {e}", dir.display());
    std::fs::create_dir_all(dir).map_err(|e| fail("create the cache directory", e))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("entry");
    let temp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        fail("write a cache entry", e)
    })
}
