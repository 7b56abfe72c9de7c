//! Intel DCAP quote verification, step by step (numbers match the crate docs).

use std::sync::Arc;

use super::claims::{PlatformClaims, PlatformFacts, QuoteClaims, SgxClaims, TdxClaims};
use super::evaluate::{evaluate, PlatformTcb, TcbEvaluation};
use super::eventlog::EventLog;
use super::needs;
use super::pck_chain::{
    ca_cn, issuers, issuing_ca, parse_pck_chain, pck_certificate_key, pck_certificates, pck_source,
    PckChain, PckSource, KNOWN_ROOTS, PCK_LEAF_CN, PLATFORM_CA_CN, PROCESSOR_CA_CN, ROOT_CN,
    TCB_SIGNING_CN,
};
use super::pck_ext::PckExtension;
use super::quote::{Quote, QuoteBody, TdReport, CERT_TYPE_PCK_CHAIN, TEE_TYPE_TDX};
use super::signed::SignedQeIdentity;
use super::signed::SignedTcbInfo;
use super::status::TcbStatus;
use super::tcb_info::TcbInfoId;
use super::{SgxOptions, TdxOptions};
use crate::claims::{Verified, Warning};
use crate::collateral::Bundle;
use crate::crypto::{Curve, HashAlg};
use crate::error::{
    BindingError, CertErrorKind, CollateralError, Error, ExpectationError, TcbError, Unsupported,
};
use crate::needs::{CollateralKey, IntelTee};
use crate::pki::{verify_fixed_ecdsa, CertRole, Certificate, Crl, PathChecker, PublicKey};
use crate::time::{secs, UnixTime};
use crate::Verifier;

/// The PCK chain a quote carries (type 5), parsed (through the verifier's chain cache).
fn carried_chain(
    verifier: &Verifier,
    quote: &Quote<'_>,
    bundle: &Bundle,
) -> Result<Arc<PckChain>, Error> {
    let cert = &quote.signature.certification;
    // The type is checked before the cache: a cached chain must not stand in for
    // certification data of another type.
    if cert.cert_type != CERT_TYPE_PCK_CHAIN {
        return parse_pck_chain(quote, Some(bundle)).map(Arc::new);
    }
    let key = verifier
        .chains
        .enabled()
        .then(|| verifier.provider.hash(HashAlg::Sha256, &[cert.data]));
    if let Some(chain) = key.as_ref().and_then(|k| verifier.chains.get(k)) {
        return Ok(chain);
    }
    let chain = Arc::new(parse_pck_chain(quote, Some(bundle))?);
    if let Some(k) = key {
        verifier.chains.insert(k, Arc::clone(&chain));
    }
    Ok(chain)
}

/// The quote's PCK chain: the one it carries (type 5), or one built from its PCK leaf
/// (carried, type 4; or the one in the collateral whose key verifies the QE report, types
/// 2 and 3) and the PCK CA and root in the collateral.
fn platform_chain(
    verifier: &Verifier,
    checker: &PathChecker<'_>,
    quote: &Quote<'_>,
    bundle: &Bundle,
) -> Result<Arc<PckChain>, Error> {
    match pck_source(quote)? {
        PckSource::Chain => carried_chain(verifier, quote, bundle),
        PckSource::Leaf(leaf) => build_chain(verifier, checker, &[&leaf], bundle).map(Arc::new),
        PckSource::Ppid(ppid) => {
            let candidates: Vec<&Certificate> = pck_certificates(bundle).collect();
            if candidates.is_empty() {
                return Err(Error::MissingCollateral {
                    key: pck_certificate_key(quote, &ppid),
                });
            }
            let sig = &quote.signature;
            let bound: Vec<&Certificate> = candidates
                .iter()
                .copied()
                .filter(|leaf| {
                    p256_point(leaf, CertRole::Pck).is_ok_and(|key| {
                        verify_fixed_ecdsa(
                            verifier.provider,
                            &verifier.cache,
                            (Curve::P256, HashAlg::Sha256),
                            key,
                            sig.qe_report_raw,
                            None,
                            &sig.qe_report_signature,
                        )
                        .is_ok()
                    })
                })
                .collect();
            if bound.is_empty() {
                return Err(BindingError::PckCertificate {
                    candidates: candidates.len(),
                }
                .into());
            }
            build_chain(verifier, checker, &bound, bundle).map(Arc::new)
        }
    }
}

