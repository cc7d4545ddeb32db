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
        [
            &self.mid,
            &self.upper,
            &self.lower,
            &self.width,
            &self.pct_b,
        ]
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
/// (population standard deviation). TA-Lib gets the variance from running sums of x and x²,
/// which loses precision to cancellation at large price levels; we keep the mean and the sum
/// of squared deviations with Welford's sliding-window update and recompute both exactly
/// every `period` bars (O(n) overall, drift bounded to `period` updates). Width and %b are not TA-Lib
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
    let first_valid = period - 1;
    // Filling with NaN first and writing by index is faster than pushing to five vectors.
    let mut mid = vec![f64::NAN; n_bars];
    let mut upper = vec![f64::NAN; n_bars];
    let mut lower = vec![f64::NAN; n_bars];
    let mut width = vec![f64::NAN; n_bars];
    let mut pct_b = vec![f64::NAN; n_bars];
    let divisor = period as f64;
    let mut mean = 0.0;
    let mut m2 = 0.0;
    let mut n_updates = period;
    for bar_idx in first_valid..n_bars {
        let window = &close[bar_idx + 1 - period..=bar_idx];
        if n_updates == period {
            n_updates = 0;
            // Exact restart every `period` bars: the sliding update below drifts by an ulp or
            // so per step, and this bounds the drift to `period` steps.
            mean = window.iter().fold(0.0, |sum, &value| sum + value) / divisor;
            m2 = sum_of_squares(window, mean);
        } else {
            // Welford's update for a sliding window: one value enters, one leaves.
            let entering = close[bar_idx];
            let leaving = close[bar_idx - period];
            let old_mean = mean;
            mean += (entering - leaving) / divisor;
            m2 += (entering - leaving) * (entering - mean + leaving - old_mean);
        }
        n_updates += 1;
        let (mean, half_width) = if is_flat(window) {
            // A flat window has exactly its value as mean and zero width, so %b is exactly
            // the middle; the running mean may be an ulp off here.
            (close[bar_idx], 0.0)
        } else {
            (mean, std_mult * (m2.max(0.0) / divisor).sqrt())
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
    Bollinger {
        mid: Column::new(mid, first_valid),
        upper: Column::new(upper, first_valid),
        lower: Column::new(lower, first_valid),
        width: Column::new(width, first_valid),
        pct_b: Column::new(pct_b, first_valid),
    }
}

/// `sum((x - mean)^2)` with four interleaved accumulators (x[0], x[4]... in the first),
/// added in a fixed order: four times shorter dependency chains than one running sum, and the
/// same result on every platform.
#[inline]
fn sum_of_squares(window: &[f64], mean: f64) -> f64 {
    let mut acc = [0.0; 4];
    let mut chunks = window.chunks_exact(4);
    for chunk in &mut chunks {
        for (lane, &value) in acc.iter_mut().zip(chunk) {
            let deviation = value - mean;
            *lane += deviation * deviation;
        }
    }
    let mut tail = 0.0;
    for &value in chunks.remainder() {
        let deviation = value - mean;
        tail += deviation * deviation;
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + tail
}

/// True when every value of the window is the same.
#[inline]
pub(crate) fn is_flat(window: &[f64]) -> bool {
    window
        .split_first()
        .is_none_or(|(first, rest)| rest.iter().all(|value| value == first))
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
        assert_eq!(
            bands.pct_b.get(7),
            Some(1.0),
            "close 9 sits on the upper band"
        );
    }

    /// Guards against cancellation: at a price of 60,000 after wild swings, a window that moves
    /// by a cent must still get its tiny standard deviation right (running sums of x and x²
    /// would return noise here).
    #[test]
    fn quiet_window_after_wild_swings_at_a_high_price_level() {
        let close: Vec<f64> = (0..2_000u64)
            .map(|i| {
                if i < 1_000 {
                    60_000.0 + ((i * 7_919) % 1_000) as f64 * 3.0 - 1_500.0
                } else {
                    60_000.0 + 0.01 * (i % 3) as f64
                }
            })
            .collect();
        let period = 20;
        let bands = bollinger(&close, period, 2.0);
        for bar_idx in period - 1..close.len() {
            let window = &close[bar_idx + 1 - period..=bar_idx];
            let mean = window.iter().sum::<f64>() / period as f64;
            let var = window.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / period as f64;
            let want_half_width = 2.0 * var.sqrt();
            let got_half_width = bands.upper.values()[bar_idx] - bands.mid.values()[bar_idx];
            let tolerance = 1e-9 * want_half_width.max(1e-9);
            assert!(
                (got_half_width - want_half_width).abs() <= tolerance.max(1e-7),
                "bar {bar_idx}: {got_half_width} vs {want_half_width}"
            );
            assert!((0.0..=1.0).contains(&bands.pct_b.values()[bar_idx]));
        }
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
