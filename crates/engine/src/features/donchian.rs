//! Donchian channel.

use std::collections::VecDeque;

use super::column::Column;

/// A Donchian channel: the range of the previous `period` bars.
#[derive(Clone, Debug)]
pub struct Donchian {
    /// Highest high of the previous `period` bars.
    pub upper: Column,
    /// Lowest low of the previous `period` bars.
    pub lower: Column,
    /// `(upper + lower) / 2`.
    pub mid: Column,
}

impl Donchian {
    /// Heap bytes held by the three columns.
    pub fn heap_bytes(&self) -> usize {
        self.upper.heap_bytes() + self.lower.heap_bytes() + self.mid.heap_bytes()
    }
}

/// Donchian channel over the `period` bars before each bar, excluding the bar itself.
///
/// Formula: `upper[i] = max(high[i - period..i])`, `lower[i] = min(low[i - period..i])`,
/// `mid[i] = (upper[i] + lower[i]) / 2`.
///
/// Excluding the current bar is what makes a breakout testable at bar i's close:
/// `close[i] > upper[i]` means a new `period`-bar high. (TA-Lib's `MAX`/`MIN` include the
/// current bar; our `upper[i]` is their value at `i - 1`.)
///
/// Parameters: `period` >= 1 bars (0 gives columns with no valid bar).
///
/// Warm-up: `first_valid = period`.
///
/// Computed in one O(n) pass with monotonic deques of bar indices (no per-bar allocation).
pub fn donchian(high: &[f64], low: &[f64], period: usize) -> Donchian {
    let n_bars = high.len().min(low.len());
    if period == 0 || period >= n_bars {
        return Donchian {
            upper: Column::empty(n_bars),
            lower: Column::empty(n_bars),
            mid: Column::empty(n_bars),
        };
    }
    let mut upper = vec![f64::NAN; n_bars];
    let mut lower = vec![f64::NAN; n_bars];
    let mut mid = vec![f64::NAN; n_bars];
    // Front of each deque is the extreme of the window; values behind it are strictly less
    // extreme and younger, so each index enters and leaves once.
    let mut highs: VecDeque<usize> = VecDeque::with_capacity(period + 1);
    let mut lows: VecDeque<usize> = VecDeque::with_capacity(period + 1);
    for bar_idx in 0..n_bars {
        if bar_idx >= period {
            let oldest = bar_idx - period;
            while highs.front().is_some_and(|&front| front < oldest) {
                highs.pop_front();
            }
            while lows.front().is_some_and(|&front| front < oldest) {
                lows.pop_front();
            }
            if let (Some(&hi), Some(&lo)) = (highs.front(), lows.front()) {
                upper[bar_idx] = high[hi];
                lower[bar_idx] = low[lo];
                mid[bar_idx] = (high[hi] + low[lo]) / 2.0;
            }
        }
        while highs
            .back()
            .is_some_and(|&back| high[back] <= high[bar_idx])
        {
            highs.pop_back();
        }
        highs.push_back(bar_idx);
        while lows.back().is_some_and(|&back| low[back] >= low[bar_idx]) {
            lows.pop_back();
        }
        lows.push_back(bar_idx);
    }
    Donchian {
        upper: Column::new(upper, period),
        lower: Column::new(lower, period),
        mid: Column::new(mid, period),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_excludes_the_current_bar() {
        let high = [5.0, 7.0, 6.0, 9.0, 4.0];
        let low = [4.0, 3.0, 5.0, 8.0, 1.0];
        let channel = donchian(&high, &low, 2);
        assert_eq!(channel.upper.first_valid(), 2);
        assert_eq!(channel.upper.get(2), Some(7.0));
        assert_eq!(channel.lower.get(2), Some(3.0));
        assert_eq!(
            channel.upper.get(3),
            Some(7.0),
            "bar 3's own high 9 is excluded"
        );
        assert_eq!(channel.lower.get(3), Some(3.0));
        assert_eq!(channel.upper.get(4), Some(9.0));
        assert_eq!(channel.lower.get(4), Some(5.0));
        assert_eq!(channel.mid.get(4), Some(7.0));
    }
}
