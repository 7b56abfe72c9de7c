//! Hand-written claims (a policy's tests, `verdict policy test`) are refused with the
//! field, what it must be and what it holds (issue 12).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use policy::{appraise, AppraiseError, Input, Policy};
use serde_json::{json, Value};

/// Reads every claim the checks below touch, so that binding converts them all.
const POLICY: &str = r#"
policy: input
version: 1
snp:
  rules:
    - id: r
      claim: hardware
      expr: snp.vmpl == 0 && snp.guest_svn >= 0 && snp.launch_mit_vector >= 0
      on_fail: UNSAFE_HARDWARE
      message: m
    - id: b
      claim: configuration
      expr: '!snp.policy.debug'
      on_fail: UNSAFE_CONFIG
      message: m
gpu:
  rules:
    - id: g
      claim: hardware
      expr: gpu.board_id >= 0 && size(gpu.mismatched_indices) >= 0
      on_fail: UNSAFE_HARDWARE
      message: m
"#;

fn input_err(input: Value) -> String {
    Input::from_unverified_json_for_testing(&input)
        .map(|_| ())
        .expect_err("must be refused")
}

/// The error binding gives, for values that pass the range check.
fn bind_err(input: Value) -> String {
    let policy = Policy::from_yaml(POLICY).unwrap();
    let input = Input::from_unverified_json_for_testing(&input).unwrap();
    match appraise(&policy, &input) {
        Err(AppraiseError::Bind { message, .. }) => message,
        other => panic!("expected a bind error, got {other:?}"),
    }
}

