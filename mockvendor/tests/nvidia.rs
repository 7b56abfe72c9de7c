//! NVIDIA's RIM service and OCSP responder over HTTP, with the real setA vectors.

mod common;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use common::{client, get, post_ocsp, read_file};
use mockvendor::{content_type, Catalog, MockVendor, OCSP_MALFORMED_REQUEST, OCSP_UNAUTHORIZED};
use sha2::{Digest, Sha256, Sha384};

fn set_a() -> PathBuf {
    testvectors::real::nvidia_dir().join("setA_h100_550.90.07")
}

fn start() -> MockVendor {
    MockVendor::start(Catalog::nvidia().expect("catalog"))
}

// ---------------------------------------------------------------- RIM service

#[test]
fn rims_are_served_as_the_rim_service_json() {
    let mock = start();
    for file in [
        "NV_GPU_DRIVER_GH100_550.90.07.xml",
        "NV_GPU_VBIOS_1010_0200_882_96009F0001.xml",
    ] {
        let id = file.trim_end_matches(".xml");
        let xml = read_file(set_a().join(file));
        let got = get(&mock.url(&format!("/v1/rim/{id}")));
        assert_eq!(got.status, 200, "{id}");
        assert_eq!(got.header("content-type"), Some(content_type::JSON));
        let doc: serde_json::Value = serde_json::from_slice(&got.body).expect("JSON");
        assert_eq!(doc["id"], id);
        let rim = base64::engine::general_purpose::STANDARD
            .decode(doc["rim"].as_str().expect("rim"))
            .expect("base64");
        assert_eq!(rim, xml, "{id}: the exact XML bytes");
        assert_eq!(doc["sha256"], hex::encode(Sha256::digest(&xml)));
        assert_eq!(doc["rim_format"], "TCG");
        assert!(doc["last_updated"].is_string() && doc["request_id"].is_string());
    }
}

#[test]
fn other_genuine_rims_are_served_too() {
    let mock = start();
    let nvidia = testvectors::real::nvidia_dir();
    let cases = [
        (
            "NV_GPU_DRIVER_GH100_550.144.03",
            nvidia.join("asdk_hopper/NV_GPU_DRIVER_GH100_550.144.03.xml"),
        ),
        (
            "NV_SWITCH_BIOS_5612_0002_890_9610550001",
            nvidia.join("ppcie_nvswitch/NV_SWITCH_BIOS_5612_0002_890_9610550001.xml"),
        ),
        (
            "NV_GPU_VBIOS_G520_0200_885_9600740001",
            nvidia.join("rim_corpus/nvtrust_vbios_prod/g520_0200_885_9600740001_PROD.swidtag"),
        ),
    ];
    for (id, file) in cases {
        let got = get(&mock.url(&format!("/v1/rim/{id}")));
        assert_eq!(got.status, 200, "{id}");
        let doc: serde_json::Value = serde_json::from_slice(&got.body).expect("JSON");
        let rim = base64::engine::general_purpose::STANDARD
            .decode(doc["rim"].as_str().expect("rim"))
            .expect("base64");
        assert_eq!(rim, read_file(file), "{id}");
    }
    // Negative RIMs are not served under any id.
    let catalog = mock.catalog();
    let neg = read_file(nvidia.join("asdk_hopper/NEG_incorrect_signature_driver_rim.xml"));
    let neg = base64::engine::general_purpose::STANDARD.encode(neg);
    assert!(catalog
        .routes()
        .iter()
        .all(|r| !String::from_utf8_lossy(r.body()).contains(&neg)));
}

#[test]
fn unknown_rims_are_the_services_404() {
    let mock = start();
    let got = get(&mock.url("/v1/rim/NV_GPU_DRIVER_GH100_999.99.99"));
    assert_eq!(got.status, 404);
    let doc: serde_json::Value = serde_json::from_slice(&got.body).expect("JSON 404 body");
    assert_eq!(doc["message"], "RIM_NOT_FOUND");
    // Query parameters are not part of a RIM URL.
    let got = get(&mock.url("/v1/rim/NV_GPU_DRIVER_GH100_550.90.07?x=1"));
    assert_eq!(got.status, 404);
}

