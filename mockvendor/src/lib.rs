//! A mock of the vendor collateral services — AMD KDS, Intel PCS (and the PCCS and
//! certificates-host paths), NVIDIA's RIM service and NVIDIA's OCSP responder — for tests
//! that must never reach the internet.
//!
//! [`MockVendor::start`] runs a real HTTP/1.1 server (hyper, on its own tokio runtime on a
//! background thread) on `127.0.0.1:0`, so a *synchronous* test can point a fetcher at
//! [`MockVendor::base_url`]. It serves a [`Catalog`]: exact paths, query parameters matched
//! as a map (order does not matter; a missing, extra or wrong parameter is a 404, as at the
//! real services), and an OCSP responder that answers a `POST /` with the recorded response
//! whose serial number the request names, or `unauthorized`.
//!
//! The catalog builders fill a catalog from the **real** vectors (read from
//! `$VERDICT_REAL_VECTORS` at test time, never copied), under the vendors' own URL paths:
//! [`Catalog::amd_kds`], [`Catalog::intel_case`], [`Catalog::nvidia_rim_service`],
//! [`Catalog::nvidia_ocsp`]. Each vendor keeps its own host in production; here one server
//! answers for all of them, so a fetcher's per-vendor base URLs all become `base_url()`.
//!
//! Faults are injected per path prefix for the next `times` matching requests
//! ([`MockVendor::inject`]): delays, error statuses, 429 with `Retry-After`, truncated
//! bodies, wrong bodies, connection resets and oversize bodies — each real at the TCP/HTTP
//! level. Every request is logged ([`MockVendor::requests`]).
//!
//! ```no_run
//! use mockvendor::{Catalog, Fault, MockVendor};
//!
//! let mut catalog = Catalog::amd_kds().expect("real SNP vectors");
//! catalog.merge(Catalog::nvidia().expect("real NVIDIA vectors")).expect("no collisions");
//! let mock = MockVendor::start(catalog);
//! mock.inject(Fault::Status(503), "/vcek/v1/", 1);
//! let url = format!("{}/vcek/v1/Milan/cert_chain", mock.base_url());
//! // … the fetcher under test GETs `url`: 503 once, then the real chain.
//! assert_eq!(mock.request_count(), 0);
//! ```

#![forbid(unsafe_code)]

mod body;
mod catalog;
mod error;
mod fault;
mod ocsp;
mod real;
mod server;

pub use catalog::{Catalog, Route};
pub use error::BuildError;
pub use fault::{Fault, Match};
pub use ocsp::{OCSP_MALFORMED_REQUEST, OCSP_UNAUTHORIZED};
pub use real::{
    content_type, AMD_KDS_BASE, INTEL_CERTIFICATES_BASE, INTEL_PCS_BASE, NVIDIA_OCSP_BASE,
    NVIDIA_RIM_BASE,
};
pub use server::{MockVendor, Seen};
