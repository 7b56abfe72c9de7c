//! Compile-time checks of CEL expressions: every error kind with its position,
//! type inference, and that no input makes the compiler panic.

use policy::cel::{CompileError, CompileErrorKind, Environment, Limits, Object, Type};
use proptest::prelude::*;

/// A small claims schema, shaped like (but not the same as) the real one.
fn schema() -> Object {
    let snp = Object::new()
        .field(
            "policy",
            Object::new()
                .field("debug", Type::Bool)
                .field("raw", Type::String)
                .into(),
        )
        .field("vmpl", Type::Int)
        .field("guest_svn", Type::Uint)
        .field("reported_tcb", Type::map(Type::Int))
        .field("advisories", Type::list(Type::String))
        .field("measurement", Type::Bytes)
        .field(
            "vek",
            Object::new().field("not_after", Type::Timestamp).into(),
        );
    Object::new()
        .field("snp", snp.into())
        .field("gpus", Type::list(gpu().into()))
        .field("now", Type::Timestamp)
        .field("extra", Type::Dyn)
}

fn gpu() -> Object {
    Object::new()
        .field("name", Type::String)
        .field("driver_version", Type::String)
}

fn env() -> Environment {
    Environment::new(schema(), Limits::default())
}

fn compile_err(source: &str) -> CompileError {
    match env().compile(source, Type::Dyn) {
        Ok(e) => panic!("{source:?} compiled to {e:?}"),
        Err(e) => e,
    }
}

/// Asserts kind, 1-based line and column, and that the offset agrees with them.
fn assert_error(source: &str, kind: CompileErrorKind, line: usize, column: usize) -> CompileError {
    let err = compile_err(source);
    assert_eq!(
        (err.kind, err.line, err.column),
        (kind, line, column),
        "{source:?}: {err}"
    );
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let within: usize = source[line_start..]
        .chars()
        .take(column - 1)
        .map(char::len_utf8)
        .sum();
    assert_eq!(err.offset, line_start + within, "{source:?}: offset");
    err
}

fn result_type(source: &str) -> Type {
    env()
        .compile(source, Type::Dyn)
        .unwrap_or_else(|e| panic!("{source:?}: {e}"))
        .result_type()
        .clone()
}

#[test]
fn bool_claim_compared_with_int_is_a_type_mismatch_at_the_operator() {
    let err = assert_error(
        "snp.policy.debug == 0",
        CompileErrorKind::TypeMismatch,
        1,
        18,
    );
    assert_eq!(err.message, "`snp.policy.debug` is bool, compared with int");
    assert_eq!(
        err.to_string(),
        "1:18: `snp.policy.debug` is bool, compared with int"
    );
    // The literal on the left names the claim on the right.
    let err = assert_error(
        "0 != snp.policy.debug",
        CompileErrorKind::TypeMismatch,
        1,
        3,
    );
    assert_eq!(err.message, "`snp.policy.debug` is bool, compared with int");
}

#[test]
fn errors_in_a_multi_line_expression_have_their_own_line_and_column() {
    let err = assert_error(
        "snp.vmpl == 0 &&\n  snp.policy.debug == 1",
        CompileErrorKind::TypeMismatch,
        2,
        20,
    );
    assert_eq!(err.offset, 36);
    let err = assert_error(
        "snp.vmpl == 0 &&\n  !snp.polcy.debug",
        CompileErrorKind::UnknownField,
        2,
        8,
    );
    assert_eq!(
        err.message,
        "unknown claim `snp.polcy`; did you mean `snp.policy`?"
    );
    assert_error("snp.vmpl == 0 &&\n\n   )", CompileErrorKind::Syntax, 3, 4);
}

#[test]
fn columns_count_characters_not_bytes() {
    let err = assert_error("'é' + snpp", CompileErrorKind::UnknownVariable, 1, 7);
    assert_eq!(err.offset, 7, "é is two bytes");
}

