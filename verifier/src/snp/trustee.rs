//! SEV-SNP evidence as confidential-containers' Trustee attester sends it: the JSON of
//! its `SnpEvidence { attestation_report, cert_chain }`.
//!
//! `attestation_report` is the virtee `sev` crate's serde form of its `AttestationReport`
//! (sev 5 and later): the fields by name; integers as numbers (`policy`, `plat_info`
//! and `key_info` as their raw values); byte strings as lists of numbers; each TCB
//! version as `{fmc, bootloader, tee, snp, microcode}`; `current` and `committed` as
//! `{major, minor, build}`; the signature as `{r, s}` (72 bytes each, little-endian).
//! Fields a report version does not have are `null` or absent: the CPUID fields before
//! version 3, the mitigation vectors before version 5. `cert_chain` is the host's
//! certificate table, `[{cert_type, data}]` (`data` a list of bytes), or `null`/absent.
//!
//! The report does not travel as bytes, so it is rebuilt: each field is written at its
//! offset by [`AttestationReport::to_bytes`], and reserved ranges are zero (as the
//! firmware writes them). The sev crate packs a TCB version by processor generation
//! (Turin and later with an FMC byte, `fmc` a number; Milan and Genoa without, `fmc`
//! `null`), so the rebuild packs each TCB version by its `fmc`; the four TCB versions of
//! one report share one layout. Nothing here can show the rebuilt bytes are the ones the
//! firmware signed: the report signature check in verification, over the rebuilt bytes
//! like over any report, is what proves the rebuild exact (a field placed or packed
//! differently by one bit fails as `report_signature`).
//!
//! Strictness: members Trustee's envelope may gain beside `attestation_report` and
//! `cert_chain` are ignored, as [`crate::evidence::trustee_tdx`] ignores them (Trustee
//! adds some, and nothing outside the report is signed or used). Inside the report and
//! the certificate table a member the sev crate does not write is refused: each report
//! member is a signed field, and one that could not be placed would otherwise surface
//! only as a signature failure. A member of the wrong type, a list of the wrong length,
//! a number out of range or a missing field is a [`ParseError`] whose `what` names the
//! field and whose offset is the field's in the report.

use serde_json::{Map, Value};

use super::{
    AttestationReport, Cpuid, FirmwareVersion, GuestPolicy, KeyInfo, PlatformInfo, Product,
    ReportSignature, TcbParts, TcbVersion, REPORT_LEN, SUPPORTED_VERSIONS,
};
use crate::error::{Error, ParseError, ParseErrorKind, Unsupported};
use crate::json::kind_name;

/// Trustee's SEV-SNP evidence, decoded: the rebuilt report and the certificates it
/// carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrusteeSnpEvidence {
    /// The attestation report, rebuilt from its fields ([`REPORT_LEN`] bytes).
    pub report: Vec<u8>,
    /// The certificates of the `cert_chain` entries typed `VCEK`, `VLEK`, `ASK` or `ARK`
    /// (DER; PEM data is converted), in document order. Empty when `cert_chain` is
    /// absent, `null` or lists none. The type labels only pick the entries holding
    /// certificates: verification gives each certificate its role by its content and
    /// trusts none of them (the chain to the pinned ARK decides). `CRL`, `Empty` and
    /// `OTHER` entries are read and skipped: CRLs come from the collateral.
    pub certificates: Vec<Vec<u8>>,
}

/// The whole document, for errors that are not about one field.
const EVIDENCE: &str = "Trustee SNP evidence JSON";
/// The `attestation_report` member, for errors about the object itself.
const REPORT: &str = "Trustee SNP evidence attestation_report";
/// The `cert_chain` member.
const CERT_CHAIN: &str = "Trustee SNP evidence cert_chain";

/// A report member: its name, the name errors give, its offset in the report.
struct Field {
    key: &'static str,
    what: &'static str,
    offset: usize,
}

macro_rules! field {
    ($key:literal, $offset:expr) => {
        Field {
            key: $key,
            what: concat!("Trustee SNP evidence attestation_report.", $key),
            offset: $offset,
        }
    };
}

