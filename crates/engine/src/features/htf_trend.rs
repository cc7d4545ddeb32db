//! Higher-timeframe trend from completed higher-timeframe bars only.

use super::column::Column;

/// The higher-timeframe close, its EMA and the trend, as usable at each base bar.
#[derive(Clone, Debug)]
pub struct HtfTrend {
    /// Close of the last completed higher-timeframe bar, in price.
    pub close: Column,
    /// EMA of completed higher-timeframe closes, in price.
    pub ema: Column,
    /// `close / ema - 1`: a fraction, positive when the higher timeframe trades above its
    /// EMA (0.01 is 1 % above).
    pub trend: Column,
}

impl HtfTrend {
    /// Heap bytes held by the three columns.
    pub fn heap_bytes(&self) -> usize {
        self.close.heap_bytes() + self.ema.heap_bytes() + self.trend.heap_bytes()
    }
}

/// The span of one higher-timeframe bar in milliseconds, `None` when it would not be positive
/// or would overflow.
pub fn htf_span_ms(timeframe_ms: i64, multiple: usize) -> Option<i64> {
    let multiple = i64::try_from(multiple).ok()?;
    timeframe_ms.checked_mul(multiple).filter(|&span| span > 0)
}

/// Index of the UTC-aligned higher-timeframe bucket holding `ts_ms`.
#[inline]
pub(crate) fn bucket_of(ts_ms: i64, span_ms: i64) -> i64 {
    ts_ms.div_euclid(span_ms)
}

/// The end (exclusive) of a bucket in milliseconds, saturating.
#[inline]
pub(crate) fn bucket_end_ms(bucket: i64, span_ms: i64) -> i64 {
    bucket.saturating_add(1).saturating_mul(span_ms)
}

/// Running state over completed higher-timeframe closes.
struct HtfEma {
    n_completed: usize,
    period: usize,
    k: f64,
    seed_sum: f64,
    last_close: f64,
    ema: f64,
}

impl HtfEma {
    fn push(&mut self, close: f64) {
        self.n_completed += 1;
        self.last_close = close;
        if self.n_completed < self.period {
            self.seed_sum += close;
        } else if self.n_completed == self.period {
            self.seed_sum += close;
            self.ema = self.seed_sum / self.period as f64;
        } else {
            self.ema += self.k * (close - self.ema);
        }
    }
}

