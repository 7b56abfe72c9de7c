//! [`QeIdentitySpec`]: an Intel PCS enclave identity (`GET /tdx/certification/v4/qe/identity`
//! for the TD-QE, `/sgx/certification/v4/qe/identity` for the SGX QE), version 2, in the
//! field order of the real responses.

use super::json::{array, Object, SignedJson};
use super::tcb_info::{ModuleTcbLevel, DEFAULT_TCB_DATE, DEFAULT_TCB_EVALUATION_DATA_NUMBER};
use crate::pki::intel::{IntelPki, COLLATERAL_ISSUE_DATE, COLLATERAL_NEXT_UPDATE};
use crate::pki::time::rfc3339;

/// MRSIGNER of Intel's TD quoting enclave (the real value).
pub const TD_QE_MRSIGNER: [u8; 32] = [
    0xDC, 0x9E, 0x2A, 0x7C, 0x6F, 0x94, 0x8F, 0x17, 0x47, 0x4E, 0x34, 0xA7, 0xFC, 0x43, 0xED, 0x03,
    0x0F, 0x7C, 0x15, 0x63, 0xF1, 0xBA, 0xBD, 0xDF, 0x63, 0x40, 0xC8, 0x2E, 0x0E, 0x54, 0xA8, 0xC5,
];
/// ISVPRODID of the TD-QE.
pub const TD_QE_ISVPRODID: u16 = 2;
/// ISVSVN of the default TD-QE report (the UpToDate level of the default identity).
pub const TD_QE_ISVSVN: u16 = 4;

/// MRSIGNER of Intel's SGX quoting enclave (the real value).
pub const SGX_QE_MRSIGNER: [u8; 32] = [
    0x8C, 0x4F, 0x57, 0x75, 0xD7, 0x96, 0x50, 0x3E, 0x96, 0x13, 0x7F, 0x77, 0xC6, 0x8A, 0x82, 0x9A,
    0x00, 0x56, 0xAC, 0x8D, 0xED, 0x70, 0x14, 0x0B, 0x08, 0x1B, 0x09, 0x44, 0x90, 0xC5, 0x7B, 0xFF,
];
/// ISVPRODID of the SGX QE.
pub const SGX_QE_ISVPRODID: u16 = 1;
/// ISVSVN of the default SGX QE report (the UpToDate level of the default identity).
pub const SGX_QE_ISVSVN: u16 = 8;

/// A QE Identity before signing. Byte fields are hex strings so tests can write bad ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QeIdentitySpec {
    /// id (`TD_QE`, `QE`, `QVE`).
    pub id: String,
    /// version.
    pub version: u32,
    /// issueDate.
    pub issue_date: String,
    /// nextUpdate.
    pub next_update: String,
    /// tcbEvaluationDataNumber.
    pub tcb_evaluation_data_number: u32,
    /// miscselect (hex, 4 bytes).
    pub miscselect: String,
    /// miscselectMask (hex, 4 bytes).
    pub miscselect_mask: String,
    /// attributes (hex, 16 bytes).
    pub attributes: String,
    /// attributesMask (hex, 16 bytes).
    pub attributes_mask: String,
    /// mrsigner (hex, 32 bytes).
    pub mrsigner: String,
    /// isvprodid.
    pub isvprodid: u16,
    /// tcbLevels (same shape as a TDX module identity's levels: `tcb.isvsvn`).
    pub tcb_levels: Vec<ModuleTcbLevel>,
    /// Extra `(key, raw JSON value)` fields appended to the object.
    pub extra_fields: Vec<(String, String)>,
}

