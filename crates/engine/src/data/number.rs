//! Decimal numbers from byte slices, without allocating.
//!
//! Plain decimals with at most 15 significant digits (nearly every price and volume in a
//! candle file) take an exact fast path: the digits form an integer below 2^53 and the scale
//! is a power of ten below 10^23, both exactly representable, so one IEEE division gives the
//! correctly rounded result. Everything else (exponents, long mantissas, `inf`, `NaN`) goes to
//! the standard library's correctly rounded parser, so both paths return the same bits.

/// Powers of ten that are exact in an f64.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The largest integer below which every integer is exact in an f64.
const MAX_EXACT_MANTISSA: u64 = 1 << 53;

/// The longest text the slow path copies for a decimal comma.
const MAX_NUMBER_BYTES: usize = 64;

/// Parses a number; with `is_comma_decimal` a single `,` is read as the decimal point.
pub(crate) fn parse_f64(text: &[u8], is_comma_decimal: bool) -> Option<f64> {
    if let Some(value) = parse_simple(text, is_comma_decimal) {
        return Some(value);
    }
    parse_f64_slow(text, is_comma_decimal)
}

/// A row's number in the layout's way of writing them. Plain decimals take the same fast
/// path as [`parse_f64`] whatever the layout, so grouping costs nothing until a value is not
/// a plain decimal. Kept out of line, as `parse_f64` is, so the row code around it stays small.
#[inline(never)]
pub(crate) fn parse_number(text: &[u8], is_comma_decimal: bool, grouping: Grouping) -> Option<f64> {
    if let Some(value) = parse_simple(text, is_comma_decimal) {
        return Some(value);
    }
    if grouping.is_plain() {
        parse_f64_slow(text, is_comma_decimal)
    } else {
        parse_grouped(text, grouping)
    }
}

/// [`parse_f64`] past its fast path: a decimal comma, an exponent, a long mantissa, `inf`.
fn parse_f64_slow(text: &[u8], is_comma_decimal: bool) -> Option<f64> {
    if is_comma_decimal && text.contains(&b',') {
        if text.len() > MAX_NUMBER_BYTES || text.contains(&b'.') {
            return None;
        }
        let mut buffer = [0u8; MAX_NUMBER_BYTES];
        for (slot, &b) in buffer.iter_mut().zip(text) {
            *slot = if b == b',' { b'.' } else { b };
        }
        return parse_std(&buffer[..text.len()]);
    }
    parse_std(text)
}

/// How a layout writes numbers beyond plain decimals (Investing.com: `"28,400.00"`, `88.34K`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Grouping {
    /// `,` separates groups of three digits before the decimal point.
    pub has_thousands_separators: bool,
    /// A trailing `K`, `M` or `B` multiplies by a thousand, a million or a billion.
    pub has_magnitude_suffixes: bool,
}

impl Grouping {
    /// Neither separators nor suffixes: plain decimals.
    #[inline(always)]
    pub fn is_plain(self) -> bool {
        !self.has_thousands_separators && !self.has_magnitude_suffixes
    }
}

/// Parses a number written with thousands separators and/or a magnitude suffix, as the
/// layout allows. The suffix moves the decimal point rather than multiplying, so `88.34K`
/// is exactly 88340. A separator must sit between groups of exactly three digits; anything
/// else (`1,2`, `12,34.5`) is not a number.
#[inline(never)]
pub(crate) fn parse_grouped(text: &[u8], grouping: Grouping) -> Option<f64> {
    let (body, shift) = match text.split_last() {
        Some((b'K' | b'k', rest)) if grouping.has_magnitude_suffixes => (rest, 3),
        Some((b'M' | b'm', rest)) if grouping.has_magnitude_suffixes => (rest, 6),
        Some((b'B' | b'b', rest)) if grouping.has_magnitude_suffixes => (rest, 9),
        _ => (text, 0),
    };
    if shift == 0 && !(grouping.has_thousands_separators && body.contains(&b',')) {
        return parse_f64(text, false);
    }
    // Copy without separators, then move the decimal point `shift` places right.
    let mut buffer = [0u8; MAX_NUMBER_BYTES];
    let mut len = 0;
    let mut point = None;
    let mut digits_since_separator: Option<usize> = None;
    let mut digits_before = 0;
    for &b in body {
        match b {
            b',' if grouping.has_thousands_separators && point.is_none() => {
                if digits_since_separator.is_some_and(|n| n != 3) || digits_before == 0 {
                    return None;
                }
                digits_since_separator = Some(0);
                continue;
            }
            b'.' if point.is_none() => {
                point = Some(len);
            }
            b'0'..=b'9' => {
                if point.is_none() {
                    digits_before += 1;
                    if let Some(n) = digits_since_separator.as_mut() {
                        *n += 1;
                    }
                }
            }
            b'-' | b'+' if len == 0 => {}
            _ => return None,
        }
        if len >= MAX_NUMBER_BYTES {
            return None;
        }
        buffer[len] = b;
        len += 1;
    }
    let has_digits = body.iter().any(u8::is_ascii_digit);
    if !has_digits || digits_since_separator.is_some_and(|n| n != 3) {
        return None;
    }
    if shift > 0 {
        // Remove the point, pad with zeros as needed, and put the point back `shift` later.
        let (int_end, frac) = match point {
            Some(p) => (p, len - p - 1),
            None => (len, 0),
        };
        let mut moved = [0u8; MAX_NUMBER_BYTES];
        let mut n = 0;
        let push = |moved: &mut [u8; MAX_NUMBER_BYTES], n: &mut usize, b: u8| {
            if *n < MAX_NUMBER_BYTES {
                moved[*n] = b;
                *n += 1;
            }
        };
        for &b in &buffer[..int_end] {
            push(&mut moved, &mut n, b);
        }
        let fraction = &buffer[(int_end + 1).min(len)..len];
        for i in 0..shift.max(frac) {
            if i == shift {
                push(&mut moved, &mut n, b'.');
            }
            push(&mut moved, &mut n, fraction.get(i).copied().unwrap_or(b'0'));
        }
        if n >= MAX_NUMBER_BYTES {
            return None;
        }
        return parse_f64(&moved[..n], false);
    }
    parse_f64(&buffer[..len], false)
}

