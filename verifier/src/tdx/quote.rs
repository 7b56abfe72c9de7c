//! Intel DCAP quotes, versions 3 (SGX), 4 and 5 (SGX or TDX): header, report body and
//! ECDSA signature data, parsed into typed values with every field. Layouts follow
//! Intel's `sgx_quote_3.h`, `sgx_quote_4.h` and `sgx_quote_5.h`; integers are
//! little-endian. Offsets in errors are absolute offsets into the quote.
//!
//! ```text
//! v3/v4: header(48) ‖ body                     ‖ u32 sig_data_len ‖ signature data ‖ [padding]
//! v5:    header(48) ‖ u16 type ‖ u32 size ‖ body ‖ u32 sig_data_len ‖ signature data ‖ [padding]
//! ```
//! The quote signature covers every byte before `sig_data_len`.

use crate::error::{Error, ParseError, ParseErrorKind, Unsupported};
use crate::reader::{invalid, Reader};

/// Intel's QE vendor id (`939A7233-F79C-4CA9-940A-0DB3957F0607`).
pub const INTEL_QE_VENDOR_ID: [u8; 16] = [
    0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07,
];
/// TEE type of an SGX enclave quote.
pub const TEE_TYPE_SGX: u32 = 0;
/// TEE type of a TDX quote.
pub const TEE_TYPE_TDX: u32 = 0x81;
/// Attestation key type 2: ECDSA-256-with-P-256.
pub const ATT_KEY_TYPE_ECDSA_P256: u16 = 2;

const ENCLAVE_REPORT_LEN: usize = 384;
const TD10_LEN: usize = 584;
const TD15_LEN: usize = 648;
/// Certification data type 1: the PPID in clear text (‖ CPUSVN ‖ PCESVN ‖ PCE-ID).
pub const CERT_TYPE_PPID_CLEARTEXT: u16 = 1;
/// Certification data type 2: the PPID encrypted with RSA-2048-OAEP (‖ CPUSVN ‖ PCESVN ‖
/// PCE-ID).
pub const CERT_TYPE_PPID_RSA2048: u16 = 2;
/// Certification data type 3: the PPID encrypted with RSA-3072-OAEP (‖ CPUSVN ‖ PCESVN ‖
/// PCE-ID).
pub const CERT_TYPE_PPID_RSA3072: u16 = 3;
/// Certification data type 4: the PCK leaf certificate, PEM.
pub const CERT_TYPE_PCK_LEAF: u16 = 4;
/// Certification data type 5: the PCK certificate chain, PEM.
pub const CERT_TYPE_PCK_CHAIN: u16 = 5;
/// Certification data type 6: QE report certification data (v4 and v5 quotes).
const CERT_TYPE_QE_REPORT: u16 = 6;

/// The quote header (48 bytes, the same in every version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteHeader {
    /// 3, 4 or 5.
    pub version: u16,
    /// Attestation key type (2 = ECDSA P-256).
    pub att_key_type: u16,
    /// [`TEE_TYPE_SGX`] or [`TEE_TYPE_TDX`].
    pub tee_type: u32,
    /// v3: QE SVN and PCE SVN; v4/v5: reserved.
    pub reserved: [u8; 4],
    /// The quoting enclave's vendor.
    pub qe_vendor_id: [u8; 16],
    /// User data; the first 16 bytes are the platform's QE-ID.
    pub user_data: [u8; 20],
}

/// An SGX enclave report body (384 bytes): an SGX quote's body, and the QE report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnclaveReport {
    /// CPUSVN.
    pub cpu_svn: [u8; 16],
    /// MISCSELECT.
    pub misc_select: u32,
    /// ISVEXTPRODID.
    pub isv_ext_prod_id: [u8; 16],
    /// ATTRIBUTES (flags ‖ XFRM, as stored).
    pub attributes: [u8; 16],
    /// MRENCLAVE.
    pub mr_enclave: [u8; 32],
    /// MRSIGNER.
    pub mr_signer: [u8; 32],
    /// CONFIGID.
    pub config_id: [u8; 64],
    /// ISVPRODID.
    pub isv_prod_id: u16,
    /// ISVSVN.
    pub isv_svn: u16,
    /// CONFIGSVN.
    pub config_svn: u16,
    /// ISVFAMILYID.
    pub isv_family_id: [u8; 16],
    /// REPORTDATA.
    pub report_data: [u8; 64],
}

