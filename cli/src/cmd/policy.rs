//! `verdict policy check`: load (compile, type-check), lint, run the embedded tests, and
//! explain an appraisal of a claims file rule by rule.

use std::time::{SystemTime, UNIX_EPOCH};

use std::io::Write as _;
use std::path::Path;

use anyhow::anyhow;
use policy::trust::tier_name;
use policy::{appraise, Appraisal, Input, Policy};
use serde_json::{json, Map, Value};

use crate::args::PolicyCheckArgs;
use crate::exit::{Exit, Failure};
use crate::input::load_policy;
use crate::input::{self, InputKind};
use crate::term::{emit, errln, Output, Terminal};

pub(crate) fn check(args: &PolicyCheckArgs) -> u8 {
    match check_inner(args) {
        Ok(exit) => exit as u8,
        Err(f) => {
            errln!("verdict: {}", f.message);
            f.exit as u8
        }
    }
}

fn check_inner(args: &PolicyCheckArgs) -> Result<Exit, Failure> {
    let policy = load_policy(&args.policy)?;
    let tests = policy.run_tests();
    let lints = policy.lints();
    let appraisal = match args.claims.as_deref() {
        None => None,
        Some(path) => Some(appraise_claims(&policy, path)?),
    };
    let failed = tests.iter().filter(|t| !t.passed()).count();
    let mut out = Terminal(Vec::new());
    if args.json {
        let report = json!({
            "policy": policy.id(),
            "lints": lints,
            "tests": tests.iter().map(|t| json!({
                "name": t.name, "line": t.line, "passed": t.passed(), "problems": t.problems,
            })).collect::<Vec<_>>(),
            "appraisal": appraisal.as_ref().map(appraisal_json),
        });
        let text = serde_json::to_string_pretty(&report).unwrap_or_default();
        out.0.extend_from_slice(text.as_bytes());
        out.0.push(b'\n');
    } else {
        let rules: usize = policy.sections().map(|(_, s)| s.rules.len()).sum();
        let sections: Vec<&str> = policy.sections().map(|(s, _)| s.name()).collect();
        let _ = writeln!(
            out,
            "policy {}@{} loads: {rules} rules in {} (sha256:{})",
            policy.name(),
            policy.version(),
            sections.join(", "),
            policy.digest()
        );
        for lint in &lints {
            let _ = writeln!(out, "lint: {lint}");
        }
        for t in &tests {
            if t.passed() {
                let _ = writeln!(out, "test ok      {} (line {})", t.name, t.line);
            } else {
                let _ = writeln!(
                    out,
                    "test FAILED  {} (line {}): {}",
                    t.name,
                    t.line,
                    t.problems.join("; ")
                );
            }
        }
        let _ = writeln!(
            out,
            "{} of {} tests passed",
            tests.len() - failed,
            tests.len()
        );
        if let Some(a) = &appraisal {
            print_explanation(&mut out, &policy, a);
        }
    }
    emit(&out.0, Output::Informational)?;
    Ok(if failed > 0 {
        Exit::Rejected
    } else {
        Exit::Verified
    })
}

/// Appraises the claims file at `path` (bounded, strict JSON) with `policy`.
fn appraise_claims(policy: &Policy, path: &Path) -> Result<Appraisal, Failure> {
    let bytes = input::read(path, InputKind::Claims)?;
    let value = verifier::json::from_slice(&bytes).map_err(|e| {
        Failure::usage(
            "bad_claims",
            format_args!("{} is not a JSON claims file: {e}", path.display()),
        )
    })?;
    let input = claims_input(value)
        .and_then(|v| Input::from_unverified_json_for_testing(&v).map_err(|e| anyhow!(e)))
        .map_err(|e| Failure::usage("bad_claims", format_args!("{}: {e:#}", path.display())))?;
    appraise(policy, &input).map_err(|e| Failure::usage("policy_mismatch", e))
}

