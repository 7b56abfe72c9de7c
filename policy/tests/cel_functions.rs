//! The attestation helpers: normal cases, boundaries and errors.
//!
//! Literal arguments exercise the typed path; the `a`/`b` variables are
//! `dyn`, so that arguments of the wrong shape reach the helper at run time.

use policy::cel::{Activation, Environment, Limits, Object, Type};
use serde_json::{json, Value};

fn env() -> Environment {
    Environment::new(
        Object::new()
            .field("a", Type::Dyn)
            .field("b", Type::Dyn)
            .field("tcb", Type::map(Type::Int)),
        Limits::default(),
    )
}

/// Evaluates `source` with `a` and `b` bound.
fn eval_with(source: &str, a: Value, b: Value) -> Result<Value, String> {
    let env = env();
    let expr = env
        .compile(source, Type::Dyn)
        .unwrap_or_else(|e| panic!("{source:?}: {e}"));
    let mut activation = Activation::new(&env);
    activation.bind("a", &a).unwrap();
    activation.bind("b", &b).unwrap();
    activation
        .bind(
            "tcb",
            &json!({"bootloader": 7, "tee": 0, "snp": 14, "microcode": 72}),
        )
        .unwrap();
    expr.evaluate(&activation).map_err(|e| e.message)
}

fn eval(source: &str) -> Result<Value, String> {
    eval_with(source, Value::Null, Value::Null)
}

fn is_true(source: &str) {
    assert_eq!(eval(source), Ok(json!(true)), "{source}");
}

fn is_false(source: &str) {
    assert_eq!(eval(source), Ok(json!(false)), "{source}");
}

/// Asserts an evaluation error that mentions `needle`.
fn fails(source: &str, needle: &str) {
    match eval(source) {
        Ok(v) => panic!("{source}: expected an error, got {v}"),
        Err(e) => assert!(e.contains(needle), "{source}: {e:?} lacks {needle:?}"),
    }
}

fn fails_with(source: &str, a: Value, b: Value, needle: &str) {
    match eval_with(source, a, b) {
        Ok(v) => panic!("{source}: expected an error, got {v}"),
        Err(e) => assert!(e.contains(needle), "{source}: {e:?} lacks {needle:?}"),
    }
}

#[test]
fn has_bits_tests_every_bit_of_the_mask() {
    is_true("hasBits(0x30000, 0x10000)");
    is_true("hasBits(0x30000, 0x30000)");
    is_false("hasBits(0x30000, 0x10001)");
    is_true("hasBits(0, 0)");
    is_true("hasBits(7u, 5u)");
    is_true("hasBits('0x30000', 0x20000)");
    is_true("hasBits('30000', '0X10000')");
    is_false("hasBits('0x0', '1')");
    is_true("hasBits('ffffffffffffffff', 18446744073709551615u)");
    is_true("hasBits(9223372036854775807, 4611686018427387904)");
    fails("hasBits(-1, 1)", "negative value -1");
    fails("hasBits(1, -4)", "negative value -4");
    fails("hasBits('1ffffffffffffffff', 1)", "1 to 16 hex digits");
    fails("hasBits('', 1)", "1 to 16 hex digits");
    fails("hasBits('0x', 1)", "1 to 16 hex digits");
    fails("hasBits('0xg1', 1)", "invalid hex");
    fails("hasBits('+1', 1)", "invalid hex");
    fails_with("hasBits(a, 1)", json!(1.5), Value::Null, "got double");
    fails_with("hasBits(a, b)", json!(1), json!([1]), "got list");
}

#[test]
fn bit_reads_one_bit() {
    is_true("bit(1, 0)");
    is_false("bit(2, 0)");
    is_true("bit(2, 1)");
    is_true("bit(9223372036854775808u, 63)");
    is_false("bit(9223372036854775807, 63)");
    is_true("bit('0x80', 7)");
    is_true("bit(1, 0u)");
    fails("bit(1, 64)", "0 to 63");
    fails("bit(1, -1)", "0 to 63");
    fails("bit(-2, 1)", "negative");
    fails_with(
        "bit(1, a)",
        json!("1"),
        Value::Null,
        "bit index must be an int",
    );
}

#[test]
fn le_uint_reads_little_endian_bytes() {
    assert_eq!(eval("leUint('01')"), Ok(json!(1)));
    assert_eq!(eval("leUint('0100')"), Ok(json!(1)));
    assert_eq!(eval("leUint('0001')"), Ok(json!(256)));
    assert_eq!(
        eval("leUint('0x0102030405060708')"),
        Ok(json!(0x0807_0605_0403_0201_u64))
    );
    assert_eq!(eval("leUint('ffffffffffffffff')"), Ok(json!(u64::MAX)));
    assert_eq!(eval("leUint(b'\\x01\\x02')"), Ok(json!(0x0201)));
    // TDX: td_attributes bit 0 is DEBUG.
    is_true("bit(leUint('0100000000000000'), 0)");
    fails("leUint('010203040506070809')", "1 to 8 bytes, got 9");
    fails("leUint('')", "1 to 8 bytes, got 0");
    fails("leUint('123')", "odd number of hex digits");
    fails("leUint('zz')", "invalid hex");
}

#[test]
fn hex_equal_ignores_case_and_prefix() {
    is_true("hexEqual('0xABcd', 'abCD')");
    is_true("hexEqual('abcd', '0Xabcd')");
    is_true("hexEqual('', '0x')");
    is_false("hexEqual('ab', 'abcd')");
    is_false("hexEqual('abce', 'abcd')");
    fails("hexEqual('zz', 'zz')", "invalid hex");
    fails("hexEqual('abc', 'abc')", "odd number");
    fails_with(
        "hexEqual(a, 'ab')",
        json!(1),
        Value::Null,
        "expected a string",
    );
}

