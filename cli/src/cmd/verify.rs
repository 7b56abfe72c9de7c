//! `verdict verify`.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Context as _};
use serde_json::{json, Value};
use verifier::crypto::HashAlg;
use verifier::evidence::{self, Tee};
use verifier::snp::{Product, ReportDataExpectation, SnpClaims, SnpOptions};
use verifier::{time, Claims, TrustAnchors, Verified, Verifier, Warning};

use crate::args::{TeeArg, VerifyArgs};
use crate::exit::Exit;

/// A failure before or during verification: the exit code and a stable kind.
struct Failure {
    exit: Exit,
    kind: String,
    message: String,
}

impl Failure {
    fn usage(kind: &str, err: anyhow::Error) -> Self {
        Self {
            exit: Exit::BadInput,
            kind: kind.to_owned(),
            message: format!("{err:#}"),
        }
    }
}

pub(crate) fn run(args: &VerifyArgs) -> u8 {
    let outcome = verify(args);
    let exit = match &outcome {
        Ok(_) => Exit::Verified,
        Err(f) => f.exit,
    };
    let printed = if args.json {
        print_json(&outcome)
    } else {
        print_human(&outcome)
    };
    // A closed pipe (`verdict verify … | head -1`) is not a failure of verification.
    if let Err(e) = printed {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("verdict: cannot write output: {e}");
        }
    }
    exit as u8
}

fn verify(args: &VerifyArgs) -> Result<Verified<SnpClaims>, Failure> {
    let raw = read_evidence(&args.evidence).map_err(|e| Failure::usage("unreadable_input", e))?;
    let bytes = evidence::decode(&raw);
    let tee = match (args.tee, evidence::detect(&bytes)) {
        (Some(TeeArg::Snp), _) | (None, Some(Tee::Snp)) => Tee::Snp,
        (Some(TeeArg::Tdx), _) => return Err(unsupported("Intel TDX quotes")),
        (Some(TeeArg::Nvidia), _) => return Err(unsupported("NVIDIA GPU evidence")),
        (None, _) => {
            return Err(Failure::usage(
                "unknown_evidence",
                anyhow!(
                    "cannot tell what kind of evidence {} is ({} bytes after decoding): pass --tee",
                    args.evidence.display(),
                    bytes.len()
                ),
            ))
        }
    };
    debug_assert_eq!(tee, Tee::Snp);
    let now = match &args.at {
        Some(at) => time::parse_rfc3339(at).ok_or_else(|| {
            Failure::usage("bad_usage", anyhow!("--at {at:?} is not an RFC 3339 time"))
        })?,
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    };
    let loaded = collateral::load_paths(&args.collateral).map_err(|e| match e {
        collateral::LoadError::Io { .. } => Failure {
            exit: Exit::MissingCollateral,
            kind: "collateral_unavailable".into(),
            message: e.to_string(),
        },
        collateral::LoadError::NotCollateral { .. } => Failure {
            exit: Exit::BadInput,
            kind: "malformed_collateral".into(),
            message: e.to_string(),
        },
    })?;
    let anchors = anchors(&args.anchor).map_err(|e| Failure::usage("bad_anchor", e))?;
    let options = SnpOptions {
        report_data: nonce(args.nonce.as_deref()).map_err(|e| Failure::usage("bad_usage", e))?,
        ..SnpOptions::default()
    };
    let verifier = Verifier::new(anchors);
    verifier
        .verify_snp(&bytes, &loaded.bundle, &options, time::from_secs(now))
        .map_err(|e| {
            let mut message = e.to_string();
            if e.class() == verifier::ErrorClass::MissingCollateral {
                message.push_str(if args.offline {
                    "; pass it with --collateral"
                } else {
                    "; pass it with --collateral (fetching from AMD KDS is not available yet)"
                });
            }
            Failure {
                exit: e.class().into(),
                kind: e.kind().to_owned(),
                message,
            }
        })
}

fn unsupported(what: &str) -> Failure {
    Failure {
        exit: Exit::BadInput,
        kind: "unsupported_tee".into(),
        message: format!("{what} are not supported by this version of verdict"),
    }
}

fn read_evidence(path: &Path) -> anyhow::Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read evidence from stdin")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("cannot read evidence {}", path.display()))
}

fn nonce(hex_nonce: Option<&str>) -> anyhow::Result<Option<ReportDataExpectation>> {
    let Some(h) = hex_nonce else { return Ok(None) };
    let bytes = hex::decode(h.trim()).map_err(|e| anyhow!("--nonce is not hex: {e}"))?;
    match bytes.len() {
        64 => Ok(Some(ReportDataExpectation::Exact(
            bytes.try_into().unwrap_or([0; 64]),
        ))),
        1..=63 => Ok(Some(ReportDataExpectation::Prefix(bytes))),
        n => Err(anyhow!("--nonce must be 1 to 64 bytes, got {n}")),
    }
}

