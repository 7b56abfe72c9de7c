//! Regenerates the committed fake-PKI material of `verdict-testvectors`:
//!
//! - `keys/amd/{product}-{ark,ask,asvk,vcek,vlek}.pem` and `keys/amd/rogue-{rsa,p384}.pem`,
//!   generated from fixed seeds, only when missing (or with `--regen-keys`; RSA-4096 key
//!   generation is slow, so run with `--release`);
//! - `data/amd/{product}/{ask_ark.pem, asvk_ark.pem, vcek.der, vlek.der, crl.der}`: the
//!   default certificates and an empty CRL, always rewritten.
//!
//! - `../examples/snp/`: the README's bundled example, a Milan report signed by the fake
//!   VCEK with its chain, CRL and the fake ARK to pass as `--anchor`.
//! - `keys/intel/*.pem` (P-256, from fixed seeds, same rule as the AMD keys), and
//!   `data/intel/` plus `../examples/tdx/`: the default Intel certificates, CRLs, TDX and SGX
//!   collateral and quotes (the list is `testvectors::build::tdx::generated_files`).
//! - `keys/azure/{ak,ek,ak-1024}.pem`: the fake vTPM keys of `testvectors::build::azure`
//!   (RSA-2048, RSA-2048, RSA-1024; from fixed seeds, same rule as the AMD keys).
//! - `../examples/nvidia/`: a fake H100 report with its chain, RIMs and OCSP responses
//!   (keys derived from fixed seeds; `testvectors::build::nvidia::example_files`).
//!
//! Everything is deterministic: a second run leaves `git diff` empty. `--check` writes
//! nothing and fails if any committed file differs from what would be generated (CI).
//!
//! Usage: `cargo run --release -p verdict-testvectors --bin regen [-- --regen-keys | --check]`

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use testvectors::build::{azure, nvidia, snp, tdx};
use testvectors::pki::amd::{self, AmdKeys, AmdPki, Signer};
use testvectors::pki::intel::{self, IntelKeys, IntelPki, KeyRole};
use testvectors::pki::nvidia::GpuPki;
use testvectors::pki::{to_pem, PrivateKey};
use verifier::snp::Product;

fn main() -> ExitCode {
    let mut force = false;
    let mut check = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--regen-keys" => force = true,
            "--check" => check = true,
            _ => {
                eprintln!("usage: regen [--regen-keys | --check]");
                return ExitCode::FAILURE;
            }
        }
    }
    match run(force, check) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("regen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(force: bool, check: bool) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let key_dir = root.join("keys/amd");
    fs::create_dir_all(&key_dir).map_err(|e| format!("{}: {e}", key_dir.display()))?;

    key(
        &key_dir.join(amd::ROGUE_RSA_FILE),
        force,
        amd::generate_rogue_rsa,
    )?;
    key(
        &key_dir.join(amd::ROGUE_P384_FILE),
        force,
        amd::generate_rogue_p384,
    )?;

    azure_keys(root, force)?;

    let mut outputs: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for product in Product::ALL {
        let mut keys = Vec::new();
        for role in amd::Role::ALL {
            let path = key_dir.join(amd::key_file_name(product, role));
            keys.push((
                role,
                key(&path, force, || amd::generate_key(product, role))?,
            ));
        }
        let keys = AmdKeys::from_fn(|role| {
            let (_, k) = keys
                .iter()
                .find(|(r, _)| *r == role)
                .expect("every role loaded");
            k.clone()
        });
        let pki = AmdPki::builder(product).keys(keys).build();
        let dir = root.join("data/amd").join(product.name().to_lowercase());
        outputs.push((dir.join("ask_ark.pem"), pki.ask_ark_pem().into_bytes()));
        outputs.push((dir.join("asvk_ark.pem"), pki.asvk_ark_pem().into_bytes()));
        outputs.push((dir.join("vcek.der"), pki.vcek.clone()));
        outputs.push((dir.join("vlek.der"), pki.vlek.clone()));
        outputs.push((dir.join("crl.der"), pki.crl().build()));
        if product == Product::Milan {
            let example = root.join("../examples/snp");
            let report = snp::report(&pki, Signer::Vcek);
            outputs.push((
                example.join("report.bin"),
                snp::sign(&pki, Signer::Vcek, &report),
            ));
            outputs.push((
                example.join("ark.pem"),
                to_pem("CERTIFICATE", &pki.ark).into_bytes(),
            ));
            outputs.push((example.join("ask_ark.pem"), pki.ask_ark_pem().into_bytes()));
            outputs.push((example.join("vcek.der"), pki.vcek.clone()));
            outputs.push((example.join("crl.der"), pki.crl().build()));
        }
    }
    outputs.extend(intel_outputs(root, force)?);
    outputs.extend(
        nvidia::example_files(GpuPki::cached())
            .into_iter()
            .map(|(path, bytes)| (root.join(path), bytes)),
    );
    if check {
        let stale: Vec<String> = outputs
            .iter()
            .filter(|(path, bytes)| fs::read(path).ok().as_deref() != Some(bytes.as_slice()))
            .map(|(path, _)| path.display().to_string())
            .collect();
        if !stale.is_empty() {
            return Err(format!(
                "generated files differ from the committed ones: {}",
                stale.join(", ")
            ));
        }
        return Ok(());
    }
    for (path, bytes) in outputs {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        write(path, &bytes)?;
    }
    Ok(())
}

