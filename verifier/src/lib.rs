//! Verdict's pure verification core.
//!
//! Parsing and verification take bytes, collateral, trust anchors and `now`, and return
//! verified claims or a typed [`Error`]. There is no clock, network, filesystem or global
//! state here: callers (the CLI, the service, a key broker) bring all of it.
//!
//! # What "verified" means for AMD SEV-SNP
//!
//! [`Verifier::verify_snp`] accepts a report only if every step holds (numbers match the
//! comments in `snp/verify.rs`):
//!
//! 1. the report is 1184 bytes, its version is 2–5, every reserved range for that version
//!    is zero, SIGNATURE_ALGO is 1 and SIGNING_KEY is the VCEK or the VLEK;
//! 2. a certificate of the kind SIGNING_KEY names is supplied (in the collateral, or
//!    carried by the evidence: [`Evidence::SnpWithCertificates`]);
//! 3. the product line comes from CPUID (v3+; Siena/Bergamo are Genoa), or for v2 from
//!    the caller or the certificate;
//! 4. the intermediate is the product's ASK (VCEK) or ASVK (VLEK);
//! 5. ARK → ASK/ASVK → VCEK/VLEK verifies: the ARK's key is pinned for the product, every
//!    signature (RSASSA-PSS SHA-384, either encoding of its parameters) verifies over the
//!    raw TBS bytes, issuers are CAs, every certificate is valid at `now`; names only make
//!    candidates, so each candidate chain (and each VEK that fits the report) is tried
//!    until one verifies through step 8, and otherwise the furthest-reaching failure is
//!    reported;
//! 6. the newest current CRL (by thisUpdate) among those the ARK signed does not list the
//!    ASK/ASVK; CRLs the ARK did not sign are ignored, and if the ARK signed some but none
//!    is current, the newest one's error rejects;
//! 7. the VEK's AMD extensions bind it to the report: productName and structVersion match
//!    the product, blSPL/teeSPL/snpSPL/ucodeSPL (and fmcSPL on Turin) equal
//!    REPORTED_TCB, and the VCEK's hwID equals CHIP_ID (8 bytes on Turin) unless masked;
//! 8. the ECDSA P-384 signature (r, s little-endian) verifies over bytes 0x000–0x29F as
//!    received;
//! 9. every expectation in [`snp::SnpOptions`] holds.
//!
//! # What "verified" means for an Intel TDX (or SGX) quote
//!
//! [`Verifier::verify_tdx`] (TD quotes) and [`Verifier::verify_sgx`] (enclave quotes)
//! follow Intel's Quote Verification Library, and are stricter where that is cheap
//! (numbers match the comments in `tdx/verify.rs`):
//!
//! 1. the quote is version 3 (SGX), 4 or 5 with attestation key type 2 (ECDSA P-256),
//!    of the TEE type the caller asked for (TDX or SGX), Intel's QE vendor id, a known v5 body type of the right size,
//!    certification data type 6 around the QE report (v4/v5) and every declared length
//!    consistent; unsigned bytes after the signature data are tolerated and reported;
//! 2. the PCK chain in the quote (type 5, PEM) is exactly PCK → PCK Platform/Processor CA
//!    → Intel SGX Root CA, the root's key is pinned, every certificate is valid at `now`;
//!    a quote that carries only its PCK certificate (type 4) or names it by encrypted
//!    PPID (types 3 and 2) gets the rest from the collateral: for types 2 and 3 the PCK
//!    certificate whose key verifies the QE report signature, and the PCK CA and root
//!    that issued it; type 1 (plain PPID) is refused;
//! 3. the Root CA CRL (signed by the root) does not list the PCK CA, and the PCK CA's CRL
//!    does not list the PCK certificate; both are current at `now`;
//! 4. the QE report's signature verifies with the PCK key, and its REPORTDATA is
//!    SHA-256(attestation key ‖ QE authentication data) followed by 32 zero bytes;
//! 5. the quote's signature verifies with the attestation key over header ‖ body;
//! 6. the TCB Info (for the PCK certificate's FMSPC and the quote's TEE) and the QE
//!    Identity are signed by a TCB Signing certificate issued by the same root and not
//!    revoked, and are current at `now`; the TCB Info's PCE-ID is the PCK's;
//! 7. the QE report matches the QE Identity (MISCSELECT and ATTRIBUTES under their masks,
//!    MRSIGNER, ISVPRODID);
//! 8. for TDX, MRSIGNERSEAM and SEAMATTRIBUTES match the TDX module identity (the one
//!    named by TEE_TCB_SVN's major version when above 0) and SEAMATTRIBUTES is zero;
//! 9. Intel's TCB evaluation (see `tdx::evaluate`): platform level, TDX module level, QE
//!    level, convergence, and for TD 1.5 the launch/current evaluation with the relaunch
//!    rule; a Revoked or unsupported TCB rejects, other statuses are claims;
//! 10. every expectation in [`tdx::TdxOptions`] (or [`tdx::SgxOptions`]) holds;
//! 11. with [`Verifier::verify_tdx_with_event_log`], the CCEL event log replays to all
//!     four RTMRs (checked right after the quote signature, step 5).
//!
//! # What "verified" means for an NVIDIA GPU
//!
//! [`Verifier::verify_nvidia`] goes as deep as NVIDIA's own verifiers (numbers match the
//! comments in `nvidia/verify.rs`):
//!
//! 1. the report is an SPDM 1.1 GET_MEASUREMENTS request (signature requested) and its
//!    MEASUREMENTS response, every field located by the declared lengths: DMTF blocks
//!    with distinct indices filling the record exactly, opaque TLVs (each type once);
//!    the signature ends it: one unsigned byte after it (as NVIDIA SDK captures
//!    sometimes carry) is tolerated and reported (`trailing_bytes`, a `trailing_data`
//!    warning), more is malformed;
//! 2. the device chain (leaf first) leads from the attestation certificate, an
//!    end-entity P-384 key with keyUsage digitalSignature (and, if it has an
//!    extendedKeyUsage, SPDM responder authentication or any purpose), to the NVIDIA
//!    Device Identity CA pinned by key hash; every certificate is valid at `now`;
//! 3. the ECDSA P-384 signature (raw r‖s) verifies over SHA-384 of request ‖ response up
//!    to the signature;
//! 4. the requester nonce is the caller's, when given; the unsigned `nonce` and `arch`
//!    labels an evidence file puts beside the report, when present, equal the report's
//!    requester nonce and the architecture of its verified chain (case-insensitive),
//!    else the evidence is rejected (`evidence_label_mismatch`);
//! 5. the FWID in the opaque data equals the attestation certificate's (Hopper
//!    2.23.133.5.4.1, Blackwell DiceTcbInfo fwids\[0\]) when the report carries one;
//! 6. each certificate below the root is checked against the supplied OCSP responses
//!    (CertID, issuer or delegated responder, signature, nonce, thisUpdate/nextUpdate);
//!    revoked rejects, a missing or stale answer is a claim;
//! 7. the driver and VBIOS RIMs for the report's versions are verified (XMLDSig,
//!    signing chain to the pinned NVIDIA RIM root with a signer allowed to sign
//!    manifests, OCSP) and every active golden index is compared with the report's
//!    measurements;
//! 8. every expectation in [`nvidia::NvidiaOptions`] holds.
//!
//! ```no_run
//! use verifier::{collateral::Bundle, time, Evidence, Expectations, TrustAnchors, Verifier};
//! # fn main() -> Result<(), verifier::Error> {
//! let evidence = Evidence::from_bytes(&std::fs::read("report.bin").unwrap(), None)?;
//! let mut bundle = Bundle::new();
//! bundle.add_bytes(&std::fs::read("ask_ark.pem").unwrap())?;
//! bundle.add_bytes(&std::fs::read("vcek.der").unwrap())?;
//! // What verification will look for, and which of it the bundle lacks (pure).
//! for need in bundle.missing(&evidence, &Expectations::none()) {
//!     println!("still needed: {} (optional: {})", need.key, need.optional);
//! }
//! let verifier = Verifier::new(TrustAnchors::default());
//! let now = time::from_secs(1_740_000_000);
//! let verified = verifier.verify(&evidence, &bundle, &Expectations::none(), now)?;
//! println!("{}", serde_json::to_string(verified.claims()).unwrap());
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