/// A chain over the first of `leaves` whose PCK CA and root are in `bundle` and check:
/// the root pinned, the CA issued by it, the leaf by the CA. Otherwise the first error.
fn build_chain(
    verifier: &Verifier,
    checker: &PathChecker<'_>,
    leaves: &[&Certificate],
    bundle: &Bundle,
) -> Result<PckChain, Error> {
    let mut first_error = None;
    for leaf in leaves {
        let Some(ca_kind) = issuing_ca(leaf) else {
            first_error.get_or_insert_with(|| {
                Error::cert(
                    CertRole::PckCa,
                    leaf.issuer().display(),
                    CertErrorKind::UnexpectedSubject {
                        expected: PLATFORM_CA_CN,
                    },
                )
            });
            continue;
        };
        let missing = || Error::MissingCollateral {
            key: CollateralKey::IntelPckCaChain { ca: ca_kind },
        };
        let cas = issuers(bundle, leaf, &[ca_cn(ca_kind)]);
        if cas.is_empty() {
            first_error.get_or_insert_with(missing);
        }
        for ca in cas {
            let roots = issuers(bundle, ca, &[ROOT_CN]);
            if roots.is_empty() {
                first_error.get_or_insert_with(missing);
            }
            for root in roots {
                let checked = checker
                    .check_known_root(
                        root,
                        CertRole::IntelRoot,
                        &verifier.anchors.intel_root,
                        &KNOWN_ROOTS,
                    )
                    .and_then(|()| checker.check_issued(ca, CertRole::PckCa, root, 1))
                    .and_then(|()| checker.check_issued(leaf, CertRole::Pck, ca, 0));
                match checked {
                    Ok(()) => {
                        return Ok(PckChain {
                            leaf: (*leaf).clone(),
                            ca: ca.clone(),
                            root: root.clone(),
                            pck: PckExtension::decode(leaf),
                        })
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
        }
    }
    // `leaves` is never empty: the callers pass the quote's leaf or at least one match.
    Err(first_error.unwrap_or(Error::EvidenceSignature { what: "QE report" }))
}

fn expect_subject(cert: &Certificate, role: CertRole, names: &[&'static str]) -> Result<(), Error> {
    let cn = cert.subject().common_name().unwrap_or("");
    if names.contains(&cn) {
        return Ok(());
    }
    Err(Error::cert(
        role,
        cert.subject().display(),
        CertErrorKind::UnexpectedSubject {
            expected: names.first().copied().unwrap_or(""),
        },
    ))
}

fn p256_point(cert: &Certificate, role: CertRole) -> Result<&[u8], Error> {
    match cert.public_key() {
        PublicKey::Ec {
            curve: Curve::P256,
            point,
        } => Ok(point),
        _ => Err(Error::cert(
            role,
            cert.subject().display(),
            CertErrorKind::UnexpectedKey("Intel signing keys are ECDSA P-256"),
        )),
    }
}

/// The current CRL issued by `issuer`: of those the bundle holds, the newest that checks;
/// if none does, the newest one's error.
fn pick_crl<'b>(
    checker: &PathChecker<'_>,
    bundle: &'b Bundle,
    issuer: &Certificate,
    role: CertRole,
    missing: CollateralKey,
) -> Result<&'b Crl, Error> {
    let mut candidates: Vec<&Crl> = bundle.crls_by_issuer(issuer.subject().raw()).collect();
    candidates.sort_by_key(|c| core::cmp::Reverse(c.this_update()));
    let mut first_error = None;
    for crl in candidates {
        match checker.check_crl(crl, issuer, role) {
            Ok(()) => return Ok(crl),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(Error::MissingCollateral { key: missing }))
}

/// The TCB Signing certificate: one in the bundle issued by the root and valid now.
fn pick_tcb_signing<'b>(
    checker: &PathChecker<'_>,
    bundle: &'b Bundle,
    root: &Certificate,
    root_crl: &Crl,
) -> Result<&'b Certificate, Error> {
    let mut first_error = None;
    for cert in bundle.certificates().iter().filter(|c| {
        c.subject().common_name() == Some(TCB_SIGNING_CN)
            && c.issuer().raw() == root.subject().raw()
    }) {
        let checked = checker
            .check_issued(cert, CertRole::TcbSigning, root, 0)
            .and_then(|()| checker.check_not_revoked(cert, CertRole::TcbSigning, root_crl))
            .and_then(|()| p256_point(cert, CertRole::TcbSigning).map(|_| ()));
        match checked {
            Ok(()) => return Ok(cert),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(Error::MissingCollateral {
        key: CollateralKey::IntelTcbSigning,
    }))
}

fn freshness(what: &'static str, issue_date: u64, next_update: u64, now: u64) -> Result<(), Error> {
    if now < issue_date {
        return Err(CollateralError::NotYetValid {
            what,
            now,
            issue_date,
        }
        .into());
    }
    if now > next_update {
        return Err(CollateralError::Expired {
            what,
            now,
            next_update,
        }
        .into());
    }
    Ok(())
}

/// The TCB Info for this FMSPC and TEE: of several, the one current at `now` with the
/// highest evaluation number; if none is current, the newest (and its freshness error).
fn pick_tcb_info<'b>(
    bundle: &'b Bundle,
    fmspc: &[u8; 6],
    id: TcbInfoId,
    now: u64,
) -> Result<&'b SignedTcbInfo, Error> {
    let for_platform: Vec<&SignedTcbInfo> = bundle.tcb_infos_for(fmspc).collect();
    let missing = || Error::MissingCollateral {
        key: CollateralKey::IntelTcbInfo {
            tee: match id {
                TcbInfoId::Tdx => IntelTee::Tdx,
                TcbInfoId::Sgx => IntelTee::Sgx,
            },
            fmspc: *fmspc,
        },
    };
    if for_platform.is_empty() {
        return Err(missing());
    }
    let mut right_id: Vec<&SignedTcbInfo> = for_platform
        .iter()
        .copied()
        .filter(|t| t.body().id == id)
        .collect();
    if right_id.is_empty() {
        return Err(BindingError::TcbInfoMismatch {
            field: "id",
            quote: id.name().to_owned(),
            collateral: for_platform
                .first()
                .map_or("", |t| t.body().id.name())
                .to_owned(),
        }
        .into());
    }
    right_id.sort_by_key(|t| {
        let current = t.body().issue_date <= now && now <= t.body().next_update;
        core::cmp::Reverse((
            current,
            t.body().tcb_evaluation_data_number,
            t.body().issue_date,
        ))
    });
    right_id.first().copied().ok_or_else(missing)
}