/// `--anchor` roots replace the built-in ones: each must be an AMD-shaped ARK (CN
/// `ARK-<product>`), pinned by the SHA-256 of its SubjectPublicKeyInfo.
fn anchors(paths: &[std::path::PathBuf]) -> anyhow::Result<TrustAnchors> {
    if paths.is_empty() {
        return Ok(TrustAnchors::default());
    }
    let loaded = collateral::load_paths(paths)?;
    let provider = verifier::crypto::default_provider();
    let mut amd_ark = Vec::new();
    for cert in &loaded.bundle.certificates {
        let cn = cert.subject().common_name().unwrap_or_default();
        let product = cn
            .strip_prefix("ARK-")
            .and_then(Product::from_name)
            .ok_or_else(|| {
                anyhow!(
                    "anchor {} is not an AMD root (CN ARK-<product>)",
                    cert.subject().display()
                )
            })?;
        let hash = provider.hash(HashAlg::Sha256, &[cert.spki_der()]);
        let mut pin = [0u8; 32];
        pin.copy_from_slice(hash.as_ref());
        amd_ark.push((product, pin));
    }
    Ok(TrustAnchors { amd_ark })
}

fn warnings_json(warnings: &[Warning]) -> Value {
    serde_json::to_value(warnings).unwrap_or(Value::Null)
}

fn print_json(outcome: &Result<Verified<SnpClaims>, Failure>) -> std::io::Result<()> {
    let value = match outcome {
        Ok(v) => json!({
            "verified": true,
            "tee": "snp",
            "claims": serde_json::to_value(Claims::Snp(Box::new(v.claims().clone()))).unwrap_or(Value::Null),
            "warnings": warnings_json(v.warnings()),
        }),
        Err(f) => json!({
            "verified": false,
            "tee": "snp",
            "claims": Value::Null,
            "warnings": [],
            "error": { "kind": f.kind, "message": f.message },
        }),
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &value)?;
    writeln!(out)
}

fn print_human(outcome: &Result<Verified<SnpClaims>, Failure>) -> std::io::Result<()> {
    match outcome {
        Err(f) => {
            let verdict = match f.exit {
                Exit::Rejected => "rejected",
                Exit::MissingCollateral => "cannot verify",
                _ => "error",
            };
            writeln!(
                std::io::stderr().lock(),
                "verdict: {verdict}: {}",
                f.message
            )
        }
        Ok(v) => {
            let c = v.claims();
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "verified: AMD SEV-SNP report v{} from {}{}, signed by {} (chain to ARK-{}{})",
                c.version,
                c.product,
                c.cpu_model
                    .filter(|m| *m != c.product)
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default(),
                c.signing_key.to_uppercase(),
                c.product,
                if c.crl_checked { ", CRL checked" } else { "" },
            )?;
            let t = &c.reported_tcb;
            let fmc = t.fmc.map(|f| format!(" fmc={f}")).unwrap_or_default();
            let rows = [
                ("measurement", c.measurement.clone()),
                ("report_data", c.report_data.clone()),
                ("host_data", c.host_data.clone()),
                (
                    "chip_id",
                    if c.chip_id_masked {
                        "(masked)".into()
                    } else {
                        c.chip_id.clone()
                    },
                ),
                (
                    "reported_tcb",
                    format!(
                        "bl={} tee={} snp={} ucode={}{fmc}",
                        t.bootloader, t.tee, t.snp, t.microcode
                    ),
                ),
                ("firmware", c.current_firmware.clone()),
                (
                    "policy",
                    format!(
                        "debug={} migrate_ma={} smt={} single_socket={} abi>={}.{}",
                        c.policy.debug,
                        c.policy.migrate_ma,
                        c.policy.smt,
                        c.policy.single_socket,
                        c.policy.abi_major,
                        c.policy.abi_minor
                    ),
                ),
                ("vmpl", c.vmpl.to_string()),
                ("guest_svn", c.guest_svn.to_string()),
                (
                    "vek",
                    format!(
                        "{} valid {} to {}",
                        c.vek.kind.to_uppercase(),
                        c.vek.not_before,
                        c.vek.not_after
                    ),
                ),
            ];
            for (k, val) in rows {
                writeln!(out, "  {k:<13} {val}")?;
            }
            for w in v.warnings() {
                writeln!(out, "  warning: {}", w.message)?;
            }
            Ok(())
        }
    }
}
