//! Caller expectations checked after a quote is authenticated and its TCB evaluated (in
//! the manner of go-tdx-guest's `validate.Options`). Everything defaults to "not checked"
//! except the TCB status, which must be one Intel's library does not treat as terminal:
//! Revoked and TCB-not-supported always reject; other statuses are accepted and reported
//! unless `allowed_tcb_statuses` narrows them.
//!
//! A TD and an enclave have different expectations, so each has its own options type and
//! its own entry point ([`crate::Verifier::verify_tdx`], [`crate::Verifier::verify_sgx`]):
//! an expectation about a TD can never be silently skipped because the quote turned out
//! to be an enclave's (or the reverse).

use super::quote::{EnclaveReport, TdReport};
use super::status::TcbStatus;
use crate::error::ExpectationError;
use crate::expect::ReportDataExpectation;

/// Options for [`crate::Verifier::verify_tdx`]: expectations about a TD.
///
/// Non-exhaustive so that options can be added without breaking callers: start from
/// `Default::default()` and set the fields you need.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TdxOptions {
    /// Expected REPORTDATA of the TD, or a nonce it must begin with.
    pub report_data: Option<ReportDataExpectation>,
    /// Expected MRTD.
    pub mr_td: Option<[u8; 48]>,
    /// Expected MRCONFIGID.
    pub mr_config_id: Option<[u8; 48]>,
    /// Expected MROWNER.
    pub mr_owner: Option<[u8; 48]>,
    /// Expected MROWNERCONFIG.
    pub mr_owner_config: Option<[u8; 48]>,
    /// Expected RTMR values (each `None` is not checked).
    pub rtmrs: [Option<[u8; 48]>; 4],
    /// Statuses to accept (empty: every non-terminal status).
    pub allowed_tcb_statuses: Vec<TcbStatus>,
    /// Reject a TD with its DEBUG attribute set.
    pub reject_debug: bool,
    /// Byte-wise minimum of TEE_TCB_SVN.
    pub minimum_tee_tcb_svn: Option<[u8; 16]>,
}

/// Options for [`crate::Verifier::verify_sgx`]: expectations about an enclave.
///
/// Non-exhaustive so that options can be added without breaking callers: start from
/// `Default::default()` and set the fields you need.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SgxOptions {
    /// Expected REPORTDATA of the enclave, or a nonce it must begin with.
    pub report_data: Option<ReportDataExpectation>,
    /// Expected MRENCLAVE.
    pub mr_enclave: Option<[u8; 32]>,
    /// Expected MRSIGNER.
    pub mr_signer: Option<[u8; 32]>,
    /// Statuses to accept (empty: every non-terminal status).
    pub allowed_tcb_statuses: Vec<TcbStatus>,
    /// Reject an enclave with its DEBUG attribute set.
    pub reject_debug: bool,
}

fn mismatch(field: &'static str, expected: &[u8], actual: &[u8]) -> ExpectationError {
    ExpectationError::Mismatch {
        field,
        expected: hex::encode(expected),
        actual: hex::encode(actual),
    }
}

fn exact<const N: usize>(
    field: &'static str,
    expected: Option<&[u8; N]>,
    actual: &[u8; N],
) -> Result<(), ExpectationError> {
    match expected {
        Some(e) if e != actual => Err(mismatch(field, e, actual)),
        _ => Ok(()),
    }
}

fn report_data(
    expected: Option<&ReportDataExpectation>,
    actual: &[u8; 64],
) -> Result<(), ExpectationError> {
    match expected {
        Some(ReportDataExpectation::Exact(e)) if e != actual => {
            Err(mismatch("report_data", e, actual))
        }
        Some(ReportDataExpectation::Prefix(p))
            if p.is_empty() || p.len() > 64 || !actual.starts_with(p) =>
        {
            Err(mismatch("report_data", p, actual))
        }
        _ => Ok(()),
    }
}

fn check_status(allowed: &[TcbStatus], status: TcbStatus) -> Result<(), ExpectationError> {
    if allowed.is_empty() || allowed.contains(&status) {
        return Ok(());
    }
    Err(ExpectationError::TcbStatus {
        status: status.name().to_owned(),
        allowed: allowed
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

impl TdxOptions {
    pub(crate) fn check_status(&self, status: TcbStatus) -> Result<(), ExpectationError> {
        check_status(&self.allowed_tcb_statuses, status)
    }

    pub(crate) fn check_td(&self, td: &TdReport) -> Result<(), ExpectationError> {
        report_data(self.report_data.as_ref(), &td.report_data)?;
        exact("mr_td", self.mr_td.as_ref(), &td.mr_td)?;
        exact("mr_config_id", self.mr_config_id.as_ref(), &td.mr_config_id)?;
        exact("mr_owner", self.mr_owner.as_ref(), &td.mr_owner)?;
        exact(
            "mr_owner_config",
            self.mr_owner_config.as_ref(),
            &td.mr_owner_config,
        )?;
        const NAMES: [&str; 4] = ["rtmr0", "rtmr1", "rtmr2", "rtmr3"];
        for ((name, expected), actual) in NAMES.iter().zip(&self.rtmrs).zip(&td.rtmr) {
            exact(name, expected.as_ref(), actual)?;
        }
        if self.reject_debug && td.debug() {
            return Err(ExpectationError::Debug("the TD"));
        }
        if let Some(minimum) = &self.minimum_tee_tcb_svn {
            let below = minimum
                .iter()
                .zip(&td.tee_tcb_svn)
                .enumerate()
                .find(|(_, (m, a))| a < m);
            if let Some((index, (m, a))) = below {
                return Err(ExpectationError::TeeTcbSvn {
                    index,
                    minimum: *m,
                    actual: *a,
                });
            }
        }
        Ok(())
    }
}

impl SgxOptions {
    pub(crate) fn check_status(&self, status: TcbStatus) -> Result<(), ExpectationError> {
        check_status(&self.allowed_tcb_statuses, status)
    }

    pub(crate) fn check_enclave(&self, report: &EnclaveReport) -> Result<(), ExpectationError> {
        report_data(self.report_data.as_ref(), &report.report_data)?;
        exact("mr_enclave", self.mr_enclave.as_ref(), &report.mr_enclave)?;
        exact("mr_signer", self.mr_signer.as_ref(), &report.mr_signer)?;
        if self.reject_debug && report.debug() {
            return Err(ExpectationError::Debug("the enclave"));
        }
        Ok(())
    }
}
