//! Claims of a verified Intel quote: `tdx.*` for TDX quotes and `sgx.*` for SGX enclave
//! quotes, documented in docs/claims.md. Byte strings are lower-case hex; dates RFC 3339.

use serde::Serialize;

use super::evaluate::TcbEvaluation;
use super::eventlog::DecodedEvent;
use super::pck_ext::{PckExtension, PlatformConfiguration, SgxType};
use super::quote::{EnclaveReport, Quote, TdReport};
use super::status::TcbStatus;
use crate::time::rfc3339_secs;

/// TDATTRIBUTES, decoded (Intel TDX module ABI, `td_param_attributes_t`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TdAttributes {
    /// The raw 8 bytes, hex.
    pub raw: String,
    /// Bit 0: the TD is debuggable (its memory and state are not confidential).
    pub debug: bool,
    /// Bit 28: EPT violations are not converted to #VE.
    pub sept_ve_disable: bool,
    /// Bit 29: the TD may be migrated.
    pub migratable: bool,
    /// Bit 30: protection keys supervisor.
    pub pks: bool,
    /// Bit 31: key locker.
    pub kl: bool,
    /// Bit 27: linear address space separation.
    pub lass: bool,
    /// Bit 63: performance monitoring.
    pub perfmon: bool,
}

impl TdAttributes {
    fn new(raw: [u8; 8]) -> Self {
        let v = u64::from_le_bytes(raw);
        let bit = |n: u32| v & (1u64 << n) != 0;
        Self {
            raw: crate::hexstr::to_hex(raw),
            debug: bit(0),
            sept_ve_disable: bit(28),
            migratable: bit(29),
            pks: bit(30),
            kl: bit(31),
            lass: bit(27),
            perfmon: bit(63),
        }
    }
}

/// One TCB evaluation (TD 1.5 quotes have a launch and a current one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TcbEvaluationClaims {
    /// Converged status.
    pub status: TcbStatus,
    /// The matched platform level's status.
    pub platform_status: TcbStatus,
    /// The matched TDX module level's status (module major version above 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tdx_module_status: Option<TcbStatus>,
    /// The matched TDX module identity (`TDX_01`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tdx_module_identity: Option<String>,
    /// tcbDate.
    pub tcb_date: String,
    /// Advisory ids.
    pub advisory_ids: Vec<String>,
}

impl TcbEvaluationClaims {
    pub(crate) fn new(e: &TcbEvaluation) -> Self {
        Self {
            status: e.status,
            platform_status: e.platform_status,
            tdx_module_status: e.module.as_ref().map(|(_, s)| *s),
            tdx_module_identity: e.module.as_ref().map(|(id, _)| id.clone()),
            tcb_date: rfc3339_secs(e.tcb_date),
            advisory_ids: e.advisory_ids.clone(),
        }
    }
}

/// What the platform and the collateral say, common to TDX and SGX quotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformClaims {
    /// Final TCB status (for TD 1.5 after the relaunch rule).
    pub tcb_status: TcbStatus,
    /// Advisory ids of the final status.
    pub advisory_ids: Vec<String>,
    /// tcbDate of the final status.
    pub tcb_date: String,
    /// The platform TCB level's status.
    pub platform_tcb_status: TcbStatus,
    /// The QE's TCB status.
    pub qe_status: TcbStatus,
    /// The TDX module's TCB status (module major version above 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tdx_module_status: Option<TcbStatus>,
    /// TD 1.5: the evaluation with TEE_TCB_SVN (launch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcb_launch: Option<TcbEvaluationClaims>,
    /// TD 1.5: the evaluation with TEE_TCB_SVN2 (current).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcb_current: Option<TcbEvaluationClaims>,
    /// The lower of the TCB Info's and QE Identity's tcbEvaluationDataNumber.
    pub tcb_eval_num: u32,
    /// FMSPC, hex.
    pub fmspc: String,
    /// PCE-ID, hex.
    pub pce_id: String,
    /// PCESVN certified in the PCK certificate.
    pub pce_svn: u16,
    /// The 16 SGX TCB component SVNs certified in the PCK certificate.
    pub sgx_tcb_components: Vec<u8>,
    /// CPUSVN certified in the PCK certificate, hex.
    pub cpu_svn: String,
    /// PPID, hex.
    pub ppid: String,
    /// SGX Type.
    pub sgx_type: SgxType,
    /// Platform Instance ID, hex (Platform-CA certificates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_instance_id: Option<String>,
    /// Platform configuration flags (Platform-CA certificates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_configuration: Option<PlatformConfiguration>,
    /// `Intel SGX PCK Platform CA` or `Intel SGX PCK Processor CA`.
    pub pck_issuer: String,
    /// The quote's PCK certification data type, which says where the PCK chain came
    /// from: 5 the quote carried it; 4 the quote carried the PCK certificate, the CA
    /// came from the collateral; 3 or 2 the quote named it by encrypted PPID (RSA-3072 or
    /// RSA-2048) and the PCK certificate came from the collateral (Intel PCS or a PCCS).
    pub certification_data_type: u16,
    /// The QE's ISVSVN.
    pub qe_svn: u16,
    /// The earliest expiry of every certificate, CRL and signed collateral used.
    pub collateral_expires_at: String,
    /// Quote version (3, 4 or 5).
    pub quote_version: u16,
    /// QE-ID (first 16 bytes of the header's user data), hex.
    pub qe_id: String,
    /// Unsigned bytes after the signature data (padding the quote generator left).
    pub trailing_bytes: usize,
    /// Whether those bytes are all zero.
    pub trailing_bytes_zero: bool,
}

