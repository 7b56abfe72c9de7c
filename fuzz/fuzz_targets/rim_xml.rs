//! NVIDIA RIMs: `nvidia::rim::Rim::parse` on arbitrary bytes (the XML tree, the SWID
//! content, the XMLDSig profile and both canonicalizations), then on success
//! `verify_signature` (twice: the second run takes the memoized, cached path) and
//! `verify_chain` to the real NVIDIA RIM root; and `canonicalize_document` with each
//! algorithm.
//!
//! The real RIMs are read at start from `$VERDICT_VECTORS/nvidia` (`fuzz/run.sh` sets it),
//! else `shared/vectors/nvidia` beside the repository; they are never compiled in or
//! committed. Those whose signature and chain verify are the genuine ones.
//!
//! Invariants: nothing panics; errors render; verifying twice gives the same result;
//! canonicalization is idempotent (the canonical form of a canonical form is itself);
//! and an input whose signature verifies with a chain to the pinned NVIDIA root signs
//! exactly the canonical SignedInfo and document of one of the genuine RIMs: anything
//! else would be a forgery the verifier let through.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use verifier::anchors::NVIDIA_RIM_ROOT_CA;
use verifier::crypto::{default_provider, CryptoProvider};
use verifier::nvidia::rim::{canonicalize_document, C14nMethod, Rim};
use verifier::pki::{PathChecker, SignatureCache};
use verifier::time::from_secs;

struct Ctx {
    provider: &'static dyn CryptoProvider,
    cache: SignatureCache,
    /// (canonical SignedInfo, canonical document) of every genuine real RIM.
    genuine: Vec<(Vec<u8>, Vec<u8>)>,
}

fn vectors() -> PathBuf {
    std::env::var_os("VERDICT_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors"))
        })
        .join("nvidia")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "xml" || e == "swidtag")
        {
            out.push(path);
        }
    }
}

/// A time inside the signer's validity: its notBefore plus a day.
fn signing_time(rim: &Rim) -> u64 {
    rim.certificates()
        .first()
        .map_or(0, |c| c.not_before().as_secs().saturating_add(86_400))
}

fn verifies(ctx: &Ctx, rim: &Rim) -> bool {
    if rim.verify_signature(ctx.provider, &ctx.cache).is_err() {
        return false;
    }
    let checker = PathChecker {
        provider: ctx.provider,
        cache: &ctx.cache,
        now: from_secs(signing_time(rim)),
    };
    rim.verify_chain(&checker, &[NVIDIA_RIM_ROOT_CA]).is_ok()
}

fn ctx() -> &'static Ctx {
    static CTX: OnceLock<Ctx> = OnceLock::new();
    CTX.get_or_init(|| {
        let mut ctx = Ctx {
            provider: default_provider(),
            cache: SignatureCache::default(),
            genuine: Vec::new(),
        };
        let mut files = Vec::new();
        collect(&vectors(), &mut files);
        files.sort();
        let mut genuine = Vec::new();
        for path in &files {
            let bytes = std::fs::read(path).unwrap_or_default();
            if let Ok(rim) = Rim::parse(&bytes) {
                if verifies(&ctx, &rim) {
                    genuine.push((
                        rim.canonical_signed_info().to_vec(),
                        rim.canonical_document().to_vec(),
                    ));
                }
            }
        }
        assert!(
            !genuine.is_empty(),
            "no genuine RIM under {} (set VERDICT_VECTORS)",
            vectors().display()
        );
        ctx.genuine = genuine;
        ctx
    })
}

fuzz_target!(|data: &[u8]| {
    let ctx = ctx();
    for method in [
        C14nMethod::C14n10,
        C14nMethod::C14n11,
        C14nMethod::ExclusiveC14n,
    ] {
        match canonicalize_document(data, method) {
            Ok(canonical) => {
                let again = canonicalize_document(&canonical, method)
                    .unwrap_or_else(|e| panic!("canonical form does not parse: {e}"));
                assert_eq!(again, canonical, "{method:?} is not idempotent");
            }
            Err(e) => {
                let _ = (e.to_string(), e.kind(), e.class());
            }
        }
    }
    let rim = match Rim::parse(data) {
        Ok(rim) => rim,
        Err(e) => {
            let _ = (e.to_string(), e.kind(), e.class());
            return;
        }
    };
    let _ = (
        rim.colloquial_version(),
        rim.product(),
        rim.edition(),
        rim.tag_id(),
        rim.manufacturer_id(),
        rim.measurements().len(),
        rim.certificates().len(),
    );
    let first = rim.verify_signature(ctx.provider, &ctx.cache);
    let second = rim.verify_signature(ctx.provider, &ctx.cache);
    assert_eq!(first, second, "verification is not repeatable");
    if let Err(e) = &first {
        let _ = e.to_string();
    }
    if verifies(ctx, &rim) {
        let signed = (
            rim.canonical_signed_info().to_vec(),
            rim.canonical_document().to_vec(),
        );
        assert!(
            ctx.genuine.contains(&signed),
            "an input that is no genuine RIM verified"
        );
    }
});
