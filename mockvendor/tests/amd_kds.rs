//! The AMD KDS catalog over HTTP: every route serves the exact vector file, and the VCEK
//! URLs are the ones a fetcher builds from each *report* (CHIP_ID and REPORTED_TCB), which
//! the builder never reads: it derives them from the certificates.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{get, read_file};
use mockvendor::{content_type, Catalog, MockVendor};

const PRODUCTS: [(&str, &str); 3] = [("Milan", "milan"), ("Genoa", "genoa"), ("Turin", "turin")];

fn snp() -> std::path::PathBuf {
    testvectors::real::snp_dir()
}

/// The DER of the first certificate of a VCEK file (DER, or PEM maybe with a chain).
fn vcek_der(path: &Path) -> Vec<u8> {
    let bytes = read_file(path);
    if bytes.starts_with(b"-----") {
        pem::parse_many(&bytes).expect("PEM")[0].contents().to_vec()
    } else {
        bytes
    }
}

/// The KDS VCEK URL a fetcher builds from a report: product from the vector's name,
/// hwID = CHIP_ID (its first 8 bytes on Turin), SPLs from REPORTED_TCB (56860 Tables 3/4).
fn url_from_report(vector: &str, report: &[u8]) -> (String, Vec<(String, String)>) {
    let product = PRODUCTS
        .iter()
        .find(|(_, prefix)| vector.starts_with(prefix))
        .map(|(p, _)| *p)
        .expect("vector names start with the product");
    let tcb: [u8; 8] = report[0x180..0x188].try_into().expect("8 bytes");
    let chip_id = &report[0x1A0..0x1E0];
    let spl = |name: &str, byte: usize| (name.to_owned(), tcb[byte].to_string());
    if product == "Turin" {
        (
            format!("/vcek/v1/Turin/{}", hex::encode(&chip_id[..8])),
            vec![
                spl("fmcSPL", 0),
                spl("blSPL", 1),
                spl("teeSPL", 2),
                spl("snpSPL", 3),
                spl("ucodeSPL", 7),
            ],
        )
    } else {
        (
            format!("/vcek/v1/{product}/{}", hex::encode(chip_id)),
            vec![
                spl("blSPL", 0),
                spl("teeSPL", 1),
                spl("snpSPL", 6),
                spl("ucodeSPL", 7),
            ],
        )
    }
}

fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// (vector, signing key, report path, VEK path) of the positive EXPECTED.tsv rows.
fn expected_rows() -> Vec<(String, String, String, String)> {
    let text = String::from_utf8(read_file(snp().join("EXPECTED.tsv"))).expect("UTF-8");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (v, k, r, e) = (col("vector"), col("signing_key"), col("report"), col("vek"));
    lines
        .filter(|l| !l.is_empty() && !l.starts_with("NEG"))
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (
                c[v].to_owned(),
                c[k].to_owned(),
                c[r].to_owned(),
                c[e].to_owned(),
            )
        })
        .collect()
}

#[test]
fn chains_and_crls_are_the_exact_files() {
    let mock = MockVendor::start(Catalog::amd_kds().expect("catalog"));
    let roots = snp().join("roots");
    for (product, prefix) in PRODUCTS {
        for (kind, file) in [("vcek", "ask_ark"), ("vlek", "asvk_ark")] {
            let got = get(&mock.url(&format!("/{kind}/v1/{product}/cert_chain")));
            assert_eq!(got.status, 200, "{kind} {product}");
            assert_eq!(
                got.body,
                read_file(roots.join(format!("{prefix}_{file}.pem")))
            );
            assert_eq!(got.header("content-type"), Some(content_type::PEM));
        }
        let crl = get(&mock.url(&format!("/vcek/v1/{product}/crl")));
        let file = roots.join(format!("{prefix}_crl.der"));
        if file.is_file() {
            assert_eq!(crl.status, 200, "{product} CRL");
            assert_eq!(crl.body, read_file(file));
            assert_eq!(crl.header("content-type"), Some(content_type::CRL));
        } else {
            assert_eq!(crl.status, 404, "{product} has no CRL in the vectors");
        }
    }
    // Not a product line, and the stepping is not part of the path.
    assert_eq!(get(&mock.url("/vcek/v1/Milan-B0/cert_chain")).status, 404);
    assert_eq!(get(&mock.url("/vcek/v1/Siena/cert_chain")).status, 404);
}

