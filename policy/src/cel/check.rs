//! The type checker cel-rust lacks: walks the parsed AST, infers a [`Type`]
//! for every node against the claims schema, and enforces the size limits.
//!
//! Its purpose is to turn mistakes that cel would evaluate silently (a typo
//! in a claim name is a runtime "no such key", `snp.policy.debug == 0` is
//! simply false) into load-time errors with a position.

use std::collections::BTreeSet;

use cel::common::ast::{
    operators, CallExpr, ComprehensionExpr, EntryExpr, Expr, IdedExpr, LiteralValue, SelectExpr,
    SourceInfo,
};

use super::error::{CompileError, CompileErrorKind as Kind};
use super::functions::check_helper;
use super::types::{Object, Type};
use super::Limits;

/// What the checker found out about a well-typed expression.
pub(crate) struct Checked {
    pub(crate) result: Type,
    pub(crate) references: Vec<String>,
}

/// Checks the parsed `expr` of `source` against `variables` and `limits`,
/// and its result against `expected`.
pub(crate) fn check(
    expr: &IdedExpr,
    info: &SourceInfo,
    source: &str,
    variables: &Object,
    limits: &Limits,
    expected: &Type,
) -> Result<Checked, CompileError> {
    let checker = Checker {
        source,
        info,
        variables,
        scopes: Vec::new(),
        in_comprehension: false,
        references: BTreeSet::new(),
    };
    let mut size = Size { nodes: 0 };
    checker.measure(expr, 1, limits, &mut size)?;
    let mut checker = checker;
    let result = checker.check(expr)?;
    if !fits_expected(expected, &result) {
        return Err(checker.error_at(
            Kind::TypeMismatch,
            checker.start_of(expr),
            format!("expression is {result}, expected {expected}"),
        ));
    }
    Ok(Checked {
        result,
        references: checker.references.into_iter().collect(),
    })
}

struct Size {
    nodes: usize,
}

/// Operator names, which are not functions: one reaching [`Checker::function`]
/// has an arity or a form we do not type.
const OPERATORS: [&str; 21] = [
    operators::CONDITIONAL,
    operators::LOGICAL_AND,
    operators::LOGICAL_OR,
    operators::LOGICAL_NOT,
    operators::SUBSTRACT,
    operators::ADD,
    operators::MULTIPLY,
    operators::DIVIDE,
    operators::MODULO,
    operators::EQUALS,
    operators::NOT_EQUALS,
    operators::GREATER_EQUALS,
    operators::LESS_EQUALS,
    operators::GREATER,
    operators::LESS,
    operators::NEGATE,
    operators::INDEX,
    operators::OPT_INDEX,
    operators::OPT_SELECT,
    operators::NOT_STRICTLY_FALSE,
    operators::IN,
];

/// The allow-listed functions that are not helpers, for suggestions.
const BUILTINS: [&str; 11] = [
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "timestamp",
    "duration",
];

const HELPER_NAMES: [&str; 9] = [
    "hasBits",
    "bit",
    "leUint",
    "hexEqual",
    "hexDecode",
    "hexEncode",
    "versionCompare",
    "versionAtLeast",
    "svnAtLeast",
];

/// Which standard macro a comprehension was expanded from, with the parts
/// of its expansion the user wrote.
enum Macro<'e> {
    /// `all` / `exists` / `exists_one`: a predicate, bool result.
    Predicate(&'static str, &'e IdedExpr),
    /// `map(x, f)`, `map(x, p, f)` or `filter(x, p)`: an optional predicate
    /// and the element appended; list result.
    Build(Option<&'e IdedExpr>, &'e IdedExpr),
}

struct Checker<'a> {
    source: &'a str,
    info: &'a SourceInfo,
    variables: &'a Object,
    /// Comprehension variables in scope, innermost last.
    scopes: Vec<(&'a str, Type)>,
    in_comprehension: bool,
    references: BTreeSet<String>,
}

impl<'a> Checker<'a> {
    // ----- positions -------------------------------------------------------

    /// Byte offset of the token a node was created for (an operator, the `(`
    /// of a call, the `.` of a select, an identifier, a literal).
    fn offset(&self, id: u64) -> usize {
        self.info
            .offset_for(id)
            .and_then(|(start, _)| usize::try_from(start).ok())
            .unwrap_or(0)
    }

