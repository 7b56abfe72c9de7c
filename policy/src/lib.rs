//! Appraisal of verified claims: CEL policies, EAR (draft-ietf-rats-ear) appraisals and
//! signed attestation tokens (JWT and CWT/COSE).
//!
//! A [`Policy`] is a YAML file of named CEL rules over the normalized claims a
//! `verifier::Verified<Claims>` carries, type-checked against the claim [`schema`] when
//! it loads. [`appraise`] gives each device an AR4SI trustworthiness vector and status;
//! [`to_ear`] makes the EAR claims set, and [`token`] signs it as a JWT or a CWT. Like
//! the verifier it is pure: time, keys, nonces and claims come in as arguments.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let results: Vec<verifier::Verified<verifier::Claims>> = Vec::new();
//! # let (now, jti) = (1_750_000_000, vec![0u8; 16]);
//! let policy = policy::Policy::from_yaml(&std::fs::read_to_string("policies/snp.yaml")?)?;
//! let input = policy::Input::from_verified(&results, None, now)?;
//! let appraisal = policy::appraise(&policy, &input)?;
//! let ear = policy::to_ear(&appraisal, &policy::IssueOptions::new("https://verdict.example", jti))?;
//! let key = policy::token::SigningKey::generate(policy::token::Algorithm::Es384)?;
//! let jwt = policy::token::sign_jwt(&ear, &key)?;
//! # let _ = jwt; Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod appraise;
pub mod binding;
pub mod cel;
mod document;
pub mod ear;
pub mod issue;
mod policy;
pub mod schema;
mod tests;
pub mod token;
pub mod trust;

pub use appraise::{
    appraise, Appraisal, AppraiseError, Device, Input, RuleOutcome, SubmodAppraisal,
    CHALLENGE_RULE_ID,
};
pub use document::Position;
pub use issue::{to_ear, IssueError, IssueOptions};
pub use policy::{
    Policy, PolicyError, PolicyErrorKind, Rule, SectionRules, DEFAULT_TTL_SECONDS,
    MAX_POLICY_BYTES, MAX_RULES_PER_SECTION, MAX_TTL_SECONDS, MAX_YAML_DEPTH, MAX_YAML_NODES,
};
pub use schema::Section;
pub use tests::{input_from_json, input_from_json_slice, TestOutcome};

/// The claims type policies evaluate, re-exported so policy users need one import.
pub use verifier::Claims;
