//! AMD KDS from `snp/`: the CA chains, the CRLs and every VCEK of `EXPECTED.tsv`.

use std::path::Path;

use x509_parser::asn1_rs::{FromDer, Ia5String};

use super::{content_type, read};
use crate::catalog::Catalog;
use crate::error::{malformed, BuildError};

/// The KDS product lines and their file-name prefix under `snp/roots/`.
const PRODUCTS: [(&str, &str); 3] = [("Milan", "milan"), ("Genoa", "genoa"), ("Turin", "turin")];

const PRODUCT_NAME: &str = "1.3.6.1.4.1.3704.1.2";
const BL_SPL: &str = "1.3.6.1.4.1.3704.1.3.1";
const TEE_SPL: &str = "1.3.6.1.4.1.3704.1.3.2";
const SNP_SPL: &str = "1.3.6.1.4.1.3704.1.3.3";
const UCODE_SPL: &str = "1.3.6.1.4.1.3704.1.3.8";
const FMC_SPL: &str = "1.3.6.1.4.1.3704.1.3.9";
const HW_ID: &str = "1.3.6.1.4.1.3704.1.4";

impl Catalog {
    /// AMD KDS (base [`AMD_KDS_BASE`](crate::AMD_KDS_BASE)) from the real SNP vectors
    /// (`testvectors::real::snp_dir()`):
    ///
    /// | path | body |
    /// |---|---|
    /// | `/vcek/v1/{Milan,Genoa,Turin}/cert_chain` | `roots/{p}_ask_ark.pem` (PEM, ASK then ARK) |
    /// | `/vlek/v1/{P}/cert_chain` | `roots/{p}_asvk_ark.pem` |
    /// | `/vcek/v1/{P}/crl` | `roots/{p}_crl.der` where it exists (Milan, Genoa; Turin: 404) |
    /// | `/vcek/v1/{P}/{hwID hex}?blSPL=&teeSPL=&snpSPL=&ucodeSPL=` (+ `fmcSPL` on Turin) | the VCEK, DER |
    ///
    /// The VCEKs are those of the `EXPECTED.tsv` rows signed by a VCEK (not `NEG` rows);
    /// a PEM file with a chain appended contributes its first certificate. The product,
    /// hwID (64 bytes; 8 on Turin) and SPLs come from the certificate's own AMD extensions.
    /// Where two files give the same URL (a VCEK KDS re-issued for the same chip and TCB),
    /// the first row wins, as KDS serves one certificate per URL.
    ///
    /// # Errors
    /// A vector file that is missing or does not parse.
    pub fn amd_kds() -> Result<Self, BuildError> {
        Self::amd_kds_from(&testvectors::real::snp_dir())
    }

    /// [`Catalog::amd_kds`] from another `snp/` folder.
    ///
    /// # Errors
    /// A vector file that is missing or does not parse.
    pub fn amd_kds_from(snp: &Path) -> Result<Self, BuildError> {
        let mut catalog = Self::new();
        for (product, prefix) in PRODUCTS {
            let roots = snp.join("roots");
            let chains = [("vcek", "ask_ark"), ("vlek", "asvk_ark")];
            for (kind, file) in chains {
                let body = read(&roots.join(format!("{prefix}_{file}.pem")))?;
                catalog.route(
                    &format!("/{kind}/v1/{product}/cert_chain"),
                    &[],
                    body,
                    &[("Content-Type", content_type::PEM)],
                );
            }
            let crl = roots.join(format!("{prefix}_crl.der"));
            if crl.is_file() {
                catalog.route(
                    &format!("/vcek/v1/{product}/crl"),
                    &[],
                    read(&crl)?,
                    &[("Content-Type", content_type::CRL)],
                );
            }
        }
        for vcek in expected_vceks(snp)? {
            let der = first_certificate(&vcek, &read(&vcek)?)?;
            let url = KdsUrl::of_vcek(&vcek, &der)?;
            let query: Vec<(&str, &str)> =
                url.query.iter().map(|(k, v)| (*k, v.as_str())).collect();
            if catalog.find(&url.path, &query).is_none() {
                catalog.route(
                    &url.path,
                    &query,
                    der,
                    &[("Content-Type", content_type::DER_CERTIFICATE)],
                );
            }
        }
        Ok(catalog)
    }
}

