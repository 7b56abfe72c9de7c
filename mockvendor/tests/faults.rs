//! Fault injection, the request log and the server's lifetime, observed by real clients:
//! reqwest (as the fetcher uses it) and raw TCP where the wire itself must be checked.

mod common;

use std::io::ErrorKind;
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use common::{client, client_with_timeout, get, head_value, raw_get, split_response};
use mockvendor::{Catalog, Fault, Match, MockVendor, Seen};

/// 100 KiB of recognisable bytes.
fn big_body() -> Vec<u8> {
    (0..100 * 1024u32).map(|i| (i % 251) as u8).collect()
}

fn catalog() -> Catalog {
    let mut catalog = Catalog::new();
    catalog
        .route(
            "/vcek/v1/Milan/cert_chain",
            &[],
            b"-----BEGIN CERTIFICATE-----\n".to_vec(),
            &[("Content-Type", "application/x-pem-file")],
        )
        .route(
            "/big",
            &[],
            big_body(),
            &[("Content-Type", "application/octet-stream")],
        )
        .route(
            "/tdx/certification/v4/tcb",
            &[("fmspc", "b0c06f000000")],
            b"{\"tcbInfo\":{}}".to_vec(),
            &[
                ("Content-Type", "application/json"),
                ("TCB-Info-Issuer-Chain", "abc%0A"),
            ],
        );
    catalog
}

const CHAIN: &str = "/vcek/v1/Milan/cert_chain";

#[test]
fn delay_times_out_a_short_client_then_expires() {
    let mock = MockVendor::start(catalog());
    mock.inject(Fault::Delay(Duration::from_secs(3)), CHAIN, 1);
    let start = Instant::now();
    let err = client_with_timeout(Duration::from_millis(300))
        .get(mock.url(CHAIN))
        .send()
        .expect_err("the client times out");
    assert!(err.is_timeout(), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(3));
    // Used up: the next request is answered at once.
    let start = Instant::now();
    assert_eq!(get(&mock.url(CHAIN)).status, 200);
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn delay_answers_a_patient_client_after_the_delay() {
    let mock = MockVendor::start(catalog());
    mock.inject(Fault::Delay(Duration::from_millis(400)), Match::Any, 1);
    let start = Instant::now();
    let got = get(&mock.url(CHAIN));
    assert!(start.elapsed() >= Duration::from_millis(400));
    assert_eq!((got.status, got.body.len()), (200, 28));
}

#[test]
fn a_delayed_request_does_not_hold_up_others() {
    let mock = MockVendor::start(catalog());
    mock.inject(Fault::Delay(Duration::from_secs(2)), "/big", 1);
    let url = mock.url("/big");
    let slow = std::thread::spawn(move || get(&url).status);
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    assert_eq!(get(&mock.url(CHAIN)).status, 200);
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(slow.join().expect("thread"), 200);
}

#[test]
fn status_faults_count_down() {
    let mock = MockVendor::start(catalog());
    mock.inject(Fault::Status(503), CHAIN, 2);
    assert_eq!(mock.pending_faults(), 2);
    assert_eq!(get(&mock.url(CHAIN)).status, 503);
    // Another path is not hit.
    assert_eq!(get(&mock.url("/big")).status, 200);
    assert_eq!(get(&mock.url(CHAIN)).status, 503);
    assert_eq!(mock.pending_faults(), 0);
    let got = get(&mock.url(CHAIN));
    assert_eq!((got.status, got.body.len()), (200, 28));
    for code in [500, 404, 410] {
        mock.inject(Fault::Status(code), Match::Exact(CHAIN.into()), 1);
        let got = get(&mock.url(CHAIN));
        assert_eq!((got.status, got.body.len()), (code, 0));
    }
}

#[test]
fn too_many_requests_carries_retry_after() {
    let mock = MockVendor::start(catalog());
    mock.inject(Fault::TooManyRequests { retry_after: 10 }, "/vcek/", 1);
    let got = get(&mock.url(CHAIN));
    assert_eq!(got.status, 429);
    assert_eq!(got.header("retry-after"), Some("10"));
    assert_eq!(get(&mock.url(CHAIN)).status, 200);
}

#[test]
fn truncate_sends_the_full_length_and_fewer_bytes() {
    let mock = MockVendor::start(catalog());
    mock.inject(Fault::Truncate(1000), "/big", 2);

    // On the wire: Content-Length of the whole body, 1000 bytes, then the server closes.
    let raw = raw_get(mock.addr(), "/big").expect("a closed connection, not a reset");
    let (head, body) = split_response(&raw);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(head_value(&head, "content-length"), Some("102400"));
    assert_eq!(body, big_body()[..1000]);

    // A client reading the body gets an error.
    let response = client()
        .get(mock.url("/big"))
        .send()
        .expect("headers arrive");
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(102_400));
    assert!(response.bytes().is_err(), "a truncated body is an error");

    // Spent: whole again.
    assert_eq!(get(&mock.url("/big")).body, big_body());
}

