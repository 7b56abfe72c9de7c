//! The collateral an SEV-SNP report needs, as keys, and which bundle items serve each.
//! Verification (`verify.rs`) names its missing collateral through the same functions,
//! so what `requirements` lists is exactly what verification looks for.

use super::kds_ext::{product_name, VekExtensions};
use super::report::{AttestationReport, SigningKey};
use super::{Product, SnpOptions};
use crate::collateral::Bundle;
use crate::needs::{AmdSigner, CollateralKey, Requirement};
use crate::pki::Certificate;

/// What an AMD certificate is, by its common name (AMD 57230 certificate profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AmdName {
    Ark(Option<Product>),
    Ask(Option<Product>),
    Asvk(Option<Product>),
    Vcek,
    Vlek,
}

impl AmdName {
    pub(crate) fn of(cert: &Certificate) -> Option<Self> {
        let cn = cert.subject().common_name()?;
        Some(match cn {
            "SEV-VCEK" => Self::Vcek,
            "SEV-VLEK" => Self::Vlek,
            _ => {
                if let Some(p) = cn.strip_prefix("ARK-") {
                    Self::Ark(Product::from_name(p))
                } else if let Some(p) = cn.strip_prefix("SEV-VLEK-") {
                    Self::Asvk(Product::from_name(p))
                } else if let Some(p) = cn.strip_prefix("SEV-") {
                    Self::Ask(Product::from_name(p))
                } else {
                    return None;
                }
            }
        })
    }
}

/// Whether a candidate VEK is the one for this report (certified TCB and chip id agree).
pub(crate) fn fits(leaf: &Certificate, report: &AttestationReport, product: Product) -> bool {
    let Ok(ext) = VekExtensions::decode(leaf, product) else {
        return false;
    };
    let tcb_ok = ext.tcb == report.reported_tcb.parts(product);
    let hwid_ok = match &ext.hw_id {
        Some(id) => {
            report.chip_id_masked() || report.chip_id.get(..id.len()) == Some(id.as_slice())
        }
        None => true,
    };
    tcb_ok && hwid_ok
}

/// The signer kind of a report (`None` for an unsigned one, which needs nothing).
pub(crate) fn signer(report: &AttestationReport) -> Option<AmdSigner> {
    match report.key_info.signing_key {
        SigningKey::Vcek => Some(AmdSigner::Vcek),
        SigningKey::Vlek => Some(AmdSigner::Vlek),
        SigningKey::None => None,
    }
}

/// The product line as far as it is known: CPUID (v3+), else the caller's, else the
/// VEKs of the report's signer kind in `known` (a v2 report's VEK names it).
pub(crate) fn known_product(
    report: &AttestationReport,
    options: &SnpOptions,
    known: &Bundle,
) -> Option<Product> {
    if let Some(c) = report.cpuid {
        return Product::from_cpuid(c.family, c.model);
    }
    if options.product.is_some() {
        return options.product;
    }
    let signer = signer(report)?;
    known
        .amd_index()
        .veks(signer)
        .first_with_product()
        .and_then(|p| known.certificates().get(p))
        .and_then(product_of_certificate)
}

/// A VEK's product: its productName extension, else its issuer's name (`SEV-Milan`).
pub(crate) fn product_of_certificate(cert: &Certificate) -> Option<Product> {
    let by_name = product_name(cert).as_deref().and_then(Product::from_name);
    by_name.or_else(|| {
        cert.issuer()
            .common_name()
            .and_then(|cn| {
                cn.strip_prefix("SEV-VLEK-")
                    .or_else(|| cn.strip_prefix("SEV-"))
            })
            .and_then(Product::from_name)
    })
}