impl EnclaveReport {
    fn parse(r: &mut Reader<'_>) -> Result<Self, ParseError> {
        let cpu_svn = r.array("CPUSVN")?;
        let misc_select = r.u32("MISCSELECT")?;
        r.take(12, "enclave report reserved1")?;
        let isv_ext_prod_id = r.array("ISVEXTPRODID")?;
        let attributes = r.array("ATTRIBUTES")?;
        let mr_enclave = r.array("MRENCLAVE")?;
        r.take(32, "enclave report reserved2")?;
        let mr_signer = r.array("MRSIGNER")?;
        r.take(32, "enclave report reserved3")?;
        let config_id = r.array("CONFIGID")?;
        let isv_prod_id = r.u16("ISVPRODID")?;
        let isv_svn = r.u16("ISVSVN")?;
        let config_svn = r.u16("CONFIGSVN")?;
        r.take(42, "enclave report reserved4")?;
        let isv_family_id = r.array("ISVFAMILYID")?;
        let report_data = r.array("REPORTDATA")?;
        Ok(Self {
            cpu_svn,
            misc_select,
            isv_ext_prod_id,
            attributes,
            mr_enclave,
            mr_signer,
            config_id,
            isv_prod_id,
            isv_svn,
            config_svn,
            isv_family_id,
            report_data,
        })
    }

    /// Whether ATTRIBUTES.DEBUG (bit 1) is set.
    pub fn debug(&self) -> bool {
        self.attributes.first().is_some_and(|b| b & 0x02 != 0)
    }
}

/// A TD report body: TD 1.0 (584 bytes), or TD 1.5 (648) with the two fields after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TdReport {
    /// TEE_TCB_SVN: the TDX module's and microcode's SVNs at TD launch.
    pub tee_tcb_svn: [u8; 16],
    /// MRSEAM: the TDX module's measurement.
    pub mr_seam: [u8; 48],
    /// MRSIGNERSEAM: the TDX module's signer (zero for Intel's module).
    pub mr_signer_seam: [u8; 48],
    /// SEAMATTRIBUTES (zero for a production module).
    pub seam_attributes: [u8; 8],
    /// TDATTRIBUTES.
    pub td_attributes: [u8; 8],
    /// XFAM.
    pub xfam: [u8; 8],
    /// MRTD: the initial TD measurement.
    pub mr_td: [u8; 48],
    /// MRCONFIGID.
    pub mr_config_id: [u8; 48],
    /// MROWNER.
    pub mr_owner: [u8; 48],
    /// MROWNERCONFIG.
    pub mr_owner_config: [u8; 48],
    /// RTMR0..3.
    pub rtmr: [[u8; 48]; 4],
    /// REPORTDATA.
    pub report_data: [u8; 64],
    /// TD 1.5 only: TEE_TCB_SVN2, the SVNs now (after a TD-preserving module update).
    pub tee_tcb_svn2: Option<[u8; 16]>,
    /// TD 1.5 only: MRSERVICETD, the hash of the bound service TDs (zero if none).
    pub mr_servicetd: Option<[u8; 48]>,
}

