//! Hostile YAML: alias bombs, deep nesting, duplicate keys and oversized text are refused
//! quickly, with a clear error and its position, before they cost memory (issue 12).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use policy::{Policy, PolicyError, PolicyErrorKind, Position, MAX_POLICY_BYTES};

/// A one-rule SNP policy with `extra` appended.
fn with(extra: &str) -> String {
    format!(
        "policy: p\nversion: 1\nsnp:\n  rules:\n    - id: r\n      claim: configuration\n      expr: '!snp.policy.debug'\n      on_fail: UNSAFE_CONFIG\n      message: m\n{extra}"
    )
}

/// Loads `source`, which must be refused within half a second (in a debug build; the
/// bounds make it milliseconds in release).
fn refused(source: &str) -> PolicyError {
    let start = Instant::now();
    let err = Policy::from_yaml(source).expect_err("must not load");
    let took = start.elapsed();
    assert!(took < Duration::from_millis(500), "took {took:?}: {err}");
    err
}

fn at(line: usize, column: usize) -> Option<Position> {
    Some(Position { line, column })
}

/// "Billion laughs": ten levels of ten aliases each, 10^10 strings if expanded.
fn alias_bomb() -> String {
    let mut bomb =
        String::from("references:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 10].join(", ");
        bomb.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    with(&bomb)
}

#[test]
fn an_alias_bomb_is_refused_quickly() {
    let e = refused(&alias_bomb());
    assert_eq!(e.kind, PolicyErrorKind::Limit, "{e}");
    assert_eq!(
        e.message,
        "aliases expand to more than 16384 YAML events (an alias bomb?); write the values out or use tests.base",
    );
    assert!(e.position.is_some_and(|p| p.line >= 11), "{e}");
}

#[test]
fn a_small_alias_still_works() {
    // An anchored test input reused once is fine.
    let source = with("references:\n  good: &g [\"aa\", \"bb\"]\n  also: *g\n");
    assert!(Policy::from_yaml(&source).is_ok());
}

#[test]
fn deep_nesting_is_refused_quickly() {
    // Flow nesting: 100,000 `[` in a reference value, and as the whole document.
    let e = refused(&with(&format!("references:\n  x: {}", "[".repeat(100_000))));
    assert_eq!(e.kind, PolicyErrorKind::Limit, "{e}");
    assert_eq!(e.message, "nested deeper than 64 levels");
    assert_eq!(e.position.map(|p| p.line), Some(11), "{e}");
    let e = refused(&"[".repeat(100_000));
    assert_eq!(
        (e.kind, e.message.as_str()),
        (PolicyErrorKind::Limit, "nested deeper than 64 levels")
    );

    // Block nesting: 100 levels of mappings.
    let mut deep = String::from("references:\n");
    for level in 1..=100 {
        deep.push_str(&" ".repeat(level * 2));
        deep.push_str("k:\n");
    }
    let e = refused(&with(&deep));
    assert_eq!(
        (e.kind, e.message.as_str()),
        (PolicyErrorKind::Limit, "nested deeper than 64 levels"),
        "{e}"
    );
}

#[test]
fn duplicate_keys_are_refused_at_their_position() {
    // In the policy's own structure.
    let e = refused(&with("policy: q\n"));
    assert_eq!(e.kind, PolicyErrorKind::Duplicate);
    assert_eq!(
        e.message,
        "duplicate key `policy` in a mapping: YAML keys are unique"
    );
    assert_eq!(e.position, at(10, 1));
    // In free-form reference values.
    let e = refused(&with("references:\n  x: 1\n  x: 2\n"));
    assert_eq!(
        e.message,
        "duplicate key `x` in a mapping: YAML keys are unique"
    );
    assert_eq!(e.position, at(12, 3));
    // In a test's claims (flow mapping): `vmpl` twice must not mean the last one.
    let e = refused(&with(
        "tests:\n  cases:\n    - name: t\n      input: {snp: {vmpl: 1, vmpl: 2}}\n      expect: {status: affirming}\n",
    ));
    assert_eq!(
        e.message,
        "duplicate key `vmpl` in a mapping: YAML keys are unique"
    );
    assert_eq!(e.position, at(13, 30));
}

#[test]
fn oversized_text_is_refused_before_parsing() {
    assert_eq!(MAX_POLICY_BYTES, 256 * 1024);
    // Exactly the limit is accepted as far as size goes.
    let base = with("");
    let pad = MAX_POLICY_BYTES - base.len() - 3;
    let at_limit = format!("{base}# {}\n", "x".repeat(pad));
    assert_eq!(at_limit.len(), MAX_POLICY_BYTES);
    assert!(Policy::from_yaml(&at_limit).is_ok());
    let over = format!("{at_limit} ");
    let e = refused(&over);
    assert_eq!(e.kind, PolicyErrorKind::Limit);
    assert_eq!(
        e.message,
        format!(
            "the policy is {} bytes; at most 262144 are accepted",
            MAX_POLICY_BYTES + 1
        )
    );
    assert_eq!(e.position, None);
    // A huge text is refused as fast as a slightly long one (no parse).
    let huge = format!("{base}# {}\n", "x".repeat(64 << 20));
    assert_eq!(refused(&huge).kind, PolicyErrorKind::Limit);
}

#[test]
fn format_errors_name_the_problem_once() {
    // The position is the error's own; the message does not repeat it.
    let e = Policy::from_yaml(&with("      severity: high\n")).unwrap_err();
    assert_eq!(e.kind, PolicyErrorKind::Format);
    assert_eq!(e.position.map(|p| p.line), Some(10));
    assert!(!e.message.contains("line"), "{e}");
    assert!(e.message.contains("severity"), "{e}");
}
