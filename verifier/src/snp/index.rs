//! The AMD part of a bundle's index: each certificate classified once, when it is added,
//! so that SNP verification looks a report's VEKs up by hwID instead of classifying and
//! decoding every certificate of the bundle on each call (a bundle holding a fleet's
//! VCEKs would make every verification linear in the fleet).
//!
//! The index only narrows: whatever it returns is still checked in full (`fits`, the
//! chain, the binding, the signature), and it never leaves out a certificate that could
//! pass those checks. Positions are into `Bundle::certificates`, in bundle order, so the
//! order candidates are tried in (and so which error is reported) is the scan's.

use std::collections::{BTreeSet, HashMap};

use super::kds_ext::hwid_readings;
use super::needs::{product_of_certificate, AmdName};
use crate::needs::AmdSigner;
use crate::pki::Certificate;

/// The VEKs of one kind (VCEK or VLEK).
#[derive(Debug, Clone, Default)]
pub(crate) struct VekIndex {
    /// Every one, in bundle order.
    all: Vec<usize>,
    /// The first whose product line the certificate itself names (a v2 report's product).
    first_with_product: Option<usize>,
    /// By hwID as any product layout reads it (a certificate may be under two keys).
    by_hwid: HashMap<Vec<u8>, Vec<usize>>,
    /// The lengths of the keys of `by_hwid` (8 and 64 for AMD's; others for odd ones).
    hwid_lengths: BTreeSet<usize>,
    /// Those without a hwID extension: they fit any CHIP_ID (VLEKs; step 7 refuses a VCEK
    /// without one).
    without_hwid: Vec<usize>,
}

impl VekIndex {
    fn add(&mut self, position: usize, cert: &Certificate) {
        self.all.push(position);
        if self.first_with_product.is_none() && product_of_certificate(cert).is_some() {
            self.first_with_product = Some(position);
        }
        match hwid_readings(cert) {
            None => self.without_hwid.push(position),
            Some(readings) => {
                for id in readings {
                    self.hwid_lengths.insert(id.len());
                    self.by_hwid.entry(id).or_default().push(position);
                }
            }
        }
    }

    /// How many the bundle holds.
    pub(crate) fn len(&self) -> usize {
        self.all.len()
    }

    /// The first in bundle order.
    pub(crate) fn first(&self) -> Option<usize> {
        self.all.first().copied()
    }

    /// The first whose product line the certificate names.
    pub(crate) fn first_with_product(&self) -> Option<usize> {
        self.first_with_product
    }

    /// Every one whose hwID could fit `chip_id` under some product layout (all of them
    /// when it is masked: nothing can be compared), in bundle order. A superset of those
    /// `needs::fits` accepts, never a subset: `fits` takes the hwID read with the
    /// product's layout and compares it with the CHIP_ID's prefix of its length, and
    /// each reading is a key here under its own length.
    pub(crate) fn fitting_chip(&self, chip_id: &[u8], masked: bool) -> Vec<usize> {
        if masked {
            return self.all.clone();
        }
        let mut found = self.without_hwid.clone();
        for len in &self.hwid_lengths {
            if let Some(positions) = chip_id.get(..*len).and_then(|id| self.by_hwid.get(id)) {
                found.extend_from_slice(positions);
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// The AMD certificates of a bundle, by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct AmdIndex {
    /// Every ARK, ASK and ASVK (a handful per product), in bundle order.
    cas: Vec<(AmdName, usize)>,
    vceks: VekIndex,
    vleks: VekIndex,
}

impl AmdIndex {
    /// Classifies the certificate at `position`.
    pub(crate) fn add(&mut self, position: usize, cert: &Certificate) {
        match AmdName::of(cert) {
            None => {}
            Some(AmdName::Vcek) => self.vceks.add(position, cert),
            Some(AmdName::Vlek) => self.vleks.add(position, cert),
            Some(name) => self.cas.push((name, position)),
        }
    }

    /// The ARKs, ASKs and ASVKs, in bundle order.
    pub(crate) fn cas(&self) -> &[(AmdName, usize)] {
        &self.cas
    }

    /// The VEKs of one signer kind.
    pub(crate) fn veks(&self, signer: AmdSigner) -> &VekIndex {
        match signer {
            AmdSigner::Vcek => &self.vceks,
            AmdSigner::Vlek => &self.vleks,
        }
    }
}
