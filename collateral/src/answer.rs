//! Whether bytes answer a key, and until when they are good.
//!
//! A fetched response, a cache entry and a bundle file are all checked here before they
//! are used: a response that is not what was asked for (another FMSPC's TCB Info, another
//! chip's VCEK, a certificate where a CRL was asked) is refused with a reason naming what
//! it is instead. Nothing here is a verification — signatures, chains and dates are the
//! verifier's — only a check that a source kept its side of the request.

use verifier::collateral::Bundle;
use verifier::needs::{AmdSigner, CollateralKey, IntelTee, PckCa};
use verifier::pki::Certificate;
use verifier::snp::{Product, VekExtensions};
use verifier::tdx::TcbInfoId;
use verifier::time::UnixTime;

/// Checks that `bytes` are collateral answering `key`, and returns them parsed.
///
/// # Errors
/// A sentence saying what the bytes are instead, or why they do not parse.
pub fn check_answer(key: &CollateralKey, bytes: &[u8]) -> Result<Bundle, String> {
    let mut bundle = Bundle::new();
    bundle
        .add_bytes(bytes)
        .map_err(|e| format!("it is not collateral Verdict reads: {e}"))?;
    match key {
        CollateralKey::AmdChain { product, signer } => {
            only(&bundle, Kind::Certificates)?;
            let (ca, ark) = amd_names(*product, *signer);
            for (role, expected) in [("CA", &ca), ("root", &ark)] {
                if !bundle
                    .certificates()
                    .iter()
                    .any(|c| name_matches(c.subject().common_name(), expected))
                {
                    return Err(format!(
                        "no {role} certificate {expected} in it (it holds {})",
                        subjects(bundle.certificates())
                    ));
                }
            }
        }
        CollateralKey::AmdVcek {
            product,
            hw_id,
            tcb,
        } => {
            only(&bundle, Kind::Certificates)?;
            let [vcek] = bundle.certificates() else {
                return Err(format!(
                    "{} certificates where one VCEK was asked",
                    bundle.certificates().len()
                ));
            };
            let product = product.or_else(|| {
                vcek.issuer()
                    .common_name()
                    .and_then(|cn| cn.strip_prefix("SEV-"))
                    .and_then(Product::from_name)
            });
            let Some(product) = product else {
                return Err(format!(
                    "{} is not issued by an AMD SEV CA",
                    vcek.subject().display()
                ));
            };
            let ext = VekExtensions::decode(vcek, product)
                .map_err(|e| format!("it is not a {product} VCEK: {e}"))?;
            let Some(cert_hw_id) = &ext.hw_id else {
                return Err("a certificate without a hwID (a VLEK?) where a VCEK was asked".into());
            };
            // Turin VCEKs carry the 8-byte hwID the key names; earlier ones all 64 bytes.
            if cert_hw_id != hw_id {
                return Err(format!(
                    "the VCEK of another chip (hwID {})",
                    hex::encode(cert_hw_id)
                ));
            }
            if ext.tcb != *tcb {
                return Err(format!("a VCEK for another TCB ({:?})", ext.tcb));
            }
        }
        CollateralKey::AmdVlek { .. } => only(&bundle, Kind::Certificates)?,
        CollateralKey::AmdCrl { product, signer } => {
            let crl = one_crl(&bundle)?;
            let (_, ark) = amd_names(Some(*product), *signer);
            if !name_matches(crl.issuer().common_name(), &ark) {
                return Err(format!(
                    "a CRL issued by {} where {ark}'s was asked",
                    crl.issuer().display()
                ));
            }
        }
        CollateralKey::IntelTcbInfo { tee, fmspc } => {
            only(&bundle, Kind::TcbInfo)?;
            let [info] = bundle.tcb_infos() else {
                return Err("more than one TCB Info".into());
            };
            let body = info.body();
            if body.fmspc != *fmspc {
                return Err(format!(
                    "the TCB Info of FMSPC {} where {} was asked",
                    hex::encode(body.fmspc),
                    hex::encode(fmspc)
                ));
            }
            let expected = match tee {
                IntelTee::Tdx => TcbInfoId::Tdx,
                IntelTee::Sgx => TcbInfoId::Sgx,
            };
            if body.id != expected {
                return Err(format!(
                    "an {} TCB Info where {} was asked",
                    body.id.name(),
                    expected.name()
                ));
            }
        }
        CollateralKey::IntelQeIdentity { tee } => {
            only(&bundle, Kind::QeIdentity)?;
            let [identity] = bundle.qe_identities() else {
                return Err("more than one QE Identity".into());
            };
            let expected = match tee {
                IntelTee::Tdx => "TD_QE",
                IntelTee::Sgx => "QE",
            };
            let id = &identity.body().id;
            if id != expected {
                return Err(format!(
                    "the identity of enclave {id} where {expected} was asked"
                ));
            }
        }
        CollateralKey::IntelTcbSigning => {
            only(&bundle, Kind::Certificates)?;
            if !bundle
                .certificates()
                .iter()
                .any(|c| c.subject().common_name() == Some("Intel SGX TCB Signing"))
            {
                return Err(format!(
                    "no Intel SGX TCB Signing certificate in it (it holds {})",
                    subjects(bundle.certificates())
                ));
            }
        }
        CollateralKey::IntelRootCaCrl => {
            let crl = one_crl(&bundle)?;
            if crl.issuer().common_name() != Some("Intel SGX Root CA") {
                return Err(format!(
                    "a CRL issued by {} where the Intel SGX Root CA's was asked",
                    crl.issuer().display()
                ));
            }
        }
        CollateralKey::IntelPckCrl { ca } => {
            let crl = one_crl(&bundle)?;
            let expected = match ca {
                PckCa::Platform => "Intel SGX PCK Platform CA",
                PckCa::Processor => "Intel SGX PCK Processor CA",
            };
            if crl.issuer().common_name() != Some(expected) {
                return Err(format!(
                    "a CRL issued by {} where the {expected}'s was asked",
                    crl.issuer().display()
                ));
            }
        }
        CollateralKey::IntelPckCertificate { pcesvn, pceid, .. } => {
            only(&bundle, Kind::Certificates)?;
            let [pck] = bundle.certificates() else {
                return Err(format!(
                    "{} certificates where one PCK certificate was asked",
                    bundle.certificates().len()
                ));
            };
            let issuer = pck.issuer().common_name();
            if pck.subject().common_name() != Some("Intel SGX PCK Certificate")
                || !matches!(
                    issuer,
                    Some("Intel SGX PCK Platform CA" | "Intel SGX PCK Processor CA")
                )
            {
                return Err(format!(
                    "{} issued by {}, where an Intel SGX PCK certificate was asked",
                    pck.subject().display(),
                    pck.issuer().display()
                ));
            }
            let ext = verifier::tdx::PckExtension::decode(pck)
                .map_err(|e| format!("it is not a PCK certificate Verdict reads: {e}"))?;
            if ext.pce_id != pceid.to_le_bytes() {
                return Err(format!(
                    "the PCK certificate of PCE-ID {} where {} was asked",
                    hex::encode(ext.pce_id),
                    hex::encode(pceid.to_le_bytes())
                ));
            }
            // PCS answers with the certificate of the highest TCB level the platform's
            // raw TCB reaches, never above it.
            if ext.pce_svn > *pcesvn {
                return Err(format!(
                    "a PCK certificate for PCESVN {} above the platform's {pcesvn}",
                    ext.pce_svn
                ));
            }
        }
        CollateralKey::IntelPckCaChain { ca } => {
            only(&bundle, Kind::Certificates)?;
            let expected = match ca {
                PckCa::Platform => "Intel SGX PCK Platform CA",
                PckCa::Processor => "Intel SGX PCK Processor CA",
            };
            for name in [expected, "Intel SGX Root CA"] {
                if !bundle
                    .certificates()
                    .iter()
                    .any(|c| c.subject().common_name() == Some(name))
                {
                    return Err(format!(
                        "no {name} certificate in it (it holds {})",
                        subjects(bundle.certificates())
                    ));
                }
            }
        }
        CollateralKey::NvidiaRim { chip, version, .. } => {
            only(&bundle, Kind::Rim)?;
            let rim = &bundle.rims()[0];
            if !rim.product().eq_ignore_ascii_case(chip)
                || !rim.colloquial_version().eq_ignore_ascii_case(version)
            {
                return Err(format!(
                    "the RIM of {} {} where {chip} {version} was asked",
                    rim.product(),
                    rim.colloquial_version()
                ));
            }
        }
        CollateralKey::NvidiaOcsp(target) => {
            only(&bundle, Kind::Ocsp)?;
            let response = &bundle.ocsp_responses()[0];
            // By certificate and issuer, under whatever hash the CertID uses.
            let names_it = match (
                Certificate::from_der(&target.certificate),
                Certificate::from_der(&target.issuer),
            ) {
                (Ok(cert), Ok(issuer)) => response
                    .find(verifier::crypto::default_provider(), &cert, &issuer)
                    .is_ok_and(|found| found.is_some()),
                _ => false,
            };
            if !names_it {
                return Err(format!(
                    "an OCSP response that does not answer for serial {}",
                    target.serial
                ));
            }
        }
        CollateralKey::NvidiaDeviceChain | CollateralKey::NvidiaDeviceRoot { .. } => {
            only(&bundle, Kind::Certificates)?;
        }
        // A key this crate does not know yet: the verifier will judge the bytes.
        _ => {}
    }
    Ok(bundle)
}

