//! [`TcbInfoSpec`]: an Intel PCS TCB Info (`GET /{sgx,tdx}/certification/v4/tcb`), v3 for
//! TDX and SGX, v2 for SGX, written in the field order of the real responses.
//!
//! Every field is plain data: statuses and dates are strings (tests write invalid ones),
//! levels and components are `Vec`s (tests write 15 components or duplicate levels).

use super::json::{array, Object, SignedJson};
use crate::pki::intel::sgx_ext::{
    DEFAULT_COMP_SVNS, DEFAULT_FMSPC, DEFAULT_PCESVN, DEFAULT_PCE_ID,
};
use crate::pki::intel::{IntelPki, COLLATERAL_ISSUE_DATE, COLLATERAL_NEXT_UPDATE};
use crate::pki::time::rfc3339;

/// The default TEE_TCB_SVN of TDX quotes: TDX module SVN 5, module major version 1 (so
/// Intel's rule judges bytes 0–1 by the `TDX_01` module identity), late-microcode SVN 2.
pub const DEFAULT_TEE_TCB_SVN: [u8; 16] = [5, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// The `tdxtcbcomponents` of the default UpToDate level: met by [`DEFAULT_TEE_TCB_SVN`] both
/// under Intel's rule (bytes 2..16) and when all 16 bytes are compared.
pub const DEFAULT_TDX_COMPONENTS: [u8; 16] = [5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// The default tcbEvaluationDataNumber of TCB Info and QE Identity.
pub const DEFAULT_TCB_EVALUATION_DATA_NUMBER: u32 = 17;

/// The tcbDate of the default UpToDate levels (platform, module and QE).
pub const DEFAULT_TCB_DATE: &str = "2024-03-13T00:00:00Z";

/// How a level's `tcb` object is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcbShape {
    /// v3: `{"sgxtcbcomponents":[{"svn":..}..],"pcesvn":..,"tdxtcbcomponents":[..]?}`.
    V3,
    /// v2: `{"sgxtcbcomp01svn":..,..,"sgxtcbcomp16svn":..,"pcesvn":..}` (components'
    /// category and type, and TDX components, are not written).
    V2,
}

/// One TCB component: `{"svn":..,"category":..?,"type":..?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcbComponent {
    /// svn.
    pub svn: u16,
    /// category (e.g. `BIOS`, `OS/VMM`), omitted when `None`.
    pub category: Option<String>,
    /// The JSON `type` (e.g. `TDX Module`), omitted when `None`.
    pub kind: Option<String>,
}

impl TcbComponent {
    /// A component with only an SVN.
    pub fn svn(svn: u16) -> Self {
        Self {
            svn,
            category: None,
            kind: None,
        }
    }

    fn described(svn: u8, category: &str, kind: Option<&str>) -> Self {
        Self {
            svn: svn.into(),
            category: Some(category.to_owned()),
            kind: kind.map(str::to_owned),
        }
    }

    fn to_json(&self) -> String {
        Object::new()
            .num("svn", self.svn)
            .opt_str("category", self.category.as_deref())
            .opt_str("type", self.kind.as_deref())
            .finish()
    }
}

/// The 16 SGX components with the categories and types Intel writes in TDX TCB Info.
pub fn sgx_components(svns: [u8; 16]) -> Vec<TcbComponent> {
    (0..)
        .zip(svns)
        .map(|(i, svn)| match i {
            0 => TcbComponent::described(svn, "BIOS", Some("Early Microcode Update")),
            1 => TcbComponent::described(svn, "OS/VMM", Some("SGX Late Microcode Update")),
            2 => TcbComponent::described(svn, "OS/VMM", Some("TXT SINIT")),
            3..=5 => TcbComponent::described(svn, "BIOS", None),
            7 => TcbComponent::described(svn, "OS/VMM", Some("SEAMLDR ACM")),
            _ => TcbComponent::svn(svn.into()),
        })
        .collect()
}

/// The 16 TDX components with Intel's categories and types (bytes 0–1 the TDX module,
/// byte 2 the late microcode update).
pub fn tdx_components(svns: [u8; 16]) -> Vec<TcbComponent> {
    (0..)
        .zip(svns)
        .map(|(i, svn)| match i {
            0 | 1 => TcbComponent::described(svn, "OS/VMM", Some("TDX Module")),
            2 => TcbComponent::described(svn, "OS/VMM", Some("TDX Late Microcode Update")),
            _ => TcbComponent::svn(svn.into()),
        })
        .collect()
}

