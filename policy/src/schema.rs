//! The claim schema policies are checked against: the variables a rule may name and
//! their types, as `docs/claims.md` documents them (a test keeps the three — this table,
//! the page and the verifier's serialized claims — in agreement).
//!
//! Byte strings are hex `string`s and times are `timestamp`s; lists of structured records
//! (OCSP results, event-log entries, mismatches) are typed down to their fields so that a
//! misspelt field is a load error there too.

use crate::cel::{Object, Type};

/// What a section of a policy appraises, and so which variables hold its claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// An AMD SEV-SNP report: variable `snp`.
    Snp,
    /// An Intel TDX quote: variable `tdx`.
    Tdx,
    /// An Intel SGX quote: variable `sgx`.
    Sgx,
    /// An Azure confidential VM on SEV-SNP (vTPM evidence): variables `snp` (the
    /// hardware report inside the HCL report), `azure` and `tpm`.
    AzureSnp,
    /// An Azure confidential VM on TDX (vTPM evidence): variables `tdx` (the TD quote),
    /// `azure` and `tpm`.
    AzureTdx,
    /// One NVIDIA GPU (each GPU of the evidence in turn): variable `gpu`.
    Gpu,
}

impl Section {
    /// Every section, in the order a policy file lists them.
    pub const ALL: [Self; 6] = [
        Self::Snp,
        Self::Tdx,
        Self::Sgx,
        Self::AzureSnp,
        Self::AzureTdx,
        Self::Gpu,
    ];

    /// The section's key in a policy file (for the single-report kinds, also the
    /// variable its rules read).
    pub fn name(self) -> &'static str {
        match self {
            Self::Snp => "snp",
            Self::Tdx => "tdx",
            Self::Sgx => "sgx",
            Self::AzureSnp => "azure_snp",
            Self::AzureTdx => "azure_tdx",
            Self::Gpu => "gpu",
        }
    }

    /// The section for a name in a policy file.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether the section appraises Azure vTPM evidence, whose challenge is answered by
    /// the TPM quote's extraData (`tpm.nonce`) rather than by the hardware report.
    pub fn is_azure(self) -> bool {
        matches!(self, Self::AzureSnp | Self::AzureTdx)
    }

    /// The variables that hold the section's claims, each with its schema: one for
    /// most kinds (`snp`), three for Azure (`snp` or `tdx`, `azure`, `tpm`).
    pub fn claim_variables(self) -> Vec<(&'static str, Type)> {
        self.tables()
            .iter()
            .map(|&(name, rows)| (name, Type::Object(object_from_rows(&rows.concat()))))
            .collect()
    }

    /// The names of the variables that hold the section's claims.
    pub fn claim_variable_names(self) -> impl Iterator<Item = &'static str> {
        self.tables().iter().map(|&(name, _)| name)
    }

    /// The schema rows of each claims variable. The hardware report inside Azure
    /// evidence has exactly the schema of the plain kind.
    fn tables(self) -> &'static [(&'static str, &'static [&'static [Row]])] {
        match self {
            Self::Snp => &[("snp", &[SNP])],
            Self::Tdx => &[("tdx", &[TDX, INTEL])],
            Self::Sgx => &[("sgx", &[SGX, INTEL])],
            Self::AzureSnp => &[("snp", &[SNP]), ("azure", &[AZURE]), ("tpm", &[TPM])],
            Self::AzureTdx => &[("tdx", &[TDX, INTEL]), ("azure", &[AZURE]), ("tpm", &[TPM])],
            Self::Gpu => &[("gpu", &[GPU])],
        }
    }
}

/// The `binding` variable: how the pieces of composite evidence are tied to the
/// challenge and to each other (docs/policy.md, "Binding").
pub fn binding_type() -> Type {
    Type::Object(object_from_rows(BINDING))
}

/// The variables a section's rules may read: its claims ([`Section::claim_variables`]),
/// `binding`, `now`, `nonce`, `warnings`, and for GPU rules `gpu_index`. `ref` (the policy's reference
/// values) is typed from the values themselves, see [`type_of_value`].
pub fn common_variables(section: Section, references: Type) -> Object {
    let mut vars = Object::new();
    for (name, ty) in section.claim_variables() {
        vars = vars.field(name, ty);
    }
    vars = vars
        .field("binding", binding_type())
        .field("now", Type::Timestamp)
        .field("nonce", Type::String)
        .field("warnings", Type::List(Box::new(Type::String)))
        .field("ref", references);
    if section == Section::Gpu {
        vars = vars.field("gpu_index", Type::Int);
    }
    vars
}

