//! Appraising verified claims with a policy: each device (submodule) gets a
//! trustworthiness vector from its section's rules, a status, and its exports.
//!
//! Per claim: if any applicable rule that sets it fails — or cannot be evaluated, which
//! counts as failing — the claim takes the most severe `on_fail` among them; otherwise,
//! if any passes, the first passing rule's `on_pass`; otherwise it is unset. A
//! submodule's status is the worst tier in its vector; the appraisal's, the worst
//! submodule's (EAR §3: no better than what it summarizes), where a submodule that
//! nothing affirmed (`none`) counts as worse than an affirming one.

use core::time::Duration;

use serde_json::{Map, Value};
use verifier::time::UnixTime;

use crate::binding;
use crate::cel::{Activation, BindError, BoundValue, Environment, Need};
pub use crate::input::{AppraiseError, Device, Input};
use crate::policy::{Policy, Rule, SectionRules};
use crate::schema::Section;
use crate::trust::{more_severe, overall_status, tier_of, TrustClaim, TrustTier, Vector};

/// The outcome of one rule for one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOutcome {
    /// The rule's id.
    pub id: String,
    /// The claim it decides.
    pub claim: TrustClaim,
    /// Whether it applied (its `when` held, or it has none).
    pub applied: bool,
    /// Whether it passed (false when it failed or erred).
    pub passed: bool,
    /// The evaluation error, when it erred (it then counts as failed).
    pub error: Option<String>,
    /// The rule's message (for a failure).
    pub message: String,
    /// The value the rule gave its claim.
    pub value: Option<i8>,
}

/// One device's appraisal: an EAR submodule.
#[derive(Debug, Clone)]
pub struct SubmodAppraisal {
    /// `cpu0`, `gpu0`, `gpu1`, …
    pub label: String,
    /// The kind of evidence.
    pub section: Section,
    /// The trustworthiness vector.
    pub trust: Vector,
    /// The worst tier in the vector.
    pub status: TrustTier,
    /// Every rule's outcome, in policy order.
    pub outcomes: Vec<RuleOutcome>,
    /// The exported claims (`ear_attester_claims`); an export that errs is left out
    /// and listed in `export_errors`.
    pub exports: Map<String, Value>,
    /// Exports that could not be evaluated: name and error.
    pub export_errors: Vec<(String, String)>,
    /// The verifier's warning codes for the device.
    pub warnings: Vec<String>,
    /// The device's own nonce (SNP/TDX REPORT_DATA, an Azure TPM quote's extraData, or
    /// the GPU's SPDM nonce), hex.
    pub evidence_nonce: Option<String>,
}

impl SubmodAppraisal {
    /// The rules that failed (or erred), in policy order.
    pub fn failed(&self) -> impl Iterator<Item = &RuleOutcome> {
        self.outcomes.iter().filter(|o| o.applied && !o.passed)
    }
}

/// An appraisal of one piece of (possibly composite) evidence under one policy.
#[derive(Debug, Clone)]
pub struct Appraisal {
    /// `policy:<name>@<version>#sha256:<digest>`.
    pub policy_id: String,
    /// The worst submodule status.
    pub status: TrustTier,
    /// Submodules: the CPU first (`cpu0`), then the GPUs.
    pub submods: Vec<SubmodAppraisal>,
    /// The binding object the rules saw.
    pub binding: Value,
    /// The challenge, when every device's evidence binds it (it becomes `eat_nonce`);
    /// `None` without a challenge or when a device does not answer it.
    pub nonce: Option<Vec<u8>>,
    /// The appraisal time.
    pub now: UnixTime,
    /// The token lifetime the policy asks for.
    pub ttl: Duration,
}

impl Appraisal {
    /// The CPU submodule's label and GPU labels, for `ear_device_topology`.
    pub fn topology(&self) -> Option<(String, Vec<String>)> {
        let cpu = self.submods.iter().find(|s| s.section != Section::Gpu)?;
        let gpus: Vec<String> = self
            .submods
            .iter()
            .filter(|s| s.section == Section::Gpu)
            .map(|s| s.label.clone())
            .collect();
        (!gpus.is_empty()).then(|| (cpu.label.clone(), gpus))
    }
}

