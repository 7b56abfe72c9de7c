//! Exit codes, documented in the README and `verdict --help`.

/// The process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Exit {
    /// The evidence verified.
    Verified = 0,
    /// The evidence was read and rejected.
    Rejected = 1,
    /// Unreadable or malformed input, or bad usage.
    BadInput = 2,
    /// Collateral missing or unavailable.
    MissingCollateral = 3,
}

impl From<verifier::ErrorClass> for Exit {
    fn from(c: verifier::ErrorClass) -> Self {
        match c {
            verifier::ErrorClass::Malformed => Self::BadInput,
            verifier::ErrorClass::Rejected => Self::Rejected,
            verifier::ErrorClass::MissingCollateral => Self::MissingCollateral,
        }
    }
}
