//! Text for a terminal. Certificate subjects, versions, event-log strings and error
//! messages come from evidence and collateral an attacker may have crafted: printed raw,
//! an escape sequence could clear the screen or a newline forge a `verified:` line. Every
//! human-readable line goes through [`Terminal`], which escapes each control character
//! (C0, DEL, C1), and the invisible bidirectional-text controls, as `\u{…}`.
//!
//! One `write!`/`writeln!` is one line: only its final newline is kept, so a newline
//! inside a value cannot start a line of its own. JSON output is not written through it
//! (serde_json escapes control characters in strings itself).

use std::fmt;
use std::io::{self, Write};

use crate::exit::Failure;

/// Whether `c` must not reach a terminal as itself.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character escaped, except one final newline.
pub(crate) fn escape_line(text: &str) -> String {
    let (body, newline) = match text.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (text, ""),
    };
    let mut out = String::with_capacity(text.len());
    for c in body.chars() {
        if needs_escape(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out.push_str(newline);
    out
}

/// A writer that escapes what it is given (see the module docs).
pub(crate) struct Terminal<W: Write>(pub(crate) W);

impl<W: Write> Write for Terminal<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .write_all(escape_line(&String::from_utf8_lossy(buf)).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }

    fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> io::Result<()> {
        // Formatted whole, so that the escaping sees the line, not its pieces.
        self.0.write_all(escape_line(&args.to_string()).as_bytes())
    }
}

/// Standard error for human-readable text.
pub(crate) fn stderr() -> Terminal<io::StderrLock<'static>> {
    Terminal(io::stderr().lock())
}

/// What a command writes on standard output, which decides what a failed write means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// Information about a result that the exit code already gives (claims, a policy
    /// report): a reader that closed the pipe early (`| head -1`) is no failure.
    Informational,
    /// The product of the command (a token, a JWKS): not written is not done, whatever
    /// the reason.
    Product(&'static str),
}

/// Writes `bytes` to standard output and flushes. A failed write (a full disk, a closed
/// pipe where the output is the product) is exit 2, never a panic and never success.
pub(crate) fn emit(bytes: &[u8], output: Output) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    let written = out.write_all(bytes).and_then(|()| out.flush());
    match (written, output) {
        (Ok(()), _) => Ok(()),
        (Err(e), Output::Informational) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        (Err(e), Output::Informational) => Err(Failure::usage(
            "output_failed",
            format_args!("cannot write the output: {e}"),
        )),
        (Err(e), Output::Product(what)) => Err(Failure::usage(
            "output_failed",
            format_args!("cannot write {what}: {e}"),
        )),
    }
}

/// `eprintln!` through [`Terminal`]: one escaped line on standard error.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!($crate::term::stderr(), $($arg)*);
    }};
}
pub(crate) use errln;

#[cfg(test)]
mod tests {
    use super::escape_line;

    #[test]
    fn controls_are_escaped_and_only_a_final_newline_kept() {
        assert_eq!(escape_line("plain text\n"), "plain text\n");
        assert_eq!(
            escape_line("CN=\u{1b}[2J\rverified: x\nfake\t\u{7f}\u{9b}\u{202e}\n"),
            "CN=\\u{1b}[2J\\u{d}verified: x\\u{a}fake\\u{9}\\u{7f}\\u{9b}\\u{202e}\n"
        );
        assert_eq!(escape_line("é ✓ 漢"), "é ✓ 漢");
    }
}
