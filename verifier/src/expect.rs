//! Expectations shared by several TEEs' options. They live below `snp` and `tdx` so that
//! neither has to import the other.

/// What REPORT_DATA must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportDataExpectation {
    /// All 64 bytes, exactly.
    Exact([u8; 64]),
    /// A nonce that REPORT_DATA must begin with (1 to 64 bytes); the rest is not
    /// constrained (guests often put a key digest after the nonce). Never padded.
    Prefix(Vec<u8>),
}
