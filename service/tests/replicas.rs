//! Real vectors through the service with collateral from the mock vendor services, and
//! two replicas sharing one real Redis: a nonce is accepted once across both, a
//! collateral key is fetched from the vendor once for both, and a Redis that goes away
//! fails nonces closed (and says so in /readyz) while the rest keeps serving.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::*;
use mockvendor::{Catalog, MockVendor};
use serde_json::json;
use testvectors::redis::RedisServer;

const SNP_VECTOR: &str = "milan-v3-oak-oc-release";
const SNP_AT: &str = "2025-01-16T21:21:54Z";

fn snp_report() -> Vec<u8> {
    std::fs::read(
        testvectors::real::snp_dir()
            .join(SNP_VECTOR)
            .join("report.bin"),
    )
    .unwrap()
}

fn replica(
    dir: &std::path::Path,
    name: &str,
    mock: &MockVendor,
    redis: Option<&str>,
) -> service::Config {
    let shared_key = dir.join("challenge.key");
    if !shared_key.exists() {
        std::fs::write(&shared_key, hex::encode([0x5a; 32])).unwrap();
    }
    service::Config {
        data_dir: dir.join(name),
        admin_token: Some(ADMIN.into()),
        amd_kds_url: Some(mock.base_url()),
        at: Some(SNP_AT.into()),
        redis_url: redis.map(str::to_owned),
        challenge_key: Some(shared_key),
        ..service::Config::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_snp_report_gets_a_token_with_collateral_from_the_vendor_once() {
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(replica(dir.path(), "a", &mock, None)).await;
    assert_eq!(
        put_policy(&service, "snp-open", &open_policy("snp.yaml"))
            .await
            .0,
        200
    );
    let body = attest_body(&snp_report(), None, Some("snp-open"));
    let (status, answer) = service.post("/v1/attest", &body).await;
    assert_eq!(status, 200, "{answer}");
    let asked = mock.request_count();
    assert!(asked >= 2, "{:?}", mock.requests());
    // Again, and concurrently: everything from memory.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (url, body) = (service.url("/v1/attest"), body.clone());
        tasks.push(tokio::spawn(async move {
            client()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    assert_eq!(
        mock.request_count(),
        asked,
        "{:?}",
        &mock.requests()[asked..]
    );
    let (_, metrics) = service.get("/metrics").await;
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("verdict_collateral_lookups_total{outcome=\"in_memory\"}"),
        "{metrics}"
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_nonces_and_collateral_through_redis() {
    let mut redis = RedisServer::start();
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let a = Service::start(replica(dir.path(), "a", &mock, Some(&redis.url))).await;
    let b = Service::start(replica(dir.path(), "b", &mock, Some(&redis.url))).await;
    for s in [&a, &b] {
        assert_eq!(
            put_policy(s, "snp-open", &open_policy("snp.yaml")).await.0,
            200
        );
        assert_eq!(s.get("/readyz").await.0, 200);
    }

    // Collateral: replica a fetches from the vendor; replica b, with an empty disk
    // cache, reads what a fetched from Redis and asks the vendor nothing.
    let body = attest_body(&snp_report(), None, Some("snp-open"));
    let (status, answer) = a.post("/v1/attest", &body).await;
    assert_eq!(status, 200, "{answer}");
    let asked = mock.request_count();
    assert!(asked >= 2, "{:?}", mock.requests());
    let (status, answer) = b.post("/v1/attest", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        mock.request_count(),
        asked,
        "{:?}",
        &mock.requests()[asked..]
    );
    let (_, metrics) = b.get("/metrics").await;
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("verdict_collateral_lookups_total{outcome=\"shared\"}"),
        "{metrics}"
    );

    // A nonce issued by a, used at a (the real report does not bind it, so no token),
    // is refused at b as replayed.
    let nonce = a.challenge().await;
    let with_nonce = attest_body(&snp_report(), Some(&nonce), None);
    let (status, answer) = a.post("/v1/attest", &with_nonce).await;
    assert_eq!(
        (status, answer["kind"].as_str()),
        (422, Some("challenge_not_answered")),
        "{answer}"
    );
    let (status, answer) = b.post("/v1/attest", &with_nonce).await;
    assert_eq!(
        (status, answer["kind"].as_str()),
        (422, Some("nonce_replayed")),
        "{answer}"
    );

    // Redis goes away: nonces fail closed, /readyz says why, the rest still serves.
    redis.stop();
    let nonce = b.challenge().await;
    let (status, answer) = b
        .post(
            "/v1/attest",
            &attest_body(&snp_report(), Some(&nonce), None),
        )
        .await;
    assert_eq!(
        (status, answer["kind"].as_str()),
        (503, Some("nonce_store_unavailable")),
        "{answer}"
    );
    let (status, answer) = b.get("/readyz").await;
    assert_eq!(status, 503, "{answer}");
    assert!(
        answer["detail"].as_str().unwrap().contains("redis"),
        "{answer}"
    );
    assert_eq!(b.get("/healthz").await.0, 200);
    let (status, answer) = b.post("/v1/attest", &body).await;
    assert_eq!(status, 200, "{answer}");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_tdx_quote_in_trustees_form_gets_a_token() {
    let case = "tdx-v4-phala-b0c06f-uptodate";
    let dir_case = testvectors::real::tdx_dir().join("cases").join(case);
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir_case.join("expected.json")).unwrap()).unwrap();
    let t = |k: &str| {
        verifier::time::secs(verifier::time::parse_rfc3339(expected[k].as_str().unwrap()).unwrap())
    };
    let at = verifier::time::rfc3339(verifier::time::from_secs(
        t("valid_from") + (t("valid_until") - t("valid_from")) / 2,
    ));
    let mock = MockVendor::start(Catalog::intel_case(case).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let config = service::Config {
        data_dir: dir.path().join("data"),
        admin_token: Some(ADMIN.into()),
        intel_pcs_url: Some(mock.base_url()),
        at: Some(at),
        ..service::Config::default()
    };
    let service = Service::start(config).await;
    assert_eq!(
        put_policy(&service, "tdx-open", &open_policy("tdx.yaml"))
            .await
            .0,
        200
    );
    let quote = std::fs::read(dir_case.join("quote.bin")).unwrap();
    // Trustee's TDX attester sends {"cc_eventlog": …, "quote": base64}, base64url'd.
    let evidence = json!({"cc_eventlog": null, "quote": b64(&quote)}).to_string();
    let request = json!({
        "verification_requests": [{"tee": "tdx", "evidence": b64url(evidence.as_bytes())}],
        "policy_ids": ["tdx-open"]
    });
    let r = client()
        .post(service.url("/attestation"))
        .json(&request)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let token = r.text().await.unwrap();
    assert_eq!(status, 200, "{token}");
    assert_eq!(token.split('.').count(), 3, "{token}");
    // The same quote through Verdict's own API.
    let (status, answer) = service
        .post("/v1/attest", &attest_body(&quote, None, Some("tdx-open")))
        .await;
    assert_eq!(status, 200, "{answer}");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trustees_snp_evidence_json_with_its_vcek_gets_a_token_offline() {
    let snp = testvectors::real::snp_dir();
    let dir = tempfile::tempdir().unwrap();
    let collateral = dir.path().join("collateral");
    std::fs::create_dir_all(&collateral).unwrap();
    std::fs::copy(
        snp.join("roots/genoa_ask_ark.pem"),
        collateral.join("ask_ark.pem"),
    )
    .unwrap();
    let config = service::Config {
        data_dir: dir.path().join("data"),
        admin_token: Some(ADMIN.into()),
        collateral: vec![collateral],
        offline: true,
        at: Some("2025-05-28T17:57:03Z".into()),
        ..service::Config::default()
    };
    let service = Service::start(config).await;
    assert_eq!(
        put_policy(&service, "snp-open", &open_policy("snp.yaml"))
            .await
            .0,
        200
    );
    // The attester's SnpEvidence JSON, verbatim from Trustee's tests: the VCEK rides in
    // its cert_chain, so only AMD's ASK and ARK come from the collateral.
    let evidence = std::fs::read(snp.join("genoa-siena-v3-trustee-e2e/evidence.json")).unwrap();
    let request = json!({
        "verification_requests": [{"tee": "snp", "evidence": b64url(&evidence)}],
        "policy_ids": ["snp-open"]
    });
    let r = client()
        .post(service.url("/attestation"))
        .json(&request)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let token = r.text().await.unwrap();
    assert_eq!(status, 200, "{token}");
    // A changed measurement: the rebuilt report's signature fails.
    let mut tampered: serde_json::Value = serde_json::from_slice(&evidence).unwrap();
    tampered["attestation_report"]["measurement"][0] = json!(0);
    let request = json!({
        "verification_requests": [{"tee": "snp", "evidence": b64url(tampered.to_string().as_bytes())}],
        "policy_ids": ["snp-open"]
    });
    let (status, answer) = service.post("/attestation", &request).await;
    assert_eq!(status, 422, "{answer}");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_put_at_one_replica_is_served_by_the_other() {
    let redis = RedisServer::start();
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let a = Service::start(replica(dir.path(), "a", &mock, Some(&redis.url))).await;
    let b = Service::start(replica(dir.path(), "b", &mock, Some(&redis.url))).await;
    let text = open_policy("snp.yaml");
    let (status, put) = put_policy(&a, "fleet", &text).await;
    assert_eq!((status, put["version"].as_u64()), (200, Some(1)), "{put}");
    let until = |service: &Service, want: u16| {
        let url = service.url("/v1/policies/fleet");
        async move {
            let started = std::time::Instant::now();
            loop {
                let status = client().get(&url).send().await.unwrap().status().as_u16();
                if status == want {
                    return started.elapsed();
                }
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(10),
                    "still {status}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    };
    until(&b, 200).await;
    let (_, list) = b.get("/v1/policies").await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == "fleet" && p["version"] == 1),
        "{list}"
    );
    // A second version at b, then a deletion at b: a follows both.
    let (status, put) = put_policy(&b, "fleet", &text.replace("version: 1", "version: 2")).await;
    assert_eq!((status, put["version"].as_u64()), (200, Some(2)), "{put}");
    let r = client()
        .delete(b.url("/v1/policies/fleet"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    until(&a, 404).await;
    a.stop().await;
    b.stop().await;
}

/// The keys of `redis` matching `pattern` (redis-cli comes with redis-server).
fn redis_keys(url: &str, pattern: &str) -> Vec<String> {
    let port = url.rsplit(':').next().unwrap().split('/').next().unwrap();
    let out = std::process::Command::new("redis-cli")
        .args(["-p", port, "--scan", "--pattern", pattern])
        .output()
        .expect("redis-cli runs");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_collateral_entry_that_is_not_what_was_asked_is_not_used() {
    let redis = RedisServer::start();
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let a = Service::start(replica(dir.path(), "a", &mock, Some(&redis.url))).await;
    let body = attest_body(&snp_report(), None, Some("snp-open"));
    assert_eq!(
        put_policy(&a, "snp-open", &open_policy("snp.yaml")).await.0,
        200
    );
    assert_eq!(a.post("/v1/attest", &body).await.0, 200);
    // Someone with access to Redis replaces what a published: well-formed entries whose
    // bytes are not the collateral their keys name.
    let shared = service::redis::Redis::connect(&redis.url).await.unwrap();
    let keys = redis_keys(&redis.url, "verdict:collateral:*");
    assert!(!keys.is_empty());
    for key in &keys {
        let entry = shared.get(key).await.unwrap().unwrap();
        let url_len = usize::from(u16::from_be_bytes([entry[8], entry[9]]));
        let mut forged = entry[..10 + url_len].to_vec();
        forged.extend_from_slice(
            b"-----BEGIN CERTIFICATE-----\nnot this\n-----END CERTIFICATE-----\n",
        );
        shared.set_ex(key, &forged, 600).await.unwrap();
    }
    // Replica b, its disk cache empty, does not take them: it asks the vendor and verifies.
    let b = Service::start(replica(dir.path(), "b", &mock, Some(&redis.url))).await;
    // (b takes snp-open from a through Redis within a poll or two.)
    let started = std::time::Instant::now();
    while b.get("/v1/policies/snp-open").await.0 != 200 {
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let asked = mock.request_count();
    let (status, answer) = b.post("/v1/attest", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        mock.request_count() > asked,
        "b must have gone to the vendor"
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_written_into_redis_without_the_fleets_key_is_not_installed() {
    let redis = RedisServer::start();
    let mock = MockVendor::start(Catalog::amd_kds().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let a = Service::start(replica(dir.path(), "a", &mock, Some(&redis.url))).await;
    let text = open_policy("snp.yaml");
    assert_eq!(put_policy(&a, "fleet", &text).await.0, 200);
    // A newer version written straight into Redis, with a MAC made without the key.
    let shared = service::redis::Redis::connect(&redis.url).await.unwrap();
    let forged = json!({"version": 99, "text": text.replace("version: 1", "version: 99"), "mac": "00".repeat(32)});
    shared
        .hset("verdict:policies", "fleet", forged.to_string().as_bytes())
        .await
        .unwrap();
    shared.incr("verdict:policies:generation").await.unwrap();
    tokio::time::sleep(service::policy_sync::POLL * 3).await;
    let (_, list) = a.get("/v1/policies").await;
    let fleet = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "fleet")
        .unwrap()
        .clone();
    assert_eq!(fleet["version"], 1, "{fleet}");
    // A replica started now does not take it either.
    let b = Service::start(replica(dir.path(), "b", &mock, Some(&redis.url))).await;
    tokio::time::sleep(service::policy_sync::POLL * 3).await;
    assert_eq!(b.get("/v1/policies/fleet").await.0, 404);
    a.stop().await;
    b.stop().await;
}
