//! The SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1): a SEQUENCE of
//! `(OID, value)` pairs giving the platform's identity and the TCB Intel certified.
//! Intel's "SGX PCK Certificate and CRL Profile" defines it; 5 entries for Processor-CA
//! certificates, 7 (with platform instance id and configuration) for Platform-CA ones.

use x509_parser::der_parser::ber::{BerObject, BerObjectContent};
use x509_parser::der_parser::der::parse_der;

use crate::error::{CertErrorKind, Error};
use crate::pki::{CertRole, Certificate};

/// The SGX extension's OID.
pub const SGX_EXTENSION_OID: &str = "1.2.840.113741.1.13.1";

/// `SGX Type` of the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SgxType {
    /// 0: Standard.
    Standard,
    /// 1: Scalable.
    Scalable,
    /// 2: Scalable with integrity.
    ScalableWithIntegrity,
}

/// The configuration flags of a Platform-CA PCK certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct PlatformConfiguration {
    /// dynamicPlatform.
    pub dynamic_platform: Option<bool>,
    /// cachedKeys.
    pub cached_keys: Option<bool>,
    /// SMTEnabled.
    pub smt_enabled: Option<bool>,
}

/// The decoded SGX extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PckExtension {
    /// PPID: the platform provisioning id.
    pub ppid: [u8; 16],
    /// The 16 SGX TCB component SVNs.
    pub tcb_components: [u8; 16],
    /// PCESVN.
    pub pce_svn: u16,
    /// CPUSVN.
    pub cpu_svn: [u8; 16],
    /// PCE-ID.
    pub pce_id: [u8; 2],
    /// FMSPC: the platform family, model and stepping the TCB Info is keyed by.
    pub fmspc: [u8; 6],
    /// SGX Type.
    pub sgx_type: SgxType,
    /// Platform Instance ID (Platform-CA certificates).
    pub platform_instance_id: Option<[u8; 16]>,
    /// Configuration (Platform-CA certificates).
    pub configuration: Option<PlatformConfiguration>,
}

const OID_PREFIX: &str = "1.2.840.113741.1.13.1.";

type Bad = String;

impl PckExtension {
    /// Decodes the SGX extension of a PCK certificate.
    ///
    /// # Errors
    /// [`CertErrorKind::MissingExtension`] or [`CertErrorKind::BadExtension`] naming what
    /// is wrong.
    pub fn decode(cert: &Certificate) -> Result<Self, Error> {
        let fail = |kind| Error::cert(CertRole::Pck, cert.subject().display(), kind);
        let ext = cert.extension(SGX_EXTENSION_OID).ok_or_else(|| {
            fail(CertErrorKind::MissingExtension {
                name: "SGX extension",
                oid: SGX_EXTENSION_OID,
            })
        })?;
        Self::from_der(&ext.value).map_err(|reason| {
            fail(CertErrorKind::BadExtension {
                name: "SGX extension",
                reason,
            })
        })
    }

    /// Decodes the extension value (the DER SEQUENCE).
    ///
    /// # Errors
    /// A readable reason.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        let (rest, obj) = parse_der(der).map_err(|e| format!("DER: {e}"))?;
        if !rest.is_empty() {
            return Err(format!("{} trailing bytes", rest.len()));
        }
        let entries = pairs(&obj)?;
        let mut ppid = None;
        let mut tcb = None;
        let mut pce_id = None;
        let mut fmspc = None;
        let mut sgx_type = None;
        let mut instance = None;
        let mut config = None;
        for (name, value) in &entries {
            let slot_taken = || format!("{OID_PREFIX}{name} appears twice");
            match name.as_str() {
                "1" => set(&mut ppid, fixed::<16>(value, "PPID")?, slot_taken)?,
                "2" => set(&mut tcb, decode_tcb(value)?, slot_taken)?,
                "3" => set(&mut pce_id, fixed::<2>(value, "PCE-ID")?, slot_taken)?,
                "4" => set(&mut fmspc, fixed::<6>(value, "FMSPC")?, slot_taken)?,
                "5" => set(&mut sgx_type, decode_sgx_type(value)?, slot_taken)?,
                "6" => set(
                    &mut instance,
                    fixed::<16>(value, "Platform Instance ID")?,
                    slot_taken,
                )?,
                "7" => set(&mut config, decode_configuration(value)?, slot_taken)?,
                other => return Err(format!("unknown entry {OID_PREFIX}{other}")),
            }
        }
        // Processor-CA certificates have 5 entries, Platform-CA ones 7: nothing else.
        if entries.len() != 5 && entries.len() != 7 {
            return Err(format!("{} entries, expected 5 or 7", entries.len()));
        }
        let (tcb_components, pce_svn, cpu_svn) = tcb.ok_or("no TCB entry (.2)")?;
        Ok(Self {
            ppid: ppid.ok_or("no PPID entry (.1)")?,
            tcb_components,
            pce_svn,
            cpu_svn,
            pce_id: pce_id.ok_or("no PCE-ID entry (.3)")?,
            fmspc: fmspc.ok_or("no FMSPC entry (.4)")?,
            sgx_type: sgx_type.ok_or("no SGX Type entry (.5)")?,
            platform_instance_id: instance,
            configuration: config,
        })
    }
}

fn set<T>(slot: &mut Option<T>, value: T, taken: impl Fn() -> Bad) -> Result<(), Bad> {
    if slot.is_some() {
        return Err(taken());
    }
    *slot = Some(value);
    Ok(())
}