const VERSION: Field = field!("version", 0x000);
const GUEST_SVN: Field = field!("guest_svn", 0x004);
const POLICY: Field = field!("policy", 0x008);
const FAMILY_ID: Field = field!("family_id", 0x010);
const IMAGE_ID: Field = field!("image_id", 0x020);
const VMPL: Field = field!("vmpl", 0x030);
const SIG_ALGO: Field = field!("sig_algo", 0x034);
const CURRENT_TCB: Field = field!("current_tcb", 0x038);
const PLAT_INFO: Field = field!("plat_info", 0x040);
const KEY_INFO: Field = field!("key_info", 0x048);
const REPORT_DATA: Field = field!("report_data", 0x050);
const MEASUREMENT: Field = field!("measurement", 0x090);
const HOST_DATA: Field = field!("host_data", 0x0C0);
const ID_KEY_DIGEST: Field = field!("id_key_digest", 0x0E0);
const AUTHOR_KEY_DIGEST: Field = field!("author_key_digest", 0x110);
const REPORT_ID: Field = field!("report_id", 0x140);
const REPORT_ID_MA: Field = field!("report_id_ma", 0x160);
const REPORTED_TCB: Field = field!("reported_tcb", 0x180);
const CPUID_FAM_ID: Field = field!("cpuid_fam_id", 0x188);
const CPUID_MOD_ID: Field = field!("cpuid_mod_id", 0x189);
const CPUID_STEP: Field = field!("cpuid_step", 0x18A);
const CHIP_ID: Field = field!("chip_id", 0x1A0);
const COMMITTED_TCB: Field = field!("committed_tcb", 0x1E0);
const CURRENT: Field = field!("current", 0x1E8);
const COMMITTED: Field = field!("committed", 0x1EC);
const LAUNCH_TCB: Field = field!("launch_tcb", 0x1F0);
const LAUNCH_MIT_VECTOR: Field = field!("launch_mit_vector", 0x1F8);
const CURRENT_MIT_VECTOR: Field = field!("current_mit_vector", 0x200);
const SIGNATURE_R: Field = field!("signature.r", 0x2A0);
const SIGNATURE_S: Field = field!("signature.s", 0x2E8);
/// The signature object itself (its members are [`SIGNATURE_R`] and [`SIGNATURE_S`]).
const SIGNATURE: Field = field!("signature", 0x2A0);

/// Every member the sev crate writes for a report, in its order.
const MEMBERS: [&str; 29] = [
    "version",
    "guest_svn",
    "policy",
    "family_id",
    "image_id",
    "vmpl",
    "sig_algo",
    "current_tcb",
    "plat_info",
    "key_info",
    "report_data",
    "measurement",
    "host_data",
    "id_key_digest",
    "author_key_digest",
    "report_id",
    "report_id_ma",
    "reported_tcb",
    "cpuid_fam_id",
    "cpuid_mod_id",
    "cpuid_step",
    "chip_id",
    "committed_tcb",
    "current",
    "committed",
    "launch_tcb",
    "launch_mit_vector",
    "current_mit_vector",
    "signature",
];

/// Whether `bytes` look like Trustee's SEV-SNP evidence: a JSON object with an
/// `attestation_report` member. Only the shape is looked at, so that [`decode`] then
/// names what is wrong with a document meant to be this form.
pub fn looks_like(bytes: &[u8]) -> bool {
    let text = bytes.trim_ascii();
    text.starts_with(b"{")
        && serde_json::from_slice::<Value>(text)
            .ok()
            .is_some_and(|v| v.get("attestation_report").is_some())
}

