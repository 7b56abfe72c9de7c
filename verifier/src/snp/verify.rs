//! SEV-SNP verification, step by step (numbers match the crate docs' checklist).

use super::claims::{time, SnpClaims, VekClaims};
use super::index::VekIndex;
use super::kds_ext::VekExtensions;
use super::needs::{self, fits, AmdName};
use super::report::{signed_range, AttestationReport, SigningKey};
use super::{Product, SnpOptions};
use crate::claims::{Verified, Warning};
use crate::collateral::Bundle;
use crate::crypto::{Curve, EcdsaSig, HashAlg};
use crate::error::{BindingError, CertErrorKind, Error, ExpectationError, Unsupported};
use crate::needs::{AmdSigner, CollateralKey};
use crate::pki::{CertRole, Certificate, Crl, PathChecker, PublicKey};
use crate::Verifier;

/// The AMD certificates of one verification: those the evidence carried (a few,
/// classified here, and tried first) and the bundle's (classified once, when added to
/// it: `snp::index`), so the cost of a call does not grow with the bundle.
struct Classified<'a> {
    carried: Vec<(AmdName, &'a Certificate)>,
    bundle: &'a Bundle,
}

impl<'a> Classified<'a> {
    fn new(carried: &'a [Certificate], bundle: &'a Bundle) -> Self {
        Self {
            carried: carried
                .iter()
                .filter_map(|c| AmdName::of(c).map(|n| (n, c)))
                .collect(),
            bundle,
        }
    }

    /// The ARKs, ASKs and ASVKs whose name `f` accepts, carried first.
    fn cas(&self, f: impl Fn(AmdName) -> bool) -> Vec<&'a Certificate> {
        let certs = self.bundle.certificates();
        let carried = self
            .carried
            .iter()
            .filter(|(n, _)| !matches!(n, AmdName::Vcek | AmdName::Vlek) && f(*n))
            .map(|(_, c)| *c);
        let bundled = self
            .bundle
            .amd_index()
            .cas()
            .iter()
            .filter(|(n, _)| f(*n))
            .filter_map(|(_, p)| certs.get(*p));
        carried.chain(bundled).collect()
    }

    /// The VEKs of one signer kind, carried first.
    fn veks(&self, signer: AmdSigner) -> Veks<'a> {
        let name = match signer {
            AmdSigner::Vcek => AmdName::Vcek,
            AmdSigner::Vlek => AmdName::Vlek,
        };
        Veks {
            carried: self
                .carried
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, c)| *c)
                .collect(),
            certs: self.bundle.certificates(),
            index: self.bundle.amd_index().veks(signer),
        }
    }
}

/// The VEKs of one kind: carried, then the bundle's through its index.
struct Veks<'a> {
    carried: Vec<&'a Certificate>,
    certs: &'a [Certificate],
    index: &'a VekIndex,
}

impl<'a> Veks<'a> {
    fn len(&self) -> usize {
        self.carried.len().saturating_add(self.index.len())
    }

    fn first(&self) -> Option<&'a Certificate> {
        self.carried
            .first()
            .copied()
            .or_else(|| self.index.first().and_then(|p| self.certs.get(p)))
    }

    /// The product line the first VEK naming one names (a v2 report's).
    fn product(&self) -> Option<Product> {
        self.carried
            .iter()
            .find_map(|c| needs::product_of_certificate(c))
            .or_else(|| {
                self.index
                    .first_with_product()
                    .and_then(|p| self.certs.get(p))
                    .and_then(needs::product_of_certificate)
            })
    }

    /// Those whose certified TCB and hwID fit the report, in order: the index narrows
    /// the bundle's to those whose hwID could, and `fits` decides as for the carried.
    fn fitting(&self, report: &AttestationReport, product: Product) -> Vec<&'a Certificate> {
        let bundled = self
            .index
            .fitting_chip(&report.chip_id, report.chip_id_masked())
            .into_iter()
            .filter_map(|p| self.certs.get(p));
        self.carried
            .iter()
            .copied()
            .chain(bundled)
            .filter(|l| fits(l, report, product))
            .collect()
    }
}

fn signer_name(role: CertRole) -> &'static str {
    role.name()
}