impl TdReport {
    fn parse(r: &mut Reader<'_>, td15: bool) -> Result<Self, ParseError> {
        let mut report = Self {
            tee_tcb_svn: r.array("TEE_TCB_SVN")?,
            mr_seam: r.array("MRSEAM")?,
            mr_signer_seam: r.array("MRSIGNERSEAM")?,
            seam_attributes: r.array("SEAMATTRIBUTES")?,
            td_attributes: r.array("TDATTRIBUTES")?,
            xfam: r.array("XFAM")?,
            mr_td: r.array("MRTD")?,
            mr_config_id: r.array("MRCONFIGID")?,
            mr_owner: r.array("MROWNER")?,
            mr_owner_config: r.array("MROWNERCONFIG")?,
            rtmr: [
                r.array("RTMR0")?,
                r.array("RTMR1")?,
                r.array("RTMR2")?,
                r.array("RTMR3")?,
            ],
            report_data: r.array("REPORTDATA")?,
            tee_tcb_svn2: None,
            mr_servicetd: None,
        };
        if td15 {
            report.tee_tcb_svn2 = Some(r.array("TEE_TCB_SVN2")?);
            report.mr_servicetd = Some(r.array("MRSERVICETD")?);
        }
        Ok(report)
    }

    /// TDATTRIBUTES as a little-endian integer.
    pub fn td_attributes_u64(&self) -> u64 {
        u64::from_le_bytes(self.td_attributes)
    }

    /// Whether TDATTRIBUTES.DEBUG (bit 0) is set.
    pub fn debug(&self) -> bool {
        self.td_attributes_u64() & 1 != 0
    }
}

/// The report body of a quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteBody {
    /// An SGX enclave report (v3, v4 SGX, v5 type 1).
    Sgx(Box<EnclaveReport>),
    /// A TD report: TD 1.0 (v4 TDX, v5 type 2) or TD 1.5 (v5 type 3).
    Td(Box<TdReport>),
}

/// The PCK certification data the quote carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificationData<'a> {
    /// Its type (5 = PEM PCK chain, 4 = PEM PCK leaf, 3 and 2 = encrypted PPID, 1 = PPID).
    pub cert_type: u16,
    /// Its bytes.
    pub data: &'a [u8],
    /// Offset of the data in the quote.
    pub offset: usize,
}

/// What certification data of type 2 or 3 holds: the values Intel PCS (or a PCCS) serves
/// the platform's PCK certificate by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedPpid<'a> {
    /// 2 (RSA-2048-OAEP) or 3 (RSA-3072-OAEP).
    pub cert_type: u16,
    /// The encrypted PPID: 256 or 384 bytes.
    pub encrypted_ppid: &'a [u8],
    /// The platform's raw CPUSVN.
    pub cpu_svn: [u8; 16],
    /// The PCE's ISVSVN.
    pub pce_svn: u16,
    /// The PCE's id.
    pub pce_id: u16,
}

// Layouts of certification data types 1 to 3, from `sgx_quote_3.h` of Intel's DCAP
// (intel/SGXDataCenterAttestationPrimitives, QuoteGeneration/quote_wrapper/common/inc),
// whose structures are packed:
//
//   sgx_ql_ppid_cleartext_cert_info_t        { ppid[16];      cpu_svn[16]; pce_info }
//   sgx_ql_ppid_rsa2048_encrypted_cert_info_t { enc_ppid[256]; cpu_svn[16]; pce_info }
//   sgx_ql_ppid_rsa3072_encrypted_cert_info_t { enc_ppid[384]; cpu_svn[16]; pce_info }
//   sgx_pce_info_t                            { u16 pce_isv_svn; u16 pce_id }  (LE)
//
// so type 3 is 384 + 16 + 2 + 2 = 404 bytes and type 2 is 276. (Types 1 and 2 carry only
// the PCESVN when Intel's library is built without USE_PCEID; PCS cannot be asked without
// the PCE-ID, so Verdict requires it.) PCS v4 takes the same values as query parameters,
// the two u16s hex-encoded little-endian as they are stored here.
const PPID_RSA2048_LEN: usize = 256;
const PPID_RSA3072_LEN: usize = 384;
const PCE_TRAILER_LEN: usize = 16 + 2 + 2;
const PPID_RSA2048_DATA_LEN: usize = PPID_RSA2048_LEN + PCE_TRAILER_LEN;
const PPID_RSA3072_DATA_LEN: usize = PPID_RSA3072_LEN + PCE_TRAILER_LEN;

