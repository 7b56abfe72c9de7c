//! `mockvendor`: serves AMD KDS, NVIDIA's RIM service and OCSP responder, and one Intel
//! case from the real vectors on `127.0.0.1`, for manual demos.
//!
//! ```text
//! mockvendor [--port N] [--intel-case NAME] [--routes]
//! mockvendor --list-intel-cases
//! ```

use std::process::ExitCode;

use mockvendor::{Catalog, MockVendor};

const USAGE: &str =
    "usage: mockvendor [--port N] [--intel-case NAME] [--routes] | --list-intel-cases";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mockvendor: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let mut port: u16 = 0;
    let mut intel_case = None;
    let mut print_routes = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or(USAGE)?;
                port = value.parse().map_err(|_| format!("bad port {value:?}"))?;
            }
            "--intel-case" => intel_case = Some(args.next().ok_or(USAGE)?),
            "--routes" => print_routes = true,
            "--list-intel-cases" => {
                for name in Catalog::intel_case_names().map_err(|e| e.to_string())? {
                    println!("{name}");
                }
                return Ok(());
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let names = Catalog::intel_case_names().map_err(|e| e.to_string())?;
    let intel_case = match intel_case {
        Some(name) => name,
        None => names
            .first()
            .cloned()
            .ok_or("no Intel case in the vectors")?,
    };
    let catalog = Catalog::all_real(&intel_case).map_err(|e| e.to_string())?;
    if print_routes {
        for route in catalog.routes() {
            println!("GET  {}", route.target());
        }
        println!(
            "POST /  (OCSP: {} recorded responses)",
            catalog.ocsp_responses().len()
        );
    }
    let mock = MockVendor::bind(catalog, std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .map_err(|e| format!("binding 127.0.0.1:{port}: {e}"))?;
    println!(
        "serving AMD KDS, NVIDIA RIM + OCSP and Intel case {intel_case} at {}",
        mock.base_url()
    );
    println!("(press Ctrl-C to stop)");
    loop {
        std::thread::park();
    }
}
