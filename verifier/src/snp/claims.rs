//! SEV-SNP claims (`snp.*`), documented in docs/claims.md. Byte strings are lower-case hex.

use serde::Serialize;

use super::{AttestationReport, Product, TcbVersion};
use crate::time::rfc3339_secs;

/// A decoded TCB_VERSION.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TcbClaims {
    /// Boot loader SPL.
    pub bootloader: u8,
    /// TEE SPL.
    pub tee: u8,
    /// SNP firmware SPL.
    pub snp: u8,
    /// Microcode SPL.
    pub microcode: u8,
    /// FMC SPL (Turin only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fmc: Option<u8>,
    /// The raw u64, hex.
    pub raw: String,
}

impl TcbClaims {
    fn new(tcb: TcbVersion, product: Product) -> Self {
        let p = tcb.parts(product);
        Self {
            bootloader: p.bootloader,
            tee: p.tee,
            snp: p.snp,
            microcode: p.microcode,
            fmc: p.fmc,
            raw: format!("{:016x}", tcb.0),
        }
    }
}

/// Guest policy bits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyClaims {
    /// ABI major.
    pub abi_major: u8,
    /// ABI minor.
    pub abi_minor: u8,
    /// SMT allowed.
    pub smt: bool,
    /// Migration agent allowed.
    pub migrate_ma: bool,
    /// Debugging allowed.
    pub debug: bool,
    /// Single socket required.
    pub single_socket: bool,
    /// CXL allowed.
    pub cxl_allowed: bool,
    /// AES-256-XTS required.
    pub mem_aes_256_xts: bool,
    /// RAPL disable required.
    pub rapl_dis: bool,
    /// Ciphertext hiding required.
    pub ciphertext_hiding: bool,
    /// Page swap disabled (v5).
    pub page_swap_disable: bool,
    /// Raw u64, hex.
    pub raw: String,
}

/// Platform info bits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformClaims {
    /// SMT enabled.
    pub smt_enabled: bool,
    /// TSME enabled.
    pub tsme_enabled: bool,
    /// ECC enabled.
    pub ecc_enabled: bool,
    /// RAPL disabled.
    pub rapl_disabled: bool,
    /// Ciphertext hiding enabled.
    pub ciphertext_hiding_enabled: bool,
    /// Alias check complete.
    pub alias_check_complete: bool,
    /// Bit 6 (seen on Turin).
    pub bit6: bool,
    /// SEV-TIO enabled.
    pub tio_enabled: bool,
    /// Raw u64, hex.
    pub raw: String,
}

/// CPUID identification (v3+).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CpuidClaims {
    /// Family.
    pub family: u8,
    /// Model.
    pub model: u8,
    /// Stepping.
    pub stepping: u8,
}

/// The VCEK or VLEK that signed the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VekClaims {
    /// `vcek` or `vlek`.
    pub kind: &'static str,
    /// Serial, hex.
    pub serial: String,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// productName extension.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    /// cspID (VLEK).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csp_id: Option<String>,
}

/// Every field of a verified SEV-SNP report, normalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnpClaims {
    /// Report version.
    pub version: u32,
    /// Product line (`Milan`, `Genoa`, `Turin`).
    pub product: &'static str,
    /// CPU model name from CPUID (`Siena/Bergamo` for Genoa-line Zen 4c).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_model: Option<&'static str>,
    /// CPUID (v3+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuid: Option<CpuidClaims>,
    /// GUEST_SVN.
    pub guest_svn: u32,
    /// VMPL.
    pub vmpl: u32,
    /// Guest policy.
    pub policy: PolicyClaims,
    /// Platform info.
    pub platform_info: PlatformClaims,
    /// `vcek` or `vlek`.
    pub signing_key: &'static str,
    /// AUTHOR_KEY_EN.
    pub author_key_en: bool,
    /// MASK_CHIP_KEY.
    pub mask_chip_key: bool,
    /// REPORT_DATA.
    pub report_data: String,
    /// MEASUREMENT.
    pub measurement: String,
    /// HOST_DATA.
    pub host_data: String,
    /// FAMILY_ID.
    pub family_id: String,
    /// IMAGE_ID.
    pub image_id: String,
    /// ID_KEY_DIGEST.
    pub id_key_digest: String,
    /// AUTHOR_KEY_DIGEST.
    pub author_key_digest: String,
    /// REPORT_ID.
    pub report_id: String,
    /// REPORT_ID_MA.
    pub report_id_ma: String,
    /// CHIP_ID (all 64 bytes; zero when masked).
    pub chip_id: String,
    /// CHIP_ID is all zero (MASK_CHIP_ID).
    pub chip_id_masked: bool,
    /// CURRENT_TCB.
    pub current_tcb: TcbClaims,
    /// REPORTED_TCB (what the VEK certifies).
    pub reported_tcb: TcbClaims,
    /// COMMITTED_TCB.
    pub committed_tcb: TcbClaims,
    /// LAUNCH_TCB.
    pub launch_tcb: TcbClaims,
    /// Current firmware `major.minor.build`.
    pub current_firmware: String,
    /// Committed firmware `major.minor.build`.
    pub committed_firmware: String,
    /// LAUNCH_MIT_VECTOR (v5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_mit_vector: Option<u64>,
    /// CURRENT_MIT_VECTOR (v5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_mit_vector: Option<u64>,
    /// The signing certificate.
    pub vek: VekClaims,
    /// Whether the ASK/ASVK was checked against a current ARK-signed CRL.
    pub crl_checked: bool,
    /// The parsed report itself, for library users (not serialized).
    #[serde(skip)]
    pub report: AttestationReport,
}