#[test]
fn replace_body_serves_wrong_content_with_200() {
    let mock = MockVendor::start(catalog());
    mock.inject(
        Fault::ReplaceBody(b"{\"not\":\"tcb info\"}".to_vec()),
        "/tdx/",
        1,
    );
    let target = "/tdx/certification/v4/tcb?fmspc=b0c06f000000";
    let got = get(&mock.url(target));
    assert_eq!(got.status, 200);
    assert_eq!(got.body, b"{\"not\":\"tcb info\"}");
    // The route's headers stay, as a service serving wrong content would send them.
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.header("tcb-info-issuer-chain"), Some("abc%0A"));
    assert_eq!(get(&mock.url(target)).body, b"{\"tcbInfo\":{}}");
}

#[test]
fn reset_aborts_the_connection_without_a_response() {
    let mock = MockVendor::start(catalog());
    mock.inject(Fault::Reset, CHAIN, 2);

    // On the wire: nothing comes back, and the connection is reset (zero linger).
    match raw_get(mock.addr(), CHAIN) {
        Err((e, got)) => {
            assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e}");
            assert!(got.is_empty(), "no response bytes before the reset");
        }
        Ok(got) => panic!("the connection closed cleanly after {} bytes", got.len()),
    }

    // The client gets an error, not a response.
    let err = client()
        .get(mock.url(CHAIN))
        .send()
        .expect_err("a reset is an error");
    assert!(!err.is_timeout(), "{err:?}");

    // Spent; the request was read and logged each time.
    assert_eq!(get(&mock.url(CHAIN)).status, 200);
    let seen = mock.requests();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].fault, Some(Fault::Reset));
    assert_eq!(seen[1].fault, Some(Fault::Reset));
    assert_eq!(seen[2].fault, None);
}

#[test]
fn oversize_streams_garbage_of_that_length() {
    let mock = MockVendor::start(catalog());
    let n = 3 * 1024 * 1024 + 17;
    mock.inject(Fault::Oversize(n), CHAIN, 1);
    let response = client().get(mock.url(CHAIN)).send().expect("response");
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(n as u64));
    let body = response.bytes().expect("the whole body");
    assert_eq!(body.len(), n);
    assert!(!body.starts_with(b"-----BEGIN"));
    assert_eq!(get(&mock.url(CHAIN)).body.len(), 28);
}

#[test]
fn oversize_is_what_a_bounded_client_refuses() {
    // A client with a size bound stops reading once the bound is passed, and the server
    // copes with the connection going away mid-body.
    let mock = MockVendor::start(catalog());
    mock.inject(Fault::Oversize(64 * 1024 * 1024), CHAIN, 1);
    let mut response = client().get(mock.url(CHAIN)).send().expect("response");
    let bound = 1024 * 1024;
    let mut read = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    while read <= bound {
        let n = std::io::Read::read(&mut response, &mut buf).expect("read");
        assert!(n > 0, "ended before the bound");
        read += n;
    }
    drop(response);
    // The server is still healthy.
    assert_eq!(get(&mock.url(CHAIN)).status, 200);
}

#[test]
fn faults_match_by_path_and_are_used_oldest_first() {
    let mock = MockVendor::start(catalog());
    mock.inject(Fault::Status(500), "/nowhere", 1);
    mock.inject(Fault::Status(502), Match::Any, 1);
    mock.inject(Fault::Status(503), Match::Exact("/big".into()), 1);
    assert_eq!(get(&mock.url(CHAIN)).status, 502, "Any, the oldest match");
    assert_eq!(get(&mock.url("/big")).status, 503);
    assert_eq!(get(&mock.url("/big")).status, 200);
    assert_eq!(mock.pending_faults(), 1, "the /nowhere fault waits");
    mock.clear_faults();
    assert_eq!(mock.pending_faults(), 0);
    mock.inject(Fault::Status(500), Match::Any, 0);
    assert_eq!(
        get(&mock.url(CHAIN)).status,
        200,
        "times = 0 injects nothing"
    );
}

