//! `verdict verify` on Azure confidential-VM (vTPM) evidence: every real case of
//! `../shared/vectors/azure` verifies through the binary, in Trustee's JSON forms and as
//! loose parts; every mutation recipe of the vectors README's section 8, applied to the
//! loose parts (or to re-encoded JSON) in a scratch directory, exits as it must with its
//! `--json` error kind; misplaced Azure flags are usage errors; `collateral fetch` gets
//! only what the evidence lacks from the mock vendor service.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine as _;
use common::{code, s, scratch, stderr, stdout};
use serde_json::Value;

const CHALLENGE: &str = "6368616c6c656e6765";
const V2_NONCE: &str = "982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398f647caa2338748cd0fd9f5f819ef";
const SNP_AT: &str = "2025-09-01T00:00:00Z";
const TDX_AT: &str = "2025-03-01T00:00:00Z";
const TDX_SET_A: &str = "tdx-v4-dcaprs-00806f05-outofdate";
const TDX_SET_B: &str = "tdx-v4-zkdcap-00806f05-outofdate";

fn azure(rel: &str) -> String {
    s(&testvectors::real::vectors_dir().join("azure").join(rel))
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(azure(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn snp_root(file: &str) -> String {
    s(&testvectors::real::snp_dir().join("roots").join(file))
}

fn tdx_collateral(set: &str) -> String {
    s(&testvectors::real::tdx_dir()
        .join("cases")
        .join(set)
        .join("collateral"))
}

/// The AMD chain and CRL of a product, and the time.
fn snp_args(product: &str, at: &str) -> Vec<String> {
    vec![
        "--collateral".into(),
        snp_root(&format!("{product}_ask_ark.pem")),
        "--collateral".into(),
        snp_root(&format!("{product}_crl.der")),
        "--at".into(),
        at.into(),
    ]
}

fn tdx_args(collateral: &str, at: &str) -> Vec<String> {
    vec![
        "--collateral".into(),
        collateral.into(),
        "--at".into(),
        at.into(),
    ]
}

fn run(args: &[String]) -> Output {
    common::verdict_command().args(args).output().unwrap()
}

/// `verify --json` with `args`.
fn verify_json(args: &[String]) -> (i32, Value) {
    let mut all = vec!["verify".to_owned(), "--json".to_owned()];
    all.extend_from_slice(args);
    let out = run(&all);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}\nargs: {all:?}",
            stdout(&out),
            stderr(&out)
        )
    });
    (code(&out), v)
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

// ---- every real case ----------------------------------------------------------------

/// One real case: its `verify` arguments and what its claims must say.
struct Real {
    name: &'static str,
    args: Vec<String>,
    tee: &'static str,
    nonce: &'static str,
    version: u8,
    pcrs_verified: bool,
}

fn real_cases() -> Vec<Real> {
    let snp = |name, files: &[String], nonce, version, pcrs_verified| {
        let mut args = snp_args("milan", SNP_AT);
        args.extend(["--nonce".into(), String::from(nonce)]);
        args.extend_from_slice(files);
        Real {
            name,
            args,
            tee: "azure-snp",
            nonce,
            version,
            pcrs_verified,
        }
    };
    let tdx = |name, files: &[String]| {
        let mut args = tdx_args(&tdx_collateral(TDX_SET_A), TDX_AT);
        args.extend(["--nonce".into(), CHALLENGE.into()]);
        args.extend_from_slice(files);
        Real {
            name,
            args,
            tee: "azure-tdx",
            nonce: CHALLENGE,
            version: if name == "tdx-v0" { 0 } else { 1 },
            pcrs_verified: true,
        }
    };
    let hcl_parts = |quote: &str| {
        vec![
            azure("snp/hcl-report.bin"),
            "--tpm-quote".into(),
            azure(quote),
            "--collateral".into(),
            azure("snp/vcek.pem"),
        ]
    };
    let tdx_parts = |quote: &str| {
        vec![
            azure("tdx/hcl-report.bin"),
            "--tpm-quote".into(),
            azure(quote),
            "--td-quote".into(),
            azure("tdx/td-quote.bin"),
        ]
    };
    vec![
        snp("v0", &[azure("snp/evidence-v0.json")], CHALLENGE, 0, true),
        snp("v1", &[azure("snp/evidence-v1.json")], CHALLENGE, 1, true),
        snp("v2", &[azure("snp/evidence-v2.json")], V2_NONCE, 2, true),
        snp(
            "hcl-report + JSON quote",
            &hcl_parts("snp/tpm-quote-v1.json"),
            CHALLENGE,
            1,
            true,
        ),
        snp(
            "hcl-report + bincode quote",
            &hcl_parts("snp/quote.bin"),
            CHALLENGE,
            1,
            true,
        ),
        snp(
            "hcl-report + bare TPMS_ATTEST, signature and PCRs",
            &[
                azure("snp/hcl-report.bin"),
                "--tpm-quote".into(),
                azure("snp/extracted/hcl-report/tpm-quote-msg.bin"),
                "--tpm-signature".into(),
                azure("snp/extracted/hcl-report/tpm-quote-sig.bin"),
                "--pcrs".into(),
                azure("snp/extracted/hcl-report/pcrs.bin"),
                "--collateral".into(),
                azure("snp/extracted/hcl-report/vcek.der"),
            ],
            CHALLENGE,
            1,
            true,
        ),
        snp(
            "legacy-2023",
            &[
                azure("snp/legacy-2023/az-hcl-data.bin"),
                "--tpm-quote".into(),
                azure("snp/tpm-quote.msg"),
                "--tpm-signature".into(),
                azure("snp/tpm-quote.sig"),
                "--collateral".into(),
                azure("snp/legacy-2023/az-vcek.pem"),
            ],
            CHALLENGE,
            1,
            false,
        ),
        tdx("tdx-v0", &[azure("tdx/evidence-v0.json")]),
        tdx("tdx-v1", &[azure("tdx/evidence-v1.json")]),
        tdx(
            "tdx parts + JSON quote",
            &tdx_parts("tdx/tpm-quote-v1.json"),
        ),
        tdx("tdx parts + bincode quote", &tdx_parts("tdx/quote.bin")),
    ]
}

