//! Collateral from files and directories (PEM or DER certificates, chains and CRLs).

use std::path::{Path, PathBuf};

use verifier::collateral::Bundle;

use crate::read::{read_bounded, ReadError};

/// The most bytes one collateral file may hold. The largest real ones are Intel's PCK
/// CRLs and NVIDIA's RIMs, well under a megabyte.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Collateral read from disk.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Everything that parsed.
    pub bundle: Bundle,
    /// Files inside directories that were not collateral, with the reason.
    pub skipped: Vec<Skipped>,
}

impl Loaded {
    /// The skipped files a person should hear about: those that looked like collateral
    /// but could not be used (see [`SkipKind::Unusable`]).
    pub fn unusable(&self) -> impl Iterator<Item = &Skipped> {
        self.skipped.iter().filter(|s| s.kind == SkipKind::Unusable)
    }
}

/// A file in a directory that was not collateral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file.
    pub path: PathBuf,
    /// What it looked like.
    pub kind: SkipKind,
    /// Why it was skipped.
    pub reason: String,
}

/// What a skipped file looked like: whether skipping it may hide the collateral a
/// verification then misses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipKind {
    /// Evidence (a report or quote, in any of its forms), often kept beside its
    /// collateral.
    Evidence,
    /// Nothing collateral comes as (a README, a manifest): skipped quietly.
    Unrecognized,
    /// Collateral's form (PEM, DER, JSON, XML) that did not parse, a file over
    /// [`MAX_FILE_BYTES`], or something that is not a regular file: worth a warning.
    Unusable,
}

/// A collateral path that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file or directory could not be read, or a file is over [`MAX_FILE_BYTES`].
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A file named explicitly is not collateral.
    #[error("{} is not collateral Verdict reads: {reason}", path.display())]
    NotCollateral {
        /// The path.
        path: PathBuf,
        /// The parse error (not a `source`: its text is already in the message).
        reason: verifier::Error,
    },
}

/// Loads every path: a file must be collateral (detected by content); a directory
/// contributes every regular file in it (not recursively), skipping — and reporting, in
/// [`Loaded::skipped`] — files that are not collateral, such as the evidence itself.
///
/// # Errors
/// [`LoadError`] for an unreadable path, a file over [`MAX_FILE_BYTES`], or an
/// explicitly named file that is not collateral.
pub fn load_paths<P: AsRef<Path>>(paths: &[P]) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded::default();
    for path in paths {
        let path = path.as_ref();
        if path.is_dir() {
            load_dir(path, &mut loaded)?;
        } else {
            let bytes = read_bounded(path, MAX_FILE_BYTES, "a collateral file")?;
            loaded
                .bundle
                .add_bytes(&bytes)
                .map_err(|reason| LoadError::NotCollateral {
                    path: path.to_owned(),
                    reason,
                })?;
        }
    }
    Ok(loaded)
}

