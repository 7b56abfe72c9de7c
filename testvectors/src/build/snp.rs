//! Synthetic SEV-SNP reports: a valid report for a fake [`AmdPki`], any field changeable,
//! serialized with the verifier's own encoder and signed by the fake VCEK or VLEK.

use verifier::collateral::Bundle;
use verifier::snp::{
    AttestationReport, Cpuid, FirmwareVersion, GuestPolicy, KeyInfo, PlatformInfo, Product,
    ReportSignature, SigningKey,
};
use verifier::TrustAnchors;

use crate::pki::amd::{AmdPki, Signer};
use crate::pki::to_pem;

/// CPUID family and model of a representative part of each product line.
pub fn cpuid(product: Product) -> Cpuid {
    let (family, model) = match product {
        Product::Milan => (0x19, 0x01),
        Product::Genoa => (0x19, 0x11),
        Product::Turin => (0x1A, 0x02),
    };
    Cpuid {
        family,
        model,
        stepping: 1,
    }
}

/// A valid v3 report for `pki`, to be signed by `signer`: REPORTED, CURRENT, COMMITTED and
/// LAUNCH TCB equal the leaf's certified TCB; CHIP_ID is the VCEK's hwID (zero, as on
/// AWS, for a VLEK); every byte field has a distinct fill so mix-ups show.
pub fn report(pki: &AmdPki, signer: Signer) -> AttestationReport {
    let tcb = pki.reported_tcb(signer);
    let version = FirmwareVersion {
        major: 1,
        minor: 55,
        build: 40,
    };
    AttestationReport {
        version: 3,
        guest_svn: 7,
        policy: GuestPolicy(0x3_0000),
        family_id: [0x01; 16],
        image_id: [0x02; 16],
        vmpl: 0,
        signature_algo: 1,
        current_tcb: tcb,
        platform_info: PlatformInfo(0x25),
        key_info: KeyInfo {
            author_key_en: false,
            mask_chip_key: false,
            signing_key: match signer {
                Signer::Vcek => SigningKey::Vcek,
                Signer::Vlek => SigningKey::Vlek,
            },
        },
        report_data: [0xAA; 64],
        measurement: [0x11; 48],
        host_data: [0x22; 32],
        id_key_digest: [0x33; 48],
        author_key_digest: [0; 48],
        report_id: [0x44; 32],
        report_id_ma: [0xFF; 32],
        reported_tcb: tcb,
        cpuid: Some(cpuid(pki.product)),
        chip_id: match signer {
            Signer::Vcek => pki.chip_id,
            Signer::Vlek => [0; 64],
        },
        committed_tcb: tcb,
        current_version: version,
        committed_version: version,
        launch_tcb: tcb,
        launch_mit_vector: None,
        current_mit_vector: None,
        signature: ReportSignature {
            r: [0; 72],
            s: [0; 72],
        },
    }
}

/// Serializes `report` and signs it with `signer`'s key from `pki`.
pub fn sign(pki: &AmdPki, signer: Signer, report: &AttestationReport) -> Vec<u8> {
    let mut bytes = report.to_bytes().to_vec();
    pki.sign_report(signer, &mut bytes);
    bytes
}

/// The collateral a verifier needs for `signer`: the KDS-style chain PEM and the leaf.
pub fn bundle(pki: &AmdPki, signer: Signer) -> Bundle {
    let chain = match signer {
        Signer::Vcek => pki.ask_ark_pem(),
        Signer::Vlek => pki.asvk_ark_pem(),
    };
    crate::bundle_from_bytes(&[
        chain.into_bytes(),
        to_pem("CERTIFICATE", pki.leaf(signer)).into_bytes(),
    ])
}

/// `count` VCEKs of other chips, for a fleet-sized bundle: `pki`'s VCEK spec with a
/// distinct hwID (`SHA-512("verdict fleet chip {i}")`, Turin's 8 bytes on Turin) and
/// serial each. They carry `pki`'s VCEK signature, which does not cover their contents,
/// so none verifies: signing thousands with the RSA-4096 ASK would take minutes, and a
/// verifier never reaches the chain of a VCEK whose hwID does not fit the report.
pub fn decoy_vceks(pki: &AmdPki, count: usize) -> Vec<Vec<u8>> {
    use sha2::Digest as _;
    let signature = verifier::pki::Certificate::from_der(pki.leaf(Signer::Vcek))
        .expect("the fake VCEK parses")
        .signature()
        .to_vec();
    let mut spec = pki.specs.vcek.clone();
    // The key is the same for all: derive its SubjectPublicKeyInfo once, not per decoy.
    spec.spki_override = Some(spec.spki_der());
    let len = pki.product.hwid_len();
    (0..count)
        .map(|i| {
            let id = sha2::Sha512::digest(format!("verdict fleet chip {i}"));
            spec.set_hwid(&id[..len]);
            spec.set_serial(u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1));
            spec.build_with_signature(&signature)
        })
        .collect()
}

/// Trust anchors pinning the fake ARK of each given PKI (and nothing else).
pub fn anchors(pkis: &[&AmdPki]) -> TrustAnchors {
    TrustAnchors {
        amd_ark: pkis
            .iter()
            .map(|p| (p.product, p.ark_spki_sha256()))
            .collect(),
        ..TrustAnchors::empty()
    }
}