#[test]
fn every_vcek_is_served_at_the_url_its_report_asks_for() {
    let mock = MockVendor::start(Catalog::amd_kds().expect("catalog"));
    // KDS serves one certificate per URL: where two rows share one (a re-issued VCEK of
    // the same chip and TCB), the first row's is served.
    let mut first_by_url: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut vceks = 0;
    for (vector, signer, report, vek) in expected_rows() {
        if signer != "VCEK" {
            continue;
        }
        vceks += 1;
        let report = read_file(snp().join(report));
        let (path, query) = url_from_report(&vector, &report);
        let target = format!("{path}?{}", query_string(&query));
        let expected = first_by_url
            .entry(target.clone())
            .or_insert_with(|| vcek_der(&snp().join(&vek)))
            .clone();

        let got = get(&mock.url(&target));
        assert_eq!(got.status, 200, "{vector}: {target}");
        assert_eq!(got.body, expected, "{vector}: the VCEK bytes");
        assert_eq!(
            got.header("content-type"),
            Some(content_type::DER_CERTIFICATE)
        );

        // Parameter order does not matter.
        let mut reversed = query.clone();
        reversed.reverse();
        let got = get(&mock.url(&format!("{path}?{}", query_string(&reversed))));
        assert_eq!(
            (got.status, &got.body),
            (200, &expected),
            "{vector} reversed"
        );

        // A missing, extra or wrong parameter is a 404.
        let missing = &query[1..];
        assert_eq!(
            get(&mock.url(&format!("{path}?{}", query_string(missing)))).status,
            404,
            "{vector}: missing {}",
            query[0].0
        );
        let mut extra = query.clone();
        extra.push(("extraSPL".into(), "0".into()));
        assert_eq!(
            get(&mock.url(&format!("{path}?{}", query_string(&extra)))).status,
            404
        );
        let mut wrong = query.clone();
        let last = wrong.last_mut().expect("params");
        last.1 = (last.1.parse::<u32>().expect("decimal") + 1).to_string();
        assert_eq!(
            get(&mock.url(&format!("{path}?{}", query_string(&wrong)))).status,
            404
        );
        assert_eq!(get(&mock.url(&path)).status, 404, "no query at all");
    }
    assert!(vceks >= 10, "EXPECTED.tsv lists {vceks} VCEK rows");
    assert_eq!(
        mock.catalog()
            .routes()
            .iter()
            .filter(|r| r.path().split('/').count() == 5 && !r.path().ends_with("crl"))
            .filter(|r| !r.path().ends_with("cert_chain"))
            .count(),
        first_by_url.len(),
        "exactly the VCEKs of EXPECTED.tsv are served"
    );
}

#[test]
fn turin_takes_the_8_byte_hwid_and_fmc_spl() {
    let mock = MockVendor::start(Catalog::amd_kds().expect("catalog"));
    let report = read_file(snp().join("turin-v5-oak-oc/report.bin"));
    let (path, query) = url_from_report("turin", &report);
    assert_eq!(
        get(&mock.url(&format!("{path}?{}", query_string(&query)))).status,
        200
    );
    // The 64-byte hwID form is a 404 at KDS for Turin.
    let long = format!(
        "/vcek/v1/Turin/{}?{}",
        hex::encode(&report[0x1A0..0x1E0]),
        query_string(&query)
    );
    assert_eq!(get(&mock.url(&long)).status, 404);
    // Without fmcSPL: a missing parameter.
    let no_fmc: Vec<_> = query
        .iter()
        .filter(|(k, _)| k != "fmcSPL")
        .cloned()
        .collect();
    assert_eq!(
        get(&mock.url(&format!("{path}?{}", query_string(&no_fmc)))).status,
        404
    );
}

#[test]
fn spl_values_compare_as_numbers() {
    let mock = MockVendor::start(Catalog::amd_kds().expect("catalog"));
    let report = read_file(snp().join("milan-v2-virtee/report.bin"));
    let (path, query) = url_from_report("milan", &report);
    // snpguest and trustee zero-pad SPLs ({:02}); KDS accepts that.
    let padded: Vec<_> = query
        .iter()
        .map(|(k, v)| (k.clone(), format!("{:0>2}", v)))
        .collect();
    assert_eq!(
        get(&mock.url(&format!("{path}?{}", query_string(&padded)))).status,
        200
    );
}

#[test]
fn vleks_are_not_served() {
    // A VLEK is not public at KDS: its report masks CHIP_ID, and no route is built for it.
    let catalog = Catalog::amd_kds().expect("catalog");
    for (vector, signer, _, vek) in expected_rows() {
        if signer != "VLEK" {
            continue;
        }
        let der = vcek_der(&snp().join(&vek));
        assert!(
            catalog.routes().iter().all(|r| r.body() != der.as_slice()),
            "{vector}: the VLEK is served"
        );
    }
}
