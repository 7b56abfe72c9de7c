//! `verdict collateral fetch` and `verdict collateral show`: bundles for air-gapped
//! verification.

use std::io::Write as _;

use serde_json::json;
use verifier::time::{rfc3339, secs};

use crate::args::{CollateralFetchArgs, CollateralShowArgs};
use crate::azure;
use crate::exit::{Exit, Failure};
use crate::fetching::{self, Reporter, Settings};
use crate::pipeline;
use crate::term::{emit, errln, Output};

pub(crate) fn fetch(args: &CollateralFetchArgs) -> u8 {
    finish(run_fetch(args))
}

pub(crate) fn show(args: &CollateralShowArgs) -> u8 {
    finish(run_show(args))
}

fn finish(result: Result<Exit, Failure>) -> u8 {
    match result {
        Ok(exit) => exit as u8,
        Err(f) => {
            errln!("verdict: {}", f.message);
            f.exit as u8
        }
    }
}

fn run_fetch(args: &CollateralFetchArgs) -> Result<Exit, Failure> {
    let settings = Settings::from_args(&args.fetch)?;
    let source = settings.source()?;
    let now = pipeline::time_or_now(args.at.as_deref())?;
    let at_hand = pipeline::load_paths(&args.collateral)?;
    let evidence = load_all(args)?;
    let mut writer = collateral::BundleWriter::create(&args.out).map_err(|e| {
        Failure::usage(
            "bad_usage",
            format_args!("cannot write the bundle {}: {e}", args.out.display()),
        )
    })?;
    let reporter = Reporter::new(true);
    let mut written = 0usize;
    let mut missing = 0usize;
    for (path, evidence) in args.evidence.iter().zip(&evidence) {
        let expectations = verifier::Expectations::defaults_for(evidence.tee());
        let resolved = fetching::complete(
            evidence,
            &expectations,
            at_hand.bundle.clone(),
            source.as_ref(),
            now,
            &reporter,
        )?;
        for (key, fetched) in &resolved.fetched {
            let added = writer.add(key, fetched).map_err(|e| {
                Failure::usage(
                    "bad_usage",
                    format_args!("cannot write into {}: {e}", args.out.display()),
                )
            })?;
            written += usize::from(added.is_some());
        }
        for (requirement, error) in &resolved.failed {
            if requirement.optional {
                errln!(
                    "verdict: warning: {}: optional, not fetched: {error}",
                    path.display()
                );
            } else {
                missing += 1;
                errln!("verdict: {}: cannot get {error}", path.display());
            }
        }
    }
    reporter.finish();
    let dir = writer.finish().map_err(|e| {
        Failure::usage(
            "bad_usage",
            format_args!("cannot write the manifest of {}: {e}", args.out.display()),
        )
    })?;
    let summary = format!("wrote {written} collateral files to {}\n", dir.display());
    emit(summary.as_bytes(), Output::Informational)?;
    if missing > 0 {
        return Err(Failure {
            exit: Exit::MissingCollateral,
            kind: "collateral_incomplete".into(),
            message: format!(
                "the bundle lacks {missing} required item(s) named above: verification with it will fail"
            ),
        });
    }
    Ok(Exit::Verified)
}

/// Every evidence file, read before anything is fetched; the Azure loose-part flags
/// complete the one HCL report among them.
fn load_all(args: &CollateralFetchArgs) -> Result<Vec<verifier::Evidence>, Failure> {
    let mut evidence = Vec::with_capacity(args.evidence.len());
    let mut hcl_reports = 0;
    for path in &args.evidence {
        let loaded = pipeline::read_evidence(path, args.tee, &args.azure)?;
        hcl_reports += usize::from(loaded.took_parts);
        evidence.push(loaded.evidence);
    }
    azure::check_parts_taken(&args.azure, hcl_reports)?;
    Ok(evidence)
}

fn run_show(args: &CollateralShowArgs) -> Result<Exit, Failure> {
    let now = pipeline::time_or_now(args.at.as_deref())?;
    let items = collateral::list_bundle(&args.dir).map_err(|e| {
        Failure::usage(
            "bad_usage",
            format_args!("cannot read the bundle {}: {e}", args.dir.display()),
        )
    })?;
    let state = |item: &collateral::BundleItem| match (&item.problem, item.valid_until) {
        (Some(_), _) => "unusable",
        (None, Some(until)) if secs(until) < secs(now) => "expired",
        _ => "current",
    };
    let mut out = Vec::new();
    if args.json {
        let list: Vec<_> = items
            .iter()
            .map(|item| {
                json!({
                    "file": item.file,
                    "collateral": item.what,
                    "fetched_at": item.fetched_at,
                    "valid_until": item.valid_until.map(rfc3339),
                    "state": state(item),
                    "problem": item.problem,
                })
            })
            .collect();
        let _ = serde_json::to_writer_pretty(&mut out, &list);
        out.push(b'\n');
    } else {
        for item in &items {
            let until = item
                .valid_until
                .map_or_else(|| "no expiry".to_owned(), rfc3339);
            let _ = writeln!(
                out,
                "{:<9} {:<20} {}  {}",
                state(item),
                until,
                item.file,
                item.problem.as_deref().unwrap_or(&item.what)
            );
        }
        if items.is_empty() {
            let _ = writeln!(out, "{} holds no collateral", args.dir.display());
        }
    }
    emit(&out, Output::Informational)?;
    Ok(Exit::Verified)
}
