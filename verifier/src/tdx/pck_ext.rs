//! The SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1): a SEQUENCE of
//! `(OID, value)` pairs giving the platform's identity and the TCB Intel certified.
//! Intel's "SGX PCK Certificate and CRL Profile" defines it; 5 entries for Processor-CA
//! certificates, 7 (with platform instance id and configuration) for Platform-CA ones.

use crate::der::{self, oid_to_string, Reader, Tlv};
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

/// The content octets of the SGX extension's OID; every entry's OID extends them.
const SGX_OID_CONTENT: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01];

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

    /// Decodes the extension value (the DER SEQUENCE), strictly: the workspace's DER
    /// reader (definite minimal lengths, minimal INTEGERs, BOOLEAN as 00/FF), every
    /// entry's OID compared as bytes under the SGX extension's (no text per entry: this
    /// runs for every PCK chain a verifier has not seen).
    ///
    /// # Errors
    /// A readable reason.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        let mut top = Reader::new(der);
        let seq = top.read("SGX extension").map_err(der_text)?;
        if !top.is_empty() {
            return Err(format!(
                "{} trailing bytes",
                der.len().saturating_sub(seq.range().end)
            ));
        }
        let entries = entries(&seq)?;
        let mut ppid = None;
        let mut tcb = None;
        let mut pce_id = None;
        let mut fmspc = None;
        let mut sgx_type = None;
        let mut instance = None;
        let mut config = None;
        for entry in &entries {
            let slot_taken = || format!("{} appears twice", entry.name());
            match entry.arcs {
                [1] => set(&mut ppid, fixed::<16>(&entry.value, "PPID")?, slot_taken)?,
                [2] => set(&mut tcb, decode_tcb(&entry.value)?, slot_taken)?,
                [3] => set(&mut pce_id, fixed::<2>(&entry.value, "PCE-ID")?, slot_taken)?,
                [4] => set(&mut fmspc, fixed::<6>(&entry.value, "FMSPC")?, slot_taken)?,
                [5] => set(&mut sgx_type, decode_sgx_type(&entry.value)?, slot_taken)?,
                [6] => set(
                    &mut instance,
                    fixed::<16>(&entry.value, "Platform Instance ID")?,
                    slot_taken,
                )?,
                [7] => set(&mut config, decode_configuration(&entry.value)?, slot_taken)?,
                _ => return Err(format!("unknown entry {}", entry.name())),
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

fn der_text(e: crate::error::ParseError) -> Bad {
    format!("DER: {e}")
}

fn set<T>(slot: &mut Option<T>, value: T, taken: impl Fn() -> Bad) -> Result<(), Bad> {
    if slot.is_some() {
        return Err(taken());
    }
    *slot = Some(value);
    Ok(())
}

/// One `SEQUENCE { OID, value }` of the extension or of one of its nested sequences.
struct Entry<'a> {
    /// The OID's content octets after the SGX extension's (`[2, 17]` for `.2.17`).
    arcs: &'a [u8],
    /// The whole OID's content octets (for messages).
    oid: &'a [u8],
    value: Tlv<'a>,
}

impl Entry<'_> {
    /// The entry's OID in dotted form, for messages.
    fn name(&self) -> String {
        oid_to_string(self.oid).unwrap_or_else(|| "a malformed OID".to_owned())
    }
}