    /// Where the text of a subtree starts: its smallest offset.
    fn start_of(&self, e: &IdedExpr) -> usize {
        let mut start = self.offset(e.id);
        for_each_child(e, &mut |child| start = start.min(self.start_of(child)));
        start
    }

    /// Where the text of a subtree ends, roughly: its largest offset.
    fn end_of(&self, e: &IdedExpr) -> usize {
        let mut end = self.offset(e.id);
        for_each_child(e, &mut |child| end = end.max(self.end_of(child)));
        end
    }

    /// The name of a call, given the offset of its `(`: back over blanks,
    /// then over the identifier.
    fn name_before(&self, open: usize) -> usize {
        let before = self.source.get(..open).unwrap_or_default();
        let trimmed = before.trim_end();
        let name_len = trimmed
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .count();
        trimmed.len().saturating_sub(name_len)
    }

    /// The field name of a select: the parser positions the node at its `.`
    /// (or at `has(` for a presence test), so find the name after that.
    fn field_offset(&self, e: &IdedExpr, select: &SelectExpr) -> usize {
        let from = if select.test {
            self.end_of(&select.operand)
        } else {
            self.offset(e.id)
        };
        let rest = self.source.get(from..).unwrap_or_default();
        let after_dot = rest.find('.').map_or(0, |dot| dot + 1);
        let found = rest
            .get(after_dot..)
            .and_then(|tail| tail.find(select.field.as_str()))
            .map(|i| after_dot + i);
        from + found.unwrap_or(0)
    }

    fn error_at(&self, kind: Kind, offset: usize, message: impl Into<String>) -> CompileError {
        CompileError::at(kind, self.source, offset, message)
    }

    fn error(&self, kind: Kind, id: u64, message: impl Into<String>) -> CompileError {
        self.error_at(kind, self.offset(id), message)
    }

    // ----- limits ------------------------------------------------------------

    /// Counts nodes and measures depth before any typing, so that oversized
    /// expressions are rejected cheaply and the checker's recursion is bounded.
    fn measure(
        &self,
        e: &IdedExpr,
        depth: usize,
        limits: &Limits,
        size: &mut Size,
    ) -> Result<(), CompileError> {
        size.nodes += 1;
        if size.nodes > limits.max_nodes {
            return Err(self.error(
                Kind::TooComplex,
                e.id,
                format!(
                    "expression has more than {} nodes; split it into several rules",
                    limits.max_nodes
                ),
            ));
        }
        if depth > limits.max_depth {
            return Err(self.error(
                Kind::TooDeep,
                e.id,
                format!("expression nests deeper than {} levels", limits.max_depth),
            ));
        }
        let mut result = Ok(());
        for_each_child(e, &mut |child| {
            if result.is_ok() {
                result = self.measure(child, depth + 1, limits, size);
            }
        });
        result
    }

    // ----- typing ------------------------------------------------------------

    fn check(&mut self, e: &'a IdedExpr) -> Result<Type, CompileError> {
        match &e.expr {
            Expr::Literal(literal) => Ok(literal_type(literal)),
            Expr::Ident(name) => self.ident(e, name),
            Expr::Select(select) => self.select(e, select),
            Expr::Call(call) => self.call(e, call),
            Expr::List(list) => {
                if !list.optional_indices.is_empty() {
                    return Err(self.unsupported_optional(e.id));
                }
                let mut item: Option<Type> = None;
                for element in &list.elements {
                    let t = self.check(element)?;
                    item = Some(match item {
                        None => t,
                        Some(previous) => unify(&previous, &t).unwrap_or(Type::Dyn),
                    });
                }
                Ok(Type::list(item.unwrap_or(Type::Dyn)))
            }
            Expr::Map(map) => {
                let mut value: Option<Type> = None;
                for entry in &map.entries {
                    let EntryExpr::MapEntry(entry) = &entry.expr else {
                        return Err(self.error(Kind::Unsupported, e.id, "unsupported map entry"));
                    };
                    if entry.optional {
                        return Err(self.unsupported_optional(entry.key.id));
                    }
                    let key = self.check(&entry.key)?;
                    if !matches!(key, Type::String | Type::Dyn) {
                        return Err(self.error_at(
                            Kind::TypeMismatch,
                            self.start_of(&entry.key),
                            format!("map keys must be strings, got {key}"),
                        ));
                    }
                    let t = self.check(&entry.value)?;
                    value = Some(match value {
                        None => t,
                        Some(previous) => unify(&previous, &t).unwrap_or(Type::Dyn),
                    });
                }
                Ok(Type::map(value.unwrap_or(Type::Dyn)))
            }
            Expr::Struct(_) => {
                Err(self.error(Kind::Unsupported, e.id, "struct literals are not supported"))
            }
            Expr::Comprehension(comprehension) => self.comprehension(e, comprehension),
            Expr::Unspecified => Err(self.error(Kind::Unsupported, e.id, "unsupported expression")),
        }
    }

