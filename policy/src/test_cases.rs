//! The tests embedded in a policy file, compiled when the policy loads (claims in,
//! expected results out). Running them needs the appraisal engine, which sits above the
//! policy; that half is in `embedded_tests`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::document::{CaseDoc, Position, TestsDoc, ValueText};
use crate::error::{PolicyError, PolicyErrorKind};
use crate::trust::{tier_from_name, TrustClaim, TrustTier};

/// A compiled test case.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) position: Position,
    pub(crate) input: Value,
    pub(crate) status: Option<TrustTier>,
    pub(crate) submods: BTreeMap<String, SubmodExpect>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SubmodExpect {
    pub(crate) status: Option<TrustTier>,
    pub(crate) trust: Vec<(TrustClaim, Option<i8>)>,
    pub(crate) failed: Option<Vec<String>>,
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
