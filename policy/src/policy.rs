//! A compiled policy: every expression parsed and type-checked against the claim
//! schema, every value resolved, so that appraising cannot meet a load-time mistake.

use std::collections::{BTreeMap, BTreeSet};

use serde_saphyr::Spanned;
use verifier::crypto::{default_provider, HashAlg};

use crate::cel::{BoundValue, CompileError, Environment, Expression, Limits, Need, Type};
use crate::document::{self, Document, Position, RuleDoc, SectionDoc, ValueText};
use crate::error::{PolicyError, PolicyErrorKind};
use crate::schema::{common_variables, type_of_value, Section};
use crate::trust::{tier_of, TrustClaim, TrustTier};

/// The largest policy text accepted, in bytes (256 KiB). [`Policy::from_yaml`] refuses a
/// longer text before parsing it; a caller reading a policy file can bound its read with
/// it (read at most `MAX_POLICY_BYTES + 1` bytes, so that a longer file is refused rather
/// than truncated). The largest policy shipped is a few KiB; this leaves room for
/// generous reference-value lists while keeping parse cost small.
pub const MAX_POLICY_BYTES: usize = 256 * 1024;
/// How deeply a policy's YAML may nest (block or flow collections). A policy nests about
/// a dozen levels (tests → cases → input → gpus → rims → ocsp); 64 is what claims bind
/// to at most, see the CEL value conversion.
pub const MAX_YAML_DEPTH: usize = 64;
/// The most YAML nodes (scalars, sequences, mappings) in a policy, aliases expanded:
/// 256 KiB of text holds at most ~128 Ki nodes written out (`[1,1,…]`), so a document
/// past this is an alias bomb or not a policy.
pub const MAX_YAML_NODES: usize = 131_072;
/// The most parser events that aliases may replay in one policy: an alias of a test input
/// is a few hundred events, and an alias bomb ("billion laughs") stops here after
/// milliseconds and a few MiB.
const MAX_ALIAS_REPLAYED_EVENTS: usize = 16_384;
/// The most rules one section may have.
pub const MAX_RULES_PER_SECTION: usize = 256;
/// The default token lifetime when the policy does not set one.
pub const DEFAULT_TTL_SECONDS: i64 = 300;
/// The longest token lifetime a policy may ask for (a day).
pub const MAX_TTL_SECONDS: i64 = 86_400;

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Its id, unique in the policy.
    pub id: String,
    /// The claim it decides.
    pub claim: TrustClaim,
    /// What must hold.
    pub expr: Expression,
    /// Where the rule applies, when restricted.
    pub when: Option<Expression>,
    /// The claim's value when the rule fails or errs (warning or contraindicated).
    pub on_fail: i8,
    /// The claim's value when it passes (affirming or none).
    pub on_pass: i8,
    /// Why it failed, for people.
    pub message: String,
}

/// The rules and exports for one kind of evidence.
#[derive(Debug)]
pub struct SectionRules {
    /// The environment its expressions were checked in.
    pub env: Environment,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// `ear_attester_claims` of the device: name and expression.
    pub exports: Vec<(String, Expression)>,
    /// The variables the expressions read: only these are bound when appraising
    /// (binding claims is most of an appraisal's cost).
    pub used: BTreeSet<String>,
    /// What they read of each variable: a device's claims are converted only so far.
    pub(crate) needs: BTreeMap<String, Need>,
    /// `ref`, converted once when the policy loads.
    pub(crate) references: BoundValue,
    /// For each export, in order, its value when it reads no variable (`"snp"`):
    /// evaluated once when the policy loads, as every appraisal would evaluate it.
    pub(crate) constant_exports: Vec<Option<Result<serde_json::Value, String>>>,
}

/// A loaded, checked policy.
#[derive(Debug)]
pub struct Policy {
    name: String,
    version: String,
    digest: String,
    description: Option<String>,
    ttl: i64,
    challenge_required: bool,
    references: serde_json::Value,
    sections: BTreeMap<Section, SectionRules>,
    pub(crate) tests: Vec<crate::test_cases::Case>,
}