/// Reads Trustee's SEV-SNP evidence JSON and rebuilds the report (see the module docs).
///
/// Anything that is not this form (see [`looks_like`]) is `Ok(None)`, for the caller to
/// read another way; once recognised, the document is read strictly.
///
/// # Errors
/// [`Error::Parse`]: [`ParseErrorKind::Json`] for JSON that does not parse, a member
/// named twice, a member of the wrong type, missing or out of range, a member the sev
/// crate does not write, a field given for a report version that lacks it, or TCB
/// versions of different layouts; [`ParseErrorKind::WrongLength`] for a byte list of the
/// wrong length; each names the field. [`Unsupported::ReportVersion`] for a version
/// outside 2 to 5, and a KEY_INFO with reserved bits or a reserved signing key encoding
/// is refused as [`AttestationReport::parse`] refuses it.
pub fn decode(bytes: &[u8]) -> Result<Option<TrusteeSnpEvidence>, Error> {
    // Every JSON evidence form passes here first: a look for the member's name keeps the
    // others from being parsed an extra time, and this form is parsed once, strictly;
    // the lenient shape check runs only to tell a broken document of this form from
    // text of another.
    let text = bytes.trim_ascii();
    if !text.starts_with(b"{")
        || !text
            .windows(b"\"attestation_report\"".len())
            .any(|w| w == b"\"attestation_report\"")
    {
        return Ok(None);
    }
    let value = match crate::json::from_slice(text) {
        Ok(value) => value,
        Err(_) if !looks_like(text) => return Ok(None),
        Err(e) => return Err(json_error(EVIDENCE, 0, e.to_string())),
    };
    // Other top-level members are ignored (see the module docs).
    let report = match value.get("attestation_report") {
        Some(Value::Object(members)) => rebuild(members)?,
        Some(other) => {
            return Err(json_error(
                REPORT,
                0,
                format!("expected an object, found {}", found(other)),
            ))
        }
        None => return Ok(None),
    };
    let certificates = match value.get("cert_chain") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(entries)) => certificates(entries)?,
        Some(other) => {
            return Err(json_error(
                CERT_CHAIN,
                0,
                format!(
                    "expected a list of {{cert_type, data}} entries, found {}",
                    found(other)
                ),
            ))
        }
    };
    Ok(Some(TrusteeSnpEvidence {
        report: report.to_vec(),
        certificates,
    }))
}

/// Rebuilds the report bytes from the members of `attestation_report`.
fn rebuild(members: &Map<String, Value>) -> Result<[u8; REPORT_LEN], Error> {
    only_known(members, &MEMBERS, REPORT, 0, "")?;
    let version = uint::<u32>(required(members, &VERSION)?, &VERSION, "")?;
    if !SUPPORTED_VERSIONS.contains(&version) {
        return Err(Unsupported::ReportVersion(version).into());
    }
    let mut layout = Layout::default();
    let current_tcb = tcb(members, &CURRENT_TCB, &mut layout)?;
    let reported_tcb = tcb(members, &REPORTED_TCB, &mut layout)?;
    let committed_tcb = tcb(members, &COMMITTED_TCB, &mut layout)?;
    let launch_tcb = tcb(members, &LAUNCH_TCB, &mut layout)?;
    let cpuid = if version >= 3 {
        Some(Cpuid {
            family: uint(
                since(members, &CPUID_FAM_ID, version, 3)?,
                &CPUID_FAM_ID,
                "",
            )?,
            model: uint(
                since(members, &CPUID_MOD_ID, version, 3)?,
                &CPUID_MOD_ID,
                "",
            )?,
            stepping: uint(since(members, &CPUID_STEP, version, 3)?, &CPUID_STEP, "")?,
        })
    } else {
        for f in [&CPUID_FAM_ID, &CPUID_MOD_ID, &CPUID_STEP] {
            not_before(members, f, version, 3)?;
        }
        None
    };
    let (launch_mit_vector, current_mit_vector) = if version >= 5 {
        (
            Some(uint(
                since(members, &LAUNCH_MIT_VECTOR, version, 5)?,
                &LAUNCH_MIT_VECTOR,
                "",
            )?),
            Some(uint(
                since(members, &CURRENT_MIT_VECTOR, version, 5)?,
                &CURRENT_MIT_VECTOR,
                "",
            )?),
        )
    } else {
        not_before(members, &LAUNCH_MIT_VECTOR, version, 5)?;
        not_before(members, &CURRENT_MIT_VECTOR, version, 5)?;
        (None, None)
    };
    let report = AttestationReport {
        version,
        guest_svn: uint(required(members, &GUEST_SVN)?, &GUEST_SVN, "")?,
        policy: GuestPolicy(uint(required(members, &POLICY)?, &POLICY, "")?),
        family_id: byte_array(members, &FAMILY_ID)?,
        image_id: byte_array(members, &IMAGE_ID)?,
        vmpl: uint(required(members, &VMPL)?, &VMPL, "")?,
        signature_algo: uint(required(members, &SIG_ALGO)?, &SIG_ALGO, "")?,
        current_tcb,
        platform_info: PlatformInfo(uint(required(members, &PLAT_INFO)?, &PLAT_INFO, "")?),
        // The typed KEY_INFO cannot hold reserved bits: they are refused here exactly as
        // the report parser refuses them.
        key_info: KeyInfo::decode(uint(required(members, &KEY_INFO)?, &KEY_INFO, "")?)?,
        report_data: byte_array(members, &REPORT_DATA)?,
        measurement: byte_array(members, &MEASUREMENT)?,
        host_data: byte_array(members, &HOST_DATA)?,
        id_key_digest: byte_array(members, &ID_KEY_DIGEST)?,
        author_key_digest: byte_array(members, &AUTHOR_KEY_DIGEST)?,
        report_id: byte_array(members, &REPORT_ID)?,
        report_id_ma: byte_array(members, &REPORT_ID_MA)?,
        reported_tcb,
        cpuid,
        chip_id: byte_array(members, &CHIP_ID)?,
        committed_tcb,
        current_version: firmware_version(members, &CURRENT)?,
        committed_version: firmware_version(members, &COMMITTED)?,
        launch_tcb,
        launch_mit_vector,
        current_mit_vector,
        signature: signature(members)?,
    };
    Ok(report.to_bytes())
}