#[test]
fn unknown_variables_suggest_the_nearest_name() {
    let err = assert_error("snpp.vmpl == 0", CompileErrorKind::UnknownVariable, 1, 1);
    assert_eq!(err.message, "unknown claim `snpp`; did you mean `snp`?");
    let err = assert_error(
        "  tdx.td_attributes",
        CompileErrorKind::UnknownVariable,
        1,
        3,
    );
    assert_eq!(
        err.message, "unknown claim `tdx`",
        "nothing within distance 2"
    );
    // A comprehension variable is only in scope inside its macro.
    let err = assert_error(
        "gpus.all(g, g.name == 'x') && g.name == 'y'",
        CompileErrorKind::UnknownVariable,
        1,
        31,
    );
    assert_eq!(err.message, "unknown claim `g`");
}

#[test]
fn unknown_fields_name_the_claim_path() {
    let err = assert_error("snp.policy.debugg", CompileErrorKind::UnknownField, 1, 12);
    assert_eq!(
        err.message,
        "unknown claim `snp.policy.debugg`; did you mean `snp.policy.debug`?"
    );
    // has() takes the same path rules.
    let err = assert_error(
        "has(snp.policy.debugg)",
        CompileErrorKind::UnknownField,
        1,
        16,
    );
    assert!(err.message.starts_with("unknown claim `snp.policy.debugg`"));
    let err = assert_error(
        "gpus.exists(g, g.nme == 'x')",
        CompileErrorKind::UnknownField,
        1,
        18,
    );
    assert_eq!(err.message, "unknown claim `g.nme`; did you mean `g.name`?");
    let err = assert_error("snp['policyy']", CompileErrorKind::UnknownField, 1, 5);
    assert_eq!(err.message, "unknown claim `snp[\"policyy\"]`");
}

#[test]
fn selecting_a_field_of_a_scalar_is_a_type_mismatch() {
    let err = assert_error("snp.vmpl.x", CompileErrorKind::TypeMismatch, 1, 10);
    assert_eq!(err.message, "`snp.vmpl` (int) has no fields, so no `.x`");
}

#[test]
fn maps_and_dyn_accept_any_field() {
    assert_eq!(result_type("snp.reported_tcb.anything"), Type::Int);
    assert_eq!(result_type("snp.reported_tcb['tee']"), Type::Int);
    assert_eq!(result_type("extra.a.b[0]"), Type::Dyn);
    assert_eq!(result_type("has(snp.reported_tcb.raw)"), Type::Bool);
    assert_eq!(result_type("has(extra.a.b)"), Type::Bool);
}

#[test]
fn operators_are_typed() {
    let mismatch = |source: &str, column: usize| {
        assert_error(source, CompileErrorKind::TypeMismatch, 1, column);
    };
    mismatch("snp.vmpl == 0u", 10);
    mismatch("snp.guest_svn == 1", 15);
    mismatch("snp.vmpl < 'a'", 10);
    mismatch("snp.vmpl + 1.0", 10);
    mismatch("now + now", 5);
    mismatch("snp.vmpl % 2.0", 10);
    mismatch("-snp.guest_svn", 1);
    mismatch("1 in snp.advisories", 3);
    mismatch("1 in snp.reported_tcb", 3);
    mismatch("snp.policy.debug ? 1 : 'a'", 18);
    mismatch("snp.advisories['a']", 15);
    mismatch("snp.reported_tcb[0]", 17);
    mismatch("snp.vmpl[0]", 9);
    mismatch("{1: 'a'}", 2);
    let err = assert_error("snp.vmpl && true", CompileErrorKind::TypeMismatch, 1, 1);
    assert_eq!(
        err.message,
        "operand of `&&` must be bool, but `snp.vmpl` is int"
    );
    assert_error("true || !snp.vmpl", CompileErrorKind::TypeMismatch, 1, 10);

    assert_eq!(result_type("snp.vmpl == null"), Type::Bool);
    assert_eq!(result_type("extra == 1"), Type::Bool);
    assert_eq!(result_type("snp.vmpl + 1"), Type::Int);
    assert_eq!(result_type("snp.guest_svn * 2u"), Type::Uint);
    assert_eq!(result_type("snp.vek.not_after - now"), Type::Duration);
    assert_eq!(result_type("now + duration('1h')"), Type::Timestamp);
    assert_eq!(result_type("now < snp.vek.not_after"), Type::Bool);
    assert_eq!(result_type("'GHSA-1' in snp.advisories"), Type::Bool);
    assert_eq!(result_type("'tee' in snp.reported_tcb"), Type::Bool);
    assert_eq!(
        result_type("snp.advisories + ['x']"),
        Type::list(Type::String)
    );
    assert_eq!(result_type("snp.policy.debug ? null : 'a'"), Type::String);
    assert_eq!(result_type("snp.policy.debug ? extra : 'a'"), Type::Dyn);
    assert_eq!(result_type("[1, 2][0]"), Type::Int);
    assert_eq!(result_type("[1, 'a']"), Type::list(Type::Dyn));
    assert_eq!(result_type("{'a': 1, 'b': 2}"), Type::map(Type::Int));
    assert_eq!(result_type("snp.measurement + b'x'"), Type::Bytes);
}

