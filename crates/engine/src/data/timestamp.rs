//! Timestamps: unix integers in any unit, ISO-8601 and calendar dates, all to UTC
//! milliseconds, plus the civil-date arithmetic behind them (proleptic Gregorian calendar,
//! days counted from 1970-01-01).
//!
//! Times finer than a millisecond are truncated toward minus infinity; a date without a zone is
//! read as UTC.

use serde::{Deserialize, Serialize};

pub const MS_PER_SECOND: i64 = 1_000;
pub const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
pub const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
pub const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;
pub const MS_PER_WEEK: i64 = 7 * MS_PER_DAY;

/// The unit of a unix timestamp column, decided by the magnitude of its first value:
/// below 1e11 seconds (until the year 5138), below 1e14 milliseconds, below 1e17
/// microseconds, nanoseconds above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    Seconds,
    Millis,
    Micros,
    Nanos,
}

impl TimeUnit {
    pub fn from_magnitude(value: i64) -> TimeUnit {
        let magnitude = value.unsigned_abs();
        if magnitude < 100_000_000_000 {
            TimeUnit::Seconds
        } else if magnitude < 100_000_000_000_000 {
            TimeUnit::Millis
        } else if magnitude < 100_000_000_000_000_000 {
            TimeUnit::Micros
        } else {
            TimeUnit::Nanos
        }
    }

    /// Converts an integer count of this unit plus a decimal fraction of one unit (given as
    /// thousandths) to milliseconds; `None` on overflow.
    pub fn to_ms(self, value: i64, frac_thousandths: i64) -> Option<i64> {
        match self {
            TimeUnit::Seconds => value
                .checked_mul(MS_PER_SECOND)?
                .checked_add(frac_thousandths),
            TimeUnit::Millis => Some(value),
            TimeUnit::Micros => Some(value.div_euclid(1_000)),
            TimeUnit::Nanos => Some(value.div_euclid(1_000_000)),
        }
    }
}

/// The order of day and month in a date written with the year last: `05.03.2024` is the 5th
/// of March day first (Europe, Dukascopy) and the 3rd of May month first (the US,
/// Investing.com). Year-first dates (`2024-03-05`) have one reading and need no order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Day, month, year.
    Dmy,
    /// Month, day, year.
    Mdy,
}

impl DateOrder {
    /// How the report writes the order: `DD.MM.YYYY`-style, with the file's separator.
    pub fn pattern(self, separator: char) -> String {
        let (first, second) = match self {
            DateOrder::Dmy => ("DD", "MM"),
            DateOrder::Mdy => ("MM", "DD"),
        };
        format!("{first}{separator}{second}{separator}YYYY")
    }
}

impl std::fmt::Display for DateOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DateOrder::Dmy => "day first",
            DateOrder::Mdy => "month first",
        })
    }
}

/// What one year-last date says about the day/month order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OrderEvidence {
    /// Not a year-last date at all (year-first, unix, or not a date).
    NotYearLast,
    /// Both leading numbers are 12 or less: either order reads it.
    Ambiguous,
    /// Only this order gives a real date.
    Settles(DateOrder),
}

/// Reads the day/month evidence of a year-last date `AA?BB?YYYY...` (separator `.`, `/` or
/// `-`), with the separator it uses.
pub(crate) fn order_evidence(text: &[u8]) -> (OrderEvidence, u8) {
    let mut cursor = Cursor { text, pos: 0 };
    let Some((first, second, _, separator)) = cursor.year_last_parts() else {
        return (OrderEvidence::NotYearLast, 0);
    };
    let evidence = match (first <= 12, second <= 12) {
        (true, true) => OrderEvidence::Ambiguous,
        (false, true) => OrderEvidence::Settles(DateOrder::Dmy),
        (true, false) => OrderEvidence::Settles(DateOrder::Mdy),
        (false, false) => OrderEvidence::NotYearLast,
    };
    (evidence, separator)
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (negative before it).
///
/// The year is shifted to start in March, so the leap day is the last day of its year and
/// a 400-year era has a fixed number of days (146,097).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (i64::from(month) + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count from 1970-01-01; the inverse of
/// [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// `2024-01-02T13:00:00Z`, with `.fff` only when the milliseconds are not zero.
pub fn format_iso_ms(ts_ms: i64) -> String {
    let days = ts_ms.div_euclid(MS_PER_DAY);
    let ms_of_day = ts_ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let hour = ms_of_day / MS_PER_HOUR;
    let minute = ms_of_day % MS_PER_HOUR / MS_PER_MINUTE;
    let second = ms_of_day % MS_PER_MINUTE / MS_PER_SECOND;
    let millis = ms_of_day % MS_PER_SECOND;
    if millis == 0 {
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z")
    }
}

/// A unix timestamp as written: an optional sign, digits, and an optional decimal fraction.
/// Returns the integer part and the first three fraction digits as thousandths.
pub(crate) fn parse_unix(text: &[u8]) -> Option<(i64, i64)> {
    let (is_negative, rest) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let (int_digits, frac_digits) = match rest.iter().position(|&b| b == b'.') {
        Some(dot) => (&rest[..dot], &rest[dot + 1..]),
        None => (rest, &rest[rest.len()..]),
    };
    if int_digits.is_empty() || int_digits.len() > 19 {
        return None;
    }
    let mut value: i64 = 0;
    for &b in int_digits {
        let digit = digit_value(b)?;
        value = value.checked_mul(10)?.checked_add(digit)?;
    }
    let mut thousandths = 0;
    for (position, &b) in frac_digits.iter().enumerate() {
        let digit = digit_value(b)?;
        if position < 3 {
            thousandths += digit * [100, 10, 1][position];
        }
    }
    if is_negative {
        // -1.5 s is 1.5 s before the epoch: both parts carry the sign.
        Some((-value, -thousandths))
    } else {
        Some((value, thousandths))
    }
}

/// A timestamp as a user types it (a command-line option, a config value): a unix number in
/// any unit (by magnitude) or a date with optional time and zone; `None` if neither.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim().as_bytes();
    match parse_unix(text) {
        Some((value, thousandths)) => TimeUnit::from_magnitude(value).to_ms(value, thousandths),
        None => parse_datetime(text),
    }
}