impl<'a> CertificationData<'a> {
    /// The encrypted PPID, CPUSVN, PCESVN and PCE-ID of type 2 or 3 data; `None` for
    /// other types. [`Quote::parse`] has checked the length of both.
    pub fn encrypted_ppid(&self) -> Option<EncryptedPpid<'a>> {
        self.read_encrypted_ppid().ok().flatten()
    }

    fn read_encrypted_ppid(&self) -> Result<Option<EncryptedPpid<'a>>, ParseError> {
        let (ppid_len, expected, what) = match self.cert_type {
            CERT_TYPE_PPID_RSA2048 => (
                PPID_RSA2048_LEN,
                PPID_RSA2048_DATA_LEN,
                "PPID certification data (type 2, RSA-2048-encrypted PPID)",
            ),
            CERT_TYPE_PPID_RSA3072 => (
                PPID_RSA3072_LEN,
                PPID_RSA3072_DATA_LEN,
                "PPID certification data (type 3, RSA-3072-encrypted PPID)",
            ),
            _ => return Ok(None),
        };
        if self.data.len() != expected {
            return Err(ParseError {
                what,
                offset: self.offset,
                kind: ParseErrorKind::WrongLength {
                    expected,
                    actual: self.data.len(),
                },
            });
        }
        let mut r = Reader::new(self.data);
        let rebase = |mut e: ParseError| {
            e.offset = e.offset.saturating_add(self.offset);
            e
        };
        let encrypted_ppid = r.take(ppid_len, "encrypted PPID").map_err(rebase)?;
        let cpu_svn = r.array("PCK CPUSVN").map_err(rebase)?;
        let pce_svn = r.u16("PCE ISVSVN").map_err(rebase)?;
        let pce_id = r.u16("PCE ID").map_err(rebase)?;
        Ok(Some(EncryptedPpid {
            cert_type: self.cert_type,
            encrypted_ppid,
            cpu_svn,
            pce_svn,
            pce_id,
        }))
    }
}

/// The quote's ECDSA signature data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureData<'a> {
    /// ECDSA P-256 `r ‖ s` over the signed bytes, by the attestation key.
    pub quote_signature: [u8; 64],
    /// The attestation public key, `x ‖ y`.
    pub attestation_key: [u8; 64],
    /// The quoting enclave's report.
    pub qe_report: EnclaveReport,
    /// The QE report's 384 bytes, as signed by the PCK key.
    pub qe_report_raw: &'a [u8],
    /// ECDSA P-256 `r ‖ s` over the QE report, by the PCK key.
    pub qe_report_signature: [u8; 64],
    /// QE authentication data (bound into the QE report data).
    pub qe_auth_data: &'a [u8],
    /// The PCK certification data.
    pub certification: CertificationData<'a>,
}

/// A parsed quote, borrowing the signed regions from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote<'a> {
    /// The header.
    pub header: QuoteHeader,
    /// v5 body descriptor type (1 SGX, 2 TD 1.0, 3 TD 1.5); `None` for v3/v4.
    pub body_type: Option<u16>,
    /// The report body.
    pub body: QuoteBody,
    /// The signature data.
    pub signature: SignatureData<'a>,
    /// Every byte the quote signature covers (header, descriptor and body).
    pub signed: &'a [u8],
    /// Bytes after the signature data. Real quotes are zero-padded to their buffer size
    /// (and test quotes sometimes carry text); they are not signed, and Intel's library
    /// ignores them, so they are tolerated and reported.
    pub trailing: &'a [u8],
}

