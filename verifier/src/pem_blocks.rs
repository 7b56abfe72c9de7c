//! PEM text (RFC 7468) split into its blocks, in one pass over its lines.
//!
//! The structure is checked as the lines are read: every `-----BEGIN` and `-----END`
//! marker starts its line and ends with exactly five dashes, blocks do not nest or
//! overlap, and each BEGIN has its END with the same label (a lenient reader that skips
//! what it does not understand could lend an unterminated block's body to the next
//! certificate, or drop a second block written on the same line). A `CERTIFICATE` or
//! `X509 CRL` block carries its decoded bytes; one with another label only its label,
//! for the caller to name in its refusal.
//!
//! Bodies are decoded by the `base64` crate's standard engine (padding required,
//! non-canonical trailing bits refused) once their whitespace is dropped; lines are found
//! with `memchr`. rustls-pki-types'
//! reader, used before, decoded with a constant-time routine meant for private keys and
//! read every line a second time after this module's structure check: together a sixth
//! of reading Intel's collateral files.

use base64::Engine as _;

/// One block, in text order.
#[derive(Debug)]
pub(crate) struct Block {
    /// The label (`CERTIFICATE`, `X509 CRL`, …).
    pub(crate) label: String,
    /// The decoded contents of a `CERTIFICATE` or `X509 CRL` block; `None` for any other.
    pub(crate) der: Option<Vec<u8>>,
}

impl Block {
    /// The DER of a `CERTIFICATE` block.
    pub(crate) fn certificate(self) -> Option<Vec<u8>> {
        if self.label == "CERTIFICATE" {
            self.der
        } else {
            None
        }
    }
}

/// The labels whose bodies are decoded: what Verdict reads from PEM.
const DECODED: [&[u8]; 2] = [b"CERTIFICATE", b"X509 CRL"];

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";

/// The blocks of `text`; text outside them is ignored, as RFC 7468 allows.
///
/// # Errors
/// A readable reason: a block without its END line, a body that is not base64, a
/// marker that is misplaced or malformed.
pub(crate) fn parse(text: &[u8]) -> Result<Vec<Block>, String> {
    let shown = |label: &[u8]| String::from_utf8_lossy(label).into_owned();
    let mut blocks = Vec::new();
    // The open block: its label and, for a decoded label, its base64 so far.
    let mut open: Option<(&[u8], Option<Vec<u8>>)> = None;
    for line in lines(text) {
        if let Some(label) = marker(line, BEGIN)? {
            if let Some((outer, _)) = open {
                return Err(format!(
                    "malformed PEM: a {} block begins inside the {} block",
                    shown(label),
                    shown(outer)
                ));
            }
            let body = DECODED.contains(&label).then(|| Vec::with_capacity(2048));
            open = Some((label, body));
        } else if let Some(label) = marker(line, END)? {
            match open.take() {
                Some((begun, body)) if begun == label => blocks.push(Block {
                    label: shown(label),
                    der: body.map(|b64| decode(label, &b64)).transpose()?,
                }),
                Some((begun, _)) => {
                    return Err(format!(
                        "malformed PEM: the {} block ends as {}",
                        shown(begun),
                        shown(label)
                    ))
                }
                None => {
                    return Err(format!(
                        "malformed PEM: an END {} line outside a block",
                        shown(label)
                    ))
                }
            }
        } else if line.contains(&b'-') && (contains(line, BEGIN) || contains(line, END)) {
            return Err("malformed PEM: a BEGIN or END marker that does not start its line".into());
        } else if let Some((_, Some(b64))) = open.as_mut() {
            b64.extend_from_slice(line.trim_ascii());
        }
    }
    match open {
        Some((label, _)) => Err(format!(
            "malformed PEM: the {} block does not end",
            shown(label)
        )),
        None => Ok(blocks),
    }
}

/// The label of a `prefix` marker line (`-----BEGIN <label>-----`, trailing spaces or
/// `\r` allowed), `None` if the line does not start with `prefix`.
fn marker<'t>(line: &'t [u8], prefix: &[u8]) -> Result<Option<&'t [u8]>, String> {
    let Some(rest) = line.strip_prefix(prefix) else {
        return Ok(None);
    };
    match rest.trim_ascii_end().strip_suffix(b"-----") {
        Some(label) if !label.ends_with(b"-") => Ok(Some(label)),
        _ => Err(format!(
            "malformed PEM: a marker line that does not end with five dashes: {}",
            String::from_utf8_lossy(line.trim_ascii_end())
        )),
    }
}