/// A SEQUENCE of `SEQUENCE { OID under 1.2.840.113741.1.13.1, value }`, as the OID's last
/// arc (relative to `OID_PREFIX` and any deeper prefix) and the value.
fn pairs<'a>(obj: &'a BerObject<'a>) -> Result<Vec<(String, &'a BerObject<'a>)>, Bad> {
    let seq = obj.as_sequence().map_err(|_| "not a SEQUENCE".to_owned())?;
    let mut out = Vec::with_capacity(seq.len());
    for item in seq {
        let pair = item
            .as_sequence()
            .map_err(|_| "an entry is not a SEQUENCE".to_owned())?;
        let [oid, value] = pair.as_slice() else {
            return Err(format!("an entry has {} elements, expected 2", pair.len()));
        };
        let oid = oid
            .as_oid()
            .map_err(|_| "an entry does not start with an OID".to_owned())?;
        let oid = crate::pki::dotted(oid);
        let name = oid
            .strip_prefix(OID_PREFIX)
            .ok_or_else(|| format!("entry OID {oid} is outside {SGX_EXTENSION_OID}"))?;
        out.push((name.to_owned(), value));
    }
    Ok(out)
}

fn octets<'a>(value: &'a BerObject<'a>, what: &str) -> Result<&'a [u8], Bad> {
    match value.content {
        BerObjectContent::OctetString(b) => Ok(b),
        _ => Err(format!("{what} is not an OCTET STRING")),
    }
}

fn fixed<const N: usize>(value: &BerObject<'_>, what: &str) -> Result<[u8; N], Bad> {
    let bytes = octets(value, what)?;
    bytes
        .try_into()
        .map_err(|_| format!("{what} is {} bytes, expected {N}", bytes.len()))
}

fn small_int(value: &BerObject<'_>, what: &str, max: u32) -> Result<u32, Bad> {
    if !matches!(value.content, BerObjectContent::Integer(_)) {
        return Err(format!("{what} is not an INTEGER"));
    }
    let v = value
        .as_u32()
        .map_err(|_| format!("{what} is not a non-negative 32-bit INTEGER"))?;
    if v > max {
        return Err(format!("{what} is {v}, above {max}"));
    }
    Ok(v)
}

fn decode_tcb(value: &BerObject<'_>) -> Result<([u8; 16], u16, [u8; 16]), Bad> {
    let entries = pairs(value)?;
    let mut comps: [Option<u8>; 16] = [None; 16];
    let mut pce_svn = None;
    let mut cpu_svn = None;
    for (name, v) in &entries {
        let arc = name
            .strip_prefix("2.")
            .ok_or_else(|| format!("TCB entry {OID_PREFIX}{name} is outside .2"))?;
        let n: usize = arc
            .parse()
            .map_err(|_| format!("TCB entry {OID_PREFIX}{name} is not known"))?;
        let taken = || format!("TCB entry {OID_PREFIX}{name} appears twice");
        match n {
            1..=16 => {
                let what = format!("SGX TCB COMP{n:02} SVN");
                let svn = u8::try_from(small_int(v, &what, 255)?).unwrap_or(u8::MAX);
                let slot = comps
                    .get_mut(n.saturating_sub(1))
                    .ok_or_else(|| format!("TCB component {n}"))?;
                set(slot, svn, taken)?;
            }
            17 => {
                let svn = u16::try_from(small_int(v, "PCESVN", 65535)?).unwrap_or(u16::MAX);
                set(&mut pce_svn, svn, taken)?;
            }
            18 => set(&mut cpu_svn, fixed::<16>(v, "CPUSVN")?, taken)?,
            _ => return Err(format!("TCB entry {OID_PREFIX}{name} is not known")),
        }
    }
    let mut out = [0u8; 16];
    for (i, (slot, c)) in out.iter_mut().zip(comps).enumerate() {
        *slot = c.ok_or_else(|| format!("TCB has no COMP{:02} SVN", i.saturating_add(1)))?;
    }
    Ok((
        out,
        pce_svn.ok_or("TCB has no PCESVN")?,
        cpu_svn.ok_or("TCB has no CPUSVN")?,
    ))
}

fn decode_sgx_type(value: &BerObject<'_>) -> Result<SgxType, Bad> {
    match value.content {
        BerObjectContent::Enum(0) => Ok(SgxType::Standard),
        BerObjectContent::Enum(1) => Ok(SgxType::Scalable),
        BerObjectContent::Enum(2) => Ok(SgxType::ScalableWithIntegrity),
        BerObjectContent::Enum(v) => Err(format!("SGX Type {v} is not known")),
        _ => Err("SGX Type is not an ENUMERATED".to_owned()),
    }
}

fn decode_configuration(value: &BerObject<'_>) -> Result<PlatformConfiguration, Bad> {
    let mut config = PlatformConfiguration::default();
    for (name, v) in pairs(value)? {
        let BerObjectContent::Boolean(flag) = v.content else {
            return Err(format!("configuration {OID_PREFIX}{name} is not a BOOLEAN"));
        };
        let taken = || format!("configuration {OID_PREFIX}{name} appears twice");
        match name.as_str() {
            "7.1" => set(&mut config.dynamic_platform, flag, taken)?,
            "7.2" => set(&mut config.cached_keys, flag, taken)?,
            "7.3" => set(&mut config.smt_enabled, flag, taken)?,
            _ => {
                return Err(format!(
                    "configuration entry {OID_PREFIX}{name} is not known"
                ))
            }
        }
    }
    Ok(config)
}