/// Appraises `input` under `policy`.
///
/// # Errors
/// [`AppraiseError`] when the policy has no section for a device, or the claims exceed
/// the binding limits. A rule that fails or errs is not an error: it lowers the
/// appraisal.
pub fn appraise(policy: &Policy, input: &Input) -> Result<Appraisal, AppraiseError> {
    if input.cpu().is_none() && input.gpus().is_empty() {
        return Err(AppraiseError::Empty);
    }
    let binding = input.binding();
    let nonce_hex = input.nonce().map(hex::encode).unwrap_or_default();
    let now = BoundValue::timestamp(input.now());
    let common = Common {
        binding: &binding,
        nonce: &Value::String(nonce_hex),
        now: now.as_ref(),
    };
    let mut submods = Vec::with_capacity(1 + input.gpus().len());
    if let Some(cpu) = input.cpu() {
        submods.push(appraise_device(
            policy,
            cpu,
            "cpu0".to_owned(),
            None,
            &common,
        )?);
    }
    for (i, gpu) in input.gpus().iter().enumerate() {
        submods.push(appraise_device(
            policy,
            gpu,
            format!("gpu{i}"),
            Some(i),
            &common,
        )?);
    }
    let all_bound = enforce_challenge(&mut submods, &binding, input.nonce().is_some());
    let status = overall_status(submods.iter().map(|s| s.status));
    Ok(Appraisal {
        policy_id: policy.id(),
        status,
        submods,
        binding,
        // A nonce in the token tells the relying party the evidence answered it.
        nonce: input.nonce().filter(|_| all_bound).map(<[u8]>::to_vec),
        now: input.now(),
        // The policy checked its lifetime is positive when it loaded.
        ttl: Duration::from_secs(u64::try_from(policy.ttl_seconds()).unwrap_or(0)),
    })
}

/// The id of the outcome the engine adds, whatever the policy says, to a device whose
/// evidence does not bind the challenge. Policies cannot name it (rule ids are checked).
pub const CHALLENGE_RULE_ID: &str = "verdict:challenge-binding";

/// AR4SI `instance-identity` UNRECOGNIZED_INSTANCE: contraindicated.
const UNRECOGNIZED_INSTANCE: i8 = 97;

/// With a challenge, every device's evidence must bind it: the CPU's REPORT_DATA (for
/// Azure, the TPM quote's extraData) begins with it; a GPU's SPDM nonce is the
/// challenge, or SHA-256 of that CPU field when it binds it. A device that does not gets
/// `instance-identity` UNRECOGNIZED_INSTANCE (contraindicated) and a failed outcome, so
/// no policy can leave it affirming (a policy without a freshness rule included).
/// Returns whether every device binds it (false without a challenge).
fn enforce_challenge(submods: &mut [SubmodAppraisal], binding: &Value, challenge: bool) -> bool {
    if !challenge {
        return false;
    }
    let flag = |key: &str| binding.get(key).and_then(Value::as_bool).unwrap_or(false);
    let cpu_ok = flag("cpu_nonce_ok");
    // Messages name the field that answers the challenge for this kind of CPU evidence.
    let (cpu_field, cpus_field) = if submods.iter().any(|s| s.section.is_azure()) {
        ("the TPM quote's extraData", "the TPM quote's extraData")
    } else {
        ("REPORT_DATA", "the CPU's REPORT_DATA")
    };
    let schemes = binding
        .get("gpu_nonce_schemes")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let mut all_bound = true;
    let mut gpu_index = 0usize;
    for sub in submods.iter_mut() {
        let (bound, why) = if sub.section == Section::Gpu {
            let scheme = schemes.get(gpu_index).and_then(Value::as_str);
            gpu_index = gpu_index.saturating_add(1);
            match scheme {
                Some(binding::SCHEME_CHALLENGE) => (true, String::new()),
                Some(binding::SCHEME_REPORT_DATA_SHA256) if cpu_ok => (true, String::new()),
                Some(binding::SCHEME_REPORT_DATA_SHA256) => (
                    false,
                    format!(
                        "its SPDM nonce is SHA-256 of {cpus_field}, which does not bind the \
                         challenge"
                    ),
                ),
                _ => (
                    false,
                    format!("its SPDM nonce is neither the challenge nor SHA-256 of {cpus_field}"),
                ),
            }
        } else if cpu_ok {
            (true, String::new())
        } else {
            (
                false,
                format!("{cpu_field} does not begin with the challenge"),
            )
        };
        if bound {
            continue;
        }
        all_bound = false;
        let claim = TrustClaim::InstanceIdentity;
        let value = UNRECOGNIZED_INSTANCE;
        sub.trust
            .set(claim, more_severe(sub.trust.get(claim), value));
        sub.status = sub.trust.status();
        sub.outcomes.push(RuleOutcome {
            id: CHALLENGE_RULE_ID.to_owned(),
            claim,
            applied: true,
            passed: false,
            error: None,
            message: format!("the evidence does not answer the challenge: {why}"),
            value: Some(value),
        });
    }
    all_bound
}

struct Common<'a> {
    binding: &'a Value,
    nonce: &'a Value,
    /// Converted once for every device (a timestamp, whatever the environment); `None`
    /// for a time RFC 3339 cannot write.
    now: Option<&'a BoundValue>,
}

