//! OCSP responses: `OcspResponse::from_der` on arbitrary bytes, then `find` and
//! `PathChecker::check_ocsp` against the real NVIDIA setA chains (the device chain and
//! both RIM chains, every certificate with its issuer), with the signature cache on.
//!
//! The chains are read at start from `$VERDICT_VECTORS/nvidia/setA_h100_550.90.07`
//! (`fuzz/run.sh` sets it), else `shared/vectors` beside the repository; nothing real is
//! compiled in or committed. `run.sh` seeds the corpus with setA's seven real responses.
//!
//! Invariants: nothing panics; every accessor of a parsed response works; errors render;
//! and anything `check_ocsp` accepts has the exact tbsResponseData of one of the real
//! responses. NVIDIA's responders signed nothing else, so any other accepted input would
//! be a forgery the verifier let through.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use verifier::collateral::Bundle;
use verifier::crypto::default_provider;
use verifier::pki::ocsp::OcspResponse;
use verifier::pki::{Certificate, PathChecker, SignatureCache};
use verifier::time::from_secs;

struct Ctx {
    /// (certificate, its issuer) for every non-root certificate of the three chains.
    pairs: Vec<(Certificate, Certificate)>,
    /// tbsResponseData of every real response: the only ones that may verify.
    genuine: Vec<Vec<u8>>,
    cache: SignatureCache,
}

fn set_a() -> PathBuf {
    std::env::var_os("VERDICT_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors"))
        })
        .join("nvidia/setA_h100_550.90.07")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e} (set VERDICT_VECTORS)", path.display()))
}

/// The certificates of a RIM's `<ds:X509Certificate>` elements, in document order.
fn rim_chain(path: &Path) -> Vec<Certificate> {
    let xml = String::from_utf8(read(path)).expect("RIM is UTF-8");
    let (open, close) = ("<ds:X509Certificate>", "</ds:X509Certificate>");
    xml.split(open)
        .skip(1)
        .map(|rest| {
            let b64 = &rest[..rest.find(close).expect("closing tag")];
            let der = verifier::evidence::decode(b64.as_bytes());
            Certificate::from_der(&der).expect("RIM certificate")
        })
        .collect()
}

fn pairs(chain: &[Certificate]) -> impl Iterator<Item = (Certificate, Certificate)> + '_ {
    chain.windows(2).map(|w| (w[0].clone(), w[1].clone()))
}

fn ctx() -> &'static Ctx {
    static CTX: OnceLock<Ctx> = OnceLock::new();
    CTX.get_or_init(|| {
        let dir = set_a();
        let mut device = Bundle::new();
        device
            .add_bytes(&read(&dir.join("device_cert_chain.pem")))
            .expect("device chain");
        let driver = rim_chain(&dir.join("NV_GPU_DRIVER_GH100_550.90.07.xml"));
        let vbios = rim_chain(&dir.join("NV_GPU_VBIOS_1010_0200_882_96009F0001.xml"));
        let mut all = Vec::new();
        for chain in [device.certificates(), driver.as_slice(), vbios.as_slice()] {
            all.extend(pairs(chain));
        }
        let mut genuine = Vec::new();
        for entry in std::fs::read_dir(dir.join("ocsp")).expect("ocsp dir") {
            let path = entry.expect("ocsp entry").path();
            if path.extension().is_some_and(|e| e == "der") {
                let response = OcspResponse::from_der(&read(&path)).expect("real response");
                genuine.push(response.tbs_response_data().to_vec());
            }
        }
        assert_eq!(genuine.len(), 7, "setA has seven responses");
        Ctx {
            pairs: all,
            genuine,
            cache: SignatureCache::default(),
        }
    })
}

fn touch(response: &OcspResponse) {
    let _ = response.der();
    let _ = response.response_status().name();
    let _ = response.response_type();
    let _ = response.tbs_response_data();
    let _ = response.responder_id().map(ToString::to_string);
    let _ = response.produced_at();
    let _ = response.nonce();
    for single in response.responses() {
        let _ = single.status.name();
        let _ = (&single.cert_id, single.this_update, single.next_update);
    }
    for cert in response.certs() {
        let _ = (cert.subject().display(), cert.extended_key_usage());
        let _ = cert.subject_public_key_bits();
    }
}

fuzz_target!(|data: &[u8]| {
    let ctx = ctx();
    let Ok(response) = OcspResponse::from_der(data) else {
        return;
    };
    touch(&response);
    let provider = default_provider();
    // Inside the August responses' window; freshness is reported, never an error, so
    // the time changes no outcome but that field.
    let checker = PathChecker {
        provider,
        cache: &ctx.cache,
        now: from_secs(1_755_777_600), // 2025-08-21T12:00:00Z
    };
    for (cert, issuer) in &ctx.pairs {
        let _ = response.find(provider, cert, issuer);
        match checker.check_ocsp(&response, cert, issuer, None) {
            Ok(status) => {
                let tbs = response.tbs_response_data();
                assert!(
                    ctx.genuine.iter().any(|g| g == tbs),
                    "accepted a response NVIDIA did not sign: {status:?}"
                );
            }
            Err(e) => {
                let _ = (e.to_string(), e.kind(), e.class());
            }
        }
    }
});
