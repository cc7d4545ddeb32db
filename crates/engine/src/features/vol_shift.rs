//! Volatility shift: short ATR over long ATR.

use super::column::Column;

/// The volatility shift when the long ATR is 0 (no movement at all): no shift.
pub const VOL_SHIFT_FLAT: f64 = 1.0;

/// Volatility shift `atr_short / atr_long`, unitless: above 1 when recent bars move more
/// than the longer history.
///
/// Parameters: two ATR columns of the same data (defaults: periods 14 and 50).
///
/// Warm-up: the later of the two columns' `first_valid`.
///
/// Convention: when the long ATR is 0 every true range so far was 0, so the short ATR is 0 too
/// and the shift is [`VOL_SHIFT_FLAT`].
pub fn vol_shift(atr_short: &Column, atr_long: &Column) -> Column {
    let n_bars = atr_short.len().min(atr_long.len());
    let first_valid = atr_short.first_valid().max(atr_long.first_valid());
    let start = first_valid.min(n_bars);
    let mut out = Vec::with_capacity(n_bars);
    out.extend(std::iter::repeat_n(f64::NAN, start));
    let short = &atr_short.values()[start..n_bars];
    let long = &atr_long.values()[start..n_bars];
    out.extend(short.iter().zip(long).map(|(&short, &long)| {
        if long > 0.0 {
            short / long
        } else {
            VOL_SHIFT_FLAT
        }
    }));
    Column::new(out, first_valid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_starts_when_both_are_valid() {
        let short = Column::new(vec![f64::NAN, 2.0, 3.0, 0.0], 1);
        let long = Column::new(vec![f64::NAN, f64::NAN, 1.5, 0.0], 2);
        let shift = vol_shift(&short, &long);
        assert_eq!(shift.first_valid(), 2);
        assert_eq!(shift.get(1), None);
        assert_eq!(shift.get(2), Some(2.0));
        assert_eq!(shift.get(3), Some(VOL_SHIFT_FLAT));
    }
}