/// One platform TCB level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcbLevel {
    /// `tcb.sgxtcbcomponents` (v3) or `tcb.sgxtcbcompNNsvn` (v2).
    pub sgx_components: Vec<TcbComponent>,
    /// `tcb.pcesvn`.
    pub pcesvn: u16,
    /// `tcb.tdxtcbcomponents`, omitted when `None` (SGX).
    pub tdx_components: Option<Vec<TcbComponent>>,
    /// tcbDate.
    pub tcb_date: String,
    /// tcbStatus (any text).
    pub tcb_status: String,
    /// advisoryIDs, omitted when `None`.
    pub advisory_ids: Option<Vec<String>>,
}

impl TcbLevel {
    /// A level with described components (TDX components when `tdx` is `Some`).
    pub fn new(
        sgx: [u8; 16],
        pcesvn: u16,
        tdx: Option<[u8; 16]>,
        date: &str,
        status: &str,
    ) -> Self {
        Self {
            sgx_components: sgx_components(sgx),
            pcesvn,
            tdx_components: tdx.map(tdx_components),
            tcb_date: date.to_owned(),
            tcb_status: status.to_owned(),
            advisory_ids: None,
        }
    }

    /// With these advisory IDs.
    pub fn with_advisories(mut self, ids: &[&str]) -> Self {
        self.advisory_ids = Some(ids.iter().map(|s| (*s).to_owned()).collect());
        self
    }

    fn to_json(&self, shape: TcbShape) -> String {
        let tcb = match shape {
            TcbShape::V3 => {
                let tcb = Object::new()
                    .raw(
                        "sgxtcbcomponents",
                        array(self.sgx_components.iter().map(TcbComponent::to_json)),
                    )
                    .num("pcesvn", self.pcesvn);
                match &self.tdx_components {
                    Some(tdx) => tcb.raw(
                        "tdxtcbcomponents",
                        array(tdx.iter().map(TcbComponent::to_json)),
                    ),
                    None => tcb,
                }
            }
            TcbShape::V2 => (1..)
                .zip(&self.sgx_components)
                .fold(Object::new(), |o, (i, c)| {
                    o.num(&format!("sgxtcbcomp{i:02}svn"), c.svn)
                })
                .num("pcesvn", self.pcesvn),
        };
        Object::new()
            .raw("tcb", tcb.finish())
            .str("tcbDate", &self.tcb_date)
            .str("tcbStatus", &self.tcb_status)
            .opt_strs("advisoryIDs", self.advisory_ids.as_deref())
            .finish()
    }
}

/// `tdxModule`: the expected SEAM module signer and attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TdxModule {
    /// mrsigner (hex, 48 bytes).
    pub mrsigner: String,
    /// attributes (hex, 8 bytes).
    pub attributes: String,
    /// attributesMask (hex, 8 bytes).
    pub attributes_mask: String,
}

impl TdxModule {
    /// Intel's values: an all-zero MRSIGNERSEAM and SEAMATTRIBUTES, full mask.
    pub fn intel() -> Self {
        Self {
            mrsigner: "00".repeat(48),
            attributes: "0000000000000000".to_owned(),
            attributes_mask: "FFFFFFFFFFFFFFFF".to_owned(),
        }
    }

    fn fields(&self, o: Object) -> Object {
        o.str("mrsigner", &self.mrsigner)
            .str("attributes", &self.attributes)
            .str("attributesMask", &self.attributes_mask)
    }
}

/// One level of a TDX module identity: `{"tcb":{"isvsvn":..},"tcbDate":..,"tcbStatus":..}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleTcbLevel {
    /// tcb.isvsvn (compared with TEE_TCB_SVN byte 0).
    pub isvsvn: u16,
    /// tcbDate.
    pub tcb_date: String,
    /// tcbStatus (any text).
    pub tcb_status: String,
    /// advisoryIDs, omitted when `None`.
    pub advisory_ids: Option<Vec<String>>,
}

impl ModuleTcbLevel {
    /// A level without advisories.
    pub fn new(isvsvn: u16, date: &str, status: &str) -> Self {
        Self {
            isvsvn,
            tcb_date: date.to_owned(),
            tcb_status: status.to_owned(),
            advisory_ids: None,
        }
    }

    pub(crate) fn to_json(&self) -> String {
        Object::new()
            .raw("tcb", Object::new().num("isvsvn", self.isvsvn).finish())
            .str("tcbDate", &self.tcb_date)
            .str("tcbStatus", &self.tcb_status)
            .opt_strs("advisoryIDs", self.advisory_ids.as_deref())
            .finish()
    }
}

/// One entry of `tdxModuleIdentities` (`id` is `TDX_%02X` of TEE_TCB_SVN byte 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TdxModuleIdentity {
    /// id, e.g. `TDX_01`.
    pub id: String,
    /// mrsigner, attributes and mask.
    pub module: TdxModule,
    /// tcbLevels.
    pub tcb_levels: Vec<ModuleTcbLevel>,
}

