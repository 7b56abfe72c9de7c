//! Every bad input and every failed write gets one clear line and the documented exit
//! code, never a panic (exit 101), a hang, or memory in proportion to what is offered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::process::Output;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use testvectors::real::nvidia_dir;

fn snp_verify(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec!["verify".into()];
    args.extend(snp_example_args());
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args.push(example("snp/report.bin"));
    args
}

// ------------------------------------------------------ 1. output that cannot be written

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_exit_2_for_every_command() {
    let dir = scratch("full-disk");
    let key = new_key(&dir);
    let jwks = dir.join("jwks.json");
    let out = verdict(&["token", "jwks", "--key", &key]);
    std::fs::write(&jwks, &out.stdout).unwrap();
    let snp = snp_verify(&[]);
    let appraise = appraise_snp_example(&key);
    let appraise = strs(&appraise);
    let token = stdout(&verdict(&appraise)).trim().to_owned();
    assert!(!token.is_empty());
    let pol = policy("snp.yaml");
    let jwks = s(&jwks);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (strs(&snp), "cannot write the output"),
        (
            ["policy", "check", &pol].to_vec(),
            "cannot write the output",
        ),
        (
            ["token", "jwks", "--key", &key].to_vec(),
            "cannot write the JWKS",
        ),
        (
            [
                "token",
                "verify",
                &token,
                "--jwks",
                &jwks,
                "--at",
                "2024-06-01T00:01:00Z",
            ]
            .to_vec(),
            "cannot write the output",
        ),
        (appraise.to_vec(), "cannot write the token"),
        (["--help"].to_vec(), "cannot write the output"),
        (["verify", "--help"].to_vec(), "cannot write the output"),
        (["--version"].to_vec(), "cannot write the output"),
    ];
    for (args, message) in cases {
        let out = verdict_with(&args, std::process::Stdio::null(), dev_full());
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("{message}: No space left on device")),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_closed_pipe_fails_a_product_but_not_information() {
    let dir = scratch("closed-pipe");
    let key = new_key(&dir);
    // The JWKS and the token are what the command is for: not delivered, not done.
    let out = verdict_with(
        &["token", "jwks", "--key", &key],
        std::process::Stdio::null(),
        closed_pipe(),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write the JWKS"),
        "{}",
        stderr(&out)
    );
    let out = verdict_with(
        &strs(&appraise_snp_example(&key)),
        std::process::Stdio::null(),
        closed_pipe(),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write the token"),
        "{}",
        stderr(&out)
    );
    // `verdict verify … | head -1`: the verdict is the exit code, and it stands.
    let out = verdict_with(
        &strs(&snp_verify(&[])),
        std::process::Stdio::null(),
        closed_pipe(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = verdict_with(
        &["policy", "check", &policy("snp.yaml")],
        std::process::Stdio::null(),
        closed_pipe(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn keygen_neither_overwrites_nor_hides_what_it_cannot_create() {
    #[cfg(target_os = "linux")]
    {
        // /dev/full exists, so keygen refuses to overwrite it rather than write to it.
        let out = verdict(&["token", "keygen", "--out", "/dev/full"]);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
    }
    let out = verdict(&["token", "keygen", "--out", "/nonexistent/dir/key.pem"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("cannot create /nonexistent/dir/key.pem"));
}

// ------------------------------------------------------------- 2. limits on what is read

/// Runs `args` and asserts a quick exit 2 whose message names `limit`.
fn refused_quickly(args: &[&str], limit: &str) {
    let start = Instant::now();
    let out = verdict(args);
    let took = start.elapsed();
    assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("is larger than {limit}")),
        "{args:?}: {}",
        stderr(&out)
    );
    assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
}

#[cfg(unix)]
#[test]
fn endless_inputs_stop_at_their_limit() {
    let start = Instant::now();
    let out = verdict(&["policy", "check", "/dev/zero"]);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "verdict: /dev/zero is larger than 256 KiB, the limit for a policy\n"
    );
    refused_quickly(&["verify", "/dev/zero"], "16 MiB, the limit for evidence");
    refused_quickly(
        &strs(&snp_verify(&["--collateral", "/dev/zero"])),
        "16 MiB, the limit for a collateral file",
    );
    let dir = scratch("endless");
    let key = new_key(&dir);
    let pol = policy("snp.yaml");
    refused_quickly(
        &["policy", "check", &pol, "--claims", "/dev/zero"],
        "16 MiB, the limit for a claims file",
    );
    refused_quickly(
        &["token", "jwks", "--key", "/dev/zero"],
        "64 KiB, the limit for a key",
    );
    refused_quickly(
        &["token", "verify", "/dev/zero", "--jwks", "/dev/null"],
        "1 MiB, the limit for a token",
    );
    refused_quickly(
        &[
            "token",
            "verify",
            "eyJhbGciOiJFUzM4NCJ9.eyJpc3MiOiJ4In0.c2ln",
            "--jwks",
            "/dev/zero",
        ],
        "1 MiB, the limit for a JWKS",
    );
    refused_quickly(
        &[
            "appraise",
            "--policy",
            "/dev/zero",
            "--key",
            &key,
            &example("snp/report.bin"),
        ],
        "256 KiB, the limit for a policy",
    );
    let out = verdict(&strs(&snp_verify(&["--anchor", "/dev/zero"])));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("the limit for a collateral file"));
    let tdx = [
        "verify",
        "--event-log",
        "/dev/zero",
        &example("tdx/quote.bin"),
    ];
    refused_quickly(&tdx, "16 MiB, the limit for an event log");
    // Standard input is bounded the same way.
    let out = verdict_with(
        &["verify", "-"],
        std::fs::File::open("/dev/zero").unwrap(),
        std::process::Stdio::piped(),
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("standard input holds more than 16 MiB, the limit for evidence"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_huge_sparse_file_is_refused_without_reading_it() {
    let dir = scratch("sparse");
    let file = dir.join("sparse.bin");
    std::fs::File::create(&file)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    refused_quickly(&["verify", &s(&file)], "16 MiB, the limit for evidence");
    refused_quickly(
        &strs(&snp_verify(&["--collateral", &s(&file)])),
        "16 MiB, the limit for a collateral file",
    );
    // Inside a collateral directory it is skipped, and said so.
    std::fs::copy(example("snp/vcek.der"), dir.join("vcek.der")).unwrap();
    std::fs::copy(example("snp/ask_ark.pem"), dir.join("ask_ark.pem")).unwrap();
    let out = verdict(&[
        "verify",
        "--anchor",
        &example("snp/ark.pem"),
        "--collateral",
        &s(&dir),
        "--at",
        "2024-06-01T00:00:00Z",
        &example("snp/report.bin"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: skipped collateral")
            && stderr(&out).contains("sparse.bin is larger than 16 MiB"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_in_a_collateral_directory_is_not_waited_on() {
    let dir = scratch("fifo");
    std::fs::copy(example("snp/vcek.der"), dir.join("vcek.der")).unwrap();
    std::fs::copy(example("snp/ask_ark.pem"), dir.join("ask_ark.pem")).unwrap();
    let fifo = dir.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let start = Instant::now();
    let out = verdict(&[
        "verify",
        "--anchor",
        &example("snp/ark.pem"),
        "--collateral",
        &s(&dir),
        "--at",
        "2024-06-01T00:00:00Z",
        &example("snp/report.bin"),
    ]);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pipe: not a regular file"),
        "{}",
        stderr(&out)
    );
    // A FIFO named as the evidence is read once a writer comes.
    let evidence = dir.join("evidence");
    assert!(std::process::Command::new("mkfifo")
        .arg(&evidence)
        .status()
        .unwrap()
        .success());
    let writer = {
        let evidence = evidence.clone();
        std::thread::spawn(move || {
            let report = std::fs::read(example("snp/report.bin")).unwrap();
            std::fs::write(evidence, report).unwrap();
        })
    };
    let mut args = vec!["verify".to_owned()];
    args.extend(snp_example_args());
    args.push(s(&evidence));
    let out = verdict(&strs(&args));
    writer.join().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

// ---------------------------------------------------------------- 3. nothing dropped silently

#[test]
fn corrupt_collateral_in_a_directory_is_named() {
    let dir = scratch("corrupt-collateral");
    std::fs::copy(example("snp/ask_ark.pem"), dir.join("ask_ark.pem")).unwrap();
    let mut vcek = std::fs::read(example("snp/vcek.der")).unwrap();
    vcek.truncate(vcek.len() / 2);
    std::fs::write(dir.join("vcek.der"), vcek).unwrap();
    std::fs::write(
        dir.join("rim.xml"),
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>",
    )
    .unwrap();
    std::fs::write(dir.join("README.md"), "notes\n").unwrap();
    std::fs::copy(example("snp/report.bin"), dir.join("report.bin")).unwrap();
    let base = [
        "verify",
        "--anchor",
        &example("snp/ark.pem"),
        "--collateral",
        &s(&dir),
        "--at",
        "2024-06-01T00:00:00Z",
    ];
    let mut args = base.to_vec();
    let report = example("snp/report.bin");
    args.push(&report);
    let out = verdict(&args);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    // The truncated VCEK and the RIM with a DOCTYPE are named; the README and the
    // report, which never looked like collateral, are not.
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].starts_with("verdict: warning: skipped collateral ")
            && lines[0].contains("rim.xml"),
        "{err}"
    );
    assert!(lines[1].contains("vcek.der"), "{err}");
    assert!(
        lines[2].starts_with("verdict: cannot verify: missing collateral: VCEK")
            && lines[2].ends_with("vcek.der"),
        "{err}"
    );
    args.insert(1, "--json");
    let out = verdict(&args);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{v}");
    assert!(warnings
        .iter()
        .all(|w| w["code"] == "collateral_skipped" && w["path"].is_string()));
}

// --------------------------------------------------- 4. exit codes and messages that agree

#[test]
fn a_tee_that_contradicts_the_evidence_is_a_usage_error() {
    let gpu = s(&nvidia_dir().join("asdk_hopper/hopper_evidence.json"));
    let out = verdict(&["verify", "--tee", "snp", &gpu]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "verdict: error: --tee snp contradicts the evidence: {gpu} is NVIDIA GPU evidence\n"
        )
    );
    let out = verdict(&[
        "verify",
        "--json",
        "--tee",
        "nvidia",
        &example("snp/report.bin"),
    ]);
    assert_eq!(code(&out), 2);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["error"]["kind"], "tee_contradicts_evidence");
    let out = verdict(&["verify", "--tee", "tdx", &example("snp/report.bin")]);
    assert_eq!(code(&out), 2);
    // Agreeing with the evidence, it is only a hint.
    let mut args = snp_verify(&["--tee", "snp"]);
    args.remove(0);
    args.insert(0, "verify".into());
    assert_eq!(code(&verdict(&strs(&args))), 0);
}

#[test]
fn token_verify_tells_a_path_from_a_token() {
    let dir = scratch("token-path");
    let out = verdict(&[
        "token",
        "verify",
        "/nonexistent/t.jwt",
        "--jwks",
        "/dev/null",
    ]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "verdict: cannot read /nonexistent/t.jwt: No such file or directory (os error 2)\n"
    );
    let out = verdict(&["token", "verify", &s(&dir), "--jwks", "/dev/null"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("is a directory, not a file"),
        "{}",
        stderr(&out)
    );
    let out = verdict(&["token", "verify", "t.jwt", "--jwks", "/dev/null"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("cannot read t.jwt") && stderr(&out).contains("taken as a path"));
    // A literal JWT is a token; a JWKS that is not one is named as such.
    let key = new_key(&dir);
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, verdict(&["token", "jwks", "--key", &key]).stdout).unwrap();
    let literal = "eyJhbGciOiJFUzM4NCJ9.eyJpc3MiOiJ4In0.c2ln";
    let out = verdict(&["token", "verify", literal, "--jwks", &s(&jwks)]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("invalid: "), "{}", stderr(&out));
    // The same text in a file is read from the file.
    let file = dir.join("t.jwt");
    std::fs::write(&file, format!("{literal}\n")).unwrap();
    let out = verdict(&["token", "verify", &s(&file), "--jwks", &s(&jwks)]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}

#[test]
fn usage_mistakes_say_what_is_wrong_once() {
    let dir = scratch("usage");
    let key = new_key(&dir);
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, verdict(&["token", "jwks", "--key", &key]).stdout).unwrap();
    let out = verdict(&[
        "token",
        "verify",
        "eyJ.eyJ.c2ln",
        "--jwks",
        &s(&jwks),
        "--nonce",
        "",
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--nonce is empty"),
        "{}",
        stderr(&out)
    );
    // An anchor that is not a certificate: the reason is given once.
    let out = verdict(&strs(&snp_verify(&[
        "--anchor",
        &example("snp/report.bin"),
    ])));
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("is not a certificate"), "{err}");
    assert_eq!(err.matches("malformed certificate").count(), 1, "{err}");
    let out = verdict(&strs(&snp_verify(&["--anchor", "/nonexistent/ark.pem"])));
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).matches("No such file").count(),
        1,
        "{}",
        stderr(&out)
    );
}

// ------------------------------------------------------------------ 5. strict time parsing

#[test]
fn impossible_times_are_refused() {
    for at in [
        "2025-02-30T00:00:00Z",
        "2025-01-01T00:00:00+24:00",
        "2025-01-01T00:00:00+99:99",
        "2025-01-01T24:00:00Z",
        "2025-01-01",
    ] {
        let mut args = snp_verify(&[]);
        let i = args.iter().position(|a| a == "--at").unwrap();
        args[i + 1] = at.to_owned();
        let out = verdict(&strs(&args));
        assert_eq!(code(&out), 2, "{at}");
        assert!(
            stderr(&out).contains(&format!("--at {at:?} is not an RFC 3339 time")),
            "{}",
            stderr(&out)
        );
        let out = verdict(&["token", "verify", "-", "--jwks", "/dev/null", "--at", at]);
        assert_eq!(code(&out), 2, "{at}: {}", stderr(&out));
    }
}

// ------------------------------------------------------ 5. strict evidence forms (GPU)

fn gpu_verify(evidence: &str) -> Output {
    let mut args = vec!["verify".to_owned()];
    args.extend(gpu_example_args());
    args.push(evidence.to_owned());
    verdict(&strs(&args))
}

#[test]
fn gpu_hex_wrapped_at_64_columns_is_read_like_snp_hex() {
    let dir = scratch("gpu-wrapped");
    let hex_text = std::fs::read_to_string(example("nvidia/report.hex")).unwrap();
    let wrapped: Vec<&str> = hex_text
        .trim()
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let file = dir.join("wrapped.hex");
    std::fs::write(&file, wrapped.join("\n") + "\n").unwrap();
    let out = gpu_verify(&s(&file));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn one_byte_after_a_gpu_signature_is_tolerated_and_said_more_is_malformed() {
    let dir = scratch("gpu-tail");
    let hex_text = std::fs::read_to_string(example("nvidia/report.hex")).unwrap();
    let report = hex::decode(hex_text.trim()).unwrap();
    let file = dir.join("report.bin");
    let mut one = report.clone();
    one.push(0);
    std::fs::write(&file, &one).unwrap();
    let out = gpu_verify(&s(&file));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("warning: 1 unsigned byte(s) after the report's signature"),
        "{}",
        stdout(&out)
    );
    let mut two = report;
    two.extend([0, 0]);
    std::fs::write(&file, &two).unwrap();
    let out = gpu_verify(&s(&file));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("at most 1 is tolerated"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn gpu_json_labels_and_types_are_checked() {
    let dir = scratch("gpu-json");
    let hex_text = std::fs::read_to_string(example("nvidia/report.hex")).unwrap();
    let report = hex::decode(hex_text.trim()).unwrap();
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &report);
    let chain =
        std::fs::read_to_string(example("nvidia/collateral/device_cert_chain.pem")).unwrap();
    let write = |name: &str, value: Value| {
        let path = dir.join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        s(&path)
    };
    let item = |arch: Value, certificate: Value| serde_json::json!([{ "arch": arch, "evidence": b64, "certificate": certificate }]);
    // A certificate of the wrong type is malformed input (2), not a missing chain (3).
    let out = gpu_verify(&write(
        "object.json",
        item("HOPPER".into(), serde_json::json!({})),
    ));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("certificate"), "{}", stderr(&out));
    // An arch label that contradicts the signed report is a rejection.
    let out = gpu_verify(&write(
        "arch.json",
        item("BLACKWELL".into(), chain.clone().into()),
    ));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("arch"), "{}", stderr(&out));
    // Duplicate members are refused.
    let path = dir.join("dup.json");
    std::fs::write(
        &path,
        format!(r#"[{{"arch": "HOPPER", "arch": "HOPPER", "evidence": "{b64}"}}]"#),
    )
    .unwrap();
    let out = gpu_verify(&s(&path));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("duplicate member"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn trustee_tdx_json_with_a_bad_field_names_it() {
    let dir = scratch("trustee");
    let path = dir.join("evidence.json");
    std::fs::write(&path, r#"{"quote": 5}"#).unwrap();
    let out = verdict(&["verify", &s(&path)]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("quote"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("pass --tee"), "{}", stderr(&out));
}