#[test]
fn a_test_can_serve_any_rim_under_a_real_id() {
    let neg = read_file(
        testvectors::real::nvidia_dir().join("asdk_hopper/NEG_incorrect_signature_driver_rim.xml"),
    );
    let mut catalog = Catalog::new();
    catalog.nvidia_rim("NV_GPU_DRIVER_GH100_550.144.03", &neg);
    let mock = MockVendor::start(catalog);
    let got = get(&mock.url("/v1/rim/NV_GPU_DRIVER_GH100_550.144.03"));
    let doc: serde_json::Value = serde_json::from_slice(&got.body).expect("JSON");
    let rim = base64::engine::general_purpose::STANDARD
        .decode(doc["rim"].as_str().expect("rim"))
        .expect("base64");
    assert_eq!(rim, neg);
}

// ---------------------------------------------------------------- OCSP

/// The certificates of a PEM file, DER, in order.
fn pem_chain(path: &Path) -> Vec<Vec<u8>> {
    pem::parse_many(read_file(path))
        .expect("PEM")
        .into_iter()
        .map(pem::Pem::into_contents)
        .collect()
}

/// The KeyInfo certificates of a RIM (signer first).
fn rim_chain(xml: &str) -> Vec<Vec<u8>> {
    let mut certs = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("X509Certificate>") {
        rest = &rest[i + "X509Certificate>".len()..];
        let end = rest.find("</").expect("closing tag");
        let b64: String = rest[..end].split_whitespace().collect();
        certs.push(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .expect("base64"),
        );
        // Skip the closing tag's own "X509Certificate>".
        let close = rest.find("X509Certificate>").expect("closing tag");
        rest = &rest[close + "X509Certificate>".len()..];
    }
    certs
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A DER OCSPRequest (RFC 6960) with one SHA-384 CertID per (certificate, issuer), no
/// nonce: written here byte by byte, independently of the mock's parser.
fn ocsp_request(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
    // sha384: 2.16.840.1.101.3.4.2.2, with NULL parameters.
    let sha384 = tlv(
        0x30,
        &[
            tlv(
                0x06,
                &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02],
            ),
            vec![0x05, 0x00],
        ]
        .concat(),
    );
    let mut requests = Vec::new();
    for (cert, issuer) in pairs {
        let (_, cert) = x509_parser::parse_x509_certificate(cert).expect("certificate");
        let (_, issuer) = x509_parser::parse_x509_certificate(issuer).expect("issuer");
        let name_hash = Sha384::digest(issuer.subject().as_raw());
        let key_hash = Sha384::digest(&issuer.public_key().subject_public_key.data);
        let cert_id = tlv(
            0x30,
            &[
                sha384.clone(),
                tlv(0x04, &name_hash),
                tlv(0x04, &key_hash),
                tlv(0x02, cert.raw_serial()),
            ]
            .concat(),
        );
        requests.extend(tlv(0x30, &cert_id)); // Request ::= SEQUENCE { reqCert }
    }
    let tbs = tlv(0x30, &tlv(0x30, &requests)); // TBSRequest { requestList }
    tlv(0x30, &tbs) // OCSPRequest { tbsRequest }
}

#[test]
fn the_device_chain_gets_its_recorded_responses() {
    let mock = start();
    let chain = pem_chain(&set_a().join("device_cert_chain.pem"));
    assert_eq!(chain.len(), 5);
    // MANIFEST.tsv: l4 = GSP BROM, l3 = Provisioner ICA 1, l2 = GH100 Identity.
    let expected = [
        (1, "test_gpu_certificate_l4"),
        (2, "test_gpu_certificate_l3"),
        (3, "test_gpu_certificate_l2"),
    ];
    for (index, file) in expected {
        let request = ocsp_request(&[(&chain[index], &chain[index + 1])]);
        let got = post_ocsp(&mock.url("/"), request);
        assert_eq!(got.status, 200, "chain[{index}]");
        assert_eq!(
            got.header("content-type"),
            Some(content_type::OCSP_RESPONSE)
        );
        assert_eq!(
            got.body,
            read_file(set_a().join(format!("ocsp/{file}.ocsp.der"))),
            "chain[{index}] gets {file}"
        );
    }
    // The FMC leaf: NVIDIA's responder answers "unauthorized".
    let got = post_ocsp(&mock.url("/"), ocsp_request(&[(&chain[0], &chain[1])]));
    assert_eq!(got.status, 200);
    assert_eq!(got.body, OCSP_UNAUTHORIZED);
    assert_eq!(got.body, [0x30, 0x03, 0x0a, 0x01, 0x06]);
}