fn load_dir(dir: &Path, loaded: &mut Loaded) -> Result<(), LoadError> {
    let io = |error| ReadError::Io {
        path: dir.to_owned(),
        error,
    };
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        entries.push(entry.map_err(io)?.path());
    }
    entries.sort();
    for path in entries {
        // `metadata` follows links: a link to a certificate is a certificate.
        let Ok(metadata) = std::fs::metadata(&path) else {
            loaded.skipped.push(Skipped {
                path,
                kind: SkipKind::Unusable,
                reason: "a dangling link".into(),
            });
            continue;
        };
        if metadata.is_dir() {
            continue;
        }
        if !metadata.is_file() {
            // Reading a FIFO would wait for a writer; a device may never end.
            loaded.skipped.push(Skipped {
                path,
                kind: SkipKind::Unusable,
                reason: "not a regular file".into(),
            });
            continue;
        }
        let bytes = match read_bounded(&path, MAX_FILE_BYTES, "a collateral file") {
            Ok(bytes) => bytes,
            Err(e @ ReadError::TooLarge { .. }) => {
                loaded.skipped.push(Skipped {
                    path,
                    kind: SkipKind::Unusable,
                    reason: e.to_string(),
                });
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if let Err(e) = loaded.bundle.add_bytes(&bytes) {
            loaded.skipped.push(Skipped {
                path,
                kind: skip_kind(&bytes),
                reason: e.to_string(),
            });
        }
    }
    Ok(())
}

/// What a file that is not collateral looks like.
fn skip_kind(bytes: &[u8]) -> SkipKind {
    if verifier::nvidia::looks_like(bytes)
        || verifier::evidence::detect(&verifier::evidence::decode(bytes)).is_some()
        || is_trustee_evidence(bytes)
    {
        return SkipKind::Evidence;
    }
    let text = bytes.trim_ascii_start();
    let collateral_form = text.starts_with(b"-----BEGIN")
        || text.starts_with(b"<")
        || text.starts_with(b"{")
        // DER: a SEQUENCE with a long-form length, as every certificate, CRL and OCSP
        // response has.
        || (bytes.first() == Some(&0x30) && bytes.get(1).is_some_and(|&l| (0x81..=0x84).contains(&l)));
    if collateral_form {
        SkipKind::Unusable
    } else {
        SkipKind::Unrecognized
    }
}

/// Trustee's TDX evidence (`{"quote": …}`), whose quote is what the file is about.
fn is_trustee_evidence(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| v.get("quote").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_files_and_directories() {
        let dir = testvectors::real::snp_dir();
        let loaded = load_paths(&[
            dir.join("roots"),
            dir.join("milan-v3-oak-oc-release/vcek.der"),
        ])
        .unwrap();
        // 6 chains of two certificates, 4 CRL files, 1 VCEK.
        assert_eq!(loaded.bundle.certificates().len(), 13);
        assert_eq!(loaded.bundle.crls().len(), 4);
        assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
        // A directory holding the evidence too: the report is skipped, not an error.
        let loaded = load_paths(&[dir.join("milan-v3-oak-oc-release")]).unwrap();
        assert_eq!(loaded.bundle.certificates().len(), 1);
        assert_eq!(loaded.skipped.len(), 1);
        assert_eq!(loaded.skipped[0].kind, SkipKind::Evidence);
        // A named file that is not collateral is an error naming it.
        let err = load_paths(&[dir.join("milan-v3-oak-oc-release/report.bin")]).unwrap_err();
        assert!(err.to_string().contains("report.bin"), "{err}");
        let err = load_paths(&[dir.join("does-not-exist")]).unwrap_err();
        assert!(matches!(err, LoadError::Read(ReadError::Io { .. })));
    }

    #[test]
    fn skipped_files_say_whether_they_looked_like_collateral() {
        let snp = testvectors::real::snp_dir().join("milan-v3-oak-oc-release");
        let dir = std::env::temp_dir().join(format!("verdict-skip-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
        write("vcek.der", &std::fs::read(snp.join("vcek.der")).unwrap());
        write(
            "report.bin",
            &std::fs::read(snp.join("report.bin")).unwrap(),
        );
        write("README.md", b"# notes\n");
        write(
            "ask.pem",
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        );
        write("tcb.json", br#"{"tcbInfo": 5}"#);
        write(
            "rim.xml",
            b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>",
        );
        let mut truncated = std::fs::read(snp.join("vcek.der")).unwrap();
        truncated.truncate(100);
        write("vlek.der", &truncated);
        let loaded = load_paths(&[&dir]).unwrap();
        assert_eq!(loaded.bundle.certificates().len(), 1);
        let kinds: Vec<(String, SkipKind)> = loaded
            .skipped
            .iter()
            .map(|s| {
                (
                    s.path.file_name().unwrap().to_string_lossy().into_owned(),
                    s.kind,
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("README.md".to_owned(), SkipKind::Unrecognized),
                ("ask.pem".to_owned(), SkipKind::Unusable),
                ("report.bin".to_owned(), SkipKind::Evidence),
                ("rim.xml".to_owned(), SkipKind::Unusable),
                ("tcb.json".to_owned(), SkipKind::Unusable),
                ("vlek.der".to_owned(), SkipKind::Unusable),
            ]
        );
        assert_eq!(loaded.unusable().count(), 4);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_named_file_that_is_not_collateral_says_so_once() {
        let report = testvectors::real::snp_dir().join("milan-v3-oak-oc-release/report.bin");
        let err = load_paths(&[&report]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("is not collateral"), "{text}");
        assert!(std::error::Error::source(&err).is_none(), "{text}");
    }
}