impl SnpClaims {
    pub(crate) fn new(
        report: &AttestationReport,
        product: Product,
        vek: VekClaims,
        crl_checked: bool,
    ) -> Self {
        let p = report.policy;
        let pi = report.platform_info;
        Self {
            version: report.version,
            product: product.name(),
            cpu_model: report
                .cpuid
                .and_then(|c| Product::model_name(c.family, c.model)),
            cpuid: report.cpuid.map(|c| CpuidClaims {
                family: c.family,
                model: c.model,
                stepping: c.stepping,
            }),
            guest_svn: report.guest_svn,
            vmpl: report.vmpl,
            policy: PolicyClaims {
                abi_major: p.abi_major(),
                abi_minor: p.abi_minor(),
                smt: p.smt_allowed(),
                migrate_ma: p.migrate_ma_allowed(),
                debug: p.debug_allowed(),
                single_socket: p.single_socket_required(),
                cxl_allowed: p.cxl_allowed(),
                mem_aes_256_xts: p.mem_aes_256_xts_required(),
                rapl_dis: p.rapl_disabled_required(),
                ciphertext_hiding: p.ciphertext_hiding_required(),
                page_swap_disable: p.page_swap_disabled(),
                raw: format!("{:016x}", p.0),
            },
            platform_info: PlatformClaims {
                smt_enabled: pi.smt_enabled(),
                tsme_enabled: pi.tsme_enabled(),
                ecc_enabled: pi.ecc_enabled(),
                rapl_disabled: pi.rapl_disabled(),
                ciphertext_hiding_enabled: pi.ciphertext_hiding_enabled(),
                alias_check_complete: pi.alias_check_complete(),
                bit6: pi.bit6(),
                tio_enabled: pi.tio_enabled(),
                raw: format!("{:016x}", pi.0),
            },
            signing_key: report.key_info.signing_key.name(),
            author_key_en: report.key_info.author_key_en,
            mask_chip_key: report.key_info.mask_chip_key,
            report_data: crate::hexstr::to_hex(report.report_data),
            measurement: crate::hexstr::to_hex(report.measurement),
            host_data: crate::hexstr::to_hex(report.host_data),
            family_id: crate::hexstr::to_hex(report.family_id),
            image_id: crate::hexstr::to_hex(report.image_id),
            id_key_digest: crate::hexstr::to_hex(report.id_key_digest),
            author_key_digest: crate::hexstr::to_hex(report.author_key_digest),
            report_id: crate::hexstr::to_hex(report.report_id),
            report_id_ma: crate::hexstr::to_hex(report.report_id_ma),
            chip_id: crate::hexstr::to_hex(report.chip_id),
            chip_id_masked: report.chip_id_masked(),
            current_tcb: TcbClaims::new(report.current_tcb, product),
            reported_tcb: TcbClaims::new(report.reported_tcb, product),
            committed_tcb: TcbClaims::new(report.committed_tcb, product),
            launch_tcb: TcbClaims::new(report.launch_tcb, product),
            current_firmware: report.current_version.to_string(),
            committed_firmware: report.committed_version.to_string(),
            launch_mit_vector: report.launch_mit_vector,
            current_mit_vector: report.current_mit_vector,
            vek,
            crl_checked,
            report: report.clone(),
        }
    }
}

pub(crate) fn time(secs: u64) -> String {
    rfc3339_secs(secs)
}