/// The product of a v2 report, which has no CPUID: the caller's, else the VEK's
/// productName, else the VEK issuer's name (`SEV-Milan`).
fn product_without_cpuid(options: &SnpOptions, leaves: &Veks<'_>) -> Result<Product, Error> {
    if let Some(p) = options.product {
        return Ok(p);
    }
    leaves
        .product()
        .ok_or_else(|| Unsupported::ProductUndetermined.into())
}

/// How far a failed candidate path got: the most specific error is the one of the path
/// that got furthest (first in bundle order among equals).
enum Stage<'a> {
    /// The chain failed: ranked by whether the CA really signed the VEK and the ARK the CA.
    Chain {
        leaf: &'a Certificate,
        ca: &'a Certificate,
    },
    /// The chain verified; the VEK does not fit the report.
    Binding,
    /// The chain and binding verified; the report signature did not.
    Signature,
}

/// The failure to report when no candidate path verifies.
fn most_specific(
    checker: &PathChecker<'_>,
    ark: &Certificate,
    failures: Vec<(Stage<'_>, Error)>,
    vek: CollateralKey,
) -> Error {
    // Ranking costs signature checks: only when there is something to rank.
    let rank = |stage: &Stage<'_>| match *stage {
        Stage::Chain { leaf, ca } => (
            0,
            checker.is_signed_by(leaf, ca),
            checker.is_signed_by(ca, ark),
        ),
        Stage::Binding => (1, true, true),
        Stage::Signature => (2, true, true),
    };
    let mut best: Option<((u8, bool, bool), Error)> = None;
    let single = failures.len() == 1;
    for (stage, error) in failures {
        let r = if single {
            (0, false, false)
        } else {
            rank(&stage)
        };
        if best.as_ref().is_none_or(|(b, _)| r > *b) {
            best = Some((r, error));
        }
    }
    best.map_or(Error::MissingCollateral { key: vek }, |(_, e)| e)
}

/// The ARK: the first candidate that is pinned, self-signed and valid. Otherwise the error
/// of the first pinned candidate, else the first one's: a decoy never hides the real ARK's.
fn pick_ark<'c>(
    checker: &PathChecker<'_>,
    candidates: &[&'c Certificate],
    pins: &[[u8; 32]],
    chain: CollateralKey,
) -> Result<&'c Certificate, Error> {
    let untrusted = |e: &Error| {
        matches!(
            e,
            Error::Certificate {
                kind: CertErrorKind::UntrustedRoot { .. },
                ..
            }
        )
    };
    let mut best: Option<Error> = None;
    for ark in candidates.iter().copied() {
        match checker.check_root(ark, CertRole::Ark, pins) {
            Ok(()) => return Ok(ark),
            Err(e) => {
                if best.as_ref().is_none_or(|b| untrusted(b) && !untrusted(&e)) {
                    best = Some(e);
                }
            }
        }
    }
    Err(best.unwrap_or(Error::MissingCollateral { key: chain }))
}

/// The ARK's CRL: among those the ARK really signed (anyone can add a CRL that names the
/// ARK; one it did not sign is ignored), the newest current one by thisUpdate. `None` when
/// the ARK signed none; if none it signed is current, the newest one's error.
fn pick_crl<'b>(
    checker: &PathChecker<'_>,
    bundle: &'b Bundle,
    ark: &Certificate,
) -> Result<Option<&'b Crl>, Error> {
    let mut candidates: Vec<&Crl> = bundle.crls_by_issuer(ark.subject().raw()).collect();
    candidates.sort_by_key(|c| core::cmp::Reverse(c.this_update()));
    let mut newest_error = None;
    for crl in candidates {
        if checker
            .check_crl_signature(crl, ark, CertRole::Ark)
            .is_err()
        {
            continue;
        }
        match checker.check_crl_current(crl) {
            Ok(()) => return Ok(Some(crl)),
            Err(e) => {
                newest_error.get_or_insert(e);
            }
        }
    }
    newest_error.map_or(Ok(None), Err)
}

