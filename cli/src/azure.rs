//! Azure vTPM evidence given as loose parts: the raw HCL report as EVIDENCE, and the
//! vTPM quote, its signature, the PCR values and the TD quote by flags
//! ([`AzurePartsArgs`]). Trustee's evidence JSON needs none of them, and with any other
//! evidence they are a usage error: a flag is never silently unused.

use std::path::Path;

use verifier::azure::{AzureEvidence, AzureHardware, TpmQuote};
use verifier::{Evidence, Tee};

use crate::args::AzurePartsArgs;
use crate::exit::Failure;
use crate::input::{self, InputKind};

/// Where the HCL report's request data header holds the report type (u32, little-endian).
const REPORT_TYPE_OFFSET: usize = 0x4C8;
/// Report type of an SEV-SNP report.
const REPORT_TYPE_SNP: u32 = 2;
/// Report type of a TDX TDREPORT.
const REPORT_TYPE_TDX: u32 = 4;
/// TPM_GENERATED_VALUE, which begins a bare TPMS_ATTEST (big-endian).
const TPM_GENERATED_VALUE: u32 = 0xFF54_4347;
/// The version loose parts are read as without `--evidence-version`: version 1 asks
/// nothing of the runtime data's `user-data`, and claims the HCL report is not fresh.
const DEFAULT_VERSION: u8 = 1;

/// Azure evidence from an HCL report (`hcl`, read from `path`) and the parts the flags
/// name. `hint` (`--tee`) decides the kind only when the report type is neither SEV-SNP
/// nor TDX, which the verifier then refuses with its own parse error.
///
/// # Errors
/// Exit 2: the quote missing (`hcl_report_alone`), a flag that does not fit the report
/// (`bad_usage`), an unreadable part, or a TPM quote that does not parse.
pub(crate) fn assemble(
    hcl: Vec<u8>,
    path: &Path,
    hint: Option<Tee>,
    parts: &AzurePartsArgs,
) -> Result<Evidence, Failure> {
    let Some(quote_path) = &parts.tpm_quote else {
        if parts.tpm_signature.is_some() || parts.pcrs.is_some() {
            return Err(Failure::usage(
                "bad_usage",
                "--tpm-signature and --pcrs go with a bare TPMS_ATTEST given with --tpm-quote",
            ));
        }
        return Err(Failure::usage(
            "hcl_report_alone",
            format_args!(
                "{} is an Azure HCL report: give its vTPM quote with --tpm-quote (and for TDX \
                 the TD quote with --td-quote), or give Trustee's evidence JSON",
                path.display()
            ),
        ));
    };
    let azure_hint = hint.filter(|t| matches!(t, Tee::AzureSnp | Tee::AzureTdx));
    let kind = hardware_kind(&hcl).or(azure_hint);
    let hardware = hardware(kind, path, parts)?;
    let tpm_quote = tpm_quote(quote_path, parts)?;
    Ok(Evidence::Azure(Box::new(AzureEvidence {
        hcl_report: hcl,
        tpm_quote,
        hardware,
        version: parts.evidence_version.unwrap_or(DEFAULT_VERSION),
    })))
}

/// The kind the HCL report says its hardware report is; `None` for another report type
/// or a report too short to hold one.
fn hardware_kind(hcl: &[u8]) -> Option<Tee> {
    let field = hcl.get(REPORT_TYPE_OFFSET..REPORT_TYPE_OFFSET + 4)?;
    match u32::from_le_bytes(field.try_into().ok()?) {
        REPORT_TYPE_SNP => Some(Tee::AzureSnp),
        REPORT_TYPE_TDX => Some(Tee::AzureTdx),
        _ => None,
    }
}

/// What endorses the hardware report: the TD quote for TDX (required), nothing for
/// SEV-SNP (the VCEK comes from the collateral).
fn hardware(
    kind: Option<Tee>,
    path: &Path,
    parts: &AzurePartsArgs,
) -> Result<AzureHardware, Failure> {
    match (kind, &parts.td_quote) {
        (Some(Tee::AzureTdx), None) => Err(Failure::usage(
            "bad_usage",
            format_args!(
                "{} holds a TDX TDREPORT: give the TD quote made from it with --td-quote",
                path.display()
            ),
        )),
        (Some(Tee::AzureSnp), Some(_)) => Err(Failure::usage(
            "bad_usage",
            format_args!(
                "--td-quote goes with a TDX HCL report; {} holds an SEV-SNP report (its VCEK \
                 comes with --collateral)",
                path.display()
            ),
        )),
        (_, Some(td_quote)) => Ok(AzureHardware::Tdx {
            td_quote: input::read(td_quote, InputKind::TdQuote)?,
        }),
        (_, None) => Ok(AzureHardware::Snp { vcek: None }),
    }
}