fn appraise_device(
    policy: &Policy,
    device: &Device,
    label: String,
    gpu_index: Option<usize>,
    common: &Common<'_>,
) -> Result<SubmodAppraisal, AppraiseError> {
    let rules = policy
        .section(device.section)
        .ok_or_else(|| AppraiseError::NoSection {
            policy: policy.name().to_owned(),
            section: device.section.name(),
        })?;
    let activation =
        bind(rules, device, gpu_index, common).map_err(|message| AppraiseError::Bind {
            device: label.clone(),
            message,
        })?;
    let mut trust = Vector::default();
    let mut failed_claims = [false; 8];
    let mut outcomes = Vec::with_capacity(rules.rules.len());
    for rule in &rules.rules {
        let outcome = run_rule(rule, &activation);
        if let Some(value) = outcome.value {
            let slot = rule.claim as usize;
            let already_failed = failed_claims.get(slot).copied().unwrap_or(true);
            if !outcome.passed {
                let current = if already_failed {
                    trust.get(rule.claim)
                } else {
                    None
                };
                trust.set(rule.claim, more_severe(current, value));
                if let Some(f) = failed_claims.get_mut(slot) {
                    *f = true;
                }
            } else if !already_failed && trust.get(rule.claim).is_none() {
                trust.set(rule.claim, value);
            }
        }
        outcomes.push(outcome);
    }
    let mut exports = Map::new();
    let mut export_errors = Vec::new();
    for (i, (name, expr)) in rules.exports.iter().enumerate() {
        let value = match rules.constant_exports.get(i) {
            Some(Some(constant)) => constant.clone(),
            _ => expr.evaluate(&activation).map_err(|e| e.to_string()),
        };
        match value {
            Ok(Value::Null) => {}
            Ok(v) => {
                exports.insert(name.clone(), v);
            }
            Err(e) => export_errors.push((name.clone(), e)),
        }
    }
    let evidence_nonce = device.challenge_answer().map(str::to_owned);
    Ok(SubmodAppraisal {
        label,
        section: device.section,
        status: trust.status(),
        trust,
        outcomes,
        exports,
        export_errors,
        warnings: device.warnings.clone(),
        evidence_nonce,
    })
}

fn bind(
    rules: &SectionRules,
    device: &Device,
    gpu_index: Option<usize>,
    common: &Common<'_>,
) -> Result<Activation, String> {
    let env: &Environment = &rules.env;
    let mut activation = Activation::new(env);
    // Only what the expressions read is converted: a variable no rule names, or a claim
    // no rule selects, costs nothing.
    for name in &rules.used {
        let result = match name.as_str() {
            "ref" => {
                activation.bind_converted("ref", rules.references.clone());
                Ok(())
            }
            "binding" => activation.bind_serialize(
                "binding",
                rules.needs.get("binding").unwrap_or(&Need::Whole),
                common.binding,
            ),
            "nonce" => activation.bind("nonce", common.nonce),
            "now" => match common.now {
                Some(now) => {
                    activation.bind_converted("now", now.clone());
                    Ok(())
                }
                None => Err(BindError::new(
                    "now",
                    "the appraisal time is past 9999-12-31T23:59:59Z",
                )),
            },
            "warnings" => {
                let codes = device.warnings.iter().cloned().map(Value::String).collect();
                activation.bind("warnings", &Value::Array(codes))
            }
            "gpu_index" => match gpu_index {
                Some(i) => activation.bind("gpu_index", &Value::from(i)),
                None => Ok(()),
            },
            // A claims variable the device lacks stays unbound: a rule reading it errs.
            n => device.bind(
                &mut activation,
                n,
                rules.needs.get(n).unwrap_or(&Need::Whole),
            ),
        };
        result.map_err(|e| e.to_string())?;
    }
    Ok(activation)
}

fn run_rule(rule: &Rule, activation: &Activation) -> RuleOutcome {
    let mut outcome = RuleOutcome {
        id: rule.id.clone(),
        claim: rule.claim,
        applied: true,
        passed: false,
        error: None,
        message: rule.message.clone(),
        value: None,
    };
    if let Some(when) = &rule.when {
        match when.evaluate_bool(activation) {
            Ok(true) => {}
            Ok(false) => {
                outcome.applied = false;
                return outcome;
            }
            // A guard that cannot be evaluated does not excuse the rule.
            Err(e) => {
                outcome.error = Some(format!("when: {e}"));
                outcome.value = Some(rule.on_fail);
                return outcome;
            }
        }
    }
    match rule.expr.evaluate_bool(activation) {
        Ok(true) => {
            outcome.passed = true;
            outcome.value = Some(rule.on_pass);
        }
        Ok(false) => outcome.value = Some(rule.on_fail),
        Err(e) => {
            outcome.error = Some(e.to_string());
            outcome.value = Some(rule.on_fail);
        }
    }
    outcome
}

/// The tier of a value, re-exported for callers that print vectors.
pub fn value_tier(value: i8) -> TrustTier {
    tier_of(value)
}
