//! Verification of one GPU's evidence. The numbered steps match the crate docs.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::claims::{Verified, Warning};
use crate::collateral::Bundle;
use crate::crypto::HashAlg;
use crate::error::{BindingError, Error, ExpectationError, OcspErrorKind, RimErrorKind};
use crate::needs::CollateralKey;
use crate::pki::ocsp::OcspMemo;
use crate::pki::ocsp::{CertStatus, Freshness, OcspStatus, RevocationReason};
use crate::pki::{Certificate, PathChecker};
use crate::time::{rfc3339_secs, UnixTime};
use crate::Verifier;

use super::claims::{GpuClaims, OcspClaim, RimClaim, RimVersions, RimsClaims};
use super::device::{
    certificate_fwid, chain_from_bundle, signature_verifies, DeviceChain, GpuArch,
};
use super::evidence::{decode_chain, GpuEvidence};
use super::ids;
use super::options::NvidiaOptions;
use super::reference::{compare, golden, Comparison, RimKind};
use super::rim::Rim;
use super::spdm::AttestationReport;

pub(crate) fn verify(
    verifier: &Verifier,
    evidence: &GpuEvidence,
    collateral: &Bundle,
    options: &NvidiaOptions,
    now: UnixTime,
) -> Result<Verified<GpuClaims>, Error> {
    let checker = PathChecker {
        provider: verifier.provider,
        cache: &verifier.cache,
        now,
    };
    let mut warnings = Vec::new();

    // 1. The report parses, every field located by the structure's own lengths.
    let report = AttestationReport::parse(&evidence.report)?;

    // 2. The device chain (from the evidence, else from the collateral) leads from the
    //    attestation certificate to a pinned NVIDIA Device Identity CA.
    let supplied = device_certificates(verifier, evidence, collateral, &report)?;
    let chain = DeviceChain::check(
        &checker,
        &supplied,
        collateral.certificates(),
        &verifier.anchors.nvidia_device_root,
    )?;
    let (arch, chip) = GpuArch::of_leaf(chain.leaf)?;

    // 3. The signature: ECDSA P-384 over request ‖ response up to the signature. Never
    //    cached: a report is checked afresh every time.
    verify_report_signature(verifier, chain.leaf, &report)?;

    // 4. Freshness: the requester nonce is the caller's.
    if let Some(expected) = options.expected_nonce {
        if report.nonce() != &expected {
            return Err(ExpectationError::Mismatch {
                field: "nonce",
                expected: super::to_hex(expected),
                actual: super::to_hex(report.nonce()),
            }
            .into());
        }
    }

    // 4b. The unsigned labels beside the report (`nonce`, `arch` in the JSON forms) say
    //     what the verified report says: a reader of the file, or a tool that trusts
    //     them, must not be told another nonce or architecture than the one verified.
    check_labels(evidence, &report, arch)?;

    // 5. The FWID in the signed opaque data is the one the attestation certificate
    //    carries (reports from drivers before 550 have none).
    let cert_fwid = certificate_fwid(chain.leaf)?;
    let fwid_match = match (report.opaque().fwid(), &cert_fwid) {
        (Some(report_fwid), Some(cert_fwid)) if report_fwid.as_slice() == cert_fwid.as_slice() => {
            Some(true)
        }
        (Some(report_fwid), cert_fwid) => {
            return Err(BindingError::Fwid {
                report: super::to_hex(report_fwid),
                certificate: cert_fwid
                    .as_ref()
                    .map_or_else(|| "none".into(), super::to_hex),
            }
            .into())
        }
        (None, _) => None,
    };

    // 6. OCSP for every certificate below the root. NVIDIA's responder does not answer
    //    for the per-device leaf, so the leaf is checked only when a response is given.
    let ocsp_checker = OcspChecker {
        checker: &checker,
        memo: &verifier.ocsp,
    };
    let mut ocsp = Vec::new();
    for (i, pair) in chain.certs.windows(2).enumerate() {
        let [cert, issuer] = pair else { continue };
        let covered = i > 0;
        ocsp.push(ocsp_claim(
            &ocsp_checker,
            collateral,
            cert,
            issuer,
            covered,
            options,
            &mut warnings,
        )?);
    }

    // 7. RIMs: the driver and VBIOS RIMs for the report's versions, signed by NVIDIA
    //    (XMLDSig, chain to the pinned RIM root, OCSP), compared with the measurements.
    let opaque = report.opaque();
    let driver_rim_id = ids::driver_rim_id(arch, &chip, opaque);
    let vbios_rim_id = ids::vbios_rim_id(opaque);
    let driver = select_rim(
        &checker,
        verifier,
        collateral,
        RimKind::Driver,
        &chip,
        opaque.driver_version(),
        &report,
        options,
        &mut warnings,
    )?;
    let vbios = select_rim(
        &checker,
        verifier,
        collateral,
        RimKind::Vbios,
        &chip,
        opaque.vbios_version(),
        &report,
        options,
        &mut warnings,
    )?;
    let used: Vec<(RimKind, &Rim)> = [(RimKind::Driver, &driver), (RimKind::Vbios, &vbios)]
        .into_iter()
        .filter_map(|(k, r)| r.as_ref().map(|r| (k, r.rim)))
        .collect();
    let comparison = compare(&golden(&used)?, &report);
    let both = driver.is_some() && vbios.is_some();
    let measurements_match = both && comparison.mismatches.is_empty();
    report_rim_outcome(
        &comparison,
        [
            (
                &driver,
                RimKind::Driver,
                super::needs::rim_key(RimKind::Driver, arch, &chip, opaque),
            ),
            (
                &vbios,
                RimKind::Vbios,
                super::needs::rim_key(RimKind::Vbios, arch, &chip, opaque),
            ),
        ],
        options,
        &mut warnings,
    )?;

    // 8. Caller expectations on versions.
    expect_version(
        "driver_version",
        opaque.driver_version(),
        &options.allowed_driver_versions,
    )?;
    expect_version(
        "vbios_version",
        opaque.vbios_version(),
        &options.allowed_vbios_versions,
    )?;

    // The parser tolerates at most one such byte (see `spdm`); it is unsigned, so it is
    // reported rather than silently dropped.
    if report.trailing_len() > 0 {
        warnings.push(Warning::new(
            "trailing_data",
            format!(
                "{} unsigned byte(s) after the report's signature were ignored (at most {} is tolerated)",
                report.trailing_len(),
                super::spdm::MAX_TRAILING
            ),
        ));
    }

    // The per-chip identity is the DeviceID certificate the chip's boot ROM holds (`GSP
    // BROM`, issued once at provisioning by the Provisioner ICA), the one that certifies
    // the attestation key. The leaf (`FMC LF`) is not: it is the firmware's alias key,
    // re-certified whenever the firmware (its FWID) changes, so one chip can show several.
    let device_cert = chain.certs.get(1).copied().unwrap_or(chain.leaf);
    let hwmodel = device_cert
        .subject()
        .common_name()
        .unwrap_or_default()
        .to_owned();
    let device_id = super::to_hex(
        verifier
            .provider
            .hash(HashAlg::Sha256, &[device_cert.spki_der()]),
    );
    let claims = GpuClaims {
        arch: arch.name(),
        chip,
        hwmodel,
        device_id,
        leaf_serial: super::to_hex(chain.leaf.serial()),
        nonce: super::to_hex(report.nonce()),
        nonce_checked: options.expected_nonce.is_some(),
        driver_version: opaque.driver_version().map(str::to_owned),
        vbios_version: opaque.vbios_version().map(str::to_owned),
        chip_sku: opaque.chip_sku().map(str::to_owned),
        chip_sku_mod: opaque.chip_sku_mod().map(str::to_owned),
        project: opaque.project().map(str::to_owned),
        project_sku: opaque.project_sku().map(str::to_owned),
        project_sku_mod: opaque.project_sku_mod().map(str::to_owned),
        chip_info: opaque.chip_info().map(str::to_owned),
        board_id: opaque.board_id(),
        fwid: opaque
            .fwid()
            .map(super::to_hex)
            .or_else(|| cert_fwid.as_ref().map(super::to_hex)),
        fwid_match,
        ppcie_mode: opaque.protected_pcie(),
        mode: opaque.mode(),
        nvdec0_enabled: opaque.nvdec0_enabled(),
        measurements: report
            .blocks()
            .iter()
            .map(|b| (b.index, super::to_hex(&b.value)))
            .collect::<BTreeMap<_, _>>(),
        measurements_match,
        measurements_checked: comparison.checked,
        mismatched_indices: comparison.mismatches.iter().map(|m| m.index).collect(),
        mismatches: comparison.mismatches,
        driver_rim_id,
        vbios_rim_id,
        rim_versions: RimVersions {
            driver: driver
                .as_ref()
                .map(|r| r.rim.colloquial_version().to_owned()),
            vbios: vbios
                .as_ref()
                .map(|r| r.rim.colloquial_version().to_owned()),
        },
        rims: RimsClaims {
            driver: rim_claim(driver),
            vbios: rim_claim(vbios),
        },
        ocsp,
        trailing_bytes: report.trailing_len(),
    };
    Ok(Verified::new(claims, warnings))
}

