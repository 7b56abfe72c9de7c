//! What one appraisal reads: the devices' claims, the challenge and the time.
//!
//! An [`Input`] is made from `verifier::Verified<Claims>` values, which only the verifier
//! can construct: policy code cannot be handed claims nobody checked. The one other way
//! in, [`Input::from_unverified_json_for_testing`], says what it is in its name; it serves
//! policy test files and `verdict policy check --claims`.

use std::sync::Arc;

use serde_json::Value;
use verifier::azure::HardwareClaims;
use verifier::time::UnixTime;
use verifier::{Claims, Verified};

use crate::binding;
use crate::cel::{describe, string_at, Activation, BindError, Need};
use crate::schema::{self, Section};

/// One device's verified claims: the object under its section's name (`snp`, `tdx`,
/// `sgx`, or one GPU's `gpu`) and the verifier's warning codes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Device {
    /// The kind of evidence.
    pub section: Section,
    /// Its claims.
    claims: DeviceClaims,
    /// The claim that answers a challenge, hex (see [`Device::challenge_answer`]).
    answer: Option<String>,
    /// The codes of the verifier's warnings for it.
    pub warnings: Vec<String>,
}

/// A device's claims as they came: the verifier's typed claims, which appraisal
/// converts straight to CEL and only as far as the policy reads them, or JSON (policy
/// tests), converted whole so that a mistake anywhere in a test's claims is reported.
#[derive(Debug, Clone)]
enum DeviceClaims {
    /// The verifier's claims (shared by the GPUs of one result), and for `Gpus` which
    /// one.
    Verified(Arc<Claims>, usize),
    /// The object of the one claims variable, or for Azure the object of its variables
    /// (`{"snp": {…}, "azure": {…}, "tpm": {…}}`).
    Json(Value),
}

impl Device {
    fn new(section: Section, claims: DeviceClaims, warnings: Vec<String>) -> Self {
        let answer = claims.answer(section);
        Self {
            section,
            claims,
            answer,
            warnings,
        }
    }

    /// Its claims as `verify --json` prints them: the object of its one claims variable,
    /// or for Azure the object of its variables (`{"snp": {…}, "azure": {…}, "tpm":
    /// {…}}`, the verifier's serialization without `tee`).
    pub fn claims_json(&self) -> Value {
        match &self.claims {
            DeviceClaims::Json(v) => v.clone(),
            DeviceClaims::Verified(claims, i) => match &**claims {
                Claims::Azure(c) => {
                    let (name, hardware) = match &c.hardware {
                        HardwareClaims::Snp(h) => ("snp", to_json(h)),
                        HardwareClaims::Tdx(h) => ("tdx", to_json(h)),
                    };
                    let mut vars = serde_json::Map::new();
                    vars.insert(name.to_owned(), hardware);
                    vars.insert("azure".to_owned(), to_json(&c.azure));
                    vars.insert("tpm".to_owned(), to_json(&c.tpm));
                    Value::Object(vars)
                }
                Claims::Snp(c) => to_json(c),
                Claims::Tdx(c) => to_json(c),
                Claims::Sgx(c) => to_json(c),
                Claims::Gpu(c) => to_json(c),
                Claims::Gpus(list) => list.get(*i).map_or(Value::Null, to_json),
                _ => Value::Null,
            },
        }
    }

