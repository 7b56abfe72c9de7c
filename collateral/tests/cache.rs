//! The on-disk cache: expiry by the collateral's own nextUpdate, corrupt entries dropped
//! and fetched again, the grace period, and processes writing one entry at once.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use collateral::{Cache, FetchError, FetchErrorKind, FetchFuture, Fetched, Origin, Source};
use verifier::needs::{CollateralKey, IntelTee};
use verifier::time::{from_secs, parse_rfc3339, UnixTime};

const CASE: &str = "tdx-v4-phala-b0c06f-uptodate";
/// The case's TCB Info: issued 2025-06-19T10:16:03Z, nextUpdate 2025-07-19T10:16:03Z.
const NEXT_UPDATE: &str = "2025-07-19T10:16:03Z";

fn tcb_info() -> Vec<u8> {
    std::fs::read(
        testvectors::real::tdx_dir()
            .join("cases")
            .join(CASE)
            .join("collateral/tcb_info.json"),
    )
    .unwrap()
}

fn key() -> CollateralKey {
    CollateralKey::IntelTcbInfo {
        tee: IntelTee::Tdx,
        fmspc: [0xb0, 0xc0, 0x6f, 0, 0, 0],
    }
}

fn at(text: &str) -> UnixTime {
    parse_rfc3339(text).unwrap()
}

/// A source that serves fixed bytes as if from the network, counting requests; it can
/// be switched to fail.
struct Counting {
    bytes: Vec<u8>,
    calls: AtomicUsize,
    failing: AtomicBool,
    not_found: AtomicBool,
}

impl Counting {
    fn new(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            calls: AtomicUsize::new(0),
            failing: AtomicBool::new(false),
            not_found: AtomicBool::new(false),
        }
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl Source for Counting {
    fn fetch<'a>(&'a self, key: &'a CollateralKey, now: UnixTime) -> FetchFuture<'a> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.not_found.load(Ordering::SeqCst) {
                return Err(FetchError::new(
                    key,
                    Some("http://127.0.0.1/tcb"),
                    FetchErrorKind::NotFound,
                ));
            }
            if self.failing.load(Ordering::SeqCst) {
                return Err(FetchError::new(
                    key,
                    Some("http://127.0.0.1/tcb"),
                    FetchErrorKind::Status {
                        status: 503,
                        attempts: 4,
                    },
                ));
            }
            Ok(Fetched {
                bytes: self.bytes.clone(),
                fetched_at: now,
                origin: Origin::Network {
                    url: "http://127.0.0.1/tcb".into(),
                },
            })
        })
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verdict-cache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn fetch<S: Source>(cache: &Cache<S>, now: UnixTime) -> Result<Fetched, FetchError> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(cache.fetch(&key(), now))
}

