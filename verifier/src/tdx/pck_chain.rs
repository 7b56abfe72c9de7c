//! The PCK certificate chain a DCAP quote carries (certification data type 5): PCK →
//! PCK Platform/Processor CA → Intel SGX Root CA, parsed, with the PCK's SGX extension.

use super::pck_ext::PckExtension;
use super::quote::{pck_chain_pem, require_pck_chain, Quote};
use crate::error::{Error, ParseError, ParseErrorKind};
use crate::pki::Certificate;

pub(super) const PCK_LEAF_CN: &str = "Intel SGX PCK Certificate";
pub(super) const PLATFORM_CA_CN: &str = "Intel SGX PCK Platform CA";
pub(super) const PROCESSOR_CA_CN: &str = "Intel SGX PCK Processor CA";
pub(super) const TCB_SIGNING_CN: &str = "Intel SGX TCB Signing";

/// The PCK chain a quote carries, parsed, with its PCK extension decoded.
#[derive(Debug)]
pub(crate) struct PckChain {
    pub(super) leaf: Certificate,
    pub(super) ca: Certificate,
    pub(super) root: Certificate,
    pub(super) pck: Result<PckExtension, Error>,
}

/// The PCK chain of a quote, parsed: exactly PCK, PCK CA, root.
pub(super) fn parse_pck_chain(quote: &Quote<'_>) -> Result<PckChain, Error> {
    let cert = &quote.signature.certification;
    require_pck_chain(cert)?;
    let ders = pck_chain_pem(cert)?;
    let mut certs = ders
        .iter()
        .map(|d| Certificate::from_der(d))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter();
    let (Some(leaf), Some(ca), Some(root), None) =
        (certs.next(), certs.next(), certs.next(), certs.next())
    else {
        return Err(ParseError {
            what: "PCK certificate chain",
            offset: cert.offset,
            kind: ParseErrorKind::InvalidValue(
                "must hold 3 certificates: PCK, PCK CA, Intel SGX Root CA",
            ),
        }
        .into());
    };
    let pck = PckExtension::decode(&leaf);
    Ok(PckChain {
        leaf,
        ca,
        root,
        pck,
    })
}
