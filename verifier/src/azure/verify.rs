//! Azure vTPM verification, step by step (numbers match the module docs' checklist).

use std::sync::Arc;

use super::claims::{AzureClaims, HardwareClaims, PcrValues, TpmClaims, VtpmClaims};
use super::evidence::{AzureEvidence, AzureHardware};
use super::hcl::{HclReport, HclReportType};
use super::runtime::RuntimeData;
use super::tpm::{TpmsAttest, TPM_ALG_SHA256};
use super::{AzureSnpOptions, AzureTdxOptions};
use crate::claims::{Verified, Warning};
use crate::collateral::Bundle;
use crate::crypto::HashAlg;
use crate::error::{BindingError, Error, ExpectationError, Unsupported};
use crate::pki::Certificate;
use crate::tdx::{QuoteBody, TdReport};
use crate::Verifier;

/// Where REPORT_DATA sits in an SEV-SNP report.
const SNP_REPORT_DATA: core::ops::Range<usize> = 0x50..0x90;

/// The expectations for the evidence's kind.
pub(crate) enum Expect<'a> {
    Snp(&'a AzureSnpOptions),
    Tdx(&'a AzureTdxOptions),
}

/// The evidence's endorsement with the options of its kind.
enum Paired<'a> {
    Snp(Option<&'a [u8]>, &'a AzureSnpOptions),
    Tdx(&'a [u8], &'a AzureTdxOptions),
}

impl Paired<'_> {
    fn nonce(&self) -> Option<&[u8]> {
        match self {
            Self::Snp(_, o) => o.nonce.as_deref(),
            Self::Tdx(_, o) => o.nonce.as_deref(),
        }
    }
}

