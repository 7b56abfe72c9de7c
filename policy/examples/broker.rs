//! A key broker's use of Verdict: evidence bytes, a collateral directory and a policy in,
//! a signed attestation token out.
//!
//! ```sh
//! cargo run -p verdict-policy --example broker -- \
//!     examples/snp/report.bin examples/snp policies/snp.yaml key.pem 2024-06-01T00:00:00Z examples/snp/ark.pem
//! ```
//! (`verdict token keygen --out key.pem` makes the key; the last argument, a root to
//! trust instead of the vendors' built-in ones, is needed only for the fake example PKI.)

use std::error::Error;

use verifier::{time, Evidence, Expectations, TrustAnchors, Verifier};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [evidence, collateral_dir, policy, key, at, anchors @ ..] = args.as_slice() else {
        return Err(
            "usage: broker EVIDENCE COLLATERAL_DIR POLICY KEY RFC3339_TIME [ANCHOR...]".into(),
        );
    };
    let now = time::parse_rfc3339_explained(at)?;
    let anchors = match anchors {
        [] => TrustAnchors::default(),
        roots => {
            let roots = collateral::load_paths(roots)?;
            TrustAnchors::from_root_certificates(
                verifier::crypto::default_provider(),
                roots.bundle.certificates(),
            )?
        }
    };

    // Verify: the evidence in whatever form it came, against the collateral on disk.
    let evidence = Evidence::from_bytes(&std::fs::read(evidence)?, None)?;
    let bundle = collateral::load_paths(&[collateral_dir])?.bundle;
    let verified = Verifier::new(anchors).verify(&evidence, &bundle, &Expectations::none(), now)?;

    // Appraise with the policy and sign the EAR as a JWT.
    let policy = policy::Policy::from_yaml(&std::fs::read_to_string(policy)?)?;
    let input = policy::Input::from_verified(&[verified], None, now)?;
    let appraisal = policy::appraise(&policy, &input)?;
    let jti = time::secs(now).to_be_bytes().to_vec(); // a real broker draws random bytes
    let ear = policy::to_ear(
        &appraisal,
        &policy::IssueOptions::new("https://broker.example", jti),
    )?;
    let key = policy::token::SigningKey::from_pem(&std::fs::read_to_string(key)?)?;
    println!("{}", policy::token::sign_jwt(&ear, &key)?);
    eprintln!("appraisal: {}", policy::trust::tier_name(appraisal.status));
    Ok(())
}