#[test]
fn every_real_case_verifies_through_the_cli() {
    for case in real_cases() {
        let (exit, v) = verify_json(&case.args);
        assert_eq!(exit, 0, "{}: {}", case.name, v["error"]);
        assert_eq!(v["tee"], case.tee, "{}", case.name);
        let claims = &v["claims"];
        assert_eq!(claims["tee"], case.tee, "{}", case.name);
        assert_eq!(claims["tpm"]["nonce"], case.nonce, "{}", case.name);
        assert_eq!(
            claims["tpm"]["pcrs_verified"], case.pcrs_verified,
            "{}",
            case.name
        );
        assert_eq!(
            claims["azure"]["evidence_version"], case.version,
            "{}",
            case.name
        );
        assert_eq!(
            claims["azure"]["hcl_report_fresh"],
            case.version == 2,
            "{}",
            case.name
        );
        let hardware = if case.tee == "azure-snp" {
            "snp"
        } else {
            "tdx"
        };
        assert!(claims[hardware].is_object(), "{}: {claims}", case.name);
        let codes: Vec<&str> = v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w["code"].as_str())
            .collect();
        assert_eq!(
            codes.contains(&"hcl_report_not_fresh"),
            case.version < 2,
            "{}: {codes:?}",
            case.name
        );
        assert_eq!(
            codes.contains(&"pcr_values_absent"),
            !case.pcrs_verified,
            "{}: {codes:?}",
            case.name
        );
    }
}

#[test]
fn the_human_summary_names_kind_version_freshness_pcrs_and_hardware() {
    let cases = real_cases();
    let by_name = |name: &str| cases.iter().find(|c| c.name == name).unwrap();
    let human = |case: &Real| {
        let mut args = vec!["verify".to_owned()];
        args.extend_from_slice(&case.args);
        let out = run(&args);
        assert_eq!(code(&out), 0, "{}: {}", case.name, stderr(&out));
        stdout(&out)
    };
    let v2 = human(by_name("v2"));
    let first = v2.lines().next().unwrap();
    assert!(
        first.starts_with("verified: Azure confidential VM on AMD SEV-SNP, vTPM evidence v2"),
        "{first}"
    );
    assert!(first.contains("PCRs 0-23 verified"), "{first}");
    assert!(first.contains("HCL report fresh"), "{first}");
    assert!(first.contains("SEV-SNP report from Milan"), "{first}");
    assert!(v2.contains(&format!("  tpm_nonce     {V2_NONCE}")), "{v2}");
    assert!(v2.contains("  pcr0          84275b2f"), "{v2}");
    assert!(
        v2.contains("verified: AMD SEV-SNP report v3 from Milan"),
        "{v2}"
    );

    // legacy-2023: no PCR values; the claims and a visible warning say so.
    let legacy = human(by_name("legacy-2023"));
    let first = legacy.lines().next().unwrap();
    assert!(
        first.contains("PCRs 0-7,14 NOT verified (no values given)"),
        "{first}"
    );
    assert!(first.contains("HCL report not fresh"), "{first}");
    assert!(
        legacy.contains("warning: the TPM quote came without its PCR values"),
        "{legacy}"
    );

    let tdx = human(by_name("tdx parts + JSON quote"));
    let first = tdx.lines().next().unwrap();
    assert!(
        first.starts_with("verified: Azure confidential VM on Intel TDX, vTPM evidence v1"),
        "{first}"
    );
    assert!(first.contains("TD quote v4, TCB OutOfDate"), "{first}");
    assert!(tdx.contains("  pcr0          782b20b1"), "{tdx}");
    assert!(tdx.contains("  mr_td         024a32b0"), "{tdx}");
}

