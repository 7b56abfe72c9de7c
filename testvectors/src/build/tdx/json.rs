//! Compact JSON writing in a fixed field order (Intel PCS emits compact JSON and signs its
//! exact bytes, so the builders write text rather than going through a map), and
//! [`SignedJson`]: a signed PCS body `{"<field>":{...},"signature":"<hex r‖s>"}`.

use crate::pki::intel::IntelPki;

/// A compact JSON object under construction; fields are written in call order.
#[derive(Debug, Default)]
pub(crate) struct Object {
    fields: Vec<String>,
}

impl Object {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A field whose value is already JSON text.
    pub(crate) fn raw(mut self, key: &str, value: impl Into<String>) -> Self {
        self.fields
            .push(format!("{}:{}", string(key), value.into()));
        self
    }

    /// A string field.
    pub(crate) fn str(self, key: &str, value: &str) -> Self {
        self.raw(key, string(value))
    }

    /// A number field.
    pub(crate) fn num(self, key: &str, value: impl Into<u64>) -> Self {
        self.raw(key, value.into().to_string())
    }

    /// A string field, omitted when `None`.
    pub(crate) fn opt_str(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    /// An array-of-strings field, omitted when `None`.
    pub(crate) fn opt_strs(self, key: &str, values: Option<&[String]>) -> Self {
        match values {
            Some(v) => self.raw(key, array(v.iter().map(|s| string(s)))),
            None => self,
        }
    }

    /// Appends `(key, raw JSON value)` pairs as they are (test-chosen extra fields).
    pub(crate) fn extra(mut self, extra: &[(String, String)]) -> Self {
        for (key, value) in extra {
            self = self.raw(key, value.clone());
        }
        self
    }

    pub(crate) fn finish(self) -> String {
        format!("{{{}}}", self.fields.join(","))
    }
}

/// A JSON array of already-encoded values.
pub(crate) fn array(values: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", values.into_iter().collect::<Vec<_>>().join(","))
}

/// A JSON string literal.
pub(crate) fn string(s: &str) -> String {
    serde_json::to_string(s).expect("a &str always serializes")
}

/// A signed PCS collateral body: `inner` is the exact text of the signed object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedJson {
    /// The wrapper field: `tcbInfo` or `enclaveIdentity`.
    pub field: String,
    /// The inner JSON object, byte for byte as signed and as embedded in [`SignedJson::body`].
    pub inner: String,
    /// The `signature` bytes, hex-encoded in the body (64-byte raw `r ‖ s` when honest).
    pub signature: Vec<u8>,
}

impl SignedJson {
    /// Signs `inner` (any text, valid JSON or not) with the TCB Signing key of `pki`.
    pub fn sign(pki: &IntelPki, field: &str, inner: impl Into<String>) -> Self {
        let inner = inner.into();
        Self {
            field: field.to_owned(),
            signature: pki.sign_collateral(inner.as_bytes()).to_vec(),
            inner,
        }
    }

    /// The same body with the last signature byte flipped.
    pub fn corrupt_signature(mut self) -> Self {
        if let Some(last) = self.signature.last_mut() {
            *last ^= 1;
        }
        self
    }

    /// The signature as lower-case hex, as PCS writes it.
    pub fn signature_hex(&self) -> String {
        hex::encode(&self.signature)
    }

    /// The PCS response body: `{"<field>":<inner>,"signature":"<hex>"}`, compact, no
    /// trailing newline.
    pub fn body(&self) -> Vec<u8> {
        format!(
            "{{{}:{},\"signature\":{}}}",
            string(&self.field),
            self.inner,
            string(&self.signature_hex())
        )
        .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_order_and_escaping() {
        let text = Object::new()
            .str("id", "T\"D")
            .num("version", 3u32)
            .opt_str("absent", None)
            .opt_strs("advisoryIDs", Some(&["A".to_owned()]))
            .extra(&[("x".to_owned(), "null".to_owned())])
            .finish();
        assert_eq!(
            text,
            r#"{"id":"T\"D","version":3,"advisoryIDs":["A"],"x":null}"#
        );
    }
}
