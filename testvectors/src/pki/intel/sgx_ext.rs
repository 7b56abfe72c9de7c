//! The SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1; Intel "SGX PCK
//! Certificate and CRL Profile", and `shared/notes/tdx.md` §8): a SEQUENCE of
//! `SEQUENCE { OID, value }` entries, 7 for Platform-CA certificates and 5 for
//! Processor-CA ones.

use crate::pki::asn1::{boolean, integer, object_identifier, octet_string, oid, sequence, tlv};

/// The SGX extension OID.
pub const SGX_EXTENSION_OID: &str = "1.2.840.113741.1.13.1";

/// `sgx_type` of a Standard platform (Processor CA).
pub const SGX_TYPE_STANDARD: u8 = 0;
/// `sgx_type` of a Scalable platform (Platform CA; every TDX host seen).
pub const SGX_TYPE_SCALABLE: u8 = 1;
/// `sgx_type` of a Scalable platform with integrity.
pub const SGX_TYPE_SCALABLE_WITH_INTEGRITY: u8 = 2;

/// The default FMSPC of the fake PCK certificate and TCB Info: a Sapphire Rapids
/// (TDX-capable Xeon) value seen in real collateral.
pub const DEFAULT_FMSPC: [u8; 6] = [0x90, 0xC0, 0x6F, 0x00, 0x00, 0x00];

/// The default PCE-ID (every real PCK certificate seen has 0000).
pub const DEFAULT_PCE_ID: [u8; 2] = [0x00, 0x00];

/// The default SGX TCB component SVNs (COMP01..16) of the fake PCK certificate, shaped like
/// a real Xeon's: equal to the components of the UpToDate level of the default TCB Info.
pub const DEFAULT_COMP_SVNS: [u8; 16] = [3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0];

/// The default PCESVN (current real value).
pub const DEFAULT_PCESVN: u16 = 13;

/// The Configuration entry (`.7`) of a Platform-CA PCK certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PckConfiguration {
    /// `.7.1` dynamicPlatform.
    pub dynamic_platform: bool,
    /// `.7.2` cachedKeys.
    pub cached_keys: bool,
    /// `.7.3` SMTEnabled.
    pub smt_enabled: bool,
}

/// Every field of the SGX extension, before encoding. Every value is written as given, so
/// tests can produce inconsistent certificates (e.g. `cpusvn` different from `comp_svns`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PckSpec {
    /// `.1` PPID (OCTET STRING, 16 bytes).
    pub ppid: [u8; 16],
    /// `.2.1`–`.2.16` SGX TCB component SVNs (INTEGER each, so 128 is encoded `02 02 00 80`).
    pub comp_svns: [u8; 16],
    /// `.2.17` PCESVN (INTEGER).
    pub pcesvn: u16,
    /// `.2.18` CPUSVN (OCTET STRING, 16 bytes). Intel matches TCB levels on `comp_svns`;
    /// dcap-qvl matches them on these bytes, so the default keeps both equal.
    pub cpusvn: [u8; 16],
    /// `.3` PCE-ID (OCTET STRING, 2 bytes).
    pub pce_id: [u8; 2],
    /// `.4` FMSPC (OCTET STRING, 6 bytes).
    pub fmspc: [u8; 6],
    /// `.5` SGX Type (ENUMERATED; see [`SGX_TYPE_SCALABLE`]).
    pub sgx_type: u8,
    /// `.6` Platform Instance ID (OCTET STRING, 16 bytes); `None` omits the entry
    /// (Processor-CA certificates).
    pub platform_instance_id: Option<[u8; 16]>,
    /// `.7` Configuration; `None` omits the entry (Processor-CA certificates).
    pub configuration: Option<PckConfiguration>,
    /// Raw extnValue content written instead of the encoding of the fields above (for
    /// malformed-extension cases). The fields still describe what the quote builder assumes.
    pub raw_extension: Option<Vec<u8>>,
}

impl Default for PckSpec {
    fn default() -> Self {
        Self::platform_default()
    }
}

