//! Criterion benchmarks of the CEL wrapper over a claims tree of about a
//! hundred fields (an SNP report, a TDX quote and two GPUs).
//!
//! Benchmark ids:
//!
//! - `cel/compile/tcb_rule`: parse and type-check the rule below.
//! - `cel/bind/claims`: a fresh activation with the whole claims tree bound
//!   (JSON to cel values, guided by the schema).
//! - `cel/bind/snp`: the SNP subtree alone (about 40 fields).
//! - `cel/evaluate/tcb_rule`: `evaluate_bool` of
//!   `snp.vmpl == 0 && !snp.policy.debug && svnAtLeast(snp.reported_tcb, {...})`.
//! - `cel/evaluate/gpus_all`: a comprehension over both GPUs.
//! - `cel/evaluate/per_gpu`: `child()` + binding one converted GPU as `g` +
//!   evaluating a per-GPU rule.
//!
//! Run: `cargo bench -p verdict-policy --bench cel`.

use criterion::{black_box, Criterion};
use policy::cel::{Activation, Environment, Limits, Object, Type};
use serde_json::{json, Value};

const TCB_RULE: &str = "snp.vmpl == 0 && !snp.policy.debug && svnAtLeast(snp.reported_tcb, \
                        {\"bootloader\": 7, \"tee\": 0, \"snp\": 14, \"microcode\": 72})";

fn tcb() -> Type {
    Type::map(Type::Int)
}

fn snp_schema() -> Object {
    let policy = Object::new()
        .field("abi_major", Type::Int)
        .field("abi_minor", Type::Int)
        .field("smt", Type::Bool)
        .field("migrate_ma", Type::Bool)
        .field("debug", Type::Bool)
        .field("single_socket", Type::Bool)
        .field("raw", Type::String);
    let platform = Object::new()
        .field("smt_enabled", Type::Bool)
        .field("tsme_enabled", Type::Bool)
        .field("ecc_enabled", Type::Bool)
        .field("raw", Type::String);
    Object::new()
        .field("version", Type::Int)
        .field("guest_svn", Type::Int)
        .field("policy", policy.into())
        .field("family_id", Type::Bytes)
        .field("image_id", Type::Bytes)
        .field("vmpl", Type::Int)
        .field("signature_algo", Type::Int)
        .field("current_tcb", tcb())
        .field("reported_tcb", tcb())
        .field("committed_tcb", tcb())
        .field("launch_tcb", tcb())
        .field("platform_info", platform.into())
        .field("report_data", Type::Bytes)
        .field("measurement", Type::Bytes)
        .field("host_data", Type::Bytes)
        .field("id_key_digest", Type::Bytes)
        .field("author_key_digest", Type::Bytes)
        .field("report_id", Type::Bytes)
        .field("report_id_ma", Type::Bytes)
        .field("chip_id", Type::Bytes)
        .field("current_build", Type::Int)
        .field("committed_build", Type::Int)
        .field("product", Type::String)
        .field("signer", Type::String)
        .field("tcb_status", Type::String)
        .field("advisories", Type::list(Type::String))
        .field(
            "vek",
            Object::new()
                .field("not_before", Type::Timestamp)
                .field("not_after", Type::Timestamp)
                .into(),
        )
}

fn tdx_schema() -> Object {
    Object::new()
        .field("tee_tcb_svn", Type::String)
        .field("mr_seam", Type::Bytes)
        .field("mr_signer_seam", Type::Bytes)
        .field("seam_attributes", Type::String)
        .field("td_attributes", Type::String)
        .field("xfam", Type::String)
        .field("mr_td", Type::Bytes)
        .field("mr_config_id", Type::Bytes)
        .field("mr_owner", Type::Bytes)
        .field("mr_owner_config", Type::Bytes)
        .field("rtmr", Type::list(Type::Bytes))
        .field("report_data", Type::Bytes)
        .field("fmspc", Type::String)
        .field("tcb_status", Type::String)
        .field("advisories", Type::list(Type::String))
        .field("tcb_date", Type::Timestamp)
}

fn gpu_schema() -> Object {
    Object::new()
        .field("index", Type::Int)
        .field("name", Type::String)
        .field("architecture", Type::String)
        .field("driver_version", Type::String)
        .field("vbios_version", Type::String)
        .field("cc_mode", Type::String)
        .field("measurements_match", Type::Bool)
        .field("measurements", Type::list(Type::Bytes))
        .field("ueid", Type::String)
        .field("nonce_match", Type::Bool)
        .field("cert_not_after", Type::Timestamp)
}

fn schema() -> Object {
    Object::new()
        .field("snp", snp_schema().into())
        .field("tdx", tdx_schema().into())
        .field("gpus", Type::list(gpu_schema().into()))
        .field("now", Type::Timestamp)
}

fn hex(n: usize, byte: u8) -> String {
    format!("{byte:02x}").repeat(n)
}

