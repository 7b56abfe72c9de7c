//! Full SEV-SNP verification of arbitrary report bytes against complete collateral: the
//! committed fake AMD PKIs of `testvectors` (Milan, Genoa, Turin; VCEK and VLEK chains and
//! CRLs), pinned as the only trust anchors. Seeded with the bundled example report, which
//! verifies, so mutations reach every check past parsing.
//!
//! Invariants: nothing panics, and the only input that verifies is the example report
//! itself (no fake key signs anything else, so any other accepted input would be a
//! forgery the verifier let through).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use verifier::collateral::Bundle;
use verifier::crypto::{default_provider, HashAlg};
use verifier::snp::{Product, SnpOptions};
use verifier::{time, TrustAnchors, Verifier};

const EXAMPLE: &[u8] = include_bytes!("../../examples/snp/report.bin");

macro_rules! data {
    ($p:literal, $f:literal) => {
        include_bytes!(concat!("../../testvectors/data/amd/", $p, "/", $f)).as_slice()
    };
}

struct Ctx {
    verifier: Verifier,
    bundle: Bundle,
    options: SnpOptions,
}

fn ctx() -> &'static Ctx {
    static CTX: OnceLock<Ctx> = OnceLock::new();
    CTX.get_or_init(|| {
        let files: [&[u8]; 15] = [
            data!("milan", "ask_ark.pem"),
            data!("milan", "asvk_ark.pem"),
            data!("milan", "vcek.der"),
            data!("milan", "vlek.der"),
            data!("milan", "crl.der"),
            data!("genoa", "ask_ark.pem"),
            data!("genoa", "asvk_ark.pem"),
            data!("genoa", "vcek.der"),
            data!("genoa", "vlek.der"),
            data!("genoa", "crl.der"),
            data!("turin", "ask_ark.pem"),
            data!("turin", "asvk_ark.pem"),
            data!("turin", "vcek.der"),
            data!("turin", "vlek.der"),
            data!("turin", "crl.der"),
        ];
        let mut bundle = Bundle::new();
        for f in files {
            bundle
                .add_bytes(f)
                .expect("committed fake collateral parses");
        }
        let amd_ark = bundle
            .certificates()
            .iter()
            .filter_map(|c| {
                let product = Product::from_name(c.subject().common_name()?.strip_prefix("ARK-")?)?;
                let mut pin = [0u8; 32];
                pin.copy_from_slice(
                    default_provider()
                        .hash(HashAlg::Sha256, &[c.spki_der()])
                        .as_ref(),
                );
                Some((product, pin))
            })
            .collect();
        Ctx {
            // The fake AMD roots are the only anchors: no Intel or NVIDIA root (this
            // target is SNP).
            verifier: Verifier::new(TrustAnchors {
                amd_ark,
                ..TrustAnchors::empty()
            }),
            bundle,
            options: SnpOptions::default(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let ctx = ctx();
    // testvectors' DEFAULT_NOW (2024-06-01): every fake certificate and CRL is current.
    let now = time::from_secs(1_717_200_000);
    match ctx
        .verifier
        .verify_snp(data, &ctx.bundle, &ctx.options, now)
    {
        Ok(v) => {
            assert_eq!(
                data, EXAMPLE,
                "a report other than the signed example verified"
            );
            let _ = v.claims().measurement.len();
        }
        Err(e) => {
            let _ = (e.to_string(), e.class(), e.kind());
        }
    }
});
