//! Every way a policy fails to load, with the line and column the error names.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use policy::cel::CompileErrorKind;
use policy::{Policy, PolicyErrorKind, Position};

/// A one-rule SNP policy with `expr` (and the rest of the rule given by `extra`).
fn one_rule(expr: &str, extra: &str) -> String {
    format!(
        "policy: p\nversion: 1\nsnp:\n  rules:\n    - id: r\n      claim: configuration\n      expr: {expr}\n      on_fail: UNSAFE_CONFIG\n      message: m\n{extra}"
    )
}

fn load_err(source: &str) -> policy::PolicyError {
    Policy::from_yaml(source).expect_err("the policy must not load")
}

fn at(line: usize, column: usize) -> Option<Position> {
    Some(Position { line, column })
}

#[test]
fn a_minimal_policy_loads() {
    let p = Policy::from_yaml(&one_rule("'!snp.policy.debug'", "")).unwrap();
    assert_eq!(p.name(), "p");
    assert_eq!(p.version(), "1");
    assert!(p.id().starts_with("policy:p@1#sha256:"));
    assert_eq!(p.id().len(), "policy:p@1#sha256:".len() + 64);
}

#[test]
fn a_bool_compared_with_an_int_is_a_type_error_at_its_column() {
    // Line 7 is `      expr: snp.policy.debug == 0`; the expression starts at column 13
    // and the comparison (`==`, where the error points) at column 30.
    let e = load_err(&one_rule("snp.policy.debug == 0", ""));
    assert_eq!(
        e.kind,
        PolicyErrorKind::Expression(CompileErrorKind::TypeMismatch)
    );
    assert_eq!(e.position, at(7, 30), "{e}");
    assert!(e.message.contains("snp.policy.debug"), "{e}");
    assert!(
        e.message.contains("bool") && e.message.contains("int"),
        "{e}"
    );
    assert!(e.to_string().starts_with("7:30: "), "{e}");
}

#[test]
fn positions_count_from_inside_quotes() {
    // `      expr: 'snp.vmpl == true'`: the quote is column 13, `snp` column 14, `==`
    // column 23.
    let e = load_err(&one_rule("'snp.vmpl == true'", ""));
    assert_eq!(
        e.kind,
        PolicyErrorKind::Expression(CompileErrorKind::TypeMismatch)
    );
    assert_eq!(e.position, at(7, 23), "{e}");
}

#[test]
fn positions_in_block_scalars_follow_the_lines() {
    let source = one_rule(
        "|\n        snp.vmpl == 0 &&\n          snp.policy.debugg",
        "",
    );
    let e = load_err(&source);
    assert_eq!(
        e.kind,
        PolicyErrorKind::Expression(CompileErrorKind::UnknownField)
    );
    // Line 9 is `          snp.policy.debugg`: the block's indentation is 8, so the
    // expression's column 14 (the field `debugg`, where the error points) is the file's
    // column 22.
    assert_eq!(e.position, at(9, 22), "{e}");
    assert!(e.message.contains("snp.policy.debugg"), "{e}");
    assert!(e.message.contains("debug"), "a suggestion: {e}");
}

#[test]
fn unknown_variables_and_fields() {
    let e = load_err(&one_rule("snpp.vmpl == 0", ""));
    assert_eq!(
        e.kind,
        PolicyErrorKind::Expression(CompileErrorKind::UnknownVariable)
    );
    assert_eq!(e.position, at(7, 13), "{e}");
    // A GPU claim in the SNP section.
    let e = load_err(&one_rule("gpu.arch == \"hopper\"", ""));
    assert_eq!(
        e.kind,
        PolicyErrorKind::Expression(CompileErrorKind::UnknownVariable)
    );
    let e = load_err(&one_rule("snp.policy.debugg", ""));
    assert_eq!(
        e.kind,
        PolicyErrorKind::Expression(CompileErrorKind::UnknownField)
    );
    assert_eq!(e.position.unwrap().line, 7);
}

#[test]
fn a_rule_must_be_boolean() {
    let e = load_err(&one_rule("snp.vmpl", ""));
    assert_eq!(
        e.kind,
        PolicyErrorKind::Expression(CompileErrorKind::TypeMismatch)
    );
}

