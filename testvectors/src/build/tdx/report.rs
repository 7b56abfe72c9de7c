//! The report bodies of Intel quotes (`shared/notes/tdx.md` §(a); Intel `sgx_quote_4.h`,
//! `sgx_quote_5.h`): the 384-byte SGX report body (enclave quotes and the QE report) and the
//! 584/648-byte TD report bodies. Integers are little-endian.

use super::qe_identity::SGX_QE_MRSIGNER;
use super::qe_identity::{
    SGX_QE_ISVPRODID, SGX_QE_ISVSVN, TD_QE_ISVPRODID, TD_QE_ISVSVN, TD_QE_MRSIGNER,
};
use super::tcb_info::DEFAULT_TEE_TCB_SVN;
use crate::pki::intel::sgx_ext::DEFAULT_COMP_SVNS;

/// Length of an SGX report body.
pub const SGX_REPORT_BODY_LEN: usize = 384;
/// Length of a TD 1.0 report body.
pub const TD10_REPORT_LEN: usize = 584;
/// Length of a TD 1.5 report body.
pub const TD15_REPORT_LEN: usize = 648;

/// TD attribute SEPT_VE_DISABLE (bit 28): set by default because dcap-qvl rejects TDs
/// without it.
pub const TD_ATTR_SEPT_VE_DISABLE: u64 = 1 << 28;
/// TD attribute DEBUG (bit 0).
pub const TD_ATTR_DEBUG: u64 = 1;

/// SGX attributes flag DEBUG (bit 1 of byte 0).
pub const SGX_ATTR_DEBUG: u8 = 0x02;

/// An SGX report body (`sgx_report_body_t`, 384 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SgxReportBody {
    /// cpusvn @0.
    pub cpusvn: [u8; 16],
    /// miscselect @16.
    pub miscselect: u32,
    /// reserved @20 (12 bytes, zero on real hardware).
    pub reserved1: [u8; 12],
    /// isvextprodid @32.
    pub isvextprodid: [u8; 16],
    /// attributes @48: flags (u64 LE) then XFRM (u64 LE).
    pub attributes: [u8; 16],
    /// mrenclave @64.
    pub mrenclave: [u8; 32],
    /// reserved @96.
    pub reserved2: [u8; 32],
    /// mrsigner @128.
    pub mrsigner: [u8; 32],
    /// reserved @160.
    pub reserved3: [u8; 32],
    /// configid @192.
    pub configid: [u8; 64],
    /// isvprodid @256.
    pub isvprodid: u16,
    /// isvsvn @258.
    pub isvsvn: u16,
    /// configsvn @260.
    pub configsvn: u16,
    /// reserved @262 (42 bytes).
    pub reserved4: [u8; 42],
    /// isvfamilyid @304.
    pub isvfamilyid: [u8; 16],
    /// reportdata @320.
    pub reportdata: [u8; 64],
}

impl SgxReportBody {
    /// An all-zero body.
    pub fn zeroed() -> Self {
        Self {
            cpusvn: [0; 16],
            miscselect: 0,
            reserved1: [0; 12],
            isvextprodid: [0; 16],
            attributes: [0; 16],
            mrenclave: [0; 32],
            reserved2: [0; 32],
            mrsigner: [0; 32],
            reserved3: [0; 32],
            configid: [0; 64],
            isvprodid: 0,
            isvsvn: 0,
            configsvn: 0,
            reserved4: [0; 42],
            isvfamilyid: [0; 16],
            reportdata: [0; 64],
        }
    }

    /// The QE report of Intel's TD quoting enclave: CPUSVN = the default PCK TCB,
    /// attributes `15…` (INIT|MODE64BIT|PROVISIONKEY, XFRM E7, as real TD-QE reports),
    /// MRSIGNER/ISVPRODID/ISVSVN of the default TD_QE identity. `reportdata` is filled in
    /// by the quote builder.
    pub fn td_qe() -> Self {
        Self {
            cpusvn: DEFAULT_COMP_SVNS,
            attributes: attributes(0x15, 0xE7),
            mrenclave: [0x9E; 32],
            mrsigner: TD_QE_MRSIGNER,
            isvprodid: TD_QE_ISVPRODID,
            isvsvn: TD_QE_ISVSVN,
            ..Self::zeroed()
        }
    }

    /// The QE report of Intel's SGX quoting enclave (ISVPRODID 1, ISVSVN [`SGX_QE_ISVSVN`]).
    pub fn sgx_qe() -> Self {
        Self {
            mrenclave: [0x5E; 32],
            mrsigner: SGX_QE_MRSIGNER,
            isvprodid: SGX_QE_ISVPRODID,
            isvsvn: SGX_QE_ISVSVN,
            ..Self::td_qe()
        }
    }

    /// An application enclave's report for SGX quotes: production mode (no DEBUG),
    /// distinct fills per field, report data `0xAA…`.
    pub fn enclave() -> Self {
        Self {
            cpusvn: DEFAULT_COMP_SVNS,
            attributes: attributes(0x05, 0xE7),
            mrenclave: [0x44; 32],
            mrsigner: [0x55; 32],
            isvprodid: 1,
            isvsvn: 1,
            reportdata: [0xAA; 64],
            ..Self::zeroed()
        }
    }

    /// The 384 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let out = [
            &self.cpusvn[..],
            &self.miscselect.to_le_bytes(),
            &self.reserved1,
            &self.isvextprodid,
            &self.attributes,
            &self.mrenclave,
            &self.reserved2,
            &self.mrsigner,
            &self.reserved3,
            &self.configid,
            &self.isvprodid.to_le_bytes(),
            &self.isvsvn.to_le_bytes(),
            &self.configsvn.to_le_bytes(),
            &self.reserved4,
            &self.isvfamilyid,
            &self.reportdata,
        ]
        .concat();
        debug_assert_eq!(out.len(), SGX_REPORT_BODY_LEN);
        out
    }
}