    /// Binds the device's claims variable `name` (`snp`, `azure`, `tpm`, …) in
    /// `activation`, converting what `need` asks for. A name that is not one of its
    /// section's variables, or a variable the device lacks, stays unbound: a rule
    /// reading it errs.
    pub(crate) fn bind(
        &self,
        activation: &mut Activation,
        name: &str,
        need: &Need,
    ) -> Result<(), BindError> {
        if !self.section.claim_variable_names().any(|n| n == name) {
            return Ok(());
        }
        let mut bind = |value: &dyn ErasedClaims| value.bind(activation, name, need);
        match &self.claims {
            DeviceClaims::Json(v) => {
                let value = if self.section.is_azure() {
                    v.get(name)
                } else {
                    Some(v)
                };
                match value {
                    Some(value) => activation.bind(name, value),
                    None => Ok(()),
                }
            }
            DeviceClaims::Verified(claims, i) => match (&**claims, name) {
                (Claims::Snp(c), _) => bind(&**c),
                (Claims::Tdx(c), _) => bind(&**c),
                (Claims::Sgx(c), _) => bind(&**c),
                (Claims::Gpu(c), _) => bind(&**c),
                (Claims::Gpus(list), _) => list.get(*i).map_or(Ok(()), |c| bind(c)),
                (Claims::Azure(c), "azure") => bind(&c.azure),
                (Claims::Azure(c), "tpm") => bind(&c.tpm),
                (Claims::Azure(c), _) => match &c.hardware {
                    HardwareClaims::Snp(h) => bind(&**h),
                    HardwareClaims::Tdx(h) => bind(&**h),
                },
                _ => Ok(()),
            },
        }
    }

    /// The claim that answers a challenge, hex: a GPU's SPDM nonce, an Azure VM's TPM
    /// quote `extraData` (its hardware report's REPORT_DATA holds the runtime data's
    /// hash, not the verifier's nonce), or a CPU report's REPORT_DATA.
    pub fn challenge_answer(&self) -> Option<&str> {
        self.answer.as_deref()
    }
}

/// The typed claims `Device::bind` converts, behind one object-safe call (serde's
/// `Serialize` is generic, so it is not).
trait ErasedClaims {
    fn bind(&self, activation: &mut Activation, name: &str, need: &Need) -> Result<(), BindError>;
}

impl<T: serde::Serialize> ErasedClaims for T {
    fn bind(&self, activation: &mut Activation, name: &str, need: &Need) -> Result<(), BindError> {
        activation.bind_serialize(name, need, self)
    }
}

impl DeviceClaims {
    /// The hex claim that answers a challenge ([`Device::challenge_answer`]), read from
    /// the serialized claims (whatever the verifier keeps them as).
    fn answer(&self, section: Section) -> Option<String> {
        let path: &[&str] = match section {
            Section::Gpu => &["nonce"],
            s if s.is_azure() => &["tpm", "nonce"],
            _ => &["report_data"],
        };
        match self {
            Self::Json(v) => path
                .iter()
                .try_fold(v, |v, key| v.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned),
            Self::Verified(claims, i) => match (&**claims, path) {
                (Claims::Snp(c), _) => string_at(&**c, path),
                (Claims::Tdx(c), _) => string_at(&**c, path),
                (Claims::Sgx(c), _) => string_at(&**c, path),
                // A GPU keeps its nonce as the hex text it serializes to.
                (Claims::Gpu(c), _) => Some(c.nonce.clone()),
                (Claims::Gpus(list), _) => list.get(*i).map(|c| c.nonce.clone()),
                (Claims::Azure(c), [_, rest @ ..]) => string_at(&c.tpm, rest),
                _ => None,
            },
        }
    }
}

/// Everything one appraisal reads. Its fields are private: it is built from verified
/// results ([`Input::from_verified`]) or, for tests only, from JSON
/// ([`Input::from_unverified_json_for_testing`]).
#[derive(Debug, Clone)]
pub struct Input {
    /// The CPU TEE report, if any (at most one).
    cpu: Option<Device>,
    /// The GPUs, in evidence order (submodules `gpu0`, `gpu1`, …).
    gpus: Vec<Device>,
    /// The challenge the evidence should answer (becomes `eat_nonce`).
    nonce: Option<Vec<u8>>,
    /// The appraisal time.
    now: UnixTime,
}

