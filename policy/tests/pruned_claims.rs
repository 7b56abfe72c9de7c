//! Verified claims reach CEL converted directly and only where a policy reads them;
//! claims written as JSON (policy tests, `policy check --claims`) are converted whole.
//! Both routes must decide the same: for every real sample and every default policy with
//! a section for it, each rule's outcome, the trust vector, the binding and the exports
//! are equal. A pruning that dropped a claim a rule reads, or converted one differently,
//! fails here.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use policy::{appraise, AppraiseError, Input};
use serde_json::{json, Value};

/// The JSON route's input for one sample: its claims as `verify --json` prints them.
fn json_input(sample: &common::Sample, nonce: Option<&[u8]>) -> Input {
    let mut claims = serde_json::to_value(sample.verified.claims()).unwrap();
    let map = claims.as_object_mut().unwrap();
    map.remove("tee");
    if let Some(gpu) = map.remove("gpu") {
        map.insert("gpus".into(), json!([gpu]));
    }
    if let Some(n) = nonce {
        map.insert("nonce".into(), json!(hex::encode(n)));
    }
    map.insert("now".into(), json!(verifier::time::rfc3339(sample.now)));
    let codes: Vec<&str> = sample.verified.warnings().iter().map(|w| w.code).collect();
    map.insert("warnings".into(), json!(codes));
    Input::from_unverified_json_for_testing(&claims).unwrap()
}

fn outcomes(a: &policy::Appraisal) -> Vec<Value> {
    a.submods
        .iter()
        .flat_map(|s| {
            s.outcomes
                .iter()
                .map(move |o| json!([s.label, o.id, o.applied, o.passed, o.error, o.value]))
        })
        .collect()
}

#[test]
fn pruned_conversion_decides_as_the_whole_claims_do() {
    let samples = [
        (common::snp(), None),
        (common::tdx(), None),
        (common::sgx(), None),
        (common::gpu(), None),
        (
            common::azure("snp-v2"),
            Some(hex::decode(common::AZURE_V2_NONCE).unwrap()),
        ),
        (
            common::azure("snp-legacy-2023"),
            Some(common::AZURE_CHALLENGE.to_vec()),
        ),
        (
            common::azure("tdx-v1"),
            Some(common::AZURE_CHALLENGE.to_vec()),
        ),
    ];
    let policies = [
        "snp.yaml",
        "tdx.yaml",
        "nvidia-h100.yaml",
        "composite.yaml",
        "azure.yaml",
    ];
    let mut compared = 0;
    for file in policies {
        let policy = common::load_policy(file);
        for (sample, nonce) in &samples {
            let verified = Input::from_verified(
                std::slice::from_ref(&sample.verified),
                nonce.clone(),
                sample.now,
            )
            .unwrap();
            let pruned = match appraise(&policy, &verified) {
                Ok(a) => a,
                Err(AppraiseError::NoSection { .. }) => continue,
                Err(e) => panic!("{file} on {}: {e}", sample.name),
            };
            let whole = appraise(&policy, &json_input(sample, nonce.as_deref())).unwrap();
            let what = format!("{file} on {}", sample.name);
            assert_eq!(outcomes(&pruned), outcomes(&whole), "{what}");
            assert_eq!(pruned.binding, whole.binding, "{what}");
            assert_eq!(pruned.status, whole.status, "{what}");
            for (p, w) in pruned.submods.iter().zip(&whole.submods) {
                assert_eq!(p.trust, w.trust, "{what}");
                assert_eq!(p.exports, w.exports, "{what}");
            }
            compared += 1;
        }
    }
    // Every sample meets at least one policy (SGX through tdx.yaml).
    assert!(compared >= samples.len(), "{compared}");
}

/// Claims needed whole (a comprehension's range, a helper's argument) are converted
/// member by member and item by item, without their JSON form: for every real sample,
/// each claims variable converted that way equals its JSON form converted, as CEL's `==`
/// sees them (which compares maps by content, whatever their order).
#[test]
fn whole_conversion_equals_the_json_route() {
    use policy::cel::{Activation, Environment, Limits, Need, Object};
    use policy::Section;

    let samples = [
        common::snp(),
        common::tdx(),
        common::sgx(),
        common::gpu(),
        common::azure("snp-v2"),
        common::azure("tdx-v1"),
    ];
    let mut compared = 0;
    for sample in &samples {
        let mut claims = serde_json::to_value(sample.verified.claims()).unwrap();
        let tee = claims.as_object_mut().unwrap().remove("tee").unwrap();
        let section = match tee.as_str().unwrap() {
            "snp" => Section::Snp,
            "tdx" => Section::Tdx,
            "sgx" => Section::Sgx,
            "nvidia-gpu" => Section::Gpu,
            "azure-snp" => Section::AzureSnp,
            "azure-tdx" => Section::AzureTdx,
            other => panic!("{other}"),
        };
        for (name, ty) in section.claim_variables() {
            let json = claims[name].clone();
            let env = Environment::new(
                Object::new()
                    .field("direct", ty.clone())
                    .field("json", ty.clone()),
                Limits::default(),
            );
            let mut activation = Activation::new(&env);
            activation.bind("json", &json).unwrap();
            let whole = &Need::Whole;
            let bound = match (sample.verified.claims(), name) {
                (policy::Claims::Snp(c), _) => activation.bind_serialize("direct", whole, c),
                (policy::Claims::Tdx(c), _) => activation.bind_serialize("direct", whole, c),
                (policy::Claims::Sgx(c), _) => activation.bind_serialize("direct", whole, c),
                (policy::Claims::Gpu(c), _) => activation.bind_serialize("direct", whole, c),
                (policy::Claims::Azure(c), "azure") => {
                    activation.bind_serialize("direct", whole, &c.azure)
                }
                (policy::Claims::Azure(c), "tpm") => {
                    activation.bind_serialize("direct", whole, &c.tpm)
                }
                (policy::Claims::Azure(c), _) => match &c.hardware {
                    verifier::azure::HardwareClaims::Snp(h) => {
                        activation.bind_serialize("direct", whole, h)
                    }
                    verifier::azure::HardwareClaims::Tdx(h) => {
                        activation.bind_serialize("direct", whole, h)
                    }
                },
                (other, _) => panic!("{}", other.tee()),
            };
            bound.unwrap();
            let same = env
                .compile("direct == json", policy::cel::Type::Bool)
                .unwrap();
            assert!(
                same.evaluate_bool(&activation).unwrap(),
                "{} {name}",
                sample.name
            );
            compared += 1;
        }
    }
    assert!(compared >= samples.len(), "{compared}");
}