/// Until when collateral stays good: the earliest nextUpdate of its CRLs, TCB Info, QE
/// Identity and OCSP answers, and the earliest notAfter of its certificates. `None` when
/// nothing in it expires (a RIM is fixed for its version; its signing chain's status is
/// what OCSP answers).
pub fn valid_until(bundle: &Bundle) -> Option<UnixTime> {
    let secs = verifier::time::secs;
    let certs = bundle.certificates().iter().map(|c| secs(c.not_after()));
    let crls = bundle
        .crls()
        .iter()
        .filter_map(|c| c.next_update().map(secs));
    let tcb_infos = bundle.tcb_infos().iter().map(|t| t.body().next_update);
    let identities = bundle.qe_identities().iter().map(|q| q.body().next_update);
    // An OCSP answer without nextUpdate is current for a day after thisUpdate, as the
    // verifier counts it.
    let day = verifier::pki::ocsp::DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE.as_secs();
    let ocsp = bundle
        .ocsp_responses()
        .iter()
        .flat_map(|r| r.responses())
        .map(|s| {
            s.next_update
                .unwrap_or_else(|| s.this_update.saturating_add(day))
        });
    certs
        .chain(crls)
        .chain(tcb_infos)
        .chain(identities)
        .chain(ocsp)
        .min()
        .map(verifier::time::from_secs)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Certificates,
    Crl,
    TcbInfo,
    QeIdentity,
    Rim,
    Ocsp,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Certificates => "certificates",
            Self::Crl => "a CRL",
            Self::TcbInfo => "a TCB Info",
            Self::QeIdentity => "a QE Identity",
            Self::Rim => "a RIM",
            Self::Ocsp => "an OCSP response",
        }
    }
}

