//! Where the real vendor vectors are: `$VERDICT_REAL_VECTORS`, else `shared/vectors` beside
//! the repository. They are read from there, never copied into the repository, and a
//! missing folder fails the test that asked for it: they are part of the suite.

use std::path::PathBuf;

/// The vectors root (it holds `snp/`, `tdx/`, `nvidia/`).
pub fn vectors_dir() -> PathBuf {
    std::env::var_os("VERDICT_REAL_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"))
}

/// The SEV-SNP vectors (`snp/`, with `EXPECTED.tsv`). Panics with the path tried if
/// they are missing.
pub fn snp_dir() -> PathBuf {
    let dir = vectors_dir().join("snp");
    assert!(
        dir.join("EXPECTED.tsv").is_file(),
        "real vectors not found at {} (set VERDICT_REAL_VECTORS)",
        dir.display()
    );
    dir
}

/// The Intel DCAP vectors (`tdx/`, with `cases/` and `README.md`). Panics with the path
/// tried if they are missing.
pub fn tdx_dir() -> PathBuf {
    let dir = vectors_dir().join("tdx");
    assert!(
        dir.join("cases").is_dir(),
        "real vectors not found at {} (set VERDICT_REAL_VECTORS)",
        dir.display()
    );
    dir
}

/// The NVIDIA vectors (`nvidia/`, with `VECTORS.md` and `MANIFEST.tsv`). Panics with the
/// path tried if they are missing.
pub fn nvidia_dir() -> PathBuf {
    let dir = vectors_dir().join("nvidia");
    assert!(
        dir.join("MANIFEST.tsv").is_file(),
        "real vectors not found at {} (set VERDICT_REAL_VECTORS)",
        dir.display()
    );
    dir
}

/// Reads a file under the vectors root (`relative` as in `tdx/cases/…`), so the pure
/// crates' unit tests do no I/O of their own. Panics with the path if it cannot.
pub fn read(relative: &str) -> Vec<u8> {
    let path = vectors_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