    fn unsupported_optional(&self, id: u64) -> CompileError {
        self.error(
            Kind::Unsupported,
            id,
            "optional values are not supported; use has() to test for a field",
        )
    }

    fn ident(&mut self, e: &IdedExpr, name: &str) -> Result<Type, CompileError> {
        if let Some((_, t)) = self.scopes.iter().rev().find(|(n, _)| *n == name) {
            return Ok(t.clone());
        }
        if let Some(t) = self.variables.get(name) {
            self.references.insert(name.to_owned());
            return Ok(t.clone());
        }
        let known = self
            .scopes
            .iter()
            .map(|(n, _)| *n)
            .chain(self.variables.fields().map(|(n, _)| n));
        let mut message = format!("unknown claim `{name}`");
        if let Some(best) = suggest(name, known) {
            message.push_str(&format!("; did you mean `{best}`?"));
        }
        Err(self.error(Kind::UnknownVariable, e.id, message))
    }

    fn select(&mut self, e: &'a IdedExpr, select: &'a SelectExpr) -> Result<Type, CompileError> {
        let operand = self.check(&select.operand)?;
        let field = select.field.as_str();
        let t = match &operand {
            Type::Object(object) => match object.get(field) {
                Some(t) => t.clone(),
                None => {
                    let offset = self.field_offset(e, select);
                    let best = suggest(field, object.fields().map(|(n, _)| n));
                    let message = match describe(&select.operand) {
                        Some(path) => {
                            let mut m = format!("unknown claim `{path}.{field}`");
                            if let Some(best) = best {
                                m.push_str(&format!("; did you mean `{path}.{best}`?"));
                            }
                            m
                        }
                        None => {
                            let mut m = format!("unknown field `{field}` in {operand}");
                            if let Some(best) = best {
                                m.push_str(&format!("; did you mean `{best}`?"));
                            }
                            m
                        }
                    };
                    return Err(self.error_at(Kind::UnknownField, offset, message));
                }
            },
            Type::Map(value) => (**value).clone(),
            Type::Dyn => Type::Dyn,
            other => {
                let offset = self.field_offset(e, select);
                return Err(self.error_at(
                    Kind::TypeMismatch,
                    offset,
                    format!(
                        "{} has no fields, so no `.{field}`",
                        subject(&select.operand, other)
                    ),
                ));
            }
        };
        Ok(if select.test { Type::Bool } else { t })
    }