impl Policy {
    /// Loads a policy from its YAML text: parses it, compiles and type-checks every
    /// expression against the claim schema, resolves every claim value.
    ///
    /// # Errors
    /// The first mistake, with its line and column in `source`.
    pub fn from_yaml(source: &str) -> Result<Self, PolicyError> {
        Self::from_yaml_with_limits(source, Limits::default())
    }

    /// [`Policy::from_yaml`] with other expression limits.
    ///
    /// # Errors
    /// As [`Policy::from_yaml`].
    pub fn from_yaml_with_limits(source: &str, limits: Limits) -> Result<Self, PolicyError> {
        if source.len() > MAX_POLICY_BYTES {
            return Err(PolicyError {
                kind: PolicyErrorKind::Limit,
                position: None,
                message: format!(
                    "the policy is {} bytes; at most {MAX_POLICY_BYTES} are accepted",
                    source.len()
                ),
            });
        }
        let doc: Document =
            serde_saphyr::from_str_with_options(source, yaml_options()).map_err(yaml_error)?;
        let digest = hex::encode(default_provider().hash(HashAlg::Sha256, &[source.as_bytes()]));
        let name = doc.policy.value.trim().to_owned();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(PolicyError::at(
                PolicyErrorKind::Format,
                Position::of(doc.policy.referenced),
                format!("policy name `{name}`: use letters, digits, `-`, `_` and `.`"),
            ));
        }
        let version = doc.version.value.to_text();
        let ttl = match doc.token.as_ref().and_then(|t| t.ttl.as_ref()) {
            None => DEFAULT_TTL_SECONDS,
            Some(t) if (1..=MAX_TTL_SECONDS).contains(&t.value) => t.value,
            Some(t) => {
                return Err(PolicyError::at(
                    PolicyErrorKind::Limit,
                    Position::of(t.referenced),
                    format!(
                        "token ttl {} s: expected 1..={MAX_TTL_SECONDS} seconds",
                        t.value
                    ),
                ))
            }
        };
        // Fail closed: a policy that says nothing requires a challenge.
        let challenge_required = match doc.challenge.as_ref() {
            None => true,
            Some(c) if c.value == "required" => true,
            Some(c) if c.value == "optional" => false,
            Some(c) => {
                return Err(PolicyError::at(
                    PolicyErrorKind::Format,
                    Position::of(c.referenced),
                    format!("challenge `{}`: expected `required` or `optional`", c.value),
                ))
            }
        };
        let references = match &doc.references {
            None => serde_json::Value::Object(serde_json::Map::new()),
            Some(r) if r.value.is_object() => r.value.clone(),
            Some(r) => {
                return Err(PolicyError::at(
                    PolicyErrorKind::Format,
                    Position::of(r.referenced),
                    "references: expected a map of names to values",
                ))
            }
        };
        let ref_type = type_of_value(&references);

        let mut sections = BTreeMap::new();
        let mut ids = BTreeSet::new();
        for (section, sdoc) in [
            (Section::Snp, &doc.snp),
            (Section::Tdx, &doc.tdx),
            (Section::Sgx, &doc.sgx),
            (Section::AzureSnp, &doc.azure_snp),
            (Section::AzureTdx, &doc.azure_tdx),
            (Section::Gpu, &doc.gpu),
        ] {
            let Some(sdoc) = sdoc else { continue };
            let env = Environment::new(common_variables(section, ref_type.clone()), limits.clone());
            let refs = env
                .convert("ref", &ref_type, &references)
                .map_err(|e| PolicyError {
                    kind: PolicyErrorKind::Limit,
                    position: doc.references.as_ref().map(|r| Position::of(r.referenced)),
                    message: format!("references: {e}"),
                })?;
            let compiled = compile_section(source, &env, sdoc, &mut ids, refs)?;
            sections.insert(section, compiled);
        }
        if sections.is_empty() {
            return Err(PolicyError {
                kind: PolicyErrorKind::Format,
                position: None,
                message: "the policy has no section: give rules under snp, tdx, sgx, azure_snp, \
                          azure_tdx or gpu"
                    .to_owned(),
            });
        }
        let tests = crate::test_cases::compile(doc.tests.as_ref())?;
        Ok(Self {
            name,
            version,
            digest,
            description: doc.description,
            ttl,
            challenge_required,
            references,
            sections,
            tests,
        })
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The policy's version as written.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// SHA-256 of the policy file, lower-case hex.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The identifier tokens carry in `ear_appraisal_policy_ids`:
    /// `policy:<name>@<version>#sha256:<digest>`, so a relying party can tell exactly
    /// which text appraised the evidence.
    pub fn id(&self) -> String {
        format!(
            "policy:{}@{}#sha256:{}",
            self.name, self.version, self.digest
        )
    }

