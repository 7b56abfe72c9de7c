//! Time as a value: every time-sensitive check takes `now` as an argument.

pub use rustls_pki_types::UnixTime;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Seconds since the Unix epoch of a [`UnixTime`].
pub fn secs(t: UnixTime) -> u64 {
    t.as_secs()
}

/// A [`UnixTime`] from seconds since the Unix epoch.
pub fn from_secs(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(core::time::Duration::from_secs(secs))
}

/// Formats a time as RFC 3339 UTC (`2025-01-29T16:26:55Z`), for messages and claims.
/// Past year 9999, where RFC 3339 has no form, the seconds are given as such.
pub fn rfc3339(t: UnixTime) -> String {
    rfc3339_secs(t.as_secs())
}

/// [`rfc3339`] of seconds since the epoch, for the crate's own fields that hold seconds
/// (error fields, parsed certificate and collateral dates).
pub(crate) fn rfc3339_secs(secs: u64) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("{secs} (Unix seconds)"))
}

/// Parses an RFC 3339 timestamp (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`), fractions
/// dropped. `None` if it is not one, names an impossible date or offset, or is before
/// 1970.
pub fn parse_rfc3339(s: &str) -> Option<UnixTime> {
    parse_rfc3339_explained(s).ok()
}

/// [`parse_rfc3339`] as seconds since the epoch, for the crate's own parsers.
pub(crate) fn parse_rfc3339_secs(s: &str) -> Option<u64> {
    parse_rfc3339(s).map(secs)
}

/// [`parse_rfc3339`], saying what is wrong: the calendar checks (February 30th, hour 24,
/// an offset beyond ±23:59) are the `time` crate's, the one RFC 3339 implementation the
/// workspace uses.
///
/// # Errors
/// A short reason, such as `the day is out of range`.
pub fn parse_rfc3339_explained(s: &str) -> Result<UnixTime, String> {
    let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|e| match e {
        time::error::Parse::TryFromParsed(time::error::TryFromParsed::ComponentRange(r)) => {
            format!("the {} is out of range", r.name())
        }
        time::error::Parse::ParseFromDescription(
            time::error::ParseFromDescription::InvalidComponent(name),
        ) => format!("the {name} is not valid"),
        _ => "expected YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)".to_owned(),
    })?;
    u64::try_from(t.unix_timestamp())
        .map(from_secs)
        .map_err(|_| "it is before 1970".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2025-01-29T16:26:55Z",
            "2000-02-29T23:59:59Z",
            "2100-12-31T00:00:00Z",
        ] {
            let t = parse_rfc3339(s).unwrap();
            assert_eq!(rfc3339(t), s);
            assert_eq!(rfc3339_secs(secs(t)), s);
        }
        assert_eq!(
            parse_rfc3339_secs("2025-01-29T16:26:55Z"),
            Some(1_738_168_015)
        );
        assert_eq!(
            parse_rfc3339_secs("2025-01-29T17:26:55+01:00"),
            Some(1_738_168_015)
        );
        assert_eq!(
            parse_rfc3339("2025-01-29T16:26:55.123Z"),
            Some(from_secs(1_738_168_015))
        );
        assert_eq!(parse_rfc3339("2025-13-29T16:26:55Z"), None);
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(
            rfc3339_secs(u64::MAX),
            format!("{} (Unix seconds)", u64::MAX)
        );
    }

    #[test]
    fn impossible_dates_and_offsets_are_refused() {
        for s in [
            "2025-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2025-04-31T00:00:00Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01T00:60:00Z",
            "2025-01-01T00:00:00+24:00",
            "2025-01-01T00:00:00+99:99",
            "2025-01-01T00:00:00+00:60",
            "2025-01-01T00:00:00",
            "2025-01-01T00:00:00.Z",
            "2025-1-01T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(s), None, "{s}");
        }
        assert_eq!(
            parse_rfc3339_explained("2025-02-30T00:00:00Z").unwrap_err(),
            "the day is out of range"
        );
        assert!(parse_rfc3339_explained("2025-01-01T00:00:00+24:00")
            .unwrap_err()
            .contains("offset hour"));
        // The leap second RFC 3339 allows, at the end of a month, counts as :59.
        assert_eq!(
            parse_rfc3339("2016-12-31T23:59:60Z"),
            parse_rfc3339("2016-12-31T23:59:59Z")
        );
        assert_eq!(
            parse_rfc3339_secs("2024-02-29T00:00:00Z"),
            Some(1_709_164_800)
        );
    }
}
