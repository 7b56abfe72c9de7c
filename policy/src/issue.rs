//! An appraisal as an EAR (draft-ietf-rats-ear-04) attestation result: the claims set a
//! token signs.
//!
//! Top level: `eat_profile` `tag:ietf.org,2026:rats/ear#04`, `iat`, `exp`, `iss`, `aud`
//! (when asked for), `jti`, `ear_verifier_id`, `ear_status` (the worst submodule),
//! `eat_nonce` (the challenge), `ear_device_topology` (composite evidence) and
//! `submods`: `cpu0`, `gpu0`…, each with `ear_status`, `ear_trustworthiness_vector`,
//! `ear_appraisal_policy_ids`, `ear_attester_claims` (the policy's exports) and
//! `ear_verifier_claims` (failed rules with their messages, the verifier's warning codes,
//! and on the CPU the `binding` object). Small by design: no raw evidence.

use std::collections::BTreeMap;

use ear::{Ear, RawValue, VerifierID};
use serde_json::{json, Map, Value};

use crate::appraise::{Appraisal, SubmodAppraisal};
use crate::schema::Section;
use crate::token::{register_claims, set_expiry, TokenError};

/// What the issuer adds to an appraisal to make a token's claims.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// `iss`: who issues the token (a URL or name relying parties pin).
    pub issuer: String,
    /// `aud`: the relying party, when the request names one.
    pub audience: Option<String>,
    /// `jti`: a unique token id (16 random bytes from the caller: the core reads no RNG
    /// for results).
    pub jti: Vec<u8>,
    /// `ear_verifier_id.developer`.
    pub developer: String,
    /// `ear_verifier_id.build`.
    pub build: String,
    /// Token lifetime in seconds; the policy's when `None`.
    pub ttl_seconds: Option<i64>,
}

impl IssueOptions {
    /// Options for this build of Verdict, issuer `issuer`.
    pub fn new(issuer: impl Into<String>, jti: Vec<u8>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: None,
            jti,
            developer: "https://github.com/verdict-attestation/verdict".to_owned(),
            build: format!("verdict {}", env!("CARGO_PKG_VERSION")),
            ttl_seconds: None,
        }
    }
}

/// Why an EAR could not be built.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The challenge is outside EAT's 8..=64 bytes for `eat_nonce`.
    #[error("the nonce is {0} bytes; eat_nonce takes 8 to 64")]
    NonceLength(usize),
    /// The `ear` model refused a value.
    #[error("building the EAR: {0}")]
    Ear(String),
    /// Registering the token claims failed.
    #[error(transparent)]
    Token(#[from] TokenError),
}

/// The EAR for `appraisal`.
///
/// # Errors
/// [`IssueError`] for a nonce EAT cannot carry, or a value the `ear` model refuses.
pub fn to_ear(appraisal: &Appraisal, options: &IssueOptions) -> Result<Ear, IssueError> {
    let mut ear = Ear::new();
    ear.profile = ear::EAR_PROFILE.to_owned();
    ear.iat = appraisal.now;
    let ttl = options.ttl_seconds.unwrap_or(appraisal.ttl_seconds);
    ear.vid = VerifierID {
        build: options.build.clone(),
        developer: options.developer.clone(),
    };
    ear.status = Some(appraisal.status);
    if let Some(nonce) = &appraisal.nonce {
        if !(8..=64).contains(&nonce.len()) {
            return Err(IssueError::NonceLength(nonce.len()));
        }
        ear.nonce = Some(
            ear::Nonce::try_from(nonce.as_slice()).map_err(|e| IssueError::Ear(e.to_string()))?,
        );
    }
    if let Some((cpu, gpus)) = appraisal.topology() {
        ear.topology = Some(BTreeMap::from([(cpu, gpus)]));
    }
    for sub in &appraisal.submods {
        ear.submods
            .insert(sub.label.clone(), submod(appraisal, sub)?);
    }
    register_claims(&mut ear)?;
    let set = |ear: &mut Ear, name: &str, value: RawValue| {
        ear.extensions
            .set_by_name(name, value)
            .map_err(|e| IssueError::Ear(e.to_string()))
    };
    set(&mut ear, "iss", RawValue::String(options.issuer.clone()))?;
    if let Some(aud) = &options.audience {
        set(&mut ear, "aud", RawValue::String(aud.clone()))?;
    }
    set(
        &mut ear,
        "jti",
        RawValue::Bytes(ear::Bytes(options.jti.clone())),
    )?;
    set_expiry(&mut ear, appraisal.now.saturating_add(ttl))?;
    Ok(ear)
}

fn submod(appraisal: &Appraisal, sub: &SubmodAppraisal) -> Result<ear::Appraisal, IssueError> {
    let mut out = ear::Appraisal::new();
    out.status = sub.status;
    out.trust_vector = sub.trust.to_ear();
    out.policy_ids = vec![appraisal.policy_id.clone()];
    for (name, value) in &sub.exports {
        out.attester_claims.insert(name.clone(), raw(value));
    }
    let failed: Vec<Value> = sub
        .failed()
        .map(|o| {
            let mut m = Map::new();
            m.insert("id".into(), Value::String(o.id.clone()));
            m.insert("claim".into(), Value::String(o.claim.name().to_owned()));
            if let Some(v) = o.value {
                m.insert("value".into(), Value::from(v));
            }
            m.insert("message".into(), Value::String(o.message.clone()));
            if let Some(e) = &o.error {
                m.insert("error".into(), Value::String(e.clone()));
            }
            Value::Object(m)
        })
        .collect();
    if !failed.is_empty() {
        out.verifier_claims
            .insert("failed_rules".into(), raw(&Value::Array(failed)));
    }
    if !sub.warnings.is_empty() {
        out.verifier_claims
            .insert("warnings".into(), raw(&json!(sub.warnings)));
    }
    if !sub.export_errors.is_empty() {
        let errors: Map<String, Value> = sub
            .export_errors
            .iter()
            .map(|(n, e)| (n.clone(), Value::String(e.clone())))
            .collect();
        out.verifier_claims
            .insert("export_errors".into(), raw(&Value::Object(errors)));
    }
    if sub.section != Section::Gpu {
        out.verifier_claims
            .insert("binding".into(), raw(&appraisal.binding));
    }
    Ok(out)
}

/// JSON as `ear`'s raw claim value (both token encodings carry it).
fn raw(value: &Value) -> RawValue {
    match value {
        Value::Null => RawValue::Null,
        Value::Bool(b) => RawValue::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map(RawValue::Integer)
            .or_else(|| n.as_f64().map(RawValue::Float))
            .unwrap_or(RawValue::Null),
        Value::String(s) => RawValue::String(s.clone()),
        Value::Array(items) => RawValue::Array(items.iter().map(raw).collect()),
        Value::Object(map) => RawValue::Map(
            map.iter()
                .map(|(k, v)| (RawValue::String(k.clone()), raw(v)))
                .collect(),
        ),
    }
}
