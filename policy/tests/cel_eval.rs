//! Evaluation: binding JSON claims, fail-closed semantics, results as JSON.

use policy::cel::{Activation, Environment, Limits, Object, Type};
use serde_json::{json, Value};

fn gpu() -> Object {
    Object::new()
        .field("name", Type::String)
        .field("driver_version", Type::String)
        .field("measurements", Type::list(Type::Bytes))
}

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
        .field("ratio", Type::Double)
        .field("max_age", Type::Duration)
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

fn limits() -> Limits {
    Limits {
        max_list_len: 4,
        ..Limits::default()
    }
}

fn env() -> Environment {
    Environment::new(schema(), limits())
}

fn snp_claims() -> Value {
    json!({
        "policy": {"debug": false, "raw": "0x30000"},
        "vmpl": 0,
        "guest_svn": 3,
        "reported_tcb": {"bootloader": 7, "tee": 0, "snp": 14, "microcode": 72},
        "advisories": ["AMD-SN-3019"],
        "measurement": "00ff",
        "ratio": 0.5,
        "max_age": "86400s",
        "vek": {"not_after": "2030-01-01T00:00:00Z"},
        "firmware": "1.55.21"
    })
}

fn gpus_claims() -> Value {
    json!([
        {"name": "H100", "driver_version": "550.90.07", "measurements": ["00", "01"]},
        {"name": "H200", "driver_version": "550.54.15", "measurements": []}
    ])
}

fn activation() -> Activation {
    let mut a = Activation::new(&env());
    a.bind("snp", &snp_claims()).unwrap();
    a.bind("gpus", &gpus_claims()).unwrap();
    a.bind("now", &json!("2026-06-01T12:00:00Z")).unwrap();
    a
}

fn eval(source: &str) -> Result<Value, String> {
    let expr = env()
        .compile(source, Type::Dyn)
        .unwrap_or_else(|e| panic!("{source:?}: {e}"));
    expr.evaluate(&activation()).map_err(|e| e.message)
}

fn eval_bool(source: &str) -> Result<bool, String> {
    let expr = env()
        .compile(source, Type::Bool)
        .unwrap_or_else(|e| panic!("{source:?}: {e}"));
    expr.evaluate_bool(&activation()).map_err(|e| e.message)
}

#[test]
fn the_benchmark_rule_holds_for_good_claims() {
    let rule = "snp.vmpl == 0 && !snp.policy.debug && svnAtLeast(snp.reported_tcb, \
                {\"bootloader\": 7, \"tee\": 0, \"snp\": 14, \"microcode\": 72})";
    assert_eq!(eval_bool(rule), Ok(true));
    let mut claims = snp_claims();
    claims["reported_tcb"]["snp"] = json!(13);
    let mut a = activation();
    a.bind("snp", &claims).unwrap();
    let expr = env().compile(rule, Type::Bool).unwrap();
    assert_eq!(expr.evaluate_bool(&a), Ok(false));
}

#[test]
fn a_missing_field_is_an_error_unless_guarded() {
    let err = eval_bool("snp.reported_tcb.fmc == 1").unwrap_err();
    assert!(err.contains("fmc"), "{err}");
    assert_eq!(
        eval_bool("has(snp.reported_tcb.fmc) && snp.reported_tcb.fmc == 1"),
        Ok(false)
    );
    assert_eq!(
        eval_bool("!has(snp.reported_tcb.fmc) || snp.reported_tcb.fmc == 1"),
        Ok(true)
    );
    assert_eq!(eval_bool("has(snp.reported_tcb.tee)"), Ok(true));
    // An object field the schema declares but the claims lack.
    let mut claims = snp_claims();
    claims.as_object_mut().unwrap().remove("vek");
    let mut a = activation();
    a.bind("snp", &claims).unwrap();
    let guarded = env().compile("has(snp.vek)", Type::Bool).unwrap();
    assert_eq!(guarded.evaluate_bool(&a), Ok(false));
    let unguarded = env()
        .compile("snp.vek.not_after > now", Type::Bool)
        .unwrap();
    assert!(unguarded.evaluate_bool(&a).is_err());
}

#[test]
fn logical_operators_absorb_errors_only_when_the_other_side_decides() {
    let missing = "snp.reported_tcb.fmc == 1";
    assert_eq!(eval_bool(&format!("{missing} || true")), Ok(true));
    assert_eq!(eval_bool(&format!("true || {missing}")), Ok(true));
    assert_eq!(eval_bool(&format!("{missing} && false")), Ok(false));
    assert_eq!(eval_bool(&format!("false && {missing}")), Ok(false));
    assert!(eval_bool(&format!("{missing} || false")).is_err());
    assert!(eval_bool(&format!("{missing} && true")).is_err());
    assert!(eval_bool(&format!("!({missing})")).is_err());
    assert!(eval_bool(&format!("{missing} ? true : true")).is_err());
}