mod amd;
pub mod anchors;
pub mod azure;
pub mod claims;
pub mod collateral;
pub mod crypto;
pub mod der;
pub mod error;
pub mod evidence;
mod expect;
pub mod expectations;
mod hexstr;
pub mod json;
pub mod needs;
pub mod nvidia;
mod pem_blocks;
pub mod pki;
mod reader;
mod role;
pub mod snp;
pub mod tdx;
mod tee;
pub mod time;

pub use anchors::TrustAnchors;
pub use claims::{Claims, Verified, Warning};
pub use error::{Error, ErrorClass};
pub use evidence::{Evidence, Tee};
pub use expectations::Expectations;
pub use needs::{CollateralKey, Requirement};

use crypto::CryptoProvider;
use pki::{ParsedChainCache, SignatureCache};

/// A verifier: trust anchors, a crypto provider and a cache of verified signatures.
///
/// Cheap to share (`&Verifier` across threads); the cache makes repeated chains cost a
/// hash lookup per signature.
#[derive(Debug)]
pub struct Verifier {
    provider: &'static dyn CryptoProvider,
    anchors: TrustAnchors,
    cache: SignatureCache,
    chains: ParsedChainCache<tdx::PckChain>,
    /// Certificates evidence carries (GPU device chains, Azure's VCEK), parsed.
    device_chains: ParsedChainCache<Vec<pki::Certificate>>,
    /// Azure runtime data, parsed, keyed by its SHA-256 (which the hardware report binds).
    runtime_data: ParsedChainCache<azure::runtime::RuntimeData>,
    /// OCSP answers already authenticated (GPU and RIM chains); judged at `now` per call.
    ocsp: pki::ocsp::OcspMemo,
    /// GPU device chains (PEM) parsed, keyed by their exact bytes: looked up on every
    /// GPU verification, where a SHA-256 over the 4 KB would cost more than the lookup.
    gpu_chains: ParsedChainCache<Vec<pki::Certificate>, Box<[u8]>>,
}

