//! Security review, issue 11 item 7, through the binary: GPU evidence without any device
//! is malformed (exit 2), never a pass; one GPU counted twice is rejected (exit 1,
//! `duplicate_device`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::io::Write;
use std::process::{Output, Stdio};

use serde_json::Value;
use testvectors::real::nvidia_dir;

/// `verdict <args>` with `stdin`.
fn verdict_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = common::verdict_command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// `verdict verify --tee nvidia --require-rims --require-ocsp --json -`, as the review ran it.
fn verify_strict(stdin: &[u8]) -> Output {
    verdict_stdin(
        &[
            "verify",
            "--tee",
            "nvidia",
            "--require-rims",
            "--require-ocsp",
            "--json",
            "-",
        ],
        stdin,
    )
}

/// `verdict verify --json -`: signature and chain, RIMs and OCSP as claims.
fn verify_all(stdin: &[u8]) -> Output {
    verdict_stdin(&["verify", "--json", "-"], stdin)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn an_empty_gpu_list_is_malformed_in_every_form() {
    for text in [
        "[]\n",
        "{\"evidence_list\":[]}\n",
        "{\"device_evidence_list\":[]}\n",
    ] {
        let out = verify_strict(text.as_bytes());
        let v = json(&out);
        assert_eq!(out.status.code(), Some(2), "{text}: {v}");
        assert_eq!(v["verified"], false, "{text}");
        assert_eq!(v["error"]["kind"], "empty", "{text}: {v}");
    }
}

#[test]
fn the_same_gpu_twice_is_rejected_as_a_duplicate_device() {
    let path = nvidia_dir().join("asdk_hopper/multi_gpu_hopper.json");
    let items: Vec<Value> = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let twice = serde_json::to_vec(&[&items[0], &items[0]]).unwrap();
    let out = verify_all(&twice);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(v["verified"], false);
    assert_eq!(v["error"]["kind"], "duplicate_device", "{v}");
    // The evidence file as published (four different GPUs) still verifies.
    let out = verify_all(&serde_json::to_vec(&items).unwrap());
    assert_eq!(out.status.code(), Some(0), "{}", json(&out));
}
