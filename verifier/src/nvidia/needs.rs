//! The collateral a GPU's evidence needs, as keys, and which bundle items serve each.
//!
//! Needs unfold in two stages: the report names its RIMs, and each RIM names the
//! signing chain whose OCSP status is needed next; so [`requirements`] lists the OCSP
//! keys of the RIMs already `known`, and a caller repeats until nothing new is asked.
//! Verification (`verify.rs`, `device.rs`) names what is missing with these same keys.

use super::device::{chain_from_bundle, GpuArch};
use super::evidence::{decode_chain, GpuEvidence};
use super::ids;
use super::opaque::OpaqueData;
use super::options::NvidiaOptions;
use super::reference::RimKind;
use super::rim::Rim;
use super::spdm::AttestationReport;
use crate::collateral::Bundle;
use crate::crypto::CryptoProvider;
use crate::needs::{CollateralKey, OcspTarget, Requirement};
use crate::pki::Certificate;

/// The key of the certificate's OCSP status.
pub(crate) fn ocsp_target(cert: &Certificate, issuer: &Certificate) -> OcspTarget {
    OcspTarget {
        subject: cert.subject().display().to_owned(),
        serial: super::to_hex(cert.serial()),
        certificate: cert.der().to_vec(),
        issuer: issuer.der().to_vec(),
    }
}

/// The key of the RIM of `kind` for this report, if the report names its version.
pub(crate) fn rim_key(
    kind: RimKind,
    arch: GpuArch,
    chip: &str,
    opaque: &OpaqueData,
) -> Option<CollateralKey> {
    let (version, id) = match kind {
        RimKind::Driver => (
            opaque.driver_version()?,
            ids::driver_rim_id(arch, chip, opaque),
        ),
        RimKind::Vbios => (opaque.vbios_version()?, ids::vbios_rim_id(opaque)),
    };
    Some(CollateralKey::NvidiaRim {
        kind,
        id: id.unwrap_or_default(),
        chip: chip.to_owned(),
        version: version.to_owned(),
    })
}

/// The device chain as verification will take it (leaf first, root last when known).
fn device_chain(
    provider: &dyn CryptoProvider,
    evidence: &GpuEvidence,
    report: &AttestationReport,
    known: &Bundle,
) -> Option<Vec<Certificate>> {
    let mut chain = if evidence.certificate_chain.is_empty() {
        chain_from_bundle(provider, known, report).ok()?
    } else {
        decode_chain(&evidence.certificate_chain).ok()?
    };
    let last = chain.last()?;
    if last.subject().raw() != last.issuer().raw() {
        let root = known
            .certificates()
            .iter()
            .find(|c| c.subject().raw() == last.issuer().raw() && c.subject() == c.issuer())?;
        chain.push(root.clone());
    }
    Some(chain)
}

/// The OCSP keys of a chain (leaf first): every certificate below the root. The
/// device's own leaf is skipped when `skip_leaf` (NVIDIA's responder does not answer for
/// it, so verification checks it only when a response happens to be given).
fn chain_ocsp(chain: &[Certificate], skip_leaf: bool, required: bool, out: &mut Vec<Requirement>) {
    for (i, pair) in chain.windows(2).enumerate() {
        let [cert, issuer] = pair else { continue };
        if skip_leaf && i == 0 {
            continue;
        }
        let key = CollateralKey::NvidiaOcsp(ocsp_target(cert, issuer));
        out.push(if required {
            Requirement::required(key)
        } else {
            Requirement::optional(key)
        });
    }
}

/// The RIMs in `bundle` that serve a RIM key (any re-issue under the same version).
fn rims_for<'b>(bundle: &'b Bundle, chip: &str, version: &str) -> impl Iterator<Item = &'b Rim> {
    bundle.rims_for(chip, version)
}

/// What verifying one GPU's evidence looks for, given what is already `known`.
pub(crate) fn requirements(
    provider: &dyn CryptoProvider,
    evidence: &GpuEvidence,
    options: &NvidiaOptions,
    known: &Bundle,
) -> Vec<Requirement> {
    let Ok(report) = AttestationReport::parse(&evidence.report) else {
        return Vec::new();
    };
    let mut needs = Vec::new();
    if evidence.certificate_chain.is_empty() {
        needs.push(Requirement::required(CollateralKey::NvidiaDeviceChain));
    } else if let Some(last) = decode_chain(&evidence.certificate_chain)
        .ok()
        .and_then(|c| c.last().cloned())
    {
        // A chain that stops below its root needs the root from the collateral.
        if last.subject().raw() != last.issuer().raw() {
            needs.push(Requirement::required(CollateralKey::NvidiaDeviceRoot {
                issuer: last.issuer().display().to_owned(),
            }));
        }
    }
    let Some(chain) = device_chain(provider, evidence, &report, known) else {
        return needs;
    };
    chain_ocsp(&chain, true, options.require_ocsp, &mut needs);
    let Some(leaf) = chain.first() else {
        return needs;
    };
    let Ok((arch, chip)) = GpuArch::of_leaf(leaf) else {
        return needs;
    };
    let opaque = report.opaque();
    for kind in [RimKind::Driver, RimKind::Vbios] {
        let Some(key) = rim_key(kind, arch, &chip, opaque) else {
            continue;
        };
        if let CollateralKey::NvidiaRim { chip, version, .. } = &key {
            for rim in rims_for(known, chip, version) {
                chain_ocsp(rim.certificates(), false, options.require_ocsp, &mut needs);
            }
        }
        needs.push(if options.require_rims {
            Requirement::required(key)
        } else {
            Requirement::optional(key)
        });
    }
    needs
}

/// The items of `bundle` that serve `key` for this GPU's evidence, added to `out`.
pub(crate) fn select(
    provider: &dyn CryptoProvider,
    evidence: &GpuEvidence,
    key: &CollateralKey,
    bundle: &Bundle,
    out: &mut Bundle,
) {
    match key {
        CollateralKey::NvidiaDeviceChain => {
            if let Ok(report) = AttestationReport::parse(&evidence.report) {
                if let Ok(chain) = chain_from_bundle(provider, bundle, &report) {
                    out.extend_certificates(chain);
                }
            }
        }
        CollateralKey::NvidiaDeviceRoot { issuer } => out.extend_certificates(
            bundle
                .certificates()
                .iter()
                .filter(|c| c.subject() == c.issuer() && c.subject().display() == issuer)
                .cloned(),
        ),
        CollateralKey::NvidiaRim { chip, version, .. } => {
            for rim in rims_for(bundle, chip, version) {
                out.push_rim(rim.clone());
            }
        }
        CollateralKey::NvidiaOcsp(target) => {
            let (Ok(cert), Ok(issuer)) = (
                Certificate::from_der(&target.certificate),
                Certificate::from_der(&target.issuer),
            ) else {
                return;
            };
            // Those with a CertID for the serial; `find` decides on the whole CertID.
            for response in bundle
                .ocsp_responses_for_serial(cert.serial())
                .filter(|r| matches!(r.find(provider, &cert, &issuer), Ok(Some(_))))
            {
                out.push_ocsp_response(response.clone());
            }
        }
        _ => {}
    }
}
