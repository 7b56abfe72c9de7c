//! JSON that refuses duplicate member names.
//!
//! RFC 8259 §4 leaves duplicate names to the parser, and parsers disagree: serde_json's
//! `Value` keeps the last, others the first. A document whose meaning depends on which
//! parser reads it (`{"nonce": A, "nonce": B}` shown to one component as A, to another as
//! B) is refused everywhere Verdict reads JSON, with the duplicated name in the error.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Parses `bytes` as one JSON value, refusing an object that names a member twice.
///
/// # Errors
/// serde_json's error (with line and column) for malformed JSON, trailing characters,
/// nesting deeper than 128 levels, or a duplicated member name.
pub fn from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// [`from_slice`] for text.
///
/// # Errors
/// As [`from_slice`].
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    from_slice(text.as_bytes())
}

/// Parses `bytes` into `T` after checking, as [`from_slice`] does, that no object in the
/// document names a member twice (serde's derived structs refuse duplicates of the
/// fields they know, but not of those they ignore, and maps keep the last).
///
/// # Errors
/// As [`from_slice`], or `T`'s own deserialization error.
pub fn from_slice_as<T: de::DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_value(from_slice(bytes)?)
}

/// The members of a top-level JSON object as their exact raw text, in document order.
///
/// One pass over the document that builds no values: what a caller needs is the exact
/// bytes of a member (signed JSON collateral is verified over them) or a few small
/// members, so a `Value` of the whole document would be built only to be thrown away.
pub(crate) struct Members<'a> {
    members: Vec<(std::borrow::Cow<'a, str>, &'a serde_json::value::RawValue)>,
}

impl<'a> Members<'a> {
    /// The member named `name`, as raw JSON text.
    pub(crate) fn get(&self, name: &str) -> Option<&'a serde_json::value::RawValue> {
        self.members
            .iter()
            .find(|(n, _)| n.as_ref() == name)
            .map(|(_, v)| *v)
    }

    /// The member named `name` if it is a JSON string, unescaped.
    pub(crate) fn get_str(&self, name: &str) -> Option<std::borrow::Cow<'a, str>> {
        let raw = self.get(name)?;
        // Borrowed when the string has no escapes (hex, base64), owned otherwise.
        let mut de = serde_json::Deserializer::from_str(raw.get());
        CowStr.deserialize(&mut de).ok()
    }
}

/// Parses `bytes` as one JSON value and, if it is an object, returns its members as raw
/// text (`None` for any other value). Like [`from_slice`], it refuses a member named twice
/// (at the top level here; nested objects are checked by whoever parses a member).
///
/// # Errors
/// serde_json's error for malformed JSON, trailing characters or a duplicated member.
pub(crate) fn object_members(bytes: &[u8]) -> Result<Option<Members<'_>>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let members = TopLevel.deserialize(&mut de)?;
    de.end()?;
    Ok(members)
}

struct TopLevel;

impl<'de> DeserializeSeed<'de> for TopLevel {
    type Value = Option<Members<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel {
    type Value = Option<Members<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members: Vec<(std::borrow::Cow<'de, str>, &'de serde_json::value::RawValue)> =
            Vec::new();
        while let Some(name) = map.next_key_seed(CowStr)? {
            if members.iter().any(|(n, _)| *n == name) {
                return Err(de::Error::custom(format_args!("duplicate member {name:?}")));
            }
            let value = map.next_value()?;
            members.push((name, value));
        }
        Ok(Some(Members { members }))
    }

    // Any other value is read through (so malformed JSON is still an error) and is no
    // object.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A string, borrowed from the input where it has no escapes.
struct CowStr;

impl<'de> DeserializeSeed<'de> for CowStr {
    type Value = std::borrow::Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for CowStr {
    type Value = std::borrow::Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v))
    }
}

/// How a JSON value's type reads in a message: `expected a string, found an object`.
pub fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Builds a `serde_json::Value`, failing on the first duplicated member name.
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // Non-finite numbers cannot come from JSON text; `Null` mirrors serde_json.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.contains_key(&name) {
                return Err(de::Error::custom(format_args!("duplicate member {name:?}")));
            }
            let value = map.next_value_seed(Self)?;
            members.insert(name, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_refused_at_any_depth() {
        let err = from_str(r#"{"a": 1, "a": 2}"#).unwrap_err();
        assert!(err.to_string().contains(r#"duplicate member "a""#), "{err}");
        let err = from_str(r#"[{"x": {"nonce": "1", "nonce": "2"}}]"#).unwrap_err();
        assert!(err.to_string().contains(r#""nonce""#), "{err}");
        // Escapes are decoded before comparing: "\u0061" is "a".
        assert!(from_str(r#"{"a": 1, "\u0061": 2}"#).is_err());
    }

    #[test]
    fn same_value_as_serde_json_otherwise() {
        let text =
            r#"{"a": [1, -2, 3.5, true, null, "s\n"], "b": {"c": {}}, "u": 18446744073709551615}"#;
        assert_eq!(
            from_str(text).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
        assert!(from_str("{} x").is_err());
        assert!(from_str("").is_err());
        // serde_json's nesting limit still holds.
        assert!(from_str(&"[".repeat(10_000)).is_err());
    }

    #[test]
    fn object_members_are_raw_and_unique() {
        let text = br#" {"a": {"x" : 1}, "s\u0074": "h\u0069", "n": 5} "#;
        let m = object_members(text).unwrap().unwrap();
        assert_eq!(m.get("a").unwrap().get(), r#"{"x" : 1}"#);
        assert_eq!(m.get_str("st").as_deref(), Some("hi"));
        assert_eq!(m.get_str("n"), None);
        assert!(m.get("x").is_none());
        assert!(object_members(br#"{"a": 1, "\u0061": 2}"#).is_err());
        assert!(object_members(br#"{"a": [1}"#).is_err());
        assert!(object_members(br#"{"a": 1} x"#).is_err());
        assert!(object_members(b"[1, 2]").unwrap().is_none());
        assert!(object_members(b"[1, 2").is_err());
        assert!(object_members(b"\"s\"").unwrap().is_none());
    }

    #[test]
    fn typed_documents_are_checked_first() {
        #[derive(serde::Deserialize, Debug)]
        struct Doc {
            #[allow(dead_code)]
            a: u8,
        }
        assert!(from_slice_as::<Doc>(br#"{"a": 1, "z": 1}"#).is_ok());
        assert!(from_slice_as::<Doc>(br#"{"a": 1, "z": 1, "z": 2}"#).is_err());
    }
}