pub(crate) fn verify(
    verifier: &Verifier,
    evidence: &AzureEvidence,
    bundle: &Bundle,
    expect: Expect<'_>,
    now: crate::time::UnixTime,
) -> Result<Verified<AzureClaims>, Error> {
    let provider = verifier.provider;
    let mut warnings = Vec::new();
    // The expectations are for this kind of evidence, before anything is read: a TDX
    // caller's options must never meet SNP evidence halfway through.
    let paired = match (&evidence.hardware, expect) {
        (AzureHardware::Snp { vcek }, Expect::Snp(options)) => {
            Paired::Snp(vcek.as_deref(), options)
        }
        (AzureHardware::Tdx { td_quote }, Expect::Tdx(options)) => Paired::Tdx(td_quote, options),
        (hardware, _) => {
            let (expected, actual) = match hardware {
                AzureHardware::Snp { .. } => ("azure-tdx", "azure-snp"),
                AzureHardware::Tdx { .. } => ("azure-snp", "azure-tdx"),
            };
            return Err(ExpectationError::TeeMismatch { expected, actual }.into());
        }
    };
    if evidence.version > AzureEvidence::MAX_VERSION {
        return Err(Unsupported::AzureEvidenceVersion(evidence.version.to_string()).into());
    }

    // 1. The HCL report, strictly parsed; its report type is the evidence's kind.
    let hcl = HclReport::parse(&evidence.hcl_report)?;
    match (&evidence.hardware, hcl.report_type) {
        (AzureHardware::Snp { .. }, HclReportType::Snp)
        | (AzureHardware::Tdx { .. }, HclReportType::Tdx) => {}
        (AzureHardware::Snp { .. }, HclReportType::Tdx) => {
            return Err(BindingError::HclReportType {
                hcl: "TDX",
                evidence: "a VCEK (SEV-SNP)",
            }
            .into())
        }
        (AzureHardware::Tdx { .. }, HclReportType::Snp) => {
            return Err(BindingError::HclReportType {
                hcl: "SEV-SNP",
                evidence: "a TD quote (TDX)",
            }
            .into())
        }
    }

    // 2. The runtime data and its attestation key (parsed once per distinct document:
    //    its SHA-256, which step 6 compares with the hardware report, is the cache key).
    let runtime_digest = provider.hash(HashAlg::Sha256, &[hcl.runtime_data]);
    let runtime = runtime_data(verifier, hcl.runtime_data, runtime_digest)?;

    // 3. The TPM quote: parsed, and signed by the AK (RSASSA-PKCS1-v1_5, SHA-256).
    let quote = &evidence.tpm_quote;
    let attest = TpmsAttest::parse(&quote.message)?;
    provider
        .verify_rsa_pkcs1(
            HashAlg::Sha256,
            &runtime.ak.to_pkcs1_der(),
            &quote.message,
            &quote.signature,
        )
        .map_err(|_| Error::EvidenceSignature {
            what: "TPM quote (by the runtime data's HCLAkPub)",
        })?;

    // 4. The nonce: extraData is the caller's, byte for byte.
    if let Some(nonce) = paired.nonce() {
        if attest.extra_data != nonce {
            return Err(ExpectationError::Mismatch {
                field: "tpm_extra_data",
                expected: crate::hexstr::to_hex(nonce),
                actual: crate::hexstr::to_hex(attest.extra_data),
            }
            .into());
        }
    }

    // 5. The PCR values digest to pcrDigest (SHA-256 bank, selection order).
    let (pcrs, pcrs_verified) = check_pcrs(provider, &attest, &quote.pcrs)?;
    if !pcrs_verified {
        warnings.push(Warning::new(
            "pcr_values_absent",
            "the TPM quote came without its PCR values: the PCR digest is signed, but no PCR value is known",
        ));
    }

    // 6. The runtime data is what the hardware report binds: its SHA-256 (computed in
    //    step 2) in report_data[0..32], checked with the hardware report in step 8.

    // 7. Version 2: the runtime data's user-data begins with the quote's nonce, so the HCL
    //    report was made for this nonce too.
    let hcl_report_fresh = if evidence.nonce_in_runtime_data() {
        let user_data = runtime.user_data.as_deref().unwrap_or_default();
        if attest.extra_data.is_empty() || !user_data.starts_with(attest.extra_data) {
            return Err(BindingError::UserDataNonce {
                user_data: crate::hexstr::to_hex(user_data),
                nonce: crate::hexstr::to_hex(attest.extra_data),
            }
            .into());
        }
        true
    } else {
        warnings.push(Warning::new(
            "hcl_report_not_fresh",
            format!(
                "evidence version {}: only the TPM quote answers the nonce; the HCL report may be from an earlier session of the same VM",
                evidence.version
            ),
        ));
        false
    };

    // 8. The hardware report, by the SEV-SNP or TDX path, and its binding.
    let hardware = match paired {
        Paired::Snp(vcek, options) => {
            let report_data = hcl.hardware_report.get(SNP_REPORT_DATA).unwrap_or_default();
            check_binding("SEV-SNP report", report_data, runtime_digest.as_ref())?;
            let carried = match vcek {
                Some(der) => carried_vcek(verifier, der)?,
                None => Arc::new(Vec::new()),
            };
            let verified = crate::snp::verify_with_carried(
                verifier,
                hcl.hardware_report,
                &carried,
                bundle,
                &options.snp,
                now,
            )?;
            let (claims, hardware_warnings) = verified.into_parts();
            warnings.extend(hardware_warnings);
            HardwareClaims::Snp(Box::new(claims))
        }
        Paired::Tdx(td_quote, options) => {
            let parsed = crate::tdx::Quote::parse(td_quote)?;
            let QuoteBody::Td(body) = &parsed.body else {
                return Err(ExpectationError::TeeMismatch {
                    expected: "tdx",
                    actual: "sgx",
                }
                .into());
            };
            check_binding("TD quote", &body.report_data, runtime_digest.as_ref())?;
            let verified = crate::tdx::verify(
                verifier,
                td_quote,
                None,
                bundle,
                crate::tdx::Expect::Td(&options.tdx),
                now,
            )?;
            // 9. The HCL report's TDREPORT is the one the quote was made from.
            check_td_report(hcl.hardware_report, body)?;
            let (claims, hardware_warnings) = verified.into_parts();
            warnings.extend(hardware_warnings);
            match claims {
                crate::tdx::QuoteClaims::Tdx(c) => HardwareClaims::Tdx(c),
                crate::tdx::QuoteClaims::Sgx(_) => {
                    return Err(ExpectationError::TeeMismatch {
                        expected: "tdx",
                        actual: "sgx",
                    }
                    .into())
                }
            }
        }
    };

    let claims = AzureClaims {
        hardware,
        azure: VtpmClaims {
            evidence_version: evidence.version,
            hcl_report_fresh,
            runtime_data_sha256: crate::hexstr::to_hex(runtime_digest.as_ref()),
            ak_thumbprint: crate::hexstr::to_hex(runtime.ak.thumbprint),
            ak_bits: runtime.ak.bits(),
            ek_thumbprint: runtime
                .ek
                .as_ref()
                .map(|ek| crate::hexstr::to_hex(ek.thumbprint))
                .unwrap_or_default(),
            user_data: runtime
                .user_data
                .as_deref()
                .map(crate::hexstr::to_hex)
                .unwrap_or_default(),
            vm_configuration: runtime.vm_configuration.clone(),
        },
        tpm: TpmClaims {
            nonce: crate::hexstr::to_hex(attest.extra_data),
            clock: attest.clock,
            reset_count: attest.reset_count,
            restart_count: attest.restart_count,
            safe: attest.safe,
            firmware_version: crate::hexstr::to_hex(attest.firmware_version.to_be_bytes()),
            qualified_signer: crate::hexstr::to_hex(attest.qualified_signer),
            pcr_selection: attest
                .pcr_select
                .iter()
                .flat_map(|s| s.pcrs.iter().copied())
                .collect(),
            pcr_digest: crate::hexstr::to_hex(attest.pcr_digest),
            pcrs_verified,
            pcrs,
        },
    };
    Ok(Verified::new(claims, warnings))
}

