//! Errors of compiling, binding and evaluating expressions.

use std::fmt;

/// Why an expression was rejected at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CompileErrorKind {
    /// The cel parser rejected the source.
    Syntax,
    /// An identifier that is neither a declared variable nor a comprehension
    /// variable in scope.
    UnknownVariable,
    /// A field the schema does not declare.
    UnknownField,
    /// Operands or arguments of the wrong type, or a result of the wrong type.
    TypeMismatch,
    /// A function that is not on the allow-list, or called in the wrong form.
    UnknownFunction,
    /// The source is longer than [`Limits::max_source_len`](super::Limits::max_source_len).
    TooLong,
    /// More AST nodes than [`Limits::max_nodes`](super::Limits::max_nodes).
    TooComplex,
    /// Nested deeper than [`Limits::max_depth`](super::Limits::max_depth).
    TooDeep,
    /// A comprehension inside another comprehension's range or body.
    NestedComprehension,
    /// Syntax the parser accepts but the checker does not type (struct
    /// literals, optional values).
    Unsupported,
}

impl CompileErrorKind {
    /// A stable snake_case id, for tests and machine-readable reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Syntax => "syntax",
            Self::UnknownVariable => "unknown_variable",
            Self::UnknownField => "unknown_field",
            Self::TypeMismatch => "type_mismatch",
            Self::UnknownFunction => "unknown_function",
            Self::TooLong => "too_long",
            Self::TooComplex => "too_complex",
            Self::TooDeep => "too_deep",
            Self::NestedComprehension => "nested_comprehension",
            Self::Unsupported => "unsupported",
        }
    }
}

/// An expression rejected at compile time, with where in its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// What kind of problem it is.
    pub kind: CompileErrorKind,
    /// A human-readable description.
    pub message: String,
    /// Byte offset in the source.
    pub offset: usize,
    /// 1-based line within the source.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl CompileError {
    /// An error at byte `offset` of `source`; line and column are computed.
    pub(crate) fn at(
        kind: CompileErrorKind,
        source: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> Self {
        let offset = floor_char_boundary(source, offset);
        let (line, column) = line_column(source, offset);
        Self {
            kind,
            message: message.into(),
            offset,
            line,
            column,
        }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for CompileError {}

/// The largest char boundary of `source` at or before `offset` (clamped to
/// its length), so that slicing never panics.
pub(crate) fn floor_char_boundary(source: &str, offset: usize) -> usize {
    let mut offset = offset.min(source.len());
    while offset > 0 && !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// 1-based line and character column of byte `offset`, which must be a char
/// boundary of `source`.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let before = source.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}

/// A claims value that could not be bound to a variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindError {
    /// Where in the value, e.g. `snp.policy.debug` or `gpus[3].name`.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

impl BindError {
    pub(crate) fn new(path: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.path, self.message)
    }
}

impl std::error::Error for BindError {}

/// An evaluation that failed; callers count the rule as failed (fail closed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    /// What went wrong, e.g. `No such key: debug`.
    pub message: String,
}

impl EvalError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

impl From<cel::ExecutionError> for EvalError {
    fn from(error: cel::ExecutionError) -> Self {
        Self::new(error.to_string())
    }
}
