//! `verdict verify`.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::anyhow;
use serde_json::{json, Value};
use verifier::crypto::HashAlg;
use verifier::evidence::{self, Tee};
use verifier::nvidia::{GpuClaims, GpuEvidence, NvidiaOptions};
use verifier::snp::{Product, ReportDataExpectation, SnpClaims, SnpOptions};
use verifier::tdx::{PlatformClaims, SgxOptions, TdxOptions};
use verifier::{time, Claims, TrustAnchors, Verified, Verifier, Warning};

use crate::args::{TeeArg, VerifyArgs};
use crate::exit::{Exit, Failure};
use crate::input::{self, InputKind};
use crate::term::{emit, errln, Output, Terminal};

pub(crate) fn run(args: &VerifyArgs) -> u8 {
    let mut context = Context::default();
    let result = verify_inner(args, &mut context);
    let outcome = Outcome { context, result };
    let mut out = Terminal(Vec::new());
    if args.json {
        print_json(&mut out.0, &outcome);
    } else {
        print_human(&mut out, &outcome);
    }
    let exit = match &outcome.result {
        Ok(_) => Exit::Verified,
        Err(f) => f.exit,
    };
    // A closed pipe (`verdict verify … | head -1`) is not a failure of verification; a
    // full disk is.
    match emit(&out.0, Output::Informational) {
        Ok(()) => exit as u8,
        Err(f) => {
            errln!("verdict: {}", f.message);
            f.exit as u8
        }
    }
}

/// What verification learned besides its result: the TEE (for `--json` even when
/// verification failed) and the collateral files it skipped.
#[derive(Debug, Default)]
pub(crate) struct Context {
    pub(crate) tee: Option<Tee>,
    pub(crate) skipped: Vec<collateral::Skipped>,
}

impl Context {
    /// Skipped files that looked like collateral: each is a warning.
    pub(crate) fn unusable(&self) -> impl Iterator<Item = &collateral::Skipped> {
        self.skipped
            .iter()
            .filter(|s| s.kind == collateral::SkipKind::Unusable)
    }
}

struct Outcome {
    context: Context,
    result: Result<Verified<Claims>, Failure>,
}