/// Inputs for [`PlatformClaims`].
pub(crate) struct PlatformFacts<'a> {
    pub(crate) quote: &'a Quote<'a>,
    pub(crate) pck: &'a PckExtension,
    pub(crate) pck_issuer: String,
    pub(crate) final_eval: &'a TcbEvaluation,
    pub(crate) final_status: TcbStatus,
    pub(crate) launch_current: Option<(&'a TcbEvaluation, &'a TcbEvaluation)>,
    pub(crate) tcb_eval_num: u32,
    pub(crate) expires_at: u64,
}

impl PlatformClaims {
    pub(crate) fn new(f: &PlatformFacts<'_>) -> Self {
        let q = f.quote;
        Self {
            tcb_status: f.final_status,
            advisory_ids: f.final_eval.advisory_ids.clone(),
            tcb_date: rfc3339_secs(f.final_eval.tcb_date),
            platform_tcb_status: f.final_eval.platform_status,
            qe_status: f.final_eval.qe_status,
            tdx_module_status: f.final_eval.module.as_ref().map(|(_, s)| *s),
            tcb_launch: f.launch_current.map(|(l, _)| TcbEvaluationClaims::new(l)),
            tcb_current: f.launch_current.map(|(_, c)| TcbEvaluationClaims::new(c)),
            tcb_eval_num: f.tcb_eval_num,
            fmspc: crate::hexstr::to_hex(f.pck.fmspc),
            pce_id: crate::hexstr::to_hex(f.pck.pce_id),
            pce_svn: f.pck.pce_svn,
            sgx_tcb_components: f.pck.tcb_components.to_vec(),
            cpu_svn: crate::hexstr::to_hex(f.pck.cpu_svn),
            ppid: crate::hexstr::to_hex(f.pck.ppid),
            sgx_type: f.pck.sgx_type,
            platform_instance_id: f.pck.platform_instance_id.map(crate::hexstr::to_hex),
            platform_configuration: f.pck.configuration,
            pck_issuer: f.pck_issuer.clone(),
            certification_data_type: q.signature.certification.cert_type,
            qe_svn: q.signature.qe_report.isv_svn,
            collateral_expires_at: rfc3339_secs(f.expires_at),
            quote_version: q.header.version,
            qe_id: crate::hexstr::to_hex(q.header.user_data.get(..16).unwrap_or(&[])),
            trailing_bytes: q.trailing.len(),
            trailing_bytes_zero: q.trailing.iter().all(|b| *b == 0),
        }
    }
}

/// Claims of a verified TDX quote (`tdx.*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TdxClaims {
    /// `1.0` or `1.5`.
    pub td_report_version: &'static str,
    /// MRTD.
    pub mr_td: String,
    /// MRCONFIGID.
    pub mr_config_id: String,
    /// MROWNER.
    pub mr_owner: String,
    /// MROWNERCONFIG.
    pub mr_owner_config: String,
    /// RTMR0..3.
    pub rtmr: [String; 4],
    /// REPORTDATA.
    pub report_data: String,
    /// TDATTRIBUTES, decoded.
    pub td_attributes: TdAttributes,
    /// XFAM.
    pub xfam: String,
    /// MRSEAM.
    pub mr_seam: String,
    /// MRSIGNERSEAM.
    pub mr_signer_seam: String,
    /// SEAMATTRIBUTES.
    pub seam_attributes: String,
    /// TEE_TCB_SVN.
    pub tee_tcb_svn: String,
    /// TEE_TCB_SVN2 (TD 1.5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tee_tcb_svn2: Option<String>,
    /// MRSERVICETD (TD 1.5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mr_servicetd: Option<String>,
    /// The CCEL event log's events, when a log was given and replayed to the RTMRs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_log: Option<Vec<DecodedEvent>>,
    /// Platform and collateral claims.
    #[serde(flatten)]
    pub platform: PlatformClaims,
}

