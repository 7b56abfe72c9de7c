//! `verdict appraise`: verify each evidence file, appraise them together with a policy,
//! and print the signed token (stdout) and the appraisal's status (stderr).

use std::io::Write;
use std::path::Path;

use anyhow::{anyhow, Context as _};
use policy::token;
use policy::{appraise, to_ear, AppraiseError, Input, IssueOptions};
use rand_core::{OsRng, RngCore};
use verifier::{Claims, Tee, Verified};

use crate::args::{AppraiseArgs, FormatArg};
use crate::azure;
use crate::exit::{Exit, Failure};
use crate::input::{load_key, load_policy};
use crate::pipeline::{self, skipped_message, Context};
use crate::term::{emit, errln, Output};

pub(crate) fn run(args: &AppraiseArgs) -> u8 {
    match appraise_and_sign(args) {
        Ok(()) => Exit::Verified as u8,
        Err(f) => {
            errln!("verdict: {}", f.message);
            f.exit as u8
        }
    }
}

fn appraise_and_sign(args: &AppraiseArgs) -> Result<(), Failure> {
    let policy = load_policy(&args.policy)?;
    let key = load_key(&args.key)?;
    let nonce = args
        .nonce
        .as_deref()
        .map(|h| hex::decode(h).with_context(|| format!("--nonce {h:?} is not hex")))
        .transpose()
        .map_err(|e| Failure::usage("bad_usage", e))?;
    if let Some(n) = &nonce {
        if !(8..=64).contains(&n.len()) {
            return Err(Failure::usage(
                "bad_usage",
                anyhow!(
                    "--nonce is {} bytes; a token's eat_nonce takes 8 to 64",
                    n.len()
                ),
            ));
        }
    }
    let verification = &args.verification;
    let now = pipeline::verification_time(verification)?;
    let in_file = |path: &Path| {
        let path = path.display().to_string();
        move |f: Failure| Failure {
            message: format!("{path}: {}", f.message),
            ..f
        }
    };
    let mut evidence = Vec::with_capacity(args.evidence.len());
    let mut hcl_reports = 0;
    for path in &args.evidence {
        let loaded =
            pipeline::read_evidence(path, None, &verification.azure).map_err(in_file(path))?;
        hcl_reports += usize::from(loaded.took_parts);
        evidence.push(loaded.evidence);
    }
    // The Azure loose-part flags complete the one HCL report among the evidence.
    azure::check_parts_taken(&verification.azure, hcl_reports)?;
    // The event log goes with the TDX quote among the evidence.
    if let Some(log) = &verification.event_log {
        let Some(i) = evidence.iter().position(|e| e.tee() == Tee::Tdx) else {
            return Err(Failure::usage(
                "bad_usage",
                "--event-log goes with a TDX quote, and no evidence file is one",
            ));
        };
        let quote = evidence.remove(i);
        evidence.insert(i, pipeline::attach_event_log(quote, log)?);
    }
    let mut results: Vec<Verified<Claims>> = Vec::with_capacity(evidence.len());
    for (i, (item, path)) in evidence.iter().zip(&args.evidence).enumerate() {
        // No nonce here: binding to the challenge is the policy's to judge, so that a
        // stale report still yields a token that says so.
        let expectations = pipeline::expectations(item.tee(), None, verification)?;
        let mut context = Context::default();
        let result = pipeline::verify(item, &expectations, verification, &mut context);
        // Each evidence file reads the same collateral: warn about it once.
        if i == 0 {
            for s in context.unusable() {
                errln!("verdict: warning: {}", skipped_message(s));
            }
        }
        for (_, message) in &context.fetch_warnings {
            errln!("verdict: warning: {message}");
        }
        results.push(result.map_err(in_file(path))?);
    }
    let input = Input::from_verified(&results, nonce, now).map_err(|e| match e {
        // The same GPU given twice is evidence refused, not a usage mistake.
        AppraiseError::DuplicateDevice { .. } => Failure {
            exit: Exit::Rejected,
            kind: "duplicate_device".into(),
            message: e.to_string(),
        },
        _ => Failure::usage("bad_usage", anyhow!(e)),
    })?;
    let appraisal =
        appraise(&policy, &input).map_err(|e| Failure::usage("policy_mismatch", anyhow!(e)))?;
    let mut jti = vec![0u8; 16];
    OsRng.fill_bytes(&mut jti);
    let mut options = IssueOptions::new(args.issuer.clone(), jti);
    options.audience.clone_from(&args.audience);
    let ear = to_ear(&appraisal, &options).map_err(|e| Failure::usage("bad_usage", anyhow!(e)))?;
    let token = match args.format {
        FormatArg::Jwt => token::sign_jwt(&ear, &key),
        FormatArg::Cwt => token::sign_cwt(&ear, &key).map(hex::encode),
    }
    .map_err(|e| Failure {
        exit: Exit::BadInput,
        kind: "signing_failed".into(),
        message: e.to_string(),
    })?;
    print_status(&appraisal);
    emit(
        format!("{token}\n").as_bytes(),
        Output::Product("the token"),
    )
}

/// One line per submodule on stderr: the status, and why when not affirming.
fn print_status(appraisal: &policy::Appraisal) {
    let mut err = crate::term::stderr();
    let _ = writeln!(
        err,
        "appraisal: {} ({})",
        policy::trust::tier_name(appraisal.status),
        appraisal.policy_id
    );
    for sub in &appraisal.submods {
        let failed: Vec<String> = sub
            .failed()
            .map(|o| match &o.error {
                Some(e) => format!("{} ({e})", o.id),
                None => format!("{}: {}", o.id, o.message),
            })
            .collect();
        let _ = if failed.is_empty() {
            writeln!(
                err,
                "  {} {}",
                sub.label,
                policy::trust::tier_name(sub.status)
            )
        } else {
            writeln!(
                err,
                "  {} {}: {}",
                sub.label,
                policy::trust::tier_name(sub.status),
                failed.join("; ")
            )
        };
    }
}