/// A TCB Info before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcbInfoSpec {
    /// id (`TDX`, `SGX`); omitted when `None` (v2).
    pub id: Option<String>,
    /// version.
    pub version: u32,
    /// issueDate.
    pub issue_date: String,
    /// nextUpdate.
    pub next_update: String,
    /// fmspc (hex; PCS writes upper or lower case).
    pub fmspc: String,
    /// pceId (hex).
    pub pce_id: String,
    /// tcbType.
    pub tcb_type: u32,
    /// tcbEvaluationDataNumber.
    pub tcb_evaluation_data_number: u32,
    /// tdxModule, omitted when `None`.
    pub tdx_module: Option<TdxModule>,
    /// tdxModuleIdentities, omitted when `None`.
    pub tdx_module_identities: Option<Vec<TdxModuleIdentity>>,
    /// tcbLevels, written in this order (Intel's is highest first).
    pub tcb_levels: Vec<TcbLevel>,
    /// How levels' `tcb` objects are written.
    pub shape: TcbShape,
    /// Extra `(key, raw JSON value)` fields appended to the object (unknown-field cases).
    pub extra_fields: Vec<(String, String)>,
}

impl TcbInfoSpec {
    /// TDX TCB Info v3 matching the default PCK certificate and TDX quotes: FMSPC
    /// [`DEFAULT_FMSPC`], pceId 0000, two levels (UpToDate at the default PCK TCB with
    /// [`DEFAULT_TDX_COMPONENTS`]; OutOfDate below it with two advisories), module
    /// identities `TDX_01` (isvsvn 5 UpToDate, 3 OutOfDate) and `TDX_03`, dated
    /// [`COLLATERAL_ISSUE_DATE`] to [`COLLATERAL_NEXT_UPDATE`].
    pub fn tdx_default() -> Self {
        let older = "2023-08-09T00:00:00Z";
        let identity = |id: &str, levels| TdxModuleIdentity {
            id: id.to_owned(),
            module: TdxModule::intel(),
            tcb_levels: levels,
        };
        Self {
            id: Some("TDX".to_owned()),
            tdx_module: Some(TdxModule::intel()),
            tdx_module_identities: Some(vec![
                identity(
                    "TDX_01",
                    vec![
                        ModuleTcbLevel::new(5, DEFAULT_TCB_DATE, "UpToDate"),
                        ModuleTcbLevel::new(3, older, "OutOfDate"),
                    ],
                ),
                identity(
                    "TDX_03",
                    vec![ModuleTcbLevel::new(3, DEFAULT_TCB_DATE, "UpToDate")],
                ),
            ]),
            tcb_levels: vec![
                TcbLevel::new(
                    DEFAULT_COMP_SVNS,
                    DEFAULT_PCESVN,
                    Some(DEFAULT_TDX_COMPONENTS),
                    DEFAULT_TCB_DATE,
                    "UpToDate",
                ),
                TcbLevel::new(
                    OLDER_COMP_SVNS,
                    11,
                    Some(OLDER_TDX_COMPONENTS),
                    older,
                    "OutOfDate",
                )
                .with_advisories(&["INTEL-SA-00837", "INTEL-SA-00960"]),
            ],
            ..Self::sgx_default()
        }
    }

    /// SGX TCB Info v3 for the default PCK certificate: same FMSPC, levels without TDX
    /// components (UpToDate at the PCK TCB; OutOfDate below it).
    pub fn sgx_default() -> Self {
        Self {
            id: Some("SGX".to_owned()),
            version: 3,
            issue_date: rfc3339(COLLATERAL_ISSUE_DATE),
            next_update: rfc3339(COLLATERAL_NEXT_UPDATE),
            fmspc: hex::encode_upper(DEFAULT_FMSPC),
            pce_id: hex::encode_upper(DEFAULT_PCE_ID),
            tcb_type: 0,
            tcb_evaluation_data_number: DEFAULT_TCB_EVALUATION_DATA_NUMBER,
            tdx_module: None,
            tdx_module_identities: None,
            tcb_levels: vec![
                TcbLevel::new(
                    DEFAULT_COMP_SVNS,
                    DEFAULT_PCESVN,
                    None,
                    DEFAULT_TCB_DATE,
                    "UpToDate",
                ),
                TcbLevel::new(
                    OLDER_COMP_SVNS,
                    11,
                    None,
                    "2023-08-09T00:00:00Z",
                    "OutOfDate",
                )
                .with_advisories(&["INTEL-SA-00837", "INTEL-SA-00960"]),
            ],
            shape: TcbShape::V3,
            extra_fields: Vec::new(),
        }
    }

