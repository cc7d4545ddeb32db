//! Resampling to a higher timeframe.

use super::candles::{Bar, Candles, Columns};
use super::error::DataError;

impl Candles {
    /// Aggregates bars into buckets of `target_ms`, aligned to UTC multiples of the target
    /// (so weekly buckets start on Thursdays, as 1970-01-01 did): open of the first bar, the
    /// highest high, the lowest low, close of the last bar, the sum of volumes (summed in time
    /// order). A bucket is stamped with its start; empty buckets are gaps, not bars.
    ///
    /// The target must be a positive multiple of the dataset's timeframe; the result must
    /// still have at least two bars.
    pub fn resample(&self, target_ms: i64) -> Result<Candles, DataError> {
        let base_ms = self.timeframe_ms();
        if target_ms <= 0 || base_ms <= 0 || target_ms % base_ms != 0 {
            return Err(DataError::ResampleTarget { target_ms, base_ms });
        }
        let ratio = usize::try_from(target_ms / base_ms).unwrap_or(usize::MAX);
        let mut cols = Columns::with_capacity(self.len() / ratio.max(1) + 1);
        let mut current: Option<Bar> = None;
        for bar_idx in 0..self.len() {
            let bar = self.bar(bar_idx);
            let bucket_ts_ms = bar.ts_ms.div_euclid(target_ms) * target_ms;
            match current.as_mut() {
                Some(open_bucket) if open_bucket.ts_ms == bucket_ts_ms => {
                    open_bucket.high = open_bucket.high.max(bar.high);
                    open_bucket.low = open_bucket.low.min(bar.low);
                    open_bucket.close = bar.close;
                    open_bucket.volume += bar.volume;
                }
                _ => {
                    if let Some(done) = current.take() {
                        cols.push(done);
                    }
                    current = Some(Bar {
                        ts_ms: bucket_ts_ms,
                        ..bar
                    });
                }
            }
        }
        if let Some(done) = current {
            cols.push(done);
        }
        Ok(Candles::from_columns(cols)?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::candles::{Bar, Candles, Columns, ColumnsError};
    use super::super::error::DataError;

    const HOUR_MS: i64 = 3_600_000;

    fn hourly(n_bars: usize, first_ts_ms: i64) -> Candles {
        let mut cols = Columns::default();
        for i in 0..n_bars {
            let base = 100.0 + i as f64;
            cols.push(Bar {
                ts_ms: first_ts_ms + i as i64 * HOUR_MS,
                open: base,
                high: base + 2.0,
                low: base - 1.0,
                close: base + 1.0,
                volume: 1.0 + i as f64,
            });
        }
        Candles::from_columns(cols).unwrap()
    }

    #[test]
    fn hours_to_four_hours_aggregates_each_bucket() {
        // Starts at 02:00, so the first 4h bucket (00:00) holds only two bars.
        let candles = hourly(10, 2 * HOUR_MS);
        let four = candles.resample(4 * HOUR_MS).unwrap();
        assert_eq!(four.ts_ms(), &[0, 4 * HOUR_MS, 8 * HOUR_MS]);
        // Bucket 0 holds bars 0..2 (02:00, 03:00); bucket 1 bars 2..6; bucket 2 bars 6..10.
        assert_eq!(four.open(), &[100.0, 102.0, 106.0]);
        assert_eq!(four.high(), &[103.0, 107.0, 111.0]);
        assert_eq!(four.low(), &[99.0, 101.0, 105.0]);
        assert_eq!(four.close(), &[102.0, 106.0, 110.0]);
        assert_eq!(
            four.volume(),
            &[1.0 + 2.0, 3.0 + 4.0 + 5.0 + 6.0, 7.0 + 8.0 + 9.0 + 10.0]
        );
        assert_eq!(four.timeframe_ms(), 4 * HOUR_MS);
    }

    #[test]
    fn a_target_that_is_not_a_multiple_is_refused() {
        let candles = hourly(10, 0);
        assert_eq!(
            candles.resample(90 * 60_000),
            Err(DataError::ResampleTarget {
                target_ms: 90 * 60_000,
                base_ms: HOUR_MS
            })
        );
        assert!(candles.resample(0).is_err());
        assert!(candles.resample(-HOUR_MS).is_err());
    }

    #[test]
    fn resampling_into_one_bucket_is_too_few_bars() {
        let candles = hourly(10, 0);
        assert_eq!(
            candles.resample(24 * HOUR_MS),
            Err(DataError::Columns(ColumnsError::TooFewBars { n_bars: 1 }))
        );
    }
}
