//! Helpers shared by the test binaries: a plain blocking HTTP client and a raw TCP one.
//! (Each binary uses a subset.)
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

/// A blocking client like the fetcher's (reqwest over rustls), never through a proxy.
pub(crate) fn client() -> reqwest::blocking::Client {
    client_with_timeout(Duration::from_secs(20))
}

pub(crate) fn client_with_timeout(timeout: Duration) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .build()
        .expect("client")
}

/// A response read whole: status, headers, body.
pub(crate) struct Got {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Got {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header"))
    }
}

pub(crate) fn get(url: &str) -> Got {
    let response = client().get(url).send().expect("GET");
    read(response)
}

pub(crate) fn read(response: reqwest::blocking::Response) -> Got {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().expect("body").to_vec();
    Got {
        status,
        headers,
        body,
    }
}

pub(crate) fn post_ocsp(url: &str, request: Vec<u8>) -> Got {
    let response = client()
        .post(url)
        .header("Content-Type", "application/ocsp-request")
        .body(request)
        .send()
        .expect("POST");
    read(response)
}

/// Sends a raw HTTP/1.1 request and reads until the server closes the connection.
/// Returns the bytes received, or the read error and the bytes received before it.
pub(crate) fn raw_exchange(
    addr: SocketAddr,
    request: &str,
) -> Result<Vec<u8>, (std::io::Error, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(request.as_bytes()).expect("write");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => return Err((e, got)),
        }
    }
}

/// `GET target` with `Connection: close`, as raw bytes.
pub(crate) fn raw_get(
    addr: SocketAddr,
    target: &str,
) -> Result<Vec<u8>, (std::io::Error, Vec<u8>)> {
    raw_exchange(
        addr,
        &format!("GET {target} HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n"),
    )
}

/// Splits a raw response into its head (as text) and body.
pub(crate) fn split_response(raw: &[u8]) -> (String, Vec<u8>) {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    (
        String::from_utf8_lossy(&raw[..end]).into_owned(),
        raw[end + 4..].to_vec(),
    )
}

/// The value of a header in a raw response head.
pub(crate) fn head_value<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

pub(crate) fn vectors() -> PathBuf {
    testvectors::real::vectors_dir()
}

pub(crate) fn read_file(path: impl AsRef<std::path::Path>) -> Vec<u8> {
    let path = path.as_ref();
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
