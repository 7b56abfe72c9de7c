//! CEL expressions over claims: compiled, type-checked against a schema, evaluated.
//!
//! A thin, safe wrapper around the `cel` crate (pinned, so its churn stays in
//! this module). cel-rust parses and evaluates but has no type checker and no
//! cost limits, so [`Environment::compile`] adds both: every identifier, field
//! and function must be known, operand types must agree, and the size of the
//! expression is capped. Evaluation fails closed: any error is an
//! [`EvalError`], which callers count as a failed rule.
//!
//! Functions: `size` (also as a method), the string methods `contains`,
//! `startsWith` and `endsWith`, the conversions `int`, `uint`, `double`,
//! `string`, `bytes`, `timestamp` and `duration`, the macros `has`, `all`,
//! `exists`, `exists_one`, `map` and `filter` (not nested), and the helpers
//! `hasBits`, `bit`, `leUint`, `hexEqual`, `hexDecode`, `hexEncode`,
//! `versionCompare`, `versionAtLeast` and `svnAtLeast` (see `functions.rs`).
//! `matches` is not available: cel's `regex` feature is off.
//!
//! ```
//! use policy::cel::{Activation, Environment, Limits, Object, Type};
//!
//! let snp = Object::new()
//!     .field("vmpl", Type::Int)
//!     .field("policy", Object::new().field("debug", Type::Bool).into());
//! let env = Environment::new(Object::new().field("snp", snp.into()), Limits::default());
//! let rule = env.compile("snp.vmpl == 0 && !snp.policy.debug", Type::Bool).unwrap();
//!
//! let mut activation = Activation::new(&env);
//! let claims = serde_json::json!({"vmpl": 0, "policy": {"debug": false}});
//! activation.bind("snp", &claims).unwrap();
//! assert!(rule.evaluate_bool(&activation).unwrap());
//!
//! let err = env.compile("snp.policy.debug == 0", Type::Bool).unwrap_err();
//! assert_eq!(err.to_string(), "1:18: `snp.policy.debug` is bool, compared with int");
//! ```

mod check;
mod error;
mod functions;
mod paths;
mod serialize;
mod types;
mod value;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use cel::common::traits::Indexer;
use cel::common::types::{CelBool, CelMap, CelString};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use cel::{Context, Env, ParseErrors, Program};

pub use error::{BindError, CompileError, CompileErrorKind, EvalError};
pub use paths::Need;
pub(crate) use serialize::string_at;
pub use types::{Object, Type};
pub(crate) use value::{describe, int_problem};

/// Caps that keep compiling and evaluating an expression cheap. cel-rust has
/// no cost model or runtime budget, so bounds on the expression (checked at
/// compile time) and on the input (checked at bind time) are what bound the
/// work of one evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest source, in bytes. 4096, as Google's Workload Identity
    /// Federation caps attribute conditions: rules are meant to be small and
    /// named in the policy file, not one large expression.
    pub max_source_len: usize,
    /// Most AST nodes, after macro expansion (a comprehension adds about
    /// six). 512: a readable rule has a few dozen; the cap only stops
    /// generated or pathological expressions (cel compiles a 20,000-term `||`
    /// without complaint).
    pub max_nodes: usize,
    /// Deepest nesting of AST nodes. 24: hand-written rules rarely pass 10
    /// (a macro adds 3), and the checker and cel's interpreter recurse once
    /// per level.
    pub max_depth: usize,
    /// Longest input list or map, and most fields an object may have beyond
    /// those its schema declares, checked when binding. 1024: room for the
    /// lists claims carry (measurements, advisory ids, event log entries)
    /// while bounding what one comprehension iterates over.
    pub max_list_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_source_len: 4096,
            max_nodes: 512,
            max_depth: 24,
            max_list_len: 1024,
        }
    }
}

/// The variables expressions may use, with their types, and the cel
/// environment (standard library and our helpers) they run in.
///
/// Cheap to clone: everything is shared.
#[derive(Clone)]
pub struct Environment {
    inner: Arc<EnvInner>,
}

struct EnvInner {
    variables: Object,
    limits: Limits,
    cel: Arc<Env>,
}

impl Environment {
    /// An environment whose top-level variables are the fields of `variables`.
    pub fn new(variables: Object, limits: Limits) -> Self {
        let mut cel = Env::stdlib();
        // Registration fails only if a name is registered twice, which the
        // fixed list in `functions` rules out. Were it ever to fail, the
        // helper would be missing and every call to it an evaluation error:
        // rules fail closed.
        let registered = functions::register(&mut cel);
        debug_assert!(registered.is_ok(), "{registered:?}");
        Self {
            inner: Arc::new(EnvInner {
                variables,
                limits,
                cel: Arc::new(cel),
            }),
        }
    }