/// True when the text looks like a unix timestamp rather than a date.
pub(crate) fn is_unix_like(text: &[u8]) -> bool {
    parse_unix(text).is_some()
}

/// A calendar date with an optional time of day and zone, to UTC milliseconds.
///
/// Accepted: `YYYY-MM-DD`, `YYYY.MM.DD` or `YYYY/MM/DD`; then optionally `T` or spaces and
/// `HH:MM[:SS[.fraction]]`; then optionally `Z`, `UTC`, `GMT` or an offset `±HH[:MM]` /
/// `±HHMM`.
pub(crate) fn parse_datetime(text: &[u8]) -> Option<i64> {
    parse_datetime_in(text, None)
}

/// [`parse_datetime`], also reading year-last dates (`DD.MM.YYYY`, `MM/DD/YYYY`, with `.`,
/// `/` or `-`) in the given order. Year-first dates read the same under any order.
pub(crate) fn parse_datetime_in(text: &[u8], order: Option<DateOrder>) -> Option<i64> {
    let mut cursor = Cursor { text, pos: 0 };
    let days = cursor.date(order)?;
    let mut ms_of_day = 0;
    let mut offset_ms = 0;
    if !cursor.is_done() {
        let separator = cursor.peek()?;
        if separator == b'T' || separator == b't' || separator == b' ' {
            cursor.skip_while(|b| b == b'T' || b == b't' || b == b' ');
            ms_of_day = cursor.time_of_day()?;
            cursor.skip_while(|b| b == b' ');
            if !cursor.is_done() {
                offset_ms = cursor.zone()?;
            }
        } else {
            return None;
        }
    }
    if !cursor.is_done() {
        return None;
    }
    days.checked_mul(MS_PER_DAY)?
        .checked_add(ms_of_day)?
        .checked_sub(offset_ms)
}

/// True when the text is a date without a time of day (`2024.01.02`), the first half of a
/// date and time column pair.
pub(crate) fn is_date_only(text: &[u8]) -> bool {
    let mut cursor = Cursor { text, pos: 0 };
    cursor.date(None).is_some() && cursor.is_done()
}

/// True when the text is a date in some order, year first or year last.
pub(crate) fn is_any_datetime(text: &[u8]) -> bool {
    parse_datetime(text).is_some()
        || parse_datetime_in(text, Some(DateOrder::Dmy)).is_some()
        || parse_datetime_in(text, Some(DateOrder::Mdy)).is_some()
}

/// `HH:MM[:SS[.fraction]]` to milliseconds since midnight.
pub(crate) fn parse_time_of_day(text: &[u8]) -> Option<i64> {
    let mut cursor = Cursor { text, pos: 0 };
    let ms = cursor.time_of_day()?;
    if cursor.is_done() {
        Some(ms)
    } else {
        None
    }
}

fn digit_value(b: u8) -> Option<i64> {
    if b.is_ascii_digit() {
        Some(i64::from(b - b'0'))
    } else {
        None
    }
}