fn claims() -> Value {
    let tcb = json!({"bootloader": 7, "tee": 0, "snp": 14, "microcode": 72});
    let gpu = |i: u32| {
        json!({
            "index": i, "name": "NVIDIA H100 80GB HBM3", "architecture": "HOPPER",
            "driver_version": "550.90.07", "vbios_version": "96.00.9F.00.01", "cc_mode": "ON",
            "measurements_match": true, "measurements": (0..8).map(|m| hex(48, m)).collect::<Vec<_>>(),
            "ueid": "123456789012345678901234567890", "nonce_match": true,
            "cert_not_after": "2030-01-01T00:00:00Z"
        })
    };
    json!({
        "snp": {
            "version": 3, "guest_svn": 1,
            "policy": {"abi_major": 0, "abi_minor": 0, "smt": true, "migrate_ma": false,
                       "debug": false, "single_socket": false, "raw": "0x30000"},
            "family_id": hex(16, 0), "image_id": hex(16, 0), "vmpl": 0, "signature_algo": 1,
            "current_tcb": tcb, "reported_tcb": tcb, "committed_tcb": tcb, "launch_tcb": tcb,
            "platform_info": {"smt_enabled": true, "tsme_enabled": false, "ecc_enabled": true, "raw": "0x5"},
            "report_data": hex(64, 1), "measurement": hex(48, 2), "host_data": hex(32, 3),
            "id_key_digest": hex(48, 0), "author_key_digest": hex(48, 0), "report_id": hex(32, 4),
            "report_id_ma": hex(32, 0xff), "chip_id": hex(64, 5), "current_build": 21,
            "committed_build": 21, "product": "Genoa", "signer": "vcek", "tcb_status": "UpToDate",
            "advisories": [],
            "vek": {"not_before": "2024-01-01T00:00:00Z", "not_after": "2031-01-01T00:00:00Z"}
        },
        "tdx": {
            "tee_tcb_svn": "0b010d02000000000000000000000000", "mr_seam": hex(48, 6),
            "mr_signer_seam": hex(48, 0), "seam_attributes": "0000000000000000",
            "td_attributes": "0000001000000000", "xfam": "e742060000000000", "mr_td": hex(48, 7),
            "mr_config_id": hex(48, 0), "mr_owner": hex(48, 0), "mr_owner_config": hex(48, 0),
            "rtmr": [hex(48, 8), hex(48, 9), hex(48, 10), hex(48, 0)], "report_data": hex(64, 11),
            "fmspc": "90C06F000000", "tcb_status": "UpToDate", "advisories": ["INTEL-SA-00837"],
            "tcb_date": "2024-03-13T00:00:00Z"
        },
        "gpus": [gpu(0), gpu(1)],
        "now": "2026-06-01T12:00:00Z"
    })
}

fn bind_all(env: &Environment, claims: &Value) -> Activation {
    let mut activation = Activation::new(env);
    for name in ["snp", "tdx", "gpus", "now"] {
        activation.bind(name, &claims[name]).expect(name);
    }
    activation
}

fn bench(c: &mut Criterion) {
    let env = Environment::new(schema(), Limits::default());
    let claims = claims();
    let mut group = c.benchmark_group("cel");

    group.bench_function("compile/tcb_rule", |b| {
        b.iter(|| {
            env.compile(black_box(TCB_RULE), Type::Bool)
                .expect("compiles")
        });
    });
    group.bench_function("bind/claims", |b| {
        b.iter(|| bind_all(&env, black_box(&claims)));
    });
    group.bench_function("bind/snp", |b| {
        b.iter(|| {
            let mut activation = Activation::new(&env);
            activation
                .bind("snp", black_box(&claims["snp"]))
                .expect("binds");
            activation
        });
    });

    let activation = bind_all(&env, &claims);
    let rule = env.compile(TCB_RULE, Type::Bool).expect("compiles");
    assert!(rule.evaluate_bool(&activation).expect("evaluates"));
    group.bench_function("evaluate/tcb_rule", |b| {
        b.iter(|| {
            rule.evaluate_bool(black_box(&activation))
                .expect("evaluates")
        });
    });

    let gpus_all = env
        .compile(
            "gpus.all(g, g.cc_mode == 'ON' && g.measurements_match && \
             versionAtLeast(g.driver_version, '550.54.15'))",
            Type::Bool,
        )
        .expect("compiles");
    assert!(gpus_all.evaluate_bool(&activation).expect("evaluates"));
    group.bench_function("evaluate/gpus_all", |b| {
        b.iter(|| {
            gpus_all
                .evaluate_bool(black_box(&activation))
                .expect("evaluates")
        });
    });

    let per_gpu_env = env.with_variable("g", gpu_schema().into());
    let per_gpu = per_gpu_env
        .compile(
            "g.cc_mode == 'ON' && g.measurements_match && \
             versionAtLeast(g.driver_version, '550.54.15') && now < g.cert_not_after",
            Type::Bool,
        )
        .expect("compiles");
    let converted = per_gpu_env
        .convert("gpus[0]", &gpu_schema().into(), &claims["gpus"][0])
        .expect("converts");
    group.bench_function("evaluate/per_gpu", |b| {
        b.iter(|| {
            let mut child = activation.child();
            child.bind_converted("g", converted.clone());
            per_gpu.evaluate_bool(black_box(&child)).expect("evaluates")
        });
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
