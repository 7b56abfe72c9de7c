//! The ATTESTATION_REPORT structure (SEV-SNP firmware ABI 56860, Table 23 in recent
//! revisions): 1184 bytes, little-endian, with every field decoded and every reserved
//! range checked to be zero.

use core::fmt;

use super::TcbVersion;
use crate::error::{Error, ParseError, ParseErrorKind, Unsupported};

/// Size of an attestation report.
pub const REPORT_LEN: usize = 0x4A0;
/// End of the signed range: the signature covers bytes `0x000..0x2A0`.
pub const SIGNED_LEN: usize = 0x2A0;
/// Offset of the signature (R at 0x2A0, S at 0x2E8, each 72 bytes little-endian).
pub const SIGNATURE_OFFSET: usize = 0x2A0;

/// Report versions this parser knows. v4 has v3's layout; v5 adds the mitigation vectors.
pub const SUPPORTED_VERSIONS: core::ops::RangeInclusive<u32> = 2..=5;

/// The bytes a report signature covers: `report[0x000..0x2A0]`, exactly as received.
pub fn signed_range(report: &[u8]) -> Option<&[u8]> {
    report.get(..SIGNED_LEN)
}

/// Guest policy (offset 0x08).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GuestPolicy(pub u64);

impl GuestPolicy {
    fn bit(self, n: u32) -> bool {
        self.0.checked_shr(n).is_some_and(|v| v & 1 == 1)
    }
    /// Minimum ABI minor version (bits 7:0).
    pub fn abi_minor(self) -> u8 {
        self.0.to_le_bytes()[0]
    }
    /// Minimum ABI major version (bits 15:8).
    pub fn abi_major(self) -> u8 {
        self.0.to_le_bytes()[1]
    }
    /// Bit 16: SMT allowed on the host.
    pub fn smt_allowed(self) -> bool {
        self.bit(16)
    }
    /// Bit 18: association with a migration agent allowed.
    pub fn migrate_ma_allowed(self) -> bool {
        self.bit(18)
    }
    /// Bit 19: debugging allowed (the host can read guest memory).
    pub fn debug_allowed(self) -> bool {
        self.bit(19)
    }
    /// Bit 20: guest may run on one socket only.
    pub fn single_socket_required(self) -> bool {
        self.bit(20)
    }
    /// Bit 21: CXL may be populated with devices or memory.
    pub fn cxl_allowed(self) -> bool {
        self.bit(21)
    }
    /// Bit 22: AES-256-XTS required for memory encryption.
    pub fn mem_aes_256_xts_required(self) -> bool {
        self.bit(22)
    }
    /// Bit 23: RAPL must be disabled.
    pub fn rapl_disabled_required(self) -> bool {
        self.bit(23)
    }
    /// Bit 24: ciphertext hiding (DRAM) must be enabled.
    pub fn ciphertext_hiding_required(self) -> bool {
        self.bit(24)
    }
    /// Bit 25 (v5 firmware): guest page move/swap disabled.
    pub fn page_swap_disabled(self) -> bool {
        self.bit(25)
    }
}

/// Platform information (offset 0x40).
///
/// Bits above 7 are reserved but not rejected: AMD assigns platform bits without a report
/// version bump (bit 6 appeared on Turin), and rejecting them broke go-sev-guest there.
/// The raw value is kept in the claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlatformInfo(pub u64);

impl PlatformInfo {
    fn bit(self, n: u32) -> bool {
        self.0.checked_shr(n).is_some_and(|v| v & 1 == 1)
    }
    /// Bit 0: SMT enabled.
    pub fn smt_enabled(self) -> bool {
        self.bit(0)
    }
    /// Bit 1: TSME enabled.
    pub fn tsme_enabled(self) -> bool {
        self.bit(1)
    }
    /// Bit 2: ECC memory in use.
    pub fn ecc_enabled(self) -> bool {
        self.bit(2)
    }
    /// Bit 3: RAPL disabled.
    pub fn rapl_disabled(self) -> bool {
        self.bit(3)
    }
    /// Bit 4: ciphertext hiding (DRAM) enabled.
    pub fn ciphertext_hiding_enabled(self) -> bool {
        self.bit(4)
    }
    /// Bit 5: alias check complete (BadRAM mitigation, AMD-SB-3015).
    pub fn alias_check_complete(self) -> bool {
        self.bit(5)
    }
    /// Bit 6: set on Turin; decoded by some as IOMMU write-safe.
    pub fn bit6(self) -> bool {
        self.bit(6)
    }
    /// Bit 7: SEV-TIO enabled.
    pub fn tio_enabled(self) -> bool {
        self.bit(7)
    }
}

