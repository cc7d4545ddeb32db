//! Fibonacci retracement levels of the last confirmed swing leg.

use super::column::Column;
use super::swings::Swings;

/// The retracement ratios, in the order of [`Fib::levels`].
pub const FIB_RATIOS: [f64; 5] = [0.236, 0.382, 0.5, 0.618, 0.786];

/// Fibonacci retracements of the last confirmed swing leg, as of each bar.
#[derive(Clone, Debug)]
pub struct Fib {
    /// One column per ratio of [`FIB_RATIOS`]: `end - ratio * (end - start)`, in price.
    pub levels: [Column; 5],
    /// +1 when the leg ends at a swing high (an up leg: retracements lie below its end),
    /// -1 when it ends at a swing low.
    pub direction: Column,
    /// Signed distance from close to the nearest level, in ATR units:
    /// `(close - nearest_level) / atr`. Positive means close is above that level; take
    /// `abs` for the plain distance. NaN (read as `None`) where the ATR is 0.
    pub dist_atr: Column,
}

impl Fib {
    /// Heap bytes held by the seven columns.
    pub fn heap_bytes(&self) -> usize {
        self.levels.iter().map(Column::heap_bytes).sum::<usize>()
            + self.direction.heap_bytes()
            + self.dist_atr.heap_bytes()
    }
}

/// The leg from the last confirmed swing low and high: `(start, end, direction)`.
///
/// Whichever pivot bar is more recent is the leg's end; a swing high and low on the same bar
/// (an outside bar) count as an up leg.
#[inline]
pub(crate) fn leg(high: f64, high_bar: f64, low: f64, low_bar: f64) -> (f64, f64, f64) {
    if high_bar >= low_bar {
        (low, high, 1.0)
    } else {
        (high, low, -1.0)
    }
}

/// The level nearest to `close` (ties go to the lower ratio) among `end - r * (end - start)`.
#[inline]
pub(crate) fn nearest_level(close: f64, start: f64, end: f64) -> f64 {
    let mut best = end - FIB_RATIOS[0] * (end - start);
    for &ratio in &FIB_RATIOS[1..] {
        let level = end - ratio * (end - start);
        if (close - level).abs() < (close - best).abs() {
            best = level;
        }
    }
    best
}

/// Fibonacci retracement levels of the last confirmed swing leg and the distance of close to
/// the nearest one.
///
/// Formula: the leg runs from the last confirmed swing low to the last confirmed swing high, or
/// from the high to the low, whichever pivot is more recent being the end (see [`Swings`]);
/// `level(r) = end - r * (end - start)` for r in [`FIB_RATIOS`]; `dist_atr = (close -
/// nearest level) / atr`, nearest by absolute distance, ties to the lower ratio.
///
/// Parameters: the swings (strength N) and an ATR column (period in bars) of the same data.
///
/// Warm-up: levels and direction are valid from the first bar with both a confirmed swing high
/// and a confirmed swing low; `dist_atr` also needs the ATR, so it starts at the later of that
/// bar and the ATR's `first_valid`.
///
/// No look-ahead: the swings only hold pivots confirmed by each bar, the ATR only uses bars up
/// to it.
pub fn fib(close: &[f64], swings: &Swings, atr: &Column) -> Fib {
    let n_bars = close
        .len()
        .min(swings.high.len())
        .min(swings.low.len())
        .min(atr.len());
    let mut levels: [Vec<f64>; 5] = std::array::from_fn(|_| vec![f64::NAN; n_bars]);
    let mut direction = vec![f64::NAN; n_bars];
    let mut dist_atr = vec![f64::NAN; n_bars];
    let first_leg = swings.high.first_valid().max(swings.low.first_valid());
    let first_dist = first_leg.max(atr.first_valid());
    let high = swings.high.values();
    let high_bar = swings.high_bar.values();
    let low = swings.low.values();
    let low_bar = swings.low_bar.values();
    let atr_values = atr.values();
    for bar_idx in first_leg.min(n_bars)..n_bars {
        let (start, end, sign) = leg(
            high[bar_idx],
            high_bar[bar_idx],
            low[bar_idx],
            low_bar[bar_idx],
        );
        for (column, &ratio) in levels.iter_mut().zip(&FIB_RATIOS) {
            column[bar_idx] = end - ratio * (end - start);
        }
        direction[bar_idx] = sign;
        if bar_idx >= first_dist && atr_values[bar_idx] > 0.0 {
            let nearest = nearest_level(close[bar_idx], start, end);
            dist_atr[bar_idx] = (close[bar_idx] - nearest) / atr_values[bar_idx];
        }
    }
    let [l0, l1, l2, l3, l4] = levels;
    Fib {
        levels: [
            Column::new(l0, first_leg),
            Column::new(l1, first_leg),
            Column::new(l2, first_leg),
            Column::new(l3, first_leg),
            Column::new(l4, first_leg),
        ],
        direction: Column::new(direction, first_leg),
        dist_atr: Column::new(dist_atr, first_dist),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_leg_levels_retrace_down_from_the_high() {
        let (start, end, sign) = leg(200.0, 10.0, 100.0, 5.0);
        assert_eq!((start, end, sign), (100.0, 200.0, 1.0));
        let expected = [176.4, 161.8, 150.0, 138.2, 121.4];
        for (ratio, want) in FIB_RATIOS.iter().zip(expected) {
            assert!(
                (end - ratio * (end - start) - want).abs() < 1e-9,
                "ratio {ratio}"
            );
        }
        assert!((nearest_level(160.0, start, end) - 161.8).abs() < 1e-9);
        assert!((nearest_level(300.0, start, end) - 176.4).abs() < 1e-9);
    }

    #[test]
    fn down_leg_levels_retrace_up_from_the_low() {
        let (start, end, sign) = leg(200.0, 5.0, 100.0, 10.0);
        assert_eq!((start, end, sign), (200.0, 100.0, -1.0));
        assert_eq!(end - 0.5 * (end - start), 150.0);
        assert!((end - 0.236 * (end - start) - 123.6).abs() < 1e-9);
    }

    #[test]
    fn outside_bar_counts_as_up_leg() {
        assert_eq!(leg(200.0, 7.0, 100.0, 7.0).2, 1.0);
    }
}
