//! `verdict token keygen | jwks | verify`.

use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Context as _};
use policy::token::{self, Algorithm, JwkSet, Signer, SigningKey, VerifyOptions};
use rand_core::OsRng;
use verifier::time;

use crate::args::{AlgArg, JwksArgs, KeygenArgs, TokenVerifyArgs};
use crate::exit::{Exit, Failure};
use crate::input::load_key;
use crate::input::{self, InputKind};
use crate::pipeline::parse_at;
use crate::term::{emit, errln, Output};

pub(crate) fn keygen(args: &KeygenArgs) -> u8 {
    let alg = match args.alg {
        AlgArg::Es384 => Algorithm::Es384,
        AlgArg::Es256 => Algorithm::Es256,
        AlgArg::Eddsa => Algorithm::EdDsa,
    };
    // The CLI is the edge that owns the OS RNG; the key provider draws only from it.
    let result = SigningKey::generate(alg, &mut OsRng)
        .map_err(|e| anyhow!(e))
        .and_then(|key| {
            write_new_private(&args.out, key.to_pkcs8_pem().as_bytes())?;
            Ok(key)
        });
    match result {
        Ok(key) => {
            errln!(
                "wrote a new {} key to {} (kid {})",
                alg.jws_name(),
                args.out.display(),
                key.key_id()
            );
            Exit::Verified as u8
        }
        Err(e) => {
            errln!("verdict: {e:#}");
            Exit::BadInput as u8
        }
    }
}

/// Creates `path` (never overwriting) readable by its owner only.
fn write_new_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    // `sync_all` surfaces a full disk that a buffered write would only report later; a
    // key half written is removed rather than left to be mistaken for one.
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(anyhow!(e).context(format!("cannot write {}", path.display())));
    }
    Ok(())
}

pub(crate) fn jwks(args: &JwksArgs) -> u8 {
    let mut set = JwkSet { keys: Vec::new() };
    for path in &args.key {
        match load_key(path) {
            Ok(key) => set.keys.push(key.public_jwk()),
            Err(f) => {
                errln!("verdict: {}", f.message);
                return f.exit as u8;
            }
        }
    }
    let text = match serde_json::to_string_pretty(&set) {
        Ok(text) => text + "\n",
        Err(e) => {
            errln!("verdict: {e}");
            return Exit::BadInput as u8;
        }
    };
    match emit(text.as_bytes(), Output::Product("the JWKS")) {
        Ok(()) => Exit::Verified as u8,
        Err(f) => {
            errln!("verdict: {}", f.message);
            f.exit as u8
        }
    }
}

pub(crate) fn verify(args: &TokenVerifyArgs) -> u8 {
    let prepared = prepare(args);
    let (token, keys, options) = match prepared {
        Ok(p) => p,
        Err(f) => {
            errln!("verdict: {}", f.message);
            return f.exit as u8;
        }
    };
    match token::verify_token(&token, &keys, &options) {
        Ok(verified) => {
            errln!(
                "valid: {} {} token signed by {}",
                match verified.format {
                    token::TokenFormat::Jwt => "JWT",
                    token::TokenFormat::Cwt => "CWT",
                },
                verified.algorithm.jws_name(),
                verified.key_id
            );
            let text = match serde_json::to_string_pretty(&verified.claims) {
                Ok(text) => text + "\n",
                Err(e) => {
                    errln!("verdict: {e}");
                    return Exit::BadInput as u8;
                }
            };
            match emit(text.as_bytes(), Output::Informational) {
                Ok(()) => Exit::Verified as u8,
                Err(f) => {
                    errln!("verdict: {}", f.message);
                    f.exit as u8
                }
            }
        }
        Err(e) => {
            errln!("invalid: {e}");
            Exit::Rejected as u8
        }
    }
}

fn prepare(args: &TokenVerifyArgs) -> Result<(Vec<u8>, JwkSet, VerifyOptions), Failure> {
    let token = read_token(&args.token)?;
    let jwks = input::read(&args.jwks, InputKind::Jwks)?;
    let keys = parse_jwks(&jwks).map_err(|e| {
        Failure::usage(
            "bad_jwks",
            format_args!("{} is not a usable JWKS: {e}", args.jwks.display()),
        )
    })?;
    let now = match &args.at {
        Some(at) => parse_at(at)?,
        None => time::from_secs(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        ),
    };
    let expected_nonce = match args.nonce.as_deref().map(str::trim) {
        None => None,
        Some("") => {
            return Err(Failure::usage(
                "bad_usage",
                "--nonce is empty: give the challenge in hex, or leave --nonce out",
            ))
        }
        Some(h) => Some(hex::decode(h).map_err(|e| {
            Failure::usage("bad_usage", format_args!("--nonce {h:?} is not hex: {e}"))
        })?),
    };
    let mut options = VerifyOptions::new(now);
    options.expected_nonce = expected_nonce;
    options.expected_issuer.clone_from(&args.issuer);
    options.expected_audience.clone_from(&args.audience);
    Ok((token, keys, options))
}

/// The JWKS's usable keys; a key of a type Verdict does not verify with is ignored
/// (RFC 7517 §5), with a warning so that a missing key is not a mystery.
fn parse_jwks(bytes: &[u8]) -> Result<JwkSet, token::JwksError> {
    let (set, ignored) = JwkSet::from_json_with_ignored(bytes)?;
    for reason in ignored {
        errln!("verdict: warning: JWKS {reason}: ignored");
    }
    Ok(set)
}

/// The token: `-` reads stdin; an argument that is token text (a JWT: three
/// dot-separated base64url parts, the first a JSON header; or a CWT in hex or base64url)
/// and names no file is the token itself; anything else is a path.
fn read_token(arg: &str) -> Result<Vec<u8>, Failure> {
    let bytes = if arg == "-" {
        input::read_stdin(InputKind::Token)?
    } else if is_token_text(arg) && std::fs::symlink_metadata(arg).is_err() {
        arg.as_bytes().to_vec()
    } else {
        input::read(Path::new(arg), InputKind::Token).map_err(|mut f| {
            if !arg.contains('/') && std::fs::symlink_metadata(arg).is_err() {
                f.message.push_str(
                    " (taken as a path: it is neither a JWT, three dot-separated base64url \
                     parts, nor a CWT in hex or base64url)",
                );
            }
            f
        })?
    };
    // Text forms (JWT, hex, base64url) are trimmed; a binary CWT is taken as it is, since
    // its last bytes may be whitespace codes.
    let token = if bytes
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        bytes.trim_ascii().to_vec()
    } else {
        bytes
    };
    if token.is_empty() {
        return Err(Failure::usage("bad_token", "the token is empty"));
    }
    Ok(token)
}

/// Whether `arg` reads as a token rather than a file name.
fn is_token_text(arg: &str) -> bool {
    let base64url = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let parts: Vec<&str> = arg.split('.').collect();
    match parts[..] {
        // A JWS header is a JSON object: its base64url begins `ey` (`{"`).
        [header, payload, signature] => {
            header.starts_with("ey")
                && base64url(header)
                && base64url(payload)
                && base64url(signature)
        }
        // The smallest COSE_Sign1 is dozens of bytes.
        [cwt] => cwt.len() >= 64 && base64url(cwt),
        _ => false,
    }
}