    fn call(&mut self, e: &'a IdedExpr, call: &'a CallExpr) -> Result<Type, CompileError> {
        let name = call.func_name.as_str();
        let args = &call.args;
        match (name, args.as_slice()) {
            (operators::LOGICAL_AND | operators::LOGICAL_OR, [l, r]) => {
                let op = if name == operators::LOGICAL_AND {
                    "&&"
                } else {
                    "||"
                };
                self.expect_bool(l, &format!("operand of `{op}`"))?;
                self.expect_bool(r, &format!("operand of `{op}`"))?;
                Ok(Type::Bool)
            }
            (operators::LOGICAL_NOT, [x]) => {
                self.expect_bool(x, "operand of `!`")?;
                Ok(Type::Bool)
            }
            (operators::NEGATE, [x]) => {
                let t = self.check(x)?;
                match t {
                    Type::Int | Type::Double | Type::Duration | Type::Dyn => Ok(t),
                    other => Err(self.error(
                        Kind::TypeMismatch,
                        e.id,
                        format!("cannot negate {}", subject(x, &other)),
                    )),
                }
            }
            (operators::CONDITIONAL, [c, a, b]) => {
                self.expect_bool(c, "condition of `?:`")?;
                let ta = self.check(a)?;
                let tb = self.check(b)?;
                unify(&ta, &tb).ok_or_else(|| {
                    self.error(
                        Kind::TypeMismatch,
                        e.id,
                        format!("branches of `?:` have different types, {ta} and {tb}"),
                    )
                })
            }
            (operators::EQUALS | operators::NOT_EQUALS, [l, r]) => {
                let tl = self.check(l)?;
                let tr = self.check(r)?;
                if comparable(&tl, &tr) {
                    Ok(Type::Bool)
                } else {
                    Err(self.error(Kind::TypeMismatch, e.id, compared(l, &tl, r, &tr)))
                }
            }
            (
                operators::LESS
                | operators::LESS_EQUALS
                | operators::GREATER
                | operators::GREATER_EQUALS,
                [l, r],
            ) => {
                let tl = self.check(l)?;
                let tr = self.check(r)?;
                if ordered(&tl, &tr) {
                    Ok(Type::Bool)
                } else {
                    Err(self.error(Kind::TypeMismatch, e.id, compared(l, &tl, r, &tr)))
                }
            }
            (
                operators::ADD
                | operators::SUBSTRACT
                | operators::MULTIPLY
                | operators::DIVIDE
                | operators::MODULO,
                [l, r],
            ) => {
                let tl = self.check(l)?;
                let tr = self.check(r)?;
                arithmetic(name, &tl, &tr).ok_or_else(|| {
                    let op = name.trim_matches('_');
                    self.error(
                        Kind::TypeMismatch,
                        e.id,
                        format!(
                            "cannot apply `{op}` to {} and {}",
                            subject(l, &tl),
                            subject(r, &tr)
                        ),
                    )
                })
            }
            (operators::IN, [x, container]) => {
                let tx = self.check(x)?;
                let tc = self.check(container)?;
                let ok = match &tc {
                    Type::List(item) => comparable(&tx, item),
                    Type::Map(_) | Type::Object(_) => matches!(tx, Type::String | Type::Dyn),
                    Type::Dyn => true,
                    _ => false,
                };
                if ok {
                    Ok(Type::Bool)
                } else {
                    Err(self.error(
                        Kind::TypeMismatch,
                        e.id,
                        format!(
                            "`in` tests {} against {}",
                            subject(x, &tx),
                            subject(container, &tc)
                        ),
                    ))
                }
            }
            (operators::INDEX, [operand, index]) => self.index(e, operand, index),
            (operators::OPT_INDEX | operators::OPT_SELECT, _) => {
                Err(self.unsupported_optional(e.id))
            }
            _ if OPERATORS.contains(&name) => Err(self.error(
                Kind::Unsupported,
                e.id,
                format!("unsupported operator `{name}`"),
            )),
            _ => self.function(e, call),
        }
    }

    fn expect_bool(&mut self, e: &'a IdedExpr, what: &str) -> Result<(), CompileError> {
        match self.check(e)? {
            Type::Bool | Type::Dyn => Ok(()),
            other => Err(self.error_at(
                Kind::TypeMismatch,
                self.start_of(e),
                format!("{what} must be bool, but {}", is_type(e, &other)),
            )),
        }
    }

    fn index(
        &mut self,
        e: &'a IdedExpr,
        operand: &'a IdedExpr,
        index: &'a IdedExpr,
    ) -> Result<Type, CompileError> {
        let to = self.check(operand)?;
        let ti = self.check(index)?;
        let mismatch = |this: &Self, what: &str| {
            Err(this.error(
                Kind::TypeMismatch,
                e.id,
                format!(
                    "{} is indexed with {}{what}",
                    subject(operand, &to),
                    subject(index, &ti)
                ),
            ))
        };
        match &to {
            Type::List(item) => match ti {
                Type::Int | Type::Uint | Type::Dyn => Ok((**item).clone()),
                _ => mismatch(self, "; lists take int indices"),
            },
            Type::Map(value) => match ti {
                Type::String | Type::Dyn => Ok((**value).clone()),
                _ => mismatch(self, "; maps take string keys"),
            },
            Type::Object(object) => match (&index.expr, &ti) {
                (Expr::Literal(LiteralValue::String(key)), _) => match object.get(key.inner()) {
                    Some(t) => Ok(t.clone()),
                    None => {
                        let key = key.inner();
                        let message = match describe(operand) {
                            Some(path) => format!("unknown claim `{path}[{key:?}]`"),
                            None => format!("unknown field {key:?} in {to}"),
                        };
                        Err(self.error_at(Kind::UnknownField, self.start_of(index), message))
                    }
                },
                (_, Type::String | Type::Dyn) => Ok(Type::Dyn),
                _ => mismatch(self, "; objects take string keys"),
            },
            Type::Dyn => Ok(Type::Dyn),
            _ => mismatch(self, ", but only lists and maps can be indexed"),
        }
    }