    /// The description, if the policy has one.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The token lifetime the policy asks for, in seconds.
    pub fn ttl_seconds(&self) -> i64 {
        self.ttl
    }

    /// Whether the evidence must answer a challenge (`challenge: required`, the
    /// default): a caller without a nonce is refused under such a policy rather than
    /// given a token that says nothing about freshness.
    pub fn challenge_required(&self) -> bool {
        self.challenge_required
    }

    /// The reference values (`ref`).
    pub fn references(&self) -> &serde_json::Value {
        &self.references
    }

    /// The rules for one kind of evidence, if the policy has them.
    pub fn section(&self, section: Section) -> Option<&SectionRules> {
        self.sections.get(&section)
    }

    /// The sections the policy has.
    pub fn sections(&self) -> impl Iterator<Item = (Section, &SectionRules)> {
        self.sections.iter().map(|(s, r)| (*s, r))
    }

    /// Things that are allowed but probably not meant, for `verdict policy check`.
    pub fn lints(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (section, rules) in &self.sections {
            if rules.rules.is_empty() {
                out.push(format!(
                    "section {}: no rules, so its devices are appraised `none`",
                    section.name()
                ));
            }
            let claims: BTreeSet<TrustClaim> = rules.rules.iter().map(|r| r.claim).collect();
            if !claims.contains(&TrustClaim::Hardware) {
                out.push(format!(
                    "section {}: no rule decides `hardware`, so genuine hardware is never affirmed",
                    section.name()
                ));
            }
        }
        if self.tests.is_empty() {
            out.push("the policy has no tests".to_owned());
        }
        out
    }
}

/// The parser limits for a policy: the text is already at most [`MAX_POLICY_BYTES`];
/// these bound what aliases and nesting can make of it. Duplicate keys are errors (YAML
/// 1.2 §3.2.1.1 requires unique keys; a parser that kept one of them would let a policy
/// mean what its reader did not see).
fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_reader_input_bytes = Some(MAX_POLICY_BYTES);
    budget.max_depth = MAX_YAML_DEPTH;
    budget.flow_nesting_limit = MAX_YAML_DEPTH;
    budget.max_nodes = MAX_YAML_NODES;
    budget.max_events = 2 * MAX_YAML_NODES;
    budget.max_total_scalar_bytes = MAX_POLICY_BYTES;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    options.alias_limits.max_total_replayed_events = MAX_ALIAS_REPLAYED_EVENTS;
    options
}