#[test]
fn hex_decode_and_encode_round_trip() {
    is_true("hexEncode(hexDecode('0xDEADbeef')) == 'deadbeef'");
    is_true("hexDecode('00ff') == b'\\x00\\xff'");
    assert_eq!(eval("hexEncode(b'\\x01\\xff')"), Ok(json!("01ff")));
    assert_eq!(eval("size(hexDecode(''))"), Ok(json!(0)));
    fails("hexDecode('abc')", "odd number");
    fails("hexDecode('0xgg')", "invalid hex");
    fails_with("hexEncode(a)", json!("ab"), Value::Null, "expected bytes");
}

#[test]
fn versions_compare_component_by_component() {
    let cmp = |a: &str, b: &str| eval(&format!("versionCompare('{a}', '{b}')"));
    assert_eq!(cmp("550.90", "550.90.0"), Ok(json!(0)));
    assert_eq!(cmp("550.90.0.0", "550.90"), Ok(json!(0)));
    assert_eq!(cmp("550.90.07", "550.54.15"), Ok(json!(1)));
    assert_eq!(cmp("550.54.15", "550.90.07"), Ok(json!(-1)));
    assert_eq!(cmp("1.2", "1.10"), Ok(json!(-1)), "numeric, not lexical");
    assert_eq!(cmp("10", "9"), Ok(json!(1)));
    assert_eq!(cmp("01.0", "1"), Ok(json!(0)), "leading zeros");
    assert_eq!(cmp("550.90.1", "550.90"), Ok(json!(1)));
    // NVIDIA VBIOS versions are hex.
    assert_eq!(cmp("96.00.9F.00.01", "96.00.A0.00.00"), Ok(json!(-1)));
    assert_eq!(cmp("96.00.a0.00.01", "96.00.A0.00.01"), Ok(json!(0)));
    assert_eq!(cmp("96.00.A0", "96.00.9"), Ok(json!(1)));
    assert_eq!(
        cmp("99999999999999999999999.1", "99999999999999999999998.9"),
        Ok(json!(1)),
        "no overflow"
    );
    for bad in [
        "", "1..2", "1.", ".1", "v1.2", "1.2-beta", " 1.2", "1.2 ", "1,2",
    ] {
        fails(
            &format!("versionCompare('{bad}', '1')"),
            "not a dotted version",
        );
        fails(
            &format!("versionAtLeast('1', '{bad}')"),
            "not a dotted version",
        );
    }
    is_true("versionAtLeast('550.90', '550.90')");
    is_true("versionAtLeast('550.90.07', '550.54.15')");
    is_false("versionAtLeast('550.54', '550.90')");
    fails_with(
        "versionAtLeast(a, '1')",
        json!(1),
        Value::Null,
        "expected a string",
    );
}

#[test]
fn svn_at_least_compares_lists() {
    is_true("svnAtLeast([2, 3], [2, 3])");
    is_true("svnAtLeast([3, 3], [2, 3])");
    is_false("svnAtLeast([3, 2], [2, 3])");
    is_true("svnAtLeast([], [])");
    is_true("svnAtLeast([1u], [1])");
    fails("svnAtLeast([1, 2], [1])", "different lengths (2 and 1)");
    fails_with(
        "svnAtLeast(a, [1])",
        json!(["1"]),
        Value::Null,
        "must be ints",
    );
}

#[test]
fn svn_at_least_compares_the_keys_of_the_reference_map() {
    is_true("svnAtLeast(tcb, {'bootloader': 7, 'tee': 0, 'snp': 14, 'microcode': 72})");
    is_true("svnAtLeast(tcb, {'snp': 13})");
    is_false("svnAtLeast(tcb, {'bootloader': 7, 'snp': 15})");
    is_true("svnAtLeast(tcb, {})");
    fails("svnAtLeast(tcb, {'fmc': 1})", "missing key `fmc`");
    // Non-int values are fine where the reference has no such key...
    let tcb = json!({"bootloader": 7, "snp": 14, "raw": "0x0e000007"});
    assert_eq!(
        eval_with("svnAtLeast(a, {'snp': 14})", tcb.clone(), Value::Null),
        Ok(json!(true))
    );
    // ...and an error where it has.
    fails_with(
        "svnAtLeast(a, {'raw': 1})",
        tcb,
        Value::Null,
        "must be ints",
    );
    fails_with(
        "svnAtLeast(tcb, b)",
        Value::Null,
        json!({"snp": "14"}),
        "must be ints",
    );
}

#[test]
fn svn_at_least_compares_hex_strings_byte_by_byte() {
    is_true("svnAtLeast('0203', '0102')");
    is_true("svnAtLeast('0x0203', '0203')");
    is_false("svnAtLeast('0103', '0202')");
    is_true("svnAtLeast('ff00', 'fe00')");
    is_true("svnAtLeast(b'\\x02', '02')");
    fails(
        "svnAtLeast('0203', '02')",
        "different lengths (2 and 1 bytes)",
    );
    fails("svnAtLeast('020', '020')", "odd number");
    fails("svnAtLeast('zz', 'zz')", "invalid hex");
}

#[test]
fn svn_at_least_refuses_mismatched_shapes() {
    fails_with(
        "svnAtLeast(a, b)",
        json!([1]),
        json!("01"),
        "cannot compare list with string",
    );
    fails_with(
        "svnAtLeast(a, b)",
        json!({"a": 1}),
        json!([1]),
        "cannot compare map with list",
    );
    fails_with(
        "svnAtLeast(a, b)",
        json!(1),
        json!(1),
        "cannot compare int with int",
    );
}
