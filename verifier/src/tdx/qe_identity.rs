//! Intel QE Identity (enclave identity version 2): who the quoting enclave must be, and
//! the status of each QE ISVSVN, as PCS serves it from `/sgx|tdx/certification/v4/qe/identity`.

use serde::Deserialize;

use super::json::{date, envelope, envelope_of, hex_array, json_error};
use super::signed::Signed;
use super::status::TcbStatus;
use crate::error::{Error, Unsupported};

const WHAT: &str = "QE Identity";

/// One QE TCB level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QeTcbLevel {
    /// Minimum ISVSVN.
    pub isv_svn: u16,
    /// tcbDate.
    pub tcb_date: u64,
    /// tcbStatus.
    pub status: TcbStatus,
    /// advisoryIDs.
    pub advisory_ids: Vec<String>,
}

/// A parsed enclave identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QeIdentity {
    /// `QE` (SGX), `TD_QE` (TDX), `QVE`, `QAE`.
    pub id: String,
    /// Version (2).
    pub version: u32,
    /// issueDate.
    pub issue_date: u64,
    /// nextUpdate.
    pub next_update: u64,
    /// tcbEvaluationDataNumber.
    pub tcb_evaluation_data_number: u32,
    /// Expected MISCSELECT (under the mask).
    pub miscselect: u32,
    /// MISCSELECT mask.
    pub miscselect_mask: u32,
    /// Expected ATTRIBUTES (under the mask).
    pub attributes: [u8; 16],
    /// ATTRIBUTES mask.
    pub attributes_mask: [u8; 16],
    /// Expected MRSIGNER.
    pub mrsigner: [u8; 32],
    /// Expected ISVPRODID.
    pub isv_prod_id: u16,
    /// TCB levels, highest ISVSVN first.
    pub tcb_levels: Vec<QeTcbLevel>,
}

impl Signed<QeIdentity> {
    /// Parses the PCS response body `{"enclaveIdentity": {...}, "signature": "..."}`.
    ///
    /// # Errors
    /// [`Error::Parse`] for malformed JSON or fields; [`Error::Unsupported`] for versions
    /// other than 2.
    pub fn from_pcs_body(bytes: &[u8]) -> Result<Self, Error> {
        let (signed, signature) = envelope(bytes, "enclaveIdentity", WHAT)?;
        Self::from_parts(signed, signature)
    }

    /// [`Self::from_pcs_body`] over a body whose top level was already read.
    pub(crate) fn from_pcs_members(members: &crate::json::Members<'_>) -> Result<Self, Error> {
        let (signed, signature) = envelope_of(members, "enclaveIdentity", WHAT)?;
        Self::from_parts(signed, signature)
    }

    /// From the signed `enclaveIdentity` object's bytes and its signature.
    ///
    /// # Errors
    /// As [`Self::from_pcs_body`].
    pub fn from_parts(signed: &[u8], signature: [u8; 64]) -> Result<Self, Error> {
        Ok(Self::new(QeIdentity::parse(signed)?, signed, signature))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawIdentity {
    id: String,
    version: u32,
    issue_date: String,
    next_update: String,
    tcb_evaluation_data_number: Option<u32>,
    miscselect: String,
    miscselect_mask: String,
    attributes: String,
    attributes_mask: String,
    mrsigner: String,
    isvprodid: u16,
    tcb_levels: Vec<RawLevel>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLevel {
    tcb: RawIsvSvn,
    tcb_date: String,
    tcb_status: String,
    #[serde(rename = "advisoryIDs")]
    advisory_ids: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawIsvSvn {
    isvsvn: u16,
}

impl QeIdentity {
    /// Parses the `enclaveIdentity` object.
    ///
    /// # Errors
    /// As [`Signed::<QeIdentity>::from_pcs_body`].
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let raw: RawIdentity =
            serde_json::from_slice(bytes).map_err(|e| json_error(WHAT, e.to_string()))?;
        if raw.version != 2 {
            return Err(Unsupported::CollateralVersion {
                what: WHAT,
                detail: format!("version {} (supported: 2)", raw.version),
            }
            .into());
        }
        let mut tcb_levels = Vec::with_capacity(raw.tcb_levels.len());
        for level in raw.tcb_levels {
            let Some(
                status @ (TcbStatus::UpToDate
                | TcbStatus::OutOfDate
                | TcbStatus::Revoked
                | TcbStatus::ConfigurationNeeded
                | TcbStatus::OutOfDateConfigurationNeeded),
            ) = TcbStatus::from_collateral(&level.tcb_status)
            else {
                return Err(json_error(
                    WHAT,
                    format!("tcbStatus {:?} is not a QE status", level.tcb_status),
                ));
            };
            tcb_levels.push(QeTcbLevel {
                isv_svn: level.tcb.isvsvn,
                tcb_date: date(&level.tcb_date, "tcbDate", WHAT)?,
                status,
                advisory_ids: level.advisory_ids.unwrap_or_default(),
            });
        }
        if tcb_levels.is_empty() {
            return Err(json_error(WHAT, "no tcbLevels"));
        }
        tcb_levels.sort_by_key(|l| core::cmp::Reverse(l.isv_svn));
        Ok(Self {
            id: raw.id,
            version: raw.version,
            issue_date: date(&raw.issue_date, "issueDate", WHAT)?,
            next_update: date(&raw.next_update, "nextUpdate", WHAT)?,
            tcb_evaluation_data_number: raw.tcb_evaluation_data_number.unwrap_or(0),
            // The masks and values are written as big-endian hex numbers.
            miscselect: u32::from_be_bytes(hex_array(&raw.miscselect, "miscselect", WHAT)?),
            miscselect_mask: u32::from_be_bytes(hex_array(
                &raw.miscselect_mask,
                "miscselectMask",
                WHAT,
            )?),
            attributes: hex_array(&raw.attributes, "attributes", WHAT)?,
            attributes_mask: hex_array(&raw.attributes_mask, "attributesMask", WHAT)?,
            mrsigner: hex_array(&raw.mrsigner, "mrsigner", WHAT)?,
            isv_prod_id: raw.isvprodid,
            tcb_levels,
        })
    }
}
