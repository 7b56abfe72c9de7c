//! `verdict verify`.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Context as _};
use serde_json::{json, Value};
use verifier::crypto::HashAlg;
use verifier::evidence::{self, Tee};
use verifier::nvidia::{GpuClaims, GpuEvidence, NvidiaOptions};
use verifier::snp::{Product, ReportDataExpectation, SnpClaims, SnpOptions};
use verifier::tdx::{PlatformClaims, SgxOptions, TdxOptions};
use verifier::{time, Claims, TrustAnchors, Verified, Verifier, Warning};

use crate::args::{TeeArg, VerifyArgs};
use crate::exit::Exit;
use crate::term::errln;

/// A failure before or during verification: the exit code and a stable kind.
pub(crate) struct Failure {
    pub(crate) exit: Exit,
    pub(crate) kind: String,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn usage(kind: &str, err: anyhow::Error) -> Self {
        Self {
            exit: Exit::BadInput,
            kind: kind.to_owned(),
            message: format!("{err:#}"),
        }
    }
}

pub(crate) fn run(args: &VerifyArgs) -> u8 {
    let outcome = verify(args);
    let exit = match &outcome.result {
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
            errln!("verdict: cannot write output: {e}");
        }
    }
    exit as u8
}

/// The TEE the outcome is about (for `--json` even when verification failed).
struct Outcome {
    tee: Option<Tee>,
    result: Result<Verified<Claims>, Failure>,
}

fn verify(args: &VerifyArgs) -> Outcome {
    let mut tee = None;
    let result = verify_inner(args, &mut tee);
    Outcome { tee, result }
}

