//! The Verdict token service (`verdict serve`): challenge, attest, JWKS, policies,
//! health and metrics over HTTP, stateless so it scales out as plain replicas.
//!
//! It wires the pure verifier and policy engine to the collateral sources and a clock;
//! no verification logic lives here. It is filled in by the service work; today it only
//! fixes the crate's place in the workspace.
#![deny(missing_docs)]

/// The verifier the service runs, re-exported for the service's own configuration types.
pub use verifier::Verifier;