/// The runtime data, parsed once per distinct document.
fn runtime_data(
    verifier: &Verifier,
    bytes: &[u8],
    digest: crate::crypto::Digest,
) -> Result<Arc<RuntimeData>, Error> {
    let cache = &verifier.runtime_data;
    if let Some(parsed) = cache.get(&digest) {
        return Ok(parsed);
    }
    let parsed = Arc::new(RuntimeData::parse(bytes, verifier.provider)?);
    if cache.enabled() {
        cache.insert(digest, Arc::clone(&parsed));
    }
    Ok(parsed)
}

/// The VCEK the evidence carries, parsed once per distinct certificate (through the
/// verifier's cache of evidence-carried certificates, keyed by their exact bytes).
fn carried_vcek(verifier: &Verifier, der: &[u8]) -> Result<Arc<Vec<Certificate>>, Error> {
    let cache = &verifier.device_chains;
    let key = cache
        .enabled()
        .then(|| verifier.provider.hash(HashAlg::Sha256, &[der]));
    if let Some(parsed) = key.as_ref().and_then(|k| cache.get(k)) {
        return Ok(parsed);
    }
    let parsed = Arc::new(vec![Certificate::from_der(der)?]);
    if let Some(k) = key {
        cache.insert(k, Arc::clone(&parsed));
    }
    Ok(parsed)
}

/// `report_data[0..32]` is the runtime data's SHA-256.
fn check_binding(report: &'static str, report_data: &[u8], digest: &[u8]) -> Result<(), Error> {
    if report_data.get(..32) == Some(digest) {
        return Ok(());
    }
    Err(BindingError::RuntimeData {
        report,
        report_data: crate::hexstr::to_hex(report_data.get(..32).unwrap_or(report_data)),
        runtime_data: crate::hexstr::to_hex(digest),
    }
    .into())
}