/// Why an appraisal could not be made (as opposed to an appraisal that is not
/// affirming).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AppraiseError {
    /// The evidence holds a kind the policy has no section for.
    #[error("policy {policy} has no `{section}` section for the {section} evidence")]
    NoSection {
        /// The policy's name.
        policy: String,
        /// The section it lacks.
        section: &'static str,
    },
    /// Nothing to appraise.
    #[error("no evidence to appraise")]
    Empty,
    /// Claims of a kind this version cannot appraise.
    #[error("{0} claims cannot be appraised by this version")]
    Unsupported(&'static str),
    /// More than one CPU TEE report.
    #[error("one appraisal takes at most one CPU TEE report, got {0}")]
    SeveralCpus(usize),
    /// The same GPU (by `gpu.device_id`) more than once.
    #[error("GPU {device_id} is given more than once; each device counts once")]
    DuplicateDevice {
        /// The repeated device's `device_id`.
        device_id: String,
    },
    /// Claims could not be bound to the policy's variables (a list over the limits).
    #[error("claims for {device}: {message}")]
    Bind {
        /// The submodule.
        device: String,
        /// Why.
        message: String,
    },
}

impl Input {
    /// Splits verified results into the CPU report and the GPUs.
    ///
    /// # Errors
    /// [`AppraiseError::SeveralCpus`] for two CPU reports, [`AppraiseError::Empty`] for
    /// none at all.
    pub fn from_verified(
        results: &[Verified<Claims>],
        nonce: Option<Vec<u8>>,
        now: UnixTime,
    ) -> Result<Self, AppraiseError> {
        let mut cpus = Vec::new();
        let mut gpus = Vec::new();
        let mut device_ids = std::collections::BTreeSet::new();
        for result in results {
            // In multi-GPU evidence each warning names its GPU: it goes to that GPU only.
            let warnings = |gpu: Option<usize>| -> Vec<String> {
                result
                    .warnings()
                    .iter()
                    .filter(|w| w.gpu.is_none() || w.gpu == gpu)
                    .map(|w| w.code.to_owned())
                    .collect()
            };
            // Shared with the result and by its GPUs: converted as read, never copied.
            let claims = result.shared_claims();
            let device = |section: Section, gpu: Option<usize>| {
                Device::new(
                    section,
                    DeviceClaims::Verified(Arc::clone(&claims), gpu.unwrap_or(0)),
                    warnings(gpu),
                )
            };
            let mut gpu = |c: &verifier::nvidia::GpuClaims, i: Option<usize>| {
                // One GPU counted twice (the same evidence given again) would satisfy a
                // policy that asks for more GPUs than there are.
                if !device_ids.insert(c.device_id.clone()) {
                    return Err(AppraiseError::DuplicateDevice {
                        device_id: c.device_id.clone(),
                    });
                }
                gpus.push(device(Section::Gpu, i));
                Ok(())
            };
            match result.claims() {
                Claims::Snp(_) => cpus.push(device(Section::Snp, None)),
                Claims::Tdx(_) => cpus.push(device(Section::Tdx, None)),
                Claims::Sgx(_) => cpus.push(device(Section::Sgx, None)),
                Claims::Azure(c) => cpus.push(device(
                    match c.hardware {
                        HardwareClaims::Snp(_) => Section::AzureSnp,
                        HardwareClaims::Tdx(_) => Section::AzureTdx,
                    },
                    None,
                )),
                Claims::Gpu(c) => gpu(c, None)?,
                Claims::Gpus(list) => {
                    if list.is_empty() {
                        return Err(AppraiseError::Empty);
                    }
                    for (i, c) in list.iter().enumerate() {
                        gpu(c, Some(i))?;
                    }
                }
                other => return Err(AppraiseError::Unsupported(other.tee())),
            }
        }
        if cpus.len() > 1 {
            return Err(AppraiseError::SeveralCpus(cpus.len()));
        }
        if cpus.is_empty() && gpus.is_empty() {
            return Err(AppraiseError::Empty);
        }
        Ok(Self {
            cpu: cpus.pop(),
            gpus,
            nonce,
            now,
        })
    }

