//! Appraisal of verified claims: CEL policies, EAR (draft-ietf-rats-ear) appraisals and
//! signed attestation tokens (JWT and CWT/COSE).
//!
//! A policy is a file of named CEL rules over the normalized claims a
//! `verifier::Verified<Claims>` carries; appraising produces an EAR status and
//! trustworthiness vector per device, which a signer turns into a token. Like the
//! verifier it is pure: time, keys and claims come in as arguments.
#![deny(missing_docs)]

pub mod cel;
pub mod token;

/// The claims type policies evaluate, re-exported so policy users need one import.
pub use verifier::Claims;