#[test]
fn syntax_errors_and_unknown_functions() {
    let e = load_err(&one_rule("'snp.vmpl == (0'", ""));
    assert_eq!(
        e.kind,
        PolicyErrorKind::Expression(CompileErrorKind::Syntax)
    );
    assert_eq!(e.position.unwrap().line, 7);
    let e = load_err(&one_rule("shell(\"rm\")", ""));
    assert_eq!(
        e.kind,
        PolicyErrorKind::Expression(CompileErrorKind::UnknownFunction)
    );
}

#[test]
fn nested_comprehensions_are_refused() {
    let e = load_err(&one_rule(
        "'snp.policy.raw.size() > 0 && [1, 2].all(x, [3].exists(y, y > x))'",
        "",
    ));
    assert_eq!(
        e.kind,
        PolicyErrorKind::Expression(CompileErrorKind::NestedComprehension)
    );
}

#[test]
fn expressions_over_the_size_limits_are_refused() {
    let long = vec!["snp.vmpl == 0"; 400].join(" && ");
    let e = load_err(&one_rule(&long, ""));
    assert!(
        matches!(
            e.kind,
            PolicyErrorKind::Expression(CompileErrorKind::TooLong | CompileErrorKind::TooComplex)
        ),
        "{e}"
    );
}

#[test]
fn claim_names_and_values_are_checked() {
    let bad_claim =
        one_rule("'!snp.policy.debug'", "").replace("claim: configuration", "claim: firmware");
    let e = load_err(&bad_claim);
    assert_eq!(e.kind, PolicyErrorKind::Value);
    assert_eq!(e.position, at(6, 14), "{e}");
    assert!(
        e.message.contains("instance-identity"),
        "lists the claims: {e}"
    );

    let wrong_value =
        one_rule("'!snp.policy.debug'", "").replace("UNSAFE_CONFIG", "UNSAFE_HARDWARE");
    let e = load_err(&wrong_value);
    assert_eq!(e.kind, PolicyErrorKind::Value);
    assert_eq!(e.position, at(8, 16), "{e}");
    assert!(
        e.message.contains("UNSUPPORTABLE_CONFIG"),
        "lists the values: {e}"
    );

    let affirming_failure =
        one_rule("'!snp.policy.debug'", "").replace("UNSAFE_CONFIG", "APPROVED_CONFIG");
    let e = load_err(&affirming_failure);
    assert_eq!(e.kind, PolicyErrorKind::Value);
    assert!(e.message.contains("must not affirm"), "{e}");

    let out_of_range = one_rule("'!snp.policy.debug'", "").replace("UNSAFE_CONFIG", "200");
    assert_eq!(load_err(&out_of_range).kind, PolicyErrorKind::Value);

    let warning_pass = one_rule("'!snp.policy.debug'", "      on_pass: UNSAFE_CONFIG\n");
    let e = load_err(&warning_pass);
    assert_eq!(e.kind, PolicyErrorKind::Value);
    assert_eq!(e.position, at(10, 16), "{e}");
}

#[test]
fn format_mistakes() {
    // An unknown key.
    let e = load_err(&one_rule("'!snp.policy.debug'", "      severity: high\n"));
    assert_eq!(e.kind, PolicyErrorKind::Format);
    assert_eq!(e.position.map(|p| p.line), Some(10), "{e}");
    // Not YAML.
    assert_eq!(load_err("policy: [\n").kind, PolicyErrorKind::Format);
    // No section.
    assert_eq!(
        load_err("policy: p\nversion: 1\n").kind,
        PolicyErrorKind::Format
    );
    // A bad name.
    assert_eq!(
        load_err(&one_rule("true", "").replace("policy: p", "policy: 'a b'")).kind,
        PolicyErrorKind::Format
    );
    // References must be a map.
    assert_eq!(
        load_err(&format!("{}references: [1]\n", one_rule("true", ""))).kind,
        PolicyErrorKind::Format
    );
}

#[test]
fn duplicate_rule_ids() {
    let source = format!(
        "{}    - id: r\n      claim: hardware\n      expr: 'true'\n      on_fail: UNSAFE_HARDWARE\n      message: m\n",
        one_rule("'true'", "")
    );
    let e = load_err(&source);
    assert_eq!(e.kind, PolicyErrorKind::Duplicate);
    assert_eq!(e.position, at(10, 11), "{e}");
}

