//! Comparing a report's measurements with the golden values of its driver and VBIOS RIMs,
//! as NVIDIA's verifiers do:
//!
//! - golden index *i* (0-based) is the report's SPDM block *i* + 1;
//! - only `active` RIM entries count, and any listed alternative matches;
//! - the driver and VBIOS RIMs must not both claim an index;
//! - index 35 is skipped when the report says NVDEC0 is disabled;
//! - a report index that no RIM lists is not compared.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{Error, RimErrorKind};

use super::rim::{Rim, RimMeasurement};
use super::spdm::AttestationReport;

/// The golden index NVIDIA skips when the NVDEC0 engine is disabled.
const NVDEC0_INDEX: u32 = 35;

pub use crate::needs::RimKind;

/// One measurement that matches none of its golden values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// Golden (RIM) index, 0-based.
    pub index: u32,
    /// The RIM that holds the golden values.
    pub source: RimKind,
    /// The golden alternatives (hex).
    pub expected: Vec<String>,
    /// The report's value (hex), absent when the report has no such block.
    pub actual: Option<String>,
}

/// The comparison's result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Comparison {
    /// Golden indices compared.
    pub(crate) checked: usize,
    /// Mismatches, by index.
    pub(crate) mismatches: Vec<Mismatch>,
}

/// The active golden entries of both RIMs, by index.
pub(crate) fn golden<'a>(
    rims: &[(RimKind, &'a Rim)],
) -> Result<BTreeMap<u32, (RimKind, &'a RimMeasurement)>, Error> {
    let mut golden = BTreeMap::new();
    for &(kind, rim) in rims {
        for m in rim.measurements().iter().filter(|m| m.active) {
            if golden.insert(m.index, (kind, m)).is_some() {
                return Err(Error::Rim {
                    rim: format!("{} RIM {}", kind.label(), rim.colloquial_version()),
                    kind: RimErrorKind::IndexConflict { index: m.index },
                });
            }
        }
    }
    Ok(golden)
}

/// Compares every golden entry with the report.
pub(crate) fn compare(
    golden: &BTreeMap<u32, (RimKind, &RimMeasurement)>,
    report: &AttestationReport,
) -> Comparison {
    let nvdec0_disabled = report.opaque().nvdec0_enabled() == Some(false);
    let mut out = Comparison::default();
    for (&index, &(source, m)) in golden {
        if index == NVDEC0_INDEX && nvdec0_disabled {
            continue;
        }
        out.checked = out.checked.saturating_add(1);
        let actual = index
            .checked_add(1)
            .and_then(|i| u8::try_from(i).ok())
            .and_then(|i| report.block(i))
            .map(|b| b.value.as_slice());
        let matches =
            actual.is_some_and(|v| v.len() == m.size && m.alternatives.iter().any(|a| a == v));
        if !matches {
            out.mismatches.push(Mismatch {
                index,
                source,
                expected: m.alternatives.iter().map(super::to_hex).collect(),
                actual: actual.map(super::to_hex),
            });
        }
    }
    out
}
