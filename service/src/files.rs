//! The data directory's small files: read whole, written atomically (a temporary file
//! renamed over the old), private ones readable by the owner only.

use std::io::Write;
use std::path::Path;

/// The largest file the service reads from its data directory or configuration.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// Reads a UTF-8 file of at most 1 MiB; the error names the file.
pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    let bytes =
        collateral::read_bounded(path, MAX_FILE_BYTES, "file").map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", path.display()))
}

/// Writes `bytes` to `path` atomically, creating its directory, mode 0600 on Unix.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .ok_or_else(|| format!("{}: no directory", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("{}: {e}", path.display()));
    }
    Ok(())
}
