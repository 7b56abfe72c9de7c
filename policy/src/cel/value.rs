//! Conversion between JSON claims and cel values, in both directions.
//!
//! Claims are converted once per request into cel's own value types
//! (`CelMap`, `CelList`, ...), guided by the schema: the schema says which
//! strings are timestamps, durations or hex bytes, and which numbers are
//! unsigned. Evaluation then borrows those values without copying them.

use std::collections::HashMap;
use std::str::FromStr;

use cel::common::types::{
    CelBool, CelBytes, CelDouble, CelDuration, CelInt, CelList, CelMap, CelMapKey, CelNull,
    CelString, CelTimestamp, CelUInt,
};
use cel::common::value::Val;
use serde_json::{Map as JsonMap, Number, Value as Json};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::error::{BindError, EvalError};
use super::types::Type;

/// How deep a JSON value may nest. Claims trees are a handful of levels
/// deep; the cap keeps conversion's recursion far from the stack limit.
pub(super) const MAX_JSON_DEPTH: usize = 64;

/// The range of a `google.protobuf.Duration`, which is what CEL durations are:
/// ±10,000 years in seconds.
const MAX_DURATION_SECONDS: i64 = 315_576_000_000;

/// A position in the value being converted. Kept as a chain on the stack and
/// only rendered as a string when there is an error to report.
#[derive(Clone, Copy)]
pub(super) enum Path<'a> {
    Root(&'a str),
    Field(&'a Self, &'a str),
    Index(&'a Self, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Self::Root(name) => (*name).to_owned(),
            Self::Field(parent, field) => {
                let parent = parent.render();
                if parent.is_empty() {
                    (*field).to_owned()
                } else {
                    format!("{parent}.{field}")
                }
            }
            Self::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }

    pub(super) fn error(&self, message: impl Into<String>) -> BindError {
        BindError::new(&self.render(), message)
    }
}

/// Converts `json`, declared as `ty`, into a cel value; `name` is the path
/// reported in errors. Lists, maps and objects longer than `max_len` entries
/// are refused, so that a hostile claims tree cannot make comprehensions
/// arbitrarily expensive.
pub(crate) fn from_json(
    name: &str,
    ty: &Type,
    json: &Json,
    max_len: usize,
) -> Result<Box<dyn Val>, BindError> {
    Converter { max_len }.convert(ty, json, Path::Root(name), 0)
}

pub(super) struct Converter {
    pub(super) max_len: usize,
}