#[test]
fn token_lifetime_limits() {
    let e = load_err(&format!("{}token: {{ttl: 0}}\n", one_rule("'true'", "")));
    assert_eq!(e.kind, PolicyErrorKind::Limit);
    let e = load_err(&format!(
        "{}token: {{ttl: 864000}}\n",
        one_rule("'true'", "")
    ));
    assert_eq!(e.kind, PolicyErrorKind::Limit);
    let p = Policy::from_yaml(&format!("{}token: {{ttl: 60}}\n", one_rule("'true'", ""))).unwrap();
    assert_eq!(p.ttl_seconds(), 60);
}

#[test]
fn references_are_typed_from_their_values() {
    let ok = format!(
        "{}references:\n  min_tcb: {{bootloader: 1, tee: 0, snp: 8, microcode: 115}}\n  images: [\"aa\", \"bb\"]\n",
        one_rule("'svnAtLeast(snp.reported_tcb, ref.min_tcb) && snp.measurement in ref.images'", "")
    );
    Policy::from_yaml(&ok).unwrap();
    // `ref.images` is a list of strings: comparing it with an int is a type error.
    let bad = format!(
        "{}references:\n  images: [\"aa\"]\n",
        one_rule("'snp.vmpl in ref.images'", "")
    );
    assert_eq!(
        load_err(&bad).kind,
        PolicyErrorKind::Expression(CompileErrorKind::TypeMismatch)
    );
    let unknown = one_rule("'snp.measurement in ref.images'", "");
    assert_eq!(
        load_err(&unknown).kind,
        PolicyErrorKind::Expression(CompileErrorKind::UnknownField)
    );
}

#[test]
fn oversized_policies_are_refused_before_parsing() {
    let huge = format!("{}# {}\n", one_rule("'true'", ""), "x".repeat(300 * 1024));
    assert_eq!(load_err(&huge).kind, PolicyErrorKind::Limit);
}

#[test]
fn an_on_fail_in_the_none_tier_is_refused_at_its_position() {
    // Review item 2: `none` ranks below `affirming`, so a failed rule with a value of that
    // tier beside a passing one would leave its device affirming. Line 8 is
    // `      on_fail: X`; the value starts at column 16.
    for value in [
        "NO_CLAIM",
        "VERIFIER_MALFUNCTION",
        "UNEXPECTED_EVIDENCE",
        "0",
        "1",
        "-1",
    ] {
        let source = one_rule("'true'", "").replace("UNSAFE_CONFIG", value);
        let e = load_err(&source);
        assert_eq!(e.kind, PolicyErrorKind::Value, "{value}: {e}");
        assert_eq!(e.position, at(8, 16), "{value}: {e}");
        assert!(e.message.contains("`none` tier"), "{value}: {e}");
    }
    // Warning and contraindicated values (private-use ones included) load.
    for value in ["UNSAFE_CONFIG", "32", "-33", "UNSUPPORTABLE_CONFIG", "-128"] {
        Policy::from_yaml(&one_rule("'true'", "").replace("UNSAFE_CONFIG", value))
            .unwrap_or_else(|e| panic!("{value}: {e}"));
    }
}

#[test]
fn a_policy_requires_a_challenge_unless_it_says_otherwise() {
    let silent = Policy::from_yaml(&one_rule("'!snp.policy.debug'", "")).unwrap();
    assert!(silent.challenge_required());
    let source = one_rule("'!snp.policy.debug'", "")
        .replace("version: 1\n", "version: 1\nchallenge: optional\n");
    assert!(!Policy::from_yaml(&source).unwrap().challenge_required());
    let required = source.replace("challenge: optional", "challenge: required");
    assert!(Policy::from_yaml(&required).unwrap().challenge_required());
}

#[test]
fn an_unknown_challenge_setting_is_refused_where_it_is_written() {
    let source = one_rule("'!snp.policy.debug'", "")
        .replace("version: 1\n", "version: 1\nchallenge: sometimes\n");
    let e = load_err(&source);
    assert_eq!(e.kind, PolicyErrorKind::Format);
    assert_eq!(e.position, at(3, 12));
    assert!(
        e.message.contains("expected `required` or `optional`"),
        "{e}"
    );
}