#[test]
fn comprehensions_type_their_variable_and_result() {
    assert_eq!(result_type("gpus.all(g, g.name == 'H100')"), Type::Bool);
    assert_eq!(result_type("gpus.exists(g, g.name == 'H100')"), Type::Bool);
    assert_eq!(
        result_type("gpus.exists_one(g, g.name == 'H100')"),
        Type::Bool
    );
    assert_eq!(result_type("gpus.map(g, g.name)"), Type::list(Type::String));
    assert_eq!(
        result_type("gpus.map(g, g.name != '', size(g.name))"),
        Type::list(Type::Int)
    );
    assert_eq!(
        result_type("gpus.filter(g, g.name == 'H100')"),
        Type::list(gpu().into())
    );
    assert_eq!(
        result_type("snp.reported_tcb.all(k, k.startsWith('t'))"),
        Type::Bool,
        "a map's keys are strings"
    );
    let err = assert_error("gpus.all(g, g.name)", CompileErrorKind::TypeMismatch, 1, 13);
    assert_eq!(
        err.message,
        "predicate of `all` must be bool, but `g.name` is string"
    );
    assert_error("snp.vmpl.all(x, x)", CompileErrorKind::TypeMismatch, 1, 1);
}

#[test]
fn nested_comprehensions_are_rejected() {
    let err = assert_error(
        "gpus.all(g, gpus.exists(h, h.name == g.name))",
        CompileErrorKind::NestedComprehension,
        1,
        18,
    );
    assert_eq!(
        err.message,
        "nested comprehensions are not allowed: cost grows with the product of list lengths"
    );
    // In the range, too.
    assert_error(
        "gpus.filter(g, g.name == 'a').all(g, g.name == 'a')",
        CompileErrorKind::NestedComprehension,
        1,
        6,
    );
    // Side by side is fine.
    assert_eq!(
        result_type("gpus.all(g, g.name != '') && gpus.exists(g, g.name == 'H100')"),
        Type::Bool
    );
}

#[test]
fn functions_are_allow_listed() {
    let err = assert_error("foo(snp.vmpl)", CompileErrorKind::UnknownFunction, 1, 1);
    assert_eq!(err.message, "unknown function `foo`");
    let err = assert_error(
        "snp.vmpl == 0 && sise(snp.advisories) > 0",
        CompileErrorKind::UnknownFunction,
        1,
        18,
    );
    assert_eq!(err.message, "unknown function `sise`; did you mean `size`?");
    let err = assert_error(
        "snp.policy.raw.matches('^0x')",
        CompileErrorKind::UnknownFunction,
        1,
        16,
    );
    assert!(err.message.contains("regular expressions"), "{err}");
    assert_error("type(snp.vmpl)", CompileErrorKind::UnknownFunction, 1, 1);
    assert_error("dyn(snp.vmpl)", CompileErrorKind::UnknownFunction, 1, 1);
    // Methods and global functions in the other form.
    let err = assert_error(
        "contains(snp.policy.raw, 'a')",
        CompileErrorKind::UnknownFunction,
        1,
        1,
    );
    assert_eq!(err.message, "`contains` is a method: write `s.contains(x)`");
    assert_error(
        "snp.policy.raw.hasBits(1)",
        CompileErrorKind::UnknownFunction,
        1,
        16,
    );
    assert_error(
        "snp.vmpl.string()",
        CompileErrorKind::UnknownFunction,
        1,
        10,
    );
}