/// Higher-timeframe trend `htf_close / htf_ema - 1` from completed higher-timeframe bars only.
///
/// Buckets: the higher timeframe spans `multiple × timeframe_ms`; buckets are aligned to UTC
/// multiples of that span (`bucket = floor(ts_ms / span)`), so 4h bars start at 00:00, 04:00…
/// UTC whatever the first bar. A bucket's close is the close of its last base bar.
///
/// Completion: a bucket is usable at base bar i once its last base bar has closed, i.e. once
/// `bucket_end <= ts_ms[i] + timeframe_ms`, or once bar i lies in a later bucket (after a gap).
/// A partial first bucket counts like any other (its close is still a real close). With
/// irregular spacing a base bar may fall into a bucket already completed; it is ignored, so a
/// completed higher-timeframe bar never changes.
///
/// Parameters: `timeframe_ms` (the dataset's inferred timeframe), `multiple` >= 1,
/// `ema_period` >= 1 higher-timeframe bars.
///
/// Warm-up: `close` is valid from the first bar with one completed bucket; `ema` and `trend`
/// from the first bar with `ema_period` completed buckets. The EMA is seeded like [`super::ema`]
/// (simple mean of the first `ema_period` closes).
///
/// Past values depend on the data only through bars up to them and on `timeframe_ms`; data
/// whose inferred timeframe changes when bars are appended (very irregular spacing) shifts the
/// buckets.
pub fn htf_trend(
    ts_ms: &[i64],
    close: &[f64],
    timeframe_ms: i64,
    multiple: usize,
    ema_period: usize,
) -> HtfTrend {
    let n_bars = ts_ms.len().min(close.len());
    let span_ms = match htf_span_ms(timeframe_ms, multiple) {
        Some(span_ms) if ema_period > 0 => span_ms,
        _ => {
            return HtfTrend {
                close: Column::empty(n_bars),
                ema: Column::empty(n_bars),
                trend: Column::empty(n_bars),
            }
        }
    };
    let mut htf_close = vec![f64::NAN; n_bars];
    let mut htf_ema = vec![f64::NAN; n_bars];
    let mut trend = vec![f64::NAN; n_bars];
    let mut first_close = n_bars;
    let mut first_ema = n_bars;
    let mut state = HtfEma {
        n_completed: 0,
        period: ema_period,
        k: 2.0 / (ema_period as f64 + 1.0),
        seed_sum: 0.0,
        last_close: f64::NAN,
        ema: f64::NAN,
    };
    // The bucket still collecting bars, with its close so far.
    let mut pending: Option<(i64, f64)> = None;
    let mut last_completed: Option<i64> = None;
    for bar_idx in 0..n_bars {
        let ts = ts_ms[bar_idx];
        let bucket = bucket_of(ts, span_ms);
        if let Some((pending_bucket, pending_close)) = pending {
            if pending_bucket != bucket {
                state.push(pending_close);
                last_completed = Some(pending_bucket);
                pending = None;
            }
        }
        if last_completed != Some(bucket) {
            if bucket_end_ms(bucket, span_ms) <= ts.saturating_add(timeframe_ms) {
                state.push(close[bar_idx]);
                last_completed = Some(bucket);
                pending = None;
            } else {
                pending = Some((bucket, close[bar_idx]));
            }
        }
        if state.n_completed >= 1 {
            first_close = first_close.min(bar_idx);
            htf_close[bar_idx] = state.last_close;
        }
        if state.n_completed >= ema_period {
            first_ema = first_ema.min(bar_idx);
            htf_ema[bar_idx] = state.ema;
            trend[bar_idx] = state.last_close / state.ema - 1.0;
        }
    }
    HtfTrend {
        close: Column::new(htf_close, first_close),
        ema: Column::new(htf_ema, first_ema),
        trend: Column::new(trend, first_ema),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: i64 = 3_600_000;

    #[test]
    fn buckets_complete_at_their_last_base_bar() {
        // 1h bars from 02:00 UTC; 2h buckets [02:00, 04:00) and [04:00, 06:00).
        let ts_ms: Vec<i64> = (2..7).map(|hour| hour * HOUR_MS).collect();
        let close = [10.0, 11.0, 12.0, 13.0, 14.0];
        let htf = htf_trend(&ts_ms, &close, HOUR_MS, 2, 1);
        // The 02:00 bar has not closed the bucket; the 03:00 bar closes it at 04:00.
        assert_eq!(htf.close.get(0), None);
        assert_eq!(htf.close.get(1), Some(11.0));
        assert_eq!(htf.close.get(2), Some(11.0), "04:00 bucket still open");
        assert_eq!(htf.close.get(3), Some(13.0));
        assert_eq!(htf.close.get(4), Some(13.0));
        assert_eq!(htf.trend.get(3), Some(0.0), "EMA of period 1 is the close");
    }

    #[test]
    fn partial_first_bucket_and_gaps() {
        // 1h bars at 03:00, 04:00, then a gap to 09:00; 4h buckets from 00:00 UTC.
        let ts_ms = [3 * HOUR_MS, 4 * HOUR_MS, 9 * HOUR_MS];
        let close = [10.0, 20.0, 30.0];
        let htf = htf_trend(&ts_ms, &close, HOUR_MS, 4, 2);
        assert_eq!(
            htf.close.get(0),
            Some(10.0),
            "03:00 closes the [00:00, 04:00) bucket"
        );
        assert_eq!(htf.close.get(1), Some(10.0));
        // The [04:00, 08:00) bucket ended inside the gap: complete at 09:00 with close 20.
        assert_eq!(htf.close.get(2), Some(20.0));
        assert_eq!(htf.ema.get(2), Some(15.0));
        assert_eq!(htf.ema.first_valid(), 2);
    }

    #[test]
    fn non_positive_span_gives_no_valid_bar() {
        let htf = htf_trend(&[0, 1], &[1.0, 1.0], 0, 4, 2);
        assert!(!htf.close.has_valid());
        assert_eq!(htf_span_ms(i64::MAX, 2), None);
    }
}