pub(crate) fn verify_inner(
    args: &VerifyArgs,
    context: &mut Context,
) -> Result<Verified<Claims>, Failure> {
    let raw = input::read(&args.evidence, InputKind::Evidence)?;
    // GPU evidence has forms of its own (hex reports, SDK and Trustee JSON).
    if verifier::nvidia::looks_like(&raw) {
        check_tee_hint(args, Tee::Nvidia)?;
        context.tee = Some(Tee::Nvidia);
        return verify_nvidia(args, &raw, context);
    }
    if args.tee == Some(TeeArg::Nvidia) {
        if let Some(detected) = evidence::detect(&evidence::decode(&raw)) {
            check_tee_hint(args, detected)?;
        }
        context.tee = Some(Tee::Nvidia);
        return verify_nvidia(args, &raw, context);
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
        event_log = Some(input::read(path, InputKind::EventLog)?);
    }
    let detected = evidence::detect(&bytes);
    if let Some(detected) = detected {
        check_tee_hint(args, detected)?;
    }
    let tee = match (args.tee, detected) {
        (Some(TeeArg::Snp), _) | (None, Some(Tee::Snp)) => Tee::Snp,
        (Some(TeeArg::Sgx), _) | (None, Some(Tee::Sgx)) => Tee::Sgx,
        (Some(TeeArg::Tdx), _) | (None, Some(Tee::Tdx)) => Tee::Tdx,
        (Some(TeeArg::Nvidia), _) | (None, Some(Tee::Nvidia)) => {
            context.tee = Some(Tee::Nvidia);
            return verify_nvidia(args, &bytes, context);
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
    context.tee = Some(tee);
    let now = verification_time(args)?;
    let loaded = load_collateral(args, context)?;
    let anchors = anchors(&args.anchor).map_err(|e| Failure::usage("bad_anchor", e))?;
    let report_data = nonce(args.nonce.as_deref()).map_err(|e| Failure::usage("bad_usage", e))?;
    let verifier = Verifier::new(anchors);
    let (result, source) = match tee {
        Tee::Snp => {
            let options = {
                let mut opts = SnpOptions::default();
                opts.report_data = report_data;
                opts
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
            let options = {
                let mut opts = SgxOptions::default();
                opts.report_data = report_data;
                opts
            };
            let result = verifier.verify_sgx(&bytes, &loaded.bundle, &options, now);
            (result.map(|v| v.map(Claims::from)), "Intel PCS")
        }
        _ => {
            let options = {
                let mut opts = TdxOptions::default();
                opts.report_data = report_data;
                opts
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
    result.map_err(|e| verification_failure(args, &e, source, context))
}

/// `--tee` names what the caller expects; evidence that is plainly something else is a
/// mistake in the command, not evidence to verify as whatever `--tee` says.
fn check_tee_hint(args: &VerifyArgs, detected: Tee) -> Result<(), Failure> {
    let Some(hint) = args.tee else { return Ok(()) };
    let (expected, name) = match hint {
        TeeArg::Snp => (Tee::Snp, "snp"),
        TeeArg::Tdx => (Tee::Tdx, "tdx"),
        TeeArg::Sgx => (Tee::Sgx, "sgx"),
        TeeArg::Nvidia => (Tee::Nvidia, "nvidia"),
    };
    if expected == detected {
        return Ok(());
    }
    Err(Failure::usage(
        "tee_contradicts_evidence",
        format_args!(
            "--tee {name} contradicts the evidence: {} is {}",
            args.evidence.display(),
            tee_description(detected)
        ),
    ))
}

fn tee_description(tee: Tee) -> &'static str {
    match tee {
        Tee::Snp => "an AMD SEV-SNP report",
        Tee::Tdx => "an Intel TDX quote",
        Tee::Sgx => "an Intel SGX quote",
        Tee::Nvidia => "NVIDIA GPU evidence",
        _ => "evidence of another kind",
    }
}

/// GPU evidence: one report (its chain in the collateral) or an evidence file with one
/// or several GPUs and their chains; the RIMs and OCSP responses come as collateral.
fn verify_nvidia(
    args: &VerifyArgs,
    raw: &[u8],
    context: &mut Context,
) -> Result<Verified<Claims>, Failure> {
    let gpus: Vec<GpuEvidence> =
        verifier::nvidia::decode(raw).map_err(|e| Failure::from_verifier(&e))?;
    let now = verification_time(args)?;
    let loaded = load_collateral(args, context)?;
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
    let options = {
        let mut opts = NvidiaOptions::default();
        opts.expected_nonce = expected_nonce;
        opts.require_ocsp = args.require_ocsp;
        opts.require_rims = args.require_rims;
        opts.allow_cert_hold = args.allow_cert_hold;
        opts
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
    result.map_err(|e| {
        verification_failure(args, &e, "NVIDIA's RIM service and OCSP responder", context)
    })
}

pub(crate) fn verification_time(args: &VerifyArgs) -> Result<time::UnixTime, Failure> {
    let now = match &args.at {
        Some(at) => parse_at(at)?,
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    };
    Ok(time::from_secs(now))
}

/// `--at`: an RFC 3339 time, strictly (no February 30th, no offset +24:00).
pub(crate) fn parse_at(at: &str) -> Result<u64, Failure> {
    time::parse_rfc3339_explained(at)
        .map(time::secs)
        .map_err(|why| {
            Failure::usage(
                "bad_usage",
                format_args!("--at {at:?} is not an RFC 3339 time: {why}"),
            )
        })
}

fn verification_failure(
    args: &VerifyArgs,
    e: &verifier::Error,
    source: &str,
    context: &Context,
) -> Failure {
    let mut message = e.to_string();
    if e.class() == verifier::ErrorClass::MissingCollateral {
        message.push_str(&if args.offline {
            "; pass it with --collateral".to_owned()
        } else {
            format!("; pass it with --collateral (fetching from {source} is not available yet)")
        });
        // The file that was meant to be it may be among those skipped.
        let unusable: Vec<String> = context
            .unusable()
            .map(|s| s.path.display().to_string())
            .collect();
        if !unusable.is_empty() {
            message.push_str(&format!("; skipped as unusable: {}", unusable.join(", ")));
        }
    }
    Failure {
        exit: e.class().into(),
        kind: e.kind().to_owned(),
        message,
    }
}

fn load_collateral(
    args: &VerifyArgs,
    context: &mut Context,
) -> Result<collateral::Loaded, Failure> {
    for path in &args.collateral {
        input::announce_wait_for(path, "collateral");
    }
    let loaded = collateral::load_paths(&args.collateral).map_err(|e| match e {
        collateral::LoadError::Read(collateral::ReadError::Io { .. }) => Failure {
            exit: Exit::MissingCollateral,
            kind: "collateral_unavailable".into(),
            message: e.to_string(),
        },
        collateral::LoadError::Read(_) | collateral::LoadError::NotCollateral { .. } => Failure {
            exit: Exit::BadInput,
            kind: "malformed_collateral".into(),
            message: e.to_string(),
        },
    })?;
    context.skipped.clone_from(&loaded.skipped);
    Ok(loaded)
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
    for path in paths {
        input::announce_wait_for(path, "an anchor");
    }
    let loaded = collateral::load_paths(paths).map_err(|e| match e {
        collateral::LoadError::NotCollateral { path, reason } => {
            anyhow!("anchor {} is not a certificate: {reason}", path.display())
        }
        other => anyhow!(other),
    })?;
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

/// Warnings about the collateral: a skipped file that looked like collateral.
pub(crate) fn skipped_warnings(context: &Context) -> Vec<Value> {
    context
        .unusable()
        .map(|s| {
            json!({
                "code": "collateral_skipped",
                "message": skipped_message(s),
                "path": s.path.display().to_string(),
            })
        })
        .collect()
}

pub(crate) fn skipped_message(s: &collateral::Skipped) -> String {
    format!("skipped collateral {}: {}", s.path.display(), s.reason)
}

fn print_json(out: &mut Vec<u8>, outcome: &Outcome) {
    let tee = outcome
        .context
        .tee
        .map_or(Value::Null, |t| Value::from(t.name()));
    let mut warnings = skipped_warnings(&outcome.context);
    let value = match &outcome.result {
        Ok(v) => {
            if let Value::Array(w) = warnings_json(v.warnings()) {
                warnings.extend(w);
            }
            json!({
                "verified": true,
                "tee": v.claims().tee(),
                "claims": serde_json::to_value(v.claims()).unwrap_or(Value::Null),
                "warnings": warnings,
            })
        }
        Err(f) => json!({
            "verified": false,
            "tee": tee,
            "claims": Value::Null,
            "warnings": warnings,
            "error": { "kind": f.kind, "message": f.message },
        }),
    };
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer_pretty(&mut *out, &value);
    out.push(b'\n');
}

fn print_human(out: &mut Terminal<Vec<u8>>, outcome: &Outcome) {
    for s in outcome.context.unusable() {
        errln!("verdict: warning: {}", skipped_message(s));
    }
    // Writing to a Vec cannot fail.
    let _ = print_result(out, outcome);
}

fn print_result(out: &mut Terminal<Vec<u8>>, outcome: &Outcome) -> std::io::Result<()> {
    match &outcome.result {
        Err(f) => {
            let verdict = match f.exit {
                Exit::Rejected => "rejected",
                Exit::MissingCollateral => "cannot verify",
                _ => "error",
            };
            errln!("verdict: {verdict}: {}", f.message);
            Ok(())
        }
        Ok(v) => {
            match v.claims() {
                Claims::Snp(c) => print_snp(out, c)?,
                Claims::Tdx(c) => print_tdx(out, c)?,
                Claims::Sgx(c) => print_sgx(out, c)?,
                Claims::Gpu(c) => print_gpu(out, c)?,
                Claims::Gpus(gpus) => {
                    for c in gpus {
                        print_gpu(out, c)?;
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