impl Converter {
    pub(super) fn convert(
        &self,
        ty: &Type,
        json: &Json,
        path: Path<'_>,
        depth: usize,
    ) -> Result<Box<dyn Val>, BindError> {
        if depth > MAX_JSON_DEPTH {
            return Err(path.error(format!("nested deeper than {MAX_JSON_DEPTH} levels")));
        }
        if json.is_null() {
            return Ok(Box::new(CelNull));
        }
        let mismatch = || path.error(format!("expected {ty}, got {}", describe(json)));
        let integer = |min: i128, max: i128| {
            path.error(int_problem(json, min, max).unwrap_or_else(|| format!("expected {ty}")))
        };
        let value: Box<dyn Val> = match ty {
            Type::Bool => Box::new(CelBool::from(json.as_bool().ok_or_else(mismatch)?)),
            Type::Int => Box::new(CelInt::from(
                json.as_i64().ok_or_else(|| integer(INT_MIN, INT_MAX))?,
            )),
            Type::Uint => Box::new(CelUInt::from(
                json.as_u64().ok_or_else(|| integer(0, UINT_MAX))?,
            )),
            Type::Double => Box::new(CelDouble::from(json.as_f64().ok_or_else(mismatch)?)),
            Type::String => Box::new(CelString::from(
                json.as_str().ok_or_else(mismatch)?.to_owned(),
            )),
            Type::Bytes => {
                let text = json.as_str().ok_or_else(mismatch)?;
                let bytes = super::functions::decode_hex(text).map_err(|m| path.error(m))?;
                Box::new(CelBytes::from(bytes))
            }
            Type::Timestamp => {
                let text = json.as_str().ok_or_else(mismatch)?;
                timestamp(text).map_err(|m| path.error(m))?
            }
            Type::Duration => {
                let text = json.as_str().ok_or_else(mismatch)?;
                duration(text).map_err(|m| path.error(m))?
            }
            Type::Null => return Err(mismatch()),
            Type::List(item) => {
                let items = json.as_array().ok_or_else(mismatch)?;
                self.check_len(items.len(), &path)?;
                let mut list = Vec::with_capacity(items.len());
                for (i, value) in items.iter().enumerate() {
                    list.push(self.convert(item, value, Path::Index(&path, i), depth + 1)?);
                }
                Box::new(CelList::from(list))
            }
            Type::Map(value_type) => {
                let object = json.as_object().ok_or_else(mismatch)?;
                self.check_len(object.len(), &path)?;
                self.map(object, &path, depth, |_| value_type, false)?
            }
            Type::Object(schema) => {
                let object = json.as_object().ok_or_else(mismatch)?;
                // The schema bounds the declared fields; only undeclared ones
                // count against the limit.
                self.check_len(object.len().saturating_sub(schema.len()), &path)?;
                // Undeclared fields are still bound, as `dyn`: the checker is
                // what keeps expressions from naming them. An absent claim
                // (JSON null) is left out rather than bound as `null`, so that a
                // rule reading it errs (and fails) instead of `x != "v"` passing;
                // `has(x.field)` tests for it.
                self.map(
                    object,
                    &path,
                    depth,
                    |field| schema.get(field).unwrap_or(&Type::Dyn),
                    true,
                )?
            }
            Type::Dyn => self.dynamic(json, path, depth)?,
        };
        Ok(value)
    }

    pub(super) fn check_len(&self, len: usize, path: &Path<'_>) -> Result<(), BindError> {
        if len > self.max_len {
            return Err(path.error(format!(
                "{len} entries, more than the limit of {}",
                self.max_len
            )));
        }
        Ok(())
    }

    fn map<'t>(
        &self,
        object: &JsonMap<String, Json>,
        path: &Path<'_>,
        depth: usize,
        field_type: impl Fn(&str) -> &'t Type,
        skip_null: bool,
    ) -> Result<Box<dyn Val>, BindError> {
        let mut map = HashMap::with_capacity(object.len());
        for (key, value) in object {
            if skip_null && value.is_null() {
                continue;
            }
            let converted =
                self.convert(field_type(key), value, Path::Field(path, key), depth + 1)?;
            map.insert(CelMapKey::from(key.clone()), converted);
        }
        Ok(Box::new(CelMap::from(map)))
    }

    /// JSON without a schema: numbers become int if they fit, else uint,
    /// else double.
    fn dynamic(
        &self,
        json: &Json,
        path: Path<'_>,
        depth: usize,
    ) -> Result<Box<dyn Val>, BindError> {
        Ok(match json {
            Json::Null => Box::new(CelNull),
            Json::Bool(b) => Box::new(CelBool::from(*b)),
            Json::Number(n) => number(n),
            Json::String(s) => Box::new(CelString::from(s.clone())),
            Json::Array(items) => {
                self.check_len(items.len(), &path)?;
                let mut list = Vec::with_capacity(items.len());
                for (i, value) in items.iter().enumerate() {
                    list.push(self.convert(&Type::Dyn, value, Path::Index(&path, i), depth + 1)?);
                }
                Box::new(CelList::from(list))
            }
            Json::Object(object) => {
                self.check_len(object.len(), &path)?;
                self.map(object, &path, depth, |_| &Type::Dyn, false)?
            }
        })
    }
}

fn number(n: &Number) -> Box<dyn Val> {
    if let Some(i) = n.as_i64() {
        Box::new(CelInt::from(i))
    } else if let Some(u) = n.as_u64() {
        Box::new(CelUInt::from(u))
    } else {
        Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN)))
    }
}

