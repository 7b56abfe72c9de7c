//! Reading a file whole, up to a bound.
//!
//! Every input Verdict reads has a size it can reasonably have; reading more than that
//! is how `/dev/zero`, a sparse file or a runaway pipe would take the machine's memory
//! before any parser could say no. [`read_bounded`] reads at most `limit + 1` bytes and
//! fails as soon as there is one byte too many.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// A file that could not be read whole.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading failed.
    #[error("cannot read {}: {error}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error (not a `source`: its text is already in the message).
        error: io::Error,
    },
    /// The path names a directory where a file is needed.
    #[error("{} is a directory, not a file", path.display())]
    Directory {
        /// The path.
        path: PathBuf,
    },
    /// The file holds more than the limit for its kind.
    #[error("{} is larger than {}, the limit for {what}", path.display(), size_text(*limit))]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// What the file was read as (`evidence`, `a collateral file`, …).
        what: &'static str,
        /// The limit, in bytes.
        limit: u64,
    },
}

/// Reads `path` whole if it holds at most `limit` bytes; `what` names the input in the
/// error. Regular files, pipes and devices are read the same way, so the bound also
/// holds for `/dev/zero` and for a FIFO whose writer never stops.
///
/// # Errors
/// [`ReadError`]: unreadable, a directory, or over the limit.
pub fn read_bounded(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, ReadError> {
    let io = |error| ReadError::Io {
        path: path.to_owned(),
        error,
    };
    let file = File::open(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    if metadata.is_dir() {
        return Err(ReadError::Directory {
            path: path.to_owned(),
        });
    }
    // A regular file says its size up front: refuse without reading it.
    if metadata.is_file() && metadata.len() > limit {
        return Err(ReadError::TooLarge {
            path: path.to_owned(),
            what,
            limit,
        });
    }
    read_to_limit(file, limit)
        .map_err(io)?
        .ok_or_else(|| ReadError::TooLarge {
            path: path.to_owned(),
            what,
            limit,
        })
}

/// Reads `reader` to its end if that comes within `limit` bytes; `None` if it does not.
///
/// # Errors
/// The reader's I/O error.
pub fn read_to_limit(reader: impl Read, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    Ok((u64::try_from(buf.len()).unwrap_or(u64::MAX) <= limit).then_some(buf))
}

/// `262144` as `256 KiB`, for messages.
pub fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_limit_and_no_further() {
        let dir = std::env::temp_dir().join(format!("verdict-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("f");
        std::fs::write(&file, b"12345").unwrap();
        assert_eq!(read_bounded(&file, 5, "test input").unwrap(), b"12345");
        let err = read_bounded(&file, 4, "test input").unwrap_err();
        assert!(matches!(err, ReadError::TooLarge { limit: 4, .. }), "{err}");
        assert!(err
            .to_string()
            .ends_with("is larger than 4 bytes, the limit for test input"));
        assert!(matches!(
            read_bounded(&dir, 4, "test input"),
            Err(ReadError::Directory { .. })
        ));
        assert!(matches!(
            read_bounded(&dir.join("absent"), 4, "test input"),
            Err(ReadError::Io { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_stops_at_the_limit() {
        let start = std::time::Instant::now();
        let err = read_bounded(Path::new("/dev/zero"), 256 << 10, "a policy").unwrap_err();
        assert_eq!(
            err.to_string(),
            "/dev/zero is larger than 256 KiB, the limit for a policy"
        );
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(16 << 20), "16 MiB");
        assert_eq!(size_text(256 << 10), "256 KiB");
        assert_eq!(size_text(1000), "1000 bytes");
    }
}
