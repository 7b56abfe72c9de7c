//! Helper functions for attestation policies, registered on the cel `Env`.
//!
//! CEL has no bitwise operators, no hex helpers and no version or SVN
//! comparison, all of which attestation claims need (TDX attributes, SNP
//! policy bits, VBIOS versions, TCB vectors). Every helper checks its input
//! and returns a cel error rather than panicking: a bad claim must fail the
//! rule, not the process.
//!
//! The names are global (`hasBits(x, m)`, not `bits.has(x, m)`): cel-rust
//! resolves `a.b(x)` as a method call on `a`.

use std::cmp::Ordering;

use cel::common::types::{
    CelBool, CelBytes, CelInt, CelList, CelMap, CelString, CelUInt, DYN_TYPE,
};
use cel::common::value::{CowVal, Val};
use cel::{DeclarationError, Env, ExecutionError};

use super::types::Type;

/// Registers every helper on `env`. Parameters are declared `dyn` and each
/// helper checks its arguments itself, so one overload covers all the value
/// forms it accepts (int, uint or hex string, say).
pub(crate) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    let dyn2 = || vec![DYN_TYPE, DYN_TYPE];
    env.add_overload("hasBits", "verdict_has_bits", dyn2(), has_bits)?;
    env.add_overload("bit", "verdict_bit", dyn2(), bit)?;
    env.add_overload("leUint", "verdict_le_uint", vec![DYN_TYPE], le_uint)?;
    env.add_overload("hexEqual", "verdict_hex_equal", dyn2(), hex_equal)?;
    env.add_overload(
        "hexDecode",
        "verdict_hex_decode",
        vec![DYN_TYPE],
        hex_decode,
    )?;
    env.add_overload(
        "hexEncode",
        "verdict_hex_encode",
        vec![DYN_TYPE],
        hex_encode,
    )?;
    env.add_overload(
        "versionCompare",
        "verdict_version_compare",
        dyn2(),
        version_compare,
    )?;
    env.add_overload(
        "versionAtLeast",
        "verdict_version_at_least",
        dyn2(),
        version_at_least,
    )?;
    env.add_overload("svnAtLeast", "verdict_svn_at_least", dyn2(), svn_at_least)?;
    Ok(())
}

/// Why a helper call does not type-check: the argument at fault (`None` for
/// the call as a whole) and a message.
pub(crate) type HelperMismatch = (Option<usize>, String);

/// What the checker needs to know about a helper call: its result type, or
/// why the argument types are wrong. `None` if `name` is not a helper.
pub(crate) fn check_helper(name: &str, args: &[Type]) -> Option<Result<Type, HelperMismatch>> {
    let arity = match name {
        "leUint" | "hexDecode" | "hexEncode" => 1,
        "hasBits" | "bit" | "hexEqual" | "versionCompare" | "versionAtLeast" | "svnAtLeast" => 2,
        _ => return None,
    };
    if args.len() != arity {
        return Some(Err((
            None,
            format!(
                "`{name}` takes {arity} argument{}, got {}",
                if arity == 1 { "" } else { "s" },
                args.len()
            ),
        )));
    }
    let arg = |i: usize| args.get(i).unwrap_or(&Type::Dyn);
    let expect = |i: usize, ok: bool, what: &str| -> Result<(), HelperMismatch> {
        if ok || *arg(i) == Type::Dyn {
            Ok(())
        } else {
            Err((
                Some(i),
                format!(
                    "argument {} of `{name}` is {}, expected {what}",
                    i + 1,
                    arg(i)
                ),
            ))
        }
    };
    let number = |t: &Type| matches!(t, Type::Int | Type::Uint | Type::String);
    let hexish = |t: &Type| matches!(t, Type::String | Type::Bytes);
    let result = match name {
        "hasBits" => expect(0, number(arg(0)), "int, uint or hex string")
            .and_then(|()| expect(1, number(arg(1)), "int, uint or hex string"))
            .map(|()| Type::Bool),
        "bit" => expect(0, number(arg(0)), "int, uint or hex string")
            .and_then(|()| expect(1, matches!(arg(1), Type::Int | Type::Uint), "int"))
            .map(|()| Type::Bool),
        "leUint" => expect(0, hexish(arg(0)), "hex string or bytes").map(|()| Type::Uint),
        "hexEqual" => expect(0, *arg(0) == Type::String, "hex string")
            .and_then(|()| expect(1, *arg(1) == Type::String, "hex string"))
            .map(|()| Type::Bool),
        "hexDecode" => expect(0, *arg(0) == Type::String, "hex string").map(|()| Type::Bytes),
        "hexEncode" => expect(0, *arg(0) == Type::Bytes, "bytes").map(|()| Type::String),
        "versionCompare" | "versionAtLeast" => expect(0, *arg(0) == Type::String, "string")
            .and_then(|()| expect(1, *arg(1) == Type::String, "string"))
            .map(|()| {
                if name == "versionCompare" {
                    Type::Int
                } else {
                    Type::Bool
                }
            }),
        _ => check_svn(arg(0), arg(1)),
    };
    Some(result)
}

