//! The hostile-input regression corpus (`tests/hostile/`): each case runs the binary
//! under a memory limit and a deadline, and must end with its documented exit code,
//! without a panic and without a control character reaching the terminal. A sweep of
//! deterministic mutations of the bundled examples must never verify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Address space each run may use: far above what any input needs, far below what an
/// unbounded read of an endless input would take.
const MEMORY_LIMIT_KIB: u64 = 1 << 20;
/// No case may take longer (they take milliseconds; a hang is a failure).
const DEADLINE: Duration = Duration::from_secs(30);

/// Runs `verdict args` with the memory limit and the deadline.
fn run_bounded(args: &[String]) -> Output {
    let mut child = offline(&mut Command::new("sh"))
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_verdict"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    // Outputs are small; reading them after exit cannot block the child.
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("verdict {args:?} ran past {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait_with_output().unwrap()
}

/// What every run must hold, whatever its exit code.
fn check_hygiene(args: &[String], out: &Output) {
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "verdict {args:?} was killed ({:?}; out of memory?): {}",
            out.status,
            stderr(out)
        )
    });
    assert_ne!(code, 101, "verdict {args:?} panicked: {}", stderr(out));
    assert!(
        !stderr(out).contains("panicked"),
        "{args:?}: {}",
        stderr(out)
    );
    for (name, text) in [("stderr", stderr(out)), ("stdout", stdout(out))] {
        if let Some(c) = text.chars().find(|&c| c.is_control() && c != '\n') {
            panic!("verdict {args:?} wrote control character {c:?} to {name}: {text:?}");
        }
    }
    let lines = stderr(out).lines().count();
    assert!(
        lines <= 4,
        "verdict {args:?}: {lines} lines on stderr: {}",
        stderr(out)
    );
}

fn expand(word: &str, corpus: &Path, key: &str, jwks: &str) -> Vec<String> {
    match word {
        "$snp" => snp_example_args(),
        "$key" => vec![key.to_owned()],
        "$jwks" => vec![jwks.to_owned()],
        "''" => vec![String::new()],
        w if w.starts_with('@') => vec![s(&corpus.join(&w[1..]))],
        w => vec![w
            .replace("$examples", &s(&root().join("examples")))
            .replace("$policies", &s(&root().join("policies")))],
    }
}

#[test]
fn every_hostile_input_gets_its_exit_code() {
    let corpus = root().join("cli/tests/hostile");
    let dir = scratch("hostile");
    let key = new_key(&dir);
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, verdict(&["token", "jwks", "--key", &key]).stdout).unwrap();
    let jwks = s(&jwks);
    let cases = std::fs::read_to_string(corpus.join("cases.tsv")).unwrap();
    let mut failures = Vec::new();
    let mut ran = 0;
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (expected, command) = line.split_once('\t').unwrap();
        let expected: i32 = expected.parse().unwrap();
        let args: Vec<String> = command
            .split(' ')
            .flat_map(|w| expand(w, &corpus, &key, &jwks))
            .collect();
        let out = run_bounded(&args);
        check_hygiene(&args, &out);
        ran += 1;
        if out.status.code() != Some(expected) {
            failures.push(format!(
                "{command}: exit {:?}, expected {expected}: {}",
                out.status.code(),
                stderr(&out).trim()
            ));
        }
    }
    assert!(ran >= 60, "only {ran} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every file in the corpus is used by some case.
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name == "cases.tsv" || cases.contains(&format!("@{name}")),
            "{name} is in the corpus but no case uses it"
        );
    }
}

/// A fixed-seed generator (xorshift), so the sweep is the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % u64::try_from(n).unwrap()).unwrap()
    }
}

/// Flips bits, truncates and extends a genuine example: each copy must be rejected (1)
/// or refused as malformed (2) — never verified, never a crash. Where the format
/// tolerates `tolerated_tail` unsigned bytes after its signature (any number for TDX
/// quotes, as Intel's QVL does; one for GPU reports, as NVIDIA's SDK writes them), a copy
/// extended that much verifies only with a warning that says so.
fn sweep(name: &str, evidence: &[u8], args: &[String], rng: &mut Rng, tolerated_tail: usize) {
    let dir = scratch(&format!("sweep-{name}"));
    let file = dir.join("evidence");
    for i in 0..40 {
        let mut bytes = evidence.to_vec();
        match i % 4 {
            0 => bytes.truncate(rng.below(bytes.len())),
            1 => bytes.extend(std::iter::repeat_n(0xA5, 1 + rng.below(4) * rng.below(16))),
            _ => {
                for _ in 0..=rng.below(3) {
                    let at = rng.below(bytes.len());
                    bytes[at] ^= 1 << rng.below(8);
                }
            }
        }
        if bytes == evidence {
            continue;
        }
        std::fs::write(&file, &bytes).unwrap();
        let mut run: Vec<String> = args.to_vec();
        run.push(s(&file));
        let out = run_bounded(&run);
        check_hygiene(&run, &out);
        let code = out.status.code();
        if bytes.len() > evidence.len() && bytes.len() - evidence.len() <= tolerated_tail {
            assert_eq!(code, Some(0), "{name} mutation {i}: {}", stderr(&out));
            assert!(
                stdout(&out).contains("warning: ") && stdout(&out).contains("unsigned byte"),
                "{name} mutation {i}: {}",
                stdout(&out)
            );
            continue;
        }
        assert!(
            matches!(code, Some(1 | 2)),
            "{name} mutation {i} gave exit {code:?}: {}\n{}",
            stderr(&out),
            hex_diff(evidence, &bytes)
        );
    }
}

fn hex_diff(a: &[u8], b: &[u8]) -> String {
    let changed: Vec<String> = a
        .iter()
        .zip(b)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| format!("0x{i:x}: {x:02x}->{y:02x}"))
        .collect();
    format!("length {} -> {}; {}", a.len(), b.len(), changed.join(", "))
}

#[test]
fn mutated_examples_never_verify() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut snp: Vec<String> = vec!["verify".into()];
    snp.extend(snp_example_args());
    let report = std::fs::read(example("snp/report.bin")).unwrap();
    // The untouched example verifies with these arguments.
    let mut genuine = snp.clone();
    genuine.push(example("snp/report.bin"));
    assert_eq!(code(&run_bounded(&genuine)), 0);
    sweep("snp", &report, &snp, &mut rng, 0);

    let tdx: Vec<String> = [
        "verify",
        "--anchor",
        &example("tdx/root.pem"),
        "--collateral",
        &example("tdx/collateral"),
        "--at",
        "2024-06-01T00:00:00Z",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut genuine = tdx.clone();
    genuine.push(example("tdx/quote.bin"));
    assert_eq!(
        code(&run_bounded(&genuine)),
        0,
        "{}",
        stderr(&run_bounded(&genuine))
    );
    let quote = std::fs::read(example("tdx/quote.bin")).unwrap();
    sweep("tdx", &quote, &tdx, &mut rng, usize::MAX);

    let mut gpu: Vec<String> = vec!["verify".into()];
    gpu.extend(gpu_example_args());
    gpu.extend(["--require-ocsp".into(), "--require-rims".into()]);
    let mut genuine = gpu.clone();
    genuine.push(example("nvidia/report.hex"));
    assert_eq!(code(&run_bounded(&genuine)), 0);
    let hex_text = std::fs::read_to_string(example("nvidia/report.hex")).unwrap();
    let report = hex::decode(hex_text.trim()).unwrap();
    sweep("nvidia", &report, &gpu, &mut rng, 1);
}
