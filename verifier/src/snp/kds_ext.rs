//! The AMD extensions of VCEK and VLEK certificates (AMD 57230, "VCEK certificate
//! extensions"), under 1.3.6.1.4.1.3704.1.

use x509_parser::asn1_rs::{FromDer, Ia5String};

use super::{Product, TcbParts};
use crate::error::CertErrorKind;
use crate::pki::Certificate;

const STRUCT_VERSION: &str = "1.3.6.1.4.1.3704.1.1";
const PRODUCT_NAME: &str = "1.3.6.1.4.1.3704.1.2";
const BL_SPL: &str = "1.3.6.1.4.1.3704.1.3.1";
const TEE_SPL: &str = "1.3.6.1.4.1.3704.1.3.2";
const SNP_SPL: &str = "1.3.6.1.4.1.3704.1.3.3";
const UCODE_SPL: &str = "1.3.6.1.4.1.3704.1.3.8";
const FMC_SPL: &str = "1.3.6.1.4.1.3704.1.3.9";
const HW_ID: &str = "1.3.6.1.4.1.3704.1.4";
const CSP_ID: &str = "1.3.6.1.4.1.3704.1.5";

/// The decoded AMD extensions of a VCEK or VLEK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VekExtensions {
    /// structVersion (0 for Milan/Genoa, 1 for Turin).
    pub struct_version: Option<u64>,
    /// productName, e.g. `Milan-B0`, `Genoa`, `Turin`.
    pub product_name: Option<String>,
    /// The certified TCB; `fmc` is present only when the certificate has fmcSPL.
    pub tcb: TcbParts,
    /// hwID (VCEK): 64 bytes, or 8 on Turin.
    pub hw_id: Option<Vec<u8>>,
    /// cspID (VLEK), e.g. `CN=cc-us-east-2.amazonaws.com`.
    pub csp_id: Option<String>,
}

fn bad(name: &'static str, reason: impl Into<String>) -> CertErrorKind {
    CertErrorKind::BadExtension {
        name,
        reason: reason.into(),
    }
}

fn spl(
    cert: &Certificate,
    oid: &'static str,
    name: &'static str,
) -> Result<Option<u8>, CertErrorKind> {
    let Some(ext) = cert.extension(oid) else {
        return Ok(None);
    };
    // A DER INTEGER; values of 128 and above take two bytes (02 02 00 DB).
    match u8::from_der(&ext.value) {
        Ok(([], v)) => Ok(Some(v)),
        _ => Err(bad(name, "not a DER INTEGER in 0..=255")),
    }
}

fn required_spl(
    cert: &Certificate,
    oid: &'static str,
    name: &'static str,
) -> Result<u8, CertErrorKind> {
    spl(cert, oid, name)?.ok_or(CertErrorKind::MissingExtension { name, oid })
}

/// The productName extension alone (used to learn the product of a v2 report).
pub(crate) fn product_name(cert: &Certificate) -> Option<String> {
    let ext = cert.extension(PRODUCT_NAME)?;
    match Ia5String::from_der(&ext.value) {
        Ok(([], s)) => Some(s.string()),
        _ => None,
    }
}

/// The hwID extension as each product layout reads it (Milan/Genoa: 64 bytes; Turin: 8),
/// for the bundle index: which layout applies is known only once the report is, and
/// [`VekExtensions::decode`] with that layout yields one of these. `None` without hwID.
pub(crate) fn hwid_readings(cert: &Certificate) -> Option<Vec<Vec<u8>>> {
    let value = &cert.extension(HW_ID)?.value;
    let mut readings: Vec<Vec<u8>> = Vec::with_capacity(Product::ALL.len());
    for product in Product::ALL {
        let id = unwrap_hwid(value, product.hwid_len());
        if !readings.contains(&id) {
            readings.push(id);
        }
    }
    Some(readings)
}

impl VekExtensions {
    /// Decodes the extensions. Every TCB SPL the product needs must be present (AMD
    /// always issues them; a missing one must not be read as zero).
    ///
    /// # Errors
    /// [`CertErrorKind::MissingExtension`] or [`CertErrorKind::BadExtension`].
    pub fn decode(cert: &Certificate, product: Product) -> Result<Self, CertErrorKind> {
        let struct_version = match cert.extension(STRUCT_VERSION) {
            None => None,
            Some(ext) => match u64::from_der(&ext.value) {
                Ok(([], v)) => Some(v),
                _ => return Err(bad("structVersion", "not a DER INTEGER")),
            },
        };
        let product_name = match cert.extension(PRODUCT_NAME) {
            None => None,
            Some(ext) => match Ia5String::from_der(&ext.value) {
                Ok(([], s)) => Some(s.string()),
                _ => return Err(bad("productName", "not a DER IA5String")),
            },
        };
        let fmc = if product.has_fmc() {
            Some(required_spl(cert, FMC_SPL, "fmcSPL")?)
        } else {
            None
        };
        let tcb = TcbParts {
            fmc,
            bootloader: required_spl(cert, BL_SPL, "blSPL")?,
            tee: required_spl(cert, TEE_SPL, "teeSPL")?,
            snp: required_spl(cert, SNP_SPL, "snpSPL")?,
            microcode: required_spl(cert, UCODE_SPL, "ucodeSPL")?,
        };
        let hw_id = cert
            .extension(HW_ID)
            .map(|ext| unwrap_hwid(&ext.value, product.hwid_len()));
        let csp_id = match cert.extension(CSP_ID) {
            None => None,
            Some(ext) => match Ia5String::from_der(&ext.value) {
                Ok(([], s)) => Some(s.string()),
                _ => return Err(bad("cspID", "not a DER IA5String")),
            },
        };
        Ok(Self {
            struct_version,
            product_name,
            tcb,
            hw_id,
            csp_id,
        })
    }
}

/// AMD writes hwID as the raw bytes with no inner tag. Some tools wrap it in an OCTET
/// STRING; accept that too, but only when the wrapper is exact — never by sniffing the
/// first byte of a raw id, which may itself be 0x04 (virtee/snpguest#38).
fn unwrap_hwid(value: &[u8], expected_len: usize) -> Vec<u8> {
    if value.len() == expected_len {
        return value.to_vec();
    }
    match value {
        [0x04, len, rest @ ..]
            if usize::from(*len) == expected_len && rest.len() == expected_len =>
        {
            rest.to_vec()
        }
        _ => value.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::unwrap_hwid;

    #[test]
    fn hwid_raw_and_wrapped() {
        let raw: Vec<u8> = (0..64).collect();
        assert_eq!(unwrap_hwid(&raw, 64), raw);
        let mut wrapped = vec![0x04, 64];
        wrapped.extend_from_slice(&raw);
        assert_eq!(unwrap_hwid(&wrapped, 64), raw);
        // A raw 8-byte Turin id starting with 0x04 is not a wrapper.
        let turin = [0x04, 0x06, 1, 2, 3, 4, 5, 6];
        assert_eq!(unwrap_hwid(&turin, 8), turin.to_vec());
    }
}