/// Which key signed the report (KEY_INFO bits 4:2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningKey {
    /// Versioned Chip Endorsement Key (0).
    Vcek,
    /// Versioned Loaded Endorsement Key (1).
    Vlek,
    /// No key: the report is unsigned (7).
    None,
}

impl SigningKey {
    /// Lower-case name for claims.
    pub fn name(self) -> &'static str {
        match self {
            Self::Vcek => "vcek",
            Self::Vlek => "vlek",
            Self::None => "none",
        }
    }
}

/// KEY_INFO (offset 0x48).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyInfo {
    /// Bit 0: AUTHOR_KEY_EN, the digest of the ID block author key is present.
    pub author_key_en: bool,
    /// Bit 1: MASK_CHIP_KEY, the signature is zero.
    pub mask_chip_key: bool,
    /// Bits 4:2.
    pub signing_key: SigningKey,
}

impl KeyInfo {
    /// Decodes the raw KEY_INFO value (offset 0x048), as [`AttestationReport::parse`]
    /// does.
    ///
    /// # Errors
    /// [`ParseErrorKind::NonZeroReserved`] for bits 31:5 set;
    /// [`ParseErrorKind::InvalidValue`] for a reserved SIGNING_KEY encoding (2–6).
    pub fn decode(raw: u32) -> Result<Self, Error> {
        if raw >> 5 != 0 {
            return Err(ParseError {
                what: "KEY_INFO reserved bits 31:5",
                offset: 0x048,
                kind: ParseErrorKind::NonZeroReserved,
            }
            .into());
        }
        let signing_key = match (raw >> 2) & 0b111 {
            0 => SigningKey::Vcek,
            1 => SigningKey::Vlek,
            7 => SigningKey::None,
            _ => {
                return Err(invalid(
                    "KEY_INFO.SIGNING_KEY",
                    0x048,
                    "reserved signing key encoding (2-6)",
                ))
            }
        };
        Ok(Self {
            author_key_en: raw & 1 == 1,
            mask_chip_key: raw & 2 == 2,
            signing_key,
        })
    }

    fn encode(self) -> u32 {
        let sk = match self.signing_key {
            SigningKey::Vcek => 0u32,
            SigningKey::Vlek => 1,
            SigningKey::None => 7,
        };
        u32::from(self.author_key_en) | (u32::from(self.mask_chip_key) << 1) | (sk << 2)
    }
}

/// CPUID identification (v3 and later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cpuid {
    /// CPUID_FAM_ID: extended family + base family.
    pub family: u8,
    /// CPUID_MOD_ID: extended model << 4 | base model.
    pub model: u8,
    /// CPUID_STEP.
    pub stepping: u8,
}

/// A firmware version `major.minor.build`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct FirmwareVersion {
    /// Major.
    pub major: u8,
    /// Minor.
    pub minor: u8,
    /// Build.
    pub build: u8,
}

impl fmt::Display for FirmwareVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.build)
    }
}

/// The report signature as stored: R and S, each 72 bytes little-endian.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ReportSignature {
    /// R, little-endian, zero-padded.
    pub r: [u8; 72],
    /// S, little-endian, zero-padded.
    pub s: [u8; 72],
}

impl fmt::Debug for ReportSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ReportSignature {{ r: {}, s: {} }}",
            hex::encode(self.r),
            hex::encode(self.s)
        )
    }
}

