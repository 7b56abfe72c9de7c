//! Typed claims straight to cel values: a serde `Serializer` that builds what
//! [`super::value::from_json`] would build from the value's `serde_json` form, without
//! building that form, and only the members a [`Need`] asks for. A member nobody reads
//! is never serialized (its hex is not even encoded).
//!
//! Equivalence with the JSON route is by construction: every scalar is converted by the
//! same [`Converter`] from the `serde_json` leaf it would have been; an object or map is
//! pruned member by member under the same rules (declared field types, absent claims left
//! out, the entry limit); and anything else, or anything needed whole that is not a
//! scalar, goes through `serde_json`'s own value serializer and then the converter.

use std::collections::HashMap;

use cel::common::types::{CelList, CelMap, CelMapKey, CelNull, CelString};
use cel::common::value::Val;
use serde::ser::{self, Serialize, Serializer};
use serde_json::Value as Json;

use super::error::BindError;
use super::paths::Need;
use super::types::Type;
use super::value::{Converter, Path, MAX_JSON_DEPTH};

use serde_json::value::Serializer as JsonSerializer;

/// Converts `value`, declared as `ty`, keeping what `need` asks for; `name` is the
/// path reported in errors.
pub(crate) fn from_serialize<T: Serialize + ?Sized>(
    name: &str,
    ty: &Type,
    need: &Need,
    value: &T,
    max_len: usize,
) -> Result<Box<dyn Val>, BindError> {
    let converter = Converter { max_len };
    value
        .serialize(ValSerializer {
            converter: &converter,
            ty,
            need,
            path: Path::Root(name),
            depth: 0,
        })
        .map_err(|e| e.0)
}

/// The string at `path` in `value`'s serialized form, serializing nothing else (the
/// claim that answers a challenge, whatever type the verifier keeps it in).
pub(crate) fn string_at<T: Serialize + ?Sized>(value: &T, path: &[&str]) -> Option<String> {
    let mut need = Need::default();
    need.add(path);
    let converted = from_serialize("", &Type::Dyn, &need, value, usize::MAX).ok()?;
    // Read in the converted value itself (maps all the way down, as `Type::Dyn` makes
    // every object): what its JSON form would hold at `path`.
    let mut at: &dyn Val = converted.as_ref();
    for key in path {
        at = super::map_field(at, key)?;
    }
    at.downcast_ref::<CelString<'_>>()
        .map(|s| s.inner().to_owned())
}

/// A [`BindError`] as serde wants its errors.
#[derive(Debug)]
pub(crate) struct SerError(BindError);

impl std::fmt::Display for SerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Self(BindError::new("", msg.to_string()))
    }
}

/// Where a value goes: its declared type and its position.
#[derive(Clone, Copy)]
struct Target<'a> {
    converter: &'a Converter,
    ty: &'a Type,
    path: Path<'a>,
    depth: usize,
}

impl Target<'_> {
    fn json(&self, json: &Json) -> Result<Box<dyn Val>, SerError> {
        self.converter
            .convert(self.ty, json, self.path, self.depth)
            .map_err(SerError)
    }

    fn json_error(&self, e: &serde_json::Error) -> SerError {
        SerError(self.path.error(e.to_string()))
    }
}

struct ValSerializer<'a> {
    converter: &'a Converter,
    ty: &'a Type,
    need: &'a Need,
    path: Path<'a>,
    depth: usize,
}