    /// Calls of named functions: the allow-list, each with its overloads.
    fn function(&mut self, e: &'a IdedExpr, call: &'a CallExpr) -> Result<Type, CompileError> {
        let name = call.func_name.as_str();
        let name_at = self.name_before(self.offset(e.id));
        let method_only = matches!(name, "contains" | "startsWith" | "endsWith");
        let known = BUILTINS.contains(&name) || HELPER_NAMES.contains(&name);
        if !known {
            let message = if name == "matches" {
                // cel's `matches` needs its `regex` feature, which we leave off:
                // regular expressions are a cost we have no budget for.
                "unknown function `matches`: regular expressions are not supported".to_owned()
            } else {
                let mut m = format!("unknown function `{name}`");
                let all = BUILTINS.iter().chain(HELPER_NAMES.iter()).copied();
                if let Some(best) = suggest(name, all) {
                    m.push_str(&format!("; did you mean `{best}`?"));
                }
                m
            };
            return Err(self.error_at(Kind::UnknownFunction, name_at, message));
        }
        if method_only && call.target.is_none() {
            return Err(self.error_at(
                Kind::UnknownFunction,
                name_at,
                format!("`{name}` is a method: write `s.{name}(x)`"),
            ));
        }
        if !method_only && name != "size" && call.target.is_some() {
            return Err(self.error_at(
                Kind::UnknownFunction,
                name_at,
                format!("`{name}` is not a method: write `{name}(x, ...)`"),
            ));
        }

        // The receiver of a method call is its first argument.
        let mut exprs: Vec<&'a IdedExpr> = Vec::with_capacity(call.args.len() + 1);
        if let Some(target) = &call.target {
            exprs.push(target);
        }
        exprs.extend(call.args.iter());
        let mut types = Vec::with_capacity(exprs.len());
        for arg in &exprs {
            types.push(self.check(arg)?);
        }

        if let Some(result) = check_helper(name, &types) {
            return result.map_err(|(arg, message)| {
                let at = arg
                    .and_then(|i| exprs.get(i))
                    .map_or(name_at, |e| self.start_of(e));
                self.error_at(Kind::TypeMismatch, at, message)
            });
        }

        let (accepts, result): (&[&str], Type) = match name {
            "size" => (&["string", "bytes", "list", "map"], Type::Int),
            "contains" | "startsWith" | "endsWith" => (&["string"], Type::Bool),
            "int" => (&["int", "uint", "double", "string", "timestamp"], Type::Int),
            "uint" => (&["int", "uint", "double", "string"], Type::Uint),
            "double" => (&["int", "uint", "double", "string"], Type::Double),
            "string" => (
                &[
                    "bool",
                    "int",
                    "uint",
                    "double",
                    "string",
                    "bytes",
                    "timestamp",
                    "duration",
                ],
                Type::String,
            ),
            "bytes" => (&["string", "bytes"], Type::Bytes),
            "timestamp" => (&["string"], Type::Timestamp),
            _ => (&["string"], Type::Duration),
        };
        let arity = if method_only { 2 } else { 1 };
        if types.len() != arity {
            let given = types
                .len()
                .saturating_sub(usize::from(call.target.is_some()));
            let wanted = arity - usize::from(call.target.is_some());
            return Err(self.error_at(
                Kind::TypeMismatch,
                name_at,
                format!("`{name}` takes {wanted} argument(s), got {given}"),
            ));
        }
        for (i, (arg, t)) in exprs.iter().zip(&types).enumerate() {
            if *t != Type::Dyn && !accepts.contains(&type_family(t)) {
                let position = if call.target.is_some() && i == 0 {
                    "receiver"
                } else {
                    "argument"
                };
                return Err(self.error_at(
                    Kind::TypeMismatch,
                    self.start_of(arg),
                    format!(
                        "{position} of `{name}` is {}, expected {}",
                        subject(arg, t),
                        accepts.join(", ")
                    ),
                ));
            }
        }
        Ok(result)
    }