/// The TCB layout of the first TCB version read, which the others must share.
#[derive(Default)]
struct Layout {
    first: Option<(&'static str, bool)>,
}

/// A TCB version `{fmc, bootloader, tee, snp, microcode}`, packed as the sev crate packs
/// it: with an FMC byte (Turin's layout) when `fmc` is a number, without (Milan's and
/// Genoa's) when it is `null` or absent.
fn tcb(members: &Map<String, Value>, f: &Field, layout: &mut Layout) -> Result<TcbVersion, Error> {
    const PARTS: [&str; 5] = ["fmc", "bootloader", "tee", "snp", "microcode"];
    let object = object(
        required(members, f)?,
        f,
        "{fmc, bootloader, tee, snp, microcode}",
    )?;
    only_known(object, &PARTS, f.what, f.offset, "")?;
    let part = |name: &'static str| -> Result<u8, Error> {
        match object.get(name) {
            Some(v) => uint(v, f, name),
            None => Err(json_error(f.what, f.offset, format!("{name}: absent"))),
        }
    };
    let fmc = match object.get("fmc") {
        None | Some(Value::Null) => None,
        Some(v) => Some(uint::<u8>(v, f, "fmc")?),
    };
    let parts = TcbParts {
        fmc,
        bootloader: part("bootloader")?,
        tee: part("tee")?,
        snp: part("snp")?,
        microcode: part("microcode")?,
    };
    match layout.first {
        None => layout.first = Some((f.key, fmc.is_some())),
        Some((first, with_fmc)) if with_fmc != fmc.is_some() => {
            let (here, there) = if with_fmc {
                ("null", "a number")
            } else {
                ("a number", "null")
            };
            return Err(json_error(
                f.what,
                f.offset,
                format!(
                    "fmc: {here} here but {there} in {first}: a report's TCB versions share one layout"
                ),
            ));
        }
        Some(_) => {}
    }
    // Turin's layout has the FMC byte; Milan's and Genoa's (the same) do not.
    let product = if fmc.is_some() {
        Product::Turin
    } else {
        Product::Milan
    };
    Ok(TcbVersion::from_parts(parts, product))
}

/// A firmware version `{major, minor, build}`.
fn firmware_version(members: &Map<String, Value>, f: &Field) -> Result<FirmwareVersion, Error> {
    const PARTS: [&str; 3] = ["major", "minor", "build"];
    let object = object(required(members, f)?, f, "{major, minor, build}")?;
    only_known(object, &PARTS, f.what, f.offset, "")?;
    let part = |name: &'static str| -> Result<u8, Error> {
        match object.get(name) {
            Some(v) => uint(v, f, name),
            None => Err(json_error(f.what, f.offset, format!("{name}: absent"))),
        }
    };
    Ok(FirmwareVersion {
        major: part("major")?,
        minor: part("minor")?,
        build: part("build")?,
    })
}

/// The signature `{r, s}`, 72 bytes each.
fn signature(members: &Map<String, Value>) -> Result<ReportSignature, Error> {
    let object = object(required(members, &SIGNATURE)?, &SIGNATURE, "{r, s}")?;
    only_known(object, &["r", "s"], SIGNATURE.what, SIGNATURE.offset, "")?;
    Ok(ReportSignature {
        r: byte_array(object, &SIGNATURE_R)?,
        s: byte_array(object, &SIGNATURE_S)?,
    })
}

