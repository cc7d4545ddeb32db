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
/// Cost: a sorted window of the previous `lookback` values, allocated once. Each bar is one
/// binary search that counts and finds the insertion point, one that finds the leaving value,
/// and one shift of the values between the two (a third of the window on average).
pub fn atr_pct_rank(atr: &Column, lookback: usize) -> Column {
    let n_bars = atr.len();
    let first_valid = atr.first_valid().saturating_add(lookback);
    if lookback == 0 || first_valid >= n_bars {
        return Column::empty(n_bars);
    }
    let values = atr.values();
    let mut out = Vec::with_capacity(n_bars);
    out.extend(std::iter::repeat_n(f64::NAN, first_valid));
    let mut window: Vec<f64> = Vec::with_capacity(lookback);
    for &value in &values[atr.first_valid()..first_valid] {
        let position = window.partition_point(|&previous| previous <= value);
        window.insert(position, value);
    }
    let divisor = lookback as f64;
    out.extend(
        values[first_valid..]
            .iter()
            .zip(&values[atr.first_valid()..])
            .map(|(&current, &leaving)| {
                // Inserting after the values equal to `current` keeps the window sorted, so one
                // search gives both the count and the insertion point.
                let n_at_or_below = window.partition_point(|&previous| previous <= current);
                // Replace the leaving value by the current one with a single shift of the values
                // between their positions (any value equal to the leaving one will do).
                let leaving_pos = window.partition_point(|&previous| previous < leaving);
                if leaving_pos < n_at_or_below {
                    window.copy_within(leaving_pos + 1..n_at_or_below, leaving_pos);
                    window[n_at_or_below - 1] = current;
                } else if leaving_pos < window.len() {
                    window.copy_within(n_at_or_below..leaving_pos, n_at_or_below + 1);
                    window[n_at_or_below] = current;
                }
                n_at_or_below as f64 / divisor
            }),
    );
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
