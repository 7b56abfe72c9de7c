//! `verdict serve`: the configuration from file, environment and flags, then the
//! service (crate `verdict-service`) until a signal stops it.

use crate::args::ServeArgs;
use crate::exit::Exit;
use crate::term::errln;

pub(crate) fn run(args: ServeArgs) -> u8 {
    let config = match config(args) {
        Ok(c) => c,
        Err(message) => {
            errln!("verdict: {message}");
            return Exit::BadInput as u8;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            errln!("verdict: cannot start the runtime: {e}");
            return Exit::BadInput as u8;
        }
    };
    match runtime.block_on(service::run(config)) {
        Ok(()) => Exit::Verified as u8,
        Err(message) => {
            errln!("verdict: {message}");
            Exit::BadInput as u8
        }
    }
}

/// The file's settings, overridden by what the flags and environment give.
fn config(args: ServeArgs) -> Result<service::Config, String> {
    let mut c = match &args.config {
        Some(path) => service::Config::from_file(path)?,
        None => service::Config::default(),
    };
    macro_rules! over {
        ($($field:ident),*) => { $( if let Some(v) = args.$field { c.$field = v; } )* };
    }
    macro_rules! over_opt {
        ($($field:ident),*) => { $( if args.$field.is_some() { c.$field = args.$field; } )* };
    }
    over!(listen, data_dir);
    over_opt!(
        issuer,
        audience,
        signing_key,
        challenge_key,
        admin_token,
        redis_url,
        policies_dir,
        amd_kds_url,
        intel_pcs_url,
        nvidia_rim_url,
        nvidia_ocsp_url,
        at,
        tls_cert,
        tls_key
    );
    if !args.collateral.is_empty() {
        c.collateral = args.collateral;
    }
    if !args.anchors.is_empty() {
        c.anchors = args.anchors;
    }
    c.offline |= args.offline;
    c.log_json |= args.log_json;
    c.validate()?;
    Ok(c)
}
