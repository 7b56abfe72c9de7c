//! The static types the checker infers, and the schema of the claims.
//!
//! These are our own types, not the `cel` crate's: cel-rust has no checker,
//! and its runtime types cannot say "a map of ints" or "an object with these
//! fields", which is what the checker needs to reject `snp.policy.debug == 0`.

use std::collections::BTreeMap;
use std::fmt;

/// A CEL type as the checker sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    /// `bool`.
    Bool,
    /// `int` (signed 64-bit).
    Int,
    /// `uint` (unsigned 64-bit).
    Uint,
    /// `double`.
    Double,
    /// `string`.
    String,
    /// `bytes`; bound from hex strings.
    Bytes,
    /// `google.protobuf.Timestamp`; bound from RFC 3339 strings.
    Timestamp,
    /// `google.protobuf.Duration`; bound from strings such as `"300s"`.
    Duration,
    /// The type of `null`.
    Null,
    /// A list whose elements all have the given type.
    List(Box<Self>),
    /// A map from string keys to values of the given type.
    Map(Box<Self>),
    /// A JSON object with known fields (string keys).
    Object(Object),
    /// Anything: checked at run time only.
    Dyn,
}

impl Type {
    /// `list(item)`.
    pub fn list(item: Self) -> Self {
        Self::List(Box::new(item))
    }

    /// `map(string, value)`.
    pub fn map(value: Self) -> Self {
        Self::Map(Box::new(value))
    }

    /// The type's name as messages show it: `int`, `list(string)`,
    /// `map(string, int)`, `object{a, b, c, ...}`.
    pub fn name(&self) -> String {
        self.to_string()
    }

    /// Whether this is `int`, `uint` or `double`.
    pub(crate) fn is_numeric(&self) -> bool {
        matches!(self, Self::Int | Self::Uint | Self::Double)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool => f.write_str("bool"),
            Self::Int => f.write_str("int"),
            Self::Uint => f.write_str("uint"),
            Self::Double => f.write_str("double"),
            Self::String => f.write_str("string"),
            Self::Bytes => f.write_str("bytes"),
            Self::Timestamp => f.write_str("timestamp"),
            Self::Duration => f.write_str("duration"),
            Self::Null => f.write_str("null"),
            Self::List(item) => write!(f, "list({item})"),
            Self::Map(value) => write!(f, "map(string, {value})"),
            Self::Object(object) => {
                // Short form: a schema object can have dozens of fields, and
                // messages only need enough to recognise it.
                const SHOWN: usize = 3;
                f.write_str("object{")?;
                for (i, (name, _)) in object.fields().take(SHOWN).enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(name)?;
                }
                if object.len() > SHOWN {
                    f.write_str(", ...")?;
                }
                f.write_str("}")
            }
            Self::Dyn => f.write_str("dyn"),
        }
    }
}

impl From<Object> for Type {
    fn from(object: Object) -> Self {
        Self::Object(object)
    }
}

/// The fields of a JSON object and their types: the schema of a claims
/// subtree, and of the top-level variables of an [`Environment`](super::Environment).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Object {
    fields: BTreeMap<String, Type>,
}

impl Object {
    /// An object with no fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the field `name` of type `ty`.
    #[must_use]
    pub fn field(mut self, name: &str, ty: Type) -> Self {
        self.fields.insert(name.to_owned(), ty);
        self
    }

    /// The type of field `name`, if declared.
    pub fn get(&self, name: &str) -> Option<&Type> {
        self.fields.get(name)
    }

    /// The fields, in name order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &Type)> {
        self.fields.iter().map(|(name, ty)| (name.as_str(), ty))
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the object has no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}
