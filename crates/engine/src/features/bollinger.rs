//! Bollinger bands.

use super::column::Column;

/// The %b of bands with zero width (a constant window): the middle.
pub const PCT_B_FLAT: f64 = 0.5;

/// Bollinger bands and the two measures derived from them.
#[derive(Clone, Debug)]
pub struct Bollinger {
    /// Middle band: the simple moving average of close.
    pub mid: Column,
    /// `mid + std_mult * std`.
    pub upper: Column,
    /// `mid - std_mult * std`.
    pub lower: Column,
    /// `(upper - lower) / mid`, a fraction of price (0.04 is 4 %).
    pub width: Column,
    /// `(close - lower) / (upper - lower)`: 0 on the lower band, 1 on the upper,
    /// [`PCT_B_FLAT`] when the bands have zero width.
    pub pct_b: Column,
}

impl Bollinger {
    /// Heap bytes held by the five columns.
    pub fn heap_bytes(&self) -> usize {
        [&self.mid, &self.upper, &self.lower, &self.width, &self.pct_b]
            .iter()
            .map(|column| column.heap_bytes())
            .sum()
    }
}

/// Bollinger bands of `close` over `period` bars, `std_mult` population standard deviations
/// wide.
///
/// Formula: `mid = sma(close, period)`,
/// `std = sqrt(sum((close[j] - mid)^2 for the window) / period)` (population),
/// `upper/lower = mid ± std_mult * std`, `width = (upper - lower) / mid`,
/// `pct_b = (close - lower) / (upper - lower)`.
///
/// Parameters: `period` >= 1 bars (0 gives columns with no valid bar), `std_mult` > 0.
///
/// Warm-up: `first_valid = period - 1` for every output.
///
/// A flat window (every close equal) has mean equal to that close and zero width exactly, so
/// its %b is [`PCT_B_FLAT`]; without this, an ulp of rounding in the mean would make a
/// degenerate band and a %b of 0.25 or 0.75 out of nothing.
///
/// Convention: TA-Lib's `BBANDS` with a simple moving average and equal up/down deviations
/// (population standard deviation). TA-Lib gets the variance from running sums of x and x²;
/// we sum squared deviations from the mean over the window (O(n·period)) instead, which does
/// not lose precision to cancellation at large price levels. Width and %b are not TA-Lib
/// outputs; they follow Bollinger's definitions.
pub fn bollinger(close: &[f64], period: usize, std_mult: f64) -> Bollinger {
    let n_bars = close.len();
    if period == 0 || period > n_bars {
        return Bollinger {
            mid: Column::empty(n_bars),
            upper: Column::empty(n_bars),
            lower: Column::empty(n_bars),
            width: Column::empty(n_bars),
            pct_b: Column::empty(n_bars),
        };
    }
    let mut mid = vec![f64::NAN; n_bars];
    let mut upper = vec![f64::NAN; n_bars];
    let mut lower = vec![f64::NAN; n_bars];
    let mut width = vec![f64::NAN; n_bars];
    let mut pct_b = vec![f64::NAN; n_bars];
    let divisor = period as f64;
    let mut sum = 0.0;
    for bar_idx in 0..n_bars {
        sum += close[bar_idx];
        if bar_idx >= period {
            sum -= close[bar_idx - period];
        }
        if bar_idx + 1 < period {
            continue;
        }
        let window = &close[bar_idx + 1 - period..=bar_idx];
        let (mean, half_width) = if is_flat(window) {
            // The running sum may be an ulp off here; a flat window has exactly its value
            // as mean and zero width, so %b is exactly the middle.
            (close[bar_idx], 0.0)
        } else {
            let mean = sum / divisor;
            let squares = window.iter().fold(0.0, |acc, &value| {
                let deviation = value - mean;
                acc + deviation * deviation
            });
            (mean, std_mult * (squares / divisor).sqrt())
        };
        let up = mean + half_width;
        let low = mean - half_width;
        mid[bar_idx] = mean;
        upper[bar_idx] = up;
        lower[bar_idx] = low;
        width[bar_idx] = (up - low) / mean;
        pct_b[bar_idx] = if up > low {
            (close[bar_idx] - low) / (up - low)
        } else {
            PCT_B_FLAT
        };
    }
    let first_valid = period - 1;
    Bollinger {
        mid: Column::new(mid, first_valid),
        upper: Column::new(upper, first_valid),
        lower: Column::new(lower, first_valid),
        width: Column::new(width, first_valid),
        pct_b: Column::new(pct_b, first_valid),
    }
}

/// True when every value of the window is the same.
#[inline]
pub(crate) fn is_flat(window: &[f64]) -> bool {
    window.split_first().is_none_or(|(first, rest)| rest.iter().all(|value| value == first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_bands() {
        // Window [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, population std 2.
        let close = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let bands = bollinger(&close, 8, 2.0);
        assert_eq!(bands.mid.first_valid(), 7);
        assert_eq!(bands.mid.get(7), Some(5.0));
        assert_eq!(bands.upper.get(7), Some(9.0));
        assert_eq!(bands.lower.get(7), Some(1.0));
        assert_eq!(bands.width.get(7), Some(8.0 / 5.0));
        assert_eq!(bands.pct_b.get(7), Some(1.0), "close 9 sits on the upper band");
    }

    #[test]
    fn flat_window_has_zero_width_and_middle_pct_b() {
        let bands = bollinger(&[3.0, 3.0, 3.0], 2, 2.0);
        assert_eq!(bands.upper.get(2), Some(3.0));
        assert_eq!(bands.lower.get(2), Some(3.0));
        assert_eq!(bands.width.get(2), Some(0.0));
        assert_eq!(bands.pct_b.get(2), Some(PCT_B_FLAT));
    }
}
