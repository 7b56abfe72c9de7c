//! TCB statuses as Intel's collateral and Quote Verification Library name them.

use core::fmt;

/// The status of a TCB level, or the result of evaluating a platform against them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcbStatus {
    /// The platform is up to date.
    UpToDate,
    /// Up to date, but software mitigations are needed for some advisories.
    SwHardeningNeeded,
    /// Up to date, but the platform configuration needs changing (e.g. disable SMT).
    ConfigurationNeeded,
    /// Both of the above.
    ConfigurationAndSwHardeningNeeded,
    /// A newer TCB exists; the platform should be updated.
    OutOfDate,
    /// Out of date, and the configuration needs changing.
    OutOfDateConfigurationNeeded,
    /// The TCB is revoked.
    Revoked,
    /// TD 1.5: launched on an out-of-date TCB that has since been updated in place;
    /// relaunching the TD would make it up to date.
    TdRelaunchAdvised,
    /// As [`Self::TdRelaunchAdvised`], with configuration needed.
    TdRelaunchAdvisedConfigurationNeeded,
}

impl TcbStatus {
    /// Intel's name (`UpToDate`, `SWHardeningNeeded`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::UpToDate => "UpToDate",
            Self::SwHardeningNeeded => "SWHardeningNeeded",
            Self::ConfigurationNeeded => "ConfigurationNeeded",
            Self::ConfigurationAndSwHardeningNeeded => "ConfigurationAndSWHardeningNeeded",
            Self::OutOfDate => "OutOfDate",
            Self::OutOfDateConfigurationNeeded => "OutOfDateConfigurationNeeded",
            Self::Revoked => "Revoked",
            Self::TdRelaunchAdvised => "TDRelaunchAdvised",
            Self::TdRelaunchAdvisedConfigurationNeeded => "TDRelaunchAdvisedConfigurationNeeded",
        }
    }

    /// The status a TCB Info level may carry (the two relaunch statuses are results only).
    pub fn from_collateral(name: &str) -> Option<Self> {
        Some(match name {
            "UpToDate" => Self::UpToDate,
            "SWHardeningNeeded" => Self::SwHardeningNeeded,
            "ConfigurationNeeded" => Self::ConfigurationNeeded,
            "ConfigurationAndSWHardeningNeeded" => Self::ConfigurationAndSwHardeningNeeded,
            "OutOfDate" => Self::OutOfDate,
            "OutOfDateConfigurationNeeded" => Self::OutOfDateConfigurationNeeded,
            "Revoked" => Self::Revoked,
            _ => return None,
        })
    }

    /// Any status by name, including the relaunch results (for caller options).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::from_collateral(name).or(match name {
            "TDRelaunchAdvised" => Some(Self::TdRelaunchAdvised),
            "TDRelaunchAdvisedConfigurationNeeded" => {
                Some(Self::TdRelaunchAdvisedConfigurationNeeded)
            }
            _ => None,
        })
    }

    fn needs_configuration(self) -> bool {
        matches!(
            self,
            Self::ConfigurationNeeded
                | Self::ConfigurationAndSwHardeningNeeded
                | Self::OutOfDateConfigurationNeeded
                | Self::TdRelaunchAdvisedConfigurationNeeded
        )
    }

    /// Intel's convergence of a platform status with a component (TDX module or QE) that
    /// is out of date: an otherwise current platform becomes OutOfDate, one needing
    /// configuration becomes OutOfDateConfigurationNeeded; others are unchanged.
    pub(crate) fn with_component_out_of_date(self) -> Self {
        match self {
            Self::UpToDate | Self::SwHardeningNeeded => Self::OutOfDate,
            Self::ConfigurationNeeded | Self::ConfigurationAndSwHardeningNeeded => {
                Self::OutOfDateConfigurationNeeded
            }
            other => other,
        }
    }

    /// Intel's TD relaunch rule (TD 1.5): a TD launched on an out-of-date TCB whose
    /// current TCB is no longer out of date is advised to relaunch.
    pub(crate) fn relaunch(launch: Self, current: Self) -> Self {
        let launch_out_of_date =
            matches!(launch, Self::OutOfDate | Self::OutOfDateConfigurationNeeded);
        let current_fixed = matches!(
            current,
            Self::UpToDate
                | Self::SwHardeningNeeded
                | Self::ConfigurationNeeded
                | Self::ConfigurationAndSwHardeningNeeded
        );
        if launch_out_of_date && current_fixed {
            if launch.needs_configuration() || current.needs_configuration() {
                Self::TdRelaunchAdvisedConfigurationNeeded
            } else {
                Self::TdRelaunchAdvised
            }
        } else {
            launch
        }
    }
}

impl fmt::Display for TcbStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for TcbStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}