impl QeIdentitySpec {
    /// The TD-QE identity: Intel's MRSIGNER, ISVPRODID 2, attributes `11…` under mask
    /// `FBFFFFFFFFFFFFFF0000…`, one level ISVSVN [`TD_QE_ISVSVN`] UpToDate (as every real
    /// snapshot 2023–2026), dated like the default TCB Info.
    pub fn tdx_default() -> Self {
        Self {
            id: "TD_QE".to_owned(),
            version: 2,
            issue_date: rfc3339(COLLATERAL_ISSUE_DATE),
            next_update: rfc3339(COLLATERAL_NEXT_UPDATE),
            tcb_evaluation_data_number: DEFAULT_TCB_EVALUATION_DATA_NUMBER,
            miscselect: "00000000".to_owned(),
            miscselect_mask: "FFFFFFFF".to_owned(),
            attributes: format!("11{}", "00".repeat(15)),
            attributes_mask: format!("FBFFFFFFFFFFFFFF{}", "00".repeat(8)),
            mrsigner: hex::encode_upper(TD_QE_MRSIGNER),
            isvprodid: TD_QE_ISVPRODID,
            tcb_levels: vec![ModuleTcbLevel::new(
                TD_QE_ISVSVN,
                DEFAULT_TCB_DATE,
                "UpToDate",
            )],
            extra_fields: Vec::new(),
        }
    }

    /// The SGX QE identity: Intel's MRSIGNER, ISVPRODID 1, levels ISVSVN
    /// [`SGX_QE_ISVSVN`] UpToDate and 6 OutOfDate (with an advisory).
    pub fn sgx_default() -> Self {
        let mut older = ModuleTcbLevel::new(6, "2021-11-10T00:00:00Z", "OutOfDate");
        older.advisory_ids = Some(vec!["INTEL-SA-00615".to_owned()]);
        Self {
            id: "QE".to_owned(),
            mrsigner: hex::encode_upper(SGX_QE_MRSIGNER),
            isvprodid: SGX_QE_ISVPRODID,
            tcb_levels: vec![
                ModuleTcbLevel::new(SGX_QE_ISVSVN, DEFAULT_TCB_DATE, "UpToDate"),
                older,
            ],
            ..Self::tdx_default()
        }
    }

    /// The compact `enclaveIdentity` object: the exact bytes that are signed.
    pub fn to_json(&self) -> String {
        Object::new()
            .str("id", &self.id)
            .num("version", self.version)
            .str("issueDate", &self.issue_date)
            .str("nextUpdate", &self.next_update)
            .num("tcbEvaluationDataNumber", self.tcb_evaluation_data_number)
            .str("miscselect", &self.miscselect)
            .str("miscselectMask", &self.miscselect_mask)
            .str("attributes", &self.attributes)
            .str("attributesMask", &self.attributes_mask)
            .str("mrsigner", &self.mrsigner)
            .num("isvprodid", self.isvprodid)
            .raw(
                "tcbLevels",
                array(self.tcb_levels.iter().map(ModuleTcbLevel::to_json)),
            )
            .extra(&self.extra_fields)
            .finish()
    }

    /// Signs [`QeIdentitySpec::to_json`] with the TCB Signing key of `pki`.
    pub fn signed(&self, pki: &IntelPki) -> SignedJson {
        SignedJson::sign(pki, "enclaveIdentity", self.to_json())
    }

    /// The PCS body `{"enclaveIdentity":{...},"signature":"..."}`.
    pub fn body(&self, pki: &IntelPki) -> Vec<u8> {
        self.signed(pki).body()
    }

    /// Changes the spec in place and returns it.
    pub fn with(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn td_qe_matches_the_real_shape() {
        let json = QeIdentitySpec::tdx_default().to_json();
        assert_eq!(
            json,
            "{\"id\":\"TD_QE\",\"version\":2,\"issueDate\":\"2024-05-20T00:00:00Z\",\
             \"nextUpdate\":\"2024-06-19T00:00:00Z\",\"tcbEvaluationDataNumber\":17,\
             \"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\",\
             \"attributes\":\"11000000000000000000000000000000\",\
             \"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\",\
             \"mrsigner\":\"DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5\",\
             \"isvprodid\":2,\"tcbLevels\":[{\"tcb\":{\"isvsvn\":4},\
             \"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}]}"
        );
    }
}
