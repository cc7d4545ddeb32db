//! Average true range (Wilder).

use super::column::Column;

/// The true range of bar `bar_idx >= 1`: the largest of `high - low`, `|high - prev_close|`
/// and `|low - prev_close|`. Bar 0 has no previous close and no true range.
#[inline]
pub fn true_range(high: f64, low: f64, prev_close: f64) -> f64 {
    (high - low)
        .max((high - prev_close).abs())
        .max((low - prev_close).abs())
}

/// Wilder's average true range over `period` bars, in price units, >= 0.
///
/// Formula: `tr[i] = true_range(high[i], low[i], close[i-1])` for `i >= 1`;
/// `atr[period] = mean(tr[1..=period])` (the seed), then Wilder's smoothing
/// `atr[i] = (atr[i-1] * (period - 1) + tr[i]) / period`.
///
/// Parameters: `period` >= 1 bars (0 gives a column with no valid bar).
///
/// Warm-up: `first_valid = period` (bar 0 has no true range).
///
/// Convention: TA-Lib's `ATR` (no extra unstable period).
pub fn atr(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Column {
    let n_bars = close.len().min(high.len()).min(low.len());
    let Some((seed, mut step)) = AtrStep::seed(high, low, close, period) else {
        return Column::empty(n_bars);
    };
    let mut out = Vec::with_capacity(n_bars);
    out.extend(std::iter::repeat_n(f64::NAN, period));
    out.push(seed);
    let later = (period + 1)..n_bars;
    out.extend(
        high[later.clone()]
            .iter()
            .zip(&low[later.clone()])
            .zip(&close[later.start - 1..later.end - 1])
            .map(|((&high, &low), &prev_close)| step.next(true_range(high, low, prev_close))),
    );
    Column::new(out, period)
}

/// Wilder's recurrence of the ATR after its seed, shared by [`atr`] and the fused pass of
/// [`super::fused`], so both compute every value with the same operations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AtrStep {
    prev: f64,
    keep: f64,
    divisor: f64,
}

impl AtrStep {
    /// The ATR at bar `period` and the recurrence that takes bar `period + 1`'s true range
    /// next; `None` when `period` is 0 or the data has at most `period` bars.
    pub(crate) fn seed(
        high: &[f64],
        low: &[f64],
        close: &[f64],
        period: usize,
    ) -> Option<(f64, AtrStep)> {
        let n_bars = close.len().min(high.len()).min(low.len());
        if period == 0 || period >= n_bars {
            return None;
        }
        let mut sum = 0.0;
        for bar_idx in 1..=period {
            sum += true_range(high[bar_idx], low[bar_idx], close[bar_idx - 1]);
        }
        let divisor = period as f64;
        let prev = sum / divisor;
        let step = AtrStep {
            prev,
            keep: (period - 1) as f64,
            divisor,
        };
        Some((prev, step))
    }

    /// The ATR at the bar whose true range is `true_range`.
    #[inline]
    pub(crate) fn next(&mut self, true_range: f64) -> f64 {
        self.prev = (self.prev * self.keep + true_range) / self.divisor;
        self.prev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn true_range_uses_the_previous_close_on_gaps() {
        assert_eq!(true_range(11.0, 10.0, 10.5), 1.0);
        assert_eq!(true_range(11.0, 10.0, 8.0), 3.0, "gap up");
        assert_eq!(true_range(11.0, 10.0, 13.0), 3.0, "gap down");
    }

    #[test]
    fn hand_computed_wilder_atr() {
        let high = [10.0, 12.0, 12.0, 15.0];
        let low = [9.0, 10.0, 11.0, 12.0];
        let close = [9.5, 11.0, 11.5, 14.0];
        // tr: -, 2.5 (12 - 9.5), 1.0, 3.5 (15 - 11.5). Period 2: seed (2.5 + 1) / 2 = 1.75,
        // then (1.75 + 3.5) / 2 = 2.625.
        let column = atr(&high, &low, &close, 2);
        assert_eq!(column.first_valid(), 2);
        assert_eq!(column.get(2), Some(1.75));
        assert_eq!(column.get(3), Some(2.625));
    }
}