impl Verifier {
    /// A verifier with the default crypto provider and a signature cache.
    pub fn new(anchors: TrustAnchors) -> Self {
        Self::with_provider(anchors, crypto::default_provider())
    }

    /// A verifier with the given crypto provider.
    pub fn with_provider(anchors: TrustAnchors, provider: &'static dyn CryptoProvider) -> Self {
        Self {
            provider,
            anchors,
            cache: SignatureCache::default(),
            chains: ParsedChainCache::default(),
            device_chains: ParsedChainCache::default(),
            runtime_data: ParsedChainCache::default(),
            ocsp: pki::ocsp::OcspMemo::default(),
            gpu_chains: ParsedChainCache::default(),
        }
    }

    /// The same verifier without its caches: every signature is checked and every
    /// certificate chain parsed on every call. Results are the same either way; this is
    /// for measuring the cold path and for callers that verify each input only once.
    pub fn without_caches(mut self) -> Self {
        self.cache = SignatureCache::disabled();
        self.chains = ParsedChainCache::disabled();
        self.device_chains = ParsedChainCache::disabled();
        self.runtime_data = ParsedChainCache::disabled();
        self.ocsp = pki::ocsp::OcspMemo::disabled();
        self.gpu_chains = ParsedChainCache::disabled();
        self
    }