impl<'a> ValSerializer<'a> {
    fn target(&self) -> Target<'a> {
        Target {
            converter: self.converter,
            ty: self.ty,
            path: self.path,
            depth: self.depth,
        }
    }

    fn leaf(&self, json: &Json) -> Result<Box<dyn Val>, SerError> {
        self.target().json(json)
    }

    /// What `serde_json` makes of it, converted: for the forms claims do not use.
    fn via_json(
        &self,
        f: impl FnOnce(JsonSerializer) -> Result<Json, serde_json::Error>,
    ) -> Result<Box<dyn Val>, SerError> {
        let target = self.target();
        let json = f(JsonSerializer).map_err(|e| target.json_error(&e))?;
        target.json(&json)
    }

    /// A list of known length declared as a list (or `dyn`), converted item by item as
    /// the JSON route's `Converter::convert` does: the length checked first, each item
    /// whole under the item type, one level deeper. `None` for anything else (a list
    /// where another type is declared, too deep), which the JSON route reports.
    fn items(&self, len: usize) -> Result<Option<Items<'a>>, SerError> {
        let item = match self.ty {
            Type::List(item) => &**item,
            Type::Dyn => &Type::Dyn,
            _ => return Ok(None),
        };
        if self.depth > MAX_JSON_DEPTH {
            return Ok(None);
        }
        let target = self.target();
        target
            .converter
            .check_len(len, &target.path)
            .map_err(SerError)?;
        Ok(Some(Items {
            target,
            item,
            need: self.need.item(),
            list: Vec::with_capacity(len),
        }))
    }

    /// An object or map, converted member by member (those `need` asks for, every one
    /// when it is needed whole) where an object, map or `dyn` is declared; otherwise
    /// built by `serde_json`, whose form the converter then reports as a mismatch.
    fn members(
        self,
        len: Option<usize>,
        whole: impl FnOnce() -> Result<<JsonSerializer as Serializer>::SerializeMap, serde_json::Error>,
    ) -> Result<Members<'a>, SerError> {
        let target = self.target();
        match (self.need, self.ty) {
            // Needed whole or in part, member by member: `Need::Whole` keeps every member
            // (`Need::field`), under the same rules as the JSON route's `Converter::map`.
            (_, Type::Object(_) | Type::Map(_) | Type::Dyn) => {
                if self.depth > MAX_JSON_DEPTH {
                    return Err(SerError(
                        target
                            .path
                            .error(format!("nested deeper than {MAX_JSON_DEPTH} levels")),
                    ));
                }
                // Room for what is kept, so the table is not regrown member by member.
                let kept = match self.need {
                    Need::Fields(fields) => fields.len(),
                    Need::Whole | Need::Items(_) => len.unwrap_or(0),
                };
                let pruned = Pruned {
                    target,
                    need: self.need,
                    map: HashMap::with_capacity(kept.min(len.unwrap_or(kept))),
                    count: 0,
                    counted: len.is_some(),
                    key: None,
                };
                if let Some(len) = len {
                    pruned.check_len(len)?;
                }
                Ok(Members::Pruned(pruned))
            }
            _ => Ok(Members::Whole(ViaJson {
                inner: whole().map_err(|e| target.json_error(&e))?,
                target,
            })),
        }
    }
}

