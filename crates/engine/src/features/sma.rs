//! Simple moving average.

use super::column::Column;

/// Simple moving average of `values` over `period` bars.
///
/// Formula: `sma[i] = (values[i + 1 - period] + ... + values[i]) / period`.
///
/// Parameters: `period` >= 1 bars (0 gives a column with no valid bar).
///
/// Warm-up: `first_valid = period - 1`.
///
/// Convention: TA-Lib's `SMA`. The window sum is kept as a running sum (add the new value,
/// subtract the one leaving), so one pass is O(n); its rounding differs from a fresh sum by a
/// few ulps, far inside the 1e-9 the tests hold it to.
pub fn sma(values: &[f64], period: usize) -> Column {
    let n_bars = values.len();
    if period == 0 || period > n_bars {
        return Column::empty(n_bars);
    }
    let mut out = Vec::with_capacity(n_bars);
    let divisor = period as f64;
    let mut sum = 0.0;
    for &value in &values[..period - 1] {
        sum += value;
        out.push(f64::NAN);
    }
    out.push({
        sum += values[period - 1];
        sum / divisor
    });
    out.extend(
        values[period..]
            .iter()
            .zip(values)
            .map(|(&entering, &leaving)| {
                sum += entering;
                sum -= leaving;
                sum / divisor
            }),
    );
    Column::new(out, period - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_three_bar_average() {
        let column = sma(&[1.0, 2.0, 3.0, 4.0, 8.0], 3);
        assert_eq!(column.first_valid(), 2);
        assert_eq!(column.get(1), None);
        assert_eq!(column.get(2), Some(2.0));
        assert_eq!(column.get(3), Some(3.0));
        assert_eq!(column.get(4), Some(5.0));
    }

    #[test]
    fn period_longer_than_data_or_zero_has_no_valid_bar() {
        assert!(!sma(&[1.0, 2.0], 3).has_valid());
        assert!(!sma(&[1.0, 2.0], 0).has_valid());
        assert_eq!(sma(&[1.0, 2.0], 1).get(0), Some(1.0));
    }
}