/// A YAML error as a [`PolicyError`] of kind `Format` (or `Limit` for a breached parser
/// limit), with the position and a message in the policy's words rather than the
/// parser's option names.
fn yaml_error(e: serde_saphyr::Error) -> PolicyError {
    use serde_saphyr::budget::BudgetBreach;
    use serde_saphyr::{Error, MessageFormatter as _};
    let position = e.location().map(Position::of);
    let mut inner = &e;
    while let Error::AliasError { error, .. } | Error::WithSnippet { error, .. } = inner {
        inner = error;
    }
    let limit = |message: String| PolicyError {
        kind: PolicyErrorKind::Limit,
        position,
        message,
    };
    let aliases = || {
        limit(format!(
            "aliases expand to more than {MAX_ALIAS_REPLAYED_EVENTS} YAML events \
             (an alias bomb?); write the values out or use tests.base"
        ))
    };
    match inner {
        Error::DuplicateMappingKey { key, .. } => PolicyError {
            kind: PolicyErrorKind::Duplicate,
            position,
            message: match key {
                Some(key) => format!("duplicate key `{key}` in a mapping: YAML keys are unique"),
                None => "duplicate key in a mapping: YAML keys are unique".to_owned(),
            },
        },
        Error::AliasReplayLimitExceeded { .. }
        | Error::AliasExpansionLimitExceeded { .. }
        | Error::AliasReplayStackDepthExceeded { .. } => aliases(),
        Error::Budget { breach, .. } => match breach {
            BudgetBreach::Depth { .. } => {
                limit(format!("nested deeper than {MAX_YAML_DEPTH} levels"))
            }
            BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => limit(format!(
                "more than {MAX_YAML_NODES} YAML nodes, aliases expanded (an alias bomb?)"
            )),
            BudgetBreach::InputBytes { .. } | BudgetBreach::ScalarBytes { .. } => limit(format!(
                "the policy is longer than {MAX_POLICY_BYTES} bytes"
            )),
            other => limit(format!("YAML parser limit exceeded: {other:?}")),
        },
        other => {
            let text = serde_saphyr::UserMessageFormatter.format_message(other);
            if text.contains("recursion limit exceeded") {
                // The scanner's flow-nesting guard (`[[[[…`), met before the depth budget.
                limit(format!("nested deeper than {MAX_YAML_DEPTH} levels"))
            } else {
                PolicyError {
                    kind: PolicyErrorKind::Format,
                    position,
                    message: text.lines().next().unwrap_or_default().to_owned(),
                }
            }
        }
    }
}

fn compile_section(
    source: &str,
    env: &Environment,
    doc: &SectionDoc,
    ids: &mut BTreeSet<String>,
    references: BoundValue,
) -> Result<SectionRules, PolicyError> {
    if doc.rules.len() > MAX_RULES_PER_SECTION {
        return Err(PolicyError {
            kind: PolicyErrorKind::Limit,
            position: doc
                .rules
                .get(MAX_RULES_PER_SECTION)
                .map(|r| Position::of(r.id.referenced)),
            message: format!("more than {MAX_RULES_PER_SECTION} rules in one section"),
        });
    }
    let mut rules = Vec::with_capacity(doc.rules.len());
    for rule in &doc.rules {
        rules.push(compile_rule(source, env, rule, ids)?);
    }
    let mut exports = Vec::with_capacity(doc.export.len());
    for (name, expr) in &doc.export {
        exports.push((name.clone(), compile_expr(source, env, expr, Type::Dyn)?));
    }
    let expressions = rules
        .iter()
        .flat_map(|r| std::iter::once(&r.expr).chain(r.when.as_ref()))
        .chain(exports.iter().map(|(_, e)| e));
    let mut used = BTreeSet::new();
    let mut needs: BTreeMap<String, Need> = BTreeMap::new();
    for expr in expressions {
        used.extend(expr.references().iter().cloned());
        for (name, need) in expr.needs() {
            needs.entry(name.clone()).or_default().merge(need);
        }
    }
    let nothing_bound = crate::cel::Activation::new(env);
    let constant_exports = exports
        .iter()
        .map(|(_, expr)| {
            expr.references()
                .is_empty()
                .then(|| expr.evaluate(&nothing_bound).map_err(|e| e.to_string()))
        })
        .collect();
    Ok(SectionRules {
        env: env.clone(),
        rules,
        exports,
        used,
        needs,
        references,
        constant_exports,
    })
}

