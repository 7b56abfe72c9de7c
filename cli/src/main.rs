//! `verdict`: verify TEE attestation evidence from the command line.
//!
//! Exit codes: 0 verified; 1 evidence rejected; 2 unreadable or malformed input, or bad
//! usage; 3 collateral missing or unavailable.

mod args;
mod cmd;
mod exit;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let code = match cli.command {
        args::Command::Verify(a) => cmd::verify::run(&a),
    };
    ExitCode::from(code)
}