impl ReportSignature {
    /// The signature as big-endian `r ‖ s` of 48 bytes each, for a P-384 verifier.
    /// `None` if either value has non-zero bytes beyond the 48 a P-384 scalar uses.
    pub fn to_p384_fixed(&self) -> Option<[u8; 96]> {
        let mut out = [0u8; 96];
        for (dst, src) in [(0usize, &self.r), (48, &self.s)] {
            let (low, high) = src.split_at(48);
            if high.iter().any(|b| *b != 0) {
                return None;
            }
            let slot = out.get_mut(dst..dst.checked_add(48)?)?;
            for (d, s) in slot.iter_mut().zip(low.iter().rev()) {
                *d = *s;
            }
        }
        Some(out)
    }

    /// Builds the stored form from big-endian P-384 `r ‖ s` (96 bytes).
    pub fn from_p384_fixed(fixed: &[u8; 96]) -> Self {
        let mut r = [0u8; 72];
        let mut s = [0u8; 72];
        let (rb, sb) = fixed.split_at(48);
        for (d, v) in r.iter_mut().zip(rb.iter().rev()) {
            *d = *v;
        }
        for (d, v) in s.iter_mut().zip(sb.iter().rev()) {
            *d = *v;
        }
        Self { r, s }
    }
}

/// A parsed SEV-SNP attestation report.
///
/// Parsing keeps no reference to the input: signatures are checked over the caller's raw
/// bytes ([`signed_range`]), never over [`AttestationReport::to_bytes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationReport {
    /// 0x000 VERSION (2–5).
    pub version: u32,
    /// 0x004 GUEST_SVN.
    pub guest_svn: u32,
    /// 0x008 POLICY.
    pub policy: GuestPolicy,
    /// 0x010 FAMILY_ID.
    pub family_id: [u8; 16],
    /// 0x020 IMAGE_ID.
    pub image_id: [u8; 16],
    /// 0x030 VMPL.
    pub vmpl: u32,
    /// 0x034 SIGNATURE_ALGO (1 = ECDSA P-384 with SHA-384).
    pub signature_algo: u32,
    /// 0x038 CURRENT_TCB.
    pub current_tcb: TcbVersion,
    /// 0x040 PLATFORM_INFO.
    pub platform_info: PlatformInfo,
    /// 0x048 KEY_INFO.
    pub key_info: KeyInfo,
    /// 0x050 REPORT_DATA.
    pub report_data: [u8; 64],
    /// 0x090 MEASUREMENT.
    pub measurement: [u8; 48],
    /// 0x0C0 HOST_DATA.
    pub host_data: [u8; 32],
    /// 0x0E0 ID_KEY_DIGEST.
    pub id_key_digest: [u8; 48],
    /// 0x110 AUTHOR_KEY_DIGEST.
    pub author_key_digest: [u8; 48],
    /// 0x140 REPORT_ID.
    pub report_id: [u8; 32],
    /// 0x160 REPORT_ID_MA.
    pub report_id_ma: [u8; 32],
    /// 0x180 REPORTED_TCB.
    pub reported_tcb: TcbVersion,
    /// 0x188 CPUID_FAM_ID, CPUID_MOD_ID, CPUID_STEP (v3+; reserved in v2).
    pub cpuid: Option<Cpuid>,
    /// 0x1A0 CHIP_ID (zero when MASK_CHIP_ID; only bytes 0..8 on Turin).
    pub chip_id: [u8; 64],
    /// 0x1E0 COMMITTED_TCB.
    pub committed_tcb: TcbVersion,
    /// 0x1E8 CURRENT_BUILD, CURRENT_MINOR, CURRENT_MAJOR.
    pub current_version: FirmwareVersion,
    /// 0x1EC COMMITTED_BUILD, COMMITTED_MINOR, COMMITTED_MAJOR.
    pub committed_version: FirmwareVersion,
    /// 0x1F0 LAUNCH_TCB.
    pub launch_tcb: TcbVersion,
    /// 0x1F8 LAUNCH_MIT_VECTOR (v5+).
    pub launch_mit_vector: Option<u64>,
    /// 0x200 CURRENT_MIT_VECTOR (v5+).
    pub current_mit_vector: Option<u64>,
    /// 0x2A0 SIGNATURE.
    pub signature: ReportSignature,
}

struct Fields<'a> {
    bytes: &'a [u8; REPORT_LEN],
}

