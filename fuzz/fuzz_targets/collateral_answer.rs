//! Fetched collateral: `collateral::check_answer` (is this response what was asked for?)
//! on arbitrary bytes, for one key of every kind a fetcher asks, and `valid_until` on what
//! it accepts. A vendor response, a cache entry and a bundle file all pass through it
//! before anything else reads them.
//!
//! The OCSP keys name the real NVIDIA setA device chain (read at start from
//! `$VERDICT_VECTORS/nvidia/setA_h100_550.90.07`, else `shared/vectors` beside the
//! repository); `run.sh` seeds the corpus with real collateral of every kind.
//!
//! Invariants: nothing panics; an accepted answer parses to a non-empty bundle, checking it
//! again gives the same bundle, and its validity is computable.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use verifier::collateral::Bundle;
use verifier::needs::{AmdSigner, CollateralKey, IntelTee, OcspTarget, PckCa, RimKind};
use verifier::pki::Certificate;
use verifier::snp::{Product, TcbParts};

fn keys() -> &'static [CollateralKey] {
    static KEYS: OnceLock<Vec<CollateralKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let tcb = TcbParts {
            fmc: None,
            bootloader: 3,
            tee: 0,
            snp: 8,
            microcode: 115,
        };
        let mut keys = vec![
            CollateralKey::AmdChain {
                product: Some(Product::Milan),
                signer: AmdSigner::Vcek,
            },
            CollateralKey::AmdChain {
                product: None,
                signer: AmdSigner::Vlek,
            },
            CollateralKey::AmdVcek {
                product: Some(Product::Milan),
                hw_id: vec![0xab; 64],
                tcb,
            },
            CollateralKey::AmdVcek {
                product: None,
                hw_id: vec![0xab; 64],
                tcb,
            },
            CollateralKey::AmdCrl {
                product: Product::Genoa,
                signer: AmdSigner::Vcek,
            },
            CollateralKey::IntelTcbInfo {
                tee: IntelTee::Tdx,
                fmspc: [0xb0, 0xc0, 0x6f, 0, 0, 0],
            },
            CollateralKey::IntelQeIdentity { tee: IntelTee::Sgx },
            CollateralKey::IntelTcbSigning,
            CollateralKey::IntelRootCaCrl,
            CollateralKey::IntelPckCrl { ca: PckCa::Platform },
            CollateralKey::IntelPckCertificate {
                encrypted_ppid: vec![0x5a; 384],
                cpusvn: [3; 16],
                pcesvn: 13,
                pceid: 0,
                qe_id: [7; 16],
            },
            CollateralKey::IntelPckCaChain { ca: PckCa::Processor },
            CollateralKey::NvidiaRim {
                kind: RimKind::Driver,
                id: "NV_GPU_DRIVER_GH100_550.90.07".into(),
                chip: "GH100".into(),
                version: "550.90.07".into(),
            },
        ];
        let dir = std::env::var_os("VERDICT_VECTORS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors"))
            })
            .join("nvidia/setA_h100_550.90.07/device_cert_chain.pem");
        let pem = std::fs::read(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (set VERDICT_VECTORS)", dir.display()));
        let mut chain = Bundle::new();
        chain.add_bytes(&pem).expect("device chain");
        let certs: &[Certificate] = chain.certificates();
        for pair in certs.windows(2) {
            keys.push(CollateralKey::NvidiaOcsp(OcspTarget {
                subject: pair[0].subject().display().to_owned(),
                serial: hex::encode(pair[0].serial()),
                certificate: pair[0].der().to_vec(),
                issuer: pair[1].der().to_vec(),
            }));
        }
        keys
    })
}

fuzz_target!(|data: &[u8]| {
    for key in keys() {
        if let Ok(bundle) = collateral::check_answer(key, data) {
            assert!(!bundle.is_empty(), "{key}: an accepted answer holds something");
            let again = collateral::check_answer(key, data).expect("accepted twice");
            assert_eq!(again, bundle, "{key}");
            let _ = collateral::valid_until(&bundle);
        }
    }
});
