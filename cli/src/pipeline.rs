//! From evidence files to verified claims, through the library's one pipeline
//! ([`Evidence::from_bytes`], [`Verifier::verify`]): what `verify` and `appraise` share.
//! This module reads the files and turns library errors into exit codes and messages;
//! the decisions are the library's.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::anyhow;
use verifier::error::{ExpectationError, Unsupported};
use verifier::nvidia::NvidiaOptions;
use verifier::snp::{ReportDataExpectation, SnpOptions};
use verifier::tdx::{SgxOptions, TdxOptions};
use verifier::{
    time, Claims, Error, Evidence, Expectations, Tee, TrustAnchors, Verified, Verifier,
};

use crate::args::{TeeArg, VerificationArgs};
use crate::exit::{Exit, Failure};
use crate::input::{self, InputKind};

/// What verification learned besides its result: the TEE (for `--json` even when
/// verification failed) and the collateral files it skipped.
#[derive(Debug, Default)]
pub(crate) struct Context {
    pub(crate) tee: Option<Tee>,
    pub(crate) skipped: Vec<collateral::Skipped>,
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

/// Reads an evidence file (or stdin) and tells its kind; `--tee` decides only what
/// content cannot, and contradicting the content is a usage error.
pub(crate) fn load_evidence(path: &Path, tee: Option<TeeArg>) -> Result<Evidence, Failure> {
    let raw = input::read(path, InputKind::Evidence)?;
    Evidence::from_bytes(&raw, tee.map(tee_of)).map_err(|e| match &e {
        Error::Expectation(ExpectationError::TeeMismatch { actual, .. }) => Failure::usage(
            "tee_contradicts_evidence",
            format_args!(
                "--tee {} contradicts the evidence: {} is {}",
                tee.map_or("", tee_arg_name),
                path.display(),
                tee_description(actual)
            ),
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
        _ => Failure::from_verifier(&e),
    })
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
    Verifier::new(anchors)
        .verify(evidence, &loaded.bundle, expectations, now)
        .map_err(|e| verification_failure(args, &e, context))
}

/// `--at`, or the clock.
pub(crate) fn verification_time(args: &VerificationArgs) -> Result<time::UnixTime, Failure> {
    match &args.at {
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

/// The failure for a library error; a missing key is named with where its vendor
/// serves it.
fn verification_failure(args: &VerificationArgs, e: &Error, context: &Context) -> Failure {
    let mut message = e.to_string();
    if let Error::MissingCollateral { key } = e {
        let source = collateral::source(key);
        message.push_str(&match source {
            collateral::Source::NotPublic(_) => format!(" ({source})"),
            _ if args.offline => format!("; get it {source} and pass it with --collateral"),
            _ => format!(
                "; get it {source} and pass it with --collateral (Verdict does not fetch collateral yet)"
            ),
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
    for path in &args.collateral {
        input::announce_wait_for(path, "collateral");
    }
    let loaded = collateral::load_paths(&args.collateral).map_err(|e| match e {
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
    })?;
    context.skipped.clone_from(&loaded.skipped);
    Ok(loaded)
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
        &loaded.bundle.certificates,
    )
    .map_err(|e| Failure::usage("bad_anchor", e))
}

fn tee_of(arg: TeeArg) -> Tee {
    match arg {
        TeeArg::Snp => Tee::Snp,
        TeeArg::Tdx => Tee::Tdx,
        TeeArg::Sgx => Tee::Sgx,
        TeeArg::Nvidia => Tee::Nvidia,
    }
}

fn tee_arg_name(arg: TeeArg) -> &'static str {
    match arg {
        TeeArg::Snp => "snp",
        TeeArg::Tdx => "tdx",
        TeeArg::Sgx => "sgx",
        TeeArg::Nvidia => "nvidia",
    }
}

/// Evidence of a kind, for people, from the kind's `tee` name.
fn tee_description(tee: &str) -> &'static str {
    match tee {
        "snp" => "an AMD SEV-SNP report",
        "tdx" => "an Intel TDX quote",
        "sgx" => "an Intel SGX quote",
        "nvidia-gpu" => "NVIDIA GPU evidence",
        _ => "evidence of another kind",
    }
}