#[test]
fn builtin_functions_check_their_arguments() {
    assert_eq!(result_type("size(snp.advisories)"), Type::Int);
    assert_eq!(result_type("snp.advisories.size()"), Type::Int);
    assert_eq!(
        result_type("size(snp.reported_tcb) + size('abc')"),
        Type::Int
    );
    assert_eq!(result_type("snp.policy.raw.startsWith('0x')"), Type::Bool);
    assert_eq!(result_type("int(snp.guest_svn)"), Type::Int);
    assert_eq!(result_type("uint(snp.vmpl)"), Type::Uint);
    assert_eq!(result_type("double(snp.vmpl)"), Type::Double);
    assert_eq!(result_type("string(now)"), Type::String);
    assert_eq!(result_type("bytes('a')"), Type::Bytes);
    assert_eq!(
        result_type("timestamp('2024-01-01T00:00:00Z')"),
        Type::Timestamp
    );
    assert_eq!(result_type("duration('300s')"), Type::Duration);

    let err = assert_error("size(snp.vmpl)", CompileErrorKind::TypeMismatch, 1, 6);
    assert_eq!(
        err.message,
        "argument of `size` is `snp.vmpl` (int), expected string, bytes, list, map"
    );
    assert_error("snp.vmpl.size()", CompileErrorKind::TypeMismatch, 1, 1);
    assert_error(
        "snp.policy.raw.contains(1)",
        CompileErrorKind::TypeMismatch,
        1,
        25,
    );
    assert_error("timestamp(1)", CompileErrorKind::TypeMismatch, 1, 11);
    assert_error(
        "int(snp.policy.debug)",
        CompileErrorKind::TypeMismatch,
        1,
        5,
    );
    assert_error("size(1, 2)", CompileErrorKind::TypeMismatch, 1, 1);
}

#[test]
fn helper_arguments_are_typed() {
    let mismatch = |source: &str, column: usize| {
        let err = assert_error(source, CompileErrorKind::TypeMismatch, 1, column);
        err.message
    };
    assert_eq!(
        mismatch("hasBits(1.0, 1)", 9),
        "argument 1 of `hasBits` is double, expected int, uint or hex string"
    );
    mismatch("hasBits(snp.policy.raw, true)", 25);
    mismatch("bit(snp.policy.raw, '1')", 21);
    mismatch("leUint(1)", 8);
    mismatch("hexEqual(snp.measurement, 'ab')", 10);
    mismatch("hexDecode(b'ab')", 11);
    mismatch("hexEncode('ab')", 11);
    mismatch("versionCompare(1, '2')", 16);
    mismatch("versionAtLeast('1', 2)", 21);
    assert_eq!(mismatch("bit(1)", 1), "`bit` takes 2 arguments, got 1");
    mismatch("svnAtLeast(snp.reported_tcb, [1, 2])", 1);
    mismatch("svnAtLeast([1], 'ab')", 1);
    mismatch("svnAtLeast(['a'], ['b'])", 1);

    assert_eq!(result_type("hasBits(snp.policy.raw, 0x10000)"), Type::Bool);
    assert_eq!(result_type("bit(snp.guest_svn, 3)"), Type::Bool);
    assert_eq!(result_type("leUint(snp.policy.raw)"), Type::Uint);
    assert_eq!(result_type("leUint(snp.measurement)"), Type::Uint);
    assert_eq!(result_type("hexEncode(hexDecode('ab'))"), Type::String);
    assert_eq!(result_type("versionCompare('1', '2')"), Type::Int);
    assert_eq!(
        result_type("svnAtLeast(snp.reported_tcb, {'bootloader': 7, 'tee': 0})"),
        Type::Bool
    );
    assert_eq!(result_type("svnAtLeast(snp, {'vmpl': 0})"), Type::Bool);
    assert_eq!(result_type("svnAtLeast([1, 2], [1, 2])"), Type::Bool);
    assert_eq!(
        result_type("svnAtLeast('0102', snp.measurement)"),
        Type::Bool
    );
    assert_eq!(result_type("svnAtLeast(extra, extra)"), Type::Bool);
}