/// 7. Binds the VEK to the report: product, signer kind, certified TCB, chip id.
fn bind(
    leaf: &Certificate,
    leaf_role: CertRole,
    report: &AttestationReport,
    product: Product,
    warnings: &mut Vec<Warning>,
) -> Result<VekExtensions, Error> {
    let leaf_fail = |kind| Error::cert(leaf_role, leaf.subject().display(), kind);
    let ext = VekExtensions::decode(leaf, product).map_err(leaf_fail)?;
    if let Some(name) = &ext.product_name {
        if Product::from_name(name) != Some(product) {
            return Err(BindingError::ProductMismatch {
                report: product,
                certificate: name.clone(),
                signer: signer_name(leaf_role),
            }
            .into());
        }
    }
    let expected_struct = u64::from(product.has_fmc());
    if let Some(v) = ext.struct_version {
        if v != expected_struct {
            return Err(leaf_fail(CertErrorKind::BadExtension {
                name: "structVersion",
                reason: format!("{v} is not the {product} structure version {expected_struct}"),
            }));
        }
    }
    match leaf_role {
        CertRole::Vcek if ext.hw_id.is_none() => {
            return Err(leaf_fail(CertErrorKind::MissingExtension {
                name: "hwID",
                oid: "1.3.6.1.4.1.3704.1.4",
            }))
        }
        CertRole::Vlek if ext.csp_id.is_none() => {
            return Err(leaf_fail(CertErrorKind::MissingExtension {
                name: "cspID",
                oid: "1.3.6.1.4.1.3704.1.5",
            }))
        }
        _ => {}
    }
    let reported = report.reported_tcb.parts(product);
    for (component, certified) in ext.tcb.components() {
        let in_report = reported.get(component).unwrap_or(0);
        if in_report != certified {
            return Err(BindingError::TcbMismatch {
                component,
                report: in_report,
                certificate: certified,
                signer: signer_name(leaf_role),
            }
            .into());
        }
    }
    if let Some(hw_id) = &ext.hw_id {
        if leaf_role == CertRole::Vcek {
            check_chip_id(report, product, hw_id, warnings)?;
        }
    }
    Ok(ext)
}

/// 8. The report signature: ECDSA P-384 / SHA-384 over bytes 0x000..0x2A0 as received.
fn check_report_signature(
    verifier: &Verifier,
    leaf: &Certificate,
    leaf_role: CertRole,
    bytes: &[u8],
    report: &AttestationReport,
) -> Result<(), Error> {
    let PublicKey::Ec {
        curve: Curve::P384,
        point,
    } = leaf.public_key()
    else {
        return Err(Error::cert(
            leaf_role,
            leaf.subject().display(),
            CertErrorKind::UnexpectedKey("a VCEK/VLEK key must be EC P-384"),
        ));
    };
    let bad = || Error::EvidenceSignature {
        what: "attestation report",
    };
    let fixed = report.signature.to_p384_fixed().ok_or_else(bad)?;
    let signed = signed_range(bytes).ok_or_else(bad)?;
    verifier
        .provider
        .verify_ecdsa(
            Curve::P384,
            HashAlg::Sha384,
            point,
            signed,
            EcdsaSig::Fixed(&fixed),
        )
        .map_err(|_| bad())
}

pub(crate) fn verify(
    verifier: &Verifier,
    bytes: &[u8],
    bundle: &Bundle,
    options: &SnpOptions,
    now: crate::time::UnixTime,
) -> Result<Verified<SnpClaims>, Error> {
    verify_with_carried(verifier, bytes, &[], bundle, options, now)
}

/// As [`verify`], with the certificates (DER) the evidence carried: Trustee's
/// `cert_chain` (the VCEK or VLEK, perhaps the ASK/ASVK and ARK). They are parsed once
/// per distinct list (the verifier's cache of carried certificates) and tried before the
/// bundle's, as untrusted candidates like the bundle's: each gets its role from its
/// content, and only a chain to the pinned ARK makes one count. A carried certificate
/// that does not parse rejects the evidence, as Azure's carried VCEK does.
pub(crate) fn verify_carrying(
    verifier: &Verifier,
    bytes: &[u8],
    certificates: &[Vec<u8>],
    bundle: &Bundle,
    options: &SnpOptions,
    now: crate::time::UnixTime,
) -> Result<Verified<SnpClaims>, Error> {
    let carried = carried_certificates(verifier, certificates)?;
    verify_with_carried(verifier, bytes, &carried, bundle, options, now)
}

