//! Lower-case hex for claims, without the per-character iterator of `hex::encode`:
//! claims hold a few kilobytes of hex per report, and they are built on the warm path.

/// `bytes` as lower-case hex.
pub(crate) fn to_hex(bytes: impl AsRef<[u8]>) -> String {
    let bytes = bytes.as_ref();
    let mut out = vec![0u8; bytes.len().saturating_mul(2)];
    match hex::encode_to_slice(bytes, &mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => hex::encode(bytes),
    }
}
