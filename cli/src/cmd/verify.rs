//! `verdict verify`: the library's pipeline, then printing.

use std::io::Write;

use serde_json::{json, Value};
use verifier::azure::{AzureClaims, HardwareClaims};
use verifier::nvidia::GpuClaims;
use verifier::snp::SnpClaims;
use verifier::tdx::PlatformClaims;
use verifier::{Claims, Verified, Warning};

use crate::args::VerifyArgs;
use crate::exit::{Exit, Failure};
use crate::pipeline::{self, skipped_message, Context};
use crate::term::{emit, errln, Output, Terminal};

pub(crate) fn run(args: &VerifyArgs) -> u8 {
    let mut context = Context::default();
    let result = verify_evidence(args, &mut context);
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

struct Outcome {
    context: Context,
    result: Result<Verified<Claims>, Failure>,
}

/// Reads and verifies the evidence: the library's pipeline, with `verify`'s options.
fn verify_evidence(args: &VerifyArgs, context: &mut Context) -> Result<Verified<Claims>, Failure> {
    let mut evidence = pipeline::load_evidence(&args.evidence, args.tee, &args.verification.azure)?;
    context.tee = Some(evidence.tee());
    if let Some(log) = &args.verification.event_log {
        evidence = pipeline::attach_event_log(evidence, log)?;
    }
    let expectations =
        pipeline::expectations(evidence.tee(), args.nonce.as_deref(), &args.verification)?;
    pipeline::verify(&evidence, &expectations, &args.verification, context)
}

fn warnings_json(warnings: &[Warning]) -> Value {
    serde_json::to_value(warnings).unwrap_or(Value::Null)
}

/// Warnings about the collateral: a skipped file that looked like collateral, optional
/// collateral that could not be fetched, a stale cache entry served.
fn skipped_warnings(context: &Context) -> Vec<Value> {
    let skipped = context.unusable().map(|s| {
        json!({
            "code": "collateral_skipped",
            "message": skipped_message(s),
            "path": s.path.display().to_string(),
        })
    });
    let fetched = context
        .fetch_warnings
        .iter()
        .map(|(code, message)| json!({ "code": code, "message": message }));
    skipped.chain(fetched).collect()
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
    for (_, message) in &outcome.context.fetch_warnings {
        errln!("verdict: warning: {message}");
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
                Claims::Azure(c) => print_azure(out, c)?,
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

/// Azure: the vTPM quote and the runtime data, then the hardware report as its kind
/// prints it.
fn print_azure(out: &mut impl Write, c: &AzureClaims) -> std::io::Result<()> {
    let (platform, hardware_line) = match &c.hardware {
        HardwareClaims::Snp(s) => ("AMD SEV-SNP", format!("SEV-SNP report from {}", s.product)),
        HardwareClaims::Tdx(t) => (
            "Intel TDX",
            format!(
                "TD quote v{}, TCB {}",
                t.platform.quote_version, t.platform.tcb_status
            ),
        ),
    };
    let (tpm, azure) = (&c.tpm, &c.azure);
    let selection = pcr_ranges(&tpm.pcr_selection);
    let pcrs = if tpm.pcrs_verified {
        format!("PCRs {selection} verified")
    } else {
        format!("PCRs {selection} NOT verified (no values given)")
    };
    let freshness = if azure.hcl_report_fresh {
        "HCL report fresh (user-data carries the nonce)"
    } else {
        "HCL report not fresh (only the TPM quote answers the nonce)"
    };
    writeln!(
        out,
        "verified: Azure confidential VM on {platform}, vTPM evidence v{}: TPM quote signed by the HCL report's attestation key, {pcrs}, {freshness}, {hardware_line}",
        azure.evidence_version,
    )?;
    let opt = |v: Option<bool>| v.map_or_else(|| "-".to_owned(), |b| b.to_string());
    let vm = &azure.vm_configuration;
    let rows = [
        ("tpm_nonce", tpm.nonce.clone()),
        ("pcr_digest", tpm.pcr_digest.clone()),
        (
            "pcr0",
            tpm.pcrs
                .get(0)
                .map(hex::encode)
                .unwrap_or_else(|| "-".into()),
        ),
        (
            "runtime_data",
            format!(
                "sha256 {} (bound by report_data)",
                azure.runtime_data_sha256
            ),
        ),
        (
            "ak",
            format!("RSA-{} thumbprint {}", azure.ak_bits, azure.ak_thumbprint),
        ),
        (
            "vm_id",
            vm.vm_unique_id.clone().unwrap_or_else(|| "-".into()),
        ),
        (
            "vm_config",
            format!(
                "secure_boot={} tpm_enabled={} console_enabled={}",
                opt(vm.secure_boot),
                opt(vm.tpm_enabled),
                opt(vm.console_enabled)
            ),
        ),
    ];
    for (k, val) in rows {
        writeln!(out, "  {k:<13} {val}")?;
    }
    match &c.hardware {
        HardwareClaims::Snp(s) => print_snp(out, s),
        HardwareClaims::Tdx(t) => print_tdx(out, t),
    }
}

/// PCR indices as ranges: `0-23`, `0-7,14`.
fn pcr_ranges(indices: &[u8]) -> String {
    let mut ranges: Vec<(u8, u8)> = Vec::new();
    for &i in indices {
        match ranges.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(i) => *end = i,
            _ => ranges.push((i, i)),
        }
    }
    let parts: Vec<String> = ranges
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    if parts.is_empty() {
        "(none)".to_owned()
    } else {
        parts.join(",")
    }
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
    // Where the PCK chain came from, when the quote did not carry it (type 5).
    let pck_from = match p.certification_data_type {
        5 => String::new(),
        4 => "; PCK CA from the collateral, certification data type 4".to_owned(),
        t => format!(
            "; PCK certificate by encrypted PPID from the collateral, certification data type {t}"
        ),
    };
    rows.push((
        "platform",
        format!(
            "fmspc {} pce_id {} pce_svn {} qe_svn {} ({}{pck_from})",
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

#[cfg(test)]
mod tests {
    use super::pcr_ranges;

    #[test]
    fn pcr_selections_print_as_ranges() {
        assert_eq!(pcr_ranges(&(0..24).collect::<Vec<u8>>()), "0-23");
        assert_eq!(pcr_ranges(&[0, 1, 2, 3, 4, 5, 6, 7, 14]), "0-7,14");
        assert_eq!(pcr_ranges(&[3]), "3");
        assert_eq!(pcr_ranges(&[]), "(none)");
    }
}
