//! What the binary tests share: running `verdict`, reading its output, the bundled
//! examples and scratch directories.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `verdict` with `args`, standard input empty.
pub(crate) fn verdict(args: &[&str]) -> Output {
    verdict_with(args, Stdio::null(), Stdio::piped())
}

/// The `verdict` binary, offline and with no cache: tests never touch the internet or
/// the user's cache (the fetching tests set their own mock service and cache).
pub(crate) fn verdict_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_verdict"));
    offline(&mut command);
    command
}

/// Keeps a `verdict` command off the network and out of the user's cache.
pub(crate) fn offline(command: &mut Command) -> &mut Command {
    command
        .env("VERDICT_OFFLINE", "1")
        .env("VERDICT_CACHE_DIR", "/nonexistent/verdict-test-cache")
        .env_remove("VERDICT_CONFIG")
}

/// `verdict` with `args` and the given standard input and output.
pub(crate) fn verdict_with(
    args: &[&str],
    stdin: impl Into<Stdio>,
    stdout: impl Into<Stdio>,
) -> Output {
    verdict_command()
        .args(args)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// The exit code; a death by signal fails the test.
pub(crate) fn code(out: &Output) -> i32 {
    out.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {:?}\n{}", out.status, stderr(out)))
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub(crate) fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub(crate) fn example(path: &str) -> String {
    s(&root().join("examples").join(path))
}

pub(crate) fn policy(file: &str) -> String {
    s(&root().join("policies").join(file))
}

/// A fresh scratch directory for one test.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verdict-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The bundled SNP example's `verify` arguments, before the evidence.
pub(crate) fn snp_example_args() -> Vec<String> {
    vec![
        "--anchor".into(),
        example("snp/ark.pem"),
        "--collateral".into(),
        example("snp"),
        "--at".into(),
        "2024-06-01T00:00:00Z".into(),
    ]
}

/// The bundled GPU example's `verify` arguments, before the evidence.
pub(crate) fn gpu_example_args() -> Vec<String> {
    vec![
        "--anchor".into(),
        example("nvidia/device_root.pem"),
        "--anchor".into(),
        example("nvidia/rim_root.pem"),
        "--collateral".into(),
        example("nvidia/collateral"),
        "--at".into(),
        "2025-06-01T00:00:00Z".into(),
    ]
}

/// `appraise` of the bundled SNP example with `policies/snp.yaml`, signed with `key`.
pub(crate) fn appraise_snp_example(key: &str) -> Vec<String> {
    let mut args = vec![
        "appraise".into(),
        "--policy".into(),
        policy("snp.yaml"),
        "--key".into(),
        key.to_owned(),
    ];
    args.extend(snp_example_args());
    args.push(example("snp/report.bin"));
    args
}

/// `args` as the `&str`s [`verdict`] takes.
pub(crate) fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// A new ES384 key in `dir`, made by `verdict token keygen`.
pub(crate) fn new_key(dir: &Path) -> String {
    let key = dir.join("key.pem");
    let out = verdict(&["token", "keygen", "--out", &s(&key)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    s(&key)
}

/// Standard output that fails every write with ENOSPC.
#[cfg(target_os = "linux")]
pub(crate) fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap()
}

/// Standard output whose reader is already gone: every write is EPIPE.
pub(crate) fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}