const INT_MIN: i128 = i64::MIN as i128;
const INT_MAX: i128 = i64::MAX as i128;
const UINT_MAX: i128 = u64::MAX as i128;

/// A JSON value for an error message: what it is and, for scalars, the value itself
/// (strings cut at 40 characters, so a hostile claim cannot flood the message).
pub(crate) fn describe(json: &Json) -> String {
    const MAX_CHARS: usize = 40;
    match json {
        Json::Null => "null".to_owned(),
        Json::Bool(b) => format!("the bool {b}"),
        Json::Number(n) if n.is_i64() || n.is_u64() => format!("the integer {n}"),
        Json::Number(n) => format!("the number {n}"),
        Json::String(s) if s.chars().count() > MAX_CHARS => {
            let cut: String = s.chars().take(MAX_CHARS).collect();
            format!("the string {cut:?}… ({} bytes)", s.len())
        }
        Json::String(s) => format!("the string {s:?}"),
        Json::Array(items) if items.len() == 1 => "a list of 1 item".to_owned(),
        Json::Array(items) => format!("a list of {} items", items.len()),
        Json::Object(_) => "an object".to_owned(),
    }
}

/// Why `json` is not an integer from `min` to `max` (inclusive), or `None` when it is
/// one: the value, and whether it is out of range, negative, a fraction, or a whole
/// number beyond 64 bits (JSON parsers hold those as doubles, so the digits shown are
/// the double's).
pub(crate) fn int_problem(json: &Json, min: i128, max: i128) -> Option<String> {
    let wanted = match (min, max) {
        (INT_MIN, INT_MAX) => "an int (a signed 64-bit integer)".to_owned(),
        (0, UINT_MAX) => "a uint (an unsigned 64-bit integer)".to_owned(),
        _ => format!("an integer from {min} to {max}"),
    };
    let got = match json {
        Json::Number(n) => match n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
        {
            Some(i) if (min..=max).contains(&i) => return None,
            Some(i) if i < 0 && min >= 0 => format!("{i}, negative"),
            Some(i) => i.to_string(),
            None => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.fract() != 0.0 {
                    format!("{n}, a fraction")
                } else if f >= 2f64.powi(64) || f < -(2f64.powi(63)) {
                    format!("{n}, beyond 64 bits")
                } else {
                    // `3.0` or `3e0`: an integer in value, not in form.
                    format!("{n}, written as a decimal number")
                }
            }
        },
        other => describe(other),
    };
    Some(format!("expected {wanted}, got {got}"))
}

/// Parses with `FromStr` into whatever type the caller's context names: cel
/// stores timestamps as a `chrono` type, which this crate does not depend on
/// by name.
fn parse_as<T: FromStr>(text: &str) -> Option<T> {
    text.parse().ok()
}

/// A strict RFC 3339 timestamp (`time` checks the syntax; `chrono`, cel's
/// representation, stores it).
fn timestamp(text: &str) -> Result<Box<dyn Val>, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| format!("not an RFC 3339 timestamp ({e}): {text:?}"))?;
    let parsed = parse_as(text).ok_or_else(|| format!("timestamp out of range: {text:?}"))?;
    to_val(cel::Value::Timestamp(parsed))
}

/// A duration in the protobuf JSON form: seconds with up to nine fractional
/// digits and an `s` suffix, e.g. `"300s"`, `"-1.5s"`.
fn duration(text: &str) -> Result<Box<dyn Val>, String> {
    let bad = || format!("not a duration such as \"300s\": {text:?}");
    let body = text.strip_suffix('s').ok_or_else(bad)?;
    let (negative, body) = match body.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 9
        || (body.contains('.') && fraction.is_empty())
    {
        return Err(bad());
    }
    let seconds: i64 = whole
        .parse()
        .ok()
        .filter(|s| *s <= MAX_DURATION_SECONDS)
        .ok_or_else(|| format!("duration out of range: {text:?}"))?;
    let nanos: i64 = if fraction.is_empty() {
        0
    } else {
        let padded = format!("{fraction:0<9}");
        padded.parse().map_err(|_| bad())?
    };
    // chrono keeps durations as whole seconds plus non-negative nanoseconds.
    let (seconds, nanos) = match (negative, nanos) {
        (false, n) => (seconds, n),
        (true, 0) => (-seconds, 0),
        (true, n) => (-seconds - 1, 1_000_000_000 - n),
    };
    let parsed = serde_json::from_value(serde_json::json!([seconds, nanos]))
        .map_err(|_| format!("duration out of range: {text:?}"))?;
    to_val(cel::Value::Duration(parsed))
}