fn pick_qe_identity(bundle: &Bundle, tee: IntelTee, now: u64) -> Result<&SignedQeIdentity, Error> {
    let id = needs::qe_identity_id(tee);
    let missing = || Error::MissingCollateral {
        key: CollateralKey::IntelQeIdentity { tee },
    };
    let mut candidates: Vec<&SignedQeIdentity> = bundle
        .qe_identities()
        .iter()
        .filter(|q| q.body().id == id)
        .collect();
    if candidates.is_empty() {
        if let Some(other) = bundle.qe_identities().first() {
            return Err(BindingError::QeIdentity {
                field: "id",
                quote: id.to_owned(),
                collateral: other.body().id.clone(),
            }
            .into());
        }
        return Err(missing());
    }
    candidates.sort_by_key(|q| {
        let current = q.body().issue_date <= now && now <= q.body().next_update;
        core::cmp::Reverse((
            current,
            q.body().tcb_evaluation_data_number,
            q.body().issue_date,
        ))
    });
    candidates.first().copied().ok_or_else(missing)
}

fn masked_eq(a: &[u8], b: &[u8], mask: &[u8]) -> bool {
    a.len() == b.len()
        && a.len() == mask.len()
        && a.iter().zip(b).zip(mask).all(|((x, y), m)| x & m == y & m)
}