    /// This environment with one more top-level variable, e.g. the loop
    /// variable `g` of a per-GPU rule.
    #[must_use]
    pub fn with_variable(&self, name: &str, ty: Type) -> Self {
        Self {
            inner: Arc::new(EnvInner {
                variables: self.inner.variables.clone().field(name, ty),
                limits: self.inner.limits.clone(),
                cel: Arc::clone(&self.inner.cel),
            }),
        }
    }

    /// The top-level variables and their types.
    pub fn variables(&self) -> &Object {
        &self.inner.variables
    }

    /// The limits expressions and bound values are held to.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Parses and type-checks `source`, whose result must be of type
    /// `expected` ([`Type::Dyn`] accepts any).
    ///
    /// # Errors
    ///
    /// A [`CompileError`] with the position of the first problem found.
    pub fn compile(&self, source: &str, expected: Type) -> Result<Expression, CompileError> {
        let limits = &self.inner.limits;
        if source.len() > limits.max_source_len {
            return Err(CompileError::at(
                CompileErrorKind::TooLong,
                source,
                limits.max_source_len,
                format!(
                    "expression is {} bytes long, more than the limit of {}",
                    source.len(),
                    limits.max_source_len
                ),
            ));
        }
        let program = self
            .inner
            .cel
            .compile(source)
            .map_err(|errors| parse_error(source, &errors))?;
        let checked = check::check(
            program.expression(),
            program.source_info(),
            source,
            &self.inner.variables,
            limits,
            &expected,
        )?;
        let mut needs: BTreeMap<String, Need> = BTreeMap::new();
        for read in paths::reads(program.expression()) {
            // Comprehension variables are not bound; only the declared ones are.
            if self.inner.variables.get(&read.root).is_some() {
                needs
                    .entry(read.root)
                    .or_default()
                    .add_at(&read.fields, &read.need);
            }
        }
        // A bare selection (`gpu.hwmodel`, most exports) is answered by looking it up.
        let lookup = paths::chain(program.expression())
            .filter(|(root, _)| self.inner.variables.get(root).is_some());
        Ok(Expression {
            lookup,
            program,
            cel: Arc::clone(&self.inner.cel),
            source: source.to_owned(),
            result_type: checked.result,
            references: checked.references,
            needs,
        })
    }

    /// Converts `value`, declared as `ty`, to a [`BoundValue`] that can be
    /// bound to any number of activations without converting it again.
    /// `path` names it in errors.
    ///
    /// # Errors
    ///
    /// See [`Activation::bind`].
    pub fn convert(
        &self,
        path: &str,
        ty: &Type,
        value: &serde_json::Value,
    ) -> Result<BoundValue, BindError> {
        value::from_json(path, ty, value, self.inner.limits.max_list_len)
            .map(|v| BoundValue(Arc::from(v)))
    }

    /// [`Environment::convert`] of any `Serialize` value (the verifier's typed claims),
    /// without its JSON form, keeping only what `need` asks for: the value its
    /// `serde_json` form would convert to, less the members `need` leaves out.
    ///
    /// # Errors
    ///
    /// See [`Activation::bind`].
    pub fn convert_serialize<T: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        ty: &Type,
        need: &Need,
        value: &T,
    ) -> Result<BoundValue, BindError> {
        serialize::from_serialize(path, ty, need, value, self.inner.limits.max_list_len)
            .map(|v| BoundValue(Arc::from(v)))
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Environment")
            .field("variables", &self.inner.variables)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

/// The first parse error, with its position. cel reports line and column
/// (the column counted in characters, as its lexer does); we also want the
/// byte offset.
fn parse_error(source: &str, errors: &ParseErrors) -> CompileError {
    let Some(first) = errors.errors.first() else {
        return CompileError::at(CompileErrorKind::Syntax, source, 0, "invalid expression");
    };
    let detail = first
        .source
        .as_ref()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let message = if first.msg == "UNKNOWN" && !detail.is_empty() {
        detail
    } else {
        first.msg.clone()
    };
    // cel's parser stops at a fixed nesting depth (96 levels of
    // sub-expressions) and reports it as a debug-printed error.
    let (kind, message) = match message.find("Recursion limit") {
        Some(at) => {
            let limit = message
                .get(at..)
                .and_then(|m| m.split('"').next())
                .unwrap_or("Recursion limit exceeded");
            (
                CompileErrorKind::TooDeep,
                format!("expression nests too deeply for the parser ({limit})"),
            )
        }
        None => (CompileErrorKind::Syntax, message),
    };
    let (line, column) = first.pos;
    let offset = offset_of(source, line, column);
    CompileError::at(kind, source, offset, message)
}

/// Byte offset of 1-based `line` and character `column`; 0 if out of range.
fn offset_of(source: &str, line: isize, column: isize) -> usize {
    let (Ok(line), Ok(column)) = (usize::try_from(line), usize::try_from(column)) else {
        return 0;
    };
    if line == 0 {
        return 0;
    }
    let mut start = 0;
    for (i, text) in source.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let within = text
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(text.len(), |(at, _)| at);
            return start + within;
        }
        start += text.len();
    }
    source.len()
}

