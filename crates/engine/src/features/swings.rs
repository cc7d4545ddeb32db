//! Swing highs and lows (pivots), known only once confirmed.

use serde::{Deserialize, Serialize};

use super::column::Column;

/// Which extreme a pivot is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PivotKind {
    High,
    Low,
}

/// One confirmed pivot, for chart markers and for strategies that walk the swing history.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pivot {
    pub kind: PivotKind,
    /// The bar whose high (low) is the extreme.
    pub bar_idx: usize,
    /// The bar at whose close the pivot becomes known: `bar_idx + strength`.
    pub confirmed_bar_idx: usize,
    /// The pivot bar's high (for a high) or low (for a low).
    pub price: f64,
}

/// Swing highs and lows as of each bar: only pivots confirmed by that bar.
#[derive(Clone, Debug)]
pub struct Swings {
    /// Bars needed on each side of a pivot.
    pub strength: usize,
    /// Price of the last swing high confirmed at or before each bar.
    pub high: Column,
    /// Bar index of that swing high's pivot bar (an integer stored as f64).
    pub high_bar: Column,
    /// Price of the last swing low confirmed at or before each bar.
    pub low: Column,
    /// Bar index of that swing low's pivot bar (an integer stored as f64).
    pub low_bar: Column,
    /// Every pivot in confirmation order (a high before a low confirmed at the same bar).
    pub pivots: Vec<Pivot>,
}

impl Swings {
    /// Heap bytes held by the columns and the pivot list.
    pub fn heap_bytes(&self) -> usize {
        self.high.heap_bytes()
            + self.high_bar.heap_bytes()
            + self.low.heap_bytes()
            + self.low_bar.heap_bytes()
            + self.pivots.capacity() * std::mem::size_of::<Pivot>()
    }
}

/// True when bar `pivot_idx` is a swing high of `strength` in `high`: strictly above the
/// `strength` bars before it and at least as high as the `strength` bars after it. The
/// asymmetry makes a plateau of equal highs one pivot, at its first bar.
#[inline]
pub(crate) fn is_swing_high(high: &[f64], pivot_idx: usize, strength: usize) -> bool {
    // Non-short-circuiting `&`: whether a neighbour is higher is a coin flip on real data,
    // and a few extra comparisons cost less than the mispredicted branches.
    let price = high[pivot_idx];
    let left = high[pivot_idx - strength..pivot_idx]
        .iter()
        .fold(true, |ok, &left| ok & (left < price));
    let right = high[pivot_idx + 1..=pivot_idx + strength]
        .iter()
        .fold(true, |ok, &right| ok & (right <= price));
    left & right
}

/// True when bar `pivot_idx` is a swing low: strictly below the bars before, at most the bars
/// after (the mirror of [`is_swing_high`]).
#[inline]
pub(crate) fn is_swing_low(low: &[f64], pivot_idx: usize, strength: usize) -> bool {
    let price = low[pivot_idx];
    let left = low[pivot_idx - strength..pivot_idx]
        .iter()
        .fold(true, |ok, &left| ok & (left > price));
    let right = low[pivot_idx + 1..=pivot_idx + strength]
        .iter()
        .fold(true, |ok, &right| ok & (right >= price));
    left & right
}

/// Swing highs and lows of strength N, each known only at its confirmation bar.
///
/// Definition: bar `p` is a swing high when `high[p] > high[j]` for the N bars `j` before it
/// and `high[p] >= high[j]` for the N bars after it (swing low: mirrored with `low`). A pivot
/// at `p` becomes known at the close of bar `p + N`, so the columns at bar i hold the last
/// pivot with `p + N <= i`. Pivots need N bars on both sides, so none sits in the first or the
/// last N bars.
///
/// Parameters: `strength` N >= 1 bars (0 makes every bar a pivot of both kinds).
///
/// Warm-up: each column's `first_valid` is the confirmation bar of the first pivot of its
/// kind (`len` when there is none): at least `2N`.
///
/// Cost: O(n·N) comparisons in one pass; the pivot list is the only growing allocation.
pub fn swings(high: &[f64], low: &[f64], strength: usize) -> Swings {
    // With the strength a constant the compiler unrolls the neighbour comparisons and drops
    // their bounds checks: about twice as fast for the usual small strengths.
    match strength {
        1 => swings_of::<1>(high, low, strength),
        2 => swings_of::<2>(high, low, strength),
        3 => swings_of::<3>(high, low, strength),
        4 => swings_of::<4>(high, low, strength),
        5 => swings_of::<5>(high, low, strength),
        _ => swings_of::<0>(high, low, strength),
    }
}

