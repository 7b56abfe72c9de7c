//! Errors of the catalog builders.

use std::path::PathBuf;

/// Why a catalog could not be built or merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A vector file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A vector file is not what its place says it is.
    #[error("{path}: {reason}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// No Intel case of that name under `tdx/cases/`.
    #[error("no Intel case named {0:?} under tdx/cases")]
    UnknownCase(String),
    /// Two catalogs serve different content at the same URL.
    #[error("{what} is served by both catalogs with different content")]
    Collision {
        /// The URL (path and query) or OCSP serial that collides.
        what: String,
    },
    /// A recorded OCSP response could not be read.
    #[error("OCSP response: {0}")]
    Ocsp(String),
}

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> BuildError {
    let path = path.into();
    move |source| BuildError::Io { path, source }
}

pub(crate) fn malformed(path: impl Into<PathBuf>, reason: impl Into<String>) -> BuildError {
    BuildError::Malformed {
        path: path.into(),
        reason: reason.into(),
    }
}