/// The evidence's labels against the report's requester nonce (hex) and the architecture
/// derived from its verified chain, both compared without regard to case.
fn check_labels(
    evidence: &GpuEvidence,
    report: &AttestationReport,
    arch: GpuArch,
) -> Result<(), Error> {
    let checks = [
        (
            "nonce",
            &evidence.nonce_label,
            super::to_hex(report.nonce()),
        ),
        ("arch", &evidence.arch_label, arch.name().to_owned()),
    ];
    for (label, labelled, verified) in checks {
        if let Some(labelled) = labelled {
            if !labelled.eq_ignore_ascii_case(&verified) {
                return Err(Error::EvidenceLabel {
                    label,
                    labelled: labelled.clone(),
                    verified,
                });
            }
        }
    }
    Ok(())
}

/// The device chain: from the evidence when it carries one (parsed once per distinct
/// chain, through the verifier's chain cache, keyed by the exact bytes), else from the
/// collateral.
fn device_certificates(
    verifier: &Verifier,
    evidence: &GpuEvidence,
    collateral: &Bundle,
    report: &AttestationReport,
) -> Result<Arc<Vec<Certificate>>, Error> {
    if evidence.certificate_chain.is_empty() {
        return chain_from_bundle(verifier.provider, collateral, report).map(Arc::new);
    }
    let cache = &verifier.gpu_chains;
    if let Some(chain) = cache.get(evidence.certificate_chain.as_slice()) {
        return Ok(chain);
    }
    let chain = Arc::new(decode_chain(&evidence.certificate_chain)?);
    if cache.enabled() {
        cache.insert(
            evidence.certificate_chain.as_slice().into(),
            Arc::clone(&chain),
        );
    }
    Ok(chain)
}