#[test]
fn the_request_log_is_complete_and_ordered() {
    let mock = MockVendor::start(catalog());
    assert_eq!(mock.request_count(), 0);
    get(&mock.url("/tdx/certification/v4/tcb?fmspc=b0c06f000000"));
    get(&mock.url("/missing?a=1&b=2"));
    client()
        .post(mock.url("/"))
        .header("Content-Type", "application/ocsp-request")
        .body(vec![0u8; 77])
        .send()
        .expect("POST");
    client().put(mock.url(CHAIN)).send().expect("PUT");
    let seen = mock.requests();
    let summary: Vec<(&str, &str, &str, usize)> = seen
        .iter()
        .map(|s: &Seen| {
            (
                s.method.as_str(),
                s.path.as_str(),
                s.query.as_str(),
                s.body_len,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("GET", "/tdx/certification/v4/tcb", "fmspc=b0c06f000000", 0),
            ("GET", "/missing", "a=1&b=2", 0),
            ("POST", "/", "", 77),
            ("PUT", CHAIN, "", 0),
        ]
    );
    assert_eq!(mock.request_count(), 4);
    mock.clear_requests();
    assert_eq!(mock.request_count(), 0);
    // "A second run makes no request": nothing is logged without a request.
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(mock.request_count(), 0);
}

#[test]
fn other_methods_are_refused() {
    let mock = MockVendor::start(catalog());
    let response = client().put(mock.url(CHAIN)).send().expect("PUT");
    assert_eq!(response.status(), 405);
    let response = client().head(mock.url(CHAIN)).send().expect("HEAD");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-length")
            .map(|v| v.as_bytes()),
        Some(&b"28"[..])
    );
}

#[test]
fn keep_alive_connections_are_reused() {
    let mock = MockVendor::start(catalog());
    let client = client();
    for _ in 0..5 {
        let response = client.get(mock.url(CHAIN)).send().expect("GET");
        assert_eq!(response.bytes().expect("body").len(), 28);
    }
    assert_eq!(mock.request_count(), 5);
}

#[test]
fn the_catalog_can_be_replaced_while_serving() {
    let mock = MockVendor::start(catalog());
    let mut next = Catalog::new();
    next.route(CHAIN, &[], b"re-issued".to_vec(), &[]);
    mock.replace_catalog(next);
    assert_eq!(get(&mock.url(CHAIN)).body, b"re-issued");
    assert_eq!(get(&mock.url("/big")).status, 404);
}

#[test]
fn drop_frees_the_port() {
    let mock = MockVendor::start(catalog());
    let addr = mock.addr();
    assert_eq!(mock.base_url(), format!("http://127.0.0.1:{}", addr.port()));
    // An idle keep-alive connection and a request held by a long delay must not keep the
    // server alive.
    let idle = client();
    assert_eq!(idle.get(mock.url(CHAIN)).send().expect("GET").status(), 200);
    mock.inject(Fault::Delay(Duration::from_secs(60)), "/big", 1);
    let url = mock.url("/big");
    let held = std::thread::spawn(move || client().get(url).send().is_err());
    std::thread::sleep(Duration::from_millis(200));

    let start = Instant::now();
    drop(mock);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "drop did not wait for the delay"
    );
    assert!(held.join().expect("thread"), "the held request fails");
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err(),
        "nothing listens any more"
    );
    TcpListener::bind(addr).expect("the port is free again");
}

#[test]
fn two_mocks_run_side_by_side() {
    let a = MockVendor::start(catalog());
    let b = MockVendor::start(Catalog::new());
    assert_ne!(a.addr(), b.addr());
    assert_eq!(get(&a.url(CHAIN)).status, 200);
    assert_eq!(get(&b.url(CHAIN)).status, 404);
    assert_eq!((a.request_count(), b.request_count()), (1, 1));
}