/// The lines of `text`, split at `\n` (a `\r` before it stays, for `trim_ascii`).
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(text);
    core::iter::from_fn(move || {
        let current = rest?;
        match memchr::memchr(b'\n', current) {
            Some(at) => {
                rest = current.get(at.saturating_add(1)..);
                current.get(..at)
            }
            None => rest.take(),
        }
    })
}

/// The body's base64, its lines' ends already trimmed. Whitespace inside a line (which
/// RFC 7468's lax readers allow) is rare: it is dropped only when a first decode fails.
fn decode(label: &[u8], b64: &[u8]) -> Result<Vec<u8>, String> {
    let engine = &base64::engine::general_purpose::STANDARD;
    engine
        .decode(b64)
        .or_else(|e| {
            if b64.iter().any(u8::is_ascii_whitespace) {
                let compact: Vec<u8> = b64
                    .iter()
                    .copied()
                    .filter(|b| !b.is_ascii_whitespace())
                    .collect();
                engine.decode(compact)
            } else {
                Err(e)
            }
        })
        .map_err(|e| {
            format!(
                "malformed PEM {} block: {e}",
                String::from_utf8_lossy(label)
            )
        })
}

/// Whether `needle` occurs in `haystack` (only lines holding a `-` get here: base64 has
/// none, so a body costs one byte search per line).
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    const CERT: &str = "-----BEGIN CERTIFICATE-----\nAAEC\nAw==\n-----END CERTIFICATE-----\n";

    #[test]
    fn known_and_other_blocks_keep_their_order() {
        let text = format!(
            "junk before\n{CERT}-----BEGIN FOO-----\nAAAA\n-----END FOO-----\r\n-----BEGIN X509 CRL-----\r\nBAU=\r\n-----END X509 CRL-----\r\n"
        );
        let blocks = parse(text.as_bytes()).unwrap();
        let labels: Vec<&str> = blocks.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["CERTIFICATE", "FOO", "X509 CRL"]);
        assert_eq!(blocks[0].der.as_deref(), Some(&[0, 1, 2, 3][..]));
        assert_eq!(blocks[1].der, None);
        assert_eq!(blocks[2].der.as_deref(), Some(&[4, 5][..]));
    }

    #[test]
    fn broken_text_is_refused() {
        for bad in [
            // no END line
            "-----BEGIN CERTIFICATE-----\nAAEC\n",
            // not base64
            "-----BEGIN CERTIFICATE-----\nA*EC\n-----END CERTIFICATE-----\n",
            // a BEGIN inside a block: the reader drops the first
            "-----BEGIN CERTIFICATE-----\nAAEC\n-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n",
            // a BEGIN line with a bad trailer
            "-----BEGIN CERTIFICATE----\nAAEC\n-----END CERTIFICATE-----\n",
            // an unknown block without its END, before a certificate: its body would be
            // read into the certificate's
            "-----BEGIN FOO-----\nAAEC\n-----BEGIN CERTIFICATE-----\nAw==\n-----END CERTIFICATE-----\n",
            // two blocks on one line (a file without its last newline, concatenated):
            // the second would be dropped
            "-----BEGIN X509 CRL-----\nBAU=\n-----END X509 CRL----------BEGIN X509 CRL-----\nBAU=\n-----END X509 CRL-----\n",
            // text before a marker on its line
            "junk -----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n",
            // END of another label, END outside a block
            "-----BEGIN CERTIFICATE-----\nAAEC\n-----END X509 CRL-----\n",
            "-----END CERTIFICATE-----\n",
            // six dashes
            "-----BEGIN CERTIFICATE------\nAAEC\n-----END CERTIFICATE-----\n",
            // a body that is not canonical base64 (trailing bits set, padding missing)
            "-----BEGIN CERTIFICATE-----\nAAED\nAx==\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\nAAEC\nAw\n-----END CERTIFICATE-----\n",
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(parse(b"no PEM here").unwrap().is_empty());
    }

    #[test]
    fn whitespace_in_a_body_is_dropped_and_other_bodies_are_not_decoded() {
        let text = "-----BEGIN CERTIFICATE-----  \r\n AA EC\t\r\nAw==\n-----END CERTIFICATE-----\n-----BEGIN FOO-----\n*not base64*\n-----END FOO-----\n";
        let blocks = parse(text.as_bytes()).unwrap();
        assert_eq!(blocks[0].der.as_deref(), Some(&[0, 1, 2, 3][..]));
        assert_eq!(
            (blocks[1].label.as_str(), blocks[1].der.as_ref()),
            ("FOO", None)
        );
    }
}