#[test]
fn the_rim_chains_get_their_recorded_responses() {
    let mock = start();
    let cases = [
        (
            "NV_GPU_DRIVER_GH100_550.90.07.xml",
            [
                "test_gpu_driver_rim_l4",
                "test_gpu_driver_rim_l3",
                "test_gpu_rim_l2",
            ],
        ),
        (
            // The VBIOS RIM's L3 and L2 are the driver RIM's.
            "NV_GPU_VBIOS_1010_0200_882_96009F0001.xml",
            [
                "test_gpu_vbios_l4",
                "test_gpu_driver_rim_l3",
                "test_gpu_rim_l2",
            ],
        ),
    ];
    for (rim, files) in cases {
        let xml = String::from_utf8(read_file(set_a().join(rim))).expect("UTF-8");
        let chain = rim_chain(&xml);
        assert_eq!(chain.len(), 4, "{rim}");
        for (index, file) in files.iter().enumerate() {
            let got = post_ocsp(
                &mock.url("/"),
                ocsp_request(&[(&chain[index], &chain[index + 1])]),
            );
            assert_eq!(
                got.body,
                read_file(set_a().join(format!("ocsp/{file}.ocsp.der"))),
                "{rim} chain[{index}]"
            );
        }
    }
}

#[test]
fn a_request_naming_several_certificates_gets_the_one_recorded() {
    let mock = start();
    let chain = pem_chain(&set_a().join("device_cert_chain.pem"));
    // The leaf (no recorded response) and the BROM (recorded).
    let request = ocsp_request(&[(&chain[0], &chain[1]), (&chain[1], &chain[2])]);
    let got = post_ocsp(&mock.url("/"), request);
    assert_eq!(
        got.body,
        read_file(set_a().join("ocsp/test_gpu_certificate_l4.ocsp.der"))
    );
}

#[test]
fn malformed_and_mistyped_requests() {
    let mock = start();
    let got = post_ocsp(&mock.url("/"), b"not an OCSP request".to_vec());
    assert_eq!(
        (got.status, got.body.as_slice()),
        (200, OCSP_MALFORMED_REQUEST)
    );
    let got = common::read(
        client()
            .post(mock.url("/"))
            .header("Content-Type", "application/json")
            .body("{}")
            .send()
            .expect("POST"),
    );
    assert_eq!(got.status, 415);
    // An empty catalog answers every request "unauthorized".
    let empty = MockVendor::start(Catalog::new());
    let chain = pem_chain(&set_a().join("device_cert_chain.pem"));
    let got = post_ocsp(&empty.url("/"), ocsp_request(&[(&chain[1], &chain[2])]));
    assert_eq!(got.body, OCSP_UNAUTHORIZED);
}

#[test]
fn a_request_built_by_openssl_gets_its_recorded_response() {
    let Ok(version) = std::process::Command::new("openssl")
        .arg("version")
        .output()
    else {
        eprintln!("openssl is not installed: skipping the openssl-built request");
        return;
    };
    assert!(version.status.success());
    let dir = std::env::temp_dir().join(format!("mockvendor-ocsp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let chain = pem::parse_many(read_file(set_a().join("device_cert_chain.pem"))).expect("PEM");
    let cert = dir.join("brom.pem");
    let issuer = dir.join("ica.pem");
    std::fs::write(&cert, pem::encode(&chain[1])).expect("write");
    std::fs::write(&issuer, pem::encode(&chain[2])).expect("write");
    let request = dir.join("req.der");
    // openssl's default CertID hash is SHA-1 (as NVAT sends); the responder matches on the
    // serial number either way.
    let status = std::process::Command::new("openssl")
        .arg("ocsp")
        .arg("-issuer")
        .arg(&issuer)
        .arg("-cert")
        .arg(&cert)
        .arg("-reqout")
        .arg(&request)
        .arg("-no_nonce")
        .output()
        .expect("openssl ocsp");
    assert!(status.status.success(), "{status:?}");
    let mock = start();
    let got = post_ocsp(&mock.url("/"), read_file(&request));
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        got.body,
        read_file(set_a().join("ocsp/test_gpu_certificate_l4.ocsp.der"))
    );
}

#[test]
fn every_recorded_response_is_loaded() {
    let catalog = Catalog::nvidia_ocsp().expect("catalog");
    let mut files: Vec<Vec<u8>> = std::fs::read_dir(set_a().join("ocsp"))
        .expect("ocsp dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".ocsp.der"))
        .map(read_file)
        .collect();
    let mut loaded: Vec<Vec<u8>> = catalog
        .ocsp_responses()
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    files.sort();
    loaded.sort();
    assert_eq!(loaded, files);
    assert_eq!(loaded.len(), 7);
}
