//! The policies the service appraises with, by id: the built-in defaults, the files of
//! `policies_dir` (id = file stem; a ConfigMap in Kubernetes), and those PUT through
//! the admin API, kept as numbered versions in the data directory
//! (`policies/<id>/<n>.yaml`; a DELETE is a version too, `<n>.deleted`), so the
//! history survives and a restart comes back to the same state.
//!
//! A policy is accepted only if it compiles and its embedded tests run and pass: an
//! untested policy is refused, since a rule that never failed in a test is a rule no
//! one has seen fail.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use policy::{Policy, TestOutcome};
use serde::Serialize;
use utoipa::ToSchema;
use verifier::Tee;

use crate::files::{read_text, write_private};

/// The built-in policies: id, text.
const BUILTIN: &[(&str, &str)] = &[
    ("snp", include_str!("../../policies/snp.yaml")),
    ("tdx", include_str!("../../policies/tdx.yaml")),
    (
        "nvidia-h100",
        include_str!("../../policies/nvidia-h100.yaml"),
    ),
    ("composite", include_str!("../../policies/composite.yaml")),
    ("azure", include_str!("../../policies/azure.yaml")),
];

/// The id that picks the built-in policy for the evidence's kinds.
pub const DEFAULT_ID: &str = "default";

/// A loaded policy and where it came from.
#[derive(Clone)]
pub struct Entry {
    /// The compiled policy.
    pub policy: Arc<Policy>,
    /// Its text.
    pub source: Arc<str>,
    /// 0 for built-in and configured policies, else the admin API's version number.
    pub version: u32,
    /// How many embedded tests it passed when it was accepted.
    pub tests_passed: usize,
}

/// A policy as `GET /v1/policies` lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    /// The id requests name.
    pub id: String,
    /// The policy's `policy:` name.
    pub name: String,
    /// The identifier tokens carry (`policy:<name>@<version>#sha256:<digest>`).
    pub policy_id: String,
    /// The admin API's version (0: built in or configured).
    pub version: u32,
    /// Whether requests without a nonce are refused.
    pub challenge_required: bool,
}

/// Why a policy was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum PutError {
    /// The id is not `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`, or is `default`.
    #[error("policy id {0:?}: use 1 to 64 letters, digits, `.`, `_` and `-`, not `default`")]
    BadId(String),
    /// It does not compile.
    #[error("the policy does not load: {0}")]
    Invalid(policy::PolicyError),
    /// It has no tests.
    #[error("the policy has no tests: add cases under `tests:` so its rules are seen to fail")]
    Untested,
    /// A test failed.
    #[error("the policy's tests fail: {}", failures(.0))]
    TestsFailed(Vec<TestOutcome>),
    /// The data directory could not be written.
    #[error("cannot store the policy: {0}")]
    Store(String),
}

fn failures(outcomes: &[TestOutcome]) -> String {
    outcomes
        .iter()
        .filter(|o| !o.passed())
        .map(|o| format!("{} (line {}): {}", o.name, o.line, o.problems.join("; ")))
        .collect::<Vec<_>>()
        .join(" | ")
}

impl PutError {
    /// The problem kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::BadId(_) => "policy_id_invalid",
            Self::Invalid(_) => "policy_invalid",
            Self::Untested => "policy_untested",
            Self::TestsFailed(_) => "policy_tests_failed",
            Self::Store(_) => "internal",
        }
    }
}

/// The policies.
pub struct PolicyStore {
    dir: PathBuf,
    /// Built-in and configured policies, which the admin API's versions override.
    base: BTreeMap<String, Entry>,
    /// The admin API's current versions; `None` for a deleted one.
    managed: RwLock<BTreeMap<String, (u32, Option<Entry>)>>,
}

impl PolicyStore {
    /// Loads the built-in policies, those of `policies_dir`, and the admin API's from
    /// `data_dir/policies`.
    ///
    /// # Errors
    /// A policy that does not load or whose tests fail (the service refuses to start
    /// rather than serve without it), or an unreadable directory.
    pub fn open(data_dir: &Path, policies_dir: Option<&Path>) -> Result<Self, String> {
        let mut base = BTreeMap::new();
        for (id, text) in BUILTIN {
            base.insert(
                (*id).to_owned(),
                accept(text).map_err(|e| format!("built-in {id}: {e}"))?.0,
            );
        }
        if let Some(dir) = policies_dir {
            for path in yaml_files(dir)? {
                let id = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                check_id(&id).map_err(|e| format!("{}: {e}", path.display()))?;
                let text = read_text(&path)?;
                let entry = accept(&text)
                    .map_err(|e| format!("{}: {e}", path.display()))?
                    .0;
                base.insert(id, entry);
            }
        }
        let dir = data_dir.join("policies");
        let mut managed = BTreeMap::new();
        if dir.is_dir() {
            let ids = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for id_dir in ids.flatten() {
                let id = id_dir.file_name().to_string_lossy().into_owned();
                if check_id(&id).is_err() {
                    continue;
                }
                if let Some((version, path)) = latest(&id_dir.path())? {
                    let entry = match path.extension().and_then(|e| e.to_str()) {
                        Some("yaml") => {
                            let text = read_text(&path)?;
                            let mut entry = accept(&text)
                                .map_err(|e| format!("{}: {e}", path.display()))?
                                .0;
                            entry.version = version;
                            Some(entry)
                        }
                        _ => None,
                    };
                    managed.insert(id, (version, entry));
                }
            }
        }
        Ok(Self {
            dir,
            base,
            managed: RwLock::new(managed),
        })
    }

