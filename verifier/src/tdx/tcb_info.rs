//! Intel TCB Info (version 3, id `SGX` or `TDX`): the TCB levels of one platform family
//! (FMSPC), each with a status, as Intel PCS serves them from `/sgx|tdx/certification/v4/tcb`.

use core::cmp::Ordering;

use serde::Deserialize;

use super::json::{components, date, envelope, envelope_of, hex_array, json_error, RawComponent};
use super::signed::Signed;
use super::status::TcbStatus;
use crate::error::{Error, Unsupported};

const WHAT: &str = "TCB Info";

/// Which TEE a TCB Info describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcbInfoId {
    /// `SGX`.
    Sgx,
    /// `TDX`.
    Tdx,
}

impl TcbInfoId {
    /// Intel's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sgx => "SGX",
            Self::Tdx => "TDX",
        }
    }
}

/// One platform TCB level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcbLevel {
    /// The 16 SGX component SVNs.
    pub sgx_components: [u8; 16],
    /// PCESVN.
    pub pce_svn: u16,
    /// The 16 TDX component SVNs (TDX TCB Info only).
    pub tdx_components: Option<[u8; 16]>,
    /// tcbDate.
    pub tcb_date: u64,
    /// tcbStatus.
    pub status: TcbStatus,
    /// advisoryIDs.
    pub advisory_ids: Vec<String>,
}

impl TcbLevel {
    /// Intel's ordering of levels, highest first: SGX components lexicographically,
    /// then PCESVN, then TDX components. JSON order is not trusted.
    fn order_key(&self) -> ([u8; 16], u16, [u8; 16]) {
        (
            self.sgx_components,
            self.pce_svn,
            self.tdx_components.unwrap_or([0; 16]),
        )
    }
}

/// The TDX module identity a TCB Info expects (`tdxModule`, or an entry of
/// `tdxModuleIdentities`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TdxModuleIdentity {
    /// `TDX_01`, … (empty for the base `tdxModule`).
    pub id: String,
    /// Expected MRSIGNERSEAM.
    pub mrsigner: [u8; 48],
    /// Expected SEAMATTRIBUTES.
    pub attributes: [u8; 8],
    /// Mask for SEAMATTRIBUTES.
    pub attributes_mask: [u8; 8],
    /// The module's TCB levels, highest ISVSVN first.
    pub tcb_levels: Vec<ModuleTcbLevel>,
}

/// One TDX module TCB level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleTcbLevel {
    /// Minimum module ISVSVN (TEE_TCB_SVN byte 0).
    pub isv_svn: u8,
    /// tcbDate.
    pub tcb_date: u64,
    /// tcbStatus.
    pub status: TcbStatus,
    /// advisoryIDs.
    pub advisory_ids: Vec<String>,
}

/// A parsed TCB Info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcbInfo {
    /// `SGX` or `TDX`.
    pub id: TcbInfoId,
    /// Version (3).
    pub version: u32,
    /// issueDate.
    pub issue_date: u64,
    /// nextUpdate.
    pub next_update: u64,
    /// FMSPC.
    pub fmspc: [u8; 6],
    /// PCE-ID.
    pub pce_id: [u8; 2],
    /// tcbType (0).
    pub tcb_type: u32,
    /// tcbEvaluationDataNumber.
    pub tcb_evaluation_data_number: u32,
    /// `tdxModule` (TDX only).
    pub tdx_module: Option<TdxModuleIdentity>,
    /// `tdxModuleIdentities` (TDX only; may be empty).
    pub tdx_module_identities: Vec<TdxModuleIdentity>,
    /// TCB levels, highest first in Intel's order.
    pub tcb_levels: Vec<TcbLevel>,
}

impl Signed<TcbInfo> {
    /// Parses the PCS response body `{"tcbInfo": {...}, "signature": "..."}`.
    ///
    /// # Errors
    /// [`Error::Parse`] for malformed JSON or fields; [`Error::Unsupported`] for versions
    /// other than 3 or an unknown tcbType.
    pub fn from_pcs_body(bytes: &[u8]) -> Result<Self, Error> {
        let (signed, signature) = envelope(bytes, "tcbInfo", WHAT)?;
        Self::from_parts(signed, signature)
    }

    /// [`Self::from_pcs_body`] over a body whose top level was already read.
    pub(crate) fn from_pcs_members(members: &crate::json::Members<'_>) -> Result<Self, Error> {
        let (signed, signature) = envelope_of(members, "tcbInfo", WHAT)?;
        Self::from_parts(signed, signature)
    }

