//! Collateral from files and directories (PEM or DER certificates, chains and CRLs).

use std::path::{Path, PathBuf};

use verifier::collateral::Bundle;

/// Collateral read from disk.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Everything that parsed.
    pub bundle: Bundle,
    /// Files inside directories that were not collateral, with the reason.
    pub skipped: Vec<Skipped>,
}

/// A file in a directory that was not collateral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file.
    pub path: PathBuf,
    /// Why it was skipped.
    pub reason: String,
}

/// A collateral path that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file named explicitly is not a certificate, chain or CRL.
    #[error("{path} is not a certificate, certificate chain or CRL: {source}")]
    NotCollateral {
        /// The path.
        path: PathBuf,
        /// The parse error.
        source: verifier::Error,
    },
}

/// Loads every path: a file must be collateral (PEM or DER, detected by content); a
/// directory contributes every regular file in it (not recursively), skipping — and
/// reporting — files that are not collateral, such as the evidence itself.
///
/// # Errors
/// [`LoadError`] for an unreadable path or an explicitly named file that is not collateral.
pub fn load_paths<P: AsRef<Path>>(paths: &[P]) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded::default();
    for path in paths {
        let path = path.as_ref();
        let io = |source| LoadError::Io {
            path: path.to_owned(),
            source,
        };
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for file in entries.into_iter().filter(|p| p.is_file()) {
                let bytes = std::fs::read(&file).map_err(|source| LoadError::Io {
                    path: file.clone(),
                    source,
                })?;
                if let Err(e) = loaded.bundle.add_bytes(&bytes) {
                    loaded.skipped.push(Skipped {
                        path: file,
                        reason: e.to_string(),
                    });
                }
            }
        } else {
            let bytes = std::fs::read(path).map_err(io)?;
            loaded
                .bundle
                .add_bytes(&bytes)
                .map_err(|source| LoadError::NotCollateral {
                    path: path.to_owned(),
                    source,
                })?;
        }
    }
    Ok(loaded)
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
        assert_eq!(loaded.bundle.certificates.len(), 13);
        assert_eq!(loaded.bundle.crls.len(), 4);
        assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
        // A directory holding the evidence too: the report is skipped, not an error.
        let loaded = load_paths(&[dir.join("milan-v3-oak-oc-release")]).unwrap();
        assert_eq!(loaded.bundle.certificates.len(), 1);
        assert_eq!(loaded.skipped.len(), 1);
        // A named file that is not collateral is an error naming it.
        let err = load_paths(&[dir.join("milan-v3-oak-oc-release/report.bin")]).unwrap_err();
        assert!(err.to_string().contains("report.bin"), "{err}");
        let err = load_paths(&[dir.join("does-not-exist")]).unwrap_err();
        assert!(matches!(err, LoadError::Io { .. }));
    }
}
