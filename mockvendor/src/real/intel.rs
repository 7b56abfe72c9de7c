//! Intel PCS v4 (and PCCS, and the certificates host) from one `tdx/cases/<case>/collateral`.

use std::path::Path;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

use testvectors::build::tdx::{Collateral, PckCertId};
use testvectors::pki::intel::PcsPckCertificate;

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
/// The PCS v4 issuer-chain header of a PCK certificate.
pub(crate) const PCK_CERT_ISSUER_CHAIN: &str = "SGX-PCK-Certificate-Issuer-Chain";
/// PCS v4's PCK certificate by encrypted PPID.
pub(crate) const PCK_CERT_PATH: &str = "/sgx/certification/v4/pckcert";

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
        let text = |name: &str| -> Result<String, BuildError> {
            let path = dir.join(name);
            String::from_utf8(read(&path)?).map_err(|e| malformed(&path, e.to_string()))
        };
        Self::intel_collateral(&IntelFiles {
            dir,
            tcb_info: read(&dir.join("tcb_info.json"))?,
            tcb_info_issuer_chain: text("tcb_info_issuer_chain.pem")?,
            qe_identity: read(&dir.join("qe_identity.json"))?,
            qe_identity_issuer_chain: text("qe_identity_issuer_chain.pem")?,
            pck_crl: read(&dir.join("pck_crl.der"))?,
            pck_crl_issuer_chain: text("pck_crl_issuer_chain.pem")?,
            root_ca_crl: read(&dir.join("root_ca_crl.der"))?,
        })
    }

    /// Intel PCS v4 for the fake Intel PKI of `testvectors` (nothing read from disk): the
    /// routes of [`Catalog::intel_case`] for `collateral`, and PCS's PCK certificate by
    /// encrypted PPID for the platform `id` names:
    ///
    /// | path | body | headers |
    /// |---|---|---|
    /// | `/sgx/certification/v4/pckcert?encrypted_ppid=…&cpusvn=…&pcesvn=…&pceid=…[&qeid=…]` | `pck.pem` | `SGX-PCK-Certificate-Issuer-Chain` (URL-encoded), `SGX-TCBm`, `SGX-FMSPC`, `SGX-PCK-Certificate-CA-Type` |
    ///
    /// `pck` is usually [`IntelPki::pcs_pck_certificate`] of the PKI the quote was made
    /// with; another PKI's serves another platform's certificate under the same query.
    ///
    /// # Errors
    /// If the collateral's JSON or CRLs do not read (as for [`Catalog::intel_case`]).
    ///
    /// [`IntelPki::pcs_pck_certificate`]: testvectors::pki::intel::IntelPki::pcs_pck_certificate
    pub fn intel_fake(
        collateral: &Collateral,
        id: &PckCertId,
        pck: &PcsPckCertificate,
    ) -> Result<Self, BuildError> {
        let mut catalog = Self::intel_collateral(&IntelFiles {
            dir: Path::new("(fake Intel collateral)"),
            tcb_info: collateral.tcb_info.body(),
            tcb_info_issuer_chain: collateral.tcb_info_issuer_chain.clone(),
            qe_identity: collateral.qe_identity.body(),
            qe_identity_issuer_chain: collateral.qe_identity_issuer_chain.clone(),
            pck_crl: collateral.pck_crl.clone(),
            pck_crl_issuer_chain: collateral.pck_crl_issuer_chain.clone(),
            root_ca_crl: collateral.root_ca_crl.clone(),
        })?;
        catalog.intel_pck_certificate(id, pck);
        Ok(catalog)
    }

    /// Serves `pck` at `GET /sgx/certification/v4/pckcert` for the platform `id` names,
    /// as PCS does (by encrypted PPID, CPUSVN, PCESVN and PCE-ID) and as a PCCS does (the
    /// same and the QE-ID, `qeid`); see [`Catalog::intel_fake`].
    pub fn intel_pck_certificate(&mut self, id: &PckCertId, pck: &PcsPckCertificate) -> &mut Self {
        let chain = utf8_percent_encode(&pck.issuer_chain, URI_COMPONENT).to_string();
        for query in [id.pcs_query(), id.pccs_query()] {
            let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
            self.route(
                PCK_CERT_PATH,
                &query,
                pck.pem.clone().into_bytes(),
                &[
                    ("Content-Type", content_type::PEM),
                    (PCK_CERT_ISSUER_CHAIN, &chain),
                    ("SGX-TCBm", &pck.tcbm),
                    ("SGX-FMSPC", &pck.fmspc),
                    ("SGX-PCK-Certificate-CA-Type", pck.ca_type),
                ],
            );
        }
        self
    }

    fn intel_collateral(files: &IntelFiles<'_>) -> Result<Self, BuildError> {
        let dir = files.dir;
        let mut catalog = Self::new();

        let tcb_path = dir.join("tcb_info.json");
        let tcb_info = &files.tcb_info;
        let doc = json(&tcb_path, tcb_info)?;
        let fmspc = doc
            .pointer("/tcbInfo/fmspc")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(&tcb_path, "no tcbInfo.fmspc"))?;
        let tee = match doc.pointer("/tcbInfo/id").map(Value::as_str) {
            Some(Some("TDX")) => "tdx",
            Some(Some("SGX")) | None => "sgx",
            other => return Err(malformed(&tcb_path, format!("tcbInfo.id {other:?}"))),
        };
        let chain = issuer_chain(&files.tcb_info_issuer_chain);
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
        let qe_identity = &files.qe_identity;
        let doc = json(&qe_path, qe_identity)?;
        let tee = match doc.pointer("/enclaveIdentity/id").and_then(Value::as_str) {
            Some("TD_QE") => "tdx",
            Some("QE") => "sgx",
            other => return Err(malformed(&qe_path, format!("enclaveIdentity.id {other:?}"))),
        };
        let chain = issuer_chain(&files.qe_identity_issuer_chain);
        catalog.route(
            &format!("/{tee}/certification/v4/qe/identity"),
            &[],
            qe_identity.clone(),
            &[
                ("Content-Type", content_type::JSON),
                (ENCLAVE_IDENTITY_ISSUER_CHAIN, &chain),
            ],
        );

        let crl_path = dir.join("pck_crl.der");
        let pck_crl = &files.pck_crl;
        let ca = pck_crl_ca(&crl_path, pck_crl)?;
        let chain = issuer_chain(&files.pck_crl_issuer_chain);
        catalog.route(
            "/sgx/certification/v4/pckcrl",
            &[("ca", ca), ("encoding", "der")],
            pck_crl.clone(),
            &[
                ("Content-Type", content_type::CRL),
                (PCK_CRL_ISSUER_CHAIN, &chain),
            ],
        );

        for path in ["/sgx/certification/v4/rootcacrl", "/IntelSGXRootCA.der"] {
            catalog.route(
                path,
                &[],
                files.root_ca_crl.clone(),
                &[("Content-Type", content_type::CRL)],
            );
        }
        Ok(catalog)
    }
}

/// The documents of one Intel collateral folder (real or fake), in memory.
struct IntelFiles<'a> {
    /// Where they are from (error messages name files below it).
    dir: &'a Path,
    tcb_info: Vec<u8>,
    tcb_info_issuer_chain: String,
    qe_identity: Vec<u8>,
    qe_identity_issuer_chain: String,
    pck_crl: Vec<u8>,
    pck_crl_issuer_chain: String,
    root_ca_crl: Vec<u8>,
}

fn json(path: &Path, bytes: &[u8]) -> Result<Value, BuildError> {
    serde_json::from_slice(bytes).map_err(|e| malformed(path, e.to_string()))
}

/// PEM, URL-encoded as a PCS issuer-chain header.
fn issuer_chain(pem: &str) -> String {
    utf8_percent_encode(pem, URI_COMPONENT).to_string()
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
