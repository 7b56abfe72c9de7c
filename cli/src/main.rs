//! `verdict`: verify TEE attestation evidence, appraise it with a policy and issue
//! signed attestation tokens, from the command line.
//!
//! Exit codes (`verify`): 0 verified; 1 evidence rejected; 2 unreadable or malformed
//! input, or bad usage; 3 collateral missing or unavailable. The other commands document
//! theirs in `--help` and the README.

mod args;
mod cmd;
mod exit;
mod input;
mod term;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let code = match cli.command {
        args::Command::Verify(a) => cmd::verify::run(&a),
        args::Command::Appraise(a) => cmd::appraise::run(&a),
        args::Command::Token(args::TokenCommand::Keygen(a)) => cmd::token::keygen(&a),
        args::Command::Token(args::TokenCommand::Jwks(a)) => cmd::token::jwks(&a),
        args::Command::Token(args::TokenCommand::Verify(a)) => cmd::token::verify(&a),
        args::Command::Policy(args::PolicyCommand::Check(a)) => cmd::policy::check(&a),
    };
    ExitCode::from(code)
}
