//! Time as a value: every time-sensitive check takes `now` as an argument.

// The civil-date arithmetic below works on values bounded by the input format (a 4-digit
// year, or seconds / 86400 for a u64), far from overflow.
#![allow(clippy::arithmetic_side_effects)]

pub use rustls_pki_types::UnixTime;

/// Seconds since the Unix epoch of a [`UnixTime`].
pub fn secs(t: UnixTime) -> u64 {
    t.as_secs()
}

/// A [`UnixTime`] from seconds since the Unix epoch.
pub fn from_secs(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(core::time::Duration::from_secs(secs))
}

/// Formats seconds since the epoch as RFC 3339 UTC (`2025-01-29T16:26:55Z`), for messages
/// and claims.
pub fn rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Parses RFC 3339 / ISO 8601 UTC timestamps of the form `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`
/// into seconds since the epoch. `None` if malformed or before 1970.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let num = |r: core::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = frac.get(digits..)?;
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes().get(3) != Some(&b':') {
                return None;
            }
            let h: i64 = rest.get(1..3)?.parse().ok()?;
            let m: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day)?;
    let total = days
        .checked_mul(86_400)?
        .checked_add(hour * 3600 + min * 60 + sec)?
        .checked_sub(offset)?;
    u64::try_from(total).ok()
}

// Howard Hinnant's civil-date algorithms (public domain), for proleptic Gregorian UTC.
fn days_from_civil(y: i64, m: i64, d: i64) -> Option<i64> {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era.checked_mul(146_097)?.checked_add(doe - 719_468)
}

fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
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
        }
        assert_eq!(parse_rfc3339("2025-01-29T16:26:55Z"), Some(1_738_168_015));
        assert_eq!(
            parse_rfc3339("2025-01-29T17:26:55+01:00"),
            Some(1_738_168_015)
        );
        assert_eq!(
            parse_rfc3339("2025-01-29T16:26:55.123Z"),
            Some(1_738_168_015)
        );
        assert_eq!(parse_rfc3339("2025-13-29T16:26:55Z"), None);
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