/// The VCEK files of `EXPECTED.tsv`, in row order (positive rows signed by a VCEK).
fn expected_vceks(snp: &Path) -> Result<Vec<std::path::PathBuf>, BuildError> {
    let path = snp.join("EXPECTED.tsv");
    let text = String::from_utf8(read(&path)?).map_err(|e| malformed(&path, e.to_string()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| malformed(&path, format!("no {name} column")))
    };
    let (vector, vek, signer) = (column("vector")?, column("vek")?, column("signing_key")?);
    let mut files = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split('\t').collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or("");
        if cell(vector).starts_with("NEG") || cell(signer) != "VCEK" {
            continue;
        }
        files.push(snp.join(cell(vek)));
    }
    Ok(files)
}

/// The DER of the first certificate: the file itself, or its first PEM block.
fn first_certificate(path: &Path, bytes: &[u8]) -> Result<Vec<u8>, BuildError> {
    if !bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        return Ok(bytes.to_vec());
    }
    let blocks = pem::parse_many(bytes).map_err(|e| malformed(path, e.to_string()))?;
    blocks
        .into_iter()
        .find(|b| b.tag() == "CERTIFICATE")
        .map(pem::Pem::into_contents)
        .ok_or_else(|| malformed(path, "no CERTIFICATE block"))
}

/// Where KDS serves a VCEK.
struct KdsUrl {
    path: String,
    query: Vec<(&'static str, String)>,
}

impl KdsUrl {
    fn of_vcek(path: &Path, der: &[u8]) -> Result<Self, BuildError> {
        let bad = |reason: String| malformed(path, reason);
        let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| bad(e.to_string()))?;
        let ext = |oid: &str| {
            cert.extensions()
                .iter()
                .find(|e| e.oid.to_id_string() == oid)
                .map(|e| e.value)
        };
        let spl = |oid: &str, name: &str| -> Result<Option<u32>, BuildError> {
            match ext(oid) {
                None => Ok(None),
                Some(value) => match u32::from_der(value) {
                    Ok(([], v)) => Ok(Some(v)),
                    _ => Err(bad(format!("{name} is not a DER INTEGER"))),
                },
            }
        };
        let required = |oid: &str, name: &str| {
            spl(oid, name)?.ok_or_else(|| bad(format!("no {name} extension")))
        };

        let product_name = match ext(PRODUCT_NAME).map(Ia5String::from_der) {
            Some(Ok(([], name))) => name.string(),
            _ => return Err(bad("no productName IA5String extension".to_owned())),
        };
        // "Milan-B0" → "Milan": KDS paths name the product line, not the stepping.
        let line = product_name.split('-').next().unwrap_or("");
        let product = PRODUCTS
            .iter()
            .map(|(p, _)| *p)
            .find(|p| *p == line)
            .ok_or_else(|| bad(format!("productName {product_name:?} is no KDS product")))?;
        let turin = product == "Turin";

        let hw_id_len = if turin { 8 } else { 64 };
        let raw = ext(HW_ID).ok_or_else(|| bad("no hwID extension (a VLEK?)".to_owned()))?;
        let hw_id = match raw {
            _ if raw.len() == hw_id_len => raw,
            // An exact OCTET STRING wrapper, as some tools write it.
            [0x04, len, rest @ ..] if usize::from(*len) == hw_id_len && rest.len() == hw_id_len => {
                rest
            }
            _ => return Err(bad(format!("hwID is {} bytes, not {hw_id_len}", raw.len()))),
        };

        let mut query = Vec::new();
        if turin {
            query.push(("fmcSPL", required(FMC_SPL, "fmcSPL")?.to_string()));
        }
        query.push(("blSPL", required(BL_SPL, "blSPL")?.to_string()));
        query.push(("teeSPL", required(TEE_SPL, "teeSPL")?.to_string()));
        query.push(("snpSPL", required(SNP_SPL, "snpSPL")?.to_string()));
        query.push(("ucodeSPL", required(UCODE_SPL, "ucodeSPL")?.to_string()));
        Ok(Self {
            path: format!("/vcek/v1/{product}/{}", hex::encode(hw_id)),
            query,
        })
    }
}
