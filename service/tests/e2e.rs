//! The service over real HTTP on 127.0.0.1: the flows a workload and a relying party
//! take, and every bad input getting its status and problem document while the
//! service keeps serving.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::*;
use policy::token::{verify_token, JwkSet, VerifyOptions};
use serde_json::{json, Value};

fn at(text: &str) -> verifier::time::UnixTime {
    verifier::time::parse_rfc3339(text).unwrap()
}

async fn jwks(service: &Service) -> JwkSet {
    let (status, body) = service.get("/.well-known/jwks.json").await;
    assert_eq!(status, 200);
    JwkSet::from_json(body.to_string().as_bytes()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn challenge_attest_and_verify_the_token_with_the_jwks() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(fake_snp_config(dir.path())).await;
    let nonce = service.challenge().await;
    let report = fake_snp_report(&unb64url(&nonce));
    let (status, body) = service
        .post("/v1/attest", &attest_body(&report, Some(&nonce), None))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["format"], "jwt");
    assert!(body["policy_id"]
        .as_str()
        .unwrap()
        .starts_with("policy:verdict-snp@"));
    let token = body["token"].as_str().unwrap();
    let mut options = VerifyOptions::new(at(FAKE_AT));
    options.expected_nonce = Some(unb64url(&nonce));
    options.expected_issuer = Some(service.state.issuer.clone());
    let verified = verify_token(token.as_bytes(), &jwks(&service).await, &options).unwrap();
    assert_eq!(verified.claims["ear_status"], body["status"]);

    // The same nonce again: refused, and the service still answers.
    let (status, body) = service
        .post("/v1/attest", &attest_body(&report, Some(&nonce), None))
        .await;
    assert_eq!(
        (status, body["kind"].as_str()),
        (422, Some("nonce_replayed")),
        "{body}"
    );

    // A CWT for a fresh nonce.
    let nonce = service.challenge().await;
    let report = fake_snp_report(&unb64url(&nonce));
    let mut request = attest_body(&report, Some(&nonce), None);
    request["format"] = json!("cwt");
    let (status, body) = service.post("/v1/attest", &request).await;
    assert_eq!(status, 200, "{body}");
    let cwt = unb64url(body["token"].as_str().unwrap());
    let mut options = VerifyOptions::new(at(FAKE_AT));
    options.expected_nonce = Some(unb64url(&nonce));
    verify_token(&cwt, &jwks(&service).await, &options).unwrap();

    let (status, metrics) = service.get("/metrics").await;
    assert_eq!(status, 200);
    let metrics = metrics.as_str().unwrap().to_owned();
    assert!(
        metrics.contains("verdict_attestations_total{status=\"nonce_replayed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("verdict_http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonces_that_are_not_ours_or_not_bound_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(fake_snp_config(dir.path())).await;
    // Evidence for another nonce.
    let asked = service.challenge().await;
    let other = service.challenge().await;
    let report = fake_snp_report(&unb64url(&other));
    let (status, body) = service
        .post("/v1/attest", &attest_body(&report, Some(&asked), None))
        .await;
    assert_eq!(
        (status, body["kind"].as_str()),
        (422, Some("challenge_not_answered")),
        "{body}"
    );
    // A nonce we never issued (its MAC does not verify).
    let mut forged = unb64url(&other);
    forged[0] ^= 1;
    let report = fake_snp_report(&forged);
    let (status, body) = service
        .post(
            "/v1/attest",
            &attest_body(&report, Some(&b64url(&forged)), None),
        )
        .await;
    assert_eq!(
        (status, body["kind"].as_str()),
        (422, Some("nonce_unknown")),
        "{body}"
    );
    // No nonce under a policy that requires one.
    let (status, body) = service
        .post("/v1/attest", &attest_body(&report, None, None))
        .await;
    assert_eq!(
        (status, body["kind"].as_str()),
        (400, Some("nonce_required")),
        "{body}"
    );
    // Under one that does not: a token without eat_nonce.
    assert_eq!(
        put_policy(&service, "snp-open", &open_policy("snp.yaml"))
            .await
            .0,
        200
    );
    let (status, body) = service
        .post("/v1/attest", &attest_body(&report, None, Some("snp-open")))
        .await;
    assert_eq!(status, 200, "{body}");
    let verified = verify_token(
        body["token"].as_str().unwrap().as_bytes(),
        &jwks(&service).await,
        &VerifyOptions::new(at(FAKE_AT)),
    )
    .unwrap();
    assert!(
        verified.claims.get("eat_nonce").is_none(),
        "{}",
        verified.claims
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_nonce_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = service::Config {
        challenge_ttl_seconds: 1,
        ..fake_snp_config(dir.path())
    };
    let service = Service::start(config).await;
    let nonce = service.challenge().await;
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let report = fake_snp_report(&unb64url(&nonce));
    let (status, body) = service
        .post("/v1/attest", &attest_body(&report, Some(&nonce), None))
        .await;
    assert_eq!(
        (status, body["kind"].as_str()),
        (422, Some("nonce_expired")),
        "{body}"
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_their_status_and_the_service_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let config = service::Config {
        max_body_bytes: 64 * 1024,
        ..fake_snp_config(dir.path())
    };
    let service = Service::start(config).await;
    let c = client();
    let raw = |body: &'static str| {
        c.post(service.url("/v1/attest"))
            .header("content-type", "application/json")
            .body(body)
    };
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (raw("{not json"), 400, "malformed_request"),
        (
            raw(r#"{"evidence": [], "evidence": []}"#),
            400,
            "malformed_request",
        ),
        (
            raw(r#"{"evidence": [{"evidence": "AAAA"}], "extra": 1}"#),
            400,
            "malformed_request",
        ),
        (raw(r#"{"evidence": []}"#), 400, "malformed_request"),
        (
            raw(r#"{"evidence": [{"evidence": "!!"}]}"#),
            400,
            "malformed_request",
        ),
        (
            raw(r#"{"evidence": [{"tee": "sev", "evidence": "AAAA"}]}"#),
            400,
            "unknown_tee",
        ),
        (c.get(service.url("/v1/attest")), 405, "method_not_allowed"),
        (c.get(service.url("/nothing")), 404, "not_found"),
    ];
    for (request, status, kind) in cases {
        let (s, body) = answer(request.send().await.unwrap()).await;
        assert_eq!((s, body["kind"].as_str()), (status, Some(kind)), "{body}");
    }
    // A body over the limit (64 KiB here): refused from its declared length before it
    // is read, or cut off while read when no length is declared. Raw TCP: a client
    // still writing a body may see the close before the answer.
    let addr = service.base.trim_start_matches("http://").to_owned();
    let exchange = |head: &'static str, body: Vec<u8>| {
        let addr = addr.clone();
        tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.write_all(head.as_bytes()).unwrap();
            let _ = s.write_all(&body);
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut answer = Vec::new();
            let _ = s.read_to_end(&mut answer);
            String::from_utf8_lossy(&answer).into_owned()
        })
    };
    let declared = exchange(
        "POST /v1/attest HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 102400\r\n\r\n",
        Vec::new(),
    );
    let mut chunked = Vec::new();
    for _ in 0..80 {
        chunked.extend_from_slice(b"400\r\n");
        chunked.extend_from_slice(&[b' '; 1024]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let streamed = exchange(
        "POST /v1/attest HTTP/1.1\r\nhost: x\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n",
        chunked,
    );
    for answer in [declared.await.unwrap(), streamed.await.unwrap()] {
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("body_too_large"), "{answer}");
    }
    // More devices than a request may carry.
    let many: Vec<Value> = (0..18).map(|_| json!({"evidence": "AAAA"})).collect();
    let (status, body) = service.post("/v1/attest", &json!({"evidence": many})).await;
    assert_eq!(
        (status, body["kind"].as_str()),
        (400, Some("too_many_devices")),
        "{body}"
    );
    // Unknown evidence: bytes that are no kind of evidence.
    let (status, body) = service
        .post("/v1/attest", &attest_body(&[0x42; 700], None, None))
        .await;
    assert_eq!(status, 400, "{body}");
    // An unknown policy.
    let report = fake_snp_report(&[1; 32]);
    let (status, body) = service
        .post(
            "/v1/attest",
            &attest_body(&report, None, Some("no-such-policy")),
        )
        .await;
    assert_eq!(
        (status, body["kind"].as_str()),
        (404, Some("unknown_policy")),
        "{body}"
    );
    // A report whose signature no longer verifies: the library's kind.
    let mut tampered = fake_snp_report(&[1; 32]);
    tampered[0x90] ^= 1;
    assert_eq!(
        put_policy(&service, "snp-open", &open_policy("snp.yaml"))
            .await
            .0,
        200
    );
    let (status, body) = service
        .post(
            "/v1/attest",
            &attest_body(&tampered, None, Some("snp-open")),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["kind"].as_str().unwrap().contains("signature"),
        "{body}"
    );
    // Still serving.
    assert_eq!(service.get("/healthz").await.0, 200);
    assert_eq!(service.get("/readyz").await.0, 200);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_routes_need_the_token_and_policies_need_passing_tests() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(fake_snp_config(dir.path())).await;
    let c = client();
    let text = open_policy("snp.yaml");
    let put = |token: Option<&str>| {
        let r = c.put(service.url("/v1/policies/mine")).body(text.clone());
        match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    };
    let (s, body) = answer(put(None).send().await.unwrap()).await;
    assert_eq!(
        (s, body["kind"].as_str()),
        (401, Some("admin_token_missing"))
    );
    let (s, body) = answer(put(Some("not-the-admin-token")).send().await.unwrap()).await;
    assert_eq!((s, body["kind"].as_str()), (403, Some("admin_token_wrong")));
    let failing = text.replacen("status: warning", "status: affirming", 1);
    let (s, body) = put_policy(&service, "mine", &failing).await;
    assert_eq!(
        (s, body["kind"].as_str()),
        (422, Some("policy_tests_failed")),
        "{body}"
    );
    let (s, body) = put_policy(&service, "mine", "policy: [").await;
    assert_eq!(
        (s, body["kind"].as_str()),
        (422, Some("policy_invalid")),
        "{body}"
    );
    let (s, body) = put_policy(&service, "mine", &text).await;
    assert_eq!((s, body["version"].as_u64()), (200, Some(1)), "{body}");
    let (s, body) = put_policy(&service, "mine", &text).await;
    assert_eq!((s, body["version"].as_u64()), (200, Some(2)), "{body}");
    let (s, got) = service.get("/v1/policies/mine").await;
    assert_eq!((s, got.as_str()), (200, Some(text.as_str())));
    let (s, list) = service.get("/v1/policies").await;
    assert_eq!(s, 200);
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == "mine" && p["version"] == 2));
    let delete = |token: &str| {
        c.delete(service.url("/v1/policies/mine"))
            .bearer_auth(token.to_owned())
    };
    assert_eq!(
        delete("wrong-token-wrong-token")
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(delete(ADMIN).send().await.unwrap().status(), 204);
    assert_eq!(service.get("/v1/policies/mine").await.0, 404);
    assert_eq!(delete(ADMIN).send().await.unwrap().status(), 404);

    // Key rotation: the old key stays in the JWKS.
    let before = jwks(&service).await;
    let r = c
        .post(service.url("/v1/keys/rotate"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let after = jwks(&service).await;
    assert_eq!(after.keys.len(), 2);
    assert!(after.keys.contains(&before.keys[0]));
    assert_ne!(after.keys[0], before.keys[0]);
    service.stop().await;

    // Without an admin token configured, the admin routes are off.
    let dir = tempfile::tempdir().unwrap();
    let config = service::Config {
        admin_token: None,
        ..fake_snp_config(dir.path())
    };
    let service = Service::start(config).await;
    let (s, body) = put_policy(&service, "mine", &text).await;
    assert_eq!((s, body["kind"].as_str()), (403, Some("admin_disabled")));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_body_times_out_while_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let config = service::Config {
        request_timeout_seconds: 2,
        ..fake_snp_config(dir.path())
    };
    let service = Service::start(config).await;
    let addr = service.base.trim_start_matches("http://").to_owned();
    let slow = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"POST /v1/attest HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"evi")
            .unwrap();
        let started = Instant::now();
        let mut answer = Vec::new();
        let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
        let mut buf = [0u8; 4096];
        while let Ok(n) = s.read(&mut buf) {
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
            if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
                break;
            }
        }
        (
            started.elapsed(),
            String::from_utf8_lossy(&answer).into_owned(),
        )
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(service.get("/healthz").await.0, 200);
    let (elapsed, answer) = tokio::task::spawn_blocking(move || slow.join().unwrap())
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trustee_requests_bind_runtime_data_as_trustee_does() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(fake_snp_config(dir.path())).await;
    // Written as Trustee's documentation gives the JSON, not from our types.
    let runtime_data = json!({
        "tee-pubkey": {"kty": "EC", "crv": "P-256", "alg": "ES256", "x": "abc", "y": "def"},
        "nonce": "MTIzNDU2Nzg5MA"
    });
    // Keys sorted at every level, compact, SHA-384, zero-padded to REPORT_DATA.
    let canonical = r#"{"nonce":"MTIzNDU2Nzg5MA","tee-pubkey":{"alg":"ES256","crv":"P-256","kty":"EC","x":"abc","y":"def"}}"#;
    let digest = <sha2::Sha384 as sha2::Digest>::digest(canonical.as_bytes());
    let report = fake_snp_report(&digest);
    let request = |runtime_data: Value| {
        json!({
            "verification_requests": [{
                "tee": "snp",
                "evidence": b64url(&report),
                "runtime_data": {"structured": runtime_data},
                "runtime_data_hash_algorithm": "sha384"
            }],
            "policy_ids": ["default"]
        })
    };
    let r = client()
        .post(service.url("/attestation"))
        .json(&request(runtime_data.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let token = r.text().await.unwrap();
    let mut options = VerifyOptions::new(at(FAKE_AT));
    options.expected_nonce = Some(digest.to_vec());
    verify_token(token.as_bytes(), &jwks(&service).await, &options).unwrap();

    // REPORT_DATA that begins with the digest but goes on: Trustee compares all 64
    // bytes (the digest zero-padded), so this is refused, not taken as a prefix match.
    let mut tailed = digest.to_vec();
    tailed.extend_from_slice(&[0xEE; 16]);
    let tailed_report = fake_snp_report(&tailed);
    let mut tailed_request = request(runtime_data.clone());
    tailed_request["verification_requests"][0]["evidence"] = json!(b64url(&tailed_report));
    let (status, body) = service.post("/attestation", &tailed_request).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["kind"].as_str().unwrap().contains("report_data"),
        "{body}"
    );
    // Other runtime data: the evidence does not bind it.
    let mut changed = runtime_data.clone();
    changed["nonce"] = json!("b3RoZXI");
    let (status, body) = service.post("/attestation", &request(changed)).await;
    assert_eq!(status, 422, "{body}");
    // Raw runtime data under another hash.
    let raw = b"raw runtime data";
    let digest = <sha2::Sha512 as sha2::Digest>::digest(raw);
    let report = fake_snp_report(&digest);
    let body = json!({
        "verification_requests": [{
            "tee": "snp", "evidence": b64url(&report),
            "runtime_data": {"raw": b64url(raw)}, "runtime_data_hash_algorithm": "sha512"
        }]
    });
    let (status, answer) = service.post("/attestation", &body).await;
    assert_eq!(status, 200, "{answer}");
    // Without runtime data the default policy wants freshness: refused.
    let body = json!({"verification_requests": [{"tee": "snp", "evidence": b64url(&report)}]});
    let (status, answer) = service.post("/attestation", &body).await;
    assert_eq!(
        (status, answer["kind"].as_str()),
        (400, Some("nonce_required")),
        "{answer}"
    );
    // Init data is refused, not ignored; so is a TEE Verdict does not verify.
    let body = json!({"verification_requests": [{"tee": "snp", "evidence": b64url(&report), "init_data": {"raw": "AA"}}]});
    assert_eq!(
        service.post("/attestation", &body).await.1["kind"],
        "init_data_unsupported"
    );
    let body = json!({"verification_requests": [{"tee": "cca", "evidence": b64url(&report)}]});
    let (status, answer) = service.post("/attestation", &body).await;
    assert_eq!(
        (status, answer["kind"].as_str()),
        (400, Some("unknown_tee"))
    );
    // Trustee's challenge route.
    let r = client()
        .post(service.url("/challenge"))
        .json(&json!({"tee": "snp", "tee_params": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            r.text().await.unwrap()
        )
        .unwrap()
        .len(),
        32
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_committed_openapi_document_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let current = service::openapi::document();
    if std::env::var_os("VERDICT_BLESS").is_some() {
        std::fs::write(&path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "service/openapi.json is not what the code generates: run \
         VERDICT_BLESS=1 cargo test -p verdict-service --test e2e the_committed_openapi"
    );
    // And it is what the service serves.
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(fake_snp_config(dir.path())).await;
    let (status, served) = service.get("/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(served, serde_json::from_str::<Value>(&current).unwrap());
    assert!(served["paths"]["/attestation"]["post"].is_object());
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_serves_https_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    // A self-signed P-256 end-entity certificate for 127.0.0.1, made by openssl (CI
    // has it); the client trusts exactly it.
    let openssl_config = dir.path().join("openssl.cnf");
    std::fs::write(
        &openssl_config,
        "[req]\ndistinguished_name = dn\nx509_extensions = ext\nprompt = no\n\
         [dn]\nCN = verdict-test\n\
         [ext]\nbasicConstraints = critical,CA:FALSE\nsubjectAltName = IP:127.0.0.1\n\
         extendedKeyUsage = serverAuth\n",
    )
    .unwrap();
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "1", "-config"])
        .arg(&openssl_config)
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let config = service::Config {
        tls_cert: Some(cert.clone()),
        tls_key: Some(key),
        ..fake_snp_config(dir.path())
    };
    let service = Service::start(config).await;
    let https = service.base.replace("http://", "https://");
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap()])
        .build()
        .unwrap();
    let r = client.get(format!("{https}/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // Plain HTTP to the TLS port gets no answer.
    assert!(client.get(service.url("/healthz")).send().await.is_err());
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_request_in_flight_and_takes_no_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(fake_snp_config(dir.path())).await;
    let addr = service.base.trim_start_matches("http://").to_owned();
    let body = attest_body(&fake_snp_report(&[1; 32]), None, Some("snp")).to_string();
    // A request whose body is half sent when shutdown begins.
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    let head = format!(
        "POST /v1/attest HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body.as_bytes()[..body.len() / 2]).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let server = service.begin_stop();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // New connections are refused once the listener is gone.
    assert!(std::net::TcpStream::connect(&addr).is_err());
    // The request in flight completes and is answered.
    let rest = body.as_bytes()[body.len() / 2..].to_vec();
    let answer = tokio::task::spawn_blocking(move || {
        s.write_all(&rest).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap();
    // (No nonce under the default policy: the answer is a problem, but an answer.)
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("nonce_required"), "{answer}");
    server.await.unwrap().unwrap();
}
