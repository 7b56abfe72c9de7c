//! `verdict token keygen | jwks | verify`.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Context as _};
use policy::token::{self, Algorithm, JwkSet, Signer, SigningKey, VerifyOptions};

use crate::args::{AlgArg, JwksArgs, KeygenArgs, TokenVerifyArgs};
use crate::cmd::appraise::load_key;
use crate::exit::Exit;
use crate::term::errln;

pub(crate) fn keygen(args: &KeygenArgs) -> u8 {
    let alg = match args.alg {
        AlgArg::Es384 => Algorithm::Es384,
        AlgArg::Es256 => Algorithm::Es256,
        AlgArg::Eddsa => Algorithm::EdDsa,
    };
    let result = SigningKey::generate(alg)
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
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
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
    match serde_json::to_string_pretty(&set) {
        Ok(text) => {
            println!("{text}");
            Exit::Verified as u8
        }
        Err(e) => {
            errln!("verdict: {e}");
            Exit::BadInput as u8
        }
    }
}

pub(crate) fn verify(args: &TokenVerifyArgs) -> u8 {
    let prepared = prepare(args);
    let (token, keys, options) = match prepared {
        Ok(p) => p,
        Err(e) => {
            errln!("verdict: {e:#}");
            return Exit::BadInput as u8;
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
            match serde_json::to_string_pretty(&verified.claims) {
                Ok(text) => println!("{text}"),
                Err(e) => errln!("verdict: {e}"),
            }
            Exit::Verified as u8
        }
        Err(e) => {
            errln!("invalid: {e}");
            Exit::Rejected as u8
        }
    }
}

fn prepare(args: &TokenVerifyArgs) -> anyhow::Result<(Vec<u8>, JwkSet, VerifyOptions)> {
    let token = read_token(&args.token)?;
    let jwks_text = std::fs::read_to_string(&args.jwks)
        .with_context(|| format!("cannot read JWKS {}", args.jwks.display()))?;
    let keys: JwkSet = serde_json::from_str(&jwks_text)
        .with_context(|| format!("{} is not a JWKS", args.jwks.display()))?;
    let now = match &args.at {
        Some(at) => verifier::time::parse_rfc3339(at)
            .ok_or_else(|| anyhow!("--at {at:?} is not an RFC 3339 time"))?,
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    };
    let expected_nonce = args
        .nonce
        .as_deref()
        .map(|h| hex::decode(h).with_context(|| format!("--nonce {h:?} is not hex")))
        .transpose()?;
    let options = VerifyOptions {
        now: i64::try_from(now).unwrap_or(i64::MAX),
        leeway: 60,
        expected_nonce,
        expected_issuer: args.issuer.clone(),
        expected_audience: args.audience.clone(),
    };
    Ok((token, keys, options))
}

/// The token itself, or the contents of the file it names (`-`: stdin), trimmed.
fn read_token(arg: &str) -> anyhow::Result<Vec<u8>> {
    let bytes = if arg == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read the token from stdin")?;
        buf
    } else if Path::new(arg).is_file() {
        std::fs::read(arg).with_context(|| format!("cannot read {arg}"))?
    } else {
        arg.as_bytes().to_vec()
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
        return Err(anyhow!("the token is empty"));
    }
    Ok(token)
}