    /// SGX TCB Info v2 (no `id`, flat `sgxtcbcompNNsvn` fields), same levels.
    pub fn sgx_v2_default() -> Self {
        Self {
            id: None,
            version: 2,
            shape: TcbShape::V2,
            ..Self::sgx_default()
        }
    }

    /// The compact `tcbInfo` object: the exact bytes that are signed.
    pub fn to_json(&self) -> String {
        let mut o = Object::new()
            .opt_str("id", self.id.as_deref())
            .num("version", self.version)
            .str("issueDate", &self.issue_date)
            .str("nextUpdate", &self.next_update)
            .str("fmspc", &self.fmspc)
            .str("pceId", &self.pce_id)
            .num("tcbType", self.tcb_type)
            .num("tcbEvaluationDataNumber", self.tcb_evaluation_data_number);
        if let Some(module) = &self.tdx_module {
            o = o.raw("tdxModule", module.fields(Object::new()).finish());
        }
        if let Some(ids) = &self.tdx_module_identities {
            let ids = ids.iter().map(|id| {
                id.module
                    .fields(Object::new().str("id", &id.id))
                    .raw(
                        "tcbLevels",
                        array(id.tcb_levels.iter().map(ModuleTcbLevel::to_json)),
                    )
                    .finish()
            });
            o = o.raw("tdxModuleIdentities", array(ids));
        }
        o.raw(
            "tcbLevels",
            array(self.tcb_levels.iter().map(|l| l.to_json(self.shape))),
        )
        .extra(&self.extra_fields)
        .finish()
    }

    /// Signs [`TcbInfoSpec::to_json`] with the TCB Signing key of `pki`.
    pub fn signed(&self, pki: &IntelPki) -> SignedJson {
        SignedJson::sign(pki, "tcbInfo", self.to_json())
    }

    /// The PCS body `{"tcbInfo":{...},"signature":"..."}`.
    pub fn body(&self, pki: &IntelPki) -> Vec<u8> {
        self.signed(pki).body()
    }

    /// Changes the spec in place and returns it (for one-expression test cases).
    pub fn with(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

/// SGX components of the default OutOfDate level: below [`DEFAULT_COMP_SVNS`] in
/// components 0, 1, 4 and 7.
const OLDER_COMP_SVNS: [u8; 16] = [2, 2, 2, 2, 3, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0];
/// TDX components of the default OutOfDate level.
const OLDER_TDX_COMPONENTS: [u8; 16] = [3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tdx_default_has_the_real_field_order() {
        let json = TcbInfoSpec::tdx_default().to_json();
        let keys = [
            "\"id\":\"TDX\"",
            "\"version\":3",
            "\"issueDate\":\"2024-05-20T00:00:00Z\"",
            "\"nextUpdate\":\"2024-06-19T00:00:00Z\"",
            "\"fmspc\":\"90C06F000000\"",
            "\"pceId\":\"0000\"",
            "\"tcbType\":0",
            "\"tcbEvaluationDataNumber\":17",
            "\"tdxModule\":{\"mrsigner\":\"000000",
            "\"tdxModuleIdentities\":[{\"id\":\"TDX_01\"",
            "\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\":[{\"svn\":3,\"category\":\"BIOS\",\"type\":\"Early Microcode Update\"}",
        ];
        let mut at = 0;
        for key in keys {
            let found = json[at..]
                .find(key)
                .unwrap_or_else(|| panic!("{key} after {at} in {json}"));
            at += found;
        }
        assert!(json.contains(
            "\"pcesvn\":13,\"tdxtcbcomponents\":[{\"svn\":5,\"category\":\"OS/VMM\",\"type\":\"TDX Module\"}"
        ));
        assert!(json.contains("\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"));
        assert!(json.ends_with("\"advisoryIDs\":[\"INTEL-SA-00837\",\"INTEL-SA-00960\"]}]}"));
        serde_json::from_str::<serde_json::Value>(&json).expect("valid JSON");
    }

    #[test]
    fn v2_levels_are_flat() {
        let json = TcbInfoSpec::sgx_v2_default().to_json();
        assert!(json.starts_with("{\"version\":2,\"issueDate\""));
        assert!(json.contains(
            "{\"tcb\":{\"sgxtcbcomp01svn\":3,\"sgxtcbcomp02svn\":3,\"sgxtcbcomp03svn\":2,"
        ));
        assert!(json.contains("\"sgxtcbcomp16svn\":0,\"pcesvn\":13},\"tcbDate\""));
        assert!(!json.contains("tdxtcbcomponents") && !json.contains("\"id\""));
    }
}