/// `svnAtLeast(a, b)`: two lists of ints, two maps (or objects), or two hex
/// strings (or bytes).
fn check_svn(a: &Type, b: &Type) -> Result<Type, HelperMismatch> {
    fn shape(t: &Type) -> Option<u8> {
        match t {
            Type::List(item) if matches!(**item, Type::Int | Type::Uint | Type::Dyn) => Some(0),
            Type::Map(value) if matches!(**value, Type::Int | Type::Uint | Type::Dyn) => Some(1),
            Type::Object(_) => Some(1),
            Type::String | Type::Bytes => Some(2),
            _ => None,
        }
    }
    let ok = match (a, b) {
        (Type::Dyn, other) | (other, Type::Dyn) => *other == Type::Dyn || shape(other).is_some(),
        _ => matches!((shape(a), shape(b)), (Some(x), Some(y)) if x == y),
    };
    if ok {
        Ok(Type::Bool)
    } else {
        Err((
            None,
            format!(
                "`svnAtLeast` compares two lists of ints, two maps of ints or two hex strings, got {a} and {b}"
            ),
        ))
    }
}

type Result2<'b, 'v> = Result<CowVal<'b, 'v>, ExecutionError>;

fn fail(function: &str, message: impl ToString) -> ExecutionError {
    ExecutionError::function_error(function, message)
}

fn arg<'a, 'b, 'v>(
    args: &'a [CowVal<'b, 'v>],
    i: usize,
    function: &str,
) -> Result<&'a (dyn Val + 'v), ExecutionError> {
    args.get(i)
        .map(|a| a.as_ref())
        .ok_or_else(|| fail(function, "missing argument"))
}

fn type_name(v: &dyn Val) -> &str {
    v.get_type().name()
}

fn string_arg<'a, 'v>(v: &'a (dyn Val + 'v), function: &str) -> Result<&'a str, ExecutionError> {
    v.downcast_ref::<CelString<'_>>()
        .map(|s| s.inner())
        .ok_or_else(|| fail(function, format!("expected a string, got {}", type_name(v))))
}

fn boolean<'b, 'v>(b: bool) -> CowVal<'b, 'v> {
    CowVal::owned(CelBool::from(b))
}

/// Strips an optional `0x`/`0X` prefix.
fn strip_0x(s: &str) -> &str {
    s.strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s)
}

/// The value of each ASCII hex digit; 0xff for anything else.
const NIBBLES: [u8; 256] = {
    let mut table = [0xff_u8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// A hex byte string (optional `0x`, even length) decoded.
///
/// Hand-rolled rather than `hex::decode`: claims carry many hex fields
/// (measurements, digests), and a table lookup per digit is several times
/// faster, which shows in the cost of binding a claims tree.
pub(crate) fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    let digits = strip_0x(s).as_bytes();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits in {s:?}"));
    }
    let nibble = |c: u8| NIBBLES.get(usize::from(c)).copied().unwrap_or(0xff);
    let mut invalid = 0;
    let bytes: Vec<u8> = digits
        .chunks_exact(2)
        .map(|pair| {
            let (high, low) = match *pair {
                [high, low] => (nibble(high), nibble(low)),
                _ => (0xff, 0xff),
            };
            // Checked once at the end: 0xff has bits a nibble cannot have.
            invalid |= high | low;
            (high << 4) | (low & 0x0f)
        })
        .collect();
    if invalid > 0x0f {
        return Err(format!("invalid hex {s:?}"));
    }
    Ok(bytes)
}

/// A hex string read as a big-endian unsigned number of up to 16 digits.
fn hex_number(s: &str) -> Result<u64, String> {
    let digits = strip_0x(s);
    if digits.is_empty() || digits.len() > 16 {
        return Err(format!("expected 1 to 16 hex digits, got {s:?}"));
    }
    u64::from_str_radix(digits, 16)
        .ok()
        .filter(|_| digits.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| format!("invalid hex number {s:?}"))
}

/// An int (not negative), uint or hex string as a u64.
fn unsigned(v: &dyn Val, function: &str) -> Result<u64, ExecutionError> {
    if let Some(i) = v.downcast_ref::<CelInt>() {
        let i = *i.inner();
        return u64::try_from(i).map_err(|_| fail(function, format!("negative value {i}")));
    }
    if let Some(u) = v.downcast_ref::<CelUInt>() {
        return Ok(*u.inner());
    }
    if let Some(s) = v.downcast_ref::<CelString<'_>>() {
        return hex_number(s.inner()).map_err(|m| fail(function, m));
    }
    Err(fail(
        function,
        format!("expected int, uint or hex string, got {}", type_name(v)),
    ))
}

