//! Why a policy did not load. Below every other module, so each can report one.

use core::fmt;

use crate::cel::CompileErrorKind;
use crate::document::Position;

/// Why a policy did not load.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PolicyError {
    /// What kind of mistake.
    pub kind: PolicyErrorKind,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// What is wrong, for people.
    pub message: String,
}

/// The kinds of [`PolicyError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyErrorKind {
    /// Not YAML, or not the policy format (unknown key, missing field, wrong type).
    Format,
    /// An expression does not compile: syntax, unknown claim, type mismatch, limits.
    Expression(CompileErrorKind),
    /// A claim name or claim value that is not AR4SI's, or a value in the wrong tier.
    Value,
    /// Two rules with one id, or two exports with one name.
    Duplicate,
    /// Too large: the file, a section or the token lifetime.
    Limit,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "{}:{}: {}", p.line, p.column, self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for PolicyError {}

impl PolicyError {
    pub(crate) fn at(
        kind: PolicyErrorKind,
        position: Position,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            position: Some(position),
            message: message.into(),
        }
    }
}