impl Fields<'_> {
    fn array<const N: usize>(&self, offset: usize) -> [u8; N] {
        let mut out = [0u8; N];
        if let Some(src) = offset
            .checked_add(N)
            .and_then(|end| self.bytes.get(offset..end))
        {
            out.copy_from_slice(src);
        }
        out
    }
    fn u8(&self, offset: usize) -> u8 {
        self.bytes.get(offset).copied().unwrap_or(0)
    }
    fn u32(&self, offset: usize) -> u32 {
        u32::from_le_bytes(self.array(offset))
    }
    fn u64(&self, offset: usize) -> u64 {
        u64::from_le_bytes(self.array(offset))
    }
    fn mbz(&self, what: &'static str, range: core::ops::Range<usize>) -> Result<(), ParseError> {
        let region = self.bytes.get(range.clone()).unwrap_or(&[]);
        match region.iter().position(|b| *b != 0) {
            None => Ok(()),
            Some(i) => Err(ParseError {
                what,
                offset: range.start.saturating_add(i),
                kind: ParseErrorKind::NonZeroReserved,
            }),
        }
    }
}

fn invalid(what: &'static str, offset: usize, reason: &'static str) -> Error {
    Error::Parse(ParseError {
        what,
        offset,
        kind: ParseErrorKind::InvalidValue(reason),
    })
}