fn verify_report_signature(
    verifier: &Verifier,
    leaf: &Certificate,
    report: &AttestationReport,
) -> Result<(), Error> {
    if signature_verifies(verifier.provider, leaf, report) {
        Ok(())
    } else {
        Err(Error::EvidenceSignature {
            what: "GPU attestation report",
        })
    }
}

/// The OCSP status of `cert` from the responses in the collateral, as a claim; what
/// rejects (a revocation, an unauthenticated response, or anything short of a current
/// `good` when OCSP is required) is an error.
fn ocsp_claim(
    checker: &OcspChecker<'_>,
    collateral: &Bundle,
    cert: &Certificate,
    issuer: &Certificate,
    covered: bool,
    options: &NvidiaOptions,
    warnings: &mut Vec<Warning>,
) -> Result<OcspClaim, Error> {
    let name = cert
        .subject()
        .common_name()
        .unwrap_or_else(|| cert.subject().display())
        .to_owned();
    let fail = |kind| Error::Ocsp {
        subject: cert.subject().display().to_owned(),
        kind,
    };
    let mut claim = OcspClaim {
        certificate: name.clone(),
        serial: super::to_hex(cert.serial()),
        status: "not_checked",
        reason: None,
        this_update: None,
        next_update: None,
    };
    let Some(status) = best_ocsp_status(checker, collateral, cert, issuer, options)? else {
        if covered {
            if options.require_ocsp {
                return Err(Error::MissingCollateral {
                    key: CollateralKey::NvidiaOcsp(super::needs::ocsp_target(cert, issuer)),
                });
            }
            warnings.push(Warning::new(
                "ocsp_not_checked",
                format!("no OCSP response was supplied for {name}"),
            ));
        }
        return Ok(claim);
    };
    claim.this_update = Some(rfc3339_secs(status.this_update));
    claim.next_update = status.next_update.map(rfc3339_secs);
    let required = covered && options.require_ocsp;
    match status.status {
        CertStatus::Revoked { revoked_at, reason } => {
            let hold = reason == Some(RevocationReason::CertificateHold);
            claim.status = "revoked";
            claim.reason = Some(reason.unwrap_or(RevocationReason::Unspecified).name());
            if !(hold && options.allow_cert_hold) {
                return Err(fail(OcspErrorKind::Revoked {
                    revoked_at,
                    reason: claim.reason.unwrap_or("unspecified").to_owned(),
                }));
            }
            warnings.push(Warning::new(
                "ocsp_certificate_hold",
                format!("{name} is on hold (revoked, reason certificateHold), accepted by option"),
            ));
        }
        CertStatus::Unknown => {
            claim.status = "unknown";
            if required {
                return Err(fail(OcspErrorKind::Unknown));
            }
            warnings.push(Warning::new(
                "ocsp_unknown",
                format!("the OCSP responder does not know {name}"),
            ));
        }
        CertStatus::Good => match status.freshness {
            Freshness::Current => claim.status = "good",
            Freshness::Stale { next_update } => {
                claim.status = "stale";
                if required {
                    return Err(fail(OcspErrorKind::Stale {
                        now: crate::time::secs(checker.checker.now),
                        next_update,
                    }));
                }
                warnings.push(Warning::new(
                    "ocsp_stale",
                    format!(
                        "the OCSP response for {name} expired at {}",
                        rfc3339_secs(next_update)
                    ),
                ));
            }
            Freshness::NotYetValid { this_update } => {
                claim.status = "not_yet_valid";
                if required {
                    return Err(fail(OcspErrorKind::NotYetValid {
                        now: crate::time::secs(checker.checker.now),
                        this_update,
                    }));
                }
                warnings.push(Warning::new(
                    "ocsp_not_yet_valid",
                    format!(
                        "the OCSP response for {name} is valid only from {}",
                        rfc3339_secs(this_update)
                    ),
                ));
            }
        },
    }
    Ok(claim)
}