/// The bytes hold items of `kind` only, and at least one.
fn only(bundle: &Bundle, kind: Kind) -> Result<(), String> {
    let counts = [
        (Kind::Certificates, bundle.certificates().len()),
        (Kind::Crl, bundle.crls().len()),
        (Kind::TcbInfo, bundle.tcb_infos().len()),
        (Kind::QeIdentity, bundle.qe_identities().len()),
        (Kind::Rim, bundle.rims().len()),
        (Kind::Ocsp, bundle.ocsp_responses().len()),
    ];
    let held: Vec<&str> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, _)| k.name())
        .collect();
    let wanted = counts.iter().any(|(k, n)| *k == kind && *n > 0);
    if wanted && held.len() == 1 {
        Ok(())
    } else {
        Err(format!(
            "{} where {} was asked",
            if held.is_empty() {
                "nothing".to_owned()
            } else {
                held.join(" and ")
            },
            kind.name()
        ))
    }
}

fn one_crl(bundle: &Bundle) -> Result<&verifier::pki::Crl, String> {
    only(bundle, Kind::Crl)?;
    match bundle.crls() {
        [crl] => Ok(crl),
        more => Err(format!("{} CRLs where one was asked", more.len())),
    }
}

/// The common names of an AMD chain's CA and root (`SEV-Milan`, `ARK-Milan`), with the
/// product line left open while it is unknown.
fn amd_names(product: Option<Product>, signer: AmdSigner) -> (String, String) {
    let line = product.map_or("", Product::name);
    let ca = match signer {
        AmdSigner::Vcek => format!("SEV-{line}"),
        AmdSigner::Vlek => format!("SEV-VLEK-{line}"),
    };
    (ca, format!("ARK-{line}"))
}

fn name_matches(cn: Option<&str>, expected: &str) -> bool {
    cn.is_some_and(|cn| {
        if expected.ends_with('-') {
            cn.starts_with(expected)
        } else {
            cn == expected
        }
    })
}

fn subjects(certs: &[Certificate]) -> String {
    let names: Vec<&str> = certs.iter().map(|c| c.subject().display()).collect();
    if names.is_empty() {
        "no certificates".into()
    } else {
        names.join("; ")
    }
}