fn parse_std(text: &[u8]) -> Option<f64> {
    std::str::from_utf8(text).ok()?.parse::<f64>().ok()
}

/// `[+-]digits[.digits]` with a short enough mantissa, or `None` to fall back.
#[inline]
fn parse_simple(text: &[u8], is_comma_decimal: bool) -> Option<f64> {
    let (is_negative, digits) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, text),
    };
    let mut mantissa: u64 = 0;
    let mut n_digits = 0usize;
    let mut n_fraction_digits = 0usize;
    let mut has_point = false;
    for &b in digits {
        if b.is_ascii_digit() {
            // Leading zeros do not count against the 19-digit budget of a u64.
            if mantissa != 0 || b != b'0' {
                n_digits += 1;
            }
            if n_digits > 19 {
                return None;
            }
            mantissa = mantissa * 10 + u64::from(b - b'0');
            if has_point {
                n_fraction_digits += 1;
            }
        } else if (b == b'.' || (b == b',' && is_comma_decimal)) && !has_point {
            has_point = true;
        } else {
            return None;
        }
    }
    let n_digits_seen = digits.len() - usize::from(has_point);
    if n_digits_seen == 0 || mantissa > MAX_EXACT_MANTISSA {
        return None;
    }
    let scale = *EXACT_POWERS_OF_TEN.get(n_fraction_digits)?;
    let magnitude = mantissa as f64 / scale;
    Some(if is_negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_and_special_forms() {
        assert_eq!(parse_f64(b"42000.5", false), Some(42000.5));
        assert_eq!(parse_f64(b"-0.25", false), Some(-0.25));
        assert_eq!(parse_f64(b"+3", false), Some(3.0));
        assert_eq!(parse_f64(b".5", false), Some(0.5));
        assert_eq!(parse_f64(b"5.", false), Some(5.0));
        assert_eq!(parse_f64(b"1.5e3", false), Some(1500.0));
        assert_eq!(parse_f64(b"2E-2", false), Some(0.02));
        assert!(parse_f64(b"NaN", false).is_some_and(f64::is_nan));
        assert_eq!(parse_f64(b"inf", false), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"0.1", false), Some(0.1));
        assert_eq!(parse_f64(b"00000000000000000000001.5", false), Some(1.5));
        for bad in ["", ".", "-", "1.2.3", "1,5", "abc", "1 2", "0x10"] {
            assert_eq!(parse_f64(bad.as_bytes(), false), None, "{bad}");
        }
    }

    #[test]
    fn decimal_comma_only_when_allowed() {
        assert_eq!(parse_f64(b"42000,5", true), Some(42000.5));
        assert_eq!(parse_f64(b"1,5e3", true), Some(1500.0));
        assert_eq!(parse_f64(b"1,5", false), None);
        assert_eq!(parse_f64(b"1,000.5", true), None);
    }

    #[test]
    fn thousands_separators_and_suffixes_only_when_the_layout_uses_them() {
        let investing = Grouping {
            has_thousands_separators: true,
            has_magnitude_suffixes: true,
        };
        assert_eq!(parse_grouped(b"28,400.00", investing), Some(28_400.0));
        assert_eq!(parse_grouped(b"1,234,567.5", investing), Some(1_234_567.5));
        assert_eq!(parse_grouped(b"63162.0", investing), Some(63_162.0));
        assert_eq!(parse_grouped(b"88.34K", investing), Some(88_340.0));
        assert_eq!(parse_grouped(b"1.5M", investing), Some(1_500_000.0));
        assert_eq!(parse_grouped(b"2B", investing), Some(2e9));
        assert_eq!(parse_grouped(b"0.1234567K", investing), Some(123.4567));
        assert_eq!(parse_grouped(b"1,000K", investing), Some(1e6));
        for bad in [
            "1,2",
            "12,34.5",
            ",100",
            "1,0000",
            "K",
            "1.2.3K",
            "1,000.5,0",
            "--1",
        ] {
            assert_eq!(parse_grouped(bad.as_bytes(), investing), None, "{bad}");
        }
        let plain = Grouping::default();
        assert_eq!(parse_grouped(b"28,400.00", plain), None);
        assert_eq!(parse_grouped(b"88.34K", plain), None);
        assert_eq!(parse_grouped(b"88.34", plain), Some(88.34));
    }

    proptest! {
        /// The fast path must agree bit for bit with the standard parser it short-cuts.
        #[test]
        fn agrees_with_std_on_decimals(int_part in 0u64..10_000_000_000, frac in 0u64..1_000_000_000, n_frac in 0usize..10, is_negative: bool) {
            let frac_text = format!("{frac:09}");
            let text = format!("{}{int_part}.{}", if is_negative { "-" } else { "" }, &frac_text[..n_frac]);
            let expected: f64 = text.parse().unwrap();
            prop_assert_eq!(parse_f64(text.as_bytes(), false).map(f64::to_bits), Some(expected.to_bits()));
        }

        #[test]
        fn agrees_with_std_on_any_float(value in proptest::num::f64::ANY) {
            let text = value.to_string();
            let parsed = parse_f64(text.as_bytes(), false).unwrap();
            prop_assert!(parsed.to_bits() == value.to_bits() || (parsed.is_nan() && value.is_nan()));
        }
    }
}
