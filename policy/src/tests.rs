//! Tests embedded in a policy: claims in, expected results out. They run at load time
//! in `verdict policy check`, so a policy that no longer does what its author said
//! fails before it appraises anything.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::appraise::{appraise, Device, Input};
use crate::cel::describe;
use crate::document::{CaseDoc, Position, TestsDoc, ValueText};
use crate::policy::{Policy, PolicyError, PolicyErrorKind};
use crate::schema;
use crate::schema::Section;
use crate::trust::{tier_from_name, tier_name, TrustClaim, TrustTier};

/// A compiled test case.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    name: String,
    position: Position,
    input: Value,
    status: Option<TrustTier>,
    submods: BTreeMap<String, SubmodExpect>,
}

#[derive(Debug, Clone, Default)]
struct SubmodExpect {
    status: Option<TrustTier>,
    trust: Vec<(TrustClaim, Option<i8>)>,
    failed: Option<Vec<String>>,
}

/// The result of one embedded test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// The case's name.
    pub name: String,
    /// Its line in the policy file.
    pub line: usize,
    /// What differed from the expectation; empty when it passed.
    pub problems: Vec<String>,
}

impl TestOutcome {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

pub(crate) fn compile(doc: Option<&TestsDoc>) -> Result<Vec<Case>, PolicyError> {
    let Some(doc) = doc else {
        return Ok(Vec::new());
    };
    doc.cases
        .iter()
        .map(|case| compile_case(doc.base.as_ref(), case))
        .collect()
}

fn compile_case(base: Option<&Value>, case: &CaseDoc) -> Result<Case, PolicyError> {
    let position = Position::of(case.name.referenced);
    let err = |message: String| PolicyError {
        kind: PolicyErrorKind::Value,
        position: Some(position),
        message: format!("test `{}`: {message}", case.name.value),
    };
    let mut input = base
        .cloned()
        .unwrap_or(Value::Object(serde_json::Map::new()));
    if let Some(own) = &case.input {
        merge(&mut input, own);
    }
    let tier = |s: &str| tier_from_name(s).ok_or_else(|| err(format!("unknown status `{s}`")));
    let status = case.expect.status.as_deref().map(tier).transpose()?;
    let mut submods = BTreeMap::new();
    for (label, exp) in &case.expect.submods {
        let mut out = SubmodExpect {
            status: exp.status.as_deref().map(tier).transpose()?,
            trust: Vec::new(),
            failed: exp.failed.clone(),
        };
        for (claim_name, value) in &exp.trust {
            let claim = TrustClaim::from_name(claim_name)
                .ok_or_else(|| err(format!("`{claim_name}` is not a trustworthiness claim")))?;
            let value = match value {
                None => None,
                Some(ValueText::Int(i)) => {
                    Some(i8::try_from(*i).map_err(|_| err(format!("{i} is outside -128..127")))?)
                }
                Some(ValueText::Name(n)) => Some(claim.parse_value(n).map_err(err)?),
            };
            out.trust.push((claim, value));
        }
        submods.insert(label.clone(), out);
    }
    Ok(Case {
        name: case.name.value.clone(),
        position,
        input,
        status,
        submods,
    })
}

/// Deep merge: objects merge key by key, anything else replaces.
fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// Builds an appraisal input from a test case's input object: `snp`, `tdx` or `sgx`
/// (the CPU claims), `gpus` (a list of GPU claims), `nonce` (hex), `now` (RFC 3339),
/// `warnings` (codes, given to every device).
///
/// Integer claims must be within the range of the verifier's field for them
/// ([`crate::schema::check_ranges`]); other type mistakes are reported when the claims
/// are bound, by [`appraise`]. Read JSON text with [`input_from_json_slice`], which also
/// refuses duplicate member names.
///
/// # Errors
/// A sentence naming the field, what was expected and what it holds, e.g.
/// `` `snp.vmpl`: expected an integer from 0 to 4294967295, got 4294967296``.
pub fn input_from_json(input: &Value) -> Result<Input, String> {
    let Value::Object(members) = input else {
        return Err(format!(
            "expected an object of claims, got {}",
            describe(input)
        ));
    };
    let warnings: Vec<String> = match members.get("warnings") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, w)| {
                w.as_str().map(str::to_owned).ok_or_else(|| {
                    format!(
                        "`warnings[{i}]`: expected a warning code (a string), got {}",
                        describe(w)
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(format!(
                "`warnings`: expected a list of warning codes, got {}",
                describe(other)
            ))
        }
    };
    let claims_of = |section: Section, at: String, claims: &Value| {
        if !claims.is_object() {
            return Err(format!(
                "`{at}`: expected an object of {} claims, got {}",
                section.name(),
                describe(claims)
            ));
        }
        schema::check_ranges_at(section, &at, claims)?;
        Ok(Device {
            section,
            claims: claims.clone(),
            warnings: warnings.clone(),
        })
    };
    let mut cpu: Option<Device> = None;
    for section in [Section::Snp, Section::Tdx, Section::Sgx] {
        if let Some(claims) = members.get(section.name()) {
            if let Some(first) = &cpu {
                return Err(format!(
                    "give claims for one CPU TEE only (snp, tdx or sgx), not both {} and {}",
                    first.section.name(),
                    section.name()
                ));
            }
            cpu = Some(claims_of(section, section.name().to_owned(), claims)?);
        }
    }
    let gpus = match members.get("gpus") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, claims)| claims_of(Section::Gpu, format!("gpus[{i}]"), claims))
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(format!(
                "`gpus`: expected a list of GPU claims, got {}",
                describe(other)
            ))
        }
    };
    let nonce = match members.get("nonce") {
        None => None,
        Some(Value::String(h)) => Some(hex::decode(h).map_err(|e| {
            format!(
                "`nonce`: expected hex, got {}: {e}",
                describe(&Value::String(h.clone()))
            )
        })?),
        Some(other) => {
            return Err(format!(
                "`nonce`: expected a hex string, got {}",
                describe(other)
            ))
        }
    };
    let now = match members.get("now") {
        None => 0,
        Some(Value::String(t)) => {
            let secs = verifier::time::parse_rfc3339_explained(t)
                .map_err(|e| format!("`now`: `{t}` is not an RFC 3339 time: {e}"))?;
            i64::try_from(secs.as_secs())
                .map_err(|_| format!("`now`: `{t}` is too far in the future"))?
        }
        Some(other) => {
            return Err(format!(
                "`now`: expected an RFC 3339 time (a string), got {}",
                describe(other)
            ))
        }
    };
    Ok(Input {
        cpu,
        gpus,
        nonce,
        now,
    })
}