/// The key of the report's VEK. Its product line is the one known without the VEK
/// (CPUID, else the caller's): a v2 report's VEK cannot be named by what only the VEK
/// says, so its key stays the same before and after the VEK is found.
pub(crate) fn vek_key(
    report: &AttestationReport,
    signer: AmdSigner,
    options: &SnpOptions,
) -> CollateralKey {
    let product = match report.cpuid {
        Some(c) => Product::from_cpuid(c.family, c.model),
        None => options.product,
    };
    match signer {
        AmdSigner::Vlek => CollateralKey::AmdVlek { product },
        AmdSigner::Vcek => {
            let layout = product.unwrap_or(Product::Milan);
            let len = layout.hwid_len();
            CollateralKey::AmdVcek {
                product,
                hw_id: report.chip_id.get(..len).unwrap_or_default().to_vec(),
                tcb: report.reported_tcb.parts(layout),
            }
        }
    }
}

/// What verifying `report` looks for, given what is already `known`. A v2 report's
/// product line comes from its VEK, so its chain is asked for once the VEK is known.
pub(crate) fn requirements(
    report: &AttestationReport,
    options: &SnpOptions,
    known: &Bundle,
) -> Vec<Requirement> {
    let Some(signer) = signer(report) else {
        return Vec::new();
    };
    let product = known_product(report, options, known);
    let mut needs = vec![Requirement::required(vek_key(report, signer, options))];
    if let Some(product) = product {
        needs.push(Requirement::required(CollateralKey::AmdChain {
            product: Some(product),
            signer,
        }));
        let crl = CollateralKey::AmdCrl { product, signer };
        needs.push(if options.require_crl {
            Requirement::required(crl)
        } else {
            Requirement::optional(crl)
        });
    }
    needs
}

/// The items of `bundle` that serve `key` for `report`, added to `out`.
pub(crate) fn select(
    report: &AttestationReport,
    key: &CollateralKey,
    bundle: &Bundle,
    out: &mut Bundle,
) {
    match key {
        CollateralKey::AmdVcek { product, .. } | CollateralKey::AmdVlek { product } => {
            let Some(signer) = signer(report) else { return };
            // The index narrows to the VEKs whose hwID could fit under any product
            // layout; `fits` decides with the product that applies to each.
            let positions = bundle
                .amd_index()
                .veks(signer)
                .fitting_chip(&report.chip_id, report.chip_id_masked());
            for cert in positions
                .into_iter()
                .filter_map(|p| bundle.certificates().get(p))
            {
                let fitting = product
                    .or_else(|| product_of_certificate(cert))
                    .is_some_and(|p| fits(cert, report, p));
                if fitting {
                    out.push_certificate(cert.clone());
                }
            }
        }
        CollateralKey::AmdChain {
            product: Some(product),
            signer,
        } => {
            let product = *product;
            let certs = bundle.certificates();
            for (name, position) in bundle.amd_index().cas() {
                let wanted = match (name, signer) {
                    (AmdName::Ark(p), _)
                    | (AmdName::Ask(p), AmdSigner::Vcek)
                    | (AmdName::Asvk(p), AmdSigner::Vlek) => *p == Some(product),
                    _ => false,
                };
                if let Some(cert) = certs.get(*position).filter(|_| wanted) {
                    out.push_certificate(cert.clone());
                }
            }
        }
        CollateralKey::AmdCrl { product, .. } => {
            // By the issuer's common name, not its whole name: the ARK itself may not be
            // known yet. CRLs are a few per product, so this scan stays small.
            let ark = format!("ARK-{product}");
            for crl in bundle
                .crls()
                .iter()
                .filter(|c| c.issuer().common_name() == Some(ark.as_str()))
            {
                out.push_crl(crl.clone());
            }
        }
        _ => {}
    }
}

/// Whether `selected` (what [`select`] found for an [`CollateralKey::AmdChain`]) holds
/// both halves of the chain: an ARK and the CA below it.
pub(crate) fn is_whole_chain(selected: &Bundle) -> bool {
    let names: Vec<AmdName> = selected
        .certificates()
        .iter()
        .filter_map(AmdName::of)
        .collect();
    names.iter().any(|n| matches!(n, AmdName::Ark(_)))
        && names
            .iter()
            .any(|n| matches!(n, AmdName::Ask(_) | AmdName::Asvk(_)))
}
