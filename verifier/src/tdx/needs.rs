//! The collateral a DCAP quote needs, as keys, and which bundle items serve each. The
//! quote carries its PCK chain, which names the platform (FMSPC) and the PCK CA; the
//! rest comes from Intel PCS (or a PCCS). Verification (`verify.rs`) names what is
//! missing with these same keys.

use super::pck_chain::{parse_pck_chain, PckChain, PROCESSOR_CA_CN, TCB_SIGNING_CN};
use super::quote::{Quote, TEE_TYPE_TDX};
use super::tcb_info::TcbInfoId;
use crate::collateral::Bundle;
use crate::needs::{CollateralKey, IntelTee, PckCa, Requirement};

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

/// What verifying the quote in `bytes` looks for. A quote whose PCK chain cannot be read
/// needs nothing a fetcher could find for it (verification rejects it first).
pub(crate) fn requirements(bytes: &[u8]) -> Vec<Requirement> {
    let Ok(quote) = Quote::parse(bytes) else {
        return Vec::new();
    };
    let tee = tee(&quote);
    let mut needs = vec![
        Requirement::required(CollateralKey::IntelRootCaCrl),
        Requirement::required(CollateralKey::IntelTcbSigning),
        Requirement::required(CollateralKey::IntelQeIdentity { tee }),
    ];
    if let Ok(chain) = parse_pck_chain(&quote) {
        needs.push(Requirement::required(CollateralKey::IntelPckCrl {
            ca: pck_ca(&chain),
        }));
        if let Ok(pck) = &chain.pck {
            needs.push(Requirement::required(CollateralKey::IntelTcbInfo {
                tee,
                fmspc: pck.fmspc,
            }));
        }
    }
    needs.sort();
    needs
}

/// The items of `bundle` that serve `key` for the quote in `bytes`, added to `out`.
pub(crate) fn select(bytes: &[u8], key: &CollateralKey, bundle: &Bundle, out: &mut Bundle) {
    let Ok(quote) = Quote::parse(bytes) else {
        return;
    };
    let chain = parse_pck_chain(&quote).ok();
    let issued_by = |issuer: Option<&crate::pki::Certificate>, crl: &crate::pki::Crl| {
        issuer.is_some_and(|i| crl.issuer().raw() == i.subject().raw())
    };
    match key {
        CollateralKey::IntelRootCaCrl => out.crls.extend(
            bundle
                .crls
                .iter()
                .filter(|c| issued_by(chain.as_ref().map(|ch| &ch.root), c))
                .cloned(),
        ),
        CollateralKey::IntelPckCrl { ca } => {
            let Some(chain) = &chain else { return };
            if pck_ca(chain) == *ca {
                out.crls.extend(
                    bundle
                        .crls
                        .iter()
                        .filter(|c| issued_by(Some(&chain.ca), c))
                        .cloned(),
                );
            }
        }
        CollateralKey::IntelTcbSigning => {
            let Some(chain) = &chain else { return };
            out.certificates.extend(
                bundle
                    .certificates
                    .iter()
                    .filter(|c| {
                        c.subject().common_name() == Some(TCB_SIGNING_CN)
                            && c.issuer().raw() == chain.root.subject().raw()
                    })
                    .cloned(),
            );
        }
        CollateralKey::IntelTcbInfo { tee, fmspc } => {
            let id = match tee {
                IntelTee::Tdx => TcbInfoId::Tdx,
                IntelTee::Sgx => TcbInfoId::Sgx,
            };
            out.tcb_infos.extend(
                bundle
                    .tcb_infos
                    .iter()
                    .filter(|t| &t.body().fmspc == fmspc && t.body().id == id)
                    .cloned(),
            );
        }
        CollateralKey::IntelQeIdentity { tee } => {
            let id = qe_identity_id(*tee);
            out.qe_identities.extend(
                bundle
                    .qe_identities
                    .iter()
                    .filter(|q| q.body().id == id)
                    .cloned(),
            );
        }
        _ => {}
    }
}