/// Parses carried certificates, through the verifier's cache keyed by the SHA-256 of the
/// exact list (domain-separated from the single-DER keys of Azure's carried VCEK, and
/// length-prefixed so that no two lists share a key).
fn carried_certificates(
    verifier: &Verifier,
    certificates: &[Vec<u8>],
) -> Result<std::sync::Arc<Vec<Certificate>>, Error> {
    let cache = &verifier.device_chains;
    let key = cache.enabled().then(|| {
        let lengths: Vec<[u8; 8]> = certificates
            .iter()
            .map(|c| u64::try_from(c.len()).unwrap_or(u64::MAX).to_le_bytes())
            .collect();
        let mut parts: Vec<&[u8]> = vec![b"verdict snp carried certificates\0".as_slice()];
        for (len, der) in lengths.iter().zip(certificates) {
            parts.push(len);
            parts.push(der);
        }
        verifier.provider.hash(HashAlg::Sha256, &parts)
    });
    if let Some(parsed) = key.as_ref().and_then(|k| cache.get(k)) {
        return Ok(parsed);
    }
    let parsed = std::sync::Arc::new(
        certificates
            .iter()
            .map(|der| Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()?,
    );
    if let Some(k) = key {
        cache.insert(k, std::sync::Arc::clone(&parsed));
    }
    Ok(parsed)
}

/// As [`verify`], with certificates the evidence itself carried (Azure's VCEK) tried
/// before the bundle's. They are as untrusted as the bundle: only the chain decides.
pub(crate) fn verify_with_carried(
    verifier: &Verifier,
    bytes: &[u8],
    carried: &[Certificate],
    bundle: &Bundle,
    options: &SnpOptions,
    now: crate::time::UnixTime,
) -> Result<Verified<SnpClaims>, Error> {
    let mut warnings = Vec::new();

    // 1. Parse: length, version, reserved ranges, signer encoding.
    let report = AttestationReport::parse(bytes)?;
    if report.signature_algo != 1 {
        return Err(Unsupported::SignatureAlgo(report.signature_algo).into());
    }
    let (leaf_role, ca_role, signer_kind) = match report.key_info.signing_key {
        SigningKey::Vcek => (CertRole::Vcek, CertRole::Ask, AmdSigner::Vcek),
        SigningKey::Vlek => (CertRole::Vlek, CertRole::Asvk, AmdSigner::Vlek),
        SigningKey::None => return Err(Unsupported::UnsignedReport.into()),
    };

    // 2. Select the signing certificate by the report's SIGNING_KEY; a VLEK offered for a
    //    VCEK-signed report (or the reverse) is a signer mismatch, not a missing key.
    let classified = Classified::new(carried, bundle);
    let leaves = classified.veks(signer_kind);
    if leaves.len() == 0 {
        let other = match signer_kind {
            AmdSigner::Vcek => AmdSigner::Vlek,
            AmdSigner::Vlek => AmdSigner::Vcek,
        };
        if classified.veks(other).len() > 0 {
            let other_kind = if leaf_role == CertRole::Vcek {
                "VLEK"
            } else {
                "VCEK"
            };
            return Err(BindingError::SignerMismatch {
                report: signer_name(leaf_role),
                certificate: other_kind,
            }
            .into());
        }
        return Err(Error::MissingCollateral {
            key: needs::vek_key(&report, signer_kind, options),
        });
    }

    // 3. Product line: CPUID (v3+), never the shape of CHIP_ID.
    let product = match report.cpuid {
        Some(c) => Product::from_cpuid(c.family, c.model).ok_or(Unsupported::UnknownProduct {
            family: c.family,
            model: c.model,
        })?,
        None => {
            let product = product_without_cpuid(options, &leaves)?;
            let source = if options.product.is_some() {
                "the caller"
            } else {
                "the certificate"
            };
            warnings.push(Warning::new(
                "product_from_certificate",
                format!(
                    "version 2 report has no CPUID: product line {product} taken from {source}"
                ),
            ));
            product
        }
    };
    if let Some(expected) = options.product {
        if expected != product {
            return Err(ExpectationError::Product {
                expected,
                actual: product,
            }
            .into());
        }
    }
    // With several candidates (a directory of VCEKs), try those whose certified TCB and
    // hwID fit the report (with a masked CHIP_ID, several may). With none fitting, only
    // the first is tried, for step 7 to name the misfit: a report that fits nothing must
    // not cost a chain check per VCEK of a fleet's bundle.
    let candidates = if leaves.len() == 1 {
        leaves.first().into_iter().collect()
    } else {
        let mut fitting = leaves.fitting(&report, product);
        if fitting.is_empty() {
            fitting.extend(leaves.first());
        }
        fitting
    };
    let vek = needs::vek_key(&report, signer_kind, options);
    let chain_key = CollateralKey::AmdChain {
        product: Some(product),
        signer: signer_kind,
    };
    let Some(first_leaf) = candidates.first().copied() else {
        return Err(Error::MissingCollateral { key: vek });
    };

    // 4. The intermediate for this product and signer kind: ASK for a VCEK, ASVK for a VLEK.
    let is_ca = |n, p: Option<Product>| match (ca_role, n) {
        (CertRole::Ask, AmdName::Ask(q)) | (CertRole::Asvk, AmdName::Asvk(q)) => {
            p.is_none() || q == p
        }
        _ => false,
    };
    let cas = classified.cas(|n| is_ca(n, Some(product)));
    if cas.is_empty() {
        if let Some(c) = classified.cas(|n| is_ca(n, None)).first() {
            return Err(Error::cert(
                ca_role,
                c.subject().display(),
                CertErrorKind::WrongProduct {
                    expected: product,
                    found: c.subject().common_name().unwrap_or_default().to_owned(),
                },
            ));
        }
        let wrong_kind = classified.cas(|n| match ca_role {
            CertRole::Asvk => matches!(n, AmdName::Ask(Some(p)) if p == product),
            _ => matches!(n, AmdName::Asvk(Some(p)) if p == product),
        });
        if let Some(c) = wrong_kind.first() {
            return Err(Error::cert(
                leaf_role,
                first_leaf.subject().display(),
                CertErrorKind::IssuerMismatch {
                    issuer: first_leaf.issuer().display().to_owned(),
                    candidate: c.subject().display().to_owned(),
                },
            ));
        }
        return Err(Error::MissingCollateral {
            key: chain_key.clone(),
        });
    }
    let arks = classified.cas(|n| n == AmdName::Ark(Some(product)));
    if arks.is_empty() {
        if let Some(c) = classified.cas(|n| matches!(n, AmdName::Ark(_))).first() {
            return Err(Error::cert(
                CertRole::Ark,
                c.subject().display(),
                CertErrorKind::WrongProduct {
                    expected: product,
                    found: c.subject().common_name().unwrap_or_default().to_owned(),
                },
            ));
        }
        return Err(Error::MissingCollateral { key: chain_key });
    }

    // 5. The chain: pinned ARK (self-signed) → ASK/ASVK → VCEK/VLEK, each valid at `now`.
    //    Anyone may add certificates to the bundle, so a name only makes a candidate: the
    //    chain is built from candidates that verify, and a decoy never decides.
    let checker = PathChecker {
        provider: verifier.provider,
        cache: &verifier.cache,
        now,
    };
    let ark = pick_ark(
        &checker,
        &arks,
        &verifier.anchors.ark_pins(product),
        chain_key,
    )?;

    // 6. Revocation of the intermediate, by the ARK's newest current CRL (errors about the
    //    CRL itself come after the chain, as each path needs them).
    let crl = pick_crl(&checker, bundle, ark);
    let revocation = crl.as_ref().ok().copied().flatten();

    // 5–8 for each candidate path (VEK, CA): the first whose chain, binding and report
    // signature all verify is the signer; otherwise the most specific failure. Each CA is
    // checked once, when first needed.
    let mut ca_checks: Vec<Option<Result<(), Error>>> = vec![None; cas.len()];
    let mut failures: Vec<(Stage<'_>, Error)> = Vec::new();
    let mut signer = None;
    'leaves: for leaf in candidates {
        let mut chained = false;
        for (ca, checked) in cas.iter().copied().zip(ca_checks.iter_mut()) {
            let ca_ok = checked.get_or_insert_with(|| {
                checker.check_issued(ca, ca_role, ark, 1)?;
                match revocation {
                    Some(crl) => checker.check_not_revoked(ca, ca_role, crl),
                    None => Ok(()),
                }
            });
            match ca_ok
                .clone()
                .and_then(|()| checker.check_issued(leaf, leaf_role, ca, 0))
            {
                Ok(()) => {
                    chained = true;
                    break;
                }
                Err(e) => failures.push((Stage::Chain { leaf, ca }, e)),
            }
        }
        if !chained {
            continue;
        }
        // Neither CRL errors nor a missing required CRL depend on the path.
        let crl = crl.clone()?;
        if crl.is_none() && options.require_crl {
            return Err(Error::MissingCollateral {
                key: CollateralKey::AmdCrl {
                    product,
                    signer: signer_kind,
                },
            });
        }
        let mut leaf_warnings = Vec::new();
        match bind(leaf, leaf_role, &report, product, &mut leaf_warnings) {
            Err(e) => failures.push((Stage::Binding, e)),
            Ok(ext) => match check_report_signature(verifier, leaf, leaf_role, bytes, &report) {
                Err(e) => failures.push((Stage::Signature, e)),
                Ok(()) => {
                    warnings.append(&mut leaf_warnings);
                    signer = Some((leaf, ext, crl.is_some()));
                    break 'leaves;
                }
            },
        }
    }
    let Some((leaf, ext, crl_checked)) = signer else {
        return Err(most_specific(&checker, ark, failures, vek));
    };
    if !crl_checked {
        warnings.push(Warning::new(
            "crl_not_checked",
            format!("no CRL issued by ARK-{product} was supplied: revocation of the {ca_role} was not checked"),
        ));
    }

    // 9. Caller expectations.
    options.check(&report, product)?;

    // 10. Facts worth a warning: provisional firmware, and a current TCB below the one
    //     the VEK certifies (go-sev-guest treats both as errors by default; real reports
    //     show both, so they are claims for a policy to judge).
    if report.committed_tcb != report.current_tcb {
        warnings.push(Warning::new(
            "provisional_firmware",
            format!(
                "COMMITTED_TCB {} differs from CURRENT_TCB {}",
                report.committed_tcb, report.current_tcb
            ),
        ));
    }
    if let Some((component, _, _)) = report
        .current_tcb
        .parts(product)
        .first_below(&report.reported_tcb.parts(product))
    {
        warnings.push(Warning::new(
            "current_below_reported",
            format!("CURRENT_TCB {component} SPL is below REPORTED_TCB"),
        ));
    }

    let vek = VekClaims {
        kind: if leaf_role == CertRole::Vcek {
            "vcek"
        } else {
            "vlek"
        },
        serial: hex::encode(leaf.serial()),
        not_before: time(leaf.not_before_secs()),
        not_after: time(leaf.not_after_secs()),
        product_name: ext.product_name.clone(),
        csp_id: ext.csp_id.clone(),
    };
    if let (Some(expected), CertRole::Vlek) = (&options.csp_id, leaf_role) {
        let actual = ext.csp_id.clone().unwrap_or_default();
        if &actual != expected {
            return Err(ExpectationError::CspId {
                expected: expected.clone(),
                actual,
            }
            .into());
        }
    }
    Ok(Verified::new(
        SnpClaims::new(&report, product, vek, crl_checked),
        warnings,
    ))
}

/// hwID = CHIP_ID (64 bytes; on Turin the first 8, with the rest zero). A masked
/// (all-zero) CHIP_ID cannot be compared; the signature still binds the chip's key.
fn check_chip_id(
    report: &AttestationReport,
    product: Product,
    hw_id: &[u8],
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    if report.chip_id_masked() {
        warnings.push(Warning::new(
            "chip_id_masked",
            "CHIP_ID is masked (all zero): hwID not compared",
        ));
        return Ok(());
    }
    let len = product.hwid_len();
    let (significant, padding) = report.chip_id.split_at(len.min(report.chip_id.len()));
    if padding.iter().any(|b| *b != 0) {
        return Err(BindingError::ChipIdPadding.into());
    }
    if significant != hw_id {
        return Err(BindingError::ChipIdMismatch {
            report: hex::encode(significant),
            certificate: hex::encode(hw_id),
        }
        .into());
    }
    Ok(())
}
