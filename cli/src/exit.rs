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

/// A command that did not succeed: its exit code, a stable kind (the `--json` error's
/// `kind`) and the one-line message.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) exit: Exit,
    pub(crate) kind: String,
    pub(crate) message: String,
}

impl Failure {
    /// Bad usage or unreadable input (exit 2).
    pub(crate) fn usage(kind: &str, err: impl std::fmt::Display) -> Self {
        Self {
            exit: Exit::BadInput,
            kind: kind.to_owned(),
            message: format!("{err:#}"),
        }
    }

    /// A verifier error, classed as the verifier classes it.
    pub(crate) fn from_verifier(e: &verifier::Error) -> Self {
        Self {
            exit: e.class().into(),
            kind: e.kind().to_owned(),
            message: e.to_string(),
        }
    }
}