/// The type of a reference value as written in a policy: what `ref.x` is checked as.
/// Lists and maps take the type their elements share, or `dyn` when they differ (an
/// empty list is `list(dyn)`, so that `x in ref.allowed` type-checks before values are
/// filled in).
pub fn type_of_value(value: &serde_json::Value) -> Type {
    use serde_json::Value;
    match value {
        Value::Null => Type::Null,
        Value::Bool(_) => Type::Bool,
        Value::Number(n) if n.is_i64() => Type::Int,
        Value::Number(n) if n.is_u64() => Type::Uint,
        Value::Number(_) => Type::Double,
        Value::String(_) => Type::String,
        Value::Array(items) => Type::List(Box::new(common_type(items.iter()))),
        Value::Object(map) => {
            let mut obj = Object::new();
            for (k, v) in map {
                obj = obj.field(k, type_of_value(v));
            }
            Type::Object(obj)
        }
    }
}

fn common_type<'a>(mut values: impl Iterator<Item = &'a serde_json::Value>) -> Type {
    let Some(first) = values.next() else {
        return Type::Dyn;
    };
    let ty = type_of_value(first);
    if values.all(|v| type_of_value(v) == ty) {
        ty
    } else {
        Type::Dyn
    }
}

/// A schema row: dotted path below the section variable, and its type.
type Row = (&'static str, Kind);

/// The types the claims use, in the words of docs/claims.md. The unsigned kinds are
/// CEL `int`s whose range is that of the verifier's claim field (`u8` … `u64`): a
/// policy test giving `vmpl: 4294967296` describes evidence that cannot exist, so
/// [`check_ranges`] refuses it.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    U8,
    U16,
    U32,
    U64,
    U8s,
    U32s,
    Bool,
    Str,
    Time,
    Strs,
    HexMap,
    Ocsp,
    Mismatches,
    Events,
    Dyn,
    DynList,
}

impl Kind {
    fn to_type(self) -> Type {
        match self {
            Self::Int | Self::U8 | Self::U16 | Self::U32 | Self::U64 => Type::Int,
            Self::U8s | Self::U32s => Type::List(Box::new(Type::Int)),
            Self::Bool => Type::Bool,
            Self::Str => Type::String,
            Self::Time => Type::Timestamp,
            Self::Strs => Type::List(Box::new(Type::String)),
            Self::HexMap => Type::Map(Box::new(Type::String)),
            Self::Ocsp => Type::List(Box::new(Type::Object(object_from_rows(OCSP)))),
            Self::Mismatches => Type::List(Box::new(Type::Object(object_from_rows(MISMATCH)))),
            Self::Events => Type::List(Box::new(Type::Object(object_from_rows(EVENT)))),
            Self::Dyn => Type::Dyn,
            Self::DynList => Type::List(Box::new(Type::Dyn)),
        }
    }
}

/// Builds the nested object a table of dotted paths describes.
fn object_from_rows(rows: &[Row]) -> Object {
    #[derive(Default)]
    struct Node {
        leaf: Option<Type>,
        children: Vec<(String, Self)>,
    }
    fn insert(node: &mut Node, path: &str, ty: Type) {
        match path.split_once('.') {
            None => node.children.push((
                path.to_owned(),
                Node {
                    leaf: Some(ty),
                    children: Vec::new(),
                },
            )),
            Some((head, rest)) => {
                let pos = node.children.iter().position(|(k, _)| k == head);
                let child = match pos.and_then(|p| node.children.get_mut(p)) {
                    Some((_, child)) => child,
                    None => {
                        node.children.push((head.to_owned(), Node::default()));
                        match node.children.last_mut() {
                            Some((_, child)) => child,
                            None => return,
                        }
                    }
                };
                insert(child, rest, ty);
            }
        }
    }
    fn build(node: Node) -> Object {
        let mut obj = Object::new();
        for (name, child) in node.children {
            let ty = match child.leaf {
                Some(ty) => ty,
                None => Type::Object(build(child)),
            };
            obj = obj.field(&name, ty);
        }
        obj
    }
    let mut root = Node::default();
    for &(path, kind) in rows {
        insert(&mut root, path, kind.to_type());
    }
    build(root)
}