impl<'a> Quote<'a> {
    /// Parses a quote. Unknown versions, key types, TEE types, body types and
    /// certification data types are [`Error::Unsupported`]; lengths that do not add up
    /// are [`Error::Parse`] with the offset.
    ///
    /// # Errors
    /// The first field that is malformed or unsupported.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes);
        let header = QuoteHeader {
            version: r.u16("quote version")?,
            att_key_type: r.u16("attestation key type")?,
            tee_type: r.u32("TEE type")?,
            reserved: r.array("header reserved")?,
            qe_vendor_id: r.array("QE vendor id")?,
            user_data: r.array("user data")?,
        };
        if !(3..=5).contains(&header.version) {
            return Err(Unsupported::QuoteVersion(header.version).into());
        }
        if header.att_key_type != ATT_KEY_TYPE_ECDSA_P256 {
            return Err(Unsupported::AttestationKeyType(header.att_key_type).into());
        }
        if header.tee_type != TEE_TYPE_SGX && header.tee_type != TEE_TYPE_TDX {
            return Err(Unsupported::TeeType(header.tee_type).into());
        }
        if header.version == 3 && header.tee_type != TEE_TYPE_SGX {
            return Err(invalid("TEE type", 4, "a version 3 quote is SGX only").into());
        }
        if header.qe_vendor_id != INTEL_QE_VENDOR_ID {
            return Err(Unsupported::QeVendor(hex::encode(header.qe_vendor_id)).into());
        }

        let (body_type, body) = if header.version == 5 {
            let body_type = r.u16("body type")?;
            let size_at = r.pos();
            let size = r.u32("body size")?;
            let (expected, td15) = match (body_type, header.tee_type) {
                (1, TEE_TYPE_SGX) => (ENCLAVE_REPORT_LEN, false),
                (2, TEE_TYPE_TDX) => (TD10_LEN, false),
                (3, TEE_TYPE_TDX) => (TD15_LEN, true),
                _ => {
                    return Err(Unsupported::BodyType {
                        body_type,
                        tee_type: header.tee_type,
                    }
                    .into())
                }
            };
            if usize::try_from(size).ok() != Some(expected) {
                return Err(ParseError {
                    what: "body size",
                    offset: size_at,
                    kind: ParseErrorKind::WrongLength {
                        expected,
                        actual: usize::try_from(size).unwrap_or(usize::MAX),
                    },
                }
                .into());
            }
            let body = if body_type == 1 {
                QuoteBody::Sgx(Box::new(EnclaveReport::parse(&mut r)?))
            } else {
                QuoteBody::Td(Box::new(TdReport::parse(&mut r, td15)?))
            };
            (Some(body_type), body)
        } else if header.tee_type == TEE_TYPE_TDX {
            (
                None,
                QuoteBody::Td(Box::new(TdReport::parse(&mut r, false)?)),
            )
        } else {
            (
                None,
                QuoteBody::Sgx(Box::new(EnclaveReport::parse(&mut r)?)),
            )
        };
        let signed_len = r.pos();
        let signed = bytes.get(..signed_len).unwrap_or(&[]);

        let sig_len = r.u32("signature data length")?;
        let sig_len = usize::try_from(sig_len).unwrap_or(usize::MAX);
        let sig_start = r.pos();
        let sig_bytes = r.take(sig_len, "signature data")?;
        let signature = parse_signature_data(sig_bytes, sig_start, header.version)?;

        let trailing = r.rest();
        Ok(Self {
            header,
            body_type,
            body,
            signature,
            signed,
            trailing,
        })
    }

    /// The TD report, if this is a TDX quote.
    pub fn td_report(&self) -> Option<&TdReport> {
        match &self.body {
            QuoteBody::Td(td) => Some(td),
            QuoteBody::Sgx(_) => None,
        }
    }
}