/// A compiled, type-checked expression. Immutable, `Send + Sync`.
pub struct Expression {
    /// For an expression that is only a variable's fields selected (`gpu.hwmodel`):
    /// the variable and the fields, looked up without cel's interpreter when the bound
    /// value has them; cel evaluates it otherwise, and so reports what it reports.
    lookup: Option<(String, Vec<String>)>,
    program: Program,
    cel: Arc<Env>,
    source: String,
    result_type: Type,
    references: Vec<String>,
    needs: BTreeMap<String, Need>,
}

impl Expression {
    /// The source it was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The type the checker inferred for the result.
    pub fn result_type(&self) -> &Type {
        &self.result_type
    }

    /// The top-level variables it uses, sorted.
    pub fn references(&self) -> &[String] {
        &self.references
    }

    /// What it reads of each top-level variable it uses (see [`Need`]).
    pub fn needs(&self) -> &BTreeMap<String, Need> {
        &self.needs
    }

    /// Evaluates against `activation` and converts the result to JSON
    /// (timestamps as RFC 3339 strings, durations as `"300s"`, bytes as hex).
    ///
    /// # Errors
    ///
    /// Any evaluation error, e.g. a missing field not guarded by `has()`.
    pub fn evaluate(&self, activation: &Activation) -> Result<serde_json::Value, EvalError> {
        self.run(activation, value::to_json)
    }

    /// Evaluates a rule: the result must be a bool.
    ///
    /// # Errors
    ///
    /// Any evaluation error, or a result that is not a bool.
    pub fn evaluate_bool(&self, activation: &Activation) -> Result<bool, EvalError> {
        self.run(activation, |v| {
            v.downcast_ref::<CelBool>()
                .map(|b| *b.inner())
                .ok_or_else(|| wrong_result("bool", v))
        })
    }

    /// Evaluates an expression that must produce a string (a message, say).
    ///
    /// # Errors
    ///
    /// Any evaluation error, or a result that is not a string.
    pub fn evaluate_string(&self, activation: &Activation) -> Result<String, EvalError> {
        self.run(activation, |v| {
            v.downcast_ref::<CelString<'_>>()
                .map(|s| s.inner().to_owned())
                .ok_or_else(|| wrong_result("string", v))
        })
    }

    fn run<T>(
        &self,
        activation: &Activation,
        finish: impl FnOnce(&dyn Val) -> Result<T, EvalError>,
    ) -> Result<T, EvalError> {
        if let Some(found) = self.look_up(activation) {
            return finish(found);
        }
        // A context per evaluation is cheap (an `Arc` clone and empty maps);
        // the variables are borrowed from the activation through the
        // resolver, not copied into it.
        let resolver = Resolver(activation);
        let mut context = Context::with_env(Arc::clone(&self.cel));
        context.set_variable_resolver(&resolver);
        let result = cel::Value::resolve_val(self.program.expression(), &context)?;
        finish(result.as_ref())
    }
}

impl Expression {
    /// The value of a bare selection, found in the bound maps: what cel's selection
    /// gives when every field is there. `None` sends the expression to cel.
    fn look_up<'a>(&self, activation: &'a Activation) -> Option<&'a dyn Val> {
        let (root, fields) = self.lookup.as_ref()?;
        let mut at: &dyn Val = activation.values.get(root)?.0.as_ref();
        for field in fields {
            at = map_field(at, field)?;
        }
        Some(at)
    }
}

fn wrong_result(expected: &str, v: &dyn Val) -> EvalError {
    EvalError::new(format!(
        "expected a {expected} result, got {}",
        v.get_type().name()
    ))
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Expression")
            .field("source", &self.source)
            .field("result_type", &self.result_type)
            .field("references", &self.references)
            .finish_non_exhaustive()
    }
}

/// A claims value converted to cel once; cloning shares it.
#[derive(Clone)]
pub struct BoundValue(Arc<dyn Val>);

impl BoundValue {
    /// `now` as cel's timestamp, at whole seconds in UTC: what the RFC 3339 text of
    /// the same instant converts to, without writing and parsing that text. `None` past
    /// 9999-12-31T23:59:59Z, which RFC 3339 cannot write (a forged clock): a time no
    /// timestamp claim could be compared with.
    pub fn timestamp(now: verifier::time::UnixTime) -> Option<Self> {
        const LAST_RFC3339_SECOND: u64 = 253_402_300_799;
        let secs = verifier::time::secs(now);
        if secs > LAST_RFC3339_SECOND {
            return None;
        }
        let at = chrono::DateTime::from_timestamp(i64::try_from(secs).ok()?, 0)?.fixed_offset();
        Some(Self(Arc::new(cel::common::types::CelTimestamp::from(at))))
    }
}