pub(crate) fn verify_inner(
    args: &VerifyArgs,
    tee_out: &mut Option<Tee>,
) -> Result<Verified<Claims>, Failure> {
    let raw = read_evidence(&args.evidence).map_err(|e| Failure::usage("unreadable_input", e))?;
    // GPU evidence has forms of its own (hex reports, SDK and Trustee JSON).
    if args.tee == Some(TeeArg::Nvidia) || verifier::nvidia::looks_like(&raw) {
        *tee_out = Some(Tee::Nvidia);
        return verify_nvidia(args, &raw);
    }
    // Trustee's TDX evidence JSON carries the quote (and an event log) in base64.
    let trustee = evidence::trustee_tdx(&raw).map_err(|e| Failure {
        exit: e.class().into(),
        kind: e.kind().to_owned(),
        message: e.to_string(),
    })?;
    let (bytes, mut event_log) = match trustee {
        Some(t) => (t.quote, t.event_log),
        None => (evidence::decode(&raw), None),
    };
    if let Some(path) = &args.event_log {
        let log = std::fs::read(path)
            .with_context(|| format!("cannot read event log {}", path.display()))
            .map_err(|e| Failure::usage("unreadable_input", e))?;
        event_log = Some(log);
    }
    let detected = evidence::detect(&bytes);
    let tee = match (args.tee, detected) {
        // `--tee` is what the caller asks for: `--tee tdx` on an SGX quote reaches
        // `verify_tdx`, which refuses it (tee_mismatch) rather than verify an enclave.
        (Some(TeeArg::Snp), _) | (None, Some(Tee::Snp)) => Tee::Snp,
        (Some(TeeArg::Sgx), _) | (None, Some(Tee::Sgx)) => Tee::Sgx,
        (Some(TeeArg::Tdx), _) | (None, Some(Tee::Tdx)) => Tee::Tdx,
        (Some(TeeArg::Nvidia), _) | (None, Some(Tee::Nvidia)) => {
            *tee_out = Some(Tee::Nvidia);
            return verify_nvidia(args, &bytes);
        }
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
    *tee_out = Some(tee);
    let now = verification_time(args)?;
    let loaded = load_collateral(args)?;
    let anchors = anchors(&args.anchor).map_err(|e| Failure::usage("bad_anchor", e))?;
    let report_data = nonce(args.nonce.as_deref()).map_err(|e| Failure::usage("bad_usage", e))?;
    let verifier = Verifier::new(anchors);
    let (result, source) = match tee {
        Tee::Snp => {
            let options = SnpOptions {
                report_data,
                ..SnpOptions::default()
            };
            (
                verifier
                    .verify_snp(&bytes, &loaded.bundle, &options, now)
                    .map(|v| v.map(|c| Claims::Snp(Box::new(c)))),
                "AMD KDS",
            )
        }
        Tee::Sgx => {
            if event_log.is_some() {
                return Err(Failure::usage(
                    "bad_usage",
                    anyhow!("an event log goes with a TDX quote; this is an SGX quote"),
                ));
            }
            let options = SgxOptions {
                report_data,
                ..SgxOptions::default()
            };
            let result = verifier.verify_sgx(&bytes, &loaded.bundle, &options, now);
            (result.map(|v| v.map(Claims::from)), "Intel PCS")
        }
        _ => {
            let options = TdxOptions {
                report_data,
                ..TdxOptions::default()
            };
            let result = match &event_log {
                Some(log) => {
                    verifier.verify_tdx_with_event_log(&bytes, log, &loaded.bundle, &options, now)
                }
                None => verifier.verify_tdx(&bytes, &loaded.bundle, &options, now),
            };
            (result.map(|v| v.map(Claims::from)), "Intel PCS")
        }
    };
    result.map_err(|e| verification_failure(args, &e, source))
}

/// GPU evidence: one report (its chain in the collateral) or an evidence file with one
/// or several GPUs and their chains; the RIMs and OCSP responses come as collateral.
fn verify_nvidia(args: &VerifyArgs, raw: &[u8]) -> Result<Verified<Claims>, Failure> {
    let gpus: Vec<GpuEvidence> = verifier::nvidia::decode(raw).map_err(|e| Failure {
        exit: e.class().into(),
        kind: e.kind().to_owned(),
        message: e.to_string(),
    })?;
    let now = verification_time(args)?;
    let loaded = load_collateral(args)?;
    let anchors = anchors(&args.anchor).map_err(|e| Failure::usage("bad_anchor", e))?;
    let expected_nonce = match args.nonce.as_deref() {
        None => None,
        Some(h) => {
            let bytes = hex::decode(h.trim())
                .map_err(|e| Failure::usage("bad_usage", anyhow!("--nonce is not hex: {e}")))?;
            Some(<[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                Failure::usage(
                    "bad_usage",
                    anyhow!(
                        "--nonce for GPU evidence must be 32 bytes, got {}",
                        bytes.len()
                    ),
                )
            })?)
        }
    };
    let options = NvidiaOptions {
        expected_nonce,
        require_ocsp: args.require_ocsp,
        require_rims: args.require_rims,
        allow_cert_hold: args.allow_cert_hold,
        ..NvidiaOptions::default()
    };
    let verifier = Verifier::new(anchors);
    let result = if let [gpu] = gpus.as_slice() {
        verifier
            .verify_nvidia(gpu, &loaded.bundle, &options, now)
            .map(|v| v.map(|c| Claims::Gpu(Box::new(c))))
    } else {
        verifier
            .verify_nvidia_all(&gpus, &loaded.bundle, &options, now)
            .map(|v| v.map(Claims::Gpus))
    };
    result.map_err(|e| verification_failure(args, &e, "NVIDIA's RIM service and OCSP responder"))
}

pub(crate) fn verification_time(args: &VerifyArgs) -> Result<time::UnixTime, Failure> {
    let now = match &args.at {
        Some(at) => time::parse_rfc3339(at).ok_or_else(|| {
            Failure::usage("bad_usage", anyhow!("--at {at:?} is not an RFC 3339 time"))
        })?,
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    };
    Ok(time::from_secs(now))
}

fn verification_failure(args: &VerifyArgs, e: &verifier::Error, source: &str) -> Failure {
    let mut message = e.to_string();
    if e.class() == verifier::ErrorClass::MissingCollateral {
        message.push_str(&if args.offline {
            "; pass it with --collateral".to_owned()
        } else {
            format!("; pass it with --collateral (fetching from {source} is not available yet)")
        });
    }
    Failure {
        exit: e.class().into(),
        kind: e.kind().to_owned(),
        message,
    }
}

