//! `verdict appraise`: verify each evidence file, appraise them together with a policy,
//! and print the signed token (stdout) and the appraisal's status (stderr).

use std::io::Write;
use std::path::Path;

use anyhow::{anyhow, Context as _};
use policy::token::{self, SigningKey};
use policy::{appraise, to_ear, AppraiseError, Input, IssueOptions, Policy};
use rand_core::{OsRng, RngCore};
use verifier::{time, Claims, Verified};

use crate::args::{AppraiseArgs, FormatArg, VerifyArgs};
use crate::cmd::verify::{skipped_message, verification_time, verify_inner, Context};
use crate::exit::{Exit, Failure};
use crate::input::{self, InputKind};
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
    let mut results: Vec<Verified<Claims>> = Vec::with_capacity(args.evidence.len());
    let mut now = None;
    for (i, path) in args.evidence.iter().enumerate() {
        let verify_args = verify_args(args, path);
        now = Some(verification_time(&verify_args)?);
        let mut context = Context::default();
        let result = verify_inner(&verify_args, &mut context);
        // Each evidence file reads the same collateral: warn about it once.
        if i == 0 {
            for s in context.unusable() {
                errln!("verdict: warning: {}", skipped_message(s));
            }
        }
        results.push(result.map_err(|f| Failure {
            message: format!("{}: {}", path.display(), f.message),
            ..f
        })?);
    }
    let now = now.unwrap_or_else(|| time::from_secs(0));
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

/// The verification options of one evidence file: those of `appraise`, without a nonce
/// (binding to the challenge is the policy's to judge, so that a stale report still
/// yields a token that says so).
fn verify_args(args: &AppraiseArgs, evidence: &Path) -> VerifyArgs {
    VerifyArgs {
        tee: None,
        collateral: args.collateral.clone(),
        nonce: None,
        at: args.at.clone(),
        offline: args.offline,
        anchor: args.anchor.clone(),
        event_log: args.event_log.clone(),
        require_ocsp: false,
        require_rims: false,
        allow_cert_hold: args.allow_cert_hold,
        json: false,
        evidence: evidence.to_path_buf(),
    }
}

pub(crate) fn load_policy(path: &Path) -> Result<Policy, Failure> {
    let text = text_input(path, InputKind::Policy)?;
    Policy::from_yaml(&text).map_err(|e| Failure {
        exit: Exit::BadInput,
        kind: "bad_policy".into(),
        message: format!("{}:{e}", path.display()),
    })
}

pub(crate) fn load_key(path: &Path) -> Result<SigningKey, Failure> {
    let text = text_input(path, InputKind::Key)?;
    SigningKey::from_pem(&text)
        .map_err(|e| Failure::usage("bad_key", anyhow!("{}: {e}", path.display())))
}

/// A text input file (UTF-8), within its kind's limit.
pub(crate) fn text_input(path: &Path, kind: InputKind) -> Result<String, Failure> {
    String::from_utf8(input::read(path, kind)?).map_err(|e| {
        Failure::usage(
            "unreadable_input",
            format_args!(
                "{} is not UTF-8 text (byte {}), as {} must be",
                path.display(),
                e.utf8_error().valid_up_to(),
                kind.name()
            ),
        )
    })
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