    /// From the signed `tcbInfo` object's bytes and its signature.
    ///
    /// # Errors
    /// As [`Self::from_pcs_body`].
    pub fn from_parts(signed: &[u8], signature: [u8; 64]) -> Result<Self, Error> {
        Ok(Self::new(TcbInfo::parse(signed)?, signed, signature))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTcbInfo {
    id: Option<String>,
    version: u32,
    issue_date: String,
    next_update: String,
    fmspc: String,
    pce_id: String,
    tcb_type: Option<u32>,
    tcb_evaluation_data_number: Option<u32>,
    tdx_module: Option<RawModule>,
    tdx_module_identities: Option<Vec<RawModule>>,
    tcb_levels: Vec<RawLevel>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawModule {
    id: Option<String>,
    mrsigner: String,
    attributes: String,
    attributes_mask: String,
    tcb_levels: Option<Vec<RawModuleLevel>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawModuleLevel {
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLevel {
    tcb: RawTcb,
    tcb_date: String,
    tcb_status: String,
    #[serde(rename = "advisoryIDs")]
    advisory_ids: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawTcb {
    sgxtcbcomponents: Vec<RawComponent>,
    pcesvn: u16,
    tdxtcbcomponents: Option<Vec<RawComponent>>,
}

fn status(name: &str) -> Result<TcbStatus, Error> {
    TcbStatus::from_collateral(name)
        .ok_or_else(|| json_error(WHAT, format!("unknown tcbStatus {name:?}")))
}

impl TcbInfo {
    /// Parses the `tcbInfo` object.
    ///
    /// # Errors
    /// As [`Signed::<TcbInfo>::from_pcs_body`].
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let raw: RawTcbInfo =
            serde_json::from_slice(bytes).map_err(|e| json_error(WHAT, e.to_string()))?;
        if raw.version != 3 {
            return Err(Unsupported::CollateralVersion {
                what: WHAT,
                detail: format!("version {} (supported: 3)", raw.version),
            }
            .into());
        }
        let id = match raw.id.as_deref() {
            Some("SGX") => TcbInfoId::Sgx,
            Some("TDX") => TcbInfoId::Tdx,
            other => {
                return Err(Unsupported::CollateralVersion {
                    what: WHAT,
                    detail: format!("id {other:?} (supported: SGX, TDX)"),
                }
                .into())
            }
        };
        let tcb_type = raw.tcb_type.unwrap_or(0);
        if tcb_type != 0 {
            return Err(Unsupported::CollateralVersion {
                what: WHAT,
                detail: format!("tcbType {tcb_type} (supported: 0)"),
            }
            .into());
        }
        let is_tdx = id == TcbInfoId::Tdx;
        let tdx_module = match (raw.tdx_module, is_tdx) {
            (Some(m), true) => Some(module(m, false)?),
            (None, true) => return Err(json_error(WHAT, "id TDX needs a tdxModule")),
            (Some(_), false) => return Err(json_error(WHAT, "id SGX must not have a tdxModule")),
            (None, false) => None,
        };
        let identities = match raw.tdx_module_identities {
            Some(_) if !is_tdx => {
                return Err(json_error(WHAT, "id SGX must not have tdxModuleIdentities"))
            }
            Some(list) => list
                .into_iter()
                .map(|m| module(m, true))
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let mut levels = Vec::with_capacity(raw.tcb_levels.len());
        for level in raw.tcb_levels {
            let tdx_components = match (level.tcb.tdxtcbcomponents, is_tdx) {
                (Some(c), true) => Some(components(&c, "tdxtcbcomponents", WHAT)?),
                (None, true) => {
                    return Err(json_error(WHAT, "a TDX TCB level has no tdxtcbcomponents"))
                }
                (Some(_), false) => {
                    return Err(json_error(WHAT, "an SGX TCB level has tdxtcbcomponents"))
                }
                (None, false) => None,
            };
            levels.push(TcbLevel {
                sgx_components: components(&level.tcb.sgxtcbcomponents, "sgxtcbcomponents", WHAT)?,
                pce_svn: level.tcb.pcesvn,
                tdx_components,
                tcb_date: date(&level.tcb_date, "tcbDate", WHAT)?,
                status: status(&level.tcb_status)?,
                advisory_ids: level.advisory_ids.unwrap_or_default(),
            });
        }
        if levels.is_empty() {
            return Err(json_error(WHAT, "no tcbLevels"));
        }
        levels.sort_by_key(|l| core::cmp::Reverse(l.order_key()));
        if levels
            .windows(2)
            .any(|w| matches!(w, [a, b] if a.order_key().cmp(&b.order_key()) == Ordering::Equal))
        {
            return Err(json_error(WHAT, "two tcbLevels have the same TCB"));
        }
        Ok(Self {
            id,
            version: raw.version,
            issue_date: date(&raw.issue_date, "issueDate", WHAT)?,
            next_update: date(&raw.next_update, "nextUpdate", WHAT)?,
            fmspc: hex_array(&raw.fmspc, "fmspc", WHAT)?,
            pce_id: hex_array(&raw.pce_id, "pceId", WHAT)?,
            tcb_type,
            tcb_evaluation_data_number: raw.tcb_evaluation_data_number.unwrap_or(0),
            tdx_module,
            tdx_module_identities: identities,
            tcb_levels: levels,
        })
    }

    /// The module identity named `TDX_{version:02X}` (case-insensitive).
    pub fn module_identity(&self, version: u8) -> Option<&TdxModuleIdentity> {
        let id = format!("TDX_{version:02X}");
        self.tdx_module_identities
            .iter()
            .find(|m| m.id.eq_ignore_ascii_case(&id))
    }
}

fn module(raw: RawModule, with_levels: bool) -> Result<TdxModuleIdentity, Error> {
    let mut tcb_levels = Vec::new();
    if with_levels {
        for level in raw.tcb_levels.unwrap_or_default() {
            let isv_svn = u8::try_from(level.tcb.isvsvn)
                .map_err(|_| json_error(WHAT, "a TDX module isvsvn is above 255"))?;
            tcb_levels.push(ModuleTcbLevel {
                isv_svn,
                tcb_date: date(&level.tcb_date, "tcbDate", WHAT)?,
                status: status(&level.tcb_status)?,
                advisory_ids: level.advisory_ids.unwrap_or_default(),
            });
        }
        tcb_levels.sort_by_key(|l| core::cmp::Reverse(l.isv_svn));
    }
    Ok(TdxModuleIdentity {
        id: raw.id.unwrap_or_default(),
        mrsigner: hex_array(&raw.mrsigner, "tdxModule mrsigner", WHAT)?,
        attributes: hex_array(&raw.attributes, "tdxModule attributes", WHAT)?,
        attributes_mask: hex_array(&raw.attributes_mask, "tdxModule attributesMask", WHAT)?,
        tcb_levels,
    })
}