/// The path checker, and the verifier's memo of authenticated OCSP answers.
struct OcspChecker<'a> {
    checker: &'a PathChecker<'a>,
    memo: &'a OcspMemo,
}

/// Every supplied response about `cert` is authenticated (one that fails rejects); a
/// revocation other than a hold wins, else the current response with the latest
/// thisUpdate, else the latest.
fn best_ocsp_status(
    OcspChecker { checker, memo }: &OcspChecker<'_>,
    collateral: &Bundle,
    cert: &Certificate,
    issuer: &Certificate,
    options: &NvidiaOptions,
) -> Result<Option<OcspStatus>, Error> {
    let max_age = options.ocsp_max_age_without_next_update;
    let mut best: Option<OcspStatus> = None;
    // Only responses with a CertID for this serial can name it (and a hash we cannot
    // compute is skipped below either way).
    for response in collateral.ocsp_responses_for_serial(cert.serial()) {
        // Authenticated once per (response, certificate, issuer); judged at `now` here.
        let Some(answer) = checker.authenticated_answer(memo, response, cert, issuer)? else {
            continue;
        };
        let status = match answer.at(cert, checker.now, max_age) {
            Ok(status) => status,
            // Authentic (an authorized responder signed it), but that responder has
            // expired since, so the answer vouches for nothing now: it is stale from the
            // earlier of its own end and the responder's.
            Err(Error::Ocsp {
                kind:
                    OcspErrorKind::ResponderExpired {
                        responder,
                        not_after,
                        ..
                    },
                ..
            }) => {
                let end = answer
                    .next_update
                    .unwrap_or_else(|| answer.this_update.saturating_add(max_age.as_secs()));
                OcspStatus {
                    status: answer.status,
                    this_update: answer.this_update,
                    next_update: answer.next_update,
                    produced_at: answer.produced_at,
                    freshness: Freshness::Stale {
                        next_update: end.min(not_after),
                    },
                    responder,
                }
            }
            Err(e) => return Err(e),
        };
        let permanent_revocation = matches!(
            status.status,
            CertStatus::Revoked { reason, .. } if reason != Some(RevocationReason::CertificateHold)
        );
        if permanent_revocation {
            return Ok(Some(status));
        }
        let rank = |s: &OcspStatus| (matches!(s.freshness, Freshness::Current), s.this_update);
        if best.as_ref().is_none_or(|b| rank(&status) > rank(b)) {
            best = Some(status);
        }
    }
    Ok(best)
}

