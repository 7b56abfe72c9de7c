//! The collateral a DCAP quote needs, as keys, and which bundle items serve each. A quote
//! that carries its PCK chain names the platform (FMSPC) and the PCK CA; one that does
//! not names them once its PCK certificate is known (fetched by encrypted PPID, or carried
//! alone): needs unfold in stages. The rest comes from Intel PCS (or a PCCS).
//! Verification (`verify.rs`) names what is missing with these same keys.

use super::pck_chain::{
    ca_cn, issuers, issuing_ca, known_leaf, parse_pck_chain, pck_certificate_key, pck_source,
    PckChain, PckSource, PLATFORM_CA_CN, PROCESSOR_CA_CN, ROOT_CN, TCB_SIGNING_CN,
};
use super::pck_ext::PckExtension;
use super::quote::{Quote, TEE_TYPE_TDX};
use super::tcb_info::TcbInfoId;
use crate::collateral::Bundle;
use crate::crypto::{default_provider, CryptoProvider};
use crate::needs::{CollateralKey, IntelTee, PckCa, Requirement};
use crate::pki::Certificate;

/// The TEE of a parsed quote.
pub(crate) fn tee(quote: &Quote<'_>) -> IntelTee {
    if quote.header.tee_type == TEE_TYPE_TDX {
        IntelTee::Tdx
    } else {
        IntelTee::Sgx
    }
}

/// The PCK CA that issued the chain's PCK certificate.
pub(crate) fn pck_ca(chain: &PckChain) -> PckCa {
    if chain.ca.subject().common_name() == Some(PROCESSOR_CA_CN) {
        PckCa::Processor
    } else {
        PckCa::Platform
    }
}

/// The QE Identity id for a TEE (`TD_QE` for TDX, `QE` for SGX).
pub(crate) fn qe_identity_id(tee: IntelTee) -> &'static str {
    match tee {
        IntelTee::Tdx => "TD_QE",
        IntelTee::Sgx => "QE",
    }
}

/// What verifying the quote in `bytes` looks for, given what is already `known`. A quote
/// whose PCK certification data cannot be read needs nothing a fetcher could find for it
/// (verification rejects it first). A quote that names its PCK certificate by encrypted
/// PPID needs that certificate first; its PCK CA (and so the PCK CRL and the issuer
/// chain) and its FMSPC (and so the TCB Info) follow once `known` holds it.
pub(crate) fn requirements(bytes: &[u8], known: &Bundle) -> Vec<Requirement> {
    let Ok(quote) = Quote::parse(bytes) else {
        return Vec::new();
    };
    let tee = tee(&quote);
    let mut needs = vec![
        Requirement::required(CollateralKey::IntelRootCaCrl),
        Requirement::required(CollateralKey::IntelTcbSigning),
        Requirement::required(CollateralKey::IntelQeIdentity { tee }),
    ];
    let platform = |ca: PckCa, pck: Option<PckExtension>, needs: &mut Vec<Requirement>| {
        needs.push(Requirement::required(CollateralKey::IntelPckCrl { ca }));
        if let Some(pck) = pck {
            needs.push(Requirement::required(CollateralKey::IntelTcbInfo {
                tee,
                fmspc: pck.fmspc,
            }));
        }
    };
    match pck_source(&quote) {
        Ok(PckSource::Chain) => {
            if let Ok(chain) = parse_pck_chain(&quote, None) {
                platform(pck_ca(&chain), chain.pck.ok(), &mut needs);
            }
        }
        Ok(source) => {
            if let PckSource::Ppid(ppid) = &source {
                needs.push(Requirement::required(pck_certificate_key(&quote, ppid)));
            }
            let provider = default_provider();
            if let Some(leaf) = known_leaf(provider, &quote, &source, known) {
                if let Some(ca) = issuing_ca(leaf) {
                    needs.push(Requirement::required(CollateralKey::IntelPckCaChain { ca }));
                    platform(ca, PckExtension::decode(leaf).ok(), &mut needs);
                }
            }
        }
        // Type 1, or a type-4 leaf that does not parse: nothing to fetch.
        Err(_) => {}
    }
    needs.sort();
    needs
}

/// The names a quote's collateral is found by: its PCK leaf's issuer (the PCK CA) and the
/// root's, as far as the quote and `bundle` give them.
struct Names {
    /// The PCK CA, and its name (the leaf's issuer).
    ca: Option<(PckCa, Vec<u8>)>,
    /// The root's name: from the quote's chain, or the issuer of the PCK CA in the
    /// bundle; `None` while unknown (then any Intel SGX Root CA's name serves).
    root: Option<Vec<u8>>,
}

