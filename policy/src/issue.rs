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

use core::time::Duration;
use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use verifier::time::{from_secs, secs};

use crate::appraise::{Appraisal, SubmodAppraisal};
use crate::ear::{self, Ear, VerifierId};
use crate::schema::Section;

/// What the issuer adds to an appraisal to make a token's claims. Made with
/// [`IssueOptions::new`], then adjusted field by field (more fields may come).
#[derive(Debug, Clone)]
#[non_exhaustive]
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
    /// Token lifetime (whole seconds count); the policy's when `None`.
    pub ttl: Option<Duration>,
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
            ttl: None,
        }
    }
}

/// Why an EAR could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The challenge is outside EAT's 8..=64 bytes for `eat_nonce`.
    #[error("the nonce is {0} bytes; eat_nonce takes 8 to 64")]
    NonceLength(usize),
    /// The result would not be a valid EAR.
    #[error("building the EAR: {0}")]
    Ear(String),
}

/// The EAR for `appraisal`.
///
/// # Errors
/// [`IssueError`] for a nonce EAT cannot carry, or a result that is not a valid EAR.
pub fn to_ear(appraisal: &Appraisal, options: &IssueOptions) -> Result<Ear, IssueError> {
    let verifier = VerifierId {
        developer: options.developer.clone(),
        build: options.build.clone(),
    };
    let mut ear = Ear::new(appraisal.now, verifier);
    let ttl = options.ttl.unwrap_or(appraisal.ttl);
    ear.exp = Some(from_secs(secs(appraisal.now).saturating_add(ttl.as_secs())));
    ear.issuer = Some(options.issuer.clone());
    ear.audience.clone_from(&options.audience);
    ear.jti = Some(options.jti.clone());
    ear.status = Some(appraisal.status);
    if let Some(nonce) = &appraisal.nonce {
        if !(8..=64).contains(&nonce.len()) {
            return Err(IssueError::NonceLength(nonce.len()));
        }
        ear.nonce = Some(nonce.clone());
    }
    if let Some((cpu, gpus)) = appraisal.topology() {
        ear.topology = Some(BTreeMap::from([(cpu, gpus)]));
    }
    for sub in &appraisal.submods {
        ear.submods
            .insert(sub.label.clone(), submod(appraisal, sub));
    }
    ear.validate().map_err(IssueError::Ear)?;
    Ok(ear)
}

fn submod(appraisal: &Appraisal, sub: &SubmodAppraisal) -> ear::Appraisal {
    let mut out = ear::Appraisal::new(sub.status);
    out.trust = sub.trust;
    out.policy_ids = vec![appraisal.policy_id.clone()];
    out.attester_claims = sub.exports.clone();
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
            .insert("failed_rules".into(), Value::Array(failed));
    }
    if !sub.warnings.is_empty() {
        out.verifier_claims
            .insert("warnings".into(), json!(sub.warnings));
    }
    if !sub.export_errors.is_empty() {
        let errors: Map<String, Value> = sub
            .export_errors
            .iter()
            .map(|(n, e)| (n.clone(), Value::String(e.clone())))
            .collect();
        out.verifier_claims
            .insert("export_errors".into(), Value::Object(errors));
    }
    if sub.section != Section::Gpu {
        out.verifier_claims
            .insert("binding".into(), appraisal.binding.clone());
    }
    out
}
