//! Exponential moving average.

use super::column::Column;

/// Exponential moving average of `values` with smoothing `k = 2 / (period + 1)`.
///
/// Formula: `ema[period - 1] = mean(values[0..period])` (the seed), then
/// `ema[i] = ema[i - 1] + k * (values[i] - ema[i - 1])`.
///
/// Parameters: `period` >= 1 bars (0 gives a column with no valid bar).
///
/// Warm-up: `first_valid = period - 1`.
///
/// Convention: TA-Lib's `EMA` in its default compatibility mode: seeded with the simple
/// average of the first `period` values, not with the first value (Metastock style). The
/// seed sum runs left to right.
pub fn ema(values: &[f64], period: usize) -> Column {
    let n_bars = values.len();
    let Some((seed, mut step)) = EmaStep::seed(values, period) else {
        return Column::empty(n_bars);
    };
    let mut out = Vec::with_capacity(n_bars);
    out.extend(std::iter::repeat_n(f64::NAN, period - 1));
    out.push(seed);
    out.extend(values[period..].iter().map(|&value| step.next(value)));
    Column::new(out, period - 1)
}

/// The EMA's recurrence after its seed, shared by [`ema`] and the fused pass of
/// [`super::fused`], so both compute every value with the same operations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EmaStep {
    prev: f64,
    k: f64,
}

impl EmaStep {
    /// The seed (the value at bar `period - 1`) and the recurrence that takes `values[period]`
    /// next; `None` when `period` is 0 or longer than the data.
    pub(crate) fn seed(values: &[f64], period: usize) -> Option<(f64, EmaStep)> {
        if period == 0 || period > values.len() {
            return None;
        }
        let seed = values[..period].iter().fold(0.0, |sum, &value| sum + value) / period as f64;
        let k = 2.0 / (period as f64 + 1.0);
        Some((seed, EmaStep { prev: seed, k }))
    }

    /// The EMA at the bar whose value is `value`.
    #[inline]
    pub(crate) fn next(&mut self, value: f64) -> f64 {
        self.prev += self.k * (value - self.prev);
        self.prev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_with_the_simple_average_then_smoothed() {
        // period 3: k = 0.5, seed = (1 + 2 + 3) / 3 = 2, then 2 + 0.5 * (6 - 2) = 4,
        // then 4 + 0.5 * (0 - 4) = 2.
        let column = ema(&[1.0, 2.0, 3.0, 6.0, 0.0], 3);
        assert_eq!(column.first_valid(), 2);
        assert_eq!(column.get(2), Some(2.0));
        assert_eq!(column.get(3), Some(4.0));
        assert_eq!(column.get(4), Some(2.0));
    }

    #[test]
    fn period_one_is_the_input() {
        let column = ema(&[5.0, 7.0], 1);
        assert_eq!(column.values(), &[5.0, 7.0]);
    }
}