/// [`swings`] with the strength fixed at compile time as `STRENGTH` (0: read `strength`).
fn swings_of<const STRENGTH: usize>(high: &[f64], low: &[f64], strength: usize) -> Swings {
    let strength = if STRENGTH == 0 { strength } else { STRENGTH };
    let n_bars = high.len().min(low.len());
    let mut high_price = vec![f64::NAN; n_bars];
    let mut high_bar = vec![f64::NAN; n_bars];
    let mut low_price = vec![f64::NAN; n_bars];
    let mut low_bar = vec![f64::NAN; n_bars];
    // At most one swing high and one swing low per `strength + 1` bars.
    let mut pivots = Vec::with_capacity(2 * (n_bars / strength.saturating_add(1) + 1));
    let mut first_high = n_bars;
    let mut first_low = n_bars;
    let mut last_high: Option<(f64, usize)> = None;
    let mut last_low: Option<(f64, usize)> = None;
    for confirmed_bar_idx in strength.saturating_mul(2)..n_bars {
        let pivot_idx = confirmed_bar_idx - strength;
        if is_swing_high(high, pivot_idx, strength) {
            let price = high[pivot_idx];
            last_high = Some((price, pivot_idx));
            first_high = first_high.min(confirmed_bar_idx);
            pivots.push(Pivot {
                kind: PivotKind::High,
                bar_idx: pivot_idx,
                confirmed_bar_idx,
                price,
            });
        }
        if is_swing_low(low, pivot_idx, strength) {
            let price = low[pivot_idx];
            last_low = Some((price, pivot_idx));
            first_low = first_low.min(confirmed_bar_idx);
            pivots.push(Pivot {
                kind: PivotKind::Low,
                bar_idx: pivot_idx,
                confirmed_bar_idx,
                price,
            });
        }
        if let Some((price, bar_idx)) = last_high {
            high_price[confirmed_bar_idx] = price;
            high_bar[confirmed_bar_idx] = bar_idx as f64;
        }
        if let Some((price, bar_idx)) = last_low {
            low_price[confirmed_bar_idx] = price;
            low_bar[confirmed_bar_idx] = bar_idx as f64;
        }
    }
    Swings {
        strength,
        high: Column::new(high_price, first_high),
        high_bar: Column::new(high_bar, first_high),
        low: Column::new(low_price, first_low),
        low_bar: Column::new(low_bar, first_low),
        pivots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pivot_is_known_only_strength_bars_later() {
        let high = [1.0, 2.0, 5.0, 3.0, 2.0, 2.5, 2.0];
        let low = [0.5, 1.5, 4.0, 2.0, 1.0, 2.0, 1.5];
        let found = swings(&high, &low, 2);
        // The high at bar 2 (5.0) is confirmed at bar 4, not before.
        assert_eq!(found.high.first_valid(), 4);
        assert_eq!(found.high.get(3), None);
        assert_eq!(found.high.get(4), Some(5.0));
        assert_eq!(found.high_bar.get(4), Some(2.0));
        assert_eq!(found.high.get(6), Some(5.0));
        // The low at bar 4 (1.0) would need bars 5 and 6 after it: confirmed at bar 6.
        assert_eq!(found.low.first_valid(), 6);
        assert_eq!(found.low.get(6), Some(1.0));
        assert_eq!(
            found.pivots,
            vec![
                Pivot {
                    kind: PivotKind::High,
                    bar_idx: 2,
                    confirmed_bar_idx: 4,
                    price: 5.0
                },
                Pivot {
                    kind: PivotKind::Low,
                    bar_idx: 4,
                    confirmed_bar_idx: 6,
                    price: 1.0
                },
            ]
        );
    }

    #[test]
    fn an_absurd_strength_finds_nothing_and_does_not_overflow() {
        let found = swings(&[1.0, 2.0, 1.0], &[0.5, 0.4, 0.5], usize::MAX);
        assert!(found.pivots.is_empty());
        assert!(!found.high.has_valid());
    }

    #[test]
    fn a_plateau_of_equal_highs_is_one_pivot_at_its_first_bar() {
        let high = [1.0, 3.0, 3.0, 1.0, 1.0];
        let low = [0.5; 5];
        let found = swings(&high, &low, 1);
        let highs: Vec<usize> = found
            .pivots
            .iter()
            .filter(|pivot| pivot.kind == PivotKind::High)
            .map(|pivot| pivot.bar_idx)
            .collect();
        assert_eq!(highs, vec![1]);
        assert!(!found.low.has_valid(), "a flat low has no strict swing low");
    }

    proptest::proptest! {
        /// Guards the compile-time strengths: each must give exactly what the generic loop
        /// gives (columns to the bit and the pivot list).
        #[test]
        fn fixed_strengths_match_the_generic_loop(
            moves in proptest::collection::vec((-2.0f64..2.0, 0.0f64..2.0), 1..120),
            strength in 0usize..8,
        ) {
            let mut high = Vec::new();
            let mut low = Vec::new();
            let mut mid = 100.0;
            for (step, spread) in moves {
                // Whole-number prices so that equal neighbours (plateaus) occur.
                mid = (mid + step).round();
                high.push(mid + spread.round());
                low.push(mid - spread.round());
            }
            let fixed = swings(&high, &low, strength);
            let generic = swings_of::<0>(&high, &low, strength);
            let bits = |column: &Column| column.values().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            for (a, b) in [
                (&fixed.high, &generic.high),
                (&fixed.high_bar, &generic.high_bar),
                (&fixed.low, &generic.low),
                (&fixed.low_bar, &generic.low_bar),
            ] {
                proptest::prop_assert_eq!(a.first_valid(), b.first_valid());
                proptest::prop_assert_eq!(bits(a), bits(b));
            }
            proptest::prop_assert_eq!(fixed.pivots, generic.pivots);
        }
    }
}
