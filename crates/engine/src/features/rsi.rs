//! Relative strength index (Wilder).

use super::column::Column;

/// The RSI of a series whose average gain and average loss are both zero (a constant series):
/// neutral. TA-Lib outputs 0 here; see the module docs.
pub const RSI_FLAT: f64 = 50.0;

/// Wilder's relative strength index of `close` over `period` bars, in [0, 100].
///
/// Formula: with `gain[i] = max(close[i] - close[i-1], 0)` and
/// `loss[i] = max(close[i-1] - close[i], 0)` for `i >= 1`, the averages are seeded at bar
/// `period` with the simple mean of the first `period` gains (losses), then smoothed with
/// Wilder's rule `avg[i] = (avg[i-1] * (period - 1) + gain[i]) / period`.
/// `rsi = 100 * avg_gain / (avg_gain + avg_loss)`, which equals `100 - 100 / (1 + RS)`.
///
/// Parameters: `period` >= 1 bars (0 gives a column with no valid bar).
///
/// Warm-up: `first_valid = period` (it needs `period` price changes, so `period + 1` bars).
///
/// Convention: TA-Lib's `RSI` (no extra unstable period), except that a window with neither
/// gains nor losses gives [`RSI_FLAT`] (50) where TA-Lib gives 0; TA-Lib also treats sums
/// below 1e-14 as zero, we test for exact zero.
pub fn rsi(close: &[f64], period: usize) -> Column {
    let n_bars = close.len();
    let Some((seed, mut step)) = RsiStep::seed(close, period) else {
        return Column::empty(n_bars);
    };
    let mut out = Vec::with_capacity(n_bars);
    out.extend(std::iter::repeat_n(f64::NAN, period));
    out.push(seed);
    out.extend(
        close[period + 1..]
            .iter()
            .zip(&close[period..])
            .map(|(&close, &prev_close)| step.next(close - prev_close)),
    );
    Column::new(out, period)
}

/// Wilder's recurrence of the RSI after its seed, shared by [`rsi`] and the fused pass of
/// [`super::fused`], so both compute every value with the same operations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RsiStep {
    avg_gain: f64,
    avg_loss: f64,
    keep: f64,
    divisor: f64,
}

impl RsiStep {
    /// The RSI at bar `period` and the recurrence that takes the change into bar
    /// `period + 1` next; `None` when `period` is 0 or the data has at most `period` bars.
    pub(crate) fn seed(close: &[f64], period: usize) -> Option<(f64, RsiStep)> {
        if period == 0 || period >= close.len() {
            return None;
        }
        let mut avg_gain = 0.0;
        let mut avg_loss = 0.0;
        for bar_idx in 1..=period {
            let change = close[bar_idx] - close[bar_idx - 1];
            if change > 0.0 {
                avg_gain += change;
            } else {
                avg_loss -= change;
            }
        }
        let divisor = period as f64;
        avg_gain /= divisor;
        avg_loss /= divisor;
        let step = RsiStep {
            avg_gain,
            avg_loss,
            keep: (period - 1) as f64,
            divisor,
        };
        Some((rsi_value(avg_gain, avg_loss), step))
    }

    /// The RSI at the bar whose close changed by `change` from the previous one.
    #[inline]
    pub(crate) fn next(&mut self, change: f64) -> f64 {
        let (gain, loss) = if change > 0.0 {
            (change, 0.0)
        } else {
            (0.0, -change)
        };
        self.avg_gain = (self.avg_gain * self.keep + gain) / self.divisor;
        self.avg_loss = (self.avg_loss * self.keep + loss) / self.divisor;
        rsi_value(self.avg_gain, self.avg_loss)
    }
}

/// `100 * gain / (gain + loss)`, neutral when both are zero, never above 100: when the
/// loss is so small that `gain + loss` rounds to `gain`, the rounded `100 * gain` could
/// otherwise land one ulp above 100.
#[inline]
pub(crate) fn rsi_value(avg_gain: f64, avg_loss: f64) -> f64 {
    let total = avg_gain + avg_loss;
    if total == 0.0 {
        RSI_FLAT
    } else {
        (100.0 * avg_gain / total).min(100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: the property test once drew an RSI of 100.00000000000001.
    #[test]
    fn a_vanishing_loss_never_pushes_the_rsi_above_100() {
        let mut n_rounded_up = 0;
        for k in 1..2_000 {
            let gain = 1.0 + f64::from(k) * 1e-3;
            if 100.0 * gain / gain > 100.0 {
                n_rounded_up += 1;
            }
            let value = rsi_value(gain, gain * 1e-18);
            assert!((0.0..=100.0).contains(&value), "gain {gain}: {value}");
        }
        assert!(
            n_rounded_up > 0,
            "the unclamped formula does exceed 100 for some gains"
        );
    }

    #[test]
    fn hand_computed_wilder_rsi() {
        // Changes: +2, -1, +1, -2. Period 2 seed at bar 2: gain 1, loss 0.5 -> 66.66...
        // Bar 3: gain (1*1 + 1)/2 = 1, loss (0.5*1 + 0)/2 = 0.25 -> 80.
        // Bar 4: gain (1 + 0)/2 = 0.5, loss (0.25 + 2)/2 = 1.125 -> 100*0.5/1.625.
        let column = rsi(&[10.0, 12.0, 11.0, 12.0, 10.0], 2);
        assert_eq!(column.first_valid(), 2);
        assert!((column.get(2).unwrap() - 200.0 / 3.0).abs() < 1e-12);
        assert!((column.get(3).unwrap() - 80.0).abs() < 1e-12);
        assert!((column.get(4).unwrap() - 50.0 / 1.625).abs() < 1e-12);
    }

    #[test]
    fn only_gains_is_100_only_losses_is_0_flat_is_neutral() {
        assert_eq!(rsi(&[1.0, 2.0, 3.0], 2).get(2), Some(100.0));
        assert_eq!(rsi(&[3.0, 2.0, 1.0], 2).get(2), Some(0.0));
        assert_eq!(rsi(&[3.0, 3.0, 3.0], 2).get(2), Some(RSI_FLAT));
    }

    #[test]
    fn needs_period_plus_one_bars() {
        assert!(!rsi(&[1.0, 2.0], 2).has_valid());
    }
}
