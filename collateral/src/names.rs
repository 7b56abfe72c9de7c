//! The file name a piece of collateral is kept under, in the cache and in bundles.
//!
//! Names are readable (a person listing a bundle sees what each file is and for what)
//! and one-to-one with keys, so a key finds its file without an index. They use only
//! `[A-Za-z0-9._-]`, whatever a key holds.

use sha2::{Digest, Sha256};
use verifier::needs::{AmdSigner, CollateralKey};

/// The file name for `key`, or `None` for a key no service serves (and so is never
/// fetched or stored by key).
pub fn file_name(key: &CollateralKey) -> Option<String> {
    let name = match key {
        CollateralKey::AmdChain {
            product: Some(product),
            signer,
        } => format!("amd-{product}-{}-chain.pem", signer_ca(*signer)),
        CollateralKey::AmdVcek {
            product: Some(product),
            hw_id,
            tcb,
        } => {
            let fmc = tcb.fmc.map(|f| format!("fmc{f}-")).unwrap_or_default();
            format!(
                "amd-{product}-vcek-{}-{fmc}bl{}-tee{}-snp{}-ucode{}.der",
                hex::encode(hw_id),
                tcb.bootloader,
                tcb.tee,
                tcb.snp,
                tcb.microcode
            )
        }
        // A v2 report's VCEK, asked before its product line is known.
        CollateralKey::AmdVcek {
            product: None,
            hw_id,
            tcb,
        } => format!(
            "amd-vcek-{}-bl{}-tee{}-snp{}-ucode{}.der",
            hex::encode(hw_id),
            tcb.bootloader,
            tcb.tee,
            tcb.snp,
            tcb.microcode
        ),
        CollateralKey::AmdCrl { product, signer } => {
            format!("amd-{product}-{}-crl.der", signer_ca(*signer))
        }
        CollateralKey::IntelTcbInfo { tee, fmspc } => {
            format!("intel-{}-tcb-info-{}.json", tee.name(), hex::encode(fmspc))
        }
        CollateralKey::IntelQeIdentity { tee } => {
            format!("intel-{}-qe-identity.json", tee.name())
        }
        CollateralKey::IntelTcbSigning => "intel-tcb-signing-chain.pem".to_owned(),
        CollateralKey::IntelRootCaCrl => "intel-root-ca-crl.der".to_owned(),
        CollateralKey::IntelPckCrl { ca } => format!("intel-pck-{}-ca-crl.der", ca.name()),
        CollateralKey::IntelPckCaChain { ca } => format!("intel-pck-{}-ca-chain.pem", ca.name()),
        // The encrypted PPID is 768 hex digits: a SHA-256 of it and the QE-ID names the
        // platform instead.
        CollateralKey::IntelPckCertificate {
            encrypted_ppid,
            cpusvn,
            pcesvn,
            pceid,
            qe_id,
        } => {
            let ppid = Sha256::new()
                .chain_update(encrypted_ppid)
                .chain_update(qe_id)
                .finalize();
            format!(
                "intel-pck-cert-{}-cpusvn{}-pcesvn{pcesvn}-pceid{}.pem",
                hex::encode(&ppid[..12]),
                hex::encode(cpusvn),
                hex::encode(pceid.to_le_bytes())
            )
        }
        CollateralKey::NvidiaRim { id, .. } if !id.is_empty() => {
            format!("nvidia-rim-{}.xml", safe(id))
        }
        CollateralKey::NvidiaOcsp(target) => {
            // The serial alone is unique only per issuer.
            let issuer = Sha256::digest(&target.issuer);
            format!(
                "nvidia-ocsp-{}-{}.der",
                safe(&target.serial),
                hex::encode(&issuer[..6])
            )
        }
        _ => return None,
    };
    Some(name)
}

fn signer_ca(signer: AmdSigner) -> &'static str {
    match signer {
        AmdSigner::Vcek => "ask-ark",
        AmdSigner::Vlek => "asvk-ark",
    }
}

/// Text from a key (an id from a report) made safe for a file name: anything outside
/// `[A-Za-z0-9._-]` becomes `_`, a leading dot too, and it is cut to 100 bytes.
fn safe(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    if out.starts_with('.') || out.is_empty() {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use verifier::needs::{IntelTee, OcspTarget};
    use verifier::nvidia::RimKind;
    use verifier::snp::{Product, TcbParts};

    #[test]
    fn names_say_what_the_file_is() {
        let tcb = TcbParts {
            fmc: None,
            bootloader: 3,
            tee: 0,
            snp: 8,
            microcode: 115,
        };
        let vcek = CollateralKey::AmdVcek {
            product: Some(Product::Milan),
            hw_id: vec![0xab; 64],
            tcb,
        };
        assert_eq!(
            file_name(&vcek).unwrap(),
            format!(
                "amd-Milan-vcek-{}-bl3-tee0-snp8-ucode115.der",
                "ab".repeat(64)
            )
        );
        let tdx = CollateralKey::IntelTcbInfo {
            tee: IntelTee::Tdx,
            fmspc: [0xb0, 0xc0, 0x6f, 0, 0, 0],
        };
        assert_eq!(
            file_name(&tdx).unwrap(),
            "intel-tdx-tcb-info-b0c06f000000.json"
        );
        assert_eq!(file_name(&CollateralKey::NvidiaDeviceChain), None);
        let pck = |ppid: u8| CollateralKey::IntelPckCertificate {
            encrypted_ppid: vec![ppid; 384],
            cpusvn: [1; 16],
            pcesvn: 13,
            pceid: 0,
            qe_id: [3; 16],
        };
        let name = file_name(&pck(1)).unwrap();
        assert!(name.starts_with("intel-pck-cert-"), "{name}");
        assert!(
            name.ends_with(&format!(
                "-cpusvn{}-pcesvn13-pceid0000.pem",
                "01".repeat(16)
            )),
            "{name}"
        );
        assert_ne!(name, file_name(&pck(2)).unwrap());
        assert_eq!(
            file_name(&CollateralKey::IntelPckCaChain {
                ca: verifier::needs::PckCa::Processor
            })
            .unwrap(),
            "intel-pck-processor-ca-chain.pem"
        );
    }

    #[test]
    fn ids_from_reports_cannot_leave_the_directory() {
        let rim = CollateralKey::NvidiaRim {
            kind: RimKind::Driver,
            id: "../../etc/passwd".into(),
            chip: "GH100".into(),
            version: "1".into(),
        };
        let name = file_name(&rim).unwrap();
        assert_eq!(name, "nvidia-rim-_.._.._etc_passwd.xml");
        assert!(!name.contains('/'));
        let target = |issuer: &[u8]| {
            CollateralKey::NvidiaOcsp(OcspTarget {
                subject: "x".into(),
                serial: "0a/..".into(),
                certificate: vec![1],
                issuer: issuer.to_vec(),
            })
        };
        let a = file_name(&target(b"issuer a")).unwrap();
        assert!(a.starts_with("nvidia-ocsp-0a_..-"), "{a}");
        assert_ne!(a, file_name(&target(b"issuer b")).unwrap());
    }
}