/// `--tee azure-snp|azure-tdx` agreeing with the evidence is only a hint.
#[test]
fn an_agreeing_tee_hint_is_accepted() {
    for case in real_cases()
        .into_iter()
        .filter(|c| ["v1", "hcl-report + JSON quote", "tdx-v1"].contains(&c.name))
    {
        let mut args = vec!["--tee".to_owned(), case.tee.to_owned()];
        args.extend(case.args);
        let (exit, v) = verify_json(&args);
        assert_eq!(exit, 0, "{}: {}", case.name, v["error"]);
    }
}

// ---- section 8: the mutation recipes ---------------------------------------------------

/// A case as loose parts, to mutate and write out.
#[derive(Clone)]
struct Parts {
    name: &'static str,
    hcl: Vec<u8>,
    msg: Vec<u8>,
    sig: Vec<u8>,
    pcrs: Option<Vec<u8>>,
    /// The VCEK (DER), given as collateral.
    vcek: Option<Vec<u8>>,
    td_quote: Option<Vec<u8>>,
    version: u8,
    nonce: String,
    /// Collateral and time.
    base: Vec<String>,
}

fn snp_parts(name: &'static str) -> Parts {
    let dir = format!("snp/extracted/{name}");
    let file = |f: &str| read(&format!("{dir}/{f}"));
    let has_pcrs = Path::new(&azure(&format!("{dir}/pcrs.bin"))).exists();
    Parts {
        name,
        hcl: file("hcl-report.bin"),
        msg: file("tpm-quote-msg.bin"),
        sig: file("tpm-quote-sig.bin"),
        pcrs: has_pcrs.then(|| file("pcrs.bin")),
        vcek: Some(file("vcek.der")),
        td_quote: None,
        version: match name {
            "v0" => 0,
            "v2" => 2,
            _ => 1,
        },
        nonce: if name == "v2" { V2_NONCE } else { CHALLENGE }.to_owned(),
        base: snp_args("milan", SNP_AT),
    }
}

fn tdx_parts() -> Parts {
    Parts {
        name: "tdx",
        hcl: read("tdx/extracted/hcl-report.bin"),
        msg: read("tdx/extracted/tpm-quote-msg.bin"),
        sig: read("tdx/extracted/tpm-quote-sig.bin"),
        pcrs: Some(read("tdx/extracted/pcrs.bin")),
        vcek: None,
        td_quote: Some(read("tdx/td-quote.bin")),
        version: 1,
        nonce: CHALLENGE.to_owned(),
        base: tdx_args(&tdx_collateral(TDX_SET_A), TDX_AT),
    }
}

fn all_parts() -> Vec<Parts> {
    let mut cases: Vec<Parts> = ["v0", "v1", "v2", "hcl-report", "legacy-2023"]
        .into_iter()
        .map(snp_parts)
        .collect();
    cases.push(tdx_parts());
    cases
}

impl Parts {
    /// Writes the parts into `dir` and returns the `verify` arguments naming them.
    fn args(&self, dir: &Path) -> Vec<String> {
        std::fs::create_dir_all(dir).unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            s(&path)
        };
        let mut args = self.base.clone();
        args.extend([
            "--nonce".into(),
            self.nonce.clone(),
            "--evidence-version".into(),
            self.version.to_string(),
            "--tpm-quote".into(),
            write("tpm-quote-msg.bin", &self.msg),
            "--tpm-signature".into(),
            write("tpm-quote-sig.bin", &self.sig),
        ]);
        if let Some(pcrs) = &self.pcrs {
            args.extend(["--pcrs".into(), write("pcrs.bin", pcrs)]);
        }
        if let Some(vcek) = &self.vcek {
            args.extend(["--collateral".into(), write("vcek.der", vcek)]);
        }
        if let Some(q) = &self.td_quote {
            args.extend(["--td-quote".into(), write("td-quote.bin", q)]);
        }
        args.push(write("hcl-report.bin", &self.hcl));
        args
    }

    fn td_quote(&mut self) -> &mut Vec<u8> {
        self.td_quote.as_mut().expect("a TDX case")
    }
}

/// A recipe's outcome: the exit code and the `--json` error kinds it may report.
type Expect = (i32, &'static [&'static str]);