    /// The crypto provider in use.
    pub fn provider(&self) -> &'static dyn CryptoProvider {
        self.provider
    }

    /// The trust anchors in use.
    pub fn anchors(&self) -> &TrustAnchors {
        &self.anchors
    }

    /// The signature cache.
    pub fn cache(&self) -> &SignatureCache {
        &self.cache
    }

    /// Verifies evidence of any kind against `collateral` at `now`: the one call from
    /// bytes (through [`Evidence::from_bytes`]) to verified claims. The expectations for
    /// the evidence's kind apply (defaults when none are given); expectations given for
    /// another kind are refused.
    ///
    /// # Errors
    /// The first failed step, as a typed [`Error`];
    /// [`Error::MissingCollateral`] names the [`CollateralKey`] that was absent;
    /// [`error::ExpectationError::TeeMismatch`] for expectations of another kind.
    pub fn verify(
        &self,
        evidence: &Evidence,
        collateral: &collateral::Bundle,
        expectations: &Expectations,
        now: time::UnixTime,
    ) -> Result<Verified<Claims>, Error> {
        expectations.check_kind(evidence.tee())?;
        match evidence {
            Evidence::Snp(report) => {
                let options = expectations.snp.clone().unwrap_or_default();
                self.verify_snp(report, collateral, &options, now)
                    .map(|v| v.map(|c| Claims::Snp(Box::new(c))))
            }
            Evidence::SnpWithCertificates {
                report,
                certificates,
            } => {
                let options = expectations.snp.clone().unwrap_or_default();
                snp::verify_carrying(self, report, certificates, collateral, &options, now)
                    .map(|v| v.map(|c| Claims::Snp(Box::new(c))))
            }
            Evidence::Tdx { quote, event_log } => {
                let options = expectations.tdx.clone().unwrap_or_default();
                tdx::verify(
                    self,
                    quote,
                    event_log.as_deref(),
                    collateral,
                    tdx::Expect::Td(&options),
                    now,
                )
                .map(|v| v.map(Claims::from))
            }
            Evidence::Sgx(quote) => {
                let options = expectations.sgx.clone().unwrap_or_default();
                self.verify_sgx(quote, collateral, &options, now)
                    .map(|v| v.map(Claims::from))
            }
            // The options are borrowed (defaults only when none were given): Azure
            // evidence is verified on a service's warm path.
            Evidence::Azure(azure) => match (azure.tee(), expectations) {
                (
                    Tee::AzureTdx,
                    Expectations {
                        azure_tdx: Some(o), ..
                    },
                ) => self.verify_azure_tdx(azure, collateral, o, now),
                (Tee::AzureTdx, _) => {
                    self.verify_azure_tdx(azure, collateral, &Default::default(), now)
                }
                (
                    _,
                    Expectations {
                        azure_snp: Some(o), ..
                    },
                ) => self.verify_azure_snp(azure, collateral, o, now),
                _ => self.verify_azure_snp(azure, collateral, &Default::default(), now),
            }
            .map(|v| v.map(|c| Claims::Azure(Box::new(c)))),
            Evidence::Gpus(gpus) => {
                let options = expectations.nvidia.clone().unwrap_or_default();
                match gpus.as_slice() {
                    [gpu] => self
                        .verify_nvidia(gpu, collateral, &options, now)
                        .map(|v| v.map(|c| Claims::Gpu(Box::new(c)))),
                    _ => self
                        .verify_nvidia_all(gpus, collateral, &options, now)
                        .map(|v| v.map(Claims::Gpus)),
                }
            }
        }
    }

    /// Verifies an SEV-SNP attestation report (see the crate docs for the steps).
    ///
    /// # Errors
    /// The first failed step, as a typed [`Error`].
    pub fn verify_snp(
        &self,
        report: &[u8],
        collateral: &collateral::Bundle,
        options: &snp::SnpOptions,
        now: time::UnixTime,
    ) -> Result<Verified<snp::SnpClaims>, Error> {
        snp::verify(self, report, collateral, options, now)
    }

    /// Verifies an Intel TDX quote (v4/v5, TD 1.0 or TD 1.5) against Intel's collateral
    /// in `collateral` (see the crate docs for the steps). The claims are always
    /// [`tdx::QuoteClaims::Tdx`].
    ///
    /// # Errors
    /// The first failed step, as a typed [`Error`];
    /// [`error::ExpectationError::TeeMismatch`] for an SGX quote (use
    /// [`Self::verify_sgx`]).
    pub fn verify_tdx(
        &self,
        quote: &[u8],
        collateral: &collateral::Bundle,
        options: &tdx::TdxOptions,
        now: time::UnixTime,
    ) -> Result<Verified<tdx::QuoteClaims>, Error> {
        tdx::verify(self, quote, None, collateral, tdx::Expect::Td(options), now)
    }

    /// Verifies an Intel SGX quote (v3/v4/v5) against Intel's collateral in
    /// `collateral`, with the same steps as [`Self::verify_tdx`]. The claims are always
    /// [`tdx::QuoteClaims::Sgx`].
    ///
    /// # Errors
    /// The first failed step, as a typed [`Error`];
    /// [`error::ExpectationError::TeeMismatch`] for a TDX quote.
    pub fn verify_sgx(
        &self,
        quote: &[u8],
        collateral: &collateral::Bundle,
        options: &tdx::SgxOptions,
        now: time::UnixTime,
    ) -> Result<Verified<tdx::QuoteClaims>, Error> {
        tdx::verify(
            self,
            quote,
            None,
            collateral,
            tdx::Expect::Enclave(options),
            now,
        )
    }

    /// As [`Self::verify_tdx`], with the TD's CCEL event log: it must replay to the
    /// quote's four RTMRs, and its decoded events become the `tdx.event_log` claim.
    ///
    /// # Errors
    /// As [`Self::verify_tdx`], and [`error::BindingError::RtmrReplay`] naming the first
    /// RTMR the log does not reproduce.
    pub fn verify_tdx_with_event_log(
        &self,
        quote: &[u8],
        event_log: &[u8],
        collateral: &collateral::Bundle,
        options: &tdx::TdxOptions,
        now: time::UnixTime,
    ) -> Result<Verified<tdx::QuoteClaims>, Error> {
        tdx::verify(
            self,
            quote,
            Some(event_log),
            collateral,
            tdx::Expect::Td(options),
            now,
        )
    }

    /// Verifies Azure SEV-SNP vTPM evidence: the HCL report, the TPM quote signed by the
    /// attestation key in its runtime data, and the SEV-SNP report through
    /// [`Self::verify_snp`]'s steps (see [`azure`] for the checklist).
    ///
    /// # Errors
    /// The first failed step, as a typed [`Error`];
    /// [`error::ExpectationError::TeeMismatch`] for TDX evidence.
    pub fn verify_azure_snp(
        &self,
        evidence: &azure::AzureEvidence,
        collateral: &collateral::Bundle,
        options: &azure::AzureSnpOptions,
        now: time::UnixTime,
    ) -> Result<Verified<azure::AzureClaims>, Error> {
        azure::verify(self, evidence, collateral, azure::Expect::Snp(options), now)
    }

    /// Verifies Azure TDX vTPM evidence: the HCL report, the TPM quote signed by the
    /// attestation key in its runtime data, and the TD quote through
    /// [`Self::verify_tdx`]'s steps (see [`azure`] for the checklist).
    ///
    /// # Errors
    /// The first failed step, as a typed [`Error`];
    /// [`error::ExpectationError::TeeMismatch`] for SEV-SNP evidence.
    pub fn verify_azure_tdx(
        &self,
        evidence: &azure::AzureEvidence,
        collateral: &collateral::Bundle,
        options: &azure::AzureTdxOptions,
        now: time::UnixTime,
    ) -> Result<Verified<azure::AzureClaims>, Error> {
        azure::verify(self, evidence, collateral, azure::Expect::Tdx(options), now)
    }

    /// Verifies one NVIDIA GPU's evidence (its report, and its device chain unless the
    /// chain is in `collateral`) against the RIMs and OCSP responses in `collateral`
    /// (see the crate docs for the steps, and [`nvidia`] for what rejects and what is a
    /// claim).
    ///
    /// # Errors
    /// The first failed step, as a typed [`Error`].
    pub fn verify_nvidia(
        &self,
        evidence: &nvidia::GpuEvidence,
        collateral: &collateral::Bundle,
        options: &nvidia::NvidiaOptions,
        now: time::UnixTime,
    ) -> Result<Verified<nvidia::GpuClaims>, Error> {
        nvidia::verify(self, evidence, collateral, options, now)
    }

    /// Verifies several GPUs' evidence (as from one multi-GPU evidence file): there is at
    /// least one, every GPU must verify, and each is a different device (by
    /// `device_id`). Each warning carries the position of its GPU (`gpu`, and a
    /// `GPU i: ` prefix).
    ///
    /// # Errors
    /// [`error::ParseErrorKind::Empty`] for no evidence; the first GPU's failure, as
    /// [`Self::verify_nvidia`]; [`Error::DuplicateDevice`] for a device seen before.
    pub fn verify_nvidia_all(
        &self,
        evidence: &[nvidia::GpuEvidence],
        collateral: &collateral::Bundle,
        options: &nvidia::NvidiaOptions,
        now: time::UnixTime,
    ) -> Result<Verified<Vec<nvidia::GpuClaims>>, Error> {
        if evidence.is_empty() {
            return Err(nvidia::empty_evidence().into());
        }
        let mut claims: Vec<nvidia::GpuClaims> = Vec::with_capacity(evidence.len());
        let mut warnings = Vec::new();
        for (i, gpu) in evidence.iter().enumerate() {
            let verified = self.verify_nvidia(gpu, collateral, options, now)?;
            // One GPU must not count as several (a copy of its evidence, or two reports).
            let device_id = &verified.claims().device_id;
            if let Some(first) = claims.iter().position(|c| &c.device_id == device_id) {
                return Err(Error::DuplicateDevice {
                    device_id: device_id.clone(),
                    first,
                    second: i,
                });
            }
            warnings.extend(verified.warnings().iter().map(|w| Warning {
                code: w.code,
                message: format!("GPU {i}: {}", w.message),
                gpu: Some(i),
            }));
            claims.push(verified.claims().clone());
        }
        Ok(Verified::new(claims, warnings))
    }
}