impl AttestationReport {
    /// Parses a report. The input must be exactly [`REPORT_LEN`] bytes.
    ///
    /// # Errors
    /// - [`ParseErrorKind::WrongLength`] for any other length;
    /// - [`Unsupported::ReportVersion`] for a version outside 2..=5;
    /// - [`ParseErrorKind::NonZeroReserved`] with the offset of the first non-zero byte of
    ///   a reserved range (including guest policy bits 63:26 and KEY_INFO bits 31:5);
    /// - [`ParseErrorKind::InvalidValue`] for guest policy bit 17 clear (it must be 1)
    ///   and for a reserved SIGNING_KEY encoding (2–6).
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let bytes: &[u8; REPORT_LEN] = bytes.try_into().map_err(|_| {
            Error::Parse(ParseError {
                what: "attestation report",
                offset: 0,
                kind: ParseErrorKind::WrongLength {
                    expected: REPORT_LEN,
                    actual: bytes.len(),
                },
            })
        })?;
        let f = Fields { bytes };
        let version = f.u32(0x000);
        if !SUPPORTED_VERSIONS.contains(&version) {
            return Err(Unsupported::ReportVersion(version).into());
        }
        let policy = GuestPolicy(f.u64(0x008));
        if policy.0 >> 26 != 0 {
            let first = (26..64).find(|b| policy.0 >> b & 1 == 1).unwrap_or(26);
            return Err(ParseError {
                what: "guest policy reserved bits 63:26",
                offset: 0x008_usize.saturating_add(usize::try_from(first / 8).unwrap_or(0)),
                kind: ParseErrorKind::NonZeroReserved,
            }
            .into());
        }
        if !GuestPolicy(policy.0).bit(17) {
            return Err(invalid(
                "guest policy bit 17",
                0x008,
                "reserved bit 17 must be 1",
            ));
        }
        let key_info = KeyInfo::decode(f.u32(0x048))?;
        f.mbz("reserved", 0x04C..0x050)?;
        let cpuid = if version >= 3 {
            f.mbz("reserved", 0x18B..0x1A0)?;
            Some(Cpuid {
                family: f.u8(0x188),
                model: f.u8(0x189),
                stepping: f.u8(0x18A),
            })
        } else {
            f.mbz("reserved (CPUID fields before v3)", 0x188..0x1A0)?;
            None
        };
        f.mbz("reserved", 0x1EB..0x1EC)?;
        f.mbz("reserved", 0x1EF..0x1F0)?;
        let (launch_mit_vector, current_mit_vector) = if version >= 5 {
            f.mbz("reserved", 0x208..SIGNED_LEN)?;
            (Some(f.u64(0x1F8)), Some(f.u64(0x200)))
        } else {
            f.mbz("reserved (mitigation vectors before v5)", 0x1F8..SIGNED_LEN)?;
            (None, None)
        };
        f.mbz("signature reserved", 0x330..REPORT_LEN)?;
        Ok(Self {
            version,
            guest_svn: f.u32(0x004),
            policy,
            family_id: f.array(0x010),
            image_id: f.array(0x020),
            vmpl: f.u32(0x030),
            signature_algo: f.u32(0x034),
            current_tcb: TcbVersion(f.u64(0x038)),
            platform_info: PlatformInfo(f.u64(0x040)),
            key_info,
            report_data: f.array(0x050),
            measurement: f.array(0x090),
            host_data: f.array(0x0C0),
            id_key_digest: f.array(0x0E0),
            author_key_digest: f.array(0x110),
            report_id: f.array(0x140),
            report_id_ma: f.array(0x160),
            reported_tcb: TcbVersion(f.u64(0x180)),
            cpuid,
            chip_id: f.array(0x1A0),
            committed_tcb: TcbVersion(f.u64(0x1E0)),
            current_version: FirmwareVersion {
                build: f.u8(0x1E8),
                minor: f.u8(0x1E9),
                major: f.u8(0x1EA),
            },
            committed_version: FirmwareVersion {
                build: f.u8(0x1EC),
                minor: f.u8(0x1ED),
                major: f.u8(0x1EE),
            },
            launch_tcb: TcbVersion(f.u64(0x1F0)),
            launch_mit_vector,
            current_mit_vector,
            signature: ReportSignature {
                r: f.array(0x2A0),
                s: f.array(0x2E8),
            },
        })
    }

    /// Serializes the report. For a report from [`AttestationReport::parse`] this gives
    /// back the parsed bytes (reserved ranges are zero by construction). Test vector
    /// builders use it; verification never does.
    pub fn to_bytes(&self) -> [u8; REPORT_LEN] {
        let mut out = [0u8; REPORT_LEN];
        let mut put = |offset: usize, src: &[u8]| {
            if let Some(dst) = offset
                .checked_add(src.len())
                .and_then(|end| out.get_mut(offset..end))
            {
                dst.copy_from_slice(src);
            }
        };
        put(0x000, &self.version.to_le_bytes());
        put(0x004, &self.guest_svn.to_le_bytes());
        put(0x008, &self.policy.0.to_le_bytes());
        put(0x010, &self.family_id);
        put(0x020, &self.image_id);
        put(0x030, &self.vmpl.to_le_bytes());
        put(0x034, &self.signature_algo.to_le_bytes());
        put(0x038, &self.current_tcb.0.to_le_bytes());
        put(0x040, &self.platform_info.0.to_le_bytes());
        put(0x048, &self.key_info.encode().to_le_bytes());
        put(0x050, &self.report_data);
        put(0x090, &self.measurement);
        put(0x0C0, &self.host_data);
        put(0x0E0, &self.id_key_digest);
        put(0x110, &self.author_key_digest);
        put(0x140, &self.report_id);
        put(0x160, &self.report_id_ma);
        put(0x180, &self.reported_tcb.0.to_le_bytes());
        if let Some(c) = self.cpuid {
            put(0x188, &[c.family, c.model, c.stepping]);
        }
        put(0x1A0, &self.chip_id);
        put(0x1E0, &self.committed_tcb.0.to_le_bytes());
        let v = self.current_version;
        put(0x1E8, &[v.build, v.minor, v.major]);
        let v = self.committed_version;
        put(0x1EC, &[v.build, v.minor, v.major]);
        put(0x1F0, &self.launch_tcb.0.to_le_bytes());
        if let Some(m) = self.launch_mit_vector {
            put(0x1F8, &m.to_le_bytes());
        }
        if let Some(m) = self.current_mit_vector {
            put(0x200, &m.to_le_bytes());
        }
        put(0x2A0, &self.signature.r);
        put(0x2E8, &self.signature.s);
        out
    }

    /// Whether CHIP_ID is all zero (MASK_CHIP_ID was set at launch).
    pub fn chip_id_masked(&self) -> bool {
        self.chip_id.iter().all(|b| *b == 0)
    }
}