#[test]
fn arithmetic_errors_fail_the_rule() {
    assert!(eval("snp.vmpl / 0")
        .unwrap_err()
        .contains("Division by zero"));
    assert!(
        eval("9223372036854775807 + snp.vmpl + 1").is_err(),
        "overflow"
    );
    assert!(eval("snp.advisories[5]").is_err());
    assert!(eval("timestamp('not a time')").is_err());
}

#[test]
fn comprehensions_evaluate() {
    assert_eq!(
        eval_bool("gpus.all(g, g.driver_version.startsWith('550.'))"),
        Ok(true)
    );
    assert_eq!(eval_bool("gpus.all(g, g.name == 'H100')"), Ok(false));
    assert_eq!(eval_bool("gpus.exists(g, g.name == 'H200')"), Ok(true));
    assert_eq!(
        eval_bool("gpus.exists_one(g, g.name.startsWith('H'))"),
        Ok(false)
    );
    assert_eq!(eval_bool("gpus.exists_one(g, g.name == 'H100')"), Ok(true));
    assert_eq!(eval("gpus.map(g, g.name)"), Ok(json!(["H100", "H200"])));
    assert_eq!(
        eval("gpus.map(g, size(g.measurements) > 0, g.name)"),
        Ok(json!(["H100"]))
    );
    assert_eq!(
        eval("gpus.filter(g, g.name == 'H200')"),
        Ok(json!([{"name": "H200", "driver_version": "550.54.15", "measurements": []}]))
    );
    assert_eq!(
        eval("snp.reported_tcb.filter(k, snp.reported_tcb[k] > 10)").map(|v| {
            let mut keys: Vec<String> = serde_json::from_value(v).unwrap();
            keys.sort();
            keys
        }),
        Ok(vec!["microcode".to_owned(), "snp".to_owned()])
    );
}

#[test]
fn timestamps_and_durations_compare() {
    assert_eq!(eval_bool("snp.vek.not_after > now"), Ok(true));
    assert_eq!(eval_bool("snp.vek.not_after - now > snp.max_age"), Ok(true));
    assert_eq!(eval_bool("now + duration('1h') > now"), Ok(true));
    let mut a = activation();
    a.bind("now", &json!("2030-01-01T00:00:00.000000001Z"))
        .unwrap();
    let expired = env()
        .compile("snp.vek.not_after > now", Type::Bool)
        .unwrap();
    assert_eq!(expired.evaluate_bool(&a), Ok(false));
    // An offset is kept as the same instant, and printed in UTC.
    a.bind("now", &json!("2026-06-01T14:00:00+02:00")).unwrap();
    let now = env().compile("now", Type::Timestamp).unwrap();
    assert_eq!(now.evaluate(&a), Ok(json!("2026-06-01T12:00:00Z")));
    assert_eq!(eval("snp.max_age"), Ok(json!("86400s")));
    assert_eq!(
        eval("now - timestamp('2026-06-01T11:59:58.5Z')"),
        Ok(json!("1.5s"))
    );
}

#[test]
fn results_convert_to_json() {
    assert_eq!(eval("snp.measurement"), Ok(json!("00ff")));
    assert_eq!(eval("hexDecode('0xABCD')"), Ok(json!("abcd")));
    assert_eq!(eval("snp.guest_svn + 1u"), Ok(json!(4)));
    assert_eq!(eval("snp.ratio * 2.0"), Ok(json!(1.0)));
    assert_eq!(eval("null"), Ok(Value::Null));
    assert_eq!(
        eval("{'b': 1, 'a': [true, 'x']}"),
        Ok(json!({"a": [true, "x"], "b": 1}))
    );
    assert!(eval("0.0 / 0.0").is_err(), "NaN has no JSON form");
    // Fields the schema does not declare are bound, as dyn.
    assert_eq!(eval("snp").unwrap()["firmware"], json!("1.55.21"));
}

#[test]
fn evaluate_bool_and_string_require_that_type() {
    let env = env();
    let a = activation();
    let int = env.compile("snp.vmpl", Type::Dyn).unwrap();
    assert_eq!(
        int.evaluate_bool(&a).unwrap_err().message,
        "expected a bool result, got int"
    );
    assert!(int.evaluate_string(&a).is_err());
    let dynamic = env.compile("extra", Type::Bool).unwrap();
    let mut with_extra = a.child();
    with_extra.bind("extra", &json!("yes")).unwrap();
    assert!(
        dynamic.evaluate_bool(&with_extra).is_err(),
        "dyn checked at run time"
    );
    with_extra.bind("extra", &json!(true)).unwrap();
    assert_eq!(dynamic.evaluate_bool(&with_extra), Ok(true));
    let message = env
        .compile("'vmpl is ' + string(snp.vmpl)", Type::String)
        .unwrap();
    assert_eq!(message.evaluate_string(&a).as_deref(), Ok("vmpl is 0"));
}