/// The member `f` names: present and not `null`. (A `null` required member is reported
/// by the reader of its type, as a value of the wrong type.)
fn required<'v>(members: &'v Map<String, Value>, f: &Field) -> Result<&'v Value, Error> {
    let key = f.key.rsplit('.').next().unwrap_or(f.key);
    members
        .get(key)
        .ok_or_else(|| json_error(f.what, f.offset, "absent".to_owned()))
}

/// A field that reports of `version` have (it was added in version `added`).
fn since<'v>(
    members: &'v Map<String, Value>,
    f: &Field,
    version: u32,
    added: u32,
) -> Result<&'v Value, Error> {
    match members.get(f.key) {
        None | Some(Value::Null) => Err(json_error(
            f.what,
            f.offset,
            format!("absent, but a version {version} report has it (from version {added} on)"),
        )),
        Some(v) => Ok(v),
    }
}

/// A field that reports of `version` lack (it was added in version `added`): `null` or
/// absent.
fn not_before(
    members: &Map<String, Value>,
    f: &Field,
    version: u32,
    added: u32,
) -> Result<(), Error> {
    match members.get(f.key) {
        None | Some(Value::Null) => Ok(()),
        Some(_) => Err(json_error(
            f.what,
            f.offset,
            format!("given, but a version {version} report has no such field (it came in version {added})"),
        )),
    }
}

fn object<'v>(value: &'v Value, f: &Field, shape: &str) -> Result<&'v Map<String, Value>, Error> {
    match value {
        Value::Object(m) => Ok(m),
        other => Err(json_error(
            f.what,
            f.offset,
            format!("expected an object {shape}, found {}", found(other)),
        )),
    }
}

/// Refuses a member not in `known` (see the module docs: each is a signed field).
fn only_known(
    members: &Map<String, Value>,
    known: &[&str],
    what: &'static str,
    offset: usize,
    path: &str,
) -> Result<(), Error> {
    match members.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(name) => Err(json_error(
            what,
            offset,
            format!(
                "{path}unknown member {name:?}: the sev crate writes only {}",
                known.join(", ")
            ),
        )),
    }
}

/// An unsigned integer that fits `T`; `part` names a member inside the field (or is
/// empty).
fn uint<T: TryFrom<u64> + Bounded>(value: &Value, f: &Field, part: &str) -> Result<T, Error> {
    let prefix = if part.is_empty() {
        String::new()
    } else {
        format!("{part}: ")
    };
    value
        .as_u64()
        .and_then(|v| T::try_from(v).ok())
        .ok_or_else(|| {
            json_error(
                f.what,
                f.offset,
                format!(
                    "{prefix}expected an integer 0 to {}, found {}",
                    T::LIMIT,
                    found(value)
                ),
            )
        })
}

/// The largest value of an unsigned integer type, for messages.
trait Bounded {
    const LIMIT: u64;
}
impl Bounded for u8 {
    const LIMIT: u64 = Self::MAX as u64;
}
impl Bounded for u32 {
    const LIMIT: u64 = Self::MAX as u64;
}
impl Bounded for u64 {
    const LIMIT: Self = Self::MAX;
}

/// A byte string of exactly `N` bytes, written as a list of numbers.
fn byte_array<const N: usize>(members: &Map<String, Value>, f: &Field) -> Result<[u8; N], Error> {
    let items = match required(members, f)? {
        Value::Array(items) => items,
        other => {
            return Err(json_error(
                f.what,
                f.offset,
                format!("expected a list of {N} bytes, found {}", found(other)),
            ))
        }
    };
    if items.len() != N {
        return Err(ParseError::new(
            f.what,
            f.offset,
            ParseErrorKind::WrongLength {
                expected: N,
                actual: items.len(),
            },
        )
        .into());
    }
    let mut out = [0u8; N];
    for (i, (dst, item)) in out.iter_mut().zip(items).enumerate() {
        *dst = byte(item).ok_or_else(|| {
            json_error(
                f.what,
                f.offset,
                format!("[{i}]: expected a byte (0 to 255), found {}", found(item)),
            )
        })?;
    }
    Ok(out)
}

fn byte(value: &Value) -> Option<u8> {
    value.as_u64().and_then(|b| u8::try_from(b).ok())
}

