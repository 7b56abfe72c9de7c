//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str =
    "Exit codes: 0 verified; 1 evidence rejected; 2 unreadable or malformed input, or bad usage; \
3 collateral missing or unavailable.";

/// Verdict: a remote-attestation verifier for AMD SEV-SNP, Intel TDX and NVIDIA GPUs.
#[derive(Debug, Parser)]
#[command(name = "verdict", version, about, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Verify attestation evidence against vendor collateral.
    #[command(after_help = EXIT_CODES)]
    Verify(VerifyArgs),
}

/// The TEE that produced the evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TeeArg {
    /// AMD SEV-SNP attestation report.
    Snp,
    /// Intel TDX quote.
    Tdx,
    /// NVIDIA GPU (SPDM) attestation report.
    Nvidia,
}

#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// The TEE, when it cannot be told from the evidence itself.
    #[arg(long, value_enum)]
    pub(crate) tee: Option<TeeArg>,
    /// Collateral, detected by content: PEM or DER certificates, chains and CRLs; Intel
    /// TCB Info / QE Identity JSON; NVIDIA RIMs (XML, or the RIM service's JSON) and OCSP
    /// responses (DER or base64). A directory means every file in it. Repeatable.
    #[arg(long, value_name = "FILE_OR_DIR")]
    pub(crate) collateral: Vec<PathBuf>,
    /// Expected nonce, hex: REPORT_DATA must equal it (64 bytes) or begin with it; for
    /// GPU evidence, the 32-byte SPDM requester nonce.
    #[arg(long, value_name = "HEX")]
    pub(crate) nonce: Option<String>,
    /// Verify at this time (RFC 3339, e.g. 2025-01-29T16:26:55Z) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// Never fetch collateral over the network (today nothing is fetched either way).
    #[arg(long)]
    pub(crate) offline: bool,
    /// Trust only these root certificates (PEM or DER) instead of the built-in vendor
    /// roots: for private test PKIs such as the bundled example. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub(crate) anchor: Vec<PathBuf>,
    /// TDX: the TD's CCEL event log (the log area, raw); it must replay to the quote's
    /// RTMRs, and its events are added to the claims. Trustee JSON evidence may carry it
    /// instead (`cc_eventlog`).
    #[arg(long, value_name = "FILE")]
    pub(crate) event_log: Option<PathBuf>,
    /// GPU: reject unless every device and RIM certificate below its root (the device
    /// leaf excepted) has a current `good` OCSP response among the collateral.
    #[arg(long)]
    pub(crate) require_ocsp: bool,
    /// GPU: reject unless the driver and VBIOS RIMs are supplied, verify, and every
    /// active measurement matches them.
    #[arg(long)]
    pub(crate) require_rims: bool,
    /// GPU: accept a certificate that OCSP reports on hold (revoked, reason
    /// certificateHold), with a warning.
    #[arg(long)]
    pub(crate) allow_cert_hold: bool,
    /// Print the structured result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// The evidence: raw binary, hex or base64 (detected by content); `-` reads stdin.
    #[arg(value_name = "EVIDENCE")]
    pub(crate) evidence: PathBuf,
}
