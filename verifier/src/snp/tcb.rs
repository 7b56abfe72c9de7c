//! TCB_VERSION: the packed security patch levels (SPLs) of the firmware components.
//!
//! The u64 layout depends on the product line (SEV-SNP ABI 56860, "TCB_VERSION"):
//!
//! | byte | Milan, Genoa (incl. Siena, Bergamo) | Turin |
//! |------|-------------------------------------|-------|
//! | 0    | BOOT_LOADER                         | FMC   |
//! | 1    | TEE                                 | BOOT_LOADER |
//! | 2    | reserved                            | TEE   |
//! | 3    | reserved                            | SNP   |
//! | 4–5  | reserved                            | reserved |
//! | 6    | SNP                                 | reserved |
//! | 7    | MICROCODE                           | MICROCODE |
//!
//! A raw [`TcbVersion`] therefore stays a `u64` until the product is known; only
//! [`TcbVersion::parts`] interprets it.

use core::fmt;

use super::Product;
pub use crate::amd::TcbParts;

/// A raw, uninterpreted TCB_VERSION value as it appears in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcbVersion(pub u64);

impl TcbVersion {
    /// Decodes the components with the layout of `product`.
    pub fn parts(self, product: Product) -> TcbParts {
        let b = self.0.to_le_bytes();
        match product {
            Product::Milan | Product::Genoa => TcbParts {
                fmc: None,
                bootloader: b[0],
                tee: b[1],
                snp: b[6],
                microcode: b[7],
            },
            Product::Turin => TcbParts {
                fmc: Some(b[0]),
                bootloader: b[1],
                tee: b[2],
                snp: b[3],
                microcode: b[7],
            },
        }
    }

    /// Encodes `parts` with the layout of `product` (reserved bytes zero).
    ///
    /// On Milan and Genoa there is no FMC byte: `parts.fmc` is ignored.
    pub fn from_parts(parts: TcbParts, product: Product) -> Self {
        let bytes = match product {
            Product::Milan | Product::Genoa => [
                parts.bootloader,
                parts.tee,
                0,
                0,
                0,
                0,
                parts.snp,
                parts.microcode,
            ],
            Product::Turin => [
                parts.fmc.unwrap_or(0),
                parts.bootloader,
                parts.tee,
                parts.snp,
                0,
                0,
                0,
                parts.microcode,
            ],
        };
        Self(u64::from_le_bytes(bytes))
    }
}

impl fmt::Display for TcbVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#018x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amd::TcbComponent;

    #[test]
    fn milan_layout_matches_real_report() {
        // A real Milan REPORTED_TCB: bl 4, tee 0, snp 0x18, ucode 0xDB.
        let p = TcbVersion(0xDB18_0000_0000_0004).parts(Product::Milan);
        assert_eq!(
            p,
            TcbParts {
                fmc: None,
                bootloader: 4,
                tee: 0,
                snp: 0x18,
                microcode: 0xDB
            }
        );
        assert_eq!(
            TcbVersion::from_parts(p, Product::Milan).0,
            0xDB18_0000_0000_0004
        );
    }

    #[test]
    fn turin_layout_matches_real_report() {
        // A real Turin REPORTED_TCB: fmc 1, bl 1, tee 1, snp 4, ucode 0x51.
        let p = TcbVersion(0x5100_0000_0401_0101).parts(Product::Turin);
        assert_eq!(
            p,
            TcbParts {
                fmc: Some(1),
                bootloader: 1,
                tee: 1,
                snp: 4,
                microcode: 0x51
            }
        );
        assert_eq!(
            TcbVersion::from_parts(p, Product::Turin).0,
            0x5100_0000_0401_0101
        );
    }

    #[test]
    fn comparison_is_per_component() {
        let actual = TcbParts {
            fmc: None,
            bootloader: 4,
            tee: 0,
            snp: 24,
            microcode: 200,
        };
        let min = TcbParts {
            fmc: None,
            bootloader: 3,
            tee: 0,
            snp: 20,
            microcode: 210,
        };
        assert_eq!(
            actual.first_below(&min),
            Some((TcbComponent::Microcode, 210, 200))
        );
        let min_ok = TcbParts {
            microcode: 200,
            ..min
        };
        assert_eq!(actual.first_below(&min_ok), None);
        let min_fmc = TcbParts {
            fmc: Some(0),
            ..min_ok
        };
        assert_eq!(
            actual.first_below(&min_fmc),
            Some((TcbComponent::Fmc, 0, 0))
        );
    }
}