    /// The CPU TEE report's claims, if any.
    pub fn cpu(&self) -> Option<&Device> {
        self.cpu.as_ref()
    }

    /// The GPUs' claims, in evidence order.
    pub fn gpus(&self) -> &[Device] {
        &self.gpus
    }

    /// The challenge the evidence should answer.
    pub fn nonce(&self) -> Option<&[u8]> {
        self.nonce.as_deref()
    }

    /// The appraisal time.
    pub fn now(&self) -> UnixTime {
        self.now
    }

    /// The `binding` object for this input.
    pub fn binding(&self) -> Value {
        let gpu_nonces: Vec<Option<&str>> =
            self.gpus.iter().map(Device::challenge_answer).collect();
        binding::compute(
            self.cpu.is_some(),
            self.cpu.as_ref().and_then(Device::challenge_answer),
            &gpu_nonces,
            self.nonce.as_deref(),
        )
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Azure claims in a test input are written as the verifier serializes them: `azure`
/// and `tpm` beside the hardware report's `snp` or `tdx`. Their presence is what makes
/// the CPU an Azure VM (section `azure_snp` / `azure_tdx`); anything partial is refused
/// rather than appraised as a plain report.
fn azure_test_claims(
    members: &serde_json::Map<String, Value>,
    cpu: Option<Device>,
) -> Result<Option<Device>, String> {
    let (azure, tpm) = (members.get("azure"), members.get("tpm"));
    if azure.is_none() && tpm.is_none() {
        return Ok(cpu);
    }
    let (Some(azure), Some(tpm)) = (azure, tpm) else {
        return Err(
            "Azure claims need both `azure` and `tpm` (beside `snp` or `tdx`); give `{}` \
             for one that the test does not read"
                .to_owned(),
        );
    };
    let Some(device) = cpu else {
        return Err(
            "`azure` and `tpm` need the hardware report's claims, `snp` or `tdx`".to_owned(),
        );
    };
    let (section, hardware) = match device.section {
        Section::Snp => (Section::AzureSnp, "snp"),
        Section::Tdx => (Section::AzureTdx, "tdx"),
        other => {
            return Err(format!(
                "`azure` and `tpm` go with `snp` or `tdx` claims, not `{}`",
                other.name()
            ))
        }
    };
    let DeviceClaims::Json(claims) = device.claims else {
        return Err("test claims are JSON".to_owned());
    };
    let mut vars = serde_json::Map::new();
    vars.insert(hardware.to_owned(), claims);
    for (name, claims) in [("azure", azure), ("tpm", tpm)] {
        if !claims.is_object() {
            return Err(format!(
                "`{name}`: expected an object of {name} claims, got {}",
                describe(claims)
            ));
        }
        vars.insert(name.to_owned(), claims.clone());
    }
    let claims = Value::Object(vars);
    // Every variable, the hardware report's again: errors name each by its variable.
    schema::check_ranges(section, &claims)?;
    Ok(Some(Device::new(
        section,
        DeviceClaims::Json(claims),
        device.warnings,
    )))
}

// Claims that did not come from the verifier, for policy tests only: nothing checked
// them, so an appraisal of such an input says what the policy would decide *if* a
// verifier had produced them. The long names keep them out of production paths.
impl Input {
    /// **Unverified claims, for tests.** Builds an input from a test case's input object:
    /// `snp`, `tdx` or `sgx` (the CPU claims), `azure` and `tpm` beside `snp` or `tdx`
    /// (an Azure confidential VM, as `verify --json` prints its claims: appraised by the
    /// `azure_snp` or `azure_tdx` section), `gpus` (a list of GPU claims), `nonce` (hex),
    /// `now` (RFC 3339; the epoch when absent), `warnings` (codes, given to every
    /// device). Production code takes [`Input::from_verified`].
    ///
    /// Integer claims must be within the range of the verifier's field for them
    /// ([`crate::schema::check_ranges`]); other type mistakes are reported when the claims
    /// are bound, by [`crate::appraise()`]. Read JSON text with
    /// [`Input::from_unverified_json_for_testing_slice`], which also refuses duplicate
    /// member names.
    ///
    /// # Errors
    /// A sentence naming the field, what was expected and what it holds, e.g.
    /// `` `snp.vmpl`: expected an integer from 0 to 4294967295, got 4294967296``.
    pub fn from_unverified_json_for_testing(input: &Value) -> Result<Self, String> {
        let Value::Object(members) = input else {
            return Err(format!(
                "expected an object of claims, got {}",
                describe(input)
            ));
        };
        let warnings: Vec<String> = match members.get("warnings") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    w.as_str().map(str::to_owned).ok_or_else(|| {
                        format!(
                            "`warnings[{i}]`: expected a warning code (a string), got {}",
                            describe(w)
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(format!(
                    "`warnings`: expected a list of warning codes, got {}",
                    describe(other)
                ))
            }
        };
        let claims_of = |section: Section, at: String, claims: &Value| {
            if !claims.is_object() {
                return Err(format!(
                    "`{at}`: expected an object of {} claims, got {}",
                    section.name(),
                    describe(claims)
                ));
            }
            schema::check_ranges_at(section, &at, claims)?;
            Ok(Device::new(
                section,
                DeviceClaims::Json(claims.clone()),
                warnings.clone(),
            ))
        };
        let mut cpu: Option<Device> = None;
        for section in [Section::Snp, Section::Tdx, Section::Sgx] {
            if let Some(claims) = members.get(section.name()) {
                if let Some(first) = &cpu {
                    return Err(format!(
                        "give claims for one CPU TEE only (snp, tdx or sgx), not both {} and {}",
                        first.section.name(),
                        section.name()
                    ));
                }
                cpu = Some(claims_of(section, section.name().to_owned(), claims)?);
            }
        }
        let cpu = azure_test_claims(members, cpu)?;
        let gpus = match members.get("gpus") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, claims)| claims_of(Section::Gpu, format!("gpus[{i}]"), claims))
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(format!(
                    "`gpus`: expected a list of GPU claims, got {}",
                    describe(other)
                ))
            }
        };
        let nonce = match members.get("nonce") {
            None => None,
            Some(Value::String(h)) => Some(hex::decode(h).map_err(|e| {
                format!(
                    "`nonce`: expected hex, got {}: {e}",
                    describe(&Value::String(h.clone()))
                )
            })?),
            Some(other) => {
                return Err(format!(
                    "`nonce`: expected a hex string, got {}",
                    describe(other)
                ))
            }
        };
        let now = match members.get("now") {
            None => UnixTime::since_unix_epoch(core::time::Duration::ZERO),
            Some(Value::String(t)) => verifier::time::parse_rfc3339_explained(t)
                .map_err(|e| format!("`now`: `{t}` is not an RFC 3339 time: {e}"))?,
            Some(other) => {
                return Err(format!(
                    "`now`: expected an RFC 3339 time (a string), got {}",
                    describe(other)
                ))
            }
        };
        Ok(Self {
            cpu,
            gpus,
            nonce,
            now,
        })
    }

    /// **Unverified claims, for tests.** [`Input::from_unverified_json_for_testing`] from
    /// JSON text, refusing a member named twice anywhere in it
    /// (`{"snp": {"vmpl": 0, "vmpl": 3}}` would otherwise mean whichever the parser kept).
    ///
    /// # Errors
    /// The JSON error (with its line and column), or as [`Input::from_unverified_json_for_testing`].
    pub fn from_unverified_json_for_testing_slice(bytes: &[u8]) -> Result<Self, String> {
        let value = verifier::json::from_slice(bytes).map_err(|e| format!("claims: {e}"))?;
        Self::from_unverified_json_for_testing(&value)
    }
}