#[test]
fn integers_out_of_their_field_range() {
    // vmpl is a u32 in the report (AMD 56860 Table 23, offset 0x30).
    assert_eq!(
        input_err(json!({"snp": {"vmpl": 4_294_967_296_u64}})),
        "`snp.vmpl`: expected an integer from 0 to 4294967295, got 4294967296"
    );
    assert_eq!(
        input_err(json!({"snp": {"vmpl": -1}})),
        "`snp.vmpl`: expected an integer from 0 to 4294967295, got -1, negative"
    );
    assert_eq!(
        input_err(json!({"snp": {"vmpl": 1.5}})),
        "`snp.vmpl`: expected an integer from 0 to 4294967295, got 1.5, a fraction"
    );
    assert_eq!(
        input_err(json!({"snp": {"vmpl": 2.0}})),
        "`snp.vmpl`: expected an integer from 0 to 4294967295, got 2.0, written as a decimal number"
    );
    let beyond =
        serde_json::from_str::<Value>(r#"{"snp": {"vmpl": 18446744073709551616}}"#).unwrap();
    assert_eq!(
        input_err(beyond),
        "`snp.vmpl`: expected an integer from 0 to 4294967295, got 1.8446744073709552e+19, beyond 64 bits"
    );
    assert_eq!(
        input_err(json!({"snp": {"vmpl": "0"}})),
        "`snp.vmpl`: expected an integer from 0 to 4294967295, got the string \"0\""
    );
    // TCB components are bytes; nested fields are named in full.
    assert_eq!(
        input_err(json!({"snp": {"reported_tcb": {"snp": 256}}})),
        "`snp.reported_tcb.snp`: expected an integer from 0 to 255, got 256"
    );
    // A u64 claim is capped at CEL's int.
    assert_eq!(
        input_err(json!({"snp": {"launch_mit_vector": u64::MAX}})),
        "`snp.launch_mit_vector`: expected an integer from 0 to 9223372036854775807, got 18446744073709551615"
    );
    // GPUs by index, list items by index, records in lists by field.
    assert_eq!(
        input_err(json!({"gpus": [{}, {"board_id": -5}]})),
        "`gpus[1].board_id`: expected an integer from 0 to 4294967295, got -5, negative"
    );
    assert_eq!(
        input_err(json!({"gpus": [{"mismatched_indices": [1, 2, true]}]})),
        "`gpus[0].mismatched_indices[2]`: expected an integer from 0 to 4294967295, got the bool true"
    );
    assert_eq!(
        input_err(json!({"tdx": {"sgx_tcb_components": [1, 300]}})),
        "`tdx.sgx_tcb_components[1]`: expected an integer from 0 to 255, got 300"
    );
    assert_eq!(
        input_err(
            json!({"tdx": {"event_log": [{"rtmr": 0}, {"rtmr": 4, "mr_index": 99}, {"rtmr": 256}]}})
        ),
        "`tdx.event_log[2].rtmr`: expected an integer from 0 to 255, got 256"
    );
    assert_eq!(
        input_err(json!({"gpus": [{"mismatches": [{"index": -1}]}]})),
        "`gpus[0].mismatches[0].index`: expected an integer from 0 to 4294967295, got -1, negative"
    );
    // In range, every one of them is accepted; null is an absent claim.
    Input::from_unverified_json_for_testing(
        &json!({"snp": {"vmpl": 4_294_967_295_u64, "reported_tcb": {"snp": 255, "fmc": null}}}),
    )
    .unwrap();
}

#[test]
fn binding_names_the_value_and_what_is_wrong() {
    // Claims without a narrower range are CEL ints: the message says what an int is.
    assert_eq!(
        bind_err(json!({"snp": {"vmpl": 0, "policy": {"debug": "no"}}})),
        "`snp.policy.debug`: expected bool, got the string \"no\""
    );
    assert_eq!(
        bind_err(json!({"snp": {"vmpl": 0, "policy": [1, 2]}})),
        "`snp.policy`: expected object{abi_major, abi_minor, ciphertext_hiding, ...}, got a list of 2 items"
    );
    let long = "x".repeat(100);
    assert_eq!(
        bind_err(json!({"snp": {"vmpl": 0, "policy": {"debug": long}}})),
        format!(
            "`snp.policy.debug`: expected bool, got the string \"{}\"… (100 bytes)",
            "x".repeat(40)
        )
    );
}

#[test]
fn the_input_object_itself() {
    assert_eq!(
        input_err(json!([])),
        "expected an object of claims, got a list of 0 items"
    );
    assert_eq!(
        input_err(json!({"snp": {}, "tdx": {}})),
        "give claims for one CPU TEE only (snp, tdx or sgx), not both snp and tdx"
    );
    assert_eq!(
        input_err(json!({"snp": "all good"})),
        "`snp`: expected an object of snp claims, got the string \"all good\""
    );
    assert_eq!(
        input_err(json!({"gpus": [{}, 7]})),
        "`gpus[1]`: expected an object of gpu claims, got the integer 7"
    );
    assert_eq!(
        input_err(json!({"gpus": {}})),
        "`gpus`: expected a list of GPU claims, got an object"
    );
    assert_eq!(
        input_err(json!({"warnings": ["a", 3]})),
        "`warnings[1]`: expected a warning code (a string), got the integer 3"
    );
    assert_eq!(
        input_err(json!({"warnings": "a"})),
        "`warnings`: expected a list of warning codes, got the string \"a\""
    );
    assert_eq!(
        input_err(json!({"nonce": "xy"})),
        "`nonce`: expected hex, got the string \"xy\": Invalid character 'x' at position 0"
    );
    assert_eq!(
        input_err(json!({"nonce": 12})),
        "`nonce`: expected a hex string, got the integer 12"
    );
    assert_eq!(
        input_err(json!({"now": "2025-02-30T00:00:00Z"})),
        "`now`: `2025-02-30T00:00:00Z` is not an RFC 3339 time: the day is out of range"
    );
    assert_eq!(
        input_err(json!({"now": 1_750_000_000})),
        "`now`: expected an RFC 3339 time (a string), got the integer 1750000000"
    );
}

#[test]
fn json_text_with_duplicate_members_is_refused() {
    let e = Input::from_unverified_json_for_testing_slice(br#"{"snp": {"vmpl": 0, "vmpl": 3}}"#)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e, "claims: duplicate member \"vmpl\" at line 1 column 26");
    let input = Input::from_unverified_json_for_testing_slice(
        br#"{"snp": {"vmpl": 3}, "now": "2025-06-15T15:06:40Z"}"#,
    )
    .unwrap();
    assert_eq!(verifier::time::secs(input.now()), 1_750_000_000);
    assert!(Input::from_unverified_json_for_testing_slice(b"{").is_err());
}

#[test]
fn cel_int_and_uint_bindings_say_what_is_wrong() {
    use policy::cel::{Activation, Environment, Limits, Object, Type};
    let env = Environment::new(
        Object::new().field("i", Type::Int).field("u", Type::Uint),
        Limits::default(),
    );
    let err = |name: &str, value: Value| {
        Activation::new(&env)
            .bind(name, &value)
            .expect_err(&value.to_string())
            .to_string()
    };
    assert_eq!(
        err("i", json!(u64::MAX)),
        "`i`: expected an int (a signed 64-bit integer), got 18446744073709551615"
    );
    assert_eq!(
        err("i", json!(0.25)),
        "`i`: expected an int (a signed 64-bit integer), got 0.25, a fraction"
    );
    assert_eq!(
        err("i", json!(-1e30)),
        "`i`: expected an int (a signed 64-bit integer), got -1e+30, beyond 64 bits"
    );
    assert_eq!(
        err("i", json!([1])),
        "`i`: expected an int (a signed 64-bit integer), got a list of 1 item"
    );
    assert_eq!(
        err("u", json!(-3)),
        "`u`: expected a uint (an unsigned 64-bit integer), got -3, negative"
    );
}