#[test]
fn an_unbound_variable_fails_the_rule() {
    let env = env();
    let mut a = Activation::new(&env);
    a.bind("snp", &snp_claims()).unwrap();
    let rule = env.compile("size(gpus) == 0", Type::Bool).unwrap();
    assert!(rule.evaluate_bool(&a).is_err());
}

#[test]
fn binding_converts_by_the_declared_type() {
    let env = env();
    let mut a = Activation::new(&env);
    let bind_err = |a: &mut Activation, name: &str, value: Value| {
        a.bind(name, &value).expect_err(&value.to_string())
    };
    let mut claims = snp_claims();
    claims["vmpl"] = json!("0");
    let err = bind_err(&mut a, "snp", claims);
    assert_eq!(err.path, "snp.vmpl");
    assert_eq!(
        err.message,
        "expected an int (a signed 64-bit integer), got the string \"0\""
    );
    assert_eq!(
        err.to_string(),
        "`snp.vmpl`: expected an int (a signed 64-bit integer), got the string \"0\""
    );

    let mut claims = snp_claims();
    claims["guest_svn"] = json!(-1);
    assert_eq!(bind_err(&mut a, "snp", claims).path, "snp.guest_svn");
    let mut claims = snp_claims();
    claims["vmpl"] = json!(1.5);
    assert_eq!(bind_err(&mut a, "snp", claims).path, "snp.vmpl");
    let mut claims = snp_claims();
    claims["measurement"] = json!("0f0");
    assert!(bind_err(&mut a, "snp", claims)
        .message
        .contains("odd number"));
    let mut claims = snp_claims();
    claims["vek"]["not_after"] = json!("2030-01-01 00:00:00");
    assert_eq!(bind_err(&mut a, "snp", claims).path, "snp.vek.not_after");
    let mut claims = snp_claims();
    claims["max_age"] = json!("1h");
    assert_eq!(bind_err(&mut a, "snp", claims).path, "snp.max_age");
    let mut claims = snp_claims();
    claims["reported_tcb"]["tee"] = json!("0");
    assert_eq!(bind_err(&mut a, "snp", claims).path, "snp.reported_tcb.tee");
    let mut gpus = gpus_claims();
    gpus[1]["measurements"] = json!(["zz"]);
    assert_eq!(
        bind_err(&mut a, "gpus", gpus).path,
        "gpus[1].measurements[0]"
    );
    assert_eq!(
        bind_err(&mut a, "snp", json!([1])).message,
        "expected object{advisories, guest_svn, max_age, ...}, got a list of 1 item"
    );
    let err = bind_err(&mut a, "tdx", json!({}));
    assert_eq!(
        (err.path.as_str(), err.message.as_str()),
        ("tdx", "not a declared variable")
    );
}

/// Review item 9: an absent claim (JSON null) is not bound as CEL `null`, so a rule
/// reading it errs — and so fails — instead of `x != "v"` or `!(x in list)` passing.
#[test]
fn an_absent_claim_makes_a_rule_reading_it_err() {
    let mut claims = snp_claims();
    claims["measurement"] = Value::Null;
    claims["advisories"] = Value::Null;
    claims["vmpl"] = Value::Null;
    let mut a = activation();
    a.bind("snp", &claims).unwrap();
    for expr in [
        r#"snp.measurement != b"\xaa""#,
        r#"!("AMD-SN-3019" in snp.advisories)"#,
        "snp.vmpl != 1",
        "snp.vmpl == 0",
    ] {
        let rule = env().compile(expr, Type::Bool).unwrap();
        let e = rule.evaluate_bool(&a).expect_err(expr);
        assert!(e.message.contains("No such key"), "{expr}: {e:?}");
    }
    // Presence is tested with has().
    let rule = env()
        .compile("!has(snp.measurement) && has(snp.guest_svn)", Type::Bool)
        .unwrap();
    assert_eq!(rule.evaluate_bool(&a), Ok(true));
}