impl Kind {
    /// The largest value of an unsigned kind (a `u64` claim is capped at CEL's `int`).
    fn max(self) -> Option<i128> {
        Some(match self {
            Self::U8 | Self::U8s => u8::MAX.into(),
            Self::U16 => u16::MAX.into(),
            Self::U32 | Self::U32s => u32::MAX.into(),
            Self::U64 => i64::MAX.into(),
            _ => return None,
        })
    }
}

/// Checks that every integer claim in `claims` is within the range of the verifier's
/// field for it (`snp.vmpl` is a `u32`, `snp.reported_tcb.snp` a `u8`, …), down into
/// lists of records (event-log entries, measurement mismatches). Verified claims always
/// are; this is for claims written by hand, such as a policy's tests. Types are not
/// checked here: binding the claims does that, with the same messages.
///
/// `claims` is the section's claims object (`{"vmpl": 0, …}`), or for Azure the object
/// of its variables (`{"snp": {…}, "azure": {…}, "tpm": {…}}`).
///
/// # Errors
/// `` `snp.vmpl`: expected an integer from 0 to 4294967295, got -1, negative``.
pub fn check_ranges(section: Section, claims: &serde_json::Value) -> Result<(), String> {
    check_ranges_at(section, section.name(), claims)
}

/// [`check_ranges`] with `at` (`gpus[1]`) naming the claims in errors; Azure claims
/// are named by their variables (`tpm.clock`), as tests write them.
pub(crate) fn check_ranges_at(
    section: Section,
    at: &str,
    claims: &serde_json::Value,
) -> Result<(), String> {
    if section.is_azure() {
        return section.tables().iter().try_for_each(|&(name, rows)| {
            match claims.get(name).filter(|v| !v.is_null()) {
                Some(value) => rows
                    .iter()
                    .try_for_each(|rows| check_rows(rows, value, name)),
                None => Ok(()),
            }
        });
    }
    section
        .tables()
        .iter()
        .flat_map(|&(_, rows)| rows.iter())
        .try_for_each(|rows| check_rows(rows, claims, at))
}