fn to_val(value: cel::Value) -> Result<Box<dyn Val>, String> {
    Box::<dyn Val>::try_from(value).map_err(|e| e.to_string())
}

/// Converts an evaluation result to JSON: timestamps become RFC 3339
/// strings, durations `"<seconds>s"` strings, bytes lower-case hex, and map
/// keys strings (sorted, so output is deterministic).
pub(crate) fn to_json(value: &dyn Val) -> Result<Json, EvalError> {
    if let Some(b) = value.downcast_ref::<CelBool>() {
        return Ok(Json::Bool(*b.inner()));
    }
    if let Some(i) = value.downcast_ref::<CelInt>() {
        return Ok(Json::from(*i.inner()));
    }
    if let Some(u) = value.downcast_ref::<CelUInt>() {
        return Ok(Json::from(*u.inner()));
    }
    if let Some(d) = value.downcast_ref::<CelDouble>() {
        return Number::from_f64(*d.inner())
            .map(Json::Number)
            .ok_or_else(|| EvalError::new(format!("{} has no JSON form", d.inner())));
    }
    if let Some(s) = value.downcast_ref::<CelString<'_>>() {
        return Ok(Json::String(s.inner().to_owned()));
    }
    if let Some(b) = value.downcast_ref::<CelBytes<'_>>() {
        return Ok(Json::String(hex::encode(b.inner())));
    }
    if value.downcast_ref::<CelNull>().is_some() {
        return Ok(Json::Null);
    }
    if let Some(list) = value.downcast_ref::<CelList<'_>>() {
        return list
            .iter()
            .map(|item| to_json(item.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map(Json::Array);
    }
    if let Some(map) = value.downcast_ref::<CelMap<'_>>() {
        let mut entries = Vec::with_capacity(map.len());
        for (key, item) in map.iter() {
            entries.push((key_string(key.inner())?, to_json(item.as_ref())?));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        return Ok(Json::Object(entries.into_iter().collect()));
    }
    if let Some(t) = value.downcast_ref::<CelTimestamp>() {
        let t = t.inner();
        let nanos =
            i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos());
        return OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .map(Json::String)
            .ok_or_else(|| EvalError::new("timestamp out of the RFC 3339 range"));
    }
    if let Some(d) = value.downcast_ref::<CelDuration>() {
        let d = d.inner();
        let nanos = i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos());
        return Ok(Json::String(format_duration(nanos)));
    }
    Err(EvalError::new(format!(
        "a {} result has no JSON form",
        value.get_type().name()
    )))
}

fn key_string(key: &dyn Val) -> Result<String, EvalError> {
    match to_json(key)? {
        Json::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

/// `"300s"`, `"-1.5s"`: seconds, with the fraction only as long as needed.
fn format_duration(nanos: i128) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let nanos = nanos.unsigned_abs();
    let seconds = nanos / 1_000_000_000;
    let fraction = nanos % 1_000_000_000;
    if fraction == 0 {
        format!("{sign}{seconds}s")
    } else {
        let digits = format!("{fraction:09}");
        format!("{sign}{seconds}.{}s", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::format_duration;

    #[test]
    fn durations_format_with_the_shortest_fraction() {
        assert_eq!(format_duration(300_000_000_000), "300s");
        assert_eq!(format_duration(-1_500_000_000), "-1.5s");
        assert_eq!(format_duration(1), "0.000000001s");
        assert_eq!(format_duration(0), "0s");
    }
}
