//! The Intel PCS v4 catalogs over HTTP: for every case, each route serves the exact
//! collateral file with its issuer chain, URL-encoded, in the PCS v4 header.

mod common;

use common::{get, read_file};
use mockvendor::{content_type, BuildError, Catalog, MockVendor};
use percent_encoding::percent_decode_str;

fn decoded(header: Option<&str>) -> Vec<u8> {
    percent_decode_str(header.expect("issuer-chain header")).collect()
}

/// `platform` or `processor`: the CA that issued the PCK leaf embedded in the quote
/// (certification data: a PEM chain, leaf first), which is what a fetcher asks for.
fn pck_ca_of_quote(quote: &[u8]) -> &'static str {
    let begin = b"-----BEGIN CERTIFICATE-----";
    let start = quote
        .windows(begin.len())
        .position(|w| w == begin)
        .expect("a PEM chain in the quote");
    let leaf = pem::parse_many(&quote[start..]).expect("PEM")[0]
        .contents()
        .to_vec();
    let (_, cert) = x509_parser::parse_x509_certificate(&leaf).expect("PCK certificate");
    let issuer = cert
        .issuer()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .expect("issuer CN")
        .to_owned();
    match issuer.as_str() {
        "Intel SGX PCK Platform CA" => "platform",
        "Intel SGX PCK Processor CA" => "processor",
        other => panic!("PCK issuer {other}"),
    }
}

fn fmspc_of(tcb_info: &[u8]) -> String {
    let doc: serde_json::Value = serde_json::from_slice(tcb_info).expect("JSON");
    doc["tcbInfo"]["fmspc"].as_str().expect("fmspc").to_owned()
}

#[test]
fn every_case_serves_its_collateral_under_the_pcs_paths() {
    let names = Catalog::intel_case_names().expect("cases");
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        let dir = testvectors::real::tdx_dir()
            .join("cases")
            .join(&name)
            .join("collateral");
        // The case name says which TEE it is; the builder reads the documents' ids.
        let tee = if name.starts_with("tdx-") {
            "tdx"
        } else {
            "sgx"
        };
        let mock = MockVendor::start(Catalog::intel_case(&name).expect("catalog"));

        let tcb_info = read_file(dir.join("tcb_info.json"));
        let fmspc = fmspc_of(&tcb_info);
        for asked in [fmspc.to_lowercase(), fmspc.to_uppercase()] {
            let got = get(&mock.url(&format!("/{tee}/certification/v4/tcb?fmspc={asked}")));
            assert_eq!(got.status, 200, "{name}: tcb {asked}");
            assert_eq!(got.body, tcb_info, "{name}");
            assert_eq!(got.header("content-type"), Some(content_type::JSON));
            assert_eq!(
                decoded(got.header("TCB-Info-Issuer-Chain")),
                read_file(dir.join("tcb_info_issuer_chain.pem")),
                "{name}"
            );
        }
        let other_tee = if tee == "tdx" { "sgx" } else { "tdx" };
        assert_eq!(
            get(&mock.url(&format!("/{other_tee}/certification/v4/tcb?fmspc={fmspc}"))).status,
            404,
            "{name}: the other TEE"
        );
        assert_eq!(
            get(&mock.url(&format!("/{tee}/certification/v4/tcb"))).status,
            404,
            "{name}: no fmspc"
        );
        assert_eq!(
            get(&mock.url(&format!(
                "/{tee}/certification/v4/tcb?fmspc={fmspc}&update=early"
            )))
            .status,
            404,
            "{name}: an extra parameter"
        );
        assert_eq!(
            get(&mock.url(&format!("/{tee}/certification/v4/tcb?fmspc=ffffffffffff"))).status,
            404,
            "{name}: another FMSPC"
        );

        let got = get(&mock.url(&format!("/{tee}/certification/v4/qe/identity")));
        assert_eq!(got.status, 200, "{name}: qe/identity");
        assert_eq!(got.body, read_file(dir.join("qe_identity.json")));
        assert_eq!(
            decoded(got.header("SGX-Enclave-Identity-Issuer-Chain")),
            read_file(dir.join("qe_identity_issuer_chain.pem"))
        );

        // The CA of the quote's PCK leaf (tdx/README.md says Platform for every case, but
        // sgx-v3-phala-00a067's leaf and CRL are the Processor CA's).
        let ca = pck_ca_of_quote(&read_file(dir.join("../quote.bin")));
        let other_ca = if ca == "platform" {
            "processor"
        } else {
            "platform"
        };
        for query in [
            format!("ca={ca}&encoding=der"),
            format!("encoding=der&ca={ca}"),
        ] {
            let got = get(&mock.url(&format!("/sgx/certification/v4/pckcrl?{query}")));
            assert_eq!(got.status, 200, "{name}: pckcrl {query}");
            assert_eq!(got.body, read_file(dir.join("pck_crl.der")));
            assert_eq!(got.header("content-type"), Some(content_type::CRL));
            assert_eq!(
                decoded(got.header("SGX-PCK-CRL-Issuer-Chain")),
                read_file(dir.join("pck_crl_issuer_chain.pem"))
            );
        }
        for query in [
            format!("ca={other_ca}&encoding=der"),
            format!("ca={ca}"),
            format!("ca={ca}&encoding=pem"),
        ] {
            assert_eq!(
                get(&mock.url(&format!("/sgx/certification/v4/pckcrl?{query}"))).status,
                404,
                "{name}: pckcrl {query}"
            );
        }

        for path in ["/sgx/certification/v4/rootcacrl", "/IntelSGXRootCA.der"] {
            let got = get(&mock.url(path));
            assert_eq!(got.status, 200, "{name}: {path}");
            assert_eq!(got.body, read_file(dir.join("root_ca_crl.der")));
        }
    }
}

#[test]
fn issuer_chain_headers_are_url_encoded_pem() {
    let mock =
        MockVendor::start(Catalog::intel_case("tdx-v4-phala-b0c06f-uptodate").expect("case"));
    let got = get(&mock.url("/tdx/certification/v4/qe/identity"));
    let raw = got
        .header("SGX-Enclave-Identity-Issuer-Chain")
        .expect("header");
    assert!(
        raw.starts_with("-----BEGIN%20CERTIFICATE-----%0A"),
        "{raw:.40}"
    );
    assert!(!raw.contains(['\n', ' ', '+', '/', '=']), "all escaped");
}

#[test]
fn cases_merge_only_where_they_agree() {
    let a = "tdx-v4-dcaprs-00806f05-outofdate";
    let mut catalog = Catalog::intel_case(a).expect("case");
    catalog
        .merge(Catalog::intel_case(a).expect("case"))
        .expect("a case merges with itself");
    // Another TDX case with other collateral serves another qe/identity at the same URL.
    let err = catalog
        .merge(Catalog::intel_case("tdx-v4-phala-b0c06f-uptodate").expect("case"))
        .expect_err("qe/identity collides");
    assert!(matches!(err, BuildError::Collision { .. }), "{err}");
    // And the whole real set serves with one case.
    let all = Catalog::all_real(a).expect("AMD + NVIDIA + one Intel case");
    assert!(all.find("/tdx/certification/v4/qe/identity", &[]).is_some());
    assert!(all.find("/vcek/v1/Milan/cert_chain", &[]).is_some());
}

#[test]
fn unknown_cases_are_refused() {
    for name in ["no-such-case", "../snp", ""] {
        assert!(
            matches!(Catalog::intel_case(name), Err(BuildError::UnknownCase(_))),
            "{name:?}"
        );
    }
}
