//! Intel's TCB evaluation (the current Quote Verification Library's `EvaluateTcb`,
//! `TcbLevelCheck` and `TDRelaunchCheck`), as a pure function of the platform's TCB and
//! the collateral.
//!
//! 1. Platform level: the first level, highest first, whose 16 SGX components and PCESVN
//!    are at or below the PCK certificate's and, for TDX, whose TDX components are at or
//!    below TEE_TCB_SVN. When TEE_TCB_SVN[1] (the module's major version) is above 0,
//!    bytes 0 and 1 are skipped here: they are judged by the module identity instead.
//! 2. TDX module (major version above 0): the identity `TDX_{major:02X}` and its first
//!    level whose ISVSVN is at or below TEE_TCB_SVN[0].
//! 3. QE: the first QE Identity level whose ISVSVN is at or below the QE's.
//! 4. Converge: a module or QE that is OutOfDate makes an UpToDate/SWHardeningNeeded
//!    platform OutOfDate and a ConfigurationNeeded one OutOfDateConfigurationNeeded;
//!    one that is Revoked makes it Revoked. tcbDate is the earliest of the three, and
//!    the advisories are the platform's, then the QE's, then the module's.
//! 5. TD 1.5: evaluate at launch (TEE_TCB_SVN) and now (TEE_TCB_SVN2); the final status
//!    is the launch status, or TDRelaunchAdvised when relaunching would fix it.

use super::qe_identity::QeIdentity;
use super::status::TcbStatus;
use super::tcb_info::{TcbInfo, TcbLevel};
use crate::error::TcbError;

/// The platform's TCB as its PCK certificate and QE report state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformTcb {
    /// The PCK certificate's 16 SGX component SVNs.
    pub sgx_components: [u8; 16],
    /// The PCK certificate's PCESVN.
    pub pce_svn: u16,
    /// The QE report's ISVSVN.
    pub qe_isv_svn: u16,
}

/// The outcome of one evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcbEvaluation {
    /// Converged status.
    pub status: TcbStatus,
    /// The matched platform level's status.
    pub platform_status: TcbStatus,
    /// The matched TDX module level (`TDX_01`, status), when the module version is above 0.
    pub module: Option<(String, TcbStatus)>,
    /// The matched QE level's status.
    pub qe_status: TcbStatus,
    /// The earliest tcbDate of the matched levels.
    pub tcb_date: u64,
    /// Advisory ids: platform, then QE, then module (as Intel's library reports them).
    pub advisory_ids: Vec<String>,
    /// The matched platform level.
    pub platform_level: TcbLevel,
}

fn all_at_least(have: &[u8], need: &[u8]) -> bool {
    have.iter().zip(need).all(|(h, n)| h >= n)
}

fn svn_text(svn: &[u8]) -> String {
    let parts: Vec<String> = svn.iter().map(u8::to_string).collect();
    format!("[{}]", parts.join(","))
}

/// Evaluates one TCB (`tee_tcb_svn` is `None` for SGX).
///
/// # Errors
/// [`TcbError::NotSupported`] when a level is missing for the platform, the module or
/// the QE. A Revoked result is returned as a status; the caller rejects it.
pub fn evaluate(
    tcb_info: &TcbInfo,
    qe_identity: &QeIdentity,
    platform: &PlatformTcb,
    tee_tcb_svn: Option<&[u8; 16]>,
) -> Result<TcbEvaluation, TcbError> {
    let module_version = tee_tcb_svn.and_then(|t| t.get(1).copied()).unwrap_or(0);
    let skip = if module_version > 0 { 2 } else { 0 };

    let platform_level = tcb_info
        .tcb_levels
        .iter()
        .find(|level| {
            let sgx_ok = all_at_least(&platform.sgx_components, &level.sgx_components)
                && platform.pce_svn >= level.pce_svn;
            let tdx_ok = match (tee_tcb_svn, &level.tdx_components) {
                (Some(tee), Some(need)) => all_at_least(
                    tee.get(skip..).unwrap_or(&[]),
                    need.get(skip..).unwrap_or(&[]),
                ),
                (None, _) => true,
                (Some(_), None) => false,
            };
            sgx_ok && tdx_ok
        })
        .ok_or_else(|| TcbError::NotSupported {
            what: "platform",
            detail: match tee_tcb_svn {
                Some(tee) => format!(
                    "SGX components {}, PCESVN {}, TEE_TCB_SVN {}",
                    svn_text(&platform.sgx_components),
                    platform.pce_svn,
                    hex::encode(tee)
                ),
                None => format!(
                    "SGX components {}, PCESVN {}",
                    svn_text(&platform.sgx_components),
                    platform.pce_svn
                ),
            },
        })?;

    let module = match tee_tcb_svn {
        Some(tee) if module_version > 0 => {
            let identity =
                tcb_info
                    .module_identity(module_version)
                    .ok_or_else(|| TcbError::NotSupported {
                        what: "TDX module",
                        detail: format!("module identity TDX_{module_version:02X}"),
                    })?;
            let isv_svn = tee.first().copied().unwrap_or(0);
            let level = identity
                .tcb_levels
                .iter()
                .find(|l| isv_svn >= l.isv_svn)
                .ok_or_else(|| TcbError::NotSupported {
                    what: "TDX module",
                    detail: format!("TDX_{module_version:02X} ISVSVN {isv_svn}"),
                })?;
            Some((identity.id.clone(), level))
        }
        _ => None,
    };

    let qe_level = qe_identity
        .tcb_levels
        .iter()
        .find(|l| platform.qe_isv_svn >= l.isv_svn)
        .ok_or_else(|| TcbError::NotSupported {
            what: "QE",
            detail: format!("QE ISVSVN {}", platform.qe_isv_svn),
        })?;

    let component_statuses = [
        Some(qe_level.status),
        module.as_ref().map(|(_, l)| l.status),
    ];
    let mut status = platform_level.status;
    if component_statuses.contains(&Some(TcbStatus::OutOfDate)) {
        status = status.with_component_out_of_date();
    }
    if component_statuses.contains(&Some(TcbStatus::Revoked)) {
        status = TcbStatus::Revoked;
    }

    let mut tcb_date = platform_level.tcb_date.min(qe_level.tcb_date);
    let mut advisory_ids = platform_level.advisory_ids.clone();
    advisory_ids.extend(qe_level.advisory_ids.iter().cloned());
    if let Some((_, level)) = &module {
        tcb_date = tcb_date.min(level.tcb_date);
        advisory_ids.extend(level.advisory_ids.iter().cloned());
    }
    Ok(TcbEvaluation {
        status,
        platform_status: platform_level.status,
        module: module.map(|(id, level)| (id, level.status)),
        qe_status: qe_level.status,
        tcb_date,
        advisory_ids,
        platform_level: platform_level.clone(),
    })
}