/// A SEQUENCE of `SEQUENCE { OID under 1.2.840.113741.1.13.1, value }`.
fn entries<'a>(seq: &Tlv<'a>) -> Result<Vec<Entry<'a>>, Bad> {
    if seq.tag != der::SEQUENCE {
        return Err("not a SEQUENCE".to_owned());
    }
    let mut items = seq.reader();
    let mut out = Vec::with_capacity(7);
    while !items.is_empty() {
        let item = items.read("SGX extension entry").map_err(der_text)?;
        if item.tag != der::SEQUENCE {
            return Err("an entry is not a SEQUENCE".to_owned());
        }
        let mut fields = item.reader();
        let mut count = 0usize;
        let mut next = || -> Result<Option<Tlv<'a>>, Bad> {
            if fields.is_empty() {
                return Ok(None);
            }
            count = count.saturating_add(1);
            fields
                .read("SGX extension entry")
                .map(Some)
                .map_err(der_text)
        };
        let (Some(oid), Some(value), None) = (next()?, next()?, next()?) else {
            while next()?.is_some() {}
            return Err(format!("an entry has {count} elements, expected 2"));
        };
        if oid.tag != der::OID {
            return Err("an entry does not start with an OID".to_owned());
        }
        // A well-formed OID (minimal arcs, a last arc that ends) before its bytes are
        // compared, so no malformed encoding can read as a known entry.
        if !der::oid_well_formed(oid.content) {
            return Err("an entry has a malformed OID".to_owned());
        }
        let arcs = oid
            .content
            .strip_prefix(SGX_OID_CONTENT)
            .filter(|rest| !rest.is_empty())
            .ok_or_else(|| {
                format!(
                    "entry OID {} is outside {SGX_EXTENSION_OID}",
                    oid_to_string(oid.content).unwrap_or_default()
                )
            })?;
        out.push(Entry {
            arcs,
            oid: oid.content,
            value,
        });
    }
    Ok(out)
}

fn octets<'a>(value: &Tlv<'a>, what: &str) -> Result<&'a [u8], Bad> {
    if value.tag == der::OCTET_STRING {
        Ok(value.content)
    } else {
        Err(format!("{what} is not an OCTET STRING"))
    }
}

fn fixed<const N: usize>(value: &Tlv<'_>, what: &str) -> Result<[u8; N], Bad> {
    let bytes = octets(value, what)?;
    bytes
        .try_into()
        .map_err(|_| format!("{what} is {} bytes, expected {N}", bytes.len()))
}

/// A minimal, non-negative INTEGER or ENUMERATED content of at most 32 bits.
fn unsigned(value: &Tlv<'_>, what: &str) -> Result<u32, Bad> {
    let content = value.integer("SGX extension value").map_err(der_text)?;
    if content.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(format!("{what} is not a non-negative 32-bit INTEGER"));
    }
    let magnitude = match content {
        [0, rest @ ..] => rest,
        all => all,
    };
    if magnitude.len() > 4 {
        return Err(format!("{what} is not a non-negative 32-bit INTEGER"));
    }
    Ok(magnitude.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b)))
}

fn small_int(value: &Tlv<'_>, what: &str, max: u32) -> Result<u32, Bad> {
    if value.tag != der::INTEGER {
        return Err(format!("{what} is not an INTEGER"));
    }
    let v = unsigned(value, what)?;
    if v > max {
        return Err(format!("{what} is {v}, above {max}"));
    }
    Ok(v)
}