#[test]
fn lists_and_maps_are_capped_when_bound() {
    let mut a = Activation::new(&env());
    let mut claims = snp_claims();
    claims["advisories"] = json!(["a", "b", "c", "d"]);
    a.bind("snp", &claims).unwrap();
    claims["advisories"] = json!(["a", "b", "c", "d", "e"]);
    let err = a.bind("snp", &claims).unwrap_err();
    assert_eq!(err.path, "snp.advisories");
    assert_eq!(err.message, "5 entries, more than the limit of 4");

    let mut claims = snp_claims();
    claims["reported_tcb"]["fmc"] = json!(1);
    assert_eq!(a.bind("snp", &claims).unwrap_err().path, "snp.reported_tcb");

    let mut gpus = gpus_claims();
    gpus[0]["measurements"] = json!(["00", "01", "02", "03", "04"]);
    assert_eq!(
        a.bind("gpus", &gpus).unwrap_err().path,
        "gpus[0].measurements"
    );
    // Dyn values are capped too, and so is nesting.
    assert_eq!(
        a.bind("extra", &json!({"x": [1, 2, 3, 4, 5]}))
            .unwrap_err()
            .path,
        "extra.x"
    );
    let mut deep = json!(1);
    for _ in 0..100 {
        deep = json!([deep]);
    }
    assert!(a
        .bind("extra", &deep)
        .unwrap_err()
        .message
        .contains("nested deeper"));
}

#[test]
fn dyn_numbers_keep_their_kind() {
    let mut a = activation();
    a.bind(
        "extra",
        &json!({"i": -1, "u": 18446744073709551615u64, "d": 0.25}),
    )
    .unwrap();
    let env = env();
    let check = |source: &str, expected: Value| {
        let e = env.compile(source, Type::Dyn).unwrap();
        assert_eq!(e.evaluate(&a), Ok(expected), "{source}");
    };
    check("extra.i + 1", json!(0));
    check("extra.u", json!(18446744073709551615u64));
    check("extra.d * 2.0", json!(0.5));
}

#[test]
fn a_per_gpu_rule_binds_each_element_without_reconverting_the_rest() {
    let env = env();
    let per_gpu = env.with_variable("g", gpu().into());
    let rule = per_gpu
        .compile(
            "g.name.startsWith('H') && versionAtLeast(g.driver_version, '550.90') && snp.vmpl == 0",
            Type::Bool,
        )
        .unwrap();
    let base = activation();
    let mut results = Vec::new();
    for (i, g) in gpus_claims().as_array().unwrap().iter().enumerate() {
        let converted = per_gpu
            .convert(&format!("gpus[{i}]"), &gpu().into(), g)
            .unwrap();
        let mut a = base.child();
        a.bind_converted("g", converted);
        results.push(rule.evaluate_bool(&a).unwrap());
    }
    assert_eq!(results, [true, false]);
    // The base activation is unchanged by its children.
    assert!(base.get("g").is_none());
    // A bound value can be rebound under another name.
    let mut a = base.child();
    a.bind_converted("g", base.get("snp").unwrap().clone());
    let e = per_gpu.compile("g.vmpl", Type::Dyn);
    assert!(e.is_err(), "g is typed as a GPU");
    let any = env
        .with_variable("g", Type::Dyn)
        .compile("g.vmpl", Type::Dyn)
        .unwrap();
    assert_eq!(any.evaluate(&a), Ok(json!(0)));
    // And cel values bind as they are.
    a.bind_value("g", cel::Value::Int(7)).unwrap();
    let any = env
        .with_variable("g", Type::Int)
        .compile("g * 6", Type::Int)
        .unwrap();
    assert_eq!(any.evaluate(&a), Ok(json!(42)));
    // Errors in a converted value name the path given.
    let err = per_gpu
        .convert("gpus[7]", &gpu().into(), &json!({"name": 1}))
        .unwrap_err();
    assert_eq!(err.path, "gpus[7].name");
}

#[test]
fn an_expression_reports_its_source_and_type() {
    let e = env().compile("size(gpus)", Type::Dyn).unwrap();
    assert_eq!(e.source(), "size(gpus)");
    assert_eq!(e.result_type(), &Type::Int);
    assert_eq!(e.references(), ["gpus"]);
}

/// `now` is bound from seconds, not from its RFC 3339 text: both give the same
/// timestamp (equal, and printed the same), at a few instants including the epoch and a
/// leap day.
#[test]
fn a_timestamp_from_seconds_equals_the_same_instant_parsed() {
    use policy::cel::BoundValue;

    let env = Environment::new(
        Object::new()
            .field("direct", Type::Timestamp)
            .field("text", Type::Timestamp),
        limits(),
    );
    let same = env.compile("direct == text", Type::Bool).unwrap();
    let printed = env.compile("string(direct)", Type::String).unwrap();
    for secs in [0_u64, 951_782_400, 1_755_777_600, 4_102_444_799] {
        let at = verifier::time::from_secs(secs);
        let text = verifier::time::rfc3339(at);
        let mut activation = Activation::new(&env);
        activation.bind_converted("direct", BoundValue::timestamp(at).unwrap());
        activation.bind("text", &json!(text)).unwrap();
        assert!(same.evaluate_bool(&activation).unwrap(), "{text}");
        assert_eq!(
            printed.evaluate(&activation).unwrap(),
            json!(text),
            "{text}"
        );
    }
}