/// A comprehension's range is converted item by item, each item only as far as the loop
/// reads its variable; used any other way, the items are whole. Each expression is
/// evaluated over the GPU sample's claims converted under its own needs and over the
/// JSON form converted whole: the results agree, and the needs are what they say.
#[test]
fn comprehension_ranges_keep_what_the_loop_reads() {
    use policy::cel::{Activation, Environment, Limits, Need, Object, Type};
    use policy::Section;

    let sample = common::gpu();
    let policy::Claims::Gpu(claims) = sample.verified.claims() else {
        panic!("the GPU sample");
    };
    let json = serde_json::to_value(&**claims).unwrap();
    let ty = Section::Gpu
        .claim_variables()
        .into_iter()
        .find(|(name, _)| *name == "gpu")
        .map(|(_, ty)| ty)
        .unwrap();
    let env = Environment::new(Object::new().field("gpu", ty), Limits::default());
    let fields = |pairs: &[(&str, Need)]| {
        Need::Fields(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    };
    let items = |need: Need| Need::Items(Box::new(need));
    let ocsp = |item: Need| fields(&[("ocsp", items(item))]);
    let cases: Vec<(&str, Need, bool)> = vec![
        (
            r#"gpu.ocsp.all(c, c.status == "good" || c.serial == gpu.leaf_serial)"#,
            fields(&[
                (
                    "ocsp",
                    items(fields(&[("status", Need::Whole), ("serial", Need::Whole)])),
                ),
                ("leaf_serial", Need::Whole),
            ]),
            true,
        ),
        // `has` reads the field it tests: pruning must not turn it false.
        (
            "gpu.ocsp.exists(c, has(c.this_update))",
            ocsp(fields(&[("this_update", Need::Whole)])),
            true,
        ),
        (
            "gpu.ocsp.exists(c, has(c.reason))",
            ocsp(fields(&[("reason", Need::Whole)])),
            false,
        ),
        // The loop variable used bare: every item whole.
        ("gpu.ocsp.all(c, size(c) >= 3)", ocsp(Need::Whole), true),
        // The range read another way as well: whole.
        (
            r#"gpu.ocsp.exists(c, c.status == "good") && size(gpu.ocsp) == 4"#,
            fields(&[("ocsp", Need::Whole)]),
            true,
        ),
        // A body that reads nothing of its variable still sees every item (each an
        // empty map).
        (
            "gpu.ocsp.all(c, true) && gpu.ocsp.map(c, 1).size() == 4",
            ocsp(fields(&[])),
            true,
        ),
        (
            "gpu.rims.driver.ocsp.map(c, c.certificate).size() > 0",
            fields(&[(
                "rims",
                fields(&[(
                    "driver",
                    fields(&[("ocsp", items(fields(&[("certificate", Need::Whole)])))]),
                )]),
            )]),
            true,
        ),
        (
            "gpu.mismatched_indices.all(i, i < 100)",
            fields(&[("mismatched_indices", items(Need::Whole))]),
            true,
        ),
    ];
    assert_eq!(
        claims.ocsp.len(),
        4,
        "the sample's device chain below the root"
    );
    for (source, need, expected) in cases {
        let expr = env.compile(source, Type::Bool).unwrap();
        assert_eq!(expr.needs().get("gpu"), Some(&need), "{source}");
        let mut pruned = Activation::new(&env);
        pruned.bind_serialize("gpu", &need, &**claims).unwrap();
        let mut whole = Activation::new(&env);
        whole.bind("gpu", &json).unwrap();
        assert_eq!(expr.evaluate_bool(&pruned).unwrap(), expected, "{source}");
        assert_eq!(expr.evaluate_bool(&whole).unwrap(), expected, "{source}");
    }
}

/// `now` is bound from seconds: a time past 9999-12-31T23:59:59Z (a forged clock; RFC
/// 3339 cannot write it) makes the appraisal fail rather than compare as a timestamp.
#[test]
fn an_appraisal_time_past_rfc_3339_fails() {
    let sample = common::snp();
    let policy = policy::Policy::from_yaml(
        "policy: clock\nversion: 1\ndescription: reads the time\ntoken:\n  ttl: 60\n\
         snp:\n  rules:\n    - id: after-2020\n      claim: hardware\n      \
         expr: now > timestamp(\"2020-01-01T00:00:00Z\")\n      \
         on_fail: UNSAFE_HARDWARE\n      message: the clock is wrong\n",
    )
    .unwrap();
    let input = |secs| {
        Input::from_verified(
            std::slice::from_ref(&sample.verified),
            None,
            verifier::time::from_secs(secs),
        )
        .unwrap()
    };
    assert!(appraise(&policy, &input(253_402_300_799)).is_ok());
    match appraise(&policy, &input(253_402_300_800)) {
        Err(AppraiseError::Bind { message, .. }) => {
            assert!(message.contains("past 9999-12-31T23:59:59Z"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
