//! From evidence files to verified claims, through the library's one pipeline
//! ([`Evidence::from_bytes`], [`Verifier::verify`]): what `verify` and `appraise` share.
//! This module reads the files and turns library errors into exit codes and messages;
//! the decisions are the library's.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::anyhow;
use verifier::azure::{AzureSnpOptions, AzureTdxOptions};
use verifier::error::{ExpectationError, Unsupported};
use verifier::nvidia::NvidiaOptions;
use verifier::snp::{ReportDataExpectation, SnpOptions};
use verifier::tdx::{SgxOptions, TdxOptions};
use verifier::{
    time, Claims, Error, Evidence, Expectations, Tee, TrustAnchors, Verified, Verifier,
};

use crate::args::{AzurePartsArgs, TeeArg, VerificationArgs};
use crate::azure;
use crate::exit::{Exit, Failure};
use crate::fetching::{self, Settings};
use crate::input::{self, InputKind};

/// What verification learned besides its result: the TEE (for `--json` even when
/// verification failed), the collateral files it skipped, and what fetching collateral
/// failed to get or served stale.
#[derive(Debug, Default)]
pub(crate) struct Context {
    pub(crate) tee: Option<Tee>,
    pub(crate) skipped: Vec<collateral::Skipped>,
    pub(crate) fetch_failures: Vec<collateral::FetchError>,
    /// Warnings about fetched collateral: `(code, message)`.
    pub(crate) fetch_warnings: Vec<(&'static str, String)>,
}

impl Context {
    /// Skipped files that looked like collateral: each is a warning.
    pub(crate) fn unusable(&self) -> impl Iterator<Item = &collateral::Skipped> {
        self.skipped
            .iter()
            .filter(|s| s.kind == collateral::SkipKind::Unusable)
    }
}

/// The one-line warning for a skipped collateral file.
pub(crate) fn skipped_message(s: &collateral::Skipped) -> String {
    format!("skipped collateral {}: {}", s.path.display(), s.reason)
}

/// Evidence read from one file, and whether the Azure loose-part flags went into it.
pub(crate) struct Loaded {
    pub(crate) evidence: Evidence,
    /// The file was an HCL report, completed by the flags.
    pub(crate) took_parts: bool,
}

/// Reads one evidence file for a command that takes exactly one: the Azure loose-part
/// flags must go into it or not be given.
pub(crate) fn load_evidence(
    path: &Path,
    tee: Option<TeeArg>,
    parts: &AzurePartsArgs,
) -> Result<Evidence, Failure> {
    let loaded = read_evidence(path, tee, parts)?;
    if !loaded.took_parts {
        azure::refuse_parts(parts, path, &evidence_description(&loaded.evidence))?;
    }
    Ok(loaded.evidence)
}

/// Reads an evidence file (or stdin) and tells its kind; `--tee` decides only what
/// content cannot, and contradicting the content is a usage error. A raw Azure HCL
/// report is completed by the loose-part flags.
pub(crate) fn read_evidence(
    path: &Path,
    tee: Option<TeeArg>,
    parts: &AzurePartsArgs,
) -> Result<Loaded, Failure> {
    let raw = input::read(path, InputKind::Evidence)?;
    // With --tpm-quote the operator says EVIDENCE is an HCL report: unless it is plainly
    // evidence of another kind, the verifier's strict parser says what is wrong with it.
    let claimed_hcl = parts.tpm_quote.is_some() && Evidence::from_bytes(&raw, None).is_err();
    if verifier::azure::evidence::is_hcl_report(&raw) || claimed_hcl {
        let evidence = azure::assemble(raw, path, tee.map(tee_of), parts)?;
        if let Some(arg) = tee.filter(|t| tee_of(*t) != evidence.tee()) {
            return Err(tee_contradiction(arg, path, evidence.tee().name()));
        }
        return Ok(Loaded {
            evidence,
            took_parts: true,
        });
    }
    let evidence = Evidence::from_bytes(&raw, tee.map(tee_of)).map_err(|e| match &e {
        Error::Expectation(ExpectationError::TeeMismatch { actual, .. }) => tee.map_or_else(
            || Failure::from_verifier(&e),
            |t| tee_contradiction(t, path, actual),
        ),
        Error::Unsupported(Unsupported::UnknownEvidence { len }) => Failure::usage(
            "unknown_evidence",
            format_args!(
                "cannot tell what kind of evidence {} is ({len} bytes after decoding): pass --tee",
                path.display()
            ),
        ),
        Error::Unsupported(Unsupported::EventLogWithoutTd) => Failure::usage(
            "bad_usage",
            format_args!(
                "{} carries an event log, which goes with a TDX quote; this is an SGX quote",
                path.display()
            ),
        ),
        // An encoded HCL report: the loose parts take it raw.
        Error::Unsupported(Unsupported::HclReportAlone) => Failure::usage(
            "hcl_report_alone",
            format_args!(
                "{} is an encoded Azure HCL report: give it raw, with --tpm-quote, or give \
                 Trustee's evidence JSON",
                path.display()
            ),
        ),
        _ => Failure::from_verifier(&e),
    })?;
    Ok(Loaded {
        evidence,
        took_parts: false,
    })
}

/// `--tee` naming another kind than the evidence (`actual`, a `tee` name) is.
fn tee_contradiction(arg: TeeArg, path: &Path, actual: &str) -> Failure {
    Failure::usage(
        "tee_contradicts_evidence",
        format_args!(
            "--tee {} contradicts the evidence: {} is {}",
            tee_arg_name(arg),
            path.display(),
            tee_description(actual)
        ),
    )
}

/// What a piece of evidence is, for the message refusing a flag that does not fit it.
fn evidence_description(evidence: &Evidence) -> String {
    match evidence {
        Evidence::Azure(_) => {
            "Trustee's Azure vTPM evidence JSON, which carries its own parts".into()
        }
        other => tee_description(other.tee().name()).to_owned(),
    }
}

/// Adds `--event-log` to the evidence it belongs to: a TDX quote, and nothing else.
pub(crate) fn attach_event_log(evidence: Evidence, log: &Path) -> Result<Evidence, Failure> {
    let tee = evidence.tee();
    if tee != Tee::Tdx {
        return Err(Failure::usage(
            "bad_usage",
            format_args!(
                "an event log goes with a TDX quote; this is {}",
                tee_description(tee.name())
            ),
        ));
    }
    let bytes = input::read(log, InputKind::EventLog)?;
    evidence
        .with_event_log(bytes)
        .map_err(|e| Failure::from_verifier(&e))
}

/// What the caller expects of the evidence: the nonce (`--nonce`) and the GPU options.
/// For Azure evidence the nonce is the vTPM quote's `extraData`; the hardware report's
/// REPORT_DATA holds the runtime data's hash, which the verifier checks itself.
pub(crate) fn expectations(
    tee: Tee,
    nonce: Option<&str>,
    args: &VerificationArgs,
) -> Result<Expectations, Failure> {
    Ok(match tee {
        Tee::Snp => {
            let mut options = SnpOptions::default();
            options.report_data = report_data(nonce)?;
            Expectations::snp(options)
        }
        Tee::Tdx => {
            let mut options = TdxOptions::default();
            options.report_data = report_data(nonce)?;
            Expectations::tdx(options)
        }
        Tee::Sgx => {
            let mut options = SgxOptions::default();
            options.report_data = report_data(nonce)?;
            Expectations::sgx(options)
        }
        Tee::AzureSnp => {
            let mut options = AzureSnpOptions::default();
            options.nonce = azure_nonce(nonce)?;
            Expectations::azure_snp(options)
        }
        Tee::AzureTdx => {
            let mut options = AzureTdxOptions::default();
            options.nonce = azure_nonce(nonce)?;
            Expectations::azure_tdx(options)
        }
        _ => {
            let mut options = NvidiaOptions::default();
            options.expected_nonce = gpu_nonce(nonce)?;
            options.require_ocsp = args.require_ocsp;
            options.require_rims = args.require_rims;
            options.allow_cert_hold = args.allow_cert_hold;
            Expectations::nvidia(options)
        }
    })
}

/// Verifies one piece of evidence with the collateral, anchors and time of `args`.
pub(crate) fn verify(
    evidence: &Evidence,
    expectations: &Expectations,
    args: &VerificationArgs,
    context: &mut Context,
) -> Result<Verified<Claims>, Failure> {
    context.tee = Some(evidence.tee());
    let now = verification_time(args)?;
    let loaded = load_collateral(args, context)?;
    let anchors = anchors(&args.anchor)?;
    let bundle = complete_collateral(evidence, expectations, loaded.bundle, args, now, context)?;
    Verifier::new(anchors)
        .verify(evidence, &bundle, expectations, now)
        .map_err(|e| verification_failure(args, &e, context))
}

/// Adds what the files lack from the cache and, unless offline, the vendors' services.
/// Failures are kept for the message if verification then misses the key; a failed
/// optional key and a stale cache entry are warnings.
fn complete_collateral(
    evidence: &Evidence,
    expectations: &Expectations,
    bundle: verifier::collateral::Bundle,
    args: &VerificationArgs,
    now: time::UnixTime,
    context: &mut Context,
) -> Result<verifier::collateral::Bundle, Failure> {
    if bundle.missing(evidence, expectations).is_empty() {
        return Ok(bundle);
    }
    let settings = Settings::from_args(&args.fetch)?;
    let source = settings.source()?;
    let reporter = fetching::Reporter::new(false);
    let resolved = fetching::complete(
        evidence,
        expectations,
        bundle,
        source.as_ref(),
        now,
        &reporter,
    )?;
    reporter.finish();
    for (key, fetched) in resolved.stale() {
        context.fetch_warnings.push((
            "collateral_stale",
            format!("{key}: served from {}", fetched.origin),
        ));
    }
    for (requirement, error) in &resolved.failed {
        // Offline, a missing optional key is the ordinary case, not news.
        let offline = matches!(error.kind, collateral::FetchErrorKind::Offline);
        if requirement.optional && !offline {
            context.fetch_warnings.push((
                "collateral_fetch_failed",
                format!("could not fetch optional collateral: {error}"),
            ));
        }
        context.fetch_failures.push(error.clone());
    }
    Ok(resolved.bundle)
}

/// `--at`, or the clock.
pub(crate) fn verification_time(args: &VerificationArgs) -> Result<time::UnixTime, Failure> {
    time_or_now(args.at.as_deref())
}

/// `--at` if given, else the clock.
pub(crate) fn time_or_now(at: Option<&str>) -> Result<time::UnixTime, Failure> {
    match at {
        Some(at) => parse_at(at),
        None => Ok(time::from_secs(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        )),
    }
}

/// `--at`: an RFC 3339 time, strictly (no February 30th, no offset +24:00).
pub(crate) fn parse_at(at: &str) -> Result<time::UnixTime, Failure> {
    time::parse_rfc3339_explained(at).map_err(|why| {
        Failure::usage(
            "bad_usage",
            format_args!("--at {at:?} is not an RFC 3339 time: {why}"),
        )
    })
}

/// The failure for a library error; a missing key is named with why fetching it failed,
/// or where its vendor serves it.
fn verification_failure(args: &VerificationArgs, e: &Error, context: &Context) -> Failure {
    let mut message = e.to_string();
    if let Error::MissingCollateral { key } = e {
        let failure = context.fetch_failures.iter().find(|f| *f.key == *key);
        if let Some(failure) =
            failure.filter(|f| !matches!(f.kind, collateral::FetchErrorKind::Offline))
        {
            return Failure {
                exit: Exit::MissingCollateral,
                kind: format!("collateral_{}", failure.kind.code()),
                message: format!("cannot get {failure}"),
            };
        }
        let settings = Settings::from_args(&args.fetch).ok();
        let location = settings
            .as_ref()
            .map_or_else(|| collateral::locate(key), |s| s.endpoints.locate(key));
        let offline = settings.is_some_and(|s| s.offline);
        message.push_str(&match location {
            collateral::Location::NotPublic(_) => format!(" ({location})"),
            _ if offline => format!(
                "; get it {location} and pass it with --collateral, or run without --offline"
            ),
            _ => format!("; get it {location} and pass it with --collateral"),
        });
        // The file that was meant to be it may be among those skipped.
        let unusable: Vec<String> = context
            .unusable()
            .map(|s| s.path.display().to_string())
            .collect();
        if !unusable.is_empty() {
            message.push_str(&format!("; skipped as unusable: {}", unusable.join(", ")));
        }
    }
    Failure {
        exit: e.class().into(),
        kind: e.kind().to_owned(),
        message,
    }
}

fn load_collateral(
    args: &VerificationArgs,
    context: &mut Context,
) -> Result<collateral::Loaded, Failure> {
    let loaded = load_paths(&args.collateral)?;
    context.skipped.clone_from(&loaded.skipped);
    Ok(loaded)
}

/// Collateral files and directories (`--collateral`).
pub(crate) fn load_paths(paths: &[std::path::PathBuf]) -> Result<collateral::Loaded, Failure> {
    for path in paths {
        input::announce_wait_for(path, "collateral");
    }
    collateral::load_paths(paths).map_err(|e| match e {
        collateral::LoadError::Read(collateral::ReadError::Io { .. }) => Failure {
            exit: Exit::MissingCollateral,
            kind: "collateral_unavailable".into(),
            message: e.to_string(),
        },
        collateral::LoadError::Read(_) | collateral::LoadError::NotCollateral { .. } => Failure {
            exit: Exit::BadInput,
            kind: "malformed_collateral".into(),
            message: e.to_string(),
        },
    })
}

/// `--nonce` for a CPU report: REPORT_DATA equals it (64 bytes) or begins with it.
fn report_data(nonce: Option<&str>) -> Result<Option<ReportDataExpectation>, Failure> {
    let Some(bytes) = nonce_bytes(nonce)? else {
        return Ok(None);
    };
    match <[u8; 64]>::try_from(bytes.as_slice()) {
        Ok(exact) => Ok(Some(ReportDataExpectation::Exact(exact))),
        Err(_) if (1..64).contains(&bytes.len()) => Ok(Some(ReportDataExpectation::Prefix(bytes))),
        Err(_) => Err(Failure::usage(
            "bad_usage",
            format_args!("--nonce must be 1 to 64 bytes, got {}", bytes.len()),
        )),
    }
}

/// `--nonce` for Azure evidence: the vTPM quote's `extraData` (a TPM2B_DATA: at most
/// 64 bytes), compared byte for byte.
fn azure_nonce(nonce: Option<&str>) -> Result<Option<Vec<u8>>, Failure> {
    let Some(bytes) = nonce_bytes(nonce)? else {
        return Ok(None);
    };
    if (1..=64).contains(&bytes.len()) {
        Ok(Some(bytes))
    } else {
        Err(Failure::usage(
            "bad_usage",
            format_args!(
                "--nonce for Azure evidence must be 1 to 64 bytes, got {}",
                bytes.len()
            ),
        ))
    }
}

/// `--nonce` for GPU evidence: the 32-byte SPDM requester nonce.
fn gpu_nonce(nonce: Option<&str>) -> Result<Option<[u8; 32]>, Failure> {
    let Some(bytes) = nonce_bytes(nonce)? else {
        return Ok(None);
    };
    <[u8; 32]>::try_from(bytes.as_slice())
        .map(Some)
        .map_err(|_| {
            Failure::usage(
                "bad_usage",
                format_args!(
                    "--nonce for GPU evidence must be 32 bytes, got {}",
                    bytes.len()
                ),
            )
        })
}

fn nonce_bytes(nonce: Option<&str>) -> Result<Option<Vec<u8>>, Failure> {
    nonce
        .map(|h| {
            hex::decode(h.trim())
                .map_err(|e| Failure::usage("bad_usage", anyhow!("--nonce is not hex: {e}")))
        })
        .transpose()
}

/// `--anchor` roots replace the built-in ones (see [`TrustAnchors::from_root_certificates`]).
fn anchors(paths: &[std::path::PathBuf]) -> Result<TrustAnchors, Failure> {
    if paths.is_empty() {
        return Ok(TrustAnchors::default());
    }
    for path in paths {
        input::announce_wait_for(path, "an anchor");
    }
    let loaded = collateral::load_paths(paths).map_err(|e| match e {
        collateral::LoadError::NotCollateral { path, reason } => Failure::usage(
            "bad_anchor",
            format_args!("anchor {} is not a certificate: {reason}", path.display()),
        ),
        other => Failure::usage("bad_anchor", other),
    })?;
    TrustAnchors::from_root_certificates(
        verifier::crypto::default_provider(),
        loaded.bundle.certificates(),
    )
    .map_err(|e| Failure::usage("bad_anchor", e))
}

fn tee_of(arg: TeeArg) -> Tee {
    match arg {
        TeeArg::Snp => Tee::Snp,
        TeeArg::Tdx => Tee::Tdx,
        TeeArg::Sgx => Tee::Sgx,
        TeeArg::Nvidia => Tee::Nvidia,
        TeeArg::AzureSnp => Tee::AzureSnp,
        TeeArg::AzureTdx => Tee::AzureTdx,
    }
}

fn tee_arg_name(arg: TeeArg) -> &'static str {
    match arg {
        TeeArg::Snp => "snp",
        TeeArg::Tdx => "tdx",
        TeeArg::Sgx => "sgx",
        TeeArg::Nvidia => "nvidia",
        TeeArg::AzureSnp => "azure-snp",
        TeeArg::AzureTdx => "azure-tdx",
    }
}

/// Evidence of a kind, for people, from the kind's `tee` name.
fn tee_description(tee: &str) -> &'static str {
    match tee {
        "snp" => "an AMD SEV-SNP report",
        "tdx" => "an Intel TDX quote",
        "sgx" => "an Intel SGX quote",
        "nvidia-gpu" => "NVIDIA GPU evidence",
        "azure-snp" => "Azure SEV-SNP vTPM evidence",
        "azure-tdx" => "Azure TDX vTPM evidence",
        _ => "evidence of another kind",
    }
}
