//! Unix-second timestamps for certificate validity and CRL dates.

use core::time::Duration;

use der::asn1::{GeneralizedTime, UtcTime};
use der::DateTime;
use x509_cert::time::Time;

/// 2024-01-01T00:00:00Z: the default `notBefore` of every generated certificate and the
/// default `thisUpdate` of the CRL, so that regenerated files are byte-stable.
pub const DEFAULT_NOT_BEFORE: u64 = 1_704_067_200;

/// 2024-06-01T00:00:00Z: a verification time inside the validity of every default
/// certificate and CRL (the VLEK, valid one year, is the tightest).
pub const DEFAULT_NOW: u64 = 1_717_200_000;

/// Seconds in a day, for validity windows given in days (Intel collateral: 30 days).
pub const DAY: u64 = 86_400;

/// The Unix time of a UTC calendar date and time; panics on an impossible date.
pub fn unix_time(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> u64 {
    DateTime::new(year, month, day, hour, minute, second)
        .unwrap_or_else(|e| {
            panic!("invalid date {year}-{month}-{day} {hour}:{minute}:{second}: {e}")
        })
        .unix_duration()
        .as_secs()
}

/// `t` moved by `years` calendar years, keeping month, day and time of day (as AMD's
/// 25-, 7- and 1-year validities do). 29 February becomes 28 February in a common year.
pub fn add_years(t: u64, years: u16) -> u64 {
    let d = date_time(t);
    let year = d.year() + years;
    DateTime::new(year, d.month(), d.day(), d.hour(), d.minutes(), d.seconds())
        .or_else(|_| DateTime::new(year, d.month(), 28, d.hour(), d.minutes(), d.seconds()))
        .unwrap_or_else(|e| panic!("cannot add {years} years to {t}: {e}"))
        .unix_duration()
        .as_secs()
}

/// The X.509 `Time` for `t`: UTCTime through 2049, GeneralizedTime from 2050
/// (RFC 5280 §4.1.2.5).
pub fn x509_time(t: u64) -> Time {
    let d = Duration::from_secs(t);
    if date_time(t).year() < 2050 {
        Time::UtcTime(UtcTime::from_unix_duration(d).expect("UTCTime range checked above"))
    } else {
        Time::GeneralTime(
            GeneralizedTime::from_unix_duration(d)
                .unwrap_or_else(|e| panic!("time {t} not representable: {e}")),
        )
    }
}

/// `t` as RFC 3339 UTC with a `Z` suffix and no fraction (`2024-06-01T00:00:00Z`), the
/// format of the dates in Intel TCB Info and QE Identity.
pub fn rfc3339(t: u64) -> String {
    let d = date_time(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minutes(),
        d.seconds()
    )
}

fn date_time(t: u64) -> DateTime {
    DateTime::from_unix_duration(Duration::from_secs(t))
        .unwrap_or_else(|e| panic!("time {t} not representable in X.509: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants() {
        assert_eq!(unix_time(2024, 1, 1, 0, 0, 0), DEFAULT_NOT_BEFORE);
        assert_eq!(unix_time(2024, 6, 1, 0, 0, 0), DEFAULT_NOW);
    }

    #[test]
    fn years() {
        assert_eq!(
            add_years(DEFAULT_NOT_BEFORE, 25),
            unix_time(2049, 1, 1, 0, 0, 0)
        );
        assert_eq!(
            add_years(unix_time(2024, 2, 29, 1, 2, 3), 1),
            unix_time(2025, 2, 28, 1, 2, 3)
        );
    }

    #[test]
    fn rfc3339_format() {
        assert_eq!(rfc3339(DEFAULT_NOW), "2024-06-01T00:00:00Z");
        assert_eq!(
            rfc3339(unix_time(2049, 12, 31, 23, 59, 59)),
            "2049-12-31T23:59:59Z"
        );
    }

    #[test]
    fn time_kinds() {
        assert!(matches!(
            x509_time(unix_time(2049, 12, 31, 23, 59, 59)),
            Time::UtcTime(_)
        ));
        assert!(matches!(
            x509_time(unix_time(2050, 1, 1, 0, 0, 0)),
            Time::GeneralTime(_)
        ));
    }
}
