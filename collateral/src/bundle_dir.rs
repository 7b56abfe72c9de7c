//! Bundle directories: collateral prepared for air-gapped verification.
//!
//! A bundle is a flat directory a person can read: one file per piece of collateral,
//! named for what it is ([`crate::file_name`]: `amd-Milan-vcek-<hwID>-bl3-…der`,
//! `intel-tdx-tcb-info-b0c06f000000.json`, `nvidia-rim-NV_GPU_DRIVER_….xml`), in the
//! vendor's own format, so `openssl x509 -in` or `jq` work on them. `MANIFEST.tsv` lists
//! each file with the key it answers, where it came from, when, and until when it is
//! good; `README.txt` says so. `--collateral DIR` reads every file by content, so the
//! names and the manifest are for people: a file added by hand is used too.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use verifier::collateral::Bundle;
use verifier::needs::CollateralKey;
use verifier::time::{rfc3339, UnixTime};

use crate::answer::valid_until;
use crate::fetch::{Fetched, Origin};
use crate::names::file_name;
use crate::read::read_bounded;
use crate::MAX_FILE_BYTES;

/// The manifest's file name.
pub const MANIFEST: &str = "MANIFEST.tsv";
/// The explanation's file name.
pub const README: &str = "README.txt";
const MANIFEST_HEADER: &str = "file\tkind\tcollateral\tsource\tfetched_at\tvalid_until";

const README_TEXT: &str = "\
Collateral prepared by `verdict collateral fetch` for verification without network:

    verdict verify EVIDENCE --offline --collateral THIS_DIRECTORY

Each file is one piece of vendor collateral in the vendor's own format (DER or PEM
certificates and CRLs, Intel's JSON, NVIDIA's RIM XML, DER OCSP responses). MANIFEST.tsv
says what each file is, where it was fetched from, when, and until when it is good.
Verdict reads every file by its content and re-verifies all of it, so files may be
added or removed by hand; `verdict collateral show THIS_DIRECTORY` lists them.
";

/// Writes a bundle directory.
#[derive(Debug)]
pub struct BundleWriter {
    dir: PathBuf,
    rows: Vec<String>,
}

impl BundleWriter {
    /// A bundle in `dir`, created if absent. Files already there stay (a bundle can be
    /// filled from several runs); ones written again are replaced.
    ///
    /// # Errors
    /// The directory cannot be created or holds a manifest that cannot be read.
    pub fn create(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        let rows = match std::fs::read_to_string(dir.join(MANIFEST)) {
            Ok(text) => text
                .lines()
                .skip(1)
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        Ok(Self { dir, rows })
    }

    /// Writes `fetched` as the file for `key`; returns its path. Keys no service serves
    /// have no file name and are skipped (`None`).
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn add(
        &mut self,
        key: &CollateralKey,
        fetched: &Fetched,
    ) -> std::io::Result<Option<PathBuf>> {
        let Some(name) = file_name(key) else {
            return Ok(None);
        };
        let path = self.dir.join(&name);
        write_atomic(&path, &fetched.bytes)?;
        let mut parsed = Bundle::new();
        let until = parsed
            .add_bytes(&fetched.bytes)
            .ok()
            .and_then(|_| valid_until(&parsed));
        let source = match &fetched.origin {
            Origin::Network { url } => url.clone(),
            Origin::Cache { .. } => "cache".to_owned(),
        };
        let cell = |s: String| s.replace(['\t', '\n', '\r'], " ");
        self.rows
            .retain(|row| row.split('\t').next() != Some(name.as_str()));
        self.rows.push(format!(
            "{name}\t{}\t{}\t{}\t{}\t{}",
            key.kind(),
            cell(key.to_string()),
            cell(source),
            rfc3339(fetched.fetched_at),
            until.map_or_else(|| "-".to_owned(), rfc3339)
        ));
        Ok(Some(path))
    }

    /// Writes the manifest and the README.
    ///
    /// # Errors
    /// Either cannot be written.
    pub fn finish(mut self) -> std::io::Result<PathBuf> {
        self.rows.sort();
        let mut manifest = String::from(MANIFEST_HEADER);
        manifest.push('\n');
        for row in &self.rows {
            let _ = writeln!(manifest, "{row}");
        }
        write_atomic(&self.dir.join(MANIFEST), manifest.as_bytes())?;
        write_atomic(&self.dir.join(README), README_TEXT.as_bytes())?;
        Ok(self.dir)
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// One file of a bundle, as `collateral show` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleItem {
    /// The file name.
    pub file: String,
    /// What it holds: the manifest's description, else what its content is.
    pub what: String,
    /// When it was fetched, from the manifest.
    pub fetched_at: Option<String>,
    /// Until when its content is good (earliest nextUpdate or notAfter in it).
    pub valid_until: Option<UnixTime>,
    /// Why it is not usable collateral, if it is not.
    pub problem: Option<String>,
}

/// Lists what a bundle directory holds: every regular file but the manifest and the
/// README, with its validity read from its content (the manifest only names things).
///
/// # Errors
/// The directory cannot be read.
pub fn list_bundle(dir: &Path) -> std::io::Result<Vec<BundleItem>> {
    let manifest = std::fs::read_to_string(dir.join(MANIFEST)).unwrap_or_default();
    let described: Vec<(String, String, String)> = manifest
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            match cells.as_slice() {
                [file, _, what, _, fetched, ..] => Some((
                    (*file).to_owned(),
                    (*what).to_owned(),
                    (*fetched).to_owned(),
                )),
                _ => None,
            }
        })
        .collect();
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == MANIFEST || name == README || name.starts_with('.') {
            continue;
        }
        names.push(name);
    }
    names.sort();
    let mut items = Vec::with_capacity(names.len());
    for name in names {
        let listed = described.iter().find(|(file, ..)| *file == name);
        let mut bundle = Bundle::new();
        let parsed = read_bounded(&dir.join(&name), MAX_FILE_BYTES, "a collateral file")
            .map_err(|e| e.to_string())
            .and_then(|bytes| bundle.add_bytes(&bytes).map_err(|e| e.to_string()));
        items.push(BundleItem {
            what: listed.map_or_else(|| content_description(&bundle), |(_, what, _)| what.clone()),
            fetched_at: listed.map(|(.., fetched)| fetched.clone()),
            valid_until: parsed.is_ok().then(|| valid_until(&bundle)).flatten(),
            problem: parsed.err(),
            file: name,
        });
    }
    Ok(items)
}

fn content_description(bundle: &Bundle) -> String {
    let mut parts = Vec::new();
    let mut count = |n: usize, one: &str, many: &str| match n {
        0 => {}
        1 => parts.push(one.to_owned()),
        n => parts.push(format!("{n} {many}")),
    };
    count(bundle.certificates().len(), "a certificate", "certificates");
    count(bundle.crls().len(), "a CRL", "CRLs");
    count(bundle.tcb_infos().len(), "a TCB Info", "TCB Infos");
    count(
        bundle.qe_identities().len(),
        "a QE Identity",
        "QE Identities",
    );
    count(bundle.rims().len(), "a RIM", "RIMs");
    count(
        bundle.ocsp_responses().len(),
        "an OCSP response",
        "OCSP responses",
    );
    if parts.is_empty() {
        "not collateral".to_owned()
    } else {
        parts.join(", ")
    }
}
