//! Appraisal of verified claims: CEL policies, EAR (draft-ietf-rats-ear) appraisals and
//! signed attestation tokens (JWT and CWT/COSE).
//!
//! A [`Policy`] is a YAML file of named CEL rules over the normalized claims a
//! `verifier::Verified<Claims>` carries, type-checked against the claim [`schema`] when
//! it loads. [`appraise`] gives each device an AR4SI trustworthiness vector and status;
//! [`to_ear`] makes the EAR claims set, and [`token`] signs it as a JWT or a CWT. Like
//! the verifier it is pure: time (`verifier::time::UnixTime`), keys, nonces, randomness
//! and claims come in as arguments.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let results: Vec<verifier::Verified<verifier::Claims>> = Vec::new();
//! # let (now, jti) = (verifier::time::from_secs(1_750_000_000), vec![0u8; 16]);
//! # use rand_chacha::rand_core::SeedableRng as _;
//! # let mut rng = rand_chacha::ChaCha20Rng::from_seed([0; 32]);
//! let policy = policy::Policy::from_yaml(&std::fs::read_to_string("policies/snp.yaml")?)?;
//! // Only the verifier makes `Verified` values: unchecked claims cannot get here.
//! let input = policy::Input::from_verified(&results, None, now)?;
//! let appraisal = policy::appraise(&policy, &input)?;
//! let ear = policy::to_ear(&appraisal, &policy::IssueOptions::new("https://verdict.example", jti))?;
//! // The caller brings a CSPRNG: the CLI passes the OS's (`rand_core::OsRng`).
//! let key = policy::token::SigningKey::generate(policy::token::Algorithm::Es384, &mut rng)?;
//! let jwt = policy::token::sign_jwt(&ear, &key)?;
//! # let _ = jwt; Ok(()) }
//! ```
#![deny(missing_docs)]

// Modules from the bottom up: each uses only those above it in this list.
pub mod appraise;
pub mod binding;
pub mod cel;
mod document;
pub mod ear;
mod embedded_tests;
mod error;
mod input;
pub mod issue;
mod policy;
pub mod schema;
mod test_cases;
pub mod token;
pub mod trust;

pub use appraise::{
    appraise, Appraisal, AppraiseError, Device, Input, RuleOutcome, SubmodAppraisal,
    CHALLENGE_RULE_ID,
};
pub use document::Position;
pub use embedded_tests::TestOutcome;
pub use error::{PolicyError, PolicyErrorKind};
pub use issue::{to_ear, IssueError, IssueOptions};
pub use policy::{
    Policy, Rule, SectionRules, DEFAULT_TTL_SECONDS, MAX_POLICY_BYTES, MAX_RULES_PER_SECTION,
    MAX_TTL_SECONDS, MAX_YAML_DEPTH, MAX_YAML_NODES,
};
pub use schema::Section;

/// The claims type policies evaluate, re-exported so policy users need one import.
pub use verifier::Claims;
