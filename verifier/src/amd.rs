//! AMD names used below `snp`: product lines (KDS paths, root pinning, TCB layout) and
//! TCB components (errors). `anchors` and `error` need them, so they cannot live in `snp`,
//! which imports both; `snp` re-exports them.

use core::fmt;

/// An SEV-SNP product line. Siena and Bergamo (Zen 4c) are part of the Genoa line: they
/// use Genoa's ARK, ASK and KDS path (AMD 57230, "VCEK certificate"), and so do they here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Product {
    /// 3rd generation EPYC (Zen 3), family 0x19 models 0x00–0x0F.
    Milan,
    /// 4th generation EPYC (Zen 4), family 0x19 models 0x10–0x1F and 0xA0–0xAF.
    Genoa,
    /// 5th generation EPYC (Zen 5), family 0x1A models 0x00–0x11.
    Turin,
}

impl Product {
    /// Every supported product line.
    pub const ALL: [Self; 3] = [Self::Milan, Self::Genoa, Self::Turin];

    /// The name AMD uses in certificate names and KDS paths (`Milan`, `Genoa`, `Turin`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Milan => "Milan",
            Self::Genoa => "Genoa",
            Self::Turin => "Turin",
        }
    }

    /// The product line from the CPUID family and model of a v3+ report
    /// (CPUID_FAM_ID at 0x188, CPUID_MOD_ID at 0x189). `None` for an unknown part.
    pub fn from_cpuid(family: u8, model: u8) -> Option<Self> {
        match (family, model) {
            (0x19, 0x00..=0x0F) => Some(Self::Milan),
            (0x19, 0x10..=0x1F) | (0x19, 0xA0..=0xAF) => Some(Self::Genoa),
            (0x1A, 0x00..=0x11) => Some(Self::Turin),
            _ => None,
        }
    }

    /// The product line named by a VCEK/VLEK `productName` extension or a CA name suffix
    /// (`Milan-B0`, `Genoa`, `Turin`). The stepping after `-` is ignored: KDS often gets
    /// it wrong (go-sev-guest#115).
    pub fn from_name(name: &str) -> Option<Self> {
        let line = name.split('-').next().unwrap_or(name);
        Self::ALL.into_iter().find(|p| p.name() == line)
    }

    /// The CPU model name for claims (`Siena` and `Bergamo` are reported as such even
    /// though their product line is Genoa).
    pub fn model_name(family: u8, model: u8) -> Option<&'static str> {
        match (family, model) {
            (0x19, 0x00..=0x0F) => Some("Milan"),
            (0x19, 0x10..=0x1F) => Some("Genoa"),
            (0x19, 0xA0..=0xAF) => Some("Siena/Bergamo"),
            (0x1A, 0x00..=0x11) => Some("Turin"),
            _ => None,
        }
    }

    /// Whether this product's TCB_VERSION carries an FMC SPL and its VCEK a `fmcSPL`
    /// extension and an 8-byte hwID (Turin and later).
    pub fn has_fmc(self) -> bool {
        matches!(self, Self::Turin)
    }

    /// Length of the hwID extension and the significant prefix of CHIP_ID.
    pub fn hwid_len(self) -> usize {
        if self.has_fmc() {
            8
        } else {
            64
        }
    }
}

impl fmt::Display for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One named TCB component, used in errors and comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcbComponent {
    /// FMC SPL (Turin).
    Fmc,
    /// Boot loader SPL.
    Bootloader,
    /// TEE SPL.
    Tee,
    /// SNP firmware SPL.
    Snp,
    /// Microcode SPL.
    Microcode,
}

impl TcbComponent {
    /// The component's name as used in claims and KDS query parameters (without `SPL`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Fmc => "fmc",
            Self::Bootloader => "bootloader",
            Self::Tee => "tee",
            Self::Snp => "snp",
            Self::Microcode => "microcode",
        }
    }
}

impl fmt::Display for TcbComponent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpuid_mapping() {
        assert_eq!(Product::from_cpuid(0x19, 0x01), Some(Product::Milan));
        assert_eq!(Product::from_cpuid(0x19, 0x11), Some(Product::Genoa));
        assert_eq!(Product::from_cpuid(0x19, 0xA0), Some(Product::Genoa));
        assert_eq!(Product::from_cpuid(0x19, 0xAF), Some(Product::Genoa));
        assert_eq!(Product::from_cpuid(0x1A, 0x02), Some(Product::Turin));
        assert_eq!(Product::from_cpuid(0x1A, 0x50), None);
        assert_eq!(Product::from_cpuid(0x17, 0x01), None);
    }

    #[test]
    fn names() {
        assert_eq!(Product::from_name("Milan-B0"), Some(Product::Milan));
        assert_eq!(Product::from_name("Genoa"), Some(Product::Genoa));
        assert_eq!(Product::from_name("Turin"), Some(Product::Turin));
        assert_eq!(Product::from_name("Venice"), None);
    }
}

/// The security patch level of each firmware component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TcbParts {
    /// FMC (first mutable code) SPL; Turin and later only.
    pub fmc: Option<u8>,
    /// PSP boot loader SPL.
    pub bootloader: u8,
    /// PSP operating system (TEE) SPL.
    pub tee: u8,
    /// SNP firmware SPL.
    pub snp: u8,
    /// CPU microcode SPL.
    pub microcode: u8,
}

impl TcbParts {
    /// Each present component with its value, in a fixed order.
    pub fn components(&self) -> impl Iterator<Item = (TcbComponent, u8)> {
        let fmc = self.fmc.map(|v| (TcbComponent::Fmc, v));
        fmc.into_iter().chain([
            (TcbComponent::Bootloader, self.bootloader),
            (TcbComponent::Tee, self.tee),
            (TcbComponent::Snp, self.snp),
            (TcbComponent::Microcode, self.microcode),
        ])
    }

    /// The value of one component (`None` for FMC on products without it).
    pub fn get(&self, component: TcbComponent) -> Option<u8> {
        match component {
            TcbComponent::Fmc => self.fmc,
            TcbComponent::Bootloader => Some(self.bootloader),
            TcbComponent::Tee => Some(self.tee),
            TcbComponent::Snp => Some(self.snp),
            TcbComponent::Microcode => Some(self.microcode),
        }
    }

    /// The first component of `self` that is below the same component of `minimum`,
    /// as `(component, minimum, actual)`. Comparison is per component, never on the raw
    /// u64 (a higher SNP SPL does not make up for a lower microcode SPL). An FMC floor
    /// on a product without FMC is not met.
    pub fn first_below(&self, minimum: &Self) -> Option<(TcbComponent, u8, u8)> {
        minimum.components().find_map(|(c, min)| match self.get(c) {
            Some(actual) if actual >= min => None,
            actual => Some((c, min, actual.unwrap_or(0))),
        })
    }
}