#[test]
fn too_long_sources_are_rejected_at_the_limit() {
    let source = format!("'{}'", "a".repeat(4095));
    assert_eq!(source.len(), 4097);
    let err = assert_error(&source, CompileErrorKind::TooLong, 1, 4097);
    assert_eq!(err.offset, 4096);
    assert!(
        env().compile(&source[1..], Type::Dyn).is_err(),
        "unterminated"
    );
    let fits = format!("'{}'", "a".repeat(4094));
    assert_eq!(env().compile(&fits, Type::String).unwrap().source(), fits);

    let small = Environment::new(
        schema(),
        Limits {
            max_source_len: 10,
            ..Limits::default()
        },
    );
    let err = small.compile("snp.vmpl\n== 0", Type::Bool).unwrap_err();
    assert_eq!(
        (err.kind, err.line, err.column, err.offset),
        (CompileErrorKind::TooLong, 2, 2, 10)
    );
}

#[test]
fn too_many_nodes_are_rejected() {
    let small = Environment::new(
        schema(),
        Limits {
            max_nodes: 5,
            ..Limits::default()
        },
    );
    // ((1 + 2) + 3) + 4: the sixth node in pre-order is the literal 3.
    let err = small.compile("1 + 2 + 3 + 4", Type::Int).unwrap_err();
    assert_eq!(
        (err.kind, err.line, err.column),
        (CompileErrorKind::TooComplex, 1, 9),
        "{err}"
    );
    assert!(small.compile("1 + 2 + 3", Type::Int).is_ok());

    // With the default limit of 512, 600 terms are too many.
    let terms = vec!["snp.vmpl == 0"; 300].join(" || ");
    assert!(terms.len() < 4096 * 2);
    let long = Environment::new(
        schema(),
        Limits {
            max_source_len: 8192,
            ..Limits::default()
        },
    );
    let err = long.compile(&terms, Type::Bool).unwrap_err();
    assert_eq!(err.kind, CompileErrorKind::TooComplex, "{err}");
}

#[test]
fn too_deep_expressions_are_rejected() {
    // 24 negations put the literal 25 levels deep, one more than allowed;
    // the error is at the first node too deep, the literal.
    let source = format!("{}1{}", "-(".repeat(24), ")".repeat(24));
    let err = assert_error(&source, CompileErrorKind::TooDeep, 1, 49);
    assert_eq!(err.message, "expression nests deeper than 24 levels");
    let source = format!("{}1{}", "-(".repeat(30), ")".repeat(30));
    assert_error(&source, CompileErrorKind::TooDeep, 1, 49);
    let fits = format!("{}1{}", "-(".repeat(23), ")".repeat(23));
    assert!(env().compile(&fits, Type::Int).is_ok());

    // Parentheses alone add no node, but cel's parser has a recursion limit.
    let parens = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    let err = compile_err(&parens);
    assert_eq!(err.kind, CompileErrorKind::TooDeep, "{err}");
    assert!(err.message.contains("Recursion limit of 96"), "{err}");
}

#[test]
fn unsupported_syntax_is_reported_as_such() {
    let err = assert_error("snp.?vmpl", CompileErrorKind::Unsupported, 1, 4);
    assert!(err.message.starts_with("optional values are not supported"));
    assert_error("snp.advisories[?0]", CompileErrorKind::Unsupported, 1, 15);
    assert_error("[?snp.vmpl]", CompileErrorKind::Unsupported, 1, 1);
    assert_error("{?'a': snp.vmpl}", CompileErrorKind::Unsupported, 1, 3);
    let err = assert_error("Foo{a: 1}", CompileErrorKind::Unsupported, 1, 4);
    assert_eq!(err.message, "struct literals are not supported");
}

#[test]
fn syntax_errors_carry_the_parser_position() {
    assert_error("snp.vmpl ==", CompileErrorKind::Syntax, 1, 12);
    assert_error("", CompileErrorKind::Syntax, 1, 1);
    assert_error("snp.vmpl == 0)", CompileErrorKind::Syntax, 1, 14);
    assert_error("has(snp)", CompileErrorKind::Syntax, 1, 5);
    assert_error("gpus.all(g.name, true)", CompileErrorKind::Syntax, 1, 11);
}