    /// The policy `id` names now.
    pub fn get(&self, id: &str) -> Option<Entry> {
        // A poisoned table still holds what it held: never lose the built-ins to it.
        let managed = self
            .managed
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A deleted version (None) brings back what it overrode, if anything.
        match managed.get(id) {
            Some((_, Some(entry))) => Some(entry.clone()),
            _ => self.base.get(id).cloned(),
        }
    }

    /// The built-in policy for evidence of these kinds: SNP, TDX/SGX, Azure, GPUs only,
    /// or a CPU with GPUs (composite).
    pub fn default_for(&self, tees: &[Tee]) -> Option<Entry> {
        let gpus = tees.contains(&Tee::Nvidia);
        let cpu = tees.iter().find(|t| **t != Tee::Nvidia);
        let id = match (cpu, gpus) {
            (None, true) => "nvidia-h100",
            (Some(Tee::AzureSnp | Tee::AzureTdx), _) => "azure",
            (Some(_), true) => "composite",
            (Some(Tee::Snp), false) => "snp",
            (Some(Tee::Tdx | Tee::Sgx), false) => "tdx",
            _ => return None,
        };
        self.get(id)
    }

    /// Every policy a request can name.
    pub fn list(&self) -> Vec<Summary> {
        let mut ids: Vec<String> = self.base.keys().cloned().collect();
        if let Ok(managed) = self.managed.read() {
            ids.extend(managed.keys().cloned());
        }
        ids.sort();
        ids.dedup();
        ids.into_iter()
            .filter_map(|id| {
                let e = self.get(&id)?;
                Some(Summary {
                    name: e.policy.name().to_owned(),
                    policy_id: e.policy.id(),
                    version: e.version,
                    challenge_required: e.policy.challenge_required(),
                    id,
                })
            })
            .collect()
    }

    /// Compiles `text` and runs its tests: the entry to install if they pass.
    ///
    /// # Errors
    /// [`PutError`] saying why it was refused.
    pub fn check(id: &str, text: &str) -> Result<Entry, PutError> {
        check_id(id).map_err(|_| PutError::BadId(id.to_owned()))?;
        Ok(accept(text)?.0)
    }

    /// The admin API's current version of `id` (0: none).
    pub fn version_of(&self, id: &str) -> u32 {
        self.managed
            .read()
            .ok()
            .and_then(|m| m.get(id).map(|(v, _)| *v))
            .unwrap_or(0)
    }

    /// Whether the admin API holds a (not deleted) policy `id`.
    pub fn has_managed(&self, id: &str) -> bool {
        self.managed
            .read()
            .is_ok_and(|m| matches!(m.get(id), Some((_, Some(_)))))
    }

    /// Makes `entry` (or a deletion, `None`) policy `id`'s version `version`, if that
    /// is newer than the one held: how versions published by other replicas arrive.
    /// Returns whether it changed anything.
    ///
    /// # Errors
    /// When the data directory cannot be written.
    pub fn install(&self, id: &str, version: u32, entry: Option<Entry>) -> Result<bool, String> {
        check_id(id)?;
        let mut managed = self
            .managed
            .write()
            .map_err(|_| "the policy table is poisoned".to_owned())?;
        if managed.get(id).is_some_and(|(v, _)| *v >= version) {
            return Ok(false);
        }
        let dir = self.dir.join(id);
        let entry = match entry {
            Some(mut e) => {
                write_private(&dir.join(format!("{version}.yaml")), e.source.as_bytes())?;
                e.version = version;
                Some(e)
            }
            None => {
                write_private(&dir.join(format!("{version}.deleted")), b"")?;
                None
            }
        };
        managed.insert(id.to_owned(), (version, entry));
        Ok(true)
    }

    /// Compiles `text`, runs its tests and, if they pass, makes it policy `id`'s next
    /// version.
    ///
    /// # Errors
    /// [`PutError`] saying why it was refused.
    pub fn put(&self, id: &str, text: &str) -> Result<Entry, PutError> {
        check_id(id).map_err(|_| PutError::BadId(id.to_owned()))?;
        let (mut entry, _) = accept(text)?;
        let mut managed = self
            .managed
            .write()
            .map_err(|_| PutError::Store("the policy table is poisoned".into()))?;
        let version = managed
            .get(id)
            .map_or(Some(1), |(v, _)| v.checked_add(1))
            .ok_or_else(|| PutError::Store(format!("policy {id} has no version number left")))?;
        let path = self.dir.join(id).join(format!("{version}.yaml"));
        write_private(&path, text.as_bytes()).map_err(PutError::Store)?;
        entry.version = version;
        managed.insert(id.to_owned(), (version, Some(entry.clone())));
        Ok(entry)
    }