/// [`input_from_json`] from JSON text, refusing a member named twice anywhere in it
/// (`{"snp": {"vmpl": 0, "vmpl": 3}}` would otherwise mean whichever the parser kept).
///
/// # Errors
/// The JSON error (with its line and column), or as [`input_from_json`].
pub fn input_from_json_slice(bytes: &[u8]) -> Result<Input, String> {
    let value = verifier::json::from_slice(bytes).map_err(|e| format!("claims: {e}"))?;
    input_from_json(&value)
}

impl Policy {
    /// Runs the policy's embedded tests.
    pub fn run_tests(&self) -> Vec<TestOutcome> {
        self.tests.iter().map(|case| run_case(self, case)).collect()
    }
}

fn run_case(policy: &Policy, case: &Case) -> TestOutcome {
    let mut problems = Vec::new();
    match input_from_json(&case.input)
        .map_err(|e| e.to_string())
        .and_then(|input| appraise(policy, &input).map_err(|e| e.to_string()))
    {
        Err(e) => problems.push(format!("cannot appraise: {e}")),
        Ok(appraisal) => {
            if let Some(want) = case.status {
                if appraisal.status != want {
                    problems.push(format!(
                        "status {}, expected {}",
                        tier_name(appraisal.status),
                        tier_name(want)
                    ));
                }
            }
            for (label, exp) in &case.submods {
                let Some(sub) = appraisal.submods.iter().find(|s| &s.label == label) else {
                    problems.push(format!("no submodule {label}"));
                    continue;
                };
                if let Some(want) = exp.status {
                    if sub.status != want {
                        problems.push(format!(
                            "{label}: status {}, expected {}",
                            tier_name(sub.status),
                            tier_name(want)
                        ));
                    }
                }
                for (claim, want) in &exp.trust {
                    let got = sub.trust.get(*claim);
                    if got != *want {
                        let show = |v: Option<i8>| match v {
                            None => "unset".to_owned(),
                            Some(v) => claim
                                .value_name(v)
                                .map_or_else(|| v.to_string(), |n| format!("{n} ({v})")),
                        };
                        problems.push(format!(
                            "{label}: {claim} is {}, expected {}",
                            show(got),
                            show(*want)
                        ));
                    }
                }
                if let Some(want) = &exp.failed {
                    // The engine's own outcomes (the challenge binding) are not the
                    // policy's rules, so a test lists only the policy's.
                    let got: Vec<&str> = sub
                        .failed()
                        .map(|o| o.id.as_str())
                        .filter(|id| !id.starts_with("verdict:"))
                        .collect();
                    if got != want.iter().map(String::as_str).collect::<Vec<_>>() {
                        problems.push(format!(
                            "{label}: failed rules [{}], expected [{}]",
                            got.join(", "),
                            want.join(", ")
                        ));
                    }
                }
            }
        }
    }
    TestOutcome {
        name: case.name.clone(),
        line: case.position.line,
        problems,
    }
}