struct Cursor<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn is_done(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_while(&mut self, keep: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Between `min` and `max` ASCII digits as a number.
    fn number(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.pos;
        let mut value = 0;
        while self.pos - start < max {
            match self.peek().and_then(digit_value) {
                Some(digit) => {
                    value = value * 10 + digit;
                    self.pos += 1;
                }
                None => break,
            }
        }
        if self.pos - start >= min {
            Some(value)
        } else {
            None
        }
    }

    /// `AA?BB?YYYY` with `?` one of `.`, `/`, `-` (the same twice): the two leading numbers
    /// the year and the separator, the cursor after the year.
    fn year_last_parts(&mut self) -> Option<(u32, u32, i64, u8)> {
        let first = self.number(1, 2)? as u32;
        let separator = self.peek()?;
        if !matches!(separator, b'-' | b'.' | b'/') {
            return None;
        }
        self.pos += 1;
        let second = self.number(1, 2)? as u32;
        if !self.eat(separator) {
            return None;
        }
        let year = self.number(4, 4)?;
        if self.peek().is_some_and(|b| b.is_ascii_digit()) || first == 0 || second == 0 {
            return None;
        }
        Some((first, second, year, separator))
    }

    fn date(&mut self, order: Option<DateOrder>) -> Option<i64> {
        if let Some(order) = order {
            let start = self.pos;
            if let Some((first, second, year, _)) = self.year_last_parts() {
                let (day, month) = match order {
                    DateOrder::Dmy => (first, second),
                    DateOrder::Mdy => (second, first),
                };
                if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
                    return None;
                }
                return Some(days_from_civil(year, month, day));
            }
            self.pos = start;
        }
        let year = self.number(4, 4)?;
        let separator = self.peek()?;
        if !matches!(separator, b'-' | b'.' | b'/') {
            return None;
        }
        self.pos += 1;
        let month = self.number(1, 2)? as u32;
        if !self.eat(separator) {
            return None;
        }
        let day = self.number(1, 2)? as u32;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        Some(days_from_civil(year, month, day))
    }

    fn time_of_day(&mut self) -> Option<i64> {
        let hour = self.number(1, 2)?;
        if !self.eat(b':') {
            return None;
        }
        let minute = self.number(2, 2)?;
        let mut second = 0;
        let mut millis = 0;
        if self.eat(b':') {
            second = self.number(2, 2)?;
            if self.eat(b'.') || self.eat(b',') {
                let start = self.pos;
                let mut scale = 100;
                while let Some(digit) = self.peek().and_then(digit_value) {
                    millis += digit * scale;
                    scale /= 10;
                    self.pos += 1;
                }
                if self.pos == start {
                    return None;
                }
            }
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        Some(hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * MS_PER_SECOND + millis)
    }

    /// A zone designator as an offset from UTC in milliseconds.
    fn zone(&mut self) -> Option<i64> {
        let rest = &self.text[self.pos..];
        if rest == b"Z" || rest == b"z" || rest == b"UTC" || rest == b"GMT" {
            self.pos = self.text.len();
            return Some(0);
        }
        // Dukascopy's local-time exports write `GMT+0300`: UTC plus three hours.
        if rest.starts_with(b"GMT") || rest.starts_with(b"UTC") {
            self.pos += 3;
        }
        let sign = match self.peek()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.pos += 1;
        let hours = self.number(2, 2)?;
        let has_colon = self.eat(b':');
        let minutes = if has_colon || !self.is_done() {
            self.number(2, 2)?
        } else {
            0
        };
        if hours > 23 || minutes > 59 {
            return None;
        }
        Some(sign * (hours * MS_PER_HOUR + minutes * MS_PER_MINUTE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip_over_a_wide_range() {
        for days in -800_000..800_000 {
            let (year, month, day) = civil_from_days(days);
            assert!((1..=12).contains(&month));
            assert!(day >= 1 && day <= days_in_month(year, month));
            assert_eq!(
                days_from_civil(year, month, day),
                days,
                "{year}-{month}-{day}"
            );
        }
    }

    #[test]
    fn known_dates_have_known_day_counts() {
        // 2024-01-01 is 54 years after 1970 with 13 leap days in between (1972..2020).
        assert_eq!(days_from_civil(2024, 1, 1), 54 * 365 + 13);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        // 2000 is a leap year (divisible by 400), 1900 is not.
        assert_eq!(
            days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
            2
        );
        assert_eq!(
            days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28),
            1
        );
    }

    #[test]
    fn iso_forms_all_mean_the_same_instant() {
        let expected = 1_704_200_400_000; // 2024-01-02T13:00:00Z, from `date -d ... +%s`.
        for text in [
            "2024-01-02T13:00:00Z",
            "2024-01-02 13:00:00",
            "2024-01-02 13:00",
            "2024.01.02 13:00",
            "2024/01/02T13:00:00.000Z",
            "2024-01-02T15:00:00+02:00",
            "2024-01-02T15:00:00+0200",
            "2024-01-02T08:00:00-05",
            "2024-01-02 13:00:00 UTC",
        ] {
            assert_eq!(parse_datetime(text.as_bytes()), Some(expected), "{text}");
        }
        assert_eq!(
            parse_datetime(b"2024-01-02"),
            Some(expected - 13 * MS_PER_HOUR)
        );
        assert_eq!(
            parse_datetime(b"2024-01-02T13:00:00.1239Z"),
            Some(expected + 123)
        );
    }

    #[test]
    fn impossible_dates_and_times_are_refused() {
        for text in [
            "2023-02-29",
            "2024-13-01",
            "2024-01-32",
            "2024-01-02T24:00",
            "2024-01-02T13:60",
            "2024-01-02X13:00",
            "2024-01.02",
            "2024-01-02T13:00+25:00",
            "24-01-02",
            "",
        ] {
            assert_eq!(parse_datetime(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn year_last_dates_read_in_the_given_order() {
        let may_5 = days_from_civil(2024, 5, 5) * MS_PER_DAY;
        let mar_5 = days_from_civil(2024, 3, 5) * MS_PER_DAY;
        let dmy = Some(DateOrder::Dmy);
        let mdy = Some(DateOrder::Mdy);
        assert_eq!(parse_datetime_in(b"05.05.2024", dmy), Some(may_5));
        assert_eq!(parse_datetime_in(b"05/03/2024", dmy), Some(mar_5));
        assert_eq!(parse_datetime_in(b"03/05/2024", mdy), Some(mar_5));
        assert_eq!(parse_datetime_in(b"3-5-2024", mdy), Some(mar_5));
        assert_eq!(
            parse_datetime_in(b"05.05.2024 13:00:00.250", dmy),
            Some(may_5 + 13 * MS_PER_HOUR + 250)
        );
        // Dukascopy's local-time exports: GMT+0300 is three hours ahead of UTC.
        assert_eq!(
            parse_datetime_in(b"05.05.2024 03:00:00.000 GMT+0300", dmy),
            Some(may_5)
        );
        // Year-first dates read the same under any order; year-last ones need an order.
        assert_eq!(parse_datetime_in(b"2024-05-05", mdy), Some(may_5));
        assert_eq!(parse_datetime(b"05.05.2024"), None);
        for bad in [
            "13/05/2024",
            "05/32/2024",
            "00/05/2024",
            "05/05/24",
            "05.05/2024",
            "05/05/20245",
        ] {
            assert_eq!(parse_datetime_in(bad.as_bytes(), mdy), None, "{bad}");
        }
        assert_eq!(
            order_evidence(b"13.05.2024").0,
            OrderEvidence::Settles(DateOrder::Dmy)
        );
        assert_eq!(
            order_evidence(b"05/13/2024").0,
            OrderEvidence::Settles(DateOrder::Mdy)
        );
        assert_eq!(
            order_evidence(b"05/12/2024"),
            (OrderEvidence::Ambiguous, b'/')
        );
        assert_eq!(order_evidence(b"2024-05-13").0, OrderEvidence::NotYearLast);
    }

    #[test]
    fn unix_units_follow_magnitude() {
        assert_eq!(TimeUnit::from_magnitude(1_704_067_200), TimeUnit::Seconds);
        assert_eq!(
            TimeUnit::from_magnitude(1_704_067_200_000),
            TimeUnit::Millis
        );
        assert_eq!(
            TimeUnit::from_magnitude(1_704_067_200_000_000),
            TimeUnit::Micros
        );
        assert_eq!(
            TimeUnit::from_magnitude(1_704_067_200_000_000_000),
            TimeUnit::Nanos
        );
        assert_eq!(
            TimeUnit::Micros.to_ms(1_704_067_200_123_999, 0),
            Some(1_704_067_200_123)
        );
        assert_eq!(
            TimeUnit::Seconds.to_ms(1_704_067_200, 500),
            Some(1_704_067_200_500)
        );
        assert_eq!(parse_unix(b"1704067200.5"), Some((1_704_067_200, 500)));
        assert_eq!(parse_unix(b"-1.25"), Some((-1, -250)));
        assert_eq!(parse_unix(b"12a"), None);
        assert_eq!(parse_unix(b"99999999999999999999"), None);
    }

    #[test]
    fn iso_formatting_matches_parsing() {
        assert_eq!(format_iso_ms(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_iso_ms(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_iso_ms(1_704_200_400_007), "2024-01-02T13:00:00.007Z");
        for ts_ms in [-86_400_001_i64, 0, 951_782_400_000, 1_704_200_400_007] {
            assert_eq!(parse_datetime(format_iso_ms(ts_ms).as_bytes()), Some(ts_ms));
        }
    }
}