fn load_collateral(args: &VerifyArgs) -> Result<collateral::Loaded, Failure> {
    collateral::load_paths(&args.collateral).map_err(|e| match e {
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
    })
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

/// `--anchor` roots replace the built-in ones: each must be an AMD ARK (CN
/// `ARK-<product>`), an Intel SGX root (CN containing `SGX Root CA`), or an NVIDIA
/// Device Identity CA / CoRIM signing Root CA, pinned by the SHA-256 of its
/// SubjectPublicKeyInfo. Vendors without an `--anchor` trust nothing.
fn anchors(paths: &[std::path::PathBuf]) -> anyhow::Result<TrustAnchors> {
    if paths.is_empty() {
        return Ok(TrustAnchors::default());
    }
    let loaded = collateral::load_paths(paths)?;
    let provider = verifier::crypto::default_provider();
    let mut anchors = TrustAnchors::empty();
    for cert in &loaded.bundle.certificates {
        let cn = cert.subject().common_name().unwrap_or_default();
        let hash = provider.hash(HashAlg::Sha256, &[cert.spki_der()]);
        let mut pin = [0u8; 32];
        pin.copy_from_slice(hash.as_ref());
        if cn.contains("SGX Root CA") {
            anchors.intel_root.push(pin);
            continue;
        }
        if cn.contains("Device Identity CA") {
            anchors.nvidia_device_root.push(pin);
            continue;
        }
        if cn.contains("CoRIM signing Root CA") {
            anchors.nvidia_rim_root.push(pin);
            continue;
        }
        let product = cn
            .strip_prefix("ARK-")
            .and_then(Product::from_name)
            .ok_or_else(|| {
                anyhow!(
                    "anchor {} is none of: an AMD root (CN ARK-<product>), an Intel SGX root, an NVIDIA Device Identity CA or CoRIM signing Root CA",
                    cert.subject().display()
                )
            })?;
        anchors.amd_ark.push((product, pin));
    }
    Ok(anchors)
}

fn warnings_json(warnings: &[Warning]) -> Value {
    serde_json::to_value(warnings).unwrap_or(Value::Null)
}

fn print_json(outcome: &Outcome) -> std::io::Result<()> {
    let tee = outcome.tee.map_or(Value::Null, |t| Value::from(t.name()));
    let value = match &outcome.result {
        Ok(v) => json!({
            "verified": true,
            "tee": v.claims().tee(),
            "claims": serde_json::to_value(v.claims()).unwrap_or(Value::Null),
            "warnings": warnings_json(v.warnings()),
        }),
        Err(f) => json!({
            "verified": false,
            "tee": tee,
            "claims": Value::Null,
            "warnings": [],
            "error": { "kind": f.kind, "message": f.message },
        }),
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &value)?;
    writeln!(out)
}

fn print_human(outcome: &Outcome) -> std::io::Result<()> {
    match &outcome.result {
        Err(f) => {
            let verdict = match f.exit {
                Exit::Rejected => "rejected",
                Exit::MissingCollateral => "cannot verify",
                _ => "error",
            };
            writeln!(crate::term::stderr(), "verdict: {verdict}: {}", f.message)
        }
        Ok(v) => {
            let mut out = crate::term::stdout();
            match v.claims() {
                Claims::Snp(c) => print_snp(&mut out, c)?,
                Claims::Tdx(c) => print_tdx(&mut out, c)?,
                Claims::Sgx(c) => print_sgx(&mut out, c)?,
                Claims::Gpu(c) => print_gpu(&mut out, c)?,
                Claims::Gpus(gpus) => {
                    for c in gpus {
                        print_gpu(&mut out, c)?;
                    }
                }
                _ => {}
            }
            for w in v.warnings() {
                writeln!(out, "  warning: {}", w.message)?;
            }
            Ok(())
        }
    }
}

fn print_gpu(out: &mut impl Write, c: &GpuClaims) -> std::io::Result<()> {
    let ocsp_good = c.ocsp.iter().filter(|o| o.status == "good").count();
    writeln!(
        out,
        "verified: NVIDIA {} ({}) GPU report from {}, chain to the NVIDIA Device Identity CA, OCSP good for {}/{} device certificates",
        c.chip,
        c.arch,
        c.hwmodel,
        ocsp_good,
        c.ocsp.len(),
    )?;
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let measurements = if c.measurements_match {
        format!("match ({} golden indices checked)", c.measurements_checked)
    } else if c.mismatched_indices.is_empty() {
        "not compared with both RIMs".to_owned()
    } else {
        format!("MISMATCH at RIM indices {:?}", c.mismatched_indices)
    };
    let rows = [
        ("nonce", c.nonce.clone()),
        ("driver", opt(&c.driver_version)),
        ("vbios", opt(&c.vbios_version)),
        (
            "driver_rim",
            format!("{} ({})", opt(&c.driver_rim_id), c.rims.driver.status),
        ),
        (
            "vbios_rim",
            format!("{} ({})", opt(&c.vbios_rim_id), c.rims.vbios.status),
        ),
        ("measurements", measurements),
        (
            "fwid",
            match c.fwid_match {
                Some(true) => format!("{} (matches the certificate)", opt(&c.fwid)),
                _ => "(not in the report)".to_owned(),
            },
        ),
    ];
    for (k, v) in rows {
        writeln!(out, "  {k:<13} {v}")?;
    }
    Ok(())
}

fn print_snp(out: &mut impl Write, c: &SnpClaims) -> std::io::Result<()> {
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
    Ok(())
}

fn tcb_row(p: &PlatformClaims) -> String {
    let mut parts = vec![format!("platform {}", p.platform_tcb_status)];
    if let Some(m) = p.tdx_module_status {
        parts.push(format!("TDX module {m}"));
    }
    parts.push(format!("QE {}", p.qe_status));
    let advisories = if p.advisory_ids.is_empty() {
        String::new()
    } else {
        format!(", advisories {}", p.advisory_ids.join(" "))
    };
    format!(
        "{} ({}), tcbDate {}{advisories}",
        p.tcb_status,
        parts.join(", "),
        p.tcb_date
    )
}

fn platform_rows(p: &PlatformClaims) -> Vec<(&'static str, String)> {
    let mut rows = vec![("tcb", tcb_row(p))];
    if let (Some(l), Some(c)) = (&p.tcb_launch, &p.tcb_current) {
        rows.push((
            "tcb_launch",
            format!("{} (tcbDate {})", l.status, l.tcb_date),
        ));
        rows.push((
            "tcb_current",
            format!("{} (tcbDate {})", c.status, c.tcb_date),
        ));
    }
    rows.push((
        "platform",
        format!(
            "fmspc {} pce_id {} pce_svn {} qe_svn {} ({})",
            p.fmspc, p.pce_id, p.pce_svn, p.qe_svn, p.pck_issuer
        ),
    ));
    rows.push((
        "collateral",
        format!(
            "valid until {} (tcb eval {})",
            p.collateral_expires_at, p.tcb_eval_num
        ),
    ));
    rows
}

fn print_tdx(out: &mut impl Write, c: &verifier::tdx::TdxClaims) -> std::io::Result<()> {
    let p = &c.platform;
    writeln!(
        out,
        "verified: Intel TDX quote v{} (TD {}), PCK chain to Intel SGX Root CA, TCB {}",
        p.quote_version, c.td_report_version, p.tcb_status
    )?;
    let a = &c.td_attributes;
    let mut rows = vec![
        ("mr_td", c.mr_td.clone()),
        ("mr_config_id", c.mr_config_id.clone()),
        ("mr_owner", c.mr_owner.clone()),
        ("rtmr0", c.rtmr[0].clone()),
        ("rtmr1", c.rtmr[1].clone()),
        ("rtmr2", c.rtmr[2].clone()),
        ("rtmr3", c.rtmr[3].clone()),
        ("report_data", c.report_data.clone()),
        (
            "td_attributes",
            format!(
                "{} debug={} sept_ve_disable={} migratable={} pks={} kl={} perfmon={}",
                a.raw, a.debug, a.sept_ve_disable, a.migratable, a.pks, a.kl, a.perfmon
            ),
        ),
        ("mr_seam", c.mr_seam.clone()),
        ("tee_tcb_svn", c.tee_tcb_svn.clone()),
    ];
    if let Some(svn2) = &c.tee_tcb_svn2 {
        rows.push(("tee_tcb_svn2", svn2.clone()));
    }
    rows.extend(platform_rows(p));
    for (k, val) in rows {
        writeln!(out, "  {k:<13} {val}")?;
    }
    Ok(())
}

fn print_sgx(out: &mut impl Write, c: &verifier::tdx::SgxClaims) -> std::io::Result<()> {
    let p = &c.platform;
    writeln!(
        out,
        "verified: Intel SGX quote v{}, PCK chain to Intel SGX Root CA, TCB {}",
        p.quote_version, p.tcb_status
    )?;
    let mut rows = vec![
        ("mr_enclave", c.mr_enclave.clone()),
        ("mr_signer", c.mr_signer.clone()),
        (
            "isv",
            format!(
                "prod_id {} svn {} debug={}",
                c.isv_prod_id, c.isv_svn, c.debug
            ),
        ),
        ("report_data", c.report_data.clone()),
    ];
    rows.extend(platform_rows(p));
    for (k, val) in rows {
        writeln!(out, "  {k:<13} {val}")?;
    }
    Ok(())
}