    fn comprehension(
        &mut self,
        e: &'a IdedExpr,
        comprehension: &'a ComprehensionExpr,
    ) -> Result<Type, CompileError> {
        let at = self.name_before(self.offset(e.id));
        if self.in_comprehension {
            return Err(self.error_at(
                Kind::NestedComprehension,
                at,
                "nested comprehensions are not allowed: cost grows with the product of list lengths",
            ));
        }
        let Some(shape) = recognize(comprehension).filter(|_| comprehension.iter_var2.is_none())
        else {
            return Err(self.error_at(Kind::Unsupported, at, "unsupported comprehension"));
        };
        self.in_comprehension = true;
        let range = self.check(&comprehension.iter_range)?;
        let var = match &range {
            Type::List(item) => (**item).clone(),
            Type::Map(_) | Type::Object(_) => Type::String,
            Type::Dyn => Type::Dyn,
            other => {
                return Err(self.error_at(
                    Kind::TypeMismatch,
                    self.start_of(&comprehension.iter_range),
                    format!(
                        "{} cannot be iterated; expected a list or map",
                        subject(&comprehension.iter_range, other)
                    ),
                ));
            }
        };
        self.scopes.push((comprehension.iter_var.as_str(), var));
        let result = match shape {
            Macro::Predicate(name, body) => {
                self.expect_bool(body, &format!("predicate of `{name}`"))?;
                Type::Bool
            }
            Macro::Build(predicate, element) => {
                if let Some(predicate) = predicate {
                    self.expect_bool(predicate, "predicate")?;
                }
                Type::list(self.check(element)?)
            }
        };
        self.scopes.pop();
        self.in_comprehension = false;
        Ok(result)
    }
}

/// Calls `f` on each direct child of `e`.
pub(super) fn for_each_child<'e>(e: &'e IdedExpr, f: &mut dyn FnMut(&'e IdedExpr)) {
    match &e.expr {
        Expr::Call(call) => {
            if let Some(target) = &call.target {
                f(target);
            }
            call.args.iter().for_each(f);
        }
        Expr::Comprehension(c) => {
            for child in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                f(child);
            }
        }
        Expr::List(list) => list.elements.iter().for_each(f),
        Expr::Map(map) => {
            for entry in &map.entries {
                if let EntryExpr::MapEntry(entry) = &entry.expr {
                    f(&entry.key);
                    f(&entry.value);
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                match &entry.expr {
                    EntryExpr::StructField(field) => f(&field.value),
                    EntryExpr::MapEntry(entry) => {
                        f(&entry.key);
                        f(&entry.value);
                    }
                }
            }
        }
        Expr::Select(select) => f(&select.operand),
        Expr::Literal(_) | Expr::Ident(_) | Expr::Unspecified => {}
    }
}

/// Matches a comprehension against the expansions of cel's standard macros
/// (see cel's `parser/macros.rs`); anything else is not ours to type.
fn recognize(c: &ComprehensionExpr) -> Option<Macro<'_>> {
    let accu = c.accu_var.as_str();
    let is_accu = |e: &IdedExpr| matches!(&e.expr, Expr::Ident(n) if n == accu);
    fn call(e: &IdedExpr) -> Option<&CallExpr> {
        match &e.expr {
            Expr::Call(call) if call.target.is_none() => Some(call),
            _ => None,
        }
    }
    // `accu + [element]`
    let append = |e: &IdedExpr| -> bool {
        call(e).is_some_and(|step| {
            step.func_name == operators::ADD
                && matches!(step.args.as_slice(), [a, list] if is_accu(a)
                    && matches!(&list.expr, Expr::List(l) if l.elements.len() == 1))
        })
    };
    fn appended(e: &IdedExpr) -> Option<&IdedExpr> {
        match call(e)?.args.get(1).map(|l| &l.expr) {
            Some(Expr::List(l)) => l.elements.first(),
            _ => None,
        }
    }
    let step = call(&c.loop_step)?;
    match (
        &c.accu_init.expr,
        step.func_name.as_str(),
        step.args.as_slice(),
    ) {
        (Expr::Literal(LiteralValue::Boolean(b)), operators::LOGICAL_AND, [a, body])
            if *b.inner() && is_accu(a) =>
        {
            Some(Macro::Predicate("all", body))
        }
        (Expr::Literal(LiteralValue::Boolean(b)), operators::LOGICAL_OR, [a, body])
            if !*b.inner() && is_accu(a) =>
        {
            Some(Macro::Predicate("exists", body))
        }
        (Expr::Literal(LiteralValue::Int(i)), operators::CONDITIONAL, [body, plus, a])
            if *i.inner() == 0 && is_accu(a) =>
        {
            let plus = call(plus)?;
            let counts = plus.func_name == operators::ADD
                && matches!(plus.args.as_slice(), [x, one] if is_accu(x)
                    && matches!(&one.expr, Expr::Literal(LiteralValue::Int(n)) if *n.inner() == 1));
            counts.then_some(Macro::Predicate("exists_one", body))
        }
        (Expr::List(init), operators::ADD, _) if init.elements.is_empty() => {
            append(&c.loop_step).then_some(())?;
            Some(Macro::Build(None, appended(&c.loop_step)?))
        }
        (Expr::List(init), operators::CONDITIONAL, [predicate, add, a])
            if init.elements.is_empty() && is_accu(a) && append(add) =>
        {
            Some(Macro::Build(Some(predicate), appended(add)?))
        }
        _ => None,
    }
}