/// The PCR values by index (hex) and whether they were checked. Values are given either
/// one per selected PCR (in selection order) or as the whole bank of 24 (by index).
fn check_pcrs(
    provider: &dyn crate::crypto::CryptoProvider,
    attest: &TpmsAttest<'_>,
    values: &[[u8; 32]],
) -> Result<(PcrValues, bool), Error> {
    // Only the SHA-256 bank is read (the one Azure's vTPM quotes).
    let [bank] = attest.pcr_select.as_slice() else {
        return Err(Unsupported::PcrSelection(
            "the quote selects several PCR banks; only one SHA-256 bank is supported",
        )
        .into());
    };
    if bank.hash != TPM_ALG_SHA256 {
        return Err(
            Unsupported::PcrSelection("the quote selects a PCR bank other than SHA-256").into(),
        );
    }
    if attest.pcr_digest.len() != 32 {
        return Err(Unsupported::PcrSelection("the PCR digest is not a SHA-256 digest").into());
    }
    if values.is_empty() {
        return Ok((PcrValues::default(), false));
    }
    let selected: Vec<(u8, [u8; 32])> = if values.len() == bank.pcrs.len() {
        bank.pcrs
            .iter()
            .copied()
            .zip(values.iter().copied())
            .collect()
    } else if values.len() == super::evidence::MAX_PCRS {
        bank.pcrs
            .iter()
            .filter_map(|&i| values.get(usize::from(i)).map(|v| (i, *v)))
            .collect()
    } else {
        return Err(BindingError::PcrCount {
            selected: bank.pcrs.len(),
            given: values.len(),
        }
        .into());
    };
    if selected.len() != bank.pcrs.len() {
        return Err(BindingError::PcrCount {
            selected: bank.pcrs.len(),
            given: values.len(),
        }
        .into());
    }
    let parts: Vec<&[u8]> = selected.iter().map(|(_, v)| v.as_slice()).collect();
    let digest = provider.hash(HashAlg::Sha256, &parts);
    if digest.as_ref() != attest.pcr_digest {
        return Err(BindingError::PcrDigest {
            quoted: crate::hexstr::to_hex(attest.pcr_digest),
            computed: crate::hexstr::to_hex(digest.as_ref()),
        }
        .into());
    }
    Ok((PcrValues::new(selected), true))
}

/// The TDREPORT in the HCL report is unauthenticated (only the CPU that made it can
/// check its MAC); the TD quote is its authenticated copy. A TDREPORT that differs from
/// the quote in any field the quote carries means the parts were not made together, and
/// the evidence is refused rather than one of them silently ignored.
fn check_td_report(td_report: &[u8], quoted: &TdReport) -> Result<(), Error> {
    let fields: [(&'static str, core::ops::Range<usize>, &[u8]); 15] = [
        ("REPORTDATA", 0x080..0x0C0, &quoted.report_data),
        ("TEE_TCB_SVN", 0x108..0x118, &quoted.tee_tcb_svn),
        ("MRSEAM", 0x118..0x148, &quoted.mr_seam),
        ("MRSIGNERSEAM", 0x148..0x178, &quoted.mr_signer_seam),
        ("SEAMATTRIBUTES", 0x178..0x180, &quoted.seam_attributes),
        ("TDATTRIBUTES", 0x200..0x208, &quoted.td_attributes),
        ("XFAM", 0x208..0x210, &quoted.xfam),
        ("MRTD", 0x210..0x240, &quoted.mr_td),
        ("MRCONFIGID", 0x240..0x270, &quoted.mr_config_id),
        ("MROWNER", 0x270..0x2A0, &quoted.mr_owner),
        ("MROWNERCONFIG", 0x2A0..0x2D0, &quoted.mr_owner_config),
        ("RTMR0", 0x2D0..0x300, &quoted.rtmr[0]),
        ("RTMR1", 0x300..0x330, &quoted.rtmr[1]),
        ("RTMR2", 0x330..0x360, &quoted.rtmr[2]),
        ("RTMR3", 0x360..0x390, &quoted.rtmr[3]),
    ];
    // REPORTTYPE.type 0x81: a TDX report.
    if td_report.first() != Some(&0x81) {
        return Err(BindingError::TdReport {
            field: "REPORTTYPE",
        }
        .into());
    }
    for (field, range, value) in fields {
        if td_report.get(range) != Some(value) {
            return Err(BindingError::TdReport { field }.into());
        }
    }
    Ok(())
}