impl TdxClaims {
    pub(crate) fn new(td: &TdReport, platform: PlatformClaims) -> Self {
        Self {
            td_report_version: if td.tee_tcb_svn2.is_some() {
                "1.5"
            } else {
                "1.0"
            },
            mr_td: crate::hexstr::to_hex(td.mr_td),
            mr_config_id: crate::hexstr::to_hex(td.mr_config_id),
            mr_owner: crate::hexstr::to_hex(td.mr_owner),
            mr_owner_config: crate::hexstr::to_hex(td.mr_owner_config),
            rtmr: td.rtmr.map(crate::hexstr::to_hex),
            report_data: crate::hexstr::to_hex(td.report_data),
            td_attributes: TdAttributes::new(td.td_attributes),
            xfam: crate::hexstr::to_hex(td.xfam),
            mr_seam: crate::hexstr::to_hex(td.mr_seam),
            mr_signer_seam: crate::hexstr::to_hex(td.mr_signer_seam),
            seam_attributes: crate::hexstr::to_hex(td.seam_attributes),
            tee_tcb_svn: crate::hexstr::to_hex(td.tee_tcb_svn),
            tee_tcb_svn2: td.tee_tcb_svn2.map(crate::hexstr::to_hex),
            mr_servicetd: td.mr_servicetd.map(crate::hexstr::to_hex),
            event_log: None,
            platform,
        }
    }
}

/// Claims of a verified SGX enclave quote (`sgx.*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SgxClaims {
    /// MRENCLAVE.
    pub mr_enclave: String,
    /// MRSIGNER.
    pub mr_signer: String,
    /// ISVPRODID.
    pub isv_prod_id: u16,
    /// ISVSVN.
    pub isv_svn: u16,
    /// ATTRIBUTES.
    pub attributes: String,
    /// ATTRIBUTES.DEBUG.
    pub debug: bool,
    /// MISCSELECT.
    pub misc_select: u32,
    /// CPUSVN of the enclave report.
    pub report_cpu_svn: String,
    /// CONFIGID.
    pub config_id: String,
    /// CONFIGSVN.
    pub config_svn: u16,
    /// ISVEXTPRODID.
    pub isv_ext_prod_id: String,
    /// ISVFAMILYID.
    pub isv_family_id: String,
    /// REPORTDATA.
    pub report_data: String,
    /// Platform and collateral claims.
    #[serde(flatten)]
    pub platform: PlatformClaims,
}

impl SgxClaims {
    pub(crate) fn new(r: &EnclaveReport, platform: PlatformClaims) -> Self {
        Self {
            mr_enclave: crate::hexstr::to_hex(r.mr_enclave),
            mr_signer: crate::hexstr::to_hex(r.mr_signer),
            isv_prod_id: r.isv_prod_id,
            isv_svn: r.isv_svn,
            attributes: crate::hexstr::to_hex(r.attributes),
            debug: r.debug(),
            misc_select: r.misc_select,
            report_cpu_svn: crate::hexstr::to_hex(r.cpu_svn),
            config_id: crate::hexstr::to_hex(r.config_id),
            config_svn: r.config_svn,
            isv_ext_prod_id: crate::hexstr::to_hex(r.isv_ext_prod_id),
            isv_family_id: crate::hexstr::to_hex(r.isv_family_id),
            report_data: crate::hexstr::to_hex(r.report_data),
            platform,
        }
    }
}

/// Claims of a verified Intel quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteClaims {
    /// A TDX quote.
    Tdx(Box<TdxClaims>),
    /// An SGX enclave quote.
    Sgx(Box<SgxClaims>),
}

impl QuoteClaims {
    /// The platform and collateral claims.
    pub fn platform(&self) -> &PlatformClaims {
        match self {
            Self::Tdx(c) => &c.platform,
            Self::Sgx(c) => &c.platform,
        }
    }
}