/// SGX attributes: flags byte 0 and XFRM byte 0, the rest zero.
fn attributes(flags: u8, xfrm: u8) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[0] = flags;
    a[8] = xfrm;
    a
}

/// A TD 1.0 report body (`sgx_report2_body_t`, 584 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TdReport10 {
    /// TEE_TCB_SVN @0.
    pub tee_tcb_svn: [u8; 16],
    /// MRSEAM @16.
    pub mr_seam: [u8; 48],
    /// MRSIGNERSEAM @64 (all zero for Intel's module).
    pub mr_signer_seam: [u8; 48],
    /// SEAMATTRIBUTES @112 (u64 LE; must be zero).
    pub seam_attributes: u64,
    /// TDATTRIBUTES @120 (u64 LE).
    pub td_attributes: u64,
    /// XFAM @128 (u64 LE).
    pub xfam: u64,
    /// MRTD @136.
    pub mr_td: [u8; 48],
    /// MRCONFIGID @184.
    pub mr_config_id: [u8; 48],
    /// MROWNER @232.
    pub mr_owner: [u8; 48],
    /// MROWNERCONFIG @280.
    pub mr_owner_config: [u8; 48],
    /// RTMR0..3 @328, 376, 424, 472.
    pub rtmr: [[u8; 48]; 4],
    /// REPORTDATA @520.
    pub report_data: [u8; 64],
}

impl TdReport10 {
    /// A production TD: [`DEFAULT_TEE_TCB_SVN`], Intel's all-zero MRSIGNERSEAM and
    /// SEAMATTRIBUTES, TDATTRIBUTES = SEPT_VE_DISABLE only, a real XFAM (`0x606E7`), distinct
    /// fills for the measurements and REPORTDATA `0xAA…`.
    pub fn production() -> Self {
        Self {
            tee_tcb_svn: DEFAULT_TEE_TCB_SVN,
            mr_seam: [0x5E; 48],
            mr_signer_seam: [0; 48],
            seam_attributes: 0,
            td_attributes: TD_ATTR_SEPT_VE_DISABLE,
            xfam: 0x0006_02E7,
            mr_td: [0x11; 48],
            mr_config_id: [0; 48],
            mr_owner: [0; 48],
            mr_owner_config: [0; 48],
            rtmr: [[0x20; 48], [0x21; 48], [0x22; 48], [0x23; 48]],
            report_data: [0xAA; 64],
        }
    }

    /// The 584 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let out = [
            &self.tee_tcb_svn[..],
            &self.mr_seam,
            &self.mr_signer_seam,
            &self.seam_attributes.to_le_bytes(),
            &self.td_attributes.to_le_bytes(),
            &self.xfam.to_le_bytes(),
            &self.mr_td,
            &self.mr_config_id,
            &self.mr_owner,
            &self.mr_owner_config,
            &self.rtmr.concat(),
            &self.report_data,
        ]
        .concat();
        debug_assert_eq!(out.len(), TD10_REPORT_LEN);
        out
    }
}

/// A TD 1.5 report body (648 bytes): TD 1.0 then TEE_TCB_SVN2 and MRSERVICETD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TdReport15 {
    /// The TD 1.0 fields.
    pub base: TdReport10,
    /// TEE_TCB_SVN2 @584 (the current SVNs after a TD-preserving update).
    pub tee_tcb_svn2: [u8; 16],
    /// MRSERVICETD @600 (zero when no service TD is bound; dcap-qvl rejects non-zero).
    pub mr_service_td: [u8; 48],
}

impl TdReport15 {
    /// [`TdReport10::production`] with TEE_TCB_SVN2 = TEE_TCB_SVN and no service TD.
    pub fn production() -> Self {
        let base = TdReport10::production();
        Self {
            tee_tcb_svn2: base.tee_tcb_svn,
            mr_service_td: [0; 48],
            base,
        }
    }

    /// The 648 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        [
            &self.base.to_bytes()[..],
            &self.tee_tcb_svn2,
            &self.mr_service_td,
        ]
        .concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_offsets() {
        let mut sgx = SgxReportBody::zeroed();
        sgx.isvprodid = 0x0102;
        sgx.isvsvn = 0x0304;
        sgx.reportdata[0] = 0xFF;
        let b = sgx.to_bytes();
        assert_eq!(b.len(), SGX_REPORT_BODY_LEN);
        assert_eq!(&b[256..260], &[0x02, 0x01, 0x04, 0x03]);
        assert_eq!(b[320], 0xFF);

        let td = TdReport10::production();
        let b = td.to_bytes();
        assert_eq!(b.len(), TD10_REPORT_LEN);
        // TDATTRIBUTES little-endian at 120: SEPT_VE_DISABLE is byte 3, 0x10 (as real quotes).
        assert_eq!(&b[120..128], &[0, 0, 0, 0x10, 0, 0, 0, 0]);
        assert_eq!(&b[128..136], &[0xE7, 0x02, 0x06, 0, 0, 0, 0, 0]);
        assert_eq!(&b[520..584], &[0xAA; 64]);
        let td15 = TdReport15::production().to_bytes();
        assert_eq!(td15.len(), TD15_REPORT_LEN);
        assert_eq!(&td15[584..600], &DEFAULT_TEE_TCB_SVN);
    }
}