/// Parses the signature data, whose bytes start at `base` in the quote. It must be
/// consumed exactly: every declared length must add up to `sig_data_len`.
fn parse_signature_data(
    bytes: &[u8],
    base: usize,
    version: u16,
) -> Result<SignatureData<'_>, ParseError> {
    let mut r = Reader::new(bytes);
    let at = |r: &Reader<'_>| base.saturating_add(r.pos());
    let rebase = |mut e: ParseError| {
        e.offset = e.offset.saturating_add(base);
        e
    };
    let quote_signature = r.array("quote signature").map_err(rebase)?;
    let attestation_key = r.array("attestation key").map_err(rebase)?;

    // v4/v5 wrap the QE report and the PCK data in certification data of type 6; v3 has
    // them inline.
    if version >= 4 {
        let type_at = at(&r);
        let outer_type = r.u16("certification data type").map_err(rebase)?;
        if outer_type != CERT_TYPE_QE_REPORT {
            return Err(ParseError {
                what: "certification data type",
                offset: type_at,
                kind: ParseErrorKind::InvalidValue("must be 6 (QE report certification data)"),
            });
        }
        let size_at = at(&r);
        let size = r.u32("certification data size").map_err(rebase)?;
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        if size != r.remaining() {
            return Err(ParseError {
                what: "certification data size",
                offset: size_at,
                kind: ParseErrorKind::WrongLength {
                    expected: r.remaining(),
                    actual: size,
                },
            });
        }
    }

    let qe_at = r.pos();
    let qe_report = EnclaveReport::parse(&mut r).map_err(rebase)?;
    let qe_report_raw = bytes.get(qe_at..r.pos()).unwrap_or(&[]);
    let qe_report_signature = r.array("QE report signature").map_err(rebase)?;
    let auth_len = r.u16("QE authentication data size").map_err(rebase)?;
    let qe_auth_data = r
        .take(usize::from(auth_len), "QE authentication data")
        .map_err(rebase)?;
    let type_at = at(&r);
    let cert_type = r.u16("PCK certification data type").map_err(rebase)?;
    if !(1..=5).contains(&cert_type) {
        return Err(ParseError {
            what: "PCK certification data type",
            offset: type_at,
            kind: ParseErrorKind::InvalidValue("must be 1 to 5"),
        });
    }
    let size_at = at(&r);
    let size = r.u32("PCK certification data size").map_err(rebase)?;
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let data_at = at(&r);
    let data = r.take(size, "PCK certification data").map_err(rebase)?;
    if r.remaining() != 0 {
        return Err(ParseError {
            what: "PCK certification data size",
            offset: size_at,
            kind: ParseErrorKind::TrailingData {
                extra: r.remaining(),
            },
        });
    }
    let certification = CertificationData {
        cert_type,
        data,
        offset: data_at,
    };
    certification.read_encrypted_ppid()?;
    Ok(SignatureData {
        quote_signature,
        attestation_key,
        qe_report,
        qe_report_raw,
        qe_report_signature,
        qe_auth_data,
        certification,
    })
}

/// Rejects certification data of type 1: a PPID in clear text names a PCK certificate
/// that no public service serves.
pub(crate) fn refuse_plain_ppid(cert: &CertificationData<'_>) -> Result<(), Error> {
    if cert.cert_type != CERT_TYPE_PPID_CLEARTEXT {
        return Ok(());
    }
    Err(Unsupported::CertificationDataType(
        cert.cert_type,
        "a PPID in clear text: Intel PCS and PCCS serve PCK certificates by encrypted PPID only, so this platform's PCK certificate cannot be found; use a quote with certification data type 3 (encrypted PPID) or 5 (PCK chain)",
    )
    .into())
}

/// The certificates of a type-5 (chain) or type-4 (leaf) certification data block: PEM,
/// NUL-terminated.
pub(crate) fn pck_chain_pem(cert: &CertificationData<'_>) -> Result<Vec<Vec<u8>>, Error> {
    let text = cert.data.strip_suffix(&[0]).unwrap_or(cert.data);
    let blocks = crate::pem_blocks::parse(text).map_err(|e| ParseError {
        what: "PCK certificate chain",
        offset: cert.offset,
        kind: ParseErrorKind::Der(e),
    })?;
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks {
        let Some(der) = block.certificate() else {
            return Err(invalid(
                "PCK certificate chain",
                cert.offset,
                "PEM blocks other than CERTIFICATE",
            )
            .into());
        };
        out.push(der);
    }
    Ok(out)
}