#[test]
fn the_result_must_fit_the_expected_type() {
    let env = env();
    let err = env.compile("snp.vmpl + 1", Type::Bool).unwrap_err();
    assert_eq!(
        (err.kind, err.line, err.column),
        (CompileErrorKind::TypeMismatch, 1, 1)
    );
    assert_eq!(err.message, "expression is int, expected bool");
    assert!(
        env.compile("extra.flag", Type::Bool).is_ok(),
        "dyn fits bool"
    );
    assert!(env.compile("snp.vmpl", Type::Dyn).is_ok());
    assert!(env
        .compile("gpus.map(g, g.name)", Type::list(Type::String))
        .is_ok());
    assert!(env
        .compile("gpus.map(g, g.name)", Type::list(Type::Int))
        .is_err());
    assert!(env.compile("[extra]", Type::list(Type::Int)).is_ok());
}

#[test]
fn references_are_the_top_level_variables_used() {
    let e = env()
        .compile(
            "now < snp.vek.not_after && gpus.all(g, g.name != '') && [1].exists(now, now == 1)",
            Type::Bool,
        )
        .unwrap();
    assert_eq!(e.references(), ["gpus", "now", "snp"]);
    let e = env().compile("1 + 1 == 2", Type::Bool).unwrap();
    assert!(e.references().is_empty());
}

#[test]
fn with_variable_adds_a_top_level_variable() {
    let base = env();
    assert_eq!(
        base.compile("g.name == 'H100'", Type::Bool)
            .unwrap_err()
            .kind,
        CompileErrorKind::UnknownVariable
    );
    let per_gpu = base.with_variable("g", gpu().into());
    let e = per_gpu
        .compile("g.name == 'H100' && snp.vmpl == 0", Type::Bool)
        .unwrap();
    assert_eq!(e.references(), ["g", "snp"]);
    assert!(per_gpu.variables().get("g").is_some());
    assert!(base.variables().get("g").is_none(), "the base is unchanged");
}

#[test]
fn type_names_are_short() {
    assert_eq!(Type::Int.name(), "int");
    assert_eq!(Type::list(Type::String).name(), "list(string)");
    assert_eq!(Type::map(Type::Int).name(), "map(string, int)");
    assert_eq!(Type::Object(gpu()).name(), "object{driver_version, name}");
    let wide = Object::new()
        .field("a", Type::Int)
        .field("b", Type::Int)
        .field("c", Type::Int)
        .field("d", Type::Int);
    assert_eq!(Type::Object(wide).name(), "object{a, b, c, ...}");
}

#[test]
fn compiled_expressions_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Environment>();
    assert_send_sync::<policy::cel::Expression>();
    assert_send_sync::<policy::cel::Activation>();
}

/// Tokens of CEL, to build inputs that get further into the parser than
/// random bytes do.
const TOKENS: &[&str] = &[
    "snp",
    "gpus",
    "now",
    "extra",
    "g",
    ".",
    "vmpl",
    "policy",
    "debug",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "?",
    "?.",
    "[?",
    "==",
    "!=",
    "<",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "!",
    "&&",
    "||",
    "in",
    "1",
    "0u",
    "1.5",
    "'a'",
    "b'x'",
    "\"",
    "'",
    "true",
    "null",
    "has",
    "all",
    "exists",
    "exists_one",
    "map",
    "filter",
    "size",
    "hasBits",
    "svnAtLeast",
    "`x`",
    "\n",
    "//c\n",
    " ",
    ".5",
    "1e999",
    "0x",
    "\\",
    "@",
    "#",
];

proptest! {
    #[test]
    fn compiling_random_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let source = String::from_utf8_lossy(&bytes);
        let _ = env().compile(&source, Type::Dyn);
    }

    #[test]
    fn compiling_random_tokens_never_panics(
        tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..60)
    ) {
        let source = tokens.concat();
        if let Err(e) = env().compile(&source, Type::Dyn) {
            // Positions always point into the source.
            prop_assert!(e.offset <= source.len());
            prop_assert!(source.is_char_boundary(e.offset));
            prop_assert!(e.line >= 1 && e.column >= 1);
        }
    }
}