impl<'a> Serializer for ValSerializer<'a> {
    type Ok = Box<dyn Val>;
    type Error = SerError;
    type SerializeSeq = Sequence<'a>;
    type SerializeTuple = Sequence<'a>;
    type SerializeTupleStruct = ViaJson<'a, <JsonSerializer as Serializer>::SerializeTupleStruct>;
    type SerializeTupleVariant = ViaJson<'a, <JsonSerializer as Serializer>::SerializeTupleVariant>;
    type SerializeMap = Members<'a>;
    type SerializeStruct = Members<'a>;
    type SerializeStructVariant =
        ViaJson<'a, <JsonSerializer as Serializer>::SerializeStructVariant>;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::from(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Self::Ok, Self::Error> {
        self.via_json(|s| s.serialize_i128(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::from(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Self::Ok, Self::Error> {
        self.via_json(|s| s.serialize_u128(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Self::Ok, Self::Error> {
        self.via_json(|s| s.serialize_f32(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Self::Ok, Self::Error> {
        self.via_json(|s| s.serialize_f64(v))
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Self::Ok, Self::Error> {
        // The common case, a string declared (or read) as one, without the JSON leaf.
        if matches!(self.ty, Type::String | Type::Dyn) && self.depth <= MAX_JSON_DEPTH {
            return Ok(Box::new(CelString::from(v.to_owned())));
        }
        self.leaf(&Json::String(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Self::Ok, Self::Error> {
        self.via_json(|s| s.serialize_bytes(v))
    }
    fn serialize_none(self) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, Self::Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Self::Ok, Self::Error> {
        self.leaf(&Json::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Self::Ok, Self::Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Self::Error> {
        self.via_json(|s| s.serialize_newtype_variant(name, index, variant, value))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        let target = self.target();
        if let Some(items) = len.and_then(|len| self.items(len).transpose()) {
            return Ok(Sequence::Items(items?));
        }
        Ok(Sequence::Whole(ViaJson {
            inner: JsonSerializer
                .serialize_seq(len)
                .map_err(|e| target.json_error(&e))?,
            target,
        }))
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, Self::Error> {
        let target = self.target();
        if let Some(items) = self.items(len)? {
            return Ok(Sequence::Items(items));
        }
        Ok(Sequence::Whole(ViaJson {
            inner: JsonSerializer
                .serialize_seq(Some(len))
                .map_err(|e| target.json_error(&e))?,
            target,
        }))
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        let target = self.target();
        Ok(ViaJson {
            inner: JsonSerializer
                .serialize_tuple_struct(name, len)
                .map_err(|e| target.json_error(&e))?,
            target,
        })
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        let target = self.target();
        Ok(ViaJson {
            inner: JsonSerializer
                .serialize_tuple_variant(name, index, variant, len)
                .map_err(|e| target.json_error(&e))?,
            target,
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        self.members(len, || JsonSerializer.serialize_map(len))
    }
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        self.members(Some(len), || JsonSerializer.serialize_struct(name, len))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        let target = self.target();
        Ok(ViaJson {
            inner: JsonSerializer
                .serialize_struct_variant(name, index, variant, len)
                .map_err(|e| target.json_error(&e))?,
            target,
        })
    }
}

/// A compound value built by `serde_json`, converted when it ends.
pub(crate) struct ViaJson<'a, S> {
    inner: S,
    target: Target<'a>,
}

impl<S> ViaJson<'_, S> {
    fn finish(self, json: Result<Json, serde_json::Error>) -> Result<Box<dyn Val>, SerError> {
        let json = json.map_err(|e| self.target.json_error(&e))?;
        self.target.json(&json)
    }
    fn wrap(&self, result: Result<(), serde_json::Error>) -> Result<(), SerError> {
        result.map_err(|e| self.target.json_error(&e))
    }
}

macro_rules! via_json {
    ($trait:ident, $method:ident $(, $key:ident)?) => {
        impl<S> ser::$trait for ViaJson<'_, S>
        where
            S: ser::$trait<Ok = Json, Error = serde_json::Error>,
        {
            type Ok = Box<dyn Val>;
            type Error = SerError;
            fn $method<T: Serialize + ?Sized>(
                &mut self,
                $($key: &'static str,)?
                value: &T,
            ) -> Result<(), SerError> {
                let result = self.inner.$method($($key,)? value);
                self.wrap(result)
            }
            fn end(self) -> Result<Box<dyn Val>, SerError> {
                let Self { inner, target } = self;
                ViaJson { inner: (), target }.finish(inner.end())
            }
        }
    };
}

via_json!(SerializeTupleStruct, serialize_field);
via_json!(SerializeTupleVariant, serialize_field);
via_json!(SerializeStructVariant, serialize_field, key);

/// A list being serialized: converted item by item, or built by `serde_json` where
/// that is what the JSON route would do (see `ValSerializer::items`).
pub(crate) enum Sequence<'a> {
    Items(Items<'a>),
    Whole(ViaJson<'a, <JsonSerializer as Serializer>::SerializeSeq>),
}

pub(crate) struct Items<'a> {
    target: Target<'a>,
    item: &'a Type,
    /// What is read of each item (of an object item, the fields a comprehension's body
    /// selects from its loop variable).
    need: &'a Need,
    list: Vec<Box<dyn Val>>,
}

impl Sequence<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        match self {
            Self::Items(items) => {
                let target = &items.target;
                let converted = value.serialize(ValSerializer {
                    converter: target.converter,
                    ty: items.item,
                    need: items.need,
                    path: Path::Index(&target.path, items.list.len()),
                    depth: target.depth.saturating_add(1),
                })?;
                items.list.push(converted);
                Ok(())
            }
            Self::Whole(w) => {
                let result = ser::SerializeSeq::serialize_element(&mut w.inner, value);
                w.wrap(result)
            }
        }
    }

    fn finish(self) -> Result<Box<dyn Val>, SerError> {
        match self {
            Self::Items(items) => Ok(Box::new(CelList::from(items.list))),
            Self::Whole(ViaJson { inner, target }) => {
                ViaJson { inner: (), target }.finish(ser::SerializeSeq::end(inner))
            }
        }
    }
}

impl ser::SerializeSeq for Sequence<'_> {
    type Ok = Box<dyn Val>;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.element(value)
    }
    fn end(self) -> Result<Box<dyn Val>, SerError> {
        self.finish()
    }
}

impl ser::SerializeTuple for Sequence<'_> {
    type Ok = Box<dyn Val>;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.element(value)
    }
    fn end(self) -> Result<Box<dyn Val>, SerError> {
        self.finish()
    }
}

/// An object or map being serialized.
pub(crate) enum Members<'a> {
    /// Only the needed members, converted one by one.
    Pruned(Pruned<'a>),
    /// All of it, by `serde_json`.
    Whole(ViaJson<'a, <JsonSerializer as Serializer>::SerializeMap>),
}

pub(crate) struct Pruned<'a> {
    target: Target<'a>,
    need: &'a Need,
    map: HashMap<CelMapKey<'static>, Box<dyn Val>>,
    /// Members seen, needed or not: the entry limit counts them all, as it does for
    /// the JSON form.
    count: usize,
    /// Whether the serializer gave the length up front (and it was checked then).
    counted: bool,
    /// A map's key, between `serialize_key` and `serialize_value`.
    key: Option<String>,
}

impl Pruned<'_> {
    /// The converter's entry limit: every member of a map, the undeclared ones of an
    /// object.
    fn check_len(&self, len: usize) -> Result<(), SerError> {
        let counted = match self.target.ty {
            Type::Object(schema) => len.saturating_sub(schema.len()),
            _ => len,
        };
        self.target
            .converter
            .check_len(counted, &self.target.path)
            .map_err(SerError)
    }

    /// Member `key` (a struct's field name, `'static`, becomes a key without a copy).
    fn member<T: Serialize + ?Sized>(
        &mut self,
        key: MemberKey<'_>,
        value: &T,
    ) -> Result<(), SerError> {
        let (key, field_name) = match key {
            MemberKey::Field(name) => (name, Some(name)),
            MemberKey::Entry(text) => (text, None),
        };
        self.count = self.count.saturating_add(1);
        let Some(need) = self.need.field(key) else {
            return Ok(());
        };
        let (ty, skip_null) = match self.target.ty {
            Type::Object(schema) => (schema.get(key).unwrap_or(&Type::Dyn), true),
            Type::Map(value_type) => (&**value_type, false),
            _ => (&Type::Dyn, false),
        };
        let path = Path::Field(&self.target.path, key);
        let converted = value.serialize(ValSerializer {
            converter: self.target.converter,
            ty,
            need,
            path,
            depth: self.target.depth.saturating_add(1),
        })?;
        let key = match field_name {
            Some(name) => CelMapKey::from(name),
            None => CelMapKey::from(key.to_owned()),
        };
        // An absent claim (null) of an object is left out, as the JSON route does.
        if skip_null && converted.downcast_ref::<CelNull>().is_some() {
            self.map.remove(&key);
        } else {
            self.map.insert(key, converted);
        }
        Ok(())
    }

    fn end(self) -> Result<Box<dyn Val>, SerError> {
        // A map of unknown length is counted as it went by.
        if !self.counted {
            self.check_len(self.count)?;
        }
        Ok(Box::new(CelMap::from(self.map)))
    }
}

/// The name of a member: a struct's field, or a map's key as text.
#[derive(Clone, Copy)]
enum MemberKey<'k> {
    Field(&'static str),
    Entry(&'k str),
}

/// A map key as `serde_json` writes it: strings as they are, numbers and bools in
/// their JSON text.
fn key_text<T: Serialize + ?Sized>(key: &T, target: &Target<'_>) -> Result<String, SerError> {
    match serde_json::to_value(key).map_err(|e| target.json_error(&e))? {
        Json::String(s) => Ok(s),
        Json::Number(n) => Ok(n.to_string()),
        Json::Bool(b) => Ok(b.to_string()),
        _ => Err(SerError(
            target.path.error("a map key that is not a string"),
        )),
    }
}

impl ser::SerializeStruct for Members<'_> {
    type Ok = Box<dyn Val>;
    type Error = SerError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        match self {
            Self::Pruned(p) => p.member(MemberKey::Field(key), value),
            Self::Whole(w) => {
                let result = ser::SerializeStruct::serialize_field(&mut w.inner, key, value);
                w.wrap(result)
            }
        }
    }

    fn end(self) -> Result<Box<dyn Val>, SerError> {
        match self {
            Self::Pruned(p) => p.end(),
            Self::Whole(ViaJson { inner, target }) => {
                ViaJson { inner: (), target }.finish(ser::SerializeStruct::end(inner))
            }
        }
    }
}

impl ser::SerializeMap for Members<'_> {
    type Ok = Box<dyn Val>;
    type Error = SerError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        match self {
            Self::Pruned(p) => {
                p.key = Some(key_text(key, &p.target)?);
                Ok(())
            }
            Self::Whole(w) => {
                let result = ser::SerializeMap::serialize_key(&mut w.inner, key);
                w.wrap(result)
            }
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        match self {
            Self::Pruned(p) => {
                let key = p.key.take().unwrap_or_default();
                p.member(MemberKey::Entry(&key), value)
            }
            Self::Whole(w) => {
                let result = ser::SerializeMap::serialize_value(&mut w.inner, value);
                w.wrap(result)
            }
        }
    }

    fn end(self) -> Result<Box<dyn Val>, SerError> {
        match self {
            Self::Pruned(p) => p.end(),
            Self::Whole(ViaJson { inner, target }) => {
                ViaJson { inner: (), target }.finish(ser::SerializeMap::end(inner))
            }
        }
    }
}
