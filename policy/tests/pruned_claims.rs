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