/// Loads (or generates) the Intel keys and lists the Intel files.
fn intel_outputs(root: &Path, force: bool) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let key_dir = root.join("keys/intel");
    fs::create_dir_all(&key_dir).map_err(|e| format!("{}: {e}", key_dir.display()))?;
    let mut keys = Vec::new();
    for role in KeyRole::ALL {
        let path = key_dir.join(role.file_name());
        keys.push((role, key(&path, force, || intel::generate_key(role))?));
    }
    let keys = IntelKeys::from_fn(|role| {
        let (_, k) = keys
            .iter()
            .find(|(r, _)| *r == role)
            .expect("every role loaded");
        k.clone()
    });
    let pki = IntelPki::builder().keys(keys).build();
    Ok(tdx::generated_files(&pki)
        .into_iter()
        .map(|(path, bytes)| (root.join(path), bytes))
        .collect())
}

/// Loads (or generates) the Azure vTPM keys: the AK, the EK and the RSA-1024 key. No file
/// is derived from them (the Azure evidence is built in the tests), but the keys are
/// committed because RSA key generation is slow in debug builds.
fn azure_keys(root: &Path, force: bool) -> Result<(), String> {
    let key_dir = root.join("keys/azure");
    fs::create_dir_all(&key_dir).map_err(|e| format!("{}: {e}", key_dir.display()))?;
    for (file, _) in azure::KEY_FILES {
        key(&key_dir.join(file), force, || azure::generate_key(file))?;
    }
    Ok(())
}

/// Loads the key at `path`, or generates and writes it when missing, empty or `force`d.
fn key(
    path: &Path,
    force: bool,
    generate: impl FnOnce() -> PrivateKey,
) -> Result<PrivateKey, String> {
    let existing = fs::read_to_string(path).unwrap_or_default();
    if !force && !existing.trim().is_empty() {
        // In --check mode keys are only ever loaded (missing keys fail the parse below).
        return PrivateKey::from_pkcs8_pem(&existing)
            .map_err(|e| format!("{}: {e}", path.display()));
    }
    eprintln!("generating {}", path.display());
    let key = generate();
    write(path.to_path_buf(), key.to_pkcs8_pem().as_bytes())?;
    Ok(key)
}

fn write(path: PathBuf, bytes: &[u8]) -> Result<(), String> {
    fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}