/// The vTPM quote: a bare TPMS_ATTEST with `--tpm-signature` (and `--pcrs`), otherwise
/// the JSON or bincode form, which carries its signature and PCR values.
fn tpm_quote(path: &Path, parts: &AzurePartsArgs) -> Result<TpmQuote, Failure> {
    let quote = input::read(path, InputKind::TpmQuote)?;
    let Some(signature_path) = &parts.tpm_signature else {
        if parts.pcrs.is_some() {
            return Err(Failure::usage(
                "bad_usage",
                "--pcrs goes with a bare TPMS_ATTEST and --tpm-signature; the JSON and bincode \
                 TPM quotes carry their PCR values",
            ));
        }
        if quote.starts_with(&TPM_GENERATED_VALUE.to_be_bytes()) {
            return Err(Failure::usage(
                "bad_usage",
                format_args!(
                    "{} is a bare TPMS_ATTEST: give its signature with --tpm-signature",
                    path.display()
                ),
            ));
        }
        return TpmQuote::from_bytes(&quote).map_err(|e| in_file(path, &e));
    };
    let signature = input::read(signature_path, InputKind::TpmSignature)?;
    let (pcrs, pcrs_path) = match &parts.pcrs {
        Some(p) => (input::read(p, InputKind::Pcrs)?, p.as_path()),
        None => (Vec::new(), path),
    };
    TpmQuote::from_parts(quote, signature, &pcrs).map_err(|e| in_file(pcrs_path, &e))
}

/// A verifier error about a part, naming its file.
fn in_file(path: &Path, e: &verifier::Error) -> Failure {
    let mut failure = Failure::from_verifier(e);
    failure.message = format!("{}: {}", path.display(), failure.message);
    failure
}

/// Refuses the loose-part flags for evidence that is not an HCL report (`what` says
/// what it is).
///
/// # Errors
/// Exit 2 (`bad_usage`) naming the first flag given.
pub(crate) fn refuse_parts(parts: &AzurePartsArgs, path: &Path, what: &str) -> Result<(), Failure> {
    match parts.given().first() {
        None => Ok(()),
        Some(flag) => Err(Failure::usage(
            "bad_usage",
            format_args!(
                "{flag} goes with an Azure HCL report given as EVIDENCE; {} is {what}",
                path.display()
            ),
        )),
    }
}

/// For commands taking several evidence files: the loose-part flags must have gone into
/// exactly one of them (`taken` counts the HCL reports among the evidence).
///
/// # Errors
/// Exit 2 (`bad_usage`): flags given and no HCL report among the evidence, or several.
pub(crate) fn check_parts_taken(parts: &AzurePartsArgs, taken: usize) -> Result<(), Failure> {
    let Some(flag) = parts.given().first().copied() else {
        return Ok(());
    };
    match taken {
        1 => Ok(()),
        0 => Err(Failure::usage(
            "bad_usage",
            format_args!("{flag} goes with an Azure HCL report, and no evidence file is one"),
        )),
        n => Err(Failure::usage(
            "bad_usage",
            format_args!("{flag} goes with one Azure HCL report, and {n} evidence files are"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hcl_of_type(report_type: u32) -> Vec<u8> {
        let mut hcl = b"HCLA".to_vec();
        hcl.resize(0x4D4, 0);
        hcl[REPORT_TYPE_OFFSET..REPORT_TYPE_OFFSET + 4].copy_from_slice(&report_type.to_le_bytes());
        hcl
    }

    #[test]
    fn the_report_type_tells_the_kind() {
        assert_eq!(hardware_kind(&hcl_of_type(2)), Some(Tee::AzureSnp));
        assert_eq!(hardware_kind(&hcl_of_type(4)), Some(Tee::AzureTdx));
        assert_eq!(hardware_kind(&hcl_of_type(1)), None);
        assert_eq!(hardware_kind(b"HCLA"), None);
    }

    #[test]
    fn an_hcl_report_without_its_quote_is_a_usage_error() {
        let e = assemble(
            hcl_of_type(2),
            Path::new("hcl.bin"),
            None,
            &AzurePartsArgs::default(),
        )
        .err()
        .map(|f| (f.exit, f.kind));
        assert_eq!(
            e,
            Some((crate::exit::Exit::BadInput, "hcl_report_alone".to_owned()))
        );
    }

    #[test]
    fn flags_go_into_exactly_one_hcl_report() {
        let none = AzurePartsArgs::default();
        assert!(check_parts_taken(&none, 0).is_ok());
        let given = AzurePartsArgs {
            evidence_version: Some(2),
            ..AzurePartsArgs::default()
        };
        assert!(check_parts_taken(&given, 1).is_ok());
        for taken in [0, 2] {
            let f = check_parts_taken(&given, taken).err();
            assert!(
                f.is_some_and(|f| f.message.starts_with("--evidence-version goes with")),
                "{taken}"
            );
        }
        assert!(refuse_parts(&none, Path::new("x"), "an SEV-SNP report").is_ok());
        assert!(refuse_parts(&given, Path::new("x"), "an SEV-SNP report").is_err());
    }
}
