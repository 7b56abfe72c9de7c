//! Reading the files a command is given, each bounded by what its kind can reasonably
//! hold (see [`InputKind::limit`]), so that `/dev/zero`, a sparse file or an endless pipe
//! fails at once with a message naming the limit instead of exhausting memory.

use std::io::IsTerminal as _;
use std::path::Path;

use collateral::{read_bounded, read_to_limit, size_text, ReadError};

use crate::exit::{Exit, Failure};
use crate::term::errln;

/// A kind of input file, with its size limit. The limits are documented in the README
/// ("Input limits"); keep them in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputKind {
    /// An evidence file: a report or quote in any encoding, or a JSON evidence document
    /// (several GPUs with their chains, a TDX quote with its event log).
    Evidence,
    /// A TDX CCEL event log.
    EventLog,
    /// An Azure vTPM quote (`--tpm-quote`): JSON, bincode or a bare TPMS_ATTEST.
    TpmQuote,
    /// An Azure vTPM quote's signature (`--tpm-signature`).
    TpmSignature,
    /// Azure PCR values (`--pcrs`).
    Pcrs,
    /// An Azure TDX TD quote (`--td-quote`).
    TdQuote,
    /// A CEL policy (YAML).
    Policy,
    /// A claims file for `policy check`.
    Claims,
    /// A signing key (PEM).
    Key,
    /// A JWKS.
    Jwks,
    /// A token (JWT or CWT text).
    Token,
    /// The config file (TOML).
    Config,
}

impl InputKind {
    /// The most bytes an input of this kind may hold.
    pub(crate) fn limit(self) -> u64 {
        match self {
            Self::Evidence | Self::EventLog | Self::Claims | Self::TdQuote => 16 << 20,
            // A quote over 24 PCRs in JSON is under 4 KiB; an RSA signature or 24 PCR
            // values under 1 KiB.
            Self::TpmQuote | Self::TpmSignature | Self::Pcrs => 64 << 10,
            Self::Policy => policy::MAX_POLICY_BYTES as u64,
            Self::Jwks | Self::Token | Self::Config => 1 << 20,
            Self::Key => 64 << 10,
        }
    }

    /// What the input is, for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Evidence => "evidence",
            Self::EventLog => "an event log",
            Self::TpmQuote => "a TPM quote",
            Self::TpmSignature => "a TPM quote signature",
            Self::Pcrs => "PCR values",
            Self::TdQuote => "a TD quote",
            Self::Policy => "a policy",
            Self::Claims => "a claims file",
            Self::Key => "a key",
            Self::Jwks => "a JWKS",
            Self::Token => "a token",
            Self::Config => "a config file",
        }
    }
}

/// Reads `path` (`-`: standard input) whole, within `kind`'s limit.
///
/// # Errors
/// Exit 2: unreadable, a directory, or over the limit (kind `input_too_large`).
pub(crate) fn read(path: &Path, kind: InputKind) -> Result<Vec<u8>, Failure> {
    if path == Path::new("-") {
        return read_stdin(kind);
    }
    announce_wait(path, kind);
    read_bounded(path, kind.limit(), kind.name()).map_err(|e| {
        let failure_kind = match e {
            ReadError::TooLarge { .. } => "input_too_large",
            _ => "unreadable_input",
        };
        Failure::usage(failure_kind, e)
    })
}

/// Standard input, within `kind`'s limit.
pub(crate) fn read_stdin(kind: InputKind) -> Result<Vec<u8>, Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        errln!(
            "verdict: reading {} from standard input; end it with Ctrl-D",
            kind.name()
        );
    }
    match read_to_limit(stdin.lock(), kind.limit()) {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(Failure::usage(
            "input_too_large",
            format_args!(
                "standard input holds more than {}, the limit for {}",
                size_text(kind.limit()),
                kind.name()
            ),
        )),
        Err(e) => Err(Failure::usage(
            "unreadable_input",
            format_args!("cannot read {} from standard input: {e}", kind.name()),
        )),
    }
}

/// Opening a FIFO waits for its writer: on a terminal, say what is being waited for,
/// rather than hang without a word.
pub(crate) fn announce_wait(path: &Path, kind: InputKind) {
    announce_wait_for(path, kind.name());
}

/// [`announce_wait`] for an input named `what`.
pub(crate) fn announce_wait_for(path: &Path, what: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let is_fifo = std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo());
        if is_fifo && std::io::stderr().is_terminal() {
            errln!(
                "verdict: waiting for a writer on the FIFO {} ({what})",
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, what);
}

/// The policy file, loaded (a policy that does not load is bad input, with its line).
pub(crate) fn load_policy(path: &Path) -> Result<policy::Policy, Failure> {
    let text = text_input(path, InputKind::Policy)?;
    policy::Policy::from_yaml(&text).map_err(|e| Failure {
        exit: Exit::BadInput,
        kind: "bad_policy".into(),
        message: format!("{}:{e}", path.display()),
    })
}

/// A token signing key file (PEM).
pub(crate) fn load_key(path: &Path) -> Result<policy::token::SigningKey, Failure> {
    let text = text_input(path, InputKind::Key)?;
    policy::token::SigningKey::from_pem(&text)
        .map_err(|e| Failure::usage("bad_key", format_args!("{}: {e}", path.display())))
}

/// A text input file (UTF-8), within its kind's limit.
pub(crate) fn text_input(path: &Path, kind: InputKind) -> Result<String, Failure> {
    String::from_utf8(read(path, kind)?).map_err(|e| {
        Failure::usage(
            "unreadable_input",
            format_args!(
                "{} is not UTF-8 text (byte {}), as {} must be",
                path.display(),
                e.utf8_error().valid_up_to(),
                kind.name()
            ),
        )
    })
}