/// The TDX module checks of Intel's library: MRSIGNERSEAM equals the identity's
/// mrsigner, and SEAMATTRIBUTES equals its attributes. Intel compares SEAMATTRIBUTES
/// unmasked and requires zero; Verdict requires zero and the masked match too.
fn check_tdx_module(td: &TdReport, info: &super::tcb_info::TcbInfo) -> Result<(), Error> {
    let module_version = td.tee_tcb_svn.get(1).copied().unwrap_or(0);
    let identity = if module_version > 0 {
        info.module_identity(module_version)
            .ok_or_else(|| BindingError::TdxModule {
                field: "identity",
                quote: format!("TDX_{module_version:02X}"),
                collateral: format!(
                    "one of [{}]",
                    info.tdx_module_identities
                        .iter()
                        .map(|m| m.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?
    } else {
        info.tdx_module
            .as_ref()
            .ok_or_else(|| BindingError::TdxModule {
                field: "identity",
                quote: "TDX module".to_owned(),
                collateral: "none".to_owned(),
            })?
    };
    if td.mr_signer_seam != identity.mrsigner {
        return Err(BindingError::TdxModule {
            field: "mr_signer_seam",
            quote: crate::hexstr::to_hex(td.mr_signer_seam),
            collateral: crate::hexstr::to_hex(identity.mrsigner),
        }
        .into());
    }
    let zero = td.seam_attributes == [0; 8];
    if !zero
        || !masked_eq(
            &td.seam_attributes,
            &identity.attributes,
            &identity.attributes_mask,
        )
        || td.seam_attributes != identity.attributes
    {
        return Err(BindingError::TdxModule {
            field: "seam_attributes",
            quote: crate::hexstr::to_hex(td.seam_attributes),
            collateral: crate::hexstr::to_hex(identity.attributes),
        }
        .into());
    }
    Ok(())
}

/// What the caller asked to verify, with the expectations for that kind of quote.
#[derive(Clone, Copy)]
pub(crate) enum Expect<'a> {
    /// A TD quote (TDX).
    Td(&'a TdxOptions),
    /// An enclave quote (SGX).
    Enclave(&'a SgxOptions),
}

impl Expect<'_> {
    /// The error for a quote of the other kind.
    fn mismatch(self) -> Error {
        let (expected, actual) = match self {
            Self::Td(_) => ("tdx", "sgx"),
            Self::Enclave(_) => ("sgx", "tdx"),
        };
        ExpectationError::TeeMismatch { expected, actual }.into()
    }
}

pub(crate) fn verify(
    verifier: &Verifier,
    bytes: &[u8],
    event_log: Option<&[u8]>,
    bundle: &Bundle,
    expect: Expect<'_>,
    now: UnixTime,
) -> Result<Verified<QuoteClaims>, Error> {
    let now_secs = secs(now);
    let checker = PathChecker {
        provider: verifier.provider,
        cache: &verifier.cache,
        now,
    };
    let mut warnings = Vec::new();

    // 1. Parse: version, key type, TEE type, QE vendor, body, signature data.
    let quote = Quote::parse(bytes)?;
    let tdx = quote.header.tee_type == TEE_TYPE_TDX;
    // The kind of quote is part of what the caller asked for: a TD's expectations must
    // never be skipped because the quote is an enclave's, nor the reverse.
    if tdx != matches!(expect, Expect::Td(_)) {
        return Err(expect.mismatch());
    }
    let sig = &quote.signature;

    // 2. The PCK chain: PCK → PCK CA → Intel SGX Root CA (pinned), from the quote (type
    //    5) or built with the collateral (types 2 to 4; for 2 and 3 the PCK certificate
    //    is the one whose key verifies the QE report signature, checked again in step 4).
    let chain = platform_chain(verifier, &checker, &quote, bundle)?;
    let (leaf, ca, root) = (&chain.leaf, &chain.ca, &chain.root);
    expect_subject(root, CertRole::IntelRoot, &[ROOT_CN])?;
    expect_subject(ca, CertRole::PckCa, &[PLATFORM_CA_CN, PROCESSOR_CA_CN])?;
    expect_subject(leaf, CertRole::Pck, &[PCK_LEAF_CN])?;
    checker.check_known_root(
        root,
        CertRole::IntelRoot,
        &verifier.anchors.intel_root,
        &KNOWN_ROOTS,
    )?;
    // The PCK CA is one intermediate below the root (RFC 5280 pathLenConstraint).
    checker.check_issued(ca, CertRole::PckCa, root, 1)?;
    checker.check_issued(leaf, CertRole::Pck, ca, 0)?;

    // 3. Revocation: the Root CA CRL for the PCK CA, the PCK CA's CRL for the PCK.
    let root_crl = pick_crl(
        &checker,
        bundle,
        root,
        CertRole::IntelRoot,
        CollateralKey::IntelRootCaCrl,
    )?;
    checker.check_not_revoked(ca, CertRole::PckCa, root_crl)?;
    let pck_crl = pick_crl(
        &checker,
        bundle,
        ca,
        CertRole::PckCa,
        CollateralKey::IntelPckCrl {
            ca: needs::pck_ca(&chain),
        },
    )?;
    checker.check_not_revoked(leaf, CertRole::Pck, pck_crl)?;
    let pck = chain.pck.clone()?;

    // 4. The QE report is signed by the PCK key, and vouches for the attestation key:
    //    REPORTDATA = SHA-256(attestation key ‖ QE auth data) ‖ 32 zero bytes.
    let pck_key = p256_point(leaf, CertRole::Pck)?;
    verify_fixed_ecdsa(
        verifier.provider,
        &verifier.cache,
        (Curve::P256, HashAlg::Sha256),
        pck_key,
        sig.qe_report_raw,
        None,
        &sig.qe_report_signature,
    )
    .map_err(|_| Error::EvidenceSignature { what: "QE report" })?;
    let binding = verifier
        .provider
        .hash(HashAlg::Sha256, &[&sig.attestation_key, sig.qe_auth_data]);
    let mut expected = [0u8; 64];
    if let Some(head) = expected.get_mut(..32) {
        head.copy_from_slice(binding.as_ref());
    }
    if sig.qe_report.report_data != expected {
        return Err(BindingError::QeReportData {
            expected: crate::hexstr::to_hex(expected),
            actual: crate::hexstr::to_hex(sig.qe_report.report_data),
        }
        .into());
    }

    // 5. The quote signature by the attestation key over header ‖ body.
    let mut att_point = [0u8; 65];
    att_point[0] = 0x04;
    if let Some(xy) = att_point.get_mut(1..) {
        xy.copy_from_slice(&sig.attestation_key);
    }
    verifier
        .provider
        .verify_ecdsa(
            Curve::P256,
            HashAlg::Sha256,
            &att_point,
            quote.signed,
            crate::crypto::EcdsaSig::Fixed(&sig.quote_signature),
        )
        .map_err(|_| Error::EvidenceSignature {
            what: if tdx { "TDX quote" } else { "SGX quote" },
        })?;

    // 5a. The event log, when given, replays to the quote's RTMRs (all four): its events
    //     become claims only because the signed RTMRs vouch for them.
    let events = match (event_log, quote.td_report()) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(Unsupported::EventLogWithoutTd.into());
        }
        (Some(log), Some(td)) => {
            let log = EventLog::parse(log)?;
            log.replay_matches(verifier.provider, &td.rtmr)
                .map_err(|m| BindingError::RtmrReplay {
                    index: usize::from(m.index),
                    replayed: crate::hexstr::to_hex(m.replayed),
                    quoted: crate::hexstr::to_hex(m.quoted),
                })?;
            Some(log.decode(verifier.provider))
        }
    };

    // 6. TCB Info and QE Identity: signed by the TCB Signing certificate (issued by the
    //    same root, not revoked), current at `now`, and for this platform and TEE.
    let signing = pick_tcb_signing(&checker, bundle, root, root_crl)?;
    let signing_key = p256_point(signing, CertRole::TcbSigning)?;
    let info_id = if tdx { TcbInfoId::Tdx } else { TcbInfoId::Sgx };
    let tcb_info = pick_tcb_info(bundle, &pck.fmspc, info_id, now_secs)?;
    verify_fixed_ecdsa(
        verifier.provider,
        &verifier.cache,
        (Curve::P256, HashAlg::Sha256),
        signing_key,
        tcb_info.signed_bytes(),
        Some(tcb_info.memo()),
        tcb_info.signature(),
    )
    .map_err(|_| CollateralError::Signature { what: "TCB Info" })?;
    freshness(
        "TCB Info",
        tcb_info.body().issue_date,
        tcb_info.body().next_update,
        now_secs,
    )?;
    if tcb_info.body().pce_id != pck.pce_id {
        return Err(BindingError::TcbInfoMismatch {
            field: "pceId",
            quote: crate::hexstr::to_hex(pck.pce_id),
            collateral: crate::hexstr::to_hex(tcb_info.body().pce_id),
        }
        .into());
    }
    let qe_identity = pick_qe_identity(bundle, needs::tee(&quote), now_secs)?;
    verify_fixed_ecdsa(
        verifier.provider,
        &verifier.cache,
        (Curve::P256, HashAlg::Sha256),
        signing_key,
        qe_identity.signed_bytes(),
        Some(qe_identity.memo()),
        qe_identity.signature(),
    )
    .map_err(|_| CollateralError::Signature {
        what: "QE Identity",
    })?;
    freshness(
        "QE Identity",
        qe_identity.body().issue_date,
        qe_identity.body().next_update,
        now_secs,
    )?;

    // 7. The quoting enclave is the one the QE Identity describes.
    let qe = &sig.qe_report;
    let id = qe_identity.body();
    if qe.misc_select & id.miscselect_mask != id.miscselect & id.miscselect_mask {
        return Err(BindingError::QeIdentity {
            field: "miscselect",
            quote: format!("{:08x}", qe.misc_select),
            collateral: format!(
                "{:08x} under mask {:08x}",
                id.miscselect, id.miscselect_mask
            ),
        }
        .into());
    }
    if !masked_eq(&qe.attributes, &id.attributes, &id.attributes_mask) {
        return Err(BindingError::QeIdentity {
            field: "attributes",
            quote: crate::hexstr::to_hex(qe.attributes),
            collateral: format!(
                "{} under mask {}",
                crate::hexstr::to_hex(id.attributes),
                crate::hexstr::to_hex(id.attributes_mask)
            ),
        }
        .into());
    }
    if qe.mr_signer != id.mrsigner {
        return Err(BindingError::QeIdentity {
            field: "mrsigner",
            quote: crate::hexstr::to_hex(qe.mr_signer),
            collateral: crate::hexstr::to_hex(id.mrsigner),
        }
        .into());
    }
    if qe.isv_prod_id != id.isv_prod_id {
        return Err(BindingError::QeIdentity {
            field: "isvprodid",
            quote: qe.isv_prod_id.to_string(),
            collateral: id.isv_prod_id.to_string(),
        }
        .into());
    }

    // 8. The TDX module is the one the TCB Info describes.
    if let QuoteBody::Td(td) = &quote.body {
        check_tdx_module(td, tcb_info.body())?;
    }

    // 9. TCB evaluation (TD 1.5: at launch and now, then the relaunch rule).
    let platform = PlatformTcb {
        sgx_components: pck.tcb_components,
        pce_svn: pck.pce_svn,
        qe_isv_svn: qe.isv_svn,
    };
    let td = quote.td_report();
    let launch = evaluate(tcb_info.body(), id, &platform, td.map(|t| &t.tee_tcb_svn))?;
    let current: Option<TcbEvaluation> = match td.and_then(|t| t.tee_tcb_svn2.as_ref()) {
        Some(svn2) => Some(evaluate(tcb_info.body(), id, &platform, Some(svn2))?),
        None => None,
    };
    let final_status = match &current {
        Some(c) => TcbStatus::relaunch(launch.status, c.status),
        None => launch.status,
    };
    if final_status == TcbStatus::Revoked {
        return Err(TcbError::Revoked {
            which: revoked_part(&launch),
        }
        .into());
    }
    if current
        .as_ref()
        .is_some_and(|c| c.status == TcbStatus::Revoked)
    {
        return Err(TcbError::Revoked {
            which: "current TCB (TEE_TCB_SVN2)".to_owned(),
        }
        .into());
    }
    if final_status != TcbStatus::UpToDate {
        let advisories = if launch.advisory_ids.is_empty() {
            String::new()
        } else {
            format!(" ({})", launch.advisory_ids.join(", "))
        };
        warnings.push(Warning::new(
            "tcb_status",
            format!("TCB status is {final_status}{advisories}"),
        ));
    }

    // 10. Caller expectations.
    match (expect, &quote.body) {
        (Expect::Td(options), QuoteBody::Td(td)) => {
            options.check_status(final_status)?;
            options.check_td(td)?;
        }
        (Expect::Enclave(options), QuoteBody::Sgx(report)) => {
            options.check_status(final_status)?;
            options.check_enclave(report)?;
        }
        // Refused after parsing (step 1); kept exhaustive so no pairing is skipped.
        (Expect::Td(_), QuoteBody::Sgx(_)) | (Expect::Enclave(_), QuoteBody::Td(_)) => {
            return Err(expect.mismatch());
        }
    }

    let expires_at = [
        leaf.not_after_secs(),
        ca.not_after_secs(),
        root.not_after_secs(),
        signing.not_after_secs(),
        root_crl.next_update_secs().unwrap_or(u64::MAX),
        pck_crl.next_update_secs().unwrap_or(u64::MAX),
        tcb_info.body().next_update,
        id.next_update,
    ]
    .into_iter()
    .min()
    .unwrap_or(0);
    let facts = PlatformFacts {
        quote: &quote,
        pck: &pck,
        pck_issuer: ca.subject().common_name().unwrap_or("").to_owned(),
        final_eval: &launch,
        final_status,
        launch_current: current.as_ref().map(|c| (&launch, c)),
        tcb_eval_num: tcb_info
            .body()
            .tcb_evaluation_data_number
            .min(id.tcb_evaluation_data_number),
        expires_at,
    };
    let platform_claims = PlatformClaims::new(&facts);
    if !platform_claims.trailing_bytes_zero {
        warnings.push(Warning::new(
            "trailing_data",
            format!(
                "{} unsigned bytes after the signature data are not zero padding; they were ignored",
                quote.trailing.len()
            ),
        ));
    }
    let claims = match &quote.body {
        QuoteBody::Td(td) => {
            if td.debug() {
                warnings.push(Warning::new(
                    "debug_td",
                    "the TD has the DEBUG attribute set: its memory and state are not confidential",
                ));
            }
            let mut claims = TdxClaims::new(td, platform_claims);
            claims.event_log = events;
            QuoteClaims::Tdx(Box::new(claims))
        }
        QuoteBody::Sgx(report) => {
            if report.debug() {
                warnings.push(Warning::new(
                    "debug_enclave",
                    "the enclave has the DEBUG attribute set: it is not confidential",
                ));
            }
            QuoteClaims::Sgx(Box::new(SgxClaims::new(report, platform_claims)))
        }
    };
    Ok(Verified::new(claims, warnings))
}

fn revoked_part(e: &TcbEvaluation) -> String {
    if e.platform_status == TcbStatus::Revoked {
        "platform TCB level".to_owned()
    } else if e.qe_status == TcbStatus::Revoked {
        "QE TCB level".to_owned()
    } else {
        "TDX module TCB level".to_owned()
    }
}
