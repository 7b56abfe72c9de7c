//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str =
    "Exit codes: 0 verified; 1 evidence rejected; 2 unreadable or malformed input, or bad usage; \
3 collateral missing or unavailable.";

/// Verdict: a remote-attestation verifier for AMD SEV-SNP, Intel TDX, Azure confidential
/// VMs and NVIDIA GPUs.
#[derive(Debug, Parser)]
#[command(name = "verdict", version, about, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

const COLLATERAL_EXIT_CODES: &str =
    "Exit codes (fetch): 0 everything the evidence needs is in the bundle; 2 unreadable input or \
bad usage; 3 required collateral could not be fetched (each failure is named). (show): 0 \
listed; 2 the directory cannot be read.";

const APPRAISE_EXIT_CODES: &str =
    "Exit codes: 0 token issued (whatever the status inside: it is in the token and on stderr); \
1 evidence rejected; 2 unreadable or malformed input, a policy that does not load, or bad usage; \
3 collateral missing or unavailable.";

const TOKEN_VERIFY_EXIT_CODES: &str =
    "Exit codes: 0 the token is valid; 1 it is not (signature, expiry, nonce, issuer, audience); \
2 unreadable input or bad usage.";

const POLICY_EXIT_CODES: &str =
    "Exit codes: 0 the policy loads and its tests pass; 1 a test fails; 2 the policy does not \
load (the error gives its line and column), or unreadable input.";

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Verify attestation evidence against vendor collateral.
    #[command(after_help = EXIT_CODES)]
    Verify(VerifyArgs),
    /// Verify evidence, appraise it with a policy and print a signed EAR token.
    #[command(after_help = APPRAISE_EXIT_CODES)]
    Appraise(AppraiseArgs),
    /// Token keys and token verification.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Policy tools.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Collateral bundles: fetch for air-gapped verification, show what one holds.
    #[command(subcommand, after_help = COLLATERAL_EXIT_CODES)]
    Collateral(CollateralCommand),
    /// Run the attestation token service (HTTP): challenges, attestation, JWKS,
    /// policies, Trustee's API.
    #[command(after_help = SERVE_HELP)]
    Serve(Box<ServeArgs>),
}

const SERVE_HELP: &str = "With no configuration it runs on 127.0.0.1:8080 with a data \
directory ./verdict-data (a signing key and challenge key generated there), the default \
policies and the on-disk collateral cache. Flags win over the VERDICT_* environment \
variables, which win over --config (TOML, the same names with underscores; see \
docs/service.md). Exit codes: 0 after a clean shutdown (SIGINT or SIGTERM), 2 when it \
cannot start.";

/// `verdict serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// The service's configuration file (TOML).
    #[arg(long, env = "VERDICT_SERVE_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Where to listen (default 127.0.0.1:8080).
    #[arg(long, env = "VERDICT_LISTEN", value_name = "ADDR:PORT")]
    pub(crate) listen: Option<std::net::SocketAddr>,
    /// The data directory (default ./verdict-data).
    #[arg(long, env = "VERDICT_DATA_DIR", value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// The tokens' issuer (default http://ADDR:PORT).
    #[arg(long, env = "VERDICT_ISSUER", value_name = "URL")]
    pub(crate) issuer: Option<String>,
    /// The tokens' audience.
    #[arg(long, env = "VERDICT_AUDIENCE")]
    pub(crate) audience: Option<String>,
    /// The token signing key, PEM (default: DATA_DIR/keys/current.pem, generated).
    #[arg(long, env = "VERDICT_SIGNING_KEY", value_name = "FILE")]
    pub(crate) signing_key: Option<PathBuf>,
    /// The challenge MAC key file, 64 hex digits, shared by replicas (default:
    /// DATA_DIR/challenge.key, generated).
    #[arg(long, env = "VERDICT_CHALLENGE_KEY", value_name = "FILE")]
    pub(crate) challenge_key: Option<PathBuf>,
    /// The admin bearer token (policies, key rotation); without one those routes are
    /// disabled.
    #[arg(long, env = "VERDICT_ADMIN_TOKEN", hide_env_values = true)]
    pub(crate) admin_token: Option<String>,
    /// Redis URL: replicas share the nonce record and collateral through it.
    #[arg(long, env = "VERDICT_REDIS_URL", value_name = "URL")]
    pub(crate) redis_url: Option<String>,
    /// Policy files (ID.yaml) to serve beside the built-in ones.
    #[arg(long, env = "VERDICT_POLICIES_DIR", value_name = "DIR")]
    pub(crate) policies_dir: Option<PathBuf>,
    /// Collateral files or directories to load at start (repeatable).
    #[arg(long, value_name = "PATH")]
    pub(crate) collateral: Vec<PathBuf>,
    /// Trust these root certificates instead of the vendors' (fake PKIs in tests).
    #[arg(long = "anchor", value_name = "FILE")]
    pub(crate) anchors: Vec<PathBuf>,
    /// Never ask the vendors' services.
    #[arg(long, env = "VERDICT_OFFLINE", value_parser = clap::builder::FalseyValueParser::new())]
    pub(crate) offline: bool,
    /// AMD KDS base URL.
    #[arg(long, env = "VERDICT_AMD_KDS_URL", value_name = "URL")]
    pub(crate) amd_kds_url: Option<String>,
    /// Intel PCS (or PCCS) base URL.
    #[arg(long, env = "VERDICT_INTEL_PCS_URL", value_name = "URL")]
    pub(crate) intel_pcs_url: Option<String>,
    /// NVIDIA RIM service base URL.
    #[arg(long, env = "VERDICT_NVIDIA_RIM_URL", value_name = "URL")]
    pub(crate) nvidia_rim_url: Option<String>,
    /// NVIDIA OCSP responder URL.
    #[arg(long, env = "VERDICT_NVIDIA_OCSP_URL", value_name = "URL")]
    pub(crate) nvidia_ocsp_url: Option<String>,
    /// Verify as of this RFC 3339 time instead of the clock (replaying old evidence;
    /// never in production).
    #[arg(long, value_name = "TIME")]
    pub(crate) at: Option<String>,
    /// Log JSON lines instead of text.
    #[arg(long, env = "VERDICT_LOG_JSON", value_parser = clap::builder::FalseyValueParser::new())]
    pub(crate) log_json: bool,
    /// TLS certificate chain (PEM); with --tls-key the service speaks HTTPS.
    #[arg(long, env = "VERDICT_TLS_CERT", value_name = "FILE")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, env = "VERDICT_TLS_KEY", value_name = "FILE")]
    pub(crate) tls_key: Option<PathBuf>,
}

