//! The policy file as written: YAML read into spanned values, so that every later error
//! (an unknown claim in an expression, a value that is not the claim's) can say where.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

/// A policy file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Document {
    /// The policy's name: `ear_appraisal_policy_ids` carries it with its version.
    pub(crate) policy: Spanned<String>,
    /// Its version (free text: `1`, `2026-11-27`, `1.4.0`).
    pub(crate) version: Spanned<VersionText>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    /// Token settings the policy asks for.
    #[serde(default)]
    pub(crate) token: Option<TokenDoc>,
    /// Whether evidence must answer a challenge: `required` (the default) or
    /// `optional`. A service refuses a request without a nonce under a policy that
    /// requires one.
    #[serde(default)]
    pub(crate) challenge: Option<Spanned<String>>,
    /// Reference values, read by rules as `ref.<name>`: golden measurements change
    /// here without touching a rule.
    #[serde(default)]
    pub(crate) references: Option<Spanned<serde_json::Value>>,
    /// Rules per kind of evidence.
    #[serde(default)]
    pub(crate) snp: Option<SectionDoc>,
    #[serde(default)]
    pub(crate) tdx: Option<SectionDoc>,
    #[serde(default)]
    pub(crate) sgx: Option<SectionDoc>,
    /// Azure confidential VMs (vTPM evidence); the plain `snp`/`tdx` sections never
    /// appraise them.
    #[serde(default)]
    pub(crate) azure_snp: Option<SectionDoc>,
    #[serde(default)]
    pub(crate) azure_tdx: Option<SectionDoc>,
    #[serde(default)]
    pub(crate) gpu: Option<SectionDoc>,
    #[serde(default)]
    pub(crate) tests: Option<TestsDoc>,
}

/// A version written as a string or a number.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum VersionText {
    Text(String),
    Int(i64),
    Float(f64),
}

impl VersionText {
    pub(crate) fn to_text(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Int(i) => i.to_string(),
            Self::Float(f) => f.to_string(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenDoc {
    /// Lifetime of the tokens issued under this policy, in seconds.
    pub(crate) ttl: Option<Spanned<i64>>,
}

/// The rules for one kind of evidence.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SectionDoc {
    #[serde(default)]
    pub(crate) rules: Vec<RuleDoc>,
    /// Claims the token carries for this device (`ear_attester_claims`): name →
    /// expression.
    #[serde(default)]
    pub(crate) export: BTreeMap<String, Spanned<String>>,
}

/// One rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleDoc {
    pub(crate) id: Spanned<String>,
    /// The trustworthiness claim the rule decides.
    pub(crate) claim: Spanned<String>,
    /// What must hold.
    pub(crate) expr: Spanned<String>,
    /// When given, the rule only applies where this holds (else it neither passes nor
    /// fails).
    #[serde(default)]
    pub(crate) when: Option<Spanned<String>>,
    /// The claim's value when the rule fails (or cannot be evaluated).
    pub(crate) on_fail: Spanned<ValueText>,
    /// The claim's value when it passes (default: the claim's affirming value, 2).
    #[serde(default)]
    pub(crate) on_pass: Option<Spanned<ValueText>>,
    /// Why it failed, for people.
    pub(crate) message: String,
}

/// A claim value written as a name or a number.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum ValueText {
    Int(i64),
    Name(String),
}

/// Tests embedded in the policy: claims in, expected results out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TestsDoc {
    /// Claims every case starts from; a case's own claims are merged over them.
    #[serde(default)]
    pub(crate) base: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) cases: Vec<CaseDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaseDoc {
    pub(crate) name: Spanned<String>,
    /// Input: `snp`/`tdx`/`sgx`, `gpus`, `nonce`, `now`, `warnings`.
    #[serde(default)]
    pub(crate) input: Option<serde_json::Value>,
    pub(crate) expect: ExpectDoc,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExpectDoc {
    /// The overall `ear_status`.
    #[serde(default)]
    pub(crate) status: Option<String>,
    /// Per submodule (`cpu0`, `gpu0`, …): its status, claim values and failed rules.
    #[serde(default)]
    pub(crate) submods: BTreeMap<String, SubmodExpectDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubmodExpectDoc {
    #[serde(default)]
    pub(crate) status: Option<String>,
    /// Claim name → value (name or number), `null` for unset.
    #[serde(default)]
    pub(crate) trust: BTreeMap<String, Option<ValueText>>,
    /// Exactly these rules fail (ids), in policy order.
    #[serde(default)]
    pub(crate) failed: Option<Vec<String>>,
}

/// A 1-based line and column in the policy file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, in characters.
    pub column: usize,
}

impl Position {
    pub(crate) fn of(location: Location) -> Self {
        Self {
            line: usize::try_from(location.line()).unwrap_or(0),
            column: usize::try_from(location.column()).unwrap_or(0),
        }
    }
}

/// Where, in the policy file, a character of an expression is. An expression is a YAML
/// scalar: plain or quoted on one line (the expression's characters follow the opening
/// quote), or a block scalar (`|` or `>`), whose lines keep their places in the file at
/// the block's indentation. The scalar's location is its first character (the quote, or
/// for a block the first character of its content; an indicator is skipped if given).
pub(crate) fn position_in_file(
    source: &str,
    scalar: Location,
    expr_line: usize,
    expr_column: usize,
) -> Position {
    let start = Position::of(scalar);
    let line_text = |n: usize| source.lines().nth(n.saturating_sub(1));
    let Some(first) = line_text(start.line) else {
        return start;
    };
    let indent_of = |n: usize| {
        line_text(n)
            .map(|l| l.len() - l.trim_start_matches(' ').len())
            .unwrap_or(0)
    };
    match first.chars().nth(start.column.saturating_sub(1)) {
        // The location is the block indicator: the content starts on the next line.
        Some('|' | '>') => Position {
            line: start.line + expr_line,
            column: indent_of(start.line + 1) + expr_column,
        },
        Some('\'' | '"') if expr_line <= 1 => Position {
            line: start.line,
            column: start.column + expr_column,
        },
        _ if expr_line <= 1 => Position {
            line: start.line,
            column: start.column + expr_column.saturating_sub(1),
        },
        // A later line of a block scalar's content: the block's indentation is that of
        // its first line; deeper indentation is part of the expression's text.
        _ => Position {
            line: start.line + expr_line - 1,
            column: indent_of(start.line) + expr_column,
        },
    }
}
