//! Verifying a DCAP quote of either kind with default expectations, for tests that run
//! the same checks over TDX and SGX quotes. Production callers choose the kind
//! ([`verifier::Verifier::verify_tdx`] or [`verifier::Verifier::verify_sgx`]); picking it
//! from the quote itself is only right when no expectation depends on it.

use verifier::collateral::Bundle;
use verifier::tdx::{Quote, QuoteClaims, SgxOptions, TdxOptions, TEE_TYPE_SGX};
use verifier::time::UnixTime;
use verifier::{Error, Verified, Verifier};

/// Whether `quote` parses as an SGX (enclave) quote.
pub fn is_sgx_quote(quote: &[u8]) -> bool {
    Quote::parse(quote).is_ok_and(|q| q.header.tee_type == TEE_TYPE_SGX)
}

/// `verify_sgx` or `verify_tdx` by the quote's own kind, with default options.
pub trait VerifyQuote {
    /// Verifies `quote` as what it is, with default options.
    ///
    /// # Errors
    /// As the verifier's entry point for that kind.
    fn verify_quote(
        &self,
        quote: &[u8],
        bundle: &Bundle,
        now: UnixTime,
    ) -> Result<Verified<QuoteClaims>, Error>;
}

impl VerifyQuote for Verifier {
    fn verify_quote(
        &self,
        quote: &[u8],
        bundle: &Bundle,
        now: UnixTime,
    ) -> Result<Verified<QuoteClaims>, Error> {
        if is_sgx_quote(quote) {
            self.verify_sgx(quote, bundle, &SgxOptions::default(), now)
        } else {
            self.verify_tdx(quote, bundle, &TdxOptions::default(), now)
        }
    }
}