fn check_rows(rows: &[Row], claims: &serde_json::Value, at: &str) -> Result<(), String> {
    for &(path, kind) in rows {
        let value = path.split('.').try_fold(claims, |v, field| v.get(field));
        let Some(value) = value.filter(|v| !v.is_null()) else {
            continue;
        };
        let here = format!("{at}.{path}");
        let items = || value.as_array().map(|a| a.iter().enumerate());
        match (kind, kind.max()) {
            (U8s | U32s, Some(max)) => {
                for (i, item) in items().into_iter().flatten() {
                    if let Some(problem) = crate::cel::int_problem(item, 0, max) {
                        return Err(format!("`{here}[{i}]`: {problem}"));
                    }
                }
            }
            (_, Some(max)) => {
                if let Some(problem) = crate::cel::int_problem(value, 0, max) {
                    return Err(format!("`{here}`: {problem}"));
                }
            }
            (Events | Mismatches, None) => {
                let sub = if matches!(kind, Events) {
                    EVENT
                } else {
                    MISMATCH
                };
                for (i, item) in items().into_iter().flatten() {
                    check_rows(sub, item, &format!("{here}[{i}]"))?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

use Kind::{
    Bool, Dyn, DynList, Events, HexMap, Int, Mismatches, Ocsp, Str, Strs, Time, U32s, U8s, U16,
    U32, U64, U8,
};

/// The TCB component names of `snp.*_tcb`.
pub const SNP_TCB_FIELDS: [&str; 6] = ["bootloader", "tee", "snp", "microcode", "fmc", "raw"];

const SNP: &[Row] = &[
    ("version", U32),
    ("product", Str),
    ("cpu_model", Str),
    ("cpuid.family", U8),
    ("cpuid.model", U8),
    ("cpuid.stepping", U8),
    ("guest_svn", U32),
    ("vmpl", U32),
    ("policy.abi_major", U8),
    ("policy.abi_minor", U8),
    ("policy.smt", Bool),
    ("policy.migrate_ma", Bool),
    ("policy.debug", Bool),
    ("policy.single_socket", Bool),
    ("policy.cxl_allowed", Bool),
    ("policy.mem_aes_256_xts", Bool),
    ("policy.rapl_dis", Bool),
    ("policy.ciphertext_hiding", Bool),
    ("policy.page_swap_disable", Bool),
    ("policy.raw", Str),
    ("platform_info.smt_enabled", Bool),
    ("platform_info.tsme_enabled", Bool),
    ("platform_info.ecc_enabled", Bool),
    ("platform_info.rapl_disabled", Bool),
    ("platform_info.ciphertext_hiding_enabled", Bool),
    ("platform_info.alias_check_complete", Bool),
    ("platform_info.bit6", Bool),
    ("platform_info.tio_enabled", Bool),
    ("platform_info.raw", Str),
    ("signing_key", Str),
    ("author_key_en", Bool),
    ("mask_chip_key", Bool),
    ("report_data", Str),
    ("measurement", Str),
    ("host_data", Str),
    ("family_id", Str),
    ("image_id", Str),
    ("id_key_digest", Str),
    ("author_key_digest", Str),
    ("report_id", Str),
    ("report_id_ma", Str),
    ("chip_id", Str),
    ("chip_id_masked", Bool),
    ("current_tcb.bootloader", U8),
    ("current_tcb.tee", U8),
    ("current_tcb.snp", U8),
    ("current_tcb.microcode", U8),
    ("current_tcb.fmc", U8),
    ("current_tcb.raw", Str),
    ("reported_tcb.bootloader", U8),
    ("reported_tcb.tee", U8),
    ("reported_tcb.snp", U8),
    ("reported_tcb.microcode", U8),
    ("reported_tcb.fmc", U8),
    ("reported_tcb.raw", Str),
    ("committed_tcb.bootloader", U8),
    ("committed_tcb.tee", U8),
    ("committed_tcb.snp", U8),
    ("committed_tcb.microcode", U8),
    ("committed_tcb.fmc", U8),
    ("committed_tcb.raw", Str),
    ("launch_tcb.bootloader", U8),
    ("launch_tcb.tee", U8),
    ("launch_tcb.snp", U8),
    ("launch_tcb.microcode", U8),
    ("launch_tcb.fmc", U8),
    ("launch_tcb.raw", Str),
    ("current_firmware", Str),
    ("committed_firmware", Str),
    ("launch_mit_vector", U64),
    ("current_mit_vector", U64),
    ("vek.kind", Str),
    ("vek.serial", Str),
    ("vek.not_before", Time),
    ("vek.not_after", Time),
    ("vek.product_name", Str),
    ("vek.csp_id", Str),
    ("crl_checked", Bool),
];

const TDX: &[Row] = &[
    ("td_report_version", Str),
    ("mr_td", Str),
    ("mr_config_id", Str),
    ("mr_owner", Str),
    ("mr_owner_config", Str),
    ("rtmr", Strs),
    ("report_data", Str),
    ("td_attributes.raw", Str),
    ("td_attributes.debug", Bool),
    ("td_attributes.sept_ve_disable", Bool),
    ("td_attributes.lass", Bool),
    ("td_attributes.migratable", Bool),
    ("td_attributes.pks", Bool),
    ("td_attributes.kl", Bool),
    ("td_attributes.perfmon", Bool),
    ("xfam", Str),
    ("mr_seam", Str),
    ("mr_signer_seam", Str),
    ("seam_attributes", Str),
    ("tee_tcb_svn", Str),
    ("tee_tcb_svn2", Str),
    ("mr_servicetd", Str),
    ("event_log", Events),
    ("tdx_module_status", Str),
    ("tcb_launch.status", Str),
    ("tcb_launch.platform_status", Str),
    ("tcb_launch.tdx_module_status", Str),
    ("tcb_launch.tdx_module_identity", Str),
    ("tcb_launch.tcb_date", Time),
    ("tcb_launch.advisory_ids", Strs),
    ("tcb_current.status", Str),
    ("tcb_current.platform_status", Str),
    ("tcb_current.tdx_module_status", Str),
    ("tcb_current.tdx_module_identity", Str),
    ("tcb_current.tcb_date", Time),
    ("tcb_current.advisory_ids", Strs),
];

const SGX: &[Row] = &[
    ("mr_enclave", Str),
    ("mr_signer", Str),
    ("isv_prod_id", U16),
    ("isv_svn", U16),
    ("attributes", Str),
    ("debug", Bool),
    ("misc_select", U32),
    ("report_cpu_svn", Str),
    ("config_id", Str),
    ("config_svn", U16),
    ("isv_ext_prod_id", Str),
    ("isv_family_id", Str),
    ("report_data", Str),
];

/// What Intel's TCB evaluation and the PCK certificate give both TDX and SGX quotes.
const INTEL: &[Row] = &[
    ("tcb_status", Str),
    ("advisory_ids", Strs),
    ("tcb_date", Time),
    ("platform_tcb_status", Str),
    ("qe_status", Str),
    ("tcb_eval_num", U32),
    ("fmspc", Str),
    ("pce_id", Str),
    ("pce_svn", U16),
    ("sgx_tcb_components", U8s),
    ("cpu_svn", Str),
    ("ppid", Str),
    ("sgx_type", Str),
    ("platform_instance_id", Str),
    ("platform_configuration.dynamic_platform", Bool),
    ("platform_configuration.cached_keys", Bool),
    ("platform_configuration.smt_enabled", Bool),
    ("pck_issuer", Str),
    ("certification_data_type", U16),
    ("qe_svn", U16),
    ("collateral_expires_at", Time),
    ("quote_version", U16),
    ("qe_id", Str),
    ("trailing_bytes", U64),
    ("trailing_bytes_zero", Bool),
];

const GPU: &[Row] = &[
    ("arch", Str),
    ("chip", Str),
    ("hwmodel", Str),
    ("device_id", Str),
    ("leaf_serial", Str),
    ("nonce", Str),
    ("nonce_checked", Bool),
    ("driver_version", Str),
    ("vbios_version", Str),
    ("chip_sku", Str),
    ("chip_sku_mod", Str),
    ("project", Str),
    ("project_sku", Str),
    ("project_sku_mod", Str),
    ("chip_info", Str),
    ("board_id", U32),
    ("fwid", Str),
    ("fwid_match", Bool),
    ("ppcie_mode", Bool),
    ("mode", Str),
    ("nvdec0_enabled", Bool),
    ("measurements", HexMap),
    ("measurements_match", Bool),
    ("measurements_checked", U64),
    ("mismatched_indices", U32s),
    ("mismatches", Mismatches),
    ("driver_rim_id", Str),
    ("vbios_rim_id", Str),
    ("rim_versions.driver", Str),
    ("rim_versions.vbios", Str),
    ("rims.driver.status", Str),
    ("rims.driver.tag_id", Str),
    ("rims.driver.ocsp", Ocsp),
    ("rims.vbios.status", Str),
    ("rims.vbios.tag_id", Str),
    ("rims.vbios.ocsp", Ocsp),
    ("ocsp", Ocsp),
    ("trailing_bytes", U64),
];

/// `azure.*`: the paravisor's runtime data and how the parts of Azure evidence are
/// bound. `vm_configuration` members are `null` when the runtime data lacks them, and
/// are then left unbound like any absent claim (a rule reading one errs, so fails).
const AZURE: &[Row] = &[
    ("evidence_version", U8),
    ("hcl_report_fresh", Bool),
    ("runtime_data_sha256", Str),
    ("ak_thumbprint", Str),
    ("ak_bits", U64),
    ("ek_thumbprint", Str),
    ("user_data", Str),
    ("vm_configuration.console_enabled", Bool),
    ("vm_configuration.secure_boot", Bool),
    ("vm_configuration.tpm_enabled", Bool),
    ("vm_configuration.tpm_persisted", Bool),
    ("vm_configuration.vm_unique_id", Str),
    ("vm_configuration.root_cert_thumbprint", Str),
    ("vm_configuration.current_time", Int),
];

/// `tpm.*`: the vTPM quote, signed by the attestation key.
const TPM: &[Row] = &[
    ("nonce", Str),
    ("clock", U64),
    ("reset_count", U32),
    ("restart_count", U32),
    ("safe", Bool),
    ("firmware_version", Str),
    ("qualified_signer", Str),
    ("pcr_selection", U8s),
    ("pcr_digest", Str),
    ("pcrs_verified", Bool),
    ("pcrs", HexMap),
];

const OCSP: &[Row] = &[
    ("certificate", Str),
    ("serial", Str),
    ("status", Str),
    ("reason", Str),
    ("this_update", Time),
    ("next_update", Time),
];

const MISMATCH: &[Row] = &[
    ("index", U32),
    ("source", Str),
    ("expected", Strs),
    ("actual", Str),
];

const EVENT: &[Row] = &[
    ("index", U64),
    ("mr_index", U32),
    ("rtmr", U8),
    ("event_type", U32),
    ("event_type_name", Str),
    ("sha384", Str),
    ("other_digests", DynList),
    ("data_matches_digest", Bool),
    ("data", Dyn),
];

const BINDING: &[Row] = &[
    ("challenge", Str),
    ("cpu_present", Bool),
    ("cpu_nonce_ok", Bool),
    ("gpu_count", Int),
    ("gpus_nonce_ok", Bool),
    ("gpu_nonce_schemes", Strs),
];