fn compile_rule(
    source: &str,
    env: &Environment,
    doc: &RuleDoc,
    ids: &mut BTreeSet<String>,
) -> Result<Rule, PolicyError> {
    let id = doc.id.value.trim().to_owned();
    if id.is_empty() {
        return Err(PolicyError::at(
            PolicyErrorKind::Format,
            Position::of(doc.id.referenced),
            "a rule id must not be empty",
        ));
    }
    if id.starts_with("verdict:") {
        return Err(PolicyError::at(
            PolicyErrorKind::Format,
            Position::of(doc.id.referenced),
            format!("rule id `{id}`: ids beginning `verdict:` are the engine's own"),
        ));
    }
    if !ids.insert(id.clone()) {
        return Err(PolicyError::at(
            PolicyErrorKind::Duplicate,
            Position::of(doc.id.referenced),
            format!("rule id `{id}` is used twice"),
        ));
    }
    let claim = TrustClaim::from_name(&doc.claim.value).ok_or_else(|| {
        PolicyError::at(
            PolicyErrorKind::Value,
            Position::of(doc.claim.referenced),
            format!(
                "rule {id}: `{}` is not a trustworthiness claim: expected one of {}",
                doc.claim.value,
                TrustClaim::ALL.map(TrustClaim::name).join(", ")
            ),
        )
    })?;
    let on_fail = claim_value(claim, &doc.on_fail, &id)?;
    // A failed rule must lower its device: an affirming value would affirm, and a `none`
    // value (-1, 0, 1) ranks below affirming when tiers are compared, so beside a passing
    // rule it would leave the device affirming.
    match tier_of(on_fail) {
        TrustTier::Warning | TrustTier::Contraindicated => {}
        TrustTier::Affirming => {
            return Err(PolicyError::at(
                PolicyErrorKind::Value,
                Position::of(doc.on_fail.referenced),
                format!(
                    "rule {id}: on_fail {on_fail} is an affirming value; a failed rule must not affirm"
                ),
            ));
        }
        TrustTier::None => {
            return Err(PolicyError::at(
                PolicyErrorKind::Value,
                Position::of(doc.on_fail.referenced),
                format!(
                    "rule {id}: on_fail {on_fail} is in the `none` tier, which ranks below \
                     affirming; a failed rule must give a warning (32..95) or contraindicated \
                     (96..127) value"
                ),
            ));
        }
    }
    let on_pass = match &doc.on_pass {
        None => claim.affirming_value(),
        Some(v) => {
            let value = claim_value(claim, v, &id)?;
            if !matches!(tier_of(value), TrustTier::Affirming | TrustTier::None) {
                return Err(PolicyError::at(
                    PolicyErrorKind::Value,
                    Position::of(v.referenced),
                    format!("rule {id}: on_pass {value} is not an affirming value"),
                ));
            }
            value
        }
    };
    let expr = compile_expr(source, env, &doc.expr, Type::Bool)?;
    let when = doc
        .when
        .as_ref()
        .map(|w| compile_expr(source, env, w, Type::Bool))
        .transpose()?;
    Ok(Rule {
        id,
        claim,
        expr,
        when,
        on_fail,
        on_pass,
        message: doc.message.clone(),
    })
}

fn claim_value(claim: TrustClaim, v: &Spanned<ValueText>, id: &str) -> Result<i8, PolicyError> {
    let parsed = match &v.value {
        ValueText::Int(i) => i8::try_from(*i).map_err(|_| format!("{i} is outside -128..127")),
        ValueText::Name(n) => claim.parse_value(n),
    };
    parsed.map_err(|m| {
        PolicyError::at(
            PolicyErrorKind::Value,
            Position::of(v.referenced),
            format!("rule {id}: {m}"),
        )
    })
}

/// Compiles an expression of the file, mapping its errors to file positions.
pub(crate) fn compile_expr(
    source: &str,
    env: &Environment,
    expr: &Spanned<String>,
    expected: Type,
) -> Result<Expression, PolicyError> {
    env.compile(&expr.value, expected)
        .map_err(|e: CompileError| {
            let position = document::position_in_file(source, expr.referenced, e.line, e.column);
            PolicyError::at(PolicyErrorKind::Expression(e.kind), position, e.message)
        })
}