#[test]
fn entries_are_served_until_their_next_update_then_fetched_again() {
    let dir = scratch("expiry");
    let cache = Cache::new(&dir, Counting::new(tcb_info()));
    let first = fetch(&cache, at("2025-07-01T00:00:00Z")).unwrap();
    assert!(matches!(first.origin, Origin::Network { .. }));
    assert_eq!(first.bytes, tcb_info());
    // Current: no second request, whatever the time inside the validity.
    for t in ["2025-07-01T00:00:01Z", NEXT_UPDATE] {
        let again = fetch(&cache, at(t)).unwrap();
        assert!(
            matches!(again.origin, Origin::Cache { stale: None, .. }),
            "{t}: {:?}",
            again.origin
        );
        assert_eq!(again.bytes, tcb_info());
        // The fetch time is the first fetch's, as recorded in the entry.
        assert_eq!(again.fetched_at, at("2025-07-01T00:00:00Z"));
    }
    assert_eq!(cache_inner_calls(&cache), 1);
    // A second past nextUpdate: asked again.
    let later = fetch(&cache, at("2025-07-19T10:16:04Z")).unwrap();
    assert!(matches!(later.origin, Origin::Network { .. }));
    assert_eq!(cache_inner_calls(&cache), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn cache_inner_calls(cache: &Cache<Counting>) -> usize {
    cache.inner().calls()
}

#[test]
fn a_corrupt_entry_is_dropped_and_fetched_again() {
    let dir = scratch("corrupt");
    let cache = Cache::new(&dir, Counting::new(tcb_info()));
    let now = at("2025-07-01T00:00:00Z");
    fetch(&cache, now).unwrap();
    let path = cache.entry_path(&key()).unwrap();
    let good = std::fs::read(&path).unwrap();
    let corruptions: Vec<(&str, Vec<u8>)> = vec![
        ("a flipped byte in the body", {
            let mut b = good.clone();
            let last = b.len() - 10;
            b[last] ^= 1;
            b
        }),
        ("a truncated entry", good[..good.len() / 2].to_vec()),
        ("no header", tcb_info()),
        ("empty", Vec::new()),
        // A valid checksum over bytes that do not answer the key.
        ("another FMSPC's TCB Info", {
            let other = tcb_info_of_another_fmspc();
            rewrite_entry(&good, &other)
        }),
    ];
    for (i, (what, bytes)) in corruptions.into_iter().enumerate() {
        std::fs::write(&path, &bytes).unwrap();
        let fetched = fetch(&cache, now).unwrap();
        assert!(
            matches!(fetched.origin, Origin::Network { .. }),
            "{what}: {:?}",
            fetched.origin
        );
        assert_eq!(fetched.bytes, tcb_info(), "{what}");
        assert_eq!(cache_inner_calls(&cache), i + 2, "{what}");
        assert_eq!(std::fs::read(&path).unwrap(), good, "{what}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An entry whose body is `body`, with a checksum that matches it.
fn rewrite_entry(good: &[u8], body: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let text = String::from_utf8_lossy(good);
    let header_end = text.find("\n\n").unwrap();
    let header: String = text[..header_end]
        .lines()
        .map(|l| {
            if l.starts_with("sha256: ") {
                format!("sha256: {}", hex::encode(Sha256::digest(body)))
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = format!("{header}\n\n").into_bytes();
    out.extend_from_slice(body);
    out
}

fn tcb_info_of_another_fmspc() -> Vec<u8> {
    std::fs::read(
        testvectors::real::tdx_dir()
            .join("cases/tdx-v4-phala-near-20a06f-uptodate/collateral/tcb_info.json"),
    )
    .unwrap()
}

#[test]
fn stale_entries_are_served_only_within_the_grace_period() {
    let dir = scratch("grace");
    let now = at("2025-07-01T00:00:00Z");
    let past_by_ten = from_secs(verifier::time::secs(at(NEXT_UPDATE)) + 10);
    // Fill the cache, then make the source fail.
    let cache = Cache::new(&dir, Counting::new(tcb_info()));
    fetch(&cache, now).unwrap();
    cache.inner().failing.store(true, Ordering::SeqCst);
    // No grace: the refresh failure is the answer.
    let err = fetch(&cache, past_by_ten).unwrap_err();
    assert!(
        matches!(err.kind, FetchErrorKind::Status { status: 503, .. }),
        "{err}"
    );
    // Grace of a minute: the old entry, marked stale, with why.
    let cache = Cache::new(&dir, Counting::new(tcb_info())).with_grace(Duration::from_secs(60));
    cache.inner().failing.store(true, Ordering::SeqCst);
    let fetched = fetch(&cache, past_by_ten).unwrap();
    match &fetched.origin {
        Origin::Cache {
            stale: Some(stale), ..
        } => {
            assert_eq!(stale.by, Duration::from_secs(10));
            assert!(
                stale.refresh_error.contains("503"),
                "{}",
                stale.refresh_error
            );
        }
        other => panic!("not stale: {other:?}"),
    }
    // Past the grace period: the error again.
    let past_grace = from_secs(verifier::time::secs(at(NEXT_UPDATE)) + 61);
    assert!(fetch(&cache, past_grace).is_err());
    // A working source refreshes the entry instead.
    cache.inner().failing.store(false, Ordering::SeqCst);
    let fresh = fetch(&cache, past_by_ten).unwrap();
    assert!(matches!(fresh.origin, Origin::Network { .. }));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Run as a child process by the next test: writes the entry many times.
#[test]
#[ignore = "a helper process for processes_writing_one_entry_at_once_never_leave_a_partial_entry"]
fn cache_writer_process() {
    let Ok(dir) = std::env::var("VERDICT_CACHE_WRITER_DIR") else {
        return;
    };
    for i in 0..40u64 {
        // Every round writes: nothing is taken for "the service has nothing newer".
        let cache = Cache::new(&dir, Counting::new(tcb_info())).with_absent_ttl(Duration::ZERO);
        // Past the previous entry's validity each time, so every round writes.
        let t = from_secs(verifier::time::secs(at(NEXT_UPDATE)) + 1 + i);
        fetch_with_expired(&cache, t);
    }
}

fn fetch_with_expired(cache: &Cache<Counting>, now: UnixTime) {
    let fetched = fetch(cache, now).unwrap();
    assert_eq!(fetched.bytes, tcb_info());
}

#[test]
fn processes_writing_one_entry_at_once_never_leave_a_partial_entry() {
    let dir = scratch("processes");
    std::fs::create_dir_all(&dir).unwrap();
    let spawn = || {
        std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "cache_writer_process",
                "--ignored",
                "--test-threads=1",
            ])
            .env("VERDICT_CACHE_WRITER_DIR", &dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut writers = [spawn(), spawn(), spawn()];
    // Meanwhile, every read finds a whole entry or none.
    let reader = Cache::new(&dir, Counting::new(tcb_info()));
    let path = reader.entry_path(&key()).unwrap();
    let mut reads = 0;
    while writers.iter_mut().any(|w| w.try_wait().unwrap().is_none()) {
        if path.exists() {
            let fetched = fetch(&reader, at("2025-07-01T00:00:00Z")).unwrap();
            assert_eq!(fetched.bytes, tcb_info());
            reads += 1;
        }
    }
    for mut w in writers {
        assert!(w.wait().unwrap().success());
    }
    // Every read was served from the cache: none found a partial entry to drop.
    assert_eq!(reader.inner().calls(), 0, "after {reads} reads");
    assert_no_temporary_files(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn assert_no_temporary_files(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_not_found_answer_is_remembered_for_its_ttl() {
    let dir = scratch("absent");
    let cache =
        Cache::new(&dir, Counting::new(tcb_info())).with_absent_ttl(Duration::from_secs(3600));
    cache.inner().not_found.store(true, Ordering::SeqCst);
    let asked = at("2025-07-01T00:00:00Z");
    let err = fetch(&cache, asked).unwrap_err();
    assert_eq!(err.kind, FetchErrorKind::NotFound);
    assert_eq!(cache.inner().calls(), 1);
    // Within the hour: the same answer, naming the URL, without asking.
    let err = fetch(&cache, at("2025-07-01T00:59:00Z")).unwrap_err();
    assert_eq!(err.kind, FetchErrorKind::NotFound);
    assert_eq!(err.url.as_deref(), Some("http://127.0.0.1/tcb"));
    assert_eq!(cache.inner().calls(), 1);
    // After it, or before it was asked (a pinned time), the service is asked again; once
    // it has the item, the marker goes.
    cache.inner().not_found.store(false, Ordering::SeqCst);
    fetch(&cache, at("2025-07-01T01:00:01Z")).unwrap();
    assert_eq!(cache.inner().calls(), 2);
    let marker = dir.join(format!(
        "{}.absent",
        cache
            .entry_path(&key())
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
    ));
    assert!(!marker.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_answer_already_expired_when_fetched_is_not_asked_again_within_the_ttl() {
    // The service's answer was past its nextUpdate when fetched: it had nothing newer.
    let dir = scratch("nothing-newer");
    let cache =
        Cache::new(&dir, Counting::new(tcb_info())).with_absent_ttl(Duration::from_secs(3600));
    let after = from_secs(verifier::time::secs(at(NEXT_UPDATE)) + 100);
    let first = fetch(&cache, after).unwrap();
    assert!(matches!(first.origin, Origin::Network { .. }));
    // Within the hour: the same answer from the cache.
    let within = from_secs(verifier::time::secs(after) + 3599);
    let again = fetch(&cache, within).unwrap();
    assert!(
        matches!(again.origin, Origin::Cache { stale: None, .. }),
        "{:?}",
        again.origin
    );
    assert_eq!(cache.inner().calls(), 1);
    // After it: asked again.
    fetch(&cache, from_secs(verifier::time::secs(within) + 1)).unwrap();
    assert_eq!(cache.inner().calls(), 2);
    // An entry that was current when fetched and has since expired is asked again at
    // once (the expiry test above), never served from this rule.
    std::fs::remove_dir_all(&dir).unwrap();
}
