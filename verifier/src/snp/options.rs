//! Caller expectations checked after a report is authenticated (in the manner of
//! go-sev-guest's `validate.Options`). Everything defaults to "not checked": the verifier
//! establishes authenticity and exposes claims; these options are for library users who
//! link no policy engine. Each unmet option is its own [`ExpectationError`].

use super::{AttestationReport, Product, TcbParts};
use crate::error::ExpectationError;
use crate::expect::ReportDataExpectation;

/// Guest policy constraints. The defaults allow everything.
///
/// Non-exhaustive so that options can be added without breaking callers: start from
/// `Default::default()` and set the fields you need.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestPolicyConstraints {
    /// Accept POLICY.DEBUG = 1.
    pub allow_debug: bool,
    /// Accept POLICY.MIGRATE_MA = 1.
    pub allow_migration_agent: bool,
    /// Accept POLICY.SMT = 1.
    pub allow_smt: bool,
    /// Require POLICY.SINGLE_SOCKET = 1.
    pub require_single_socket: bool,
}

impl Default for GuestPolicyConstraints {
    fn default() -> Self {
        Self {
            allow_debug: true,
            allow_migration_agent: true,
            allow_smt: true,
            require_single_socket: false,
        }
    }
}

/// Options for [`crate::Verifier::verify_snp`].
///
/// Non-exhaustive so that options can be added without breaking callers: start from
/// `Default::default()` and set the fields you need.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnpOptions {
    /// Expected REPORT_DATA or nonce.
    pub report_data: Option<ReportDataExpectation>,
    /// Expected MEASUREMENT.
    pub measurement: Option<[u8; 48]>,
    /// Expected HOST_DATA.
    pub host_data: Option<[u8; 32]>,
    /// Trusted ID_KEY_DIGEST values (empty: not checked).
    pub trusted_id_key_digests: Vec<[u8; 48]>,
    /// Trusted AUTHOR_KEY_DIGEST values (empty: not checked). Implies an author key.
    pub trusted_author_key_digests: Vec<[u8; 48]>,
    /// Require AUTHOR_KEY_EN.
    pub require_author_key: bool,
    /// Component-wise minimum of REPORTED_TCB.
    pub minimum_tcb: Option<TcbParts>,
    /// Component-wise minimum of LAUNCH_TCB.
    pub minimum_launch_tcb: Option<TcbParts>,
    /// Guest policy constraints.
    pub guest_policy: GuestPolicyConstraints,
    /// Required VMPL.
    pub vmpl: Option<u32>,
    /// Minimum report version.
    pub minimum_version: Option<u32>,
    /// Minimum GUEST_SVN.
    pub minimum_guest_svn: Option<u32>,
    /// Expected product line. For v2 reports (no CPUID) it also tells the verifier the
    /// product when the certificates do not.
    pub product: Option<Product>,
    /// Reject unless an applicable CRL was supplied and checked.
    pub require_crl: bool,
    /// Expected VLEK cspID.
    pub csp_id: Option<String>,
}

fn mismatch(field: &'static str, expected: &[u8], actual: &[u8]) -> ExpectationError {
    ExpectationError::Mismatch {
        field,
        expected: hex::encode(expected),
        actual: hex::encode(actual),
    }
}

impl SnpOptions {
    /// Checks every option against an authenticated report.
    pub(crate) fn check(
        &self,
        report: &AttestationReport,
        product: Product,
    ) -> Result<(), ExpectationError> {
        match &self.report_data {
            Some(ReportDataExpectation::Exact(want)) if want != &report.report_data => {
                return Err(mismatch("report_data", want, &report.report_data));
            }
            Some(ReportDataExpectation::Prefix(nonce)) => {
                let ok = !nonce.is_empty()
                    && report.report_data.get(..nonce.len()) == Some(nonce.as_slice());
                if !ok {
                    let shown = report
                        .report_data
                        .get(..nonce.len())
                        .unwrap_or(&report.report_data);
                    return Err(mismatch("report_data", nonce, shown));
                }
            }
            _ => {}
        }
        if let Some(want) = &self.measurement {
            if want != &report.measurement {
                return Err(mismatch("measurement", want, &report.measurement));
            }
        }
        if let Some(want) = &self.host_data {
            if want != &report.host_data {
                return Err(mismatch("host_data", want, &report.host_data));
            }
        }
        if !self.trusted_id_key_digests.is_empty()
            && !self.trusted_id_key_digests.contains(&report.id_key_digest)
        {
            return Err(ExpectationError::NotTrusted {
                field: "id_key_digest",
                actual: hex::encode(report.id_key_digest),
                count: self.trusted_id_key_digests.len(),
            });
        }
        let needs_author = self.require_author_key || !self.trusted_author_key_digests.is_empty();
        if needs_author && !report.key_info.author_key_en {
            return Err(ExpectationError::AuthorKeyRequired);
        }
        if !self.trusted_author_key_digests.is_empty()
            && !self
                .trusted_author_key_digests
                .contains(&report.author_key_digest)
        {
            return Err(ExpectationError::NotTrusted {
                field: "author_key_digest",
                actual: hex::encode(report.author_key_digest),
                count: self.trusted_author_key_digests.len(),
            });
        }
        for (which, tcb, min) in [
            ("reported_tcb", report.reported_tcb, &self.minimum_tcb),
            ("launch_tcb", report.launch_tcb, &self.minimum_launch_tcb),
        ] {
            if let Some(min) = min {
                if let Some((component, minimum, actual)) = tcb.parts(product).first_below(min) {
                    return Err(ExpectationError::TcbTooLow {
                        which,
                        component,
                        minimum,
                        actual,
                    });
                }
            }
        }
        let p = report.policy;
        let g = &self.guest_policy;
        if !g.allow_debug && p.debug_allowed() {
            return Err(ExpectationError::PolicyForbidden("debugging"));
        }
        if !g.allow_migration_agent && p.migrate_ma_allowed() {
            return Err(ExpectationError::PolicyForbidden("a migration agent"));
        }
        if !g.allow_smt && p.smt_allowed() {
            return Err(ExpectationError::PolicyForbidden("SMT"));
        }
        if g.require_single_socket && !p.single_socket_required() {
            return Err(ExpectationError::PolicyRequired("single-socket operation"));
        }
        if let Some(expected) = self.vmpl {
            if expected != report.vmpl {
                return Err(ExpectationError::Vmpl {
                    expected,
                    actual: report.vmpl,
                });
            }
        }
        if let Some(minimum) = self.minimum_version {
            if report.version < minimum {
                return Err(ExpectationError::ReportVersion {
                    minimum,
                    actual: report.version,
                });
            }
        }
        if let Some(minimum) = self.minimum_guest_svn {
            if report.guest_svn < minimum {
                return Err(ExpectationError::GuestSvn {
                    minimum,
                    actual: report.guest_svn,
                });
            }
        }
        Ok(())
    }
}