/// A claims file as a test input: `verdict verify --json` output (its claims and warning
/// codes), or already a test input.
fn claims_input(value: Value) -> anyhow::Result<Value> {
    let Some(claims) = value.get("claims") else {
        return Ok(with_now(value));
    };
    if value.get("verified") == Some(&Value::Bool(false)) {
        return Err(anyhow!("the claims file records a failed verification"));
    }
    let mut input = Map::new();
    if let Value::Object(map) = claims {
        for (k, v) in map {
            match k.as_str() {
                "tee" => {}
                "gpu" => {
                    input.insert("gpus".into(), Value::Array(vec![v.clone()]));
                }
                _ => {
                    input.insert(k.clone(), v.clone());
                }
            }
        }
    }
    let codes: Vec<Value> = value
        .get("warnings")
        .and_then(Value::as_array)
        .map(|w| w.iter().filter_map(|w| w.get("code").cloned()).collect())
        .unwrap_or_default();
    input.insert("warnings".into(), Value::Array(codes));
    Ok(with_now(Value::Object(input)))
}

/// Appraises at the current time unless the input says when.
fn with_now(mut input: Value) -> Value {
    if let Value::Object(map) = &mut input {
        if !map.contains_key("now") {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            map.insert(
                "now".into(),
                Value::String(verifier::time::rfc3339(verifier::time::from_secs(now))),
            );
        }
    }
    input
}

fn value_text(claim: policy::trust::TrustClaim, value: Option<i8>) -> String {
    match value {
        None => "unset".to_owned(),
        Some(v) => claim
            .value_name(v)
            .map_or_else(|| v.to_string(), |n| format!("{n} ({v})")),
    }
}

fn print_explanation(out: &mut Terminal<Vec<u8>>, policy: &Policy, appraisal: &Appraisal) {
    let _ = writeln!(
        out,
        "appraisal under {}: {}",
        policy.name(),
        tier_name(appraisal.status)
    );
    for sub in &appraisal.submods {
        let _ = writeln!(
            out,
            "  {} ({}): {}",
            sub.label,
            sub.section.name(),
            tier_name(sub.status)
        );
        for o in &sub.outcomes {
            let verdict = match (o.applied, o.passed, &o.error) {
                (false, _, _) => "skip ".to_owned(),
                (true, true, _) => "pass ".to_owned(),
                (true, false, Some(_)) => "ERROR".to_owned(),
                (true, false, None) => "FAIL ".to_owned(),
            };
            let detail = match (&o.error, o.passed, o.applied) {
                (Some(e), _, _) => format!(": {e}; counts as failed"),
                (None, false, true) => format!(": {}", o.message),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "    {verdict} {:<32} {} = {}{detail}",
                o.id,
                o.claim,
                if o.applied {
                    value_text(o.claim, o.value)
                } else {
                    "-".to_owned()
                }
            );
        }
        for (claim, value) in sub.trust.iter() {
            let _ = writeln!(out, "    => {claim}: {}", value_text(claim, Some(value)));
        }
        for (name, e) in &sub.export_errors {
            let _ = writeln!(out, "    export {name} failed: {e}");
        }
    }
}

fn appraisal_json(a: &Appraisal) -> Value {
    json!({
        "status": tier_name(a.status),
        "policy_id": a.policy_id,
        "binding": a.binding,
        "submods": a.submods.iter().map(|s| json!({
            "label": s.label,
            "section": s.section.name(),
            "status": tier_name(s.status),
            "trust": s.trust.iter().map(|(c, v)| (c.name().to_owned(), Value::from(v))).collect::<Map<_, _>>(),
            "rules": s.outcomes.iter().map(|o| json!({
                "id": o.id, "claim": o.claim.name(), "applied": o.applied, "passed": o.passed,
                "value": o.value, "message": o.message, "error": o.error,
            })).collect::<Vec<_>>(),
            "exports": s.exports,
        })).collect::<Vec<_>>(),
    })
}