impl PckSpec {
    /// A Platform-CA PCK certificate (7 entries, sgx_type Scalable) with
    /// [`DEFAULT_COMP_SVNS`], [`DEFAULT_PCESVN`], [`DEFAULT_FMSPC`] and [`DEFAULT_PCE_ID`].
    pub fn platform_default() -> Self {
        Self {
            ppid: *b"verdict-ppid-001",
            comp_svns: DEFAULT_COMP_SVNS,
            pcesvn: DEFAULT_PCESVN,
            cpusvn: DEFAULT_COMP_SVNS,
            pce_id: DEFAULT_PCE_ID,
            fmspc: DEFAULT_FMSPC,
            sgx_type: SGX_TYPE_SCALABLE,
            platform_instance_id: Some(*b"verdict-platform"),
            configuration: Some(PckConfiguration {
                dynamic_platform: true,
                cached_keys: true,
                smt_enabled: true,
            }),
            raw_extension: None,
        }
    }

    /// A Processor-CA PCK certificate: 5 entries, sgx_type Standard, same TCB.
    pub fn processor_default() -> Self {
        Self {
            sgx_type: SGX_TYPE_STANDARD,
            platform_instance_id: None,
            configuration: None,
            ..Self::platform_default()
        }
    }

    /// Sets both the component SVNs and the CPUSVN bytes (the consistent way to change the
    /// platform TCB).
    pub fn set_tcb(&mut self, comp_svns: [u8; 16], pcesvn: u16) {
        self.comp_svns = comp_svns;
        self.cpusvn = comp_svns;
        self.pcesvn = pcesvn;
    }

    /// The extnValue content: `raw_extension`, or the DER of the fields.
    pub fn extension_value(&self) -> Vec<u8> {
        if let Some(raw) = &self.raw_extension {
            return raw.clone();
        }
        let mut tcb: Vec<Vec<u8>> = (1u8..)
            .zip(self.comp_svns)
            .map(|(i, svn)| entry(&format!("2.{i}"), &integer(svn.into())))
            .collect();
        tcb.push(entry("2.17", &integer(self.pcesvn.into())));
        tcb.push(entry("2.18", &octet_string(&self.cpusvn)));

        let mut entries = vec![
            entry("1", &octet_string(&self.ppid)),
            entry(
                "2",
                &sequence(&tcb.iter().map(Vec::as_slice).collect::<Vec<_>>()),
            ),
            entry("3", &octet_string(&self.pce_id)),
            entry("4", &octet_string(&self.fmspc)),
            // ENUMERATED, tag 10.
            entry("5", &tlv(0x0A, &[self.sgx_type])),
        ];
        if let Some(id) = &self.platform_instance_id {
            entries.push(entry("6", &octet_string(id)));
        }
        if let Some(c) = &self.configuration {
            let flags = [
                entry("7.1", &boolean(c.dynamic_platform)),
                entry("7.2", &boolean(c.cached_keys)),
                entry("7.3", &boolean(c.smt_enabled)),
            ];
            entries.push(entry(
                "7",
                &sequence(&flags.iter().map(Vec::as_slice).collect::<Vec<_>>()),
            ));
        }
        sequence(&entries.iter().map(Vec::as_slice).collect::<Vec<_>>())
    }
}

/// `SEQUENCE { OID 1.2.840.113741.1.13.1.<suffix>, value }`.
fn entry(suffix: &str, value: &[u8]) -> Vec<u8> {
    sequence(&[
        &object_identifier(&oid(&format!("{SGX_EXTENSION_OID}.{suffix}"))),
        value,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_extension_layout() {
        let der = PckSpec::platform_default().extension_value();
        // Outer SEQUENCE with a two-byte length, first entry the PPID.
        assert_eq!(&der[..2], &[0x30, 0x82]);
        let ppid_entry = entry("1", &octet_string(b"verdict-ppid-001"));
        assert_eq!(&der[4..4 + ppid_entry.len()], ppid_entry.as_slice());
        // The same size as a real Platform-CA extension (550 bytes of content).
        assert_eq!(der.len(), 4 + 550);
        assert_eq!(
            PckSpec::processor_default().extension_value().len(),
            4 + 550 - 32 - 70
        );
    }

    #[test]
    fn svn_128_is_a_two_byte_integer() {
        let mut spec = PckSpec::platform_default();
        spec.comp_svns[0] = 128;
        let der = spec.extension_value();
        let comp01 = entry("2.1", &[0x02, 0x02, 0x00, 0x80]);
        assert!(der.windows(comp01.len()).any(|w| w == comp01.as_slice()));
    }

    #[test]
    fn raw_override_is_written_as_is() {
        let spec = PckSpec {
            raw_extension: Some(vec![0x30, 0x00]),
            ..PckSpec::platform_default()
        };
        assert_eq!(spec.extension_value(), [0x30, 0x00]);
    }
}