impl fmt::Debug for BoundValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// The values of the top-level variables for one evaluation.
///
/// Values are shared, so [`Activation::child`] (one more variable over an
/// existing activation) costs a few pointer copies, not a conversion.
#[derive(Clone, Debug)]
pub struct Activation {
    env: Environment,
    values: BTreeMap<String, BoundValue>,
}

impl Activation {
    /// An activation with nothing bound, for `env`'s variables.
    pub fn new(env: &Environment) -> Self {
        Self {
            env: env.clone(),
            values: BTreeMap::new(),
        }
    }

    /// Binds `name` to `value`, converted as the environment declares `name`:
    /// strings declared as timestamps are parsed as RFC 3339, durations as
    /// `"300s"`, bytes as hex; JSON null is CEL null; fields an object schema
    /// does not declare are bound as `dyn`.
    ///
    /// # Errors
    ///
    /// If `name` is not a declared variable, or `value` does not have the
    /// declared type, or a list, map or object in it is longer than
    /// [`Limits::max_list_len`].
    pub fn bind(&mut self, name: &str, value: &serde_json::Value) -> Result<(), BindError> {
        let Some(ty) = self.env.variables().get(name) else {
            return Err(BindError::new(name, "not a declared variable"));
        };
        let converted = self.env.convert(name, ty, value)?;
        self.values.insert(name.to_owned(), converted);
        Ok(())
    }

    /// [`Activation::bind`] of a `Serialize` value, converted with
    /// [`Environment::convert_serialize`]: only what `need` asks for.
    ///
    /// # Errors
    ///
    /// See [`Activation::bind`].
    pub fn bind_serialize<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &str,
        need: &Need,
        value: &T,
    ) -> Result<(), BindError> {
        let Some(ty) = self.env.variables().get(name) else {
            return Err(BindError::new(name, "not a declared variable"));
        };
        let converted = self.env.convert_serialize(name, ty, need, value)?;
        self.values.insert(name.to_owned(), converted);
        Ok(())
    }

    /// Binds `name` to a value already converted with
    /// [`Environment::convert`]; no copy is made.
    pub fn bind_converted(&mut self, name: &str, value: BoundValue) {
        self.values.insert(name.to_owned(), value);
    }

    /// Binds `name` to a cel value as it is (no schema, no limits).
    ///
    /// # Errors
    ///
    /// If the value has no cel runtime form (a `cel::Value::Function`).
    pub fn bind_value(&mut self, name: &str, value: cel::Value) -> Result<(), BindError> {
        let converted =
            Box::<dyn Val>::try_from(value).map_err(|e| BindError::new(name, e.to_string()))?;
        self.values
            .insert(name.to_owned(), BoundValue(Arc::from(converted)));
        Ok(())
    }

    /// A copy of this activation to bind more variables in; the values
    /// already bound are shared, not converted again. For a per-element rule,
    /// convert each element once with [`Environment::convert`] and
    /// [`bind_converted`](Self::bind_converted) it in a child.
    #[must_use]
    pub fn child(&self) -> Self {
        self.clone()
    }

    /// The value bound to `name`, to bind it elsewhere.
    pub fn get(&self, name: &str) -> Option<&BoundValue> {
        self.values.get(name)
    }
}

/// Hands cel the activation's values by reference.
struct Resolver<'a>(&'a Activation);

impl VariableResolver for Resolver<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        // cel asks for `a.b.c`, then `a.b`, before `a` (and then selects the fields left
        // one by one). No variable has a dot, so `a.b.c` is answered with what those
        // selections would give, found in one go: the fields of the converted maps. A
        // field that is missing, or a value that is not a map, answers nothing, and cel
        // goes on to `a.b` and `a`, reporting the error it reports. Comprehension
        // variables live in inner scopes, which cel searches (every prefix) before this
        // one, so one shadowing a variable still wins.
        let mut segments = variable.split('.');
        let root = self.0.values.get(segments.next()?)?;
        let mut at: &dyn Val = root.0.as_ref();
        for field in segments {
            at = map_field(at, field)?;
        }
        Some(CowVal::Borrowed(at))
    }
}

/// Member `field` of `value` when it is a map (as converted claims objects are), found
/// with a key that borrows `field`.
pub(crate) fn map_field<'a>(value: &'a dyn Val, field: &str) -> Option<&'a dyn Val> {
    let map = value.downcast_ref::<CelMap<'_>>()?;
    match Indexer::get(map, &CelString::from(field)) {
        Ok(CowVal::Borrowed(v)) => Some(v),
        _ => None,
    }
}
