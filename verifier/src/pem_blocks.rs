//! PEM text (RFC 7468) split into its blocks, through rustls-pki-types' reader: it
//! decodes a certificate chain several times faster than the `pem` crate, whose
//! character-by-character collection of each body was a tenth of a cold TDX
//! verification's parsing.
//!
//! That reader skips blocks whose label it does not know, and it reads lines: a marker
//! that does not start its line is not seen as one. Verdict refuses some kinds of block
//! (collateral, the PCK chain) and names them in the error, so the text's structure is
//! checked here first: every `-----BEGIN` and `-----END` marker starts its line, blocks
//! do not nest or overlap, and each BEGIN has its END with the same label. Then a block
//! with a known label carries its decoded bytes and one with another label only its
//! label.

use rustls_pki_types::pem::{PemObject, SectionKind};

/// One block, in text order.
#[derive(Debug)]
pub(crate) struct Block {
    /// The label (`CERTIFICATE`, `X509 CRL`, …).
    pub(crate) label: String,
    /// The decoded contents, for the labels the reader knows (certificates, CRLs, keys,
    /// requests); `None` for any other.
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

/// The blocks of `text`; text outside them is ignored, as RFC 7468 allows.
///
/// # Errors
/// A readable reason: a block without its END line, a body that is not base64, a
/// `-----BEGIN` line that starts no block.
pub(crate) fn parse(text: &[u8]) -> Result<Vec<Block>, String> {
    let labels = block_labels(text)?;
    let mut decoded = <(SectionKind, Vec<u8>)>::pem_slice_iter(text);
    let mut blocks = Vec::new();
    for label in labels {
        let label_text = String::from_utf8_lossy(label).into_owned();
        let der = match SectionKind::try_from(label) {
            Ok(kind) => match decoded.next() {
                Some(Ok((got, der))) if got == kind => Some(der),
                Some(Err(e)) => return Err(format!("malformed PEM {label_text} block: {e:?}")),
                _ => {
                    return Err(format!(
                        "malformed PEM: the {label_text} block does not end"
                    ))
                }
            },
            Err(_) => None,
        };
        blocks.push(Block {
            label: label_text,
            der,
        });
    }
    match decoded.next() {
        None => Ok(blocks),
        Some(Err(e)) => Err(format!("malformed PEM: {e:?}")),
        Some(Ok(_)) => Err("malformed PEM: a block without its BEGIN line".to_owned()),
    }
}

/// The label of each block, in order, once the markers are known to be well placed: each
/// `-----BEGIN <label>-----` and `-----END <label>-----` starts its line (lines as the
/// reader splits them: at `\n`, with a trailing `\r` or spaces allowed), a BEGIN comes
/// only outside a block, and an END closes the open block's label.
fn block_labels(text: &[u8]) -> Result<Vec<&[u8]>, String> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    const END: &[u8] = b"-----END ";
    let shown = |label: &[u8]| String::from_utf8_lossy(label).into_owned();
    let mut labels = Vec::new();
    let mut open: Option<&[u8]> = None;
    for line in text.split(|&b| b == b'\n') {
        let marker = |prefix: &[u8]| {
            let rest = line.strip_prefix(prefix)?.trim_ascii_end();
            Some(rest.strip_suffix(b"-----").unwrap_or(rest))
        };
        if let Some(label) = marker(BEGIN) {
            if let Some(outer) = open {
                return Err(format!(
                    "malformed PEM: a {} block begins inside the {} block",
                    shown(label),
                    shown(outer)
                ));
            }
            open = Some(label);
            labels.push(label);
        } else if let Some(label) = marker(END) {
            match open.take() {
                Some(begun) if begun == label => {}
                Some(begun) => {
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
        }
    }
    match open {
        Some(label) => Err(format!(
            "malformed PEM: the {} block does not end",
            shown(label)
        )),
        None => Ok(labels),
    }
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
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(parse(b"no PEM here").unwrap().is_empty());
    }
}
