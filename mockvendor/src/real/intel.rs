//! Intel PCS v4 (and PCCS, and the certificates host) from one `tdx/cases/<case>/collateral`.

use std::path::Path;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

use super::{content_type, read, read_dir_sorted};
use crate::catalog::Catalog;
use crate::error::{malformed, BuildError};

/// What PCS leaves unescaped in its issuer-chain headers (as JavaScript's
/// `encodeURIComponent`): letters, digits and `-_.!~*'()`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// The PCS v4 issuer-chain header of TCB Info (SGX and TDX alike).
pub(crate) const TCB_INFO_ISSUER_CHAIN: &str = "TCB-Info-Issuer-Chain";
/// The PCS v4 issuer-chain header of the QE identities.
pub(crate) const ENCLAVE_IDENTITY_ISSUER_CHAIN: &str = "SGX-Enclave-Identity-Issuer-Chain";
/// The PCS v4 issuer-chain header of the PCK CRL.
pub(crate) const PCK_CRL_ISSUER_CHAIN: &str = "SGX-PCK-CRL-Issuer-Chain";

impl Catalog {
    /// The names of the Intel cases (`tdx/cases/*`), sorted.
    ///
    /// # Errors
    /// If the folder cannot be read.
    pub fn intel_case_names() -> Result<Vec<String>, BuildError> {
        let cases = testvectors::real::tdx_dir().join("cases");
        Ok(read_dir_sorted(&cases)?
            .into_iter()
            .filter(|p| p.join("collateral").is_dir())
            .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_owned))
            .collect())
    }

    /// Intel PCS v4 (base [`INTEL_PCS_BASE`](crate::INTEL_PCS_BASE)) for the one case
    /// `tdx/cases/<name>` (cases share URLs such as `qe/identity`, so a catalog holds one;
    /// merge cases that agree). `{tee}` is `tdx` or `sgx`, taken from the documents' own
    /// ids (`tcbInfo.id` "TDX"/"SGX", absent = SGX; `enclaveIdentity.id` "TD_QE"/"QE"):
    ///
    /// | path | body | header |
    /// |---|---|---|
    /// | `/{tee}/certification/v4/tcb?fmspc={tcbInfo.fmspc}` | `tcb_info.json` | `TCB-Info-Issuer-Chain` |
    /// | `/{tee}/certification/v4/qe/identity` | `qe_identity.json` | `SGX-Enclave-Identity-Issuer-Chain` |
    /// | `/sgx/certification/v4/pckcrl?ca={platform,processor}&encoding=der` | `pck_crl.der` | `SGX-PCK-CRL-Issuer-Chain` |
    /// | `/sgx/certification/v4/rootcacrl` (PCCS) | `root_ca_crl.der` | |
    /// | `/IntelSGXRootCA.der` (certificates host) | `root_ca_crl.der` | |
    ///
    /// Issuer chains are the case's `*_issuer_chain.pem` files, URL-encoded as PCS sends
    /// them. The PCK CRL's `ca` comes from the CRL issuer's CN (Platform or Processor CA).
    ///
    /// # Errors
    /// [`BuildError::UnknownCase`], or a collateral file missing or malformed.
    pub fn intel_case(name: &str) -> Result<Self, BuildError> {
        let case = testvectors::real::tdx_dir().join("cases").join(name);
        if name.contains(['/', '\\']) || !case.join("collateral").is_dir() {
            return Err(BuildError::UnknownCase(name.to_owned()));
        }
        Self::intel_collateral_from(&case.join("collateral"))
    }

    /// [`Catalog::intel_case`] from any folder laid out as `tdx/cases/<case>/collateral`.
    ///
    /// # Errors
    /// A collateral file missing or malformed.
    pub fn intel_collateral_from(dir: &Path) -> Result<Self, BuildError> {
        let mut catalog = Self::new();

        let tcb_path = dir.join("tcb_info.json");
        let tcb_info = read(&tcb_path)?;
        let doc = json(&tcb_path, &tcb_info)?;
        let fmspc = doc
            .pointer("/tcbInfo/fmspc")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(&tcb_path, "no tcbInfo.fmspc"))?;
        let tee = match doc.pointer("/tcbInfo/id").map(Value::as_str) {
            Some(Some("TDX")) => "tdx",
            Some(Some("SGX")) | None => "sgx",
            other => return Err(malformed(&tcb_path, format!("tcbInfo.id {other:?}"))),
        };
        let chain = issuer_chain(&dir.join("tcb_info_issuer_chain.pem"))?;
        catalog.route(
            &format!("/{tee}/certification/v4/tcb"),
            &[("fmspc", fmspc)],
            tcb_info.clone(),
            &[
                ("Content-Type", content_type::JSON),
                (TCB_INFO_ISSUER_CHAIN, &chain),
            ],
        );

        let qe_path = dir.join("qe_identity.json");
        let qe_identity = read(&qe_path)?;
        let doc = json(&qe_path, &qe_identity)?;
        let tee = match doc.pointer("/enclaveIdentity/id").and_then(Value::as_str) {
            Some("TD_QE") => "tdx",
            Some("QE") => "sgx",
            other => return Err(malformed(&qe_path, format!("enclaveIdentity.id {other:?}"))),
        };
        let chain = issuer_chain(&dir.join("qe_identity_issuer_chain.pem"))?;
        catalog.route(
            &format!("/{tee}/certification/v4/qe/identity"),
            &[],
            qe_identity,
            &[
                ("Content-Type", content_type::JSON),
                (ENCLAVE_IDENTITY_ISSUER_CHAIN, &chain),
            ],
        );

        let crl_path = dir.join("pck_crl.der");
        let pck_crl = read(&crl_path)?;
        let ca = pck_crl_ca(&crl_path, &pck_crl)?;
        let chain = issuer_chain(&dir.join("pck_crl_issuer_chain.pem"))?;
        catalog.route(
            "/sgx/certification/v4/pckcrl",
            &[("ca", ca), ("encoding", "der")],
            pck_crl,
            &[
                ("Content-Type", content_type::CRL),
                (PCK_CRL_ISSUER_CHAIN, &chain),
            ],
        );

        let root_crl = read(&dir.join("root_ca_crl.der"))?;
        for path in ["/sgx/certification/v4/rootcacrl", "/IntelSGXRootCA.der"] {
            catalog.route(
                path,
                &[],
                root_crl.clone(),
                &[("Content-Type", content_type::CRL)],
            );
        }
        Ok(catalog)
    }
}

fn json(path: &Path, bytes: &[u8]) -> Result<Value, BuildError> {
    serde_json::from_slice(bytes).map_err(|e| malformed(path, e.to_string()))
}

/// The PEM file, URL-encoded as a PCS issuer-chain header.
fn issuer_chain(path: &Path) -> Result<String, BuildError> {
    let pem = String::from_utf8(read(path)?).map_err(|e| malformed(path, e.to_string()))?;
    Ok(utf8_percent_encode(&pem, URI_COMPONENT).to_string())
}

/// `platform` or `processor`, from the CN of the CRL's issuer.
fn pck_crl_ca(path: &Path, der: &[u8]) -> Result<&'static str, BuildError> {
    let (_, crl) = x509_parser::parse_x509_crl(der).map_err(|e| malformed(path, e.to_string()))?;
    let cn = crl
        .issuer()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .unwrap_or("");
    match cn {
        "Intel SGX PCK Platform CA" => Ok("platform"),
        "Intel SGX PCK Processor CA" => Ok("processor"),
        other => Err(malformed(
            path,
            format!("CRL issuer CN {other:?} is no PCK CA"),
        )),
    }
}