/// Token format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatArg {
    /// JWT (JWS compact serialization).
    Jwt,
    /// CWT: a COSE_Sign1, printed as hex.
    Cwt,
}

/// Signature algorithm of a new key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AlgArg {
    /// ECDSA P-384 with SHA-384 (the default).
    Es384,
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// Ed25519.
    Eddsa,
}

#[derive(Debug, clap::Args)]
pub(crate) struct AppraiseArgs {
    /// The policy (YAML).
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: PathBuf,
    /// The signing key: PKCS#8 or SEC1 PEM (`verdict token keygen` writes one).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Token format.
    #[arg(long, value_enum, default_value = "jwt")]
    pub(crate) format: FormatArg,
    /// The challenge, hex (8 to 64 bytes): the token's `eat_nonce`; the CPU report must
    /// begin its REPORT_DATA with it, and each GPU's nonce must be it or SHA-256 of the
    /// CPU's REPORT_DATA (see docs/policy.md, "Binding").
    #[arg(long, value_name = "HEX")]
    pub(crate) nonce: Option<String>,
    /// `iss` of the token.
    #[arg(long, default_value = "verdict")]
    pub(crate) issuer: String,
    /// `aud` of the token.
    #[arg(long)]
    pub(crate) audience: Option<String>,
    /// How each evidence file is verified (`--at` is also the token's `iat`; the event
    /// log goes with the TDX quote among the evidence).
    #[command(flatten)]
    pub(crate) verification: VerificationArgs,
    /// The evidence: at most one CPU TEE report (SNP, TDX, SGX, Azure vTPM evidence) and
    /// any number of GPU evidence files, each detected by content.
    #[arg(value_name = "EVIDENCE", required = true)]
    pub(crate) evidence: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Write a new signing key (PKCS#8 PEM).
    Keygen(KeygenArgs),
    /// Print the JWKS (RFC 7517) of signing keys, for relying parties.
    Jwks(JwksArgs),
    /// Check a token's signature, expiry and nonce, and print its claims as JSON.
    #[command(after_help = TOKEN_VERIFY_EXIT_CODES)]
    Verify(TokenVerifyArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct KeygenArgs {
    /// Where to write the key (created; an existing file is not overwritten).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// Signature algorithm.
    #[arg(long, value_enum, default_value = "es384")]
    pub(crate) alg: AlgArg,
}

#[derive(Debug, clap::Args)]
pub(crate) struct JwksArgs {
    /// A signing key (its public half is printed). Repeatable, for rotation.
    #[arg(long, value_name = "FILE", required = true)]
    pub(crate) key: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct TokenVerifyArgs {
    /// The token (JWT, or CWT as hex or base64url), or a file holding it; `-` reads stdin.
    /// Token text that names no file is the token; anything else is a path.
    #[arg(value_name = "TOKEN_OR_FILE")]
    pub(crate) token: String,
    /// The issuer's JWKS (keys of types Verdict does not verify with are ignored).
    #[arg(long, value_name = "FILE")]
    pub(crate) jwks: PathBuf,
    /// The challenge the token must carry as `eat_nonce`, hex.
    #[arg(long, value_name = "HEX")]
    pub(crate) nonce: Option<String>,
    /// Check validity at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// The `iss` the token must have.
    #[arg(long)]
    pub(crate) issuer: Option<String>,
    /// The `aud` the token must have.
    #[arg(long)]
    pub(crate) audience: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Load a policy (compile, type-check, lint), run its tests, and optionally appraise
    /// a claims file with a per-rule explanation.
    #[command(after_help = POLICY_EXIT_CODES)]
    Check(PolicyCheckArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct PolicyCheckArgs {
    /// The policy (YAML).
    #[arg(value_name = "FILE")]
    pub(crate) policy: PathBuf,
    /// Claims to appraise: `verdict verify --json` output, or a test input (`snp`/`tdx`/
    /// `sgx`, `gpus`, `nonce`, `now`, `warnings`).
    #[arg(long, value_name = "FILE")]
    pub(crate) claims: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The TEE that produced the evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TeeArg {
    /// AMD SEV-SNP attestation report.
    Snp,
    /// Intel TDX quote.
    Tdx,
    /// Intel SGX quote.
    Sgx,
    /// NVIDIA GPU (SPDM) attestation report.
    Nvidia,
    /// Azure confidential VM on SEV-SNP: HCL report and vTPM quote.
    AzureSnp,
    /// Azure confidential VM on TDX: HCL report, vTPM quote and TD quote.
    AzureTdx,
}

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct VerifyArgs {
    /// The TEE, when it cannot be told from the evidence itself; one that contradicts
    /// the evidence is a usage error.
    #[arg(long, value_enum)]
    pub(crate) tee: Option<TeeArg>,
    /// Expected nonce, hex: REPORT_DATA must equal it (64 bytes) or begin with it; for
    /// GPU evidence, the 32-byte SPDM requester nonce; for Azure evidence, the vTPM
    /// quote's extraData, byte for byte (1 to 64 bytes).
    #[arg(long, value_name = "HEX")]
    pub(crate) nonce: Option<String>,
    #[command(flatten)]
    pub(crate) verification: VerificationArgs,
    /// Print the structured result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// The evidence: raw binary, hex or base64 (detected by content), or a raw Azure HCL
    /// report with --tpm-quote; `-` reads stdin.
    #[arg(value_name = "EVIDENCE")]
    pub(crate) evidence: PathBuf,
}

/// How evidence is verified: collateral, time, trust anchors and the checks that are
/// options. Shared by `verify` and `appraise`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct VerificationArgs {
    /// Collateral, detected by content: PEM or DER certificates, chains and CRLs; Intel
    /// TCB Info / QE Identity JSON; NVIDIA RIMs (XML, or the RIM service's JSON) and OCSP
    /// responses (DER or base64). A directory means every file in it. Repeatable.
    #[arg(long, value_name = "FILE_OR_DIR")]
    pub(crate) collateral: Vec<PathBuf>,
    /// Verify at this time (RFC 3339, e.g. 2025-01-29T16:26:55Z) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// Where collateral the files do not hold comes from.
    #[command(flatten)]
    pub(crate) fetch: FetchArgs,
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
    /// Azure evidence given as loose parts (an HCL report as EVIDENCE).
    #[command(flatten)]
    pub(crate) azure: AzurePartsArgs,
}

/// Azure vTPM evidence as loose parts: EVIDENCE is the raw HCL report (vTPM NV index
/// 0x01400001) and these flags give the rest. With any other evidence they are a usage
/// error: Trustee's evidence JSON carries its own parts.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct AzurePartsArgs {
    /// Azure: the vTPM quote: JSON `{"signature", "message", "pcrs"}`, Trustee's bincode
    /// quote.bin, or a bare TPMS_ATTEST when --tpm-signature is given.
    #[arg(long, value_name = "FILE")]
    pub(crate) tpm_quote: Option<PathBuf>,
    /// Azure: the quote's raw RSA signature, for a bare TPMS_ATTEST in --tpm-quote.
    #[arg(long, value_name = "FILE")]
    pub(crate) tpm_signature: Option<PathBuf>,
    /// Azure: the PCR values the quote digests, concatenated 32-byte SHA-256 values
    /// (with a bare TPMS_ATTEST only; the other forms carry them).
    #[arg(long, value_name = "FILE")]
    pub(crate) pcrs: Option<PathBuf>,
    /// Azure TDX: the DCAP TD quote made from the HCL report's TDREPORT.
    #[arg(long, value_name = "FILE")]
    pub(crate) td_quote: Option<PathBuf>,
    /// Azure: the evidence version of the loose parts (default 1); version 2 means the
    /// runtime data's user-data must begin with the nonce.
    #[arg(long, value_name = "0|1|2", value_parser = clap::value_parser!(u8).range(0..=2))]
    pub(crate) evidence_version: Option<u8>,
}

impl AzurePartsArgs {
    /// The flags given, by name, for messages about misplaced ones.
    pub(crate) fn given(&self) -> Vec<&'static str> {
        let flags = [
            ("--tpm-quote", self.tpm_quote.is_some()),
            ("--tpm-signature", self.tpm_signature.is_some()),
            ("--pcrs", self.pcrs.is_some()),
            ("--td-quote", self.td_quote.is_some()),
            ("--evidence-version", self.evidence_version.is_some()),
        ];
        flags
            .into_iter()
            .filter_map(|(name, given)| given.then_some(name))
            .collect()
    }
}

/// Fetching collateral: the cache, then the vendors' services. Flags win over the
/// environment variables named, which win over `--config`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct FetchArgs {
    /// Never fetch over the network: use only --collateral and the cache.
    #[arg(long, env = "VERDICT_OFFLINE", value_parser = clap::builder::FalseyValueParser::new())]
    pub(crate) offline: bool,
    /// AMD KDS base URL (default https://kdsintf.amd.com).
    #[arg(long, env = "VERDICT_AMD_KDS_URL", value_name = "URL")]
    pub(crate) amd_kds_url: Option<String>,
    /// Intel PCS base URL, or a PCCS's (default https://api.trustedservices.intel.com).
    #[arg(long, env = "VERDICT_INTEL_PCS_URL", value_name = "URL")]
    pub(crate) intel_pcs_url: Option<String>,
    /// Intel PCS subscription key, sent only when asking PCS for a PCK certificate by
    /// encrypted PPID (quotes with certification data type 3); a PCCS needs none.
    #[arg(
        long,
        env = "VERDICT_INTEL_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub(crate) intel_api_key: Option<String>,
    /// NVIDIA RIM service base URL (default https://rim.attestation.nvidia.com).
    #[arg(long, env = "VERDICT_NVIDIA_RIM_URL", value_name = "URL")]
    pub(crate) nvidia_rim_url: Option<String>,
    /// NVIDIA OCSP responder URL (default https://ocsp.ndis.nvidia.com).
    #[arg(long, env = "VERDICT_NVIDIA_OCSP_URL", value_name = "URL")]
    pub(crate) nvidia_ocsp_url: Option<String>,
    /// The collateral cache (default: the per-user cache directory, e.g.
    /// ~/.cache/verdict).
    #[arg(long, env = "VERDICT_CACHE_DIR", value_name = "DIR")]
    pub(crate) cache_dir: Option<PathBuf>,
    /// Use no cache: neither read nor write one.
    #[arg(long)]
    pub(crate) no_cache: bool,
    /// Serve a cache entry up to this long past its validity when refreshing it fails
    /// (reported as a warning). Default 0.
    #[arg(long, value_name = "SECONDS")]
    pub(crate) cache_grace: Option<u64>,
    /// The limit for one request, in seconds (default 20).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) fetch_timeout: Option<u64>,
    /// A TOML file with any of: amd_kds_url, intel_pcs_url, nvidia_rim_url,
    /// nvidia_ocsp_url, cache_dir, no_cache, offline, fetch_timeout_seconds,
    /// cache_grace_seconds.
    #[arg(long, env = "VERDICT_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

/// `verdict collateral`.
// Parsed once per run: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, clap::Subcommand)]
pub(crate) enum CollateralCommand {
    /// Fetch everything the evidence needs into a bundle directory, for verification
    /// without network (`verify --offline --collateral DIR`).
    Fetch(CollateralFetchArgs),
    /// List what a bundle directory holds and until when each item is good.
    Show(CollateralShowArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct CollateralFetchArgs {
    /// Evidence files (any form `verify` reads). Each one's collateral is fetched.
    #[arg(required = true, value_name = "EVIDENCE")]
    pub(crate) evidence: Vec<PathBuf>,
    /// The bundle directory to write (created if absent; files already there stay).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// The kind of evidence, when its content cannot tell.
    #[arg(long, value_enum)]
    pub(crate) tee: Option<TeeArg>,
    /// Judge cache freshness at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// Collateral already at hand (as for `verify`); only what it lacks is fetched.
    #[arg(long, value_name = "FILE_OR_DIR")]
    pub(crate) collateral: Vec<PathBuf>,
    /// Azure evidence given as loose parts (an HCL report as EVIDENCE).
    #[command(flatten)]
    pub(crate) azure: AzurePartsArgs,
    /// Where to fetch from.
    #[command(flatten)]
    pub(crate) fetch: FetchArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct CollateralShowArgs {
    /// The bundle directory.
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,
    /// Judge validity at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) at: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}