/// A RIM that passed every check, with its chain's OCSP claims.
struct UsedRim<'a> {
    rim: &'a Rim,
    ocsp: Vec<OcspClaim>,
    warnings: Vec<Warning>,
}

/// The RIM of `kind` for `version`: among the supplied RIMs for this chip and version
/// (NVIDIA re-issues RIMs under one id), each is verified (signature, chain, OCSP) and
/// the one with the fewest mismatches is used. A candidate that fails is passed over:
/// only when none verifies does the first failure reject.
#[allow(clippy::too_many_arguments)]
fn select_rim<'a>(
    checker: &PathChecker<'_>,
    verifier: &Verifier,
    collateral: &'a Bundle,
    kind: RimKind,
    chip: &str,
    version: Option<&str>,
    report: &AttestationReport,
    options: &NvidiaOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Option<UsedRim<'a>>, Error> {
    let Some(version) = version else {
        return Ok(None);
    };
    let candidates: Vec<&Rim> = collateral.rims_for(chip, version).collect();
    let mut best: Option<(usize, UsedRim<'a>)> = None;
    let mut first_failure = None;
    for rim in candidates.iter().copied() {
        let used = match verify_candidate(checker, verifier, collateral, kind, rim, options) {
            Ok(used) => used,
            Err(e) => {
                first_failure.get_or_insert(e);
                continue;
            }
        };
        // Ranking needs a comparison only when there is a choice.
        let mismatches = if candidates.len() > 1 {
            match golden(&[(kind, rim)]) {
                Ok(golden) => compare(&golden, report).mismatches.len(),
                Err(e) => {
                    first_failure.get_or_insert(e);
                    continue;
                }
            }
        } else {
            0
        };
        if best.as_ref().is_none_or(|(m, _)| mismatches < *m) {
            best = Some((mismatches, used));
        }
    }
    match (best, first_failure) {
        (Some((_, used)), _) => {
            warnings.extend(used.warnings.iter().cloned());
            Ok(Some(used))
        }
        (None, Some(e)) => Err(e),
        (None, None) => Ok(None),
    }
}

