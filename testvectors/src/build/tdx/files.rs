//! The Intel files `regen` writes (and `regen --check` and the byte-stability tests compare):
//! `data/intel/` and the bundled example `../examples/tdx/`.

use super::collateral::Collateral;
use super::quote::QuoteSpec;
use crate::pki::intel::IntelPki;
use crate::pki::to_pem;

/// Every generated Intel file for `pki`, as (path relative to the `testvectors` crate,
/// contents). With [`IntelPki::cached`] these are the committed files.
pub fn generated_files(pki: &IntelPki) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("root_ca.pem", pki.root_pem().into_bytes()),
        ("root_ca.der", pki.root.clone()),
        ("platform_ca.der", pki.platform_ca.clone()),
        ("processor_ca.der", pki.processor_ca.clone()),
        ("tcb_signing.der", pki.tcb_signing.clone()),
        ("pck.der", pki.pck.clone()),
        ("pck_chain.pem", pki.pck_chain_pem().into_bytes()),
        ("root_ca_crl.der", pki.root_ca_crl().build()),
        ("pck_crl.der", pki.pck_crl().build()),
    ]
    .into_iter()
    .map(|(name, bytes)| (format!("data/intel/{name}"), bytes))
    .collect::<Vec<_>>();

    let tdx = Collateral::tdx_default(pki);
    let sgx = Collateral::sgx_default(pki);
    for (dir, collateral) in [("tdx", &tdx), ("sgx", &sgx)] {
        for (name, bytes) in collateral.files() {
            files.push((format!("data/intel/{dir}/{name}"), bytes));
        }
        files.push((
            format!("data/intel/{dir}/dcap_qvl_collateral.json"),
            collateral.to_quote_collateral_v3_json().into_bytes(),
        ));
    }
    let v4 = QuoteSpec::tdx_v4_default().build(pki);
    for (name, quote) in [
        ("tdx/quote_v4.bin", v4.clone()),
        (
            "tdx/quote_v5_td15.bin",
            QuoteSpec::tdx_v5_td15_default().build(pki),
        ),
        (
            "tdx/quote_v5_td10.bin",
            QuoteSpec::tdx_v5_td10_default().build(pki),
        ),
        ("sgx/quote_v3.bin", QuoteSpec::sgx_v3_default().build(pki)),
    ] {
        files.push((format!("data/intel/{name}"), quote));
    }

    let example = "../examples/tdx";
    files.push((format!("{example}/quote.bin"), v4));
    files.push((
        format!("{example}/root.pem"),
        to_pem("CERTIFICATE", &pki.root).into_bytes(),
    ));
    files.push((
        format!("{example}/collateral.json"),
        tdx.to_quote_collateral_v3_json().into_bytes(),
    ));
    for (name, bytes) in tdx.files() {
        files.push((format!("{example}/collateral/{name}"), bytes));
    }
    files
}
