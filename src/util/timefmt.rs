//! Times as the page shows and reads them: UTC, minutes precision.

use genesis_engine::data::timestamp::{days_from_civil, format_iso_ms};

/// `2024-01-02 13:00` (UTC).
pub fn short_time(ts_ms: i64) -> String {
    let iso = format_iso_ms(ts_ms);
    iso.get(..16).map(|s| s.replace('T', " ")).unwrap_or(iso)
}

/// A `YYYY-MM-DD` date input (UTC midnight) in ms; empty or malformed gives `None`.
pub fn parse_date_input(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400_000)
}

/// The `YYYY-MM-DD` of a UTC time, for date inputs.
pub fn date_input(ts_ms: i64) -> String {
    format_iso_ms(ts_ms).chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_the_input_format() {
        let ts = parse_date_input("2024-03-01").unwrap();
        assert_eq!(ts, 1_709_251_200_000);
        assert_eq!(date_input(ts), "2024-03-01");
        assert_eq!(short_time(ts + 13 * 3_600_000), "2024-03-01 13:00");
        assert_eq!(parse_date_input(""), None);
        assert_eq!(parse_date_input("2024-13-01"), None);
        assert_eq!(parse_date_input("yesterday"), None);
    }
}
