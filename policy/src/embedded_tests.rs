//! Running the tests embedded in a policy: claims in, expected results out. They run at
//! load time in `verdict policy check`, so a policy that no longer does what its author
//! said fails before it appraises anything. (Product code, not this crate's unit tests.)

use crate::appraise::appraise;
use crate::input::Input;
use crate::policy::Policy;
use crate::test_cases::Case;
use crate::trust::tier_name;

/// The result of one embedded test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// The case's name.
    pub name: String,
    /// Its line in the policy file.
    pub line: usize,
    /// What differed from the expectation; empty when it passed.
    pub problems: Vec<String>,
}

impl TestOutcome {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Policy {
    /// Runs the policy's embedded tests.
    pub fn run_tests(&self) -> Vec<TestOutcome> {
        self.tests.iter().map(|case| run_case(self, case)).collect()
    }
}

fn run_case(policy: &Policy, case: &Case) -> TestOutcome {
    let mut problems = Vec::new();
    match Input::from_unverified_json_for_testing(&case.input)
        .map_err(|e| e.to_string())
        .and_then(|input| appraise(policy, &input).map_err(|e| e.to_string()))
    {
        Err(e) => problems.push(format!("cannot appraise: {e}")),
        Ok(appraisal) => {
            if let Some(want) = case.status {
                if appraisal.status != want {
                    problems.push(format!(
                        "status {}, expected {}",
                        tier_name(appraisal.status),
                        tier_name(want)
                    ));
                }
            }
            for (label, exp) in &case.submods {
                let Some(sub) = appraisal.submods.iter().find(|s| &s.label == label) else {
                    problems.push(format!("no submodule {label}"));
                    continue;
                };
                if let Some(want) = exp.status {
                    if sub.status != want {
                        problems.push(format!(
                            "{label}: status {}, expected {}",
                            tier_name(sub.status),
                            tier_name(want)
                        ));
                    }
                }
                for (claim, want) in &exp.trust {
                    let got = sub.trust.get(*claim);
                    if got != *want {
                        let show = |v: Option<i8>| match v {
                            None => "unset".to_owned(),
                            Some(v) => claim
                                .value_name(v)
                                .map_or_else(|| v.to_string(), |n| format!("{n} ({v})")),
                        };
                        problems.push(format!(
                            "{label}: {claim} is {}, expected {}",
                            show(got),
                            show(*want)
                        ));
                    }
                }
                if let Some(want) = &exp.failed {
                    // The engine's own outcomes (the challenge binding) are not the
                    // policy's rules, so a test lists only the policy's.
                    let got: Vec<&str> = sub
                        .failed()
                        .map(|o| o.id.as_str())
                        .filter(|id| !id.starts_with("verdict:"))
                        .collect();
                    if got != want.iter().map(String::as_str).collect::<Vec<_>>() {
                        problems.push(format!(
                            "{label}: failed rules [{}], expected [{}]",
                            got.join(", "),
                            want.join(", ")
                        ));
                    }
                }
            }
        }
    }
    TestOutcome {
        name: case.name.clone(),
        line: case.position.line,
        problems,
    }
}