fn decode_tcb(value: &Tlv<'_>) -> Result<([u8; 16], u16, [u8; 16]), Bad> {
    let mut comps: [Option<u8>; 16] = [None; 16];
    let mut pce_svn = None;
    let mut cpu_svn = None;
    for entry in entries(value)? {
        let taken = || format!("TCB entry {} appears twice", entry.name());
        let unknown = || format!("TCB entry {} is not known", entry.name());
        // Arcs up to 127 are one octet each: `.2.n` is [2, n].
        let n = match entry.arcs {
            [2, n] => usize::from(*n),
            [2, _, ..] => return Err(unknown()),
            _ => return Err(format!("TCB entry {} is outside .2", entry.name())),
        };
        let v = &entry.value;
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
            _ => return Err(unknown()),
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

fn decode_sgx_type(value: &Tlv<'_>) -> Result<SgxType, Bad> {
    if value.tag != der::ENUMERATED {
        return Err("SGX Type is not an ENUMERATED".to_owned());
    }
    match unsigned(value, "SGX Type")? {
        0 => Ok(SgxType::Standard),
        1 => Ok(SgxType::Scalable),
        2 => Ok(SgxType::ScalableWithIntegrity),
        v => Err(format!("SGX Type {v} is not known")),
    }
}

fn decode_configuration(value: &Tlv<'_>) -> Result<PlatformConfiguration, Bad> {
    let mut config = PlatformConfiguration::default();
    for entry in entries(value)? {
        if entry.value.tag != der::BOOLEAN {
            return Err(format!("configuration {} is not a BOOLEAN", entry.name()));
        }
        let flag = entry
            .value
            .boolean("SGX configuration flag")
            .map_err(der_text)?;
        let taken = || format!("configuration {} appears twice", entry.name());
        match entry.arcs {
            [7, 1] => set(&mut config.dynamic_platform, flag, taken)?,
            [7, 2] => set(&mut config.cached_keys, flag, taken)?,
            [7, 3] => set(&mut config.smt_enabled, flag, taken)?,
            _ => return Err(format!("configuration entry {} is not known", entry.name())),
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::der::write_tlv;

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_tlv(&mut out, tag, content);
        out
    }

    fn oid(arcs: &[u8]) -> Vec<u8> {
        tlv(der::OID, &[SGX_OID_CONTENT, arcs].concat())
    }

    fn entry(arcs: &[u8], value: Vec<u8>) -> Vec<u8> {
        tlv(der::SEQUENCE, &[oid(arcs), value].concat())
    }

    fn seq(items: &[Vec<u8>]) -> Vec<u8> {
        tlv(der::SEQUENCE, &items.concat())
    }

    fn int(n: &[u8]) -> Vec<u8> {
        tlv(der::INTEGER, n)
    }

    fn tcb(pcesvn: &[u8]) -> Vec<u8> {
        let mut items: Vec<Vec<u8>> = (1..=16u8).map(|n| entry(&[2, n], int(&[n]))).collect();
        items.push(entry(&[2, 17], int(pcesvn)));
        items.push(entry(&[2, 18], tlv(der::OCTET_STRING, &[0xC0; 16])));
        seq(&items)
    }

    /// A Processor-CA extension (5 entries) with `tcb` and `sgx_type` as given.
    fn processor(tcb: Vec<u8>, sgx_type: Vec<u8>) -> Vec<u8> {
        seq(&[
            entry(&[1], tlv(der::OCTET_STRING, &[0x11; 16])),
            entry(&[2], tcb),
            entry(&[3], tlv(der::OCTET_STRING, &[0, 0])),
            entry(&[4], tlv(der::OCTET_STRING, &[0x90, 0xC0, 0x6F, 0, 0, 0])),
            entry(&[5], sgx_type),
        ])
    }

    fn enumerated(n: u8) -> Vec<u8> {
        tlv(der::ENUMERATED, &[n])
    }

    #[test]
    fn a_processor_extension_decodes() {
        let ext = PckExtension::from_der(&processor(tcb(&[0x00, 0x80]), enumerated(1))).unwrap();
        assert_eq!(ext.ppid, [0x11; 16]);
        assert_eq!(ext.tcb_components, core::array::from_fn(|i| i as u8 + 1));
        assert_eq!(ext.pce_svn, 128);
        assert_eq!(ext.cpu_svn, [0xC0; 16]);
        assert_eq!(ext.fmspc, [0x90, 0xC0, 0x6F, 0, 0, 0]);
        assert_eq!(ext.sgx_type, SgxType::Scalable);
        assert_eq!(ext.configuration, None);
    }

    #[test]
    fn a_platform_extension_decodes_its_configuration() {
        let config = seq(&[
            entry(&[7, 1], tlv(der::BOOLEAN, &[0xFF])),
            entry(&[7, 3], tlv(der::BOOLEAN, &[0x00])),
        ]);
        let mut items = vec![
            entry(&[1], tlv(der::OCTET_STRING, &[0x11; 16])),
            entry(&[2], tcb(&[5])),
            entry(&[3], tlv(der::OCTET_STRING, &[0, 0])),
            entry(&[4], tlv(der::OCTET_STRING, &[0; 6])),
            entry(&[5], enumerated(0)),
            entry(&[6], tlv(der::OCTET_STRING, &[0x22; 16])),
        ];
        items.push(entry(&[7], config));
        let ext = PckExtension::from_der(&seq(&items)).unwrap();
        assert_eq!(ext.platform_instance_id, Some([0x22; 16]));
        let c = ext.configuration.unwrap();
        assert_eq!(
            (c.dynamic_platform, c.cached_keys, c.smt_enabled),
            (Some(true), None, Some(false))
        );
    }

    #[test]
    fn each_malformed_part_is_named() {
        let reason = |der: Vec<u8>| PckExtension::from_der(&der).unwrap_err();
        let good_tcb = || tcb(&[5]);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (seq(&[]), "0 entries, expected 5 or 7"),
            (
                [processor(good_tcb(), enumerated(0)), vec![0]].concat(),
                "1 trailing bytes",
            ),
            (tlv(der::OCTET_STRING, &[]), "not a SEQUENCE"),
            (
                processor(good_tcb(), enumerated(3)),
                "SGX Type 3 is not known",
            ),
            (
                processor(good_tcb(), int(&[0])),
                "SGX Type is not an ENUMERATED",
            ),
            // The negative and over-long values an INTEGER can hold.
            (
                processor(tcb(&[0xFF]), enumerated(0)),
                "PCESVN is not a non-negative",
            ),
            (
                processor(tcb(&[1, 0, 0]), enumerated(0)),
                "PCESVN is 65536, above 65535",
            ),
            (
                processor(tcb(&[0, 1]), enumerated(0)),
                "non-minimal INTEGER",
            ),
            (
                seq(&[entry(&[9], tlv(der::NULL, &[]))]),
                "unknown entry 1.2.840.113741.1.13.1.9",
            ),
            (
                seq(&[tlv(
                    der::SEQUENCE,
                    &[oid(&[1]), tlv(der::NULL, &[]), tlv(der::NULL, &[])].concat(),
                )]),
                "an entry has 3 elements, expected 2",
            ),
            (
                seq(&[tlv(
                    der::SEQUENCE,
                    &[tlv(der::OID, &[0x2A, 0x03]), tlv(der::NULL, &[])].concat(),
                )]),
                "entry OID 1.2.3 is outside 1.2.840.113741.1.13.1",
            ),
            // An unterminated arc must not read as `.1`.
            (
                seq(&[entry(&[0x81], tlv(der::NULL, &[]))]),
                "an entry has a malformed OID",
            ),
            (
                seq(&[
                    entry(&[1], tlv(der::OCTET_STRING, &[0; 16])),
                    entry(&[1], tlv(der::OCTET_STRING, &[0; 16])),
                ]),
                "1.2.840.113741.1.13.1.1 appears twice",
            ),
            (
                processor(seq(&[entry(&[3, 1], int(&[1]))]), enumerated(0)),
                "TCB entry 1.2.840.113741.1.13.1.3.1 is outside .2",
            ),
            (
                processor(seq(&[entry(&[2, 19], int(&[1]))]), enumerated(0)),
                "TCB entry 1.2.840.113741.1.13.1.2.19 is not known",
            ),
            (
                processor(seq(&[entry(&[2, 1, 1], int(&[1]))]), enumerated(0)),
                "TCB entry 1.2.840.113741.1.13.1.2.1.1 is not known",
            ),
            (
                processor(
                    seq(&[entry(&[2, 1], int(&[1])), entry(&[2, 1], int(&[1]))]),
                    enumerated(0),
                ),
                "TCB entry 1.2.840.113741.1.13.1.2.1 appears twice",
            ),
            (processor(seq(&[]), enumerated(0)), "TCB has no COMP01 SVN"),
            (
                seq(&[entry(
                    &[7],
                    seq(&[entry(&[7, 1], tlv(der::BOOLEAN, &[0x01]))]),
                )]),
                "BOOLEAN is not one octet 00 or FF",
            ),
            (
                seq(&[entry(
                    &[7],
                    seq(&[entry(&[7, 4], tlv(der::BOOLEAN, &[0xFF]))]),
                )]),
                "configuration entry 1.2.840.113741.1.13.1.7.4 is not known",
            ),
            (
                seq(&[entry(&[1], tlv(der::OCTET_STRING, &[0; 15]))]),
                "PPID is 15 bytes, expected 16",
            ),
            (
                seq(&[entry(&[1], int(&[0]))]),
                "PPID is not an OCTET STRING",
            ),
            // Lengths are DER's: an indefinite length is refused.
            (vec![0x30, 0x80, 0x00, 0x00], "indefinite length"),
        ];
        for (der, expected) in cases {
            let got = reason(der);
            assert!(got.contains(expected), "{got:?} should say {expected:?}");
        }
    }
}