/// A string (hex) or bytes value as bytes.
fn byte_string(v: &dyn Val, function: &str) -> Result<Vec<u8>, ExecutionError> {
    if let Some(b) = v.downcast_ref::<CelBytes<'_>>() {
        return Ok(b.inner().to_vec());
    }
    if let Some(s) = v.downcast_ref::<CelString<'_>>() {
        return decode_hex(s.inner()).map_err(|m| fail(function, m));
    }
    Err(fail(
        function,
        format!("expected a hex string or bytes, got {}", type_name(v)),
    ))
}

/// `hasBits(value, mask)`: every bit set in `mask` is set in `value`.
fn has_bits<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result2<'b, 'v> {
    const F: &str = "hasBits";
    let value = unsigned(arg(&args, 0, F)?, F)?;
    let mask = unsigned(arg(&args, 1, F)?, F)?;
    Ok(boolean(value & mask == mask))
}

/// `bit(value, n)`: bit `n` (0 = least significant) of `value`.
fn bit<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result2<'b, 'v> {
    const F: &str = "bit";
    let value = unsigned(arg(&args, 0, F)?, F)?;
    let n = arg(&args, 1, F)?;
    let index = if let Some(i) = n.downcast_ref::<CelInt>() {
        u64::try_from(*i.inner()).ok()
    } else if let Some(u) = n.downcast_ref::<CelUInt>() {
        Some(*u.inner())
    } else {
        return Err(fail(
            F,
            format!("bit index must be an int, got {}", type_name(n)),
        ));
    };
    let index = index
        .and_then(|i| u32::try_from(i).ok())
        .filter(|i| *i < 64)
        .ok_or_else(|| fail(F, "bit index must be 0 to 63"))?;
    Ok(boolean(value.checked_shr(index).unwrap_or(0) & 1 == 1))
}

/// `leUint(hex)`: up to 8 bytes read little-endian, as TDX attribute
/// fields are encoded.
fn le_uint<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result2<'b, 'v> {
    const F: &str = "leUint";
    let bytes = byte_string(arg(&args, 0, F)?, F)?;
    if bytes.is_empty() || bytes.len() > 8 {
        return Err(fail(
            F,
            format!("expected 1 to 8 bytes, got {}", bytes.len()),
        ));
    }
    let value = bytes
        .iter()
        .rev()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    Ok(CowVal::owned(CelUInt::from(value)))
}

/// `hexEqual(a, b)`: the same bytes, whatever the case or `0x` prefix.
fn hex_equal<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result2<'b, 'v> {
    const F: &str = "hexEqual";
    let a = decode_hex(string_arg(arg(&args, 0, F)?, F)?).map_err(|m| fail(F, m))?;
    let b = decode_hex(string_arg(arg(&args, 1, F)?, F)?).map_err(|m| fail(F, m))?;
    Ok(boolean(a == b))
}

/// `hexDecode(string) -> bytes`.
fn hex_decode<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result2<'b, 'v> {
    const F: &str = "hexDecode";
    let bytes = decode_hex(string_arg(arg(&args, 0, F)?, F)?).map_err(|m| fail(F, m))?;
    Ok(CowVal::owned(CelBytes::from(bytes)))
}

/// `hexEncode(bytes) -> string`, lower case.
fn hex_encode<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result2<'b, 'v> {
    const F: &str = "hexEncode";
    let v = arg(&args, 0, F)?;
    let bytes = v
        .downcast_ref::<CelBytes<'_>>()
        .ok_or_else(|| fail(F, format!("expected bytes, got {}", type_name(v))))?;
    Ok(CowVal::owned(CelString::from(hex::encode(bytes.inner()))))
}

fn version_args(args: &[CowVal<'_, '_>], function: &str) -> Result<Ordering, ExecutionError> {
    let a = string_arg(arg(args, 0, function)?, function)?;
    let b = string_arg(arg(args, 1, function)?, function)?;
    compare_versions(a, b).map_err(|m| fail(function, m))
}

/// `versionCompare(a, b)`: -1, 0 or 1.
fn version_compare<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result2<'b, 'v> {
    let ordering = version_args(&args, "versionCompare")?;
    Ok(CowVal::owned(CelInt::from(ordering as i64)))
}

/// `versionAtLeast(a, b)`: `versionCompare(a, b) >= 0`.
fn version_at_least<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result2<'b, 'v> {
    let ordering = version_args(&args, "versionAtLeast")?;
    Ok(boolean(ordering != Ordering::Less))
}