    /// Deletes policy `id` (a new version that is absent); a built-in or configured
    /// policy it overrode comes back. Returns the deleting version, or `None` when
    /// there was nothing the admin API can delete.
    ///
    /// # Errors
    /// When the data directory cannot be written.
    pub fn delete(&self, id: &str) -> Result<Option<u32>, String> {
        let mut managed = self
            .managed
            .write()
            .map_err(|_| "the policy table is poisoned".to_owned())?;
        let Some((version, Some(_))) = managed.get(id) else {
            return Ok(None);
        };
        let version = version
            .checked_add(1)
            .ok_or_else(|| format!("policy {id} has no version number left"))?;
        write_private(&self.dir.join(id).join(format!("{version}.deleted")), b"")?;
        managed.insert(id.to_owned(), (version, None));
        Ok(Some(version))
    }
}

/// Compiles and tests a policy.
fn accept(text: &str) -> Result<(Entry, Vec<TestOutcome>), PutError> {
    let policy = Policy::from_yaml(text).map_err(PutError::Invalid)?;
    let outcomes = policy.run_tests();
    if outcomes.is_empty() {
        return Err(PutError::Untested);
    }
    if outcomes.iter().any(|o| !o.passed()) {
        return Err(PutError::TestsFailed(outcomes));
    }
    Ok((
        Entry {
            policy: Arc::new(policy),
            source: Arc::from(text),
            version: 0,
            tests_passed: outcomes.len(),
        },
        outcomes,
    ))
}

fn check_id(id: &str) -> Result<(), String> {
    let ok = (1..=64).contains(&id.len())
        && id != DEFAULT_ID
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!("policy id {id:?} is not valid"))
    }
}

fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    files.sort();
    Ok(files)
}

/// The highest-numbered version file of a policy's directory.
fn latest(dir: &Path) -> Result<Option<(u32, PathBuf)>, String> {
    let mut best: Option<(u32, PathBuf)> = None;
    for file in std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
    {
        let path = file.path();
        let Some(n) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if best.as_ref().is_none_or(|(b, _)| n > *b) {
            best = Some((n, path));
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, PolicyStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = PolicyStore::open(dir.path(), None).unwrap();
        (dir, store)
    }

    #[test]
    fn the_defaults_follow_the_evidence_kinds() {
        let (_d, s) = store();
        let name = |tees: &[Tee]| s.default_for(tees).map(|e| e.policy.name().to_owned());
        assert_eq!(name(&[Tee::Snp]).as_deref(), Some("verdict-snp"));
        assert_eq!(name(&[Tee::Nvidia]).as_deref(), Some("verdict-nvidia-h100"));
        assert_eq!(
            name(&[Tee::Tdx, Tee::Nvidia]).as_deref(),
            Some("verdict-composite")
        );
        assert!(s.get("snp").unwrap().policy.challenge_required());
    }

    #[test]
    fn versions_survive_a_restart_and_delete_brings_back_the_builtin() {
        let (dir, s) = store();
        let text = include_str!("../../policies/snp.yaml").replace("version: ", "version: 9");
        assert_eq!(s.put("snp", &text).unwrap().version, 1);
        assert_eq!(s.put("mine", &text).unwrap().version, 1);
        assert_eq!(s.put("mine", &text).unwrap().version, 2);
        let reopened = PolicyStore::open(dir.path(), None).unwrap();
        assert_eq!(reopened.get("mine").unwrap().version, 2);
        assert_eq!(reopened.get("snp").unwrap().version, 1);
        assert_eq!(reopened.delete("snp").unwrap(), Some(2));
        assert_eq!(reopened.get("snp").unwrap().version, 0);
        assert_eq!(reopened.delete("mine").unwrap(), Some(3));
        assert!(reopened.get("mine").is_none());
        assert_eq!(reopened.put("mine", &text).unwrap().version, 4);
        assert_eq!(reopened.delete("nothing").unwrap(), None);
    }

    #[test]
    fn refusals_say_why() {
        let (_d, s) = store();
        let text = include_str!("../../policies/snp.yaml");
        assert!(matches!(s.put("default", text), Err(PutError::BadId(_))));
        assert!(matches!(s.put("../x", text), Err(PutError::BadId(_))));
        assert!(matches!(
            s.put("x", "policy: [1"),
            Err(PutError::Invalid(_))
        ));
        let untested = text.split("\ntests:").next().unwrap();
        assert!(matches!(s.put("x", untested), Err(PutError::Untested)));
        let failing = text.replacen("status: warning", "status: affirming", 1);
        assert_ne!(failing, text);
        assert!(matches!(
            s.put("x", &failing),
            Err(PutError::TestsFailed(_))
        ));
        assert!(s.get("x").is_none());
    }
}
