//! ATR percentile rank: where today's volatility sits in its recent history.

use super::column::Column;

/// ATR percentile rank over `lookback` bars, in [0, 1].
///
/// Formula: `rank[i] = count(j in i-lookback..i with atr[j] <= atr[i]) / lookback`: the
/// fraction of the previous `lookback` ATR values (the current one excluded) that are at or
/// below the current one. 1 means the highest volatility of the lookback, 0 the lowest. The
/// `genesis` strategy's `signal_adaptation` zones compare it against their `max_atr_pct`.
///
/// Parameters: an ATR column (any period) and `lookback` >= 1 bars (0 gives no valid bar).
///
/// Warm-up: `first_valid = atr.first_valid + lookback`.
///
/// Cost: a sorted window of the previous `lookback` values; each bar is one binary search to
/// count, one to remove the oldest and one to insert (moves of at most `lookback` values),
/// and the window is allocated once.
pub fn atr_pct_rank(atr: &Column, lookback: usize) -> Column {
    let n_bars = atr.len();
    let first_valid = atr.first_valid().saturating_add(lookback);
    if lookback == 0 || first_valid >= n_bars {
        return Column::empty(n_bars);
    }
    let values = atr.values();
    let mut out = vec![f64::NAN; n_bars];
    let mut window: Vec<f64> = Vec::with_capacity(lookback + 1);
    let divisor = lookback as f64;
    for bar_idx in atr.first_valid()..n_bars {
        let current = values[bar_idx];
        if bar_idx >= first_valid {
            let n_at_or_below = window.partition_point(|&previous| previous <= current);
            out[bar_idx] = n_at_or_below as f64 / divisor;
            // Any element equal to the leaving value is interchangeable with it for counting.
            let leaving = values[bar_idx - lookback];
            let position = window.partition_point(|&previous| previous < leaving);
            if position < window.len() {
                window.remove(position);
            }
        }
        let position = window.partition_point(|&previous| previous < current);
        window.insert(position, current);
    }
    Column::new(out, first_valid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_ranks_with_ties() {
        let atr = Column::new(vec![f64::NAN, 3.0, 1.0, 2.0, 2.0, 0.5, 9.0], 1);
        let rank = atr_pct_rank(&atr, 3);
        assert_eq!(rank.first_valid(), 4);
        assert_eq!(rank.get(3), None);
        // Bar 4 (2.0) against [3, 1, 2]: 1 and 2 are <= 2.
        assert_eq!(rank.get(4), Some(2.0 / 3.0));
        // Bar 5 (0.5) against [1, 2, 2]: none.
        assert_eq!(rank.get(5), Some(0.0));
        // Bar 6 (9.0) against [2, 2, 0.5]: all.
        assert_eq!(rank.get(6), Some(1.0));
    }
}
