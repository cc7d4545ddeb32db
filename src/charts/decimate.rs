//! Per-pixel-column decimation: a series longer than the canvas is wide is reduced to one
//! bucket per pixel column that keeps the extremes (min and max, or the OHLC of the bucket),
//! so a spike never disappears and a million bars draw as fast as a thousand.

use std::ops::Range;

/// One pixel column of candles: the bucket's open, extremes, close and summed volume.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OhlcBucket {
    /// The first and last bar the bucket covers (inclusive).
    pub first_bar: usize,
    pub last_bar: usize,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
}

/// One pixel column of a line series: its extremes and the last value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinMaxBucket {
    pub first_bar: usize,
    pub last_bar: usize,
    pub min: f64,
    pub max: f64,
    pub last: f64,
}

/// The bar range of bucket `idx` when `range` is split into `n_buckets` near-equal parts.
fn bucket_bars(range: &Range<usize>, n_buckets: usize, idx: usize) -> Range<usize> {
    let len = range.end - range.start;
    let start = range.start + idx * len / n_buckets;
    let end = range.start + (idx + 1) * len / n_buckets;
    start..end
}

/// How many buckets a range gets on `n_columns` pixel columns: one per bar when they fit.
pub fn n_buckets(range: &Range<usize>, n_columns: usize) -> usize {
    (range.end.saturating_sub(range.start)).min(n_columns.max(1))
}

/// OHLCV buckets of `range`; the columns must all have the same length.
pub fn decimate_ohlcv(
    open: &[f64],
    high: &[f64],
    low: &[f64],
    close: &[f64],
    volume: &[f64],
    range: Range<usize>,
    n_columns: usize,
) -> Vec<OhlcBucket> {
    let range = range.start.min(open.len())..range.end.min(open.len());
    let n = n_buckets(&range, n_columns);
    let mut buckets = Vec::with_capacity(n);
    for idx in 0..n {
        let bars = bucket_bars(&range, n, idx);
        if bars.is_empty() {
            continue;
        }
        let mut bucket = OhlcBucket {
            first_bar: bars.start,
            last_bar: bars.end - 1,
            open: open[bars.start],
            high: f64::NEG_INFINITY,
            low: f64::INFINITY,
            close: close[bars.end - 1],
            volume: 0.0,
        };
        for bar in bars {
            bucket.high = bucket.high.max(high[bar]);
            bucket.low = bucket.low.min(low[bar]);
            bucket.volume += volume[bar];
        }
        buckets.push(bucket);
    }
    buckets
}

/// Min/max buckets of `values[range]`; NaN values (warm-up) are skipped, and a bucket with no
/// finite value is left out.
pub fn decimate_minmax(values: &[f64], range: Range<usize>, n_columns: usize) -> Vec<MinMaxBucket> {
    let range = range.start.min(values.len())..range.end.min(values.len());
    let n = n_buckets(&range, n_columns);
    let mut buckets = Vec::with_capacity(n);
    for idx in 0..n {
        let bars = bucket_bars(&range, n, idx);
        let mut bucket: Option<MinMaxBucket> = None;
        for bar in bars {
            let value = values[bar];
            if !value.is_finite() {
                continue;
            }
            let b = bucket.get_or_insert(MinMaxBucket {
                first_bar: bar,
                last_bar: bar,
                min: value,
                max: value,
                last: value,
            });
            b.min = b.min.min(value);
            b.max = b.max.max(value);
            b.last = value;
            b.last_bar = bar;
        }
        buckets.extend(bucket);
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ranges_keep_one_bucket_per_bar() {
        let v = [1.0, 2.0, 3.0];
        let buckets = decimate_ohlcv(&v, &v, &v, &v, &v, 0..3, 100);
        assert_eq!(buckets.len(), 3);
        assert_eq!(buckets[2].first_bar, 2);
        assert_eq!(buckets[2].close, 3.0);
    }

    #[test]
    fn a_single_spike_survives_decimation() {
        let n = 1_000_000;
        let mut high = vec![10.0; n];
        high[777_777] = 99.0;
        let flat = vec![10.0; n];
        let low = vec![9.0; n];
        let volume = vec![1.0; n];
        let buckets = decimate_ohlcv(&flat, &high, &low, &flat, &volume, 0..n, 1000);
        assert_eq!(buckets.len(), 1000);
        let max = buckets.iter().map(|b| b.high).fold(f64::MIN, f64::max);
        assert_eq!(max, 99.0);
        let total_volume: f64 = buckets.iter().map(|b| b.volume).sum();
        assert_eq!(total_volume, n as f64);
        assert_eq!(buckets[0].first_bar, 0);
        assert_eq!(buckets[999].last_bar, n - 1);
        for pair in buckets.windows(2) {
            assert_eq!(
                pair[0].last_bar + 1,
                pair[1].first_bar,
                "buckets tile the range"
            );
        }
    }

    #[test]
    fn minmax_skips_warm_up_and_keeps_extremes() {
        let mut values: Vec<f64> = (0..100).map(|i| i as f64).collect();
        values[..10].fill(f64::NAN);
        values[50] = -5.0;
        let buckets = decimate_minmax(&values, 0..100, 10);
        assert_eq!(buckets.len(), 9, "the all-NaN first bucket is left out");
        assert_eq!(buckets[0].first_bar, 10);
        let min = buckets.iter().map(|b| b.min).fold(f64::MAX, f64::min);
        assert_eq!(min, -5.0);
        assert_eq!(buckets.last().map(|b| b.last), Some(99.0));
    }

    #[test]
    fn out_of_range_requests_are_clamped() {
        let v = [1.0, 2.0];
        assert!(decimate_minmax(&v, 5..9, 10).is_empty());
        assert_eq!(decimate_ohlcv(&v, &v, &v, &v, &v, 1..9, 10).len(), 1);
    }
}
