//! TPM 2.0 quotes: the TPMS_ATTEST structure a TPM2_Quote signs (TCG TPM 2.0 Library,
//! Part 2, 10.12.12), big-endian.
//!
//! ```text
//! magic u32 = TPM_GENERATED_VALUE (0xFF544347)   type u16 = TPM_ST_ATTEST_QUOTE (0x8018)
//! qualifiedSigner TPM2B_NAME   extraData TPM2B_DATA (the verifier's nonce)
//! clockInfo: clock u64, resetCount u32, restartCount u32, safe u8 (0 or 1)
//! firmwareVersion u64
//! attested: TPMS_QUOTE_INFO = pcrSelect TPML_PCR_SELECTION, pcrDigest TPM2B_DIGEST
//! ```
//! The whole structure is what the attestation key signs; nothing may follow it.

use crate::error::{ParseError, ParseErrorKind};
use crate::reader::{invalid, Reader};

/// TPM_GENERATED_VALUE: marks a structure the TPM itself produced.
const TPM_GENERATED_VALUE: u32 = 0xFF54_4347;
/// TPM_ST_ATTEST_QUOTE.
const TPM_ST_ATTEST_QUOTE: u16 = 0x8018;
/// A TPM2B_NAME holds at most a hash algorithm id and a SHA-512 digest.
const MAX_NAME: usize = 2 + 64;
/// TPM2B_DATA for extraData: at most the largest digest (TPMU_HA), 64 bytes.
const MAX_EXTRA_DATA: usize = 64;
/// PCR banks a selection may list (TPM implementations have at most a handful).
const MAX_PCR_BANKS: u32 = 16;
/// PCR_SELECT_MAX: bitmap bytes per bank (up to 32 PCRs).
const MAX_SELECT_BYTES: u8 = 4;

/// TPM_ALG_SHA256.
pub const TPM_ALG_SHA256: u16 = 0x000B;

/// One bank of a PCR selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcrSelection {
    /// The bank's hash algorithm (TPM_ALG_ID; `0x000B` SHA-256).
    pub hash: u16,
    /// The selected PCR indices, ascending: the order their values are hashed in.
    pub pcrs: Vec<u8>,
}

/// A parsed TPMS_ATTEST of a quote, borrowing from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TpmsAttest<'a> {
    /// qualifiedSigner: the signing key's qualified name.
    pub qualified_signer: &'a [u8],
    /// extraData: the nonce the verifier gave.
    pub extra_data: &'a [u8],
    /// clockInfo.clock: milliseconds the TPM has been powered.
    pub clock: u64,
    /// clockInfo.resetCount.
    pub reset_count: u32,
    /// clockInfo.restartCount.
    pub restart_count: u32,
    /// clockInfo.safe.
    pub safe: bool,
    /// firmwareVersion.
    pub firmware_version: u64,
    /// pcrSelect, bank by bank.
    pub pcr_select: Vec<PcrSelection>,
    /// pcrDigest: the digest of the selected PCR values, concatenated in selection order.
    pub pcr_digest: &'a [u8],
}

impl<'a> TpmsAttest<'a> {
    /// Parses a quote's TPMS_ATTEST; the input must be exactly the structure.
    ///
    /// # Errors
    /// [`ParseError`] naming the field and offset: another magic or attestation type,
    /// sizes past the input or the structure's bounds, a `safe` other than 0 or 1, a
    /// PCR selection that names no PCR, or trailing bytes.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(bytes);
        if r.u32_be("TPMS_ATTEST magic")? != TPM_GENERATED_VALUE {
            return Err(ParseError {
                what: "TPMS_ATTEST magic",
                offset: 0,
                kind: ParseErrorKind::Structure(
                    "not a TPM-generated structure: magic is not TPM_GENERATED_VALUE",
                ),
            });
        }
        if r.u16_be("TPMS_ATTEST type")? != TPM_ST_ATTEST_QUOTE {
            return Err(invalid(
                "TPMS_ATTEST type",
                4,
                "must be TPM_ST_ATTEST_QUOTE (0x8018)",
            ));
        }
        let qualified_signer = sized(&mut r, "qualifiedSigner", MAX_NAME)?;
        let extra_data = sized(&mut r, "extraData", MAX_EXTRA_DATA)?;
        let clock = r.u64_be("clockInfo.clock")?;
        let reset_count = r.u32_be("clockInfo.resetCount")?;
        let restart_count = r.u32_be("clockInfo.restartCount")?;
        let safe_at = r.pos();
        let safe = match r.u8("clockInfo.safe")? {
            0 => false,
            1 => true,
            _ => return Err(invalid("clockInfo.safe", safe_at, "must be 0 or 1")),
        };
        let firmware_version = r.u64_be("firmwareVersion")?;
        let count_at = r.pos();
        let count = r.u32_be("pcrSelect.count")?;
        if count == 0 || count > MAX_PCR_BANKS {
            return Err(invalid(
                "pcrSelect.count",
                count_at,
                "must be 1 to 16 banks",
            ));
        }
        let mut pcr_select = Vec::new();
        for _ in 0..count {
            let hash = r.u16_be("pcrSelect.hash")?;
            let size_at = r.pos();
            let size = r.u8("pcrSelect.sizeofSelect")?;
            if size == 0 || size > MAX_SELECT_BYTES {
                return Err(invalid("pcrSelect.sizeofSelect", size_at, "must be 1 to 4"));
            }
            let bitmap_at = r.pos();
            let bitmap = r.take(usize::from(size), "pcrSelect.pcrSelect")?;
            // Bit i of byte j selects PCR 8j + i.
            let pcrs: Vec<u8> = bitmap
                .iter()
                .zip((0u8..).step_by(8))
                .flat_map(|(&bits, base)| {
                    (0u8..8)
                        .filter(move |bit| bits & (1 << bit) != 0)
                        .map(move |bit| base | bit)
                })
                .collect();
            if pcrs.is_empty() {
                return Err(invalid("pcrSelect.pcrSelect", bitmap_at, "selects no PCR"));
            }
            pcr_select.push(PcrSelection { hash, pcrs });
        }
        let pcr_digest = sized(&mut r, "pcrDigest", 64)?;
        if !r.is_empty() {
            return Err(ParseError {
                what: "TPMS_ATTEST",
                offset: r.pos(),
                kind: ParseErrorKind::TrailingData {
                    extra: r.remaining(),
                },
            });
        }
        Ok(Self {
            qualified_signer,
            extra_data,
            clock,
            reset_count,
            restart_count,
            safe,
            firmware_version,
            pcr_select,
            pcr_digest,
        })
    }
}

/// A TPM2B: a big-endian u16 size, then that many bytes, at most `max`.
fn sized<'a>(r: &mut Reader<'a>, what: &'static str, max: usize) -> Result<&'a [u8], ParseError> {
    let at = r.pos();
    let size = usize::from(r.u16_be(what)?);
    if size > max {
        return Err(ParseError {
            what,
            offset: at,
            kind: ParseErrorKind::InvalidValue("larger than the TPM allows for this field"),
        });
    }
    r.take(size, what)
}