/// The certificates of the certificate table's VCEK, VLEK, ASK and ARK entries.
fn certificates(entries: &[Value]) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let err = |message: String| json_error(CERT_CHAIN, 0, format!("[{i}]{message}"));
        let Value::Object(entry) = entry else {
            return Err(err(format!(
                ": expected an object {{cert_type, data}}, found {}",
                found(entry)
            )));
        };
        if let Some(name) = entry.keys().find(|k| *k != "cert_type" && *k != "data") {
            return Err(err(format!(
                ": unknown member {name:?}: the sev crate writes only cert_type, data"
            )));
        }
        let keep = match entry.get("cert_type") {
            Some(Value::String(t)) => match t.as_str() {
                "VCEK" | "VLEK" | "ASK" | "ARK" => true,
                "CRL" | "Empty" => false,
                other => {
                    return Err(err(format!(
                        ".cert_type: unknown type {other:?} (VCEK, VLEK, ASK, ARK, CRL, Empty or {{\"OTHER\": guid}})"
                    )))
                }
            },
            Some(Value::Object(other)) if other.len() == 1 => match other.get("OTHER") {
                Some(Value::String(_)) => false,
                _ => {
                    return Err(err(
                        ".cert_type: expected a type name or {\"OTHER\": guid}".to_owned()
                    ))
                }
            },
            Some(other) => {
                return Err(err(format!(
                    ".cert_type: expected a type name, found {}",
                    found(other)
                )))
            }
            None => return Err(err(".cert_type: absent".to_owned())),
        };
        let data = match entry.get("data") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(j, item)| {
                    byte(item).ok_or_else(|| {
                        err(format!(
                            ".data[{j}]: expected a byte (0 to 255), found {}",
                            found(item)
                        ))
                    })
                })
                .collect::<Result<Vec<u8>, Error>>()?,
            Some(other) => {
                return Err(err(format!(
                    ".data: expected a list of bytes, found {}",
                    found(other)
                )))
            }
            None => return Err(err(".data: absent".to_owned())),
        };
        if !keep {
            continue;
        }
        if data.is_empty() {
            return Err(err(".data: empty, where a certificate belongs".to_owned()));
        }
        if data.starts_with(b"-----BEGIN") {
            let blocks = crate::pem_blocks::parse(&data).unwrap_or_default();
            let before = out.len();
            out.extend(
                blocks
                    .into_iter()
                    .filter_map(crate::pem_blocks::Block::certificate),
            );
            if out.len() == before {
                return Err(ParseError::new(
                    CERT_CHAIN,
                    0,
                    ParseErrorKind::Encoding("a DER or PEM certificate"),
                )
                .into());
            }
        } else {
            out.push(data);
        }
    }
    Ok(out)
}

/// A JSON value as an error message names it: numbers by value, others by kind.
fn found(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        other => kind_name(other).to_owned(),
    }
}

fn json_error(what: &'static str, offset: usize, message: String) -> Error {
    ParseError::new(what, offset, ParseErrorKind::Json(message)).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_member_has_a_field_at_its_offset() {
        let fields = [
            &VERSION,
            &GUEST_SVN,
            &POLICY,
            &FAMILY_ID,
            &IMAGE_ID,
            &VMPL,
            &SIG_ALGO,
            &CURRENT_TCB,
            &PLAT_INFO,
            &KEY_INFO,
            &REPORT_DATA,
            &MEASUREMENT,
            &HOST_DATA,
            &ID_KEY_DIGEST,
            &AUTHOR_KEY_DIGEST,
            &REPORT_ID,
            &REPORT_ID_MA,
            &REPORTED_TCB,
            &CPUID_FAM_ID,
            &CPUID_MOD_ID,
            &CPUID_STEP,
            &CHIP_ID,
            &COMMITTED_TCB,
            &CURRENT,
            &COMMITTED,
            &LAUNCH_TCB,
            &LAUNCH_MIT_VECTOR,
            &CURRENT_MIT_VECTOR,
            &SIGNATURE,
        ];
        let keys: Vec<&str> = fields.iter().map(|f| f.key).collect();
        assert_eq!(keys, MEMBERS);
        assert!(fields.windows(2).all(|w| w[0].offset < w[1].offset));
        for f in fields {
            assert!(f.what.ends_with(f.key), "{}", f.what);
        }
    }

    #[test]
    fn other_input_is_not_taken_for_it() {
        for other in [
            &b""[..],
            b"{}",
            br#"{"quote": "AAAA"}"#,
            br#"[{"attestation_report": {}}]"#,
            br#"{"attestation_report": {}"#,
            &[0x02, 0, 0, 0],
        ] {
            assert_eq!(decode(other).unwrap(), None, "{other:?}");
        }
    }
}