fn names(provider: &dyn CryptoProvider, quote: &Quote<'_>, bundle: &Bundle) -> Option<Names> {
    match pck_source(quote).ok()? {
        PckSource::Chain => {
            let chain = parse_pck_chain(quote, Some(bundle)).ok()?;
            Some(Names {
                ca: Some((pck_ca(&chain), chain.ca.subject().raw().to_vec())),
                root: Some(chain.root.subject().raw().to_vec()),
            })
        }
        source => {
            let leaf = known_leaf(provider, quote, &source, bundle);
            let ca = leaf.and_then(|l| Some((issuing_ca(l)?, l.issuer().raw().to_vec())));
            let root = leaf
                .and_then(|l| issuers(bundle, l, &[PLATFORM_CA_CN, PROCESSOR_CA_CN]).pop())
                .map(|ca| ca.issuer().raw().to_vec());
            Some(Names { ca, root })
        }
    }
}

/// Whether `name` (DER) is the root's, as far as it is known.
fn is_root_name(names: &Names, name: &[u8], cn: Option<&str>) -> bool {
    match &names.root {
        Some(root) => root.as_slice() == name,
        None => cn == Some(ROOT_CN),
    }
}

/// The items of `bundle` that serve `key` for the quote in `bytes`, added to `out`.
pub(crate) fn select(bytes: &[u8], key: &CollateralKey, bundle: &Bundle, out: &mut Bundle) {
    let Ok(quote) = Quote::parse(bytes) else {
        return;
    };
    let provider = default_provider();
    // A chain that does not parse names nothing (verification rejects it first).
    let names = names(provider, &quote, bundle).unwrap_or(Names {
        ca: None,
        root: Some(Vec::new()),
    });
    match key {
        // The root may be known by its common name only (no chain yet): a scan, over
        // CRLs that are a few per platform.
        CollateralKey::IntelRootCaCrl => {
            for crl in bundle
                .crls()
                .iter()
                .filter(|c| is_root_name(&names, c.issuer().raw(), c.issuer().common_name()))
            {
                out.push_crl(crl.clone());
            }
        }
        CollateralKey::IntelPckCrl { ca } => {
            if let Some((issuer_ca, name)) = &names.ca {
                if issuer_ca == ca {
                    for crl in bundle.crls_by_issuer(name) {
                        out.push_crl(crl.clone());
                    }
                }
            }
        }
        CollateralKey::IntelPckCaChain { ca } => {
            let Some((issuer_ca, name)) = &names.ca else {
                return;
            };
            if issuer_ca != ca {
                return;
            }
            let cas: Vec<&Certificate> = bundle
                .certificates()
                .iter()
                .filter(|c| {
                    c.subject().raw() == name.as_slice()
                        && c.subject().common_name() == Some(ca_cn(*ca))
                })
                .collect();
            let roots = bundle.certificates().iter().filter(|r| {
                r.subject().common_name() == Some(ROOT_CN)
                    && cas.iter().any(|c| c.issuer().raw() == r.subject().raw())
            });
            let roots: Vec<Certificate> = roots.cloned().collect();
            out.extend_certificates(cas.into_iter().cloned());
            out.extend_certificates(roots);
        }
        CollateralKey::IntelPckCertificate { .. } => {
            let Ok(PckSource::Ppid(ppid)) = pck_source(&quote) else {
                return;
            };
            if pck_certificate_key(&quote, &ppid) != *key {
                return;
            }
            out.extend_certificates(
                super::pck_chain::bound_pck_certificates(provider, &quote, bundle)
                    .into_iter()
                    .cloned(),
            );
        }
        CollateralKey::IntelTcbSigning => {
            out.extend_certificates(
                bundle
                    .certificates()
                    .iter()
                    .filter(|c| {
                        c.subject().common_name() == Some(TCB_SIGNING_CN)
                            && is_root_name(&names, c.issuer().raw(), c.issuer().common_name())
                    })
                    .cloned(),
            );
        }
        CollateralKey::IntelTcbInfo { tee, fmspc } => {
            let id = match tee {
                IntelTee::Tdx => TcbInfoId::Tdx,
                IntelTee::Sgx => TcbInfoId::Sgx,
            };
            for tcb_info in bundle.tcb_infos_for(fmspc).filter(|t| t.body().id == id) {
                out.push_tcb_info(tcb_info.clone());
            }
        }
        CollateralKey::IntelQeIdentity { tee } => {
            let id = qe_identity_id(*tee);
            for qe_identity in bundle.qe_identities().iter().filter(|q| q.body().id == id) {
                out.push_qe_identity(qe_identity.clone());
            }
        }
        _ => {}
    }
}

/// Whether `selected` (what [`select`] gave for an [`CollateralKey::IntelPckCaChain`])
/// holds the CA and the root.
pub(crate) fn is_whole_ca_chain(selected: &Bundle) -> bool {
    let has = |names: &[&str]| {
        selected.certificates().iter().any(|c| {
            c.subject()
                .common_name()
                .is_some_and(|cn| names.contains(&cn))
        })
    };
    has(&[PLATFORM_CA_CN, PROCESSOR_CA_CN]) && has(&[ROOT_CN])
}
