//! Full Intel DCAP verification (`Verifier::verify_tdx`) of arbitrary bytes as a quote,
//! against real Intel-signed collateral and the real Intel SGX Root CA (the default trust
//! anchors), each case at a time inside its collateral's validity window.
//!
//! The real vectors are read at start from `$VERDICT_VECTORS/tdx` (`fuzz/run.sh` sets it),
//! else `shared/vectors/tdx` beside the repository; they are never compiled in or
//! committed. Every staged case with collateral is loaded: its bundle (the raw PCS files)
//! and its pinned time (the midpoint of `valid_from`/`valid_until` in `expected.json`, as
//! `verifier/tests/tdx_real.rs` does).
//!
//! Each input is verified against one case: the case whose own quote carries the same PCK
//! certification data (a mutated real quote meets its own collateral, so mutations reach
//! the checks after the chain), else a case chosen by the input length (so inputs with a
//! mutated chain still meet some real collateral). The choice depends only on the input.
//!
//! Invariants: nothing panics; errors render; and anything that verifies has the signed
//! bytes (header ‖ body) of one of the real quotes. Intel's keys sign nothing else, so any
//! other accepted input would be a forgery the verifier let through.
//!
//! The verifier is shared across inputs with its signature and parsed-chain caches on, as
//! a service runs it: the caches change cost, never outcome (a hit needs the exact bytes
//! that verified before).
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use verifier::collateral::Bundle;
use verifier::tdx::{Quote, TdxOptions};
use verifier::time::{from_secs, parse_rfc3339, UnixTime};
use verifier::{TrustAnchors, Verifier};

struct Case {
    bundle: Bundle,
    now: UnixTime,
    /// The PCK certification data of the case's own quote.
    certification: Vec<u8>,
}

struct Ctx {
    verifier: Verifier,
    options: TdxOptions,
    cases: Vec<Case>,
    /// Signed bytes (header ‖ body) of every real quote: the only ones that may verify.
    genuine: Vec<Vec<u8>>,
}

fn vectors() -> PathBuf {
    std::env::var_os("VERDICT_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors"))
        })
        .join("tdx")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The midpoint of the case's validity window (tdx/README.md).
fn midpoint(dir: &Path) -> u64 {
    let expected: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("expected.json"))).expect("expected.json");
    let at = |field: &str| {
        expected[field]
            .as_str()
            .and_then(parse_rfc3339)
            .unwrap_or_else(|| panic!("{}: {field}", dir.display()))
            .as_secs()
    };
    let (from, until) = (at("valid_from"), at("valid_until"));
    from + (until - from) / 2
}

fn load_case(dir: &Path) -> Option<(Case, Vec<u8>)> {
    let quote = std::fs::read(dir.join("quote.bin")).ok()?;
    let mut bundle = Bundle::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("collateral"))
        .ok()?
        .map(|e| e.expect("collateral entry").path())
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name()?.to_string_lossy().into_owned();
        // The raw PCS files only: the QuoteCollateralV3 duplicate and alternative TCB
        // Infos are other tests' business (tests/tdx_real.rs).
        if name == "dcap_qvl_collateral.json" || name.starts_with("alt_") {
            continue;
        }
        bundle
            .add_bytes(&read(&path))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let parsed = Quote::parse(&quote).expect("real quote parses");
    let case = Case {
        bundle,
        now: from_secs(midpoint(dir)),
        certification: parsed.signature.certification.data.to_vec(),
    };
    Some((case, parsed.signed.to_vec()))
}

fn ctx() -> &'static Ctx {
    static CTX: OnceLock<Ctx> = OnceLock::new();
    CTX.get_or_init(|| {
        let root = vectors();
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("cases"))
            .unwrap_or_else(|e| panic!("{}: {e} (set VERDICT_VECTORS)", root.display()))
            .map(|e| e.expect("case entry").path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        let mut cases = Vec::new();
        let mut genuine = Vec::new();
        for dir in &dirs {
            if let Some((case, signed)) = load_case(dir) {
                cases.push(case);
                genuine.push(signed);
            }
        }
        assert!(!cases.is_empty(), "no TDX cases under {}", root.display());
        // Real quotes without collateral may not verify either, but they are seeds too.
        let parse_only = root.join("parse-only");
        if let Ok(entries) = std::fs::read_dir(&parse_only) {
            for path in entries.filter_map(|e| e.ok()).map(|e| e.path()) {
                let bytes = read_quote_file(&path);
                if let Some(q) = bytes.as_deref().and_then(|b| Quote::parse(b).ok()) {
                    genuine.push(q.signed.to_vec());
                }
            }
        }
        Ctx {
            verifier: Verifier::new(TrustAnchors::default()),
            options: TdxOptions::default(),
            cases,
            genuine,
        }
    })
}

/// A parse-only quote file: `.bin` raw, `.hex` hex text; anything else is not a quote.
fn read_quote_file(path: &Path) -> Option<Vec<u8>> {
    match path.extension()?.to_str()? {
        "bin" => std::fs::read(path).ok(),
        "hex" => hex::decode(std::fs::read_to_string(path).ok()?.trim()).ok(),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let ctx = ctx();
    let certification = Quote::parse(data)
        .ok()
        .map(|q| q.signature.certification.data);
    let case = certification
        .and_then(|c| {
            ctx.cases
                .iter()
                .find(|case| case.certification.as_slice() == c)
        })
        .unwrap_or_else(|| &ctx.cases[data.len() % ctx.cases.len()]);
    match ctx
        .verifier
        .verify_tdx(data, &case.bundle, &ctx.options, case.now)
    {
        Ok(verified) => {
            let signed = Quote::parse(data).expect("a verified quote parses").signed;
            assert!(
                ctx.genuine.iter().any(|g| g == signed),
                "forgery: a quote whose header and body no real quote has verified"
            );
            let _ = format!("{:?}", verified.claims());
            let _ = verified.warnings().len();
        }
        Err(e) => {
            // Error rendering is part of the API surface callers log.
            let _ = e.to_string();
            let _ = e.kind();
            let _ = e.class();
            let _ = format!("{e:?}");
        }
    }
});