fn literal_type(literal: &LiteralValue) -> Type {
    match literal {
        LiteralValue::Boolean(_) => Type::Bool,
        LiteralValue::Bytes(_) => Type::Bytes,
        LiteralValue::Double(_) => Type::Double,
        LiteralValue::Int(_) => Type::Int,
        LiteralValue::Null => Type::Null,
        LiteralValue::String(_) => Type::String,
        LiteralValue::UInt(_) => Type::Uint,
    }
}

/// The claim path an expression spells (`snp.policy.debug`, `gpus[0].name`),
/// for messages.
fn describe(e: &IdedExpr) -> Option<String> {
    match &e.expr {
        Expr::Ident(name) => Some(name.clone()),
        Expr::Select(select) if !select.test => {
            Some(format!("{}.{}", describe(&select.operand)?, select.field))
        }
        Expr::Call(call) if call.func_name == operators::INDEX && call.target.is_none() => {
            match call.args.as_slice() {
                [operand, index] => {
                    let key = match &index.expr {
                        Expr::Literal(LiteralValue::Int(i)) => i.inner().to_string(),
                        Expr::Literal(LiteralValue::UInt(u)) => u.inner().to_string(),
                        Expr::Literal(LiteralValue::String(s)) => format!("{:?}", s.inner()),
                        _ => return None,
                    };
                    Some(format!("{}[{key}]", describe(operand)?))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// "`snp.vmpl` (int)" for a claim path, "int" otherwise.
fn subject(e: &IdedExpr, t: &Type) -> String {
    match describe(e) {
        Some(path) => format!("`{path}` ({t})"),
        None => t.to_string(),
    }
}

/// "`snp.vmpl` is int" for a claim path, "it is int" otherwise.
fn is_type(e: &IdedExpr, t: &Type) -> String {
    match describe(e) {
        Some(path) => format!("`{path}` is {t}"),
        None => format!("it is {t}"),
    }
}

/// The message of a comparison between incompatible types, naming the claim
/// path if either side is one: "`snp.policy.debug` is bool, compared with int".
fn compared(l: &IdedExpr, tl: &Type, r: &IdedExpr, tr: &Type) -> String {
    match (describe(l), describe(r)) {
        (Some(path), _) => format!("`{path}` is {tl}, compared with {tr}"),
        (None, Some(path)) => format!("`{path}` is {tr}, compared with {tl}"),
        (None, None) => format!("{tl} compared with {tr}"),
    }
}

/// The name the conversion functions' overloads use for a scalar type.
fn type_family(t: &Type) -> &'static str {
    match t {
        Type::Bool => "bool",
        Type::Int => "int",
        Type::Uint => "uint",
        Type::Double => "double",
        Type::String => "string",
        Type::Bytes => "bytes",
        Type::Timestamp => "timestamp",
        Type::Duration => "duration",
        Type::Null => "null",
        Type::List(_) => "list",
        Type::Map(_) | Type::Object(_) => "map",
        Type::Dyn => "dyn",
    }
}

/// The common type of two branches or list elements, if they have one.
fn unify(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        _ if a == b => Some(a.clone()),
        (Type::Dyn, _) | (_, Type::Dyn) => Some(Type::Dyn),
        (Type::Null, t) | (t, Type::Null) => Some(t.clone()),
        (Type::List(x), Type::List(y)) => Some(Type::list(unify(x, y).unwrap_or(Type::Dyn))),
        (Type::Map(x), Type::Map(y)) => Some(Type::map(unify(x, y).unwrap_or(Type::Dyn))),
        (Type::Object(_), Type::Map(_)) | (Type::Map(_), Type::Object(_)) => Some(Type::Dyn),
        _ => None,
    }
}

/// Whether `==` between the two types makes sense. Mixed numeric types are
/// refused even though cel compares them: a claim compared with a literal of
/// another numeric type is almost always a schema misunderstanding.
fn comparable(a: &Type, b: &Type) -> bool {
    match (a, b) {
        _ if a == b => true,
        (Type::Dyn | Type::Null, _) | (_, Type::Dyn | Type::Null) => true,
        (Type::List(x), Type::List(y)) | (Type::Map(x), Type::Map(y)) => comparable(x, y),
        (Type::Object(_), Type::Map(_)) | (Type::Map(_), Type::Object(_)) => true,
        _ => false,
    }
}

/// Whether `<` and friends apply: same orderable type, or `dyn`.
fn ordered(a: &Type, b: &Type) -> bool {
    let orderable = |t: &Type| {
        t.is_numeric()
            || matches!(
                t,
                Type::String | Type::Timestamp | Type::Duration | Type::Bytes | Type::Dyn
            )
    };
    orderable(a) && orderable(b) && (a == b || *a == Type::Dyn || *b == Type::Dyn)
}

/// The result type of an arithmetic operator, if it applies.
fn arithmetic(op: &str, a: &Type, b: &Type) -> Option<Type> {
    use Type::{Bytes, Duration, Dyn, Int, Timestamp, Uint};
    let addable = |t: &Type| {
        t.is_numeric()
            || matches!(
                t,
                Type::String | Bytes | Type::List(_) | Timestamp | Duration
            )
    };
    match op {
        operators::ADD => match (a, b) {
            (Dyn, Dyn) => Some(Dyn),
            (Dyn, t) | (t, Dyn) => addable(t).then_some(Dyn),
            (Type::List(x), Type::List(y)) => Some(Type::list(unify(x, y).unwrap_or(Dyn))),
            (Timestamp, Duration) | (Duration, Timestamp) => Some(Timestamp),
            (Timestamp, Timestamp) => None,
            _ if a == b && addable(a) => Some(a.clone()),
            _ => None,
        },
        operators::SUBSTRACT => match (a, b) {
            (Dyn, Dyn) => Some(Dyn),
            (Dyn, t) | (t, Dyn) => {
                (t.is_numeric() || matches!(t, Timestamp | Duration)).then_some(Dyn)
            }
            (Timestamp, Timestamp) => Some(Duration),
            (Timestamp, Duration) => Some(Timestamp),
            (Duration, Duration) => Some(Duration),
            _ if a == b && a.is_numeric() => Some(a.clone()),
            _ => None,
        },
        operators::MODULO => match (a, b) {
            (Dyn, Dyn) => Some(Dyn),
            (Dyn, t) | (t, Dyn) => matches!(t, Int | Uint).then_some(Dyn),
            _ if a == b && matches!(a, Int | Uint) => Some(a.clone()),
            _ => None,
        },
        _ => match (a, b) {
            (Dyn, Dyn) => Some(Dyn),
            (Dyn, t) | (t, Dyn) => t.is_numeric().then_some(Dyn),
            _ if a == b && a.is_numeric() => Some(a.clone()),
            _ => None,
        },
    }
}

/// Whether a result of type `actual` is acceptable where `expected` is.
fn fits_expected(expected: &Type, actual: &Type) -> bool {
    match (expected, actual) {
        (Type::Dyn, _) | (_, Type::Dyn) => true,
        (Type::List(x), Type::List(y)) | (Type::Map(x), Type::Map(y)) => fits_expected(x, y),
        _ => expected == actual,
    }
}

/// The known name closest to `name`, if within edit distance 2.
fn suggest<'n>(name: &str, known: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    known
        .filter(|k| *k != name)
        .map(|k| (edit_distance(name, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(first) = current.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let delete = previous.get(j + 1).copied().unwrap_or(0) + 1;
            let insert = current.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = current.get_mut(j + 1) {
                *slot = substitute.min(delete).min(insert);
            }
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("snp", "snp"), 0);
        assert_eq!(edit_distance("snpp", "snp"), 1);
        assert_eq!(edit_distance("debugg", "debug"), 1);
        assert_eq!(edit_distance("vmlp", "vmpl"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("tdx", "snp"), 3);
    }
}
