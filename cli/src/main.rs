//! `verdict`: verify TEE attestation evidence, appraise it with a policy and issue
//! signed attestation tokens, from the command line.
//!
//! Exit codes (`verify`): 0 verified; 1 evidence rejected; 2 unreadable or malformed
//! input, or bad usage; 3 collateral missing or unavailable. The other commands document
//! theirs in `--help` and the README.

mod args;
mod azure;
mod cmd;
mod exit;
mod fetching;
mod input;
mod pipeline;
mod term;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

/// `--help` and `--version` go to standard output, checked like any output; a usage
/// mistake goes to standard error with exit 2.
fn usage(e: &clap::Error) -> u8 {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let text = e.render().to_string();
        return match term::emit(text.as_bytes(), term::Output::Informational) {
            Ok(()) => exit::Exit::Verified as u8,
            Err(f) => {
                term::errln!("verdict: {}", f.message);
                f.exit as u8
            }
        };
    }
    // Standard error may itself be gone; there is nowhere left to say so.
    let _ = e.print();
    exit::Exit::BadInput as u8
}

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(usage(&e)),
    };
    let code = match cli.command {
        args::Command::Verify(a) => cmd::verify::run(&a),
        args::Command::Appraise(a) => cmd::appraise::run(&a),
        args::Command::Token(args::TokenCommand::Keygen(a)) => cmd::token::keygen(&a),
        args::Command::Token(args::TokenCommand::Jwks(a)) => cmd::token::jwks(&a),
        args::Command::Token(args::TokenCommand::Verify(a)) => cmd::token::verify(&a),
        args::Command::Policy(args::PolicyCommand::Check(a)) => cmd::policy::check(&a),
        args::Command::Collateral(args::CollateralCommand::Fetch(a)) => cmd::collateral::fetch(&a),
        args::Command::Collateral(args::CollateralCommand::Show(a)) => cmd::collateral::show(&a),
        args::Command::Serve(a) => cmd::serve::run(*a),
    };
    ExitCode::from(code)
}