/// Compares dotted versions component by component: numerically when both
/// components are decimal, as hex numbers when both are hex (NVIDIA VBIOS
/// versions such as `96.00.9F.00.01`); a missing trailing component is 0.
pub(crate) fn compare_versions(a: &str, b: &str) -> Result<Ordering, String> {
    let a_parts = version_components(a)?;
    let b_parts = version_components(b)?;
    let count = a_parts.len().max(b_parts.len());
    for i in 0..count {
        let x = a_parts.get(i).copied().unwrap_or("0");
        let y = b_parts.get(i).copied().unwrap_or("0");
        let ordering = compare_digits(x, y);
        if ordering != Ordering::Equal {
            return Ok(ordering);
        }
    }
    Ok(Ordering::Equal)
}

/// The components of a version; each must be non-empty hex digits (which
/// includes decimal).
fn version_components(v: &str) -> Result<Vec<&str>, String> {
    let parts: Vec<&str> = v.split('.').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(format!("not a dotted version: {v:?}"));
    }
    Ok(parts)
}

/// Compares two components as numbers: decimal if both are, hex otherwise
/// (both are hex digits by then). Works on the digit strings, so any length
/// compares without overflow: without leading zeros, the longer number is
/// larger, and equal lengths compare digit by digit. That order is the same
/// in base 10 and base 16 (lower-cased, ASCII puts `0-9` before `a-f`), so
/// one comparison serves both cases.
fn compare_digits(x: &str, y: &str) -> Ordering {
    let x = x.trim_start_matches('0').to_ascii_lowercase();
    let y = y.trim_start_matches('0').to_ascii_lowercase();
    x.len().cmp(&y.len()).then_with(|| x.cmp(&y))
}

/// `svnAtLeast(a, b)`: `a` is at least `b`, component by component.
fn svn_at_least<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result2<'b, 'v> {
    const F: &str = "svnAtLeast";
    let a = arg(&args, 0, F)?;
    let b = arg(&args, 1, F)?;
    if let (Some(a), Some(b)) = (
        a.downcast_ref::<CelList<'_>>(),
        b.downcast_ref::<CelList<'_>>(),
    ) {
        if a.len() != b.len() {
            return Err(fail(
                F,
                format!("lists of different lengths ({} and {})", a.len(), b.len()),
            ));
        }
        for (x, y) in a.iter().zip(b.iter()) {
            if svn_int(x.as_ref(), F)? < svn_int(y.as_ref(), F)? {
                return Ok(boolean(false));
            }
        }
        return Ok(boolean(true));
    }
    if let (Some(a), Some(b)) = (
        a.downcast_ref::<CelMap<'_>>(),
        b.downcast_ref::<CelMap<'_>>(),
    ) {
        let mut at_least = true;
        // Every key of the reference must be present and compared, even after
        // a lower one is found, so a malformed claim is always an error.
        for (key, reference) in b.iter() {
            let Some(actual) = a.get(key) else {
                let name = key
                    .inner()
                    .downcast_ref::<CelString<'_>>()
                    .map_or_else(|| format!("{:?}", key.inner()), |s| s.inner().to_owned());
                return Err(fail(F, format!("missing key `{name}`")));
            };
            if svn_int(actual.as_ref(), F)? < svn_int(reference.as_ref(), F)? {
                at_least = false;
            }
        }
        return Ok(boolean(at_least));
    }
    let hex_like = |v: &dyn Val| {
        v.downcast_ref::<CelString<'_>>().is_some() || v.downcast_ref::<CelBytes<'_>>().is_some()
    };
    if hex_like(a) && hex_like(b) {
        let x = byte_string(a, F)?;
        let y = byte_string(b, F)?;
        if x.len() != y.len() {
            return Err(fail(
                F,
                format!(
                    "SVNs of different lengths ({} and {} bytes)",
                    x.len(),
                    y.len()
                ),
            ));
        }
        return Ok(boolean(x.iter().zip(&y).all(|(p, q)| p >= q)));
    }
    Err(fail(
        F,
        format!(
            "cannot compare {} with {}: expected two lists, two maps or two hex strings",
            type_name(a),
            type_name(b)
        ),
    ))
}

/// An SVN component: an int or uint, widened so both compare.
fn svn_int(v: &dyn Val, function: &str) -> Result<i128, ExecutionError> {
    if let Some(i) = v.downcast_ref::<CelInt>() {
        return Ok(i128::from(*i.inner()));
    }
    if let Some(u) = v.downcast_ref::<CelUInt>() {
        return Ok(i128::from(*u.inner()));
    }
    Err(fail(
        function,
        format!("SVN components must be ints, got {}", type_name(v)),
    ))
}