const VERIFIES: Expect = (0, &[]);
const SIGNATURE: Expect = (1, &["evidence_signature"]);

/// A mutation recipe: its id, what it does to the parts, and its outcome.
type Recipe = (&'static str, Box<dyn Fn(&mut Parts)>, Expect);

fn recipe(id: &'static str, mutate: impl Fn(&mut Parts) + 'static, expect: Expect) -> Recipe {
    (id, Box::new(mutate), expect)
}

/// Applies each recipe to a fresh copy of `parts` (in its own folder of `dir`), runs
/// `verify --json` and checks the exit code and error kind.
fn check(dir: &Path, parts: &Parts, recipes: &[Recipe]) {
    for (recipe, mutate, (exit, kinds)) in recipes {
        let mut copy = parts.clone();
        mutate(&mut copy);
        let folder = dir.join(format!("{}-{}", parts.name, recipe.replace(' ', "_")));
        let (got, v) = verify_json(&copy.args(&folder));
        let name = format!("{recipe} on {}", parts.name);
        assert_eq!(got, *exit, "{name}: {}", v["error"]);
        if kinds.is_empty() {
            assert_eq!(v["verified"], true, "{name}");
        } else {
            let kind = v["error"]["kind"].as_str().unwrap_or("");
            assert!(
                kinds.contains(&kind),
                "{name}: {} ({kind}), expected one of {kinds:?}",
                v["error"]["message"]
            );
            assert_eq!(v["verified"], false, "{name}");
        }
    }
}

fn flip(bytes: &mut [u8], at: usize) {
    bytes[at] ^= 1;
}

/// The nonce the recipe N3 expects instead: "challenge" reversed, or the 48-byte nonce
/// with byte 0 flipped.
fn wrong_nonce(nonce: &str) -> String {
    let mut bytes = hex::decode(nonce).unwrap();
    if bytes.len() == 48 {
        bytes[0] ^= 1;
    } else {
        bytes.reverse();
    }
    hex::encode(bytes)
}

fn pcrs(p: &mut Parts) -> &mut Vec<u8> {
    p.pcrs.as_mut().expect("PCR values")
}

#[test]
fn n_rows_through_the_loose_parts_on_every_case() {
    const PCRS: Expect = (1, &["pcr_digest_mismatch", "pcr_count_mismatch"]);
    let dir = scratch("azure-n-rows");
    for parts in all_parts() {
        // clockInfo.clock: after a 9-byte nonce, or a 48-byte one (v2).
        let clock = if parts.nonce == V2_NONCE { 92 } else { 53 };
        let (vm_id, ak) = match parts.name {
            "legacy-2023" => (0x6F4, 0x521),
            "tdx" => (0x8CF, 0x51E),
            _ => (0x874, 0x51E),
        };
        let mut recipes = vec![
            // The unmutated parts verify: each rejection below is the recipe's doing.
            recipe("as is", |_| {}, VERIFIES),
            recipe("N1", |p| flip(&mut p.sig, 0), SIGNATURE),
            recipe("N2", move |p| flip(&mut p.msg, clock), SIGNATURE),
            recipe(
                "N3",
                |p| p.nonce = wrong_nonce(&p.nonce),
                (1, &["unexpected_nonce", "user_data_nonce_mismatch"]),
            ),
            recipe(
                "N4",
                |p| flip(&mut p.msg, 44),
                (1, &["evidence_signature", "unexpected_nonce"]),
            ),
            recipe(
                "N6",
                move |p| flip(&mut p.hcl, vm_id),
                (1, &["runtime_data_binding"]),
            ),
            recipe(
                "N7",
                move |p| flip(&mut p.hcl, ak),
                (1, &["evidence_signature", "runtime_data_binding"]),
            ),
            recipe("N8", |p| p.hcl[0x540] = 0, (2, &["malformed_json"])),
            recipe("N9", |p| p.hcl[0x4CC] = 2, (1, &["invalid_value"])),
            recipe(
                "N10",
                |p| p.hcl[0x4D0..0x4D4].copy_from_slice(&[0xFF, 0xFF, 0, 0]),
                (1, &["invalid_value"]),
            ),
            recipe("N11", |p| flip(&mut p.hcl, 0x14), VERIFIES),
            recipe(
                "N12",
                |p| flip(&mut p.hcl, 0),
                (2, &["malformed_structure"]),
            ),
        ];
        // legacy-2023 has no PCR values to alter.
        if parts.pcrs.is_some() {
            recipes.extend([
                recipe("N5 pcr0", |p| flip(pcrs(p), 0), PCRS),
                recipe("N5 pcr8", |p| flip(pcrs(p), 8 * 32), PCRS),
                recipe(
                    "N5 drop pcr23",
                    |p| {
                        let values = pcrs(p);
                        values.truncate(values.len() - 32);
                    },
                    PCRS,
                ),
            ]);
        }
        check(&dir, &parts, &recipes);
    }
    // Trustee's own N6 edits: an HCLEkPub character (SNP), a thumbprint character (TDX).
    let binding: Expect = (1, &["runtime_data_binding"]);
    check(
        &dir,
        &snp_parts("hcl-report"),
        &[recipe("N6 trustee", |p| p.hcl[0x6E0] += 1, binding)],
    );
    check(
        &dir,
        &tdx_parts(),
        &[recipe("N6 trustee", |p| p.hcl[0x880] += 1, binding)],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn s_rows_on_every_snp_case() {
    let dir = scratch("azure-s-rows");
    for name in ["v0", "v1", "v2", "hcl-report", "legacy-2023"] {
        let recipes = [
            recipe("S1", |p| flip(&mut p.hcl, 0xB0), SIGNATURE),
            recipe(
                "S2",
                |p| flip(&mut p.hcl, 0x70),
                (1, &["runtime_data_binding"]),
            ),
            recipe("S3", |p| p.hcl[0x1A6] = 0, (1, &["tcb_mismatch"])),
            recipe("S4", |p| p.hcl[0x50] = 1, SIGNATURE),
            recipe("S5", |p| flip(&mut p.hcl, 0x2C0), SIGNATURE),
            recipe(
                "S7",
                |p| p.base = snp_args("genoa", SNP_AT),
                (1, &["wrong_product"]),
            ),
        ];
        check(&dir, &snp_parts(name), &recipes);
    }
    check(
        &dir,
        &snp_parts("v1"),
        &[recipe(
            "S8",
            |p| p.base = snp_args("milan", "2025-01-27T00:00:00Z"),
            (1, &["certificate_not_yet_valid"]),
        )],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// S6 through the JSON: v1 evidence re-encoded carrying v2's VCEK (another chip).
#[test]
fn s6_another_chips_vcek_in_the_json() {
    let dir = scratch("azure-s6");
    let mut evidence: Value = serde_json::from_slice(&read("snp/evidence-v1.json")).unwrap();
    evidence["vcek"] = base64::engine::general_purpose::URL_SAFE
        .encode(read("snp/extracted/v2/vcek.der"))
        .into();
    let path = dir.join("evidence.json");
    std::fs::write(&path, serde_json::to_vec(&evidence).unwrap()).unwrap();
    let mut args = snp_args("milan", SNP_AT);
    args.extend(["--nonce".into(), CHALLENGE.into(), s(&path)]);
    let (exit, v) = verify_json(&args);
    assert_eq!(exit, 1, "{}", v["error"]);
    assert_eq!(v["error"]["kind"], "chip_id_mismatch", "{}", v["error"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn v_rows_version_semantics_and_mixes() {
    const USER_DATA: Expect = (1, &["user_data_nonce_mismatch"]);
    let dir = scratch("azure-v-rows");
    // V1 through the JSON: "version": 1 made 2 (user-data is all zero).
    for (rel, mut args) in [
        ("snp/evidence-v1.json", snp_args("milan", SNP_AT)),
        (
            "tdx/evidence-v1.json",
            tdx_args(&tdx_collateral(TDX_SET_A), TDX_AT),
        ),
    ] {
        let text = String::from_utf8(read(rel)).unwrap();
        let edited = text.replacen("\"version\": 1", "\"version\": 2", 1);
        assert_ne!(edited, text, "{rel}");
        let path = dir.join(rel.replace('/', "-"));
        std::fs::write(&path, edited).unwrap();
        args.extend(["--nonce".into(), CHALLENGE.into(), s(&path)]);
        let (exit, v) = verify_json(&args);
        assert_eq!(exit, 1, "V1 {rel}: {}", v["error"]);
        assert_eq!(v["error"]["kind"], "user_data_nonce_mismatch", "V1 {rel}");
    }
    let tdx = tdx_parts();
    let v0_hcl = snp_parts("v0").hcl;
    let recipes = [
        // V1 through the loose parts: --evidence-version 2 on version 1 data.
        recipe("V1", |p| p.version = 2, USER_DATA),
        // V2: v0's HCL report with v1's quote verifies (same AK; no freshness binding).
        recipe("V2", move |p| p.hcl.clone_from(&v0_hcl), VERIFIES),
        // V3: another VM's TPM quote.
        recipe(
            "V3",
            move |p| {
                p.msg.clone_from(&tdx.msg);
                p.sig.clone_from(&tdx.sig);
                p.pcrs.clone_from(&tdx.pcrs);
            },
            SIGNATURE,
        ),
    ];
    check(&dir, &snp_parts("v1"), &recipes);
    check(
        &dir,
        &tdx_parts(),
        &[recipe("V1", |p| p.version = 2, USER_DATA)],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Set A's collateral with another FMSPC's TCB Info in place of the platform's.
fn wrong_fmspc_collateral(dir: &Path) -> PathBuf {
    let out = dir.join("wrong-fmspc");
    std::fs::create_dir_all(&out).unwrap();
    for entry in std::fs::read_dir(tdx_collateral(TDX_SET_A)).unwrap() {
        let path = entry.unwrap().path();
        if !path.ends_with("tcb_info.json") {
            std::fs::copy(&path, out.join(path.file_name().unwrap())).unwrap();
        }
    }
    let phala = PathBuf::from(tdx_collateral("tdx-v4-phala-b0c06f-uptodate"));
    std::fs::copy(phala.join("tcb_info.json"), out.join("tcb_info.json")).unwrap();
    out
}

/// The TDX collateral of `set` at `at`.
fn tdx_at(set: &'static str, at: &'static str) -> impl Fn(&mut Parts) + 'static {
    move |p| p.base = tdx_args(&tdx_collateral(set), at)
}

#[test]
fn t_rows_on_the_tdx_parts() {
    const EXPIRED: &[&str] = &["tcb_info_expired", "qe_identity_expired", "crl_expired"];
    const EARLY: &[&str] = &[
        "tcb_info_not_yet_valid",
        "qe_identity_not_yet_valid",
        "crl_not_yet_valid",
    ];
    let dir = scratch("azure-t-rows");
    let wrong_fmspc = s(&wrong_fmspc_collateral(&dir));
    let recipes = [
        recipe("T1", |p| flip(p.td_quote(), 184), SIGNATURE),
        recipe(
            "T2",
            |p| flip(p.td_quote(), 568),
            (1, &["runtime_data_binding", "evidence_signature"]),
        ),
        recipe(
            "T3",
            |p| flip(p.td_quote(), 770),
            (1, &["evidence_signature", "pck_certificate_mismatch"]),
        ),
        recipe(
            "T4",
            |p| flip(p.td_quote(), 700),
            (1, &["evidence_signature", "qe_report_data"]),
        ),
        // T5: the unauthenticated TDREPORT differs from the quote: Verdict refuses it.
        recipe(
            "T5",
            |p| flip(&mut p.hcl, 0xA0),
            (1, &["td_report_mismatch"]),
        ),
        recipe(
            "T6 set A late",
            tdx_at(TDX_SET_A, "2025-03-16T00:00:00Z"),
            (1, EXPIRED),
        ),
        recipe(
            "T6 set A early",
            tdx_at(TDX_SET_A, "2025-02-12T00:00:00Z"),
            (1, EARLY),
        ),
        recipe("T6 set B", tdx_at(TDX_SET_B, TDX_AT), (1, EXPIRED)),
        recipe(
            "set B at its time",
            tdx_at(TDX_SET_B, "2025-02-01T00:00:00Z"),
            VERIFIES,
        ),
        // T7: the platform's TCB Info is absent (another FMSPC's is never used for it):
        // missing collateral, exit 3.
        recipe(
            "T7",
            move |p| p.base = tdx_args(&wrong_fmspc, TDX_AT),
            (3, &["missing_collateral"]),
        ),
    ];
    check(&dir, &tdx_parts(), &recipes);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- usage ----------------------------------------------------------------------------

/// `verify --json` that must be a usage error (exit 2) of `kind`, with a one-line
/// message containing `says`.
fn usage_error(args: &[String], kind: &str, says: &str) {
    let (exit, v) = verify_json(args);
    assert_eq!(exit, 2, "{args:?}: {v}");
    assert_eq!(v["error"]["kind"], kind, "{args:?}: {v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains(says), "{args:?}: {message}");
    assert!(!message.contains('\n'), "{message}");
    // The human form: one line on stderr.
    let mut human = vec!["verify".to_owned()];
    human.extend_from_slice(args);
    let out = run(&human);
    assert_eq!(code(&out), 2);
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn misplaced_azure_flags_are_usage_errors() {
    let snp_report = s(&testvectors::real::snp_dir()
        .join("milan-v3-azure-trustee-v1")
        .join("report.bin"));
    let json = azure("snp/evidence-v1.json");
    let hcl = azure("snp/hcl-report.bin");
    let quote = azure("snp/tpm-quote-v1.json");
    let cases: Vec<(Vec<String>, &str, &str)> = vec![
        // Flags for loose parts beside evidence that carries its own or is not Azure's.
        (
            strings(&["--tpm-quote", &quote, &json]),
            "bad_usage",
            "--tpm-quote goes with an Azure HCL report",
        ),
        (
            strings(&["--evidence-version", "2", &json]),
            "bad_usage",
            "--evidence-version goes with an Azure HCL report",
        ),
        (
            strings(&["--td-quote", &azure("tdx/td-quote.bin"), &json]),
            "bad_usage",
            "--td-quote goes with an Azure HCL report",
        ),
        (
            strings(&["--tpm-quote", &quote, &snp_report]),
            "bad_usage",
            "is an AMD SEV-SNP report",
        ),
        // The HCL report alone, or with the wrong parts.
        (strings(&[&hcl]), "hcl_report_alone", "--tpm-quote"),
        (
            strings(&["--tpm-signature", &azure("snp/tpm-quote.sig"), &hcl]),
            "bad_usage",
            "--tpm-signature and --pcrs go with a bare TPMS_ATTEST",
        ),
        (
            strings(&[
                "--tpm-quote",
                &quote,
                "--pcrs",
                &azure("snp/extracted/hcl-report/pcrs.bin"),
                &hcl,
            ]),
            "bad_usage",
            "--pcrs goes with a bare TPMS_ATTEST",
        ),
        (
            strings(&[
                "--tpm-quote",
                &quote,
                "--td-quote",
                &azure("tdx/td-quote.bin"),
                &hcl,
            ]),
            "bad_usage",
            "holds an SEV-SNP report",
        ),
        (
            strings(&[
                "--tpm-quote",
                &azure("tdx/tpm-quote-v1.json"),
                &azure("tdx/hcl-report.bin"),
            ]),
            "bad_usage",
            "give the TD quote made from it with --td-quote",
        ),
        // A bare TPMS_ATTEST without its signature.
        (
            strings(&["--tpm-quote", &azure("snp/tpm-quote.msg"), &hcl]),
            "bad_usage",
            "is a bare TPMS_ATTEST: give its signature with --tpm-signature",
        ),
        // A TPM quote that is no quote at all: the library's parse error, naming the file.
        (
            strings(&["--tpm-quote", &azure("snp/tpm-quote.sig"), &hcl]),
            "truncated",
            "tpm-quote.sig",
        ),
        // The nonce of a TPM2B_DATA: 1 to 64 bytes.
        (
            strings(&["--nonce", &"00".repeat(65), &json]),
            "bad_usage",
            "1 to 64 bytes",
        ),
        // --tee contradicting the evidence, as for every kind.
        (
            strings(&["--tee", "azure-tdx", &json]),
            "tee_contradicts_evidence",
            "is Azure SEV-SNP vTPM evidence",
        ),
        (
            strings(&["--tee", "snp", &json]),
            "tee_contradicts_evidence",
            "is Azure SEV-SNP vTPM evidence",
        ),
        (
            strings(&["--tee", "azure-tdx", "--tpm-quote", &quote, &hcl]),
            "tee_contradicts_evidence",
            "is Azure SEV-SNP vTPM evidence",
        ),
        (
            strings(&["--tee", "azure-snp", &snp_report]),
            "tee_contradicts_evidence",
            "is an AMD SEV-SNP report",
        ),
    ];
    for (mut args, kind, says) in cases {
        let mut all = snp_args("milan", SNP_AT);
        all.append(&mut args);
        usage_error(&all, kind, says);
    }
    // An evidence version Verdict does not know is refused by the parser of the flag.
    let out = run(&strings(&[
        "verify",
        "--evidence-version",
        "3",
        "--tpm-quote",
        &quote,
        &hcl,
    ]));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--evidence-version"),
        "{}",
        stderr(&out)
    );
}

/// In `appraise` the flags complete the one HCL report among the evidence files.
#[test]
fn appraise_refuses_azure_flags_without_an_hcl_report() {
    let dir = scratch("azure-appraise-usage");
    let key = common::new_key(&dir);
    let mut args = strings(&[
        "appraise",
        "--policy",
        &common::policy("snp.yaml"),
        "--key",
        &key,
        "--tpm-quote",
        &azure("snp/tpm-quote-v1.json"),
    ]);
    args.extend(snp_args("milan", SNP_AT));
    args.push(azure("snp/evidence-v1.json"));
    let out = run(&args);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "verdict: --tpm-quote goes with an Azure HCL report, and no evidence file is one\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- collateral fetch -----------------------------------------------------------------

fn verdict_online(mock: &mockvendor::MockVendor, cache: &Path, args: &[String]) -> Output {
    let base = mock.base_url();
    std::process::Command::new(env!("CARGO_BIN_EXE_verdict"))
        .args(args)
        .env_remove("VERDICT_OFFLINE")
        .env_remove("VERDICT_CONFIG")
        // The mock is on loopback: no proxy in the environment may reroute it.
        .env("NO_PROXY", "*")
        .env("no_proxy", "*")
        .env("VERDICT_AMD_KDS_URL", &base)
        .env("VERDICT_INTEL_PCS_URL", &base)
        .env("VERDICT_NVIDIA_RIM_URL", &base)
        .env("VERDICT_NVIDIA_OCSP_URL", &base)
        .env("VERDICT_CACHE_DIR", cache)
        .output()
        .unwrap()
}

/// Requests for a VCEK (not the chain or the CRL).
fn vcek_requests(mock: &mockvendor::MockVendor) -> usize {
    mock.requests()
        .iter()
        .filter(|r| {
            r.path.starts_with("/vcek/v1/")
                && !r.path.ends_with("/cert_chain")
                && !r.path.ends_with("/crl")
        })
        .count()
}

#[test]
fn collateral_fetch_gets_what_azure_evidence_lacks() {
    // The JSON carries its VCEK: only the AMD chain and CRL are fetched, and the bundle
    // then verifies offline.
    let mock = mockvendor::MockVendor::start(mockvendor::Catalog::amd_kds().unwrap());
    let cache = scratch("azure-fetch-cache");
    let bundle = scratch("azure-fetch-bundle");
    let out = verdict_online(
        &mock,
        &cache,
        &strings(&[
            "collateral",
            "fetch",
            &azure("snp/evidence-v1.json"),
            "--out",
            &s(&bundle),
            "--at",
            SNP_AT,
        ]),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(mock.request_count() >= 2, "{:?}", mock.requests());
    assert_eq!(vcek_requests(&mock), 0, "{:?}", mock.requests());
    let (exit, v) = verify_json(&strings(&[
        "--offline",
        "--collateral",
        &s(&bundle),
        "--at",
        SNP_AT,
        "--nonce",
        CHALLENGE,
        &azure("snp/evidence-v1.json"),
    ]));
    assert_eq!(exit, 0, "{}", v["error"]);

    // Loose parts carry no VCEK: it is fetched too.
    let mock = mockvendor::MockVendor::start(mockvendor::Catalog::amd_kds().unwrap());
    let cache = scratch("azure-fetch-cache-parts");
    let bundle = scratch("azure-fetch-bundle-parts");
    let parts = [
        "--tpm-quote".to_owned(),
        azure("snp/tpm-quote-v1.json"),
        azure("snp/hcl-report.bin"),
    ];
    let mut args = strings(&["collateral", "fetch", "--out", &s(&bundle), "--at", SNP_AT]);
    args.extend_from_slice(&parts);
    let out = verdict_online(&mock, &cache, &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(vcek_requests(&mock), 1, "{:?}", mock.requests());
    let mut args = strings(&[
        "--offline",
        "--collateral",
        &s(&bundle),
        "--at",
        SNP_AT,
        "--nonce",
        CHALLENGE,
    ]);
    args.extend_from_slice(&parts);
    let (exit, v) = verify_json(&args);
    assert_eq!(exit, 0, "{}", v["error"]);
    for d in [cache, bundle] {
        let _ = std::fs::remove_dir_all(d);
    }
}

// ---- appraise -------------------------------------------------------------------------

/// `appraise` takes Azure evidence like the other kinds, the loose parts included:
/// a token is issued (whatever the status inside) for the real cases.
#[test]
fn appraise_issues_a_token_for_azure_evidence() {
    let dir = scratch("azure-appraise");
    let key = common::new_key(&dir);
    let appraise = |evidence: &[String], collateral: Vec<String>| {
        let mut args = strings(&[
            "appraise",
            "--policy",
            &common::policy("azure.yaml"),
            "--key",
            &key,
            "--nonce",
            CHALLENGE,
        ]);
        args.extend(collateral);
        args.extend_from_slice(evidence);
        let out = run(&args);
        assert_eq!(code(&out), 0, "{evidence:?}: {}", stderr(&out));
        let token = stdout(&out);
        assert_eq!(token.trim_end().split('.').count(), 3, "{token}");
        assert!(stderr(&out).starts_with("appraisal: "), "{}", stderr(&out));
    };
    let mut snp = snp_args("milan", SNP_AT);
    snp.extend(["--collateral".into(), azure("snp/vcek.pem")]);
    appraise(
        &[
            azure("snp/hcl-report.bin"),
            "--tpm-quote".into(),
            azure("snp/quote.bin"),
        ],
        snp,
    );
    appraise(
        &[azure("tdx/evidence-v1.json")],
        tdx_args(&tdx_collateral(TDX_SET_A), TDX_AT),
    );
    let _ = std::fs::remove_dir_all(&dir);
}