/// One candidate RIM: its signature, its chain to the pinned RIM root, active
/// measurements, and OCSP for its chain (what rejects is an error).
fn verify_candidate<'a>(
    checker: &PathChecker<'_>,
    verifier: &Verifier,
    collateral: &Bundle,
    kind: RimKind,
    rim: &'a Rim,
    options: &NvidiaOptions,
) -> Result<UsedRim<'a>, Error> {
    let label = format!("{} RIM {}", kind.label(), rim.colloquial_version());
    rim.verify_signature(checker.provider, checker.cache)
        .map_err(|e| relabel(e, &label))?;
    rim.verify_chain(checker, &verifier.anchors.nvidia_rim_root)?;
    if !rim.measurements().iter().any(|m| m.active) {
        return Err(Error::Rim {
            rim: label,
            kind: RimErrorKind::NoMeasurements,
        });
    }
    let ocsp_checker = OcspChecker {
        checker,
        memo: &verifier.ocsp,
    };
    let mut ocsp = Vec::new();
    let mut chain_warnings = Vec::new();
    for pair in rim.certificates().windows(2) {
        let [cert, issuer] = pair else { continue };
        ocsp.push(ocsp_claim(
            &ocsp_checker,
            collateral,
            cert,
            issuer,
            true,
            options,
            &mut chain_warnings,
        )?);
    }
    // The driver and VBIOS chains share certificates: say which chain a warning is about.
    let warnings = chain_warnings
        .into_iter()
        .map(|w| Warning {
            message: format!("{label} signing chain: {}", w.message),
            ..w
        })
        .collect();
    Ok(UsedRim {
        rim,
        ocsp,
        warnings,
    })
}

/// Errors the RIM module labels by content carry the RIM's role here.
fn relabel(e: Error, label: &str) -> Error {
    match e {
        Error::Rim { kind, .. } => Error::Rim {
            rim: label.to_owned(),
            kind,
        },
        other => other,
    }
}

/// Missing RIMs and mismatches are claims with warnings, or rejections when the caller
/// requires RIMs.
fn report_rim_outcome(
    comparison: &Comparison,
    rims: [(&Option<UsedRim<'_>>, RimKind, Option<CollateralKey>); 2],
    options: &NvidiaOptions,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    for (rim, kind, key) in rims {
        if rim.is_some() {
            continue;
        }
        let message = match &key {
            Some(key) => format!("{key} was not supplied; measurements were not compared with it"),
            None => format!(
                "the report does not name its {} version, so no {} RIM applies; measurements were not compared with one",
                kind.label(),
                kind.label()
            ),
        };
        if options.require_rims {
            return Err(match key {
                Some(key) => Error::MissingCollateral { key },
                None => ExpectationError::RimUnidentified(kind.label()).into(),
            });
        }
        warnings.push(Warning::new("rim_unavailable", message));
    }
    if !comparison.mismatches.is_empty() {
        let indices: Vec<u32> = comparison.mismatches.iter().map(|m| m.index).collect();
        if options.require_rims {
            return Err(ExpectationError::MeasurementMismatch { indices }.into());
        }
        warnings.push(Warning::new(
            "measurement_mismatch",
            format!("measurements at RIM indices {indices:?} match no golden value"),
        ));
    }
    Ok(())
}

fn rim_claim(rim: Option<UsedRim<'_>>) -> RimClaim {
    match rim {
        Some(used) => RimClaim {
            status: "verified",
            tag_id: Some(used.rim.tag_id().to_owned()),
            ocsp: used.ocsp,
        },
        None => RimClaim {
            status: "unavailable",
            tag_id: None,
            ocsp: Vec::new(),
        },
    }
}

fn expect_version(
    field: &'static str,
    actual: Option<&str>,
    allowed: &[String],
) -> Result<(), Error> {
    if allowed.is_empty() {
        return Ok(());
    }
    let actual = actual.unwrap_or_default();
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(actual)) {
        return Ok(());
    }
    Err(ExpectationError::NotTrusted {
        field,
        actual: actual.to_owned(),
        count: allowed.len(),
    }
    .into())
}
