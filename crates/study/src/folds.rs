//! Walk-forward folds: where each fold trains and where it is tested.
//!
//! The first train window starts at the first bar. A fold's test window starts `gap` bars
//! (the purge) after its train window ends, and the next fold's test window starts `step`
//! later (by default the test length, so test windows tile the data). `anchored` folds
//! train from the first bar to the purge; `rolling` folds train on the `train` length right
//! before it. Lengths are bars (`2000`) or calendar time (`90d`, `2w`, `12h`, `30m`), read
//! against the bars' timestamps, so a weekend or a gap in the data does not shift a fold.
//!
//! Test windows never overlap (a step shorter than the test length is refused) and come in
//! time order. The last test window ends at the last bar: when fewer bars are left than a
//! test length it is kept shorter if it has at least half a test length's bars, and dropped
//! otherwise (a fold tested on a sliver says nothing).

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

/// How a fold's train window is placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// From the first bar to the purge before the test window.
    Anchored,
    /// The train length right before the purge.
    Rolling,
}

/// A length of bars, or of calendar time in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Length {
    Bars(usize),
    Millis(i64),
}

impl Length {
    /// `2000` (bars), or a number with `m`, `h`, `d` or `w` (minutes, hours, days, weeks).
    pub fn parse(text: &str) -> Result<Length, FoldError> {
        let text = text.trim();
        let invalid = || FoldError::Length(text.to_owned());
        let unit_ms = match text.chars().last() {
            Some('m') => 60_000,
            Some('h') => 3_600_000,
            Some('d') => 86_400_000,
            Some('w') => 7 * 86_400_000,
            Some(c) if c.is_ascii_digit() => {
                let bars: usize = text.parse().map_err(|_| invalid())?;
                return Ok(Length::Bars(bars));
            }
            _ => return Err(invalid()),
        };
        let count: i64 = text[..text.len() - 1].parse().map_err(|_| invalid())?;
        count
            .checked_mul(unit_ms)
            .filter(|ms| *ms >= 0)
            .map(Length::Millis)
            .ok_or_else(invalid)
    }

    fn is_zero(self) -> bool {
        matches!(self, Length::Bars(0) | Length::Millis(0))
    }
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Length::Bars(bars) => write!(f, "{bars} bars"),
            Length::Millis(ms) if ms % (7 * 86_400_000) == 0 => {
                write!(f, "{}w", ms / (7 * 86_400_000))
            }
            Length::Millis(ms) if ms % 86_400_000 == 0 => write!(f, "{}d", ms / 86_400_000),
            Length::Millis(ms) if ms % 3_600_000 == 0 => write!(f, "{}h", ms / 3_600_000),
            Length::Millis(ms) => write!(f, "{}m", ms / 60_000),
        }
    }
}

/// The fold set-up of a walk-forward run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldSpec {
    pub mode: Mode,
    pub train: Length,
    pub test: Length,
    /// How far each test window starts after the previous one; the test length when `None`.
    pub step: Option<Length>,
    /// Bars skipped between a train window and its test window (the purge).
    pub gap_bars: usize,
}

/// One fold: bar ranges into the dataset, half open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fold {
    pub index: usize,
    pub train: Range<usize>,
    pub test: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    #[error("`{0}` is not a length: write bars (2000) or time (90d, 2w, 12h, 30m)")]
    Length(String),
    #[error("{0} must be more than zero")]
    Zero(&'static str),
    #[error("step {step} is shorter than the test length {test}: test windows would overlap")]
    Overlap { step: Length, test: Length },
    #[error("step and test must both be bars or both be time (step {step}, test {test})")]
    MixedUnits { step: Length, test: Length },
    #[error("the data has {n_bars} bars: not enough for one train window of {train}, a gap of {gap} and half a test window of {test}")]
    TooShort {
        n_bars: usize,
        train: Length,
        gap: usize,
        test: Length,
    },
}

impl FoldSpec {
    /// The folds over bars opening at `ts_ms` (sorted ascending).
    pub fn folds(&self, ts_ms: &[i64]) -> Result<Vec<Fold>, FoldError> {
        if self.train.is_zero() {
            return Err(FoldError::Zero("train"));
        }
        if self.test.is_zero() {
            return Err(FoldError::Zero("test"));
        }
        let step = self.step.unwrap_or(self.test);
        if step.is_zero() {
            return Err(FoldError::Zero("step"));
        }
        match (step, self.test) {
            (Length::Bars(s), Length::Bars(t)) if s < t => {
                return Err(FoldError::Overlap {
                    step,
                    test: self.test,
                })
            }
            (Length::Millis(s), Length::Millis(t)) if s < t => {
                return Err(FoldError::Overlap {
                    step,
                    test: self.test,
                })
            }
            (Length::Bars(_), Length::Millis(_)) | (Length::Millis(_), Length::Bars(_)) => {
                return Err(FoldError::MixedUnits {
                    step,
                    test: self.test,
                })
            }
            _ => {}
        }
        let n_bars = ts_ms.len();
        // The bar `length` after bar `from` (by count, or by time), capped at the end.
        let after = |from: usize, length: Length| -> usize {
            match length {
                Length::Bars(bars) => from.saturating_add(bars).min(n_bars),
                Length::Millis(ms) => match ts_ms.get(from) {
                    Some(&start) => {
                        let end = start.saturating_add(ms);
                        from + ts_ms[from..].partition_point(|&ts| ts < end)
                    }
                    None => n_bars,
                },
            }
        };
        let first_train_end = after(0, self.train);
        let mut test_start = first_train_end.saturating_add(self.gap_bars);
        let mut folds = Vec::new();
        while test_start < n_bars {
            let test_end = after(test_start, self.test);
            let is_full = match self.test {
                Length::Bars(bars) => test_end - test_start == bars,
                // A window of time is full when the data goes on past its end.
                Length::Millis(ms) => ts_ms
                    .last()
                    .is_some_and(|&last| last >= ts_ms[test_start].saturating_add(ms)),
            };
            if !is_full {
                // A shorter last window is kept with at least half a test length in it.
                let keep = match self.test {
                    Length::Bars(full) => test_end - test_start >= full.div_ceil(2),
                    Length::Millis(ms) => ts_ms[n_bars - 1] - ts_ms[test_start] >= ms / 2,
                };
                if !keep {
                    break;
                }
            }
            let train_end = test_start - self.gap_bars;
            let train_start = match self.mode {
                Mode::Anchored => 0,
                Mode::Rolling => match self.train {
                    Length::Bars(bars) => train_end.saturating_sub(bars),
                    // The time `ms` before the first bar after the train window.
                    Length::Millis(ms) => {
                        let start = ts_ms[train_end].saturating_sub(ms);
                        ts_ms[..train_end].partition_point(|&ts| ts < start)
                    }
                },
            };
            folds.push(Fold {
                index: folds.len(),
                train: train_start..train_end,
                test: test_start..test_end,
            });
            if test_end >= n_bars {
                break;
            }
            // At or after `test_end`, since the step is at least the test length.
            test_start = after(test_start, step).max(test_end);
        }
        if folds.is_empty() {
            return Err(FoldError::TooShort {
                n_bars,
                train: self.train,
                gap: self.gap_bars,
                test: self.test,
            });
        }
        Ok(folds)
    }
}

/// The stitched out-of-sample equity: each test segment's equity (starting at its own
/// initial equity) scaled to start where the previous one ended, from `initial`.
pub fn stitch(initial: f64, segments: &[Vec<f64>], segment_initial: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(segments.iter().map(Vec::len).sum());
    let mut level = initial;
    for (equity, &start) in segments.iter().zip(segment_initial) {
        let scale = level / start;
        out.extend(equity.iter().map(|e| e * scale));
        if let Some(&last) = equity.last() {
            level = last * scale;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const HOUR: i64 = 3_600_000;

    fn hourly(n: usize) -> Vec<i64> {
        (0..n as i64)
            .map(|i| 1_700_000_000_000 + i * HOUR)
            .collect()
    }

    #[test]
    fn lengths_read_bars_and_time() {
        assert_eq!(Length::parse("2000"), Ok(Length::Bars(2000)));
        assert_eq!(Length::parse("90d"), Ok(Length::Millis(90 * 86_400_000)));
        assert_eq!(Length::parse("2w"), Ok(Length::Millis(14 * 86_400_000)));
        assert_eq!(Length::parse("12h"), Ok(Length::Millis(12 * HOUR)));
        assert!(Length::parse("3 months").is_err());
        assert!(Length::parse("-5d").is_err());
    }

    #[test]
    fn rolling_and_anchored_on_bars() {
        let ts = hourly(100);
        let spec = FoldSpec {
            mode: Mode::Rolling,
            train: Length::Bars(40),
            test: Length::Bars(20),
            step: None,
            gap_bars: 2,
        };
        let folds = spec.folds(&ts).unwrap();
        let ranges: Vec<_> = folds
            .iter()
            .map(|f| (f.train.clone(), f.test.clone()))
            .collect();
        // 42..62, 62..82, 82..100 (18 bars: at least half of 20, kept).
        assert_eq!(
            ranges,
            [(0..40, 42..62), (20..60, 62..82), (40..80, 82..100)]
        );
        let anchored = FoldSpec {
            mode: Mode::Anchored,
            ..spec
        }
        .folds(&ts)
        .unwrap();
        assert_eq!(anchored[2].train, 0..80);
        // A last window under half a test length is dropped.
        let short = spec.folds(&hourly(90)).unwrap();
        assert_eq!(short.last().unwrap().test, 62..82);
    }

    #[test]
    fn refusals_say_why() {
        let ts = hourly(50);
        let spec = FoldSpec {
            mode: Mode::Rolling,
            train: Length::Bars(40),
            test: Length::Bars(20),
            step: Some(Length::Bars(10)),
            gap_bars: 0,
        };
        assert!(matches!(spec.folds(&ts), Err(FoldError::Overlap { .. })));
        // 45 bars of training leave 5, under half a test window.
        let spec = FoldSpec {
            step: None,
            train: Length::Bars(45),
            ..spec
        };
        assert!(matches!(spec.folds(&ts), Err(FoldError::TooShort { .. })));
    }

    #[test]
    fn calendar_lengths_follow_the_timestamps() {
        // Hourly bars with the weekends missing: a 1w test window holds 120 bars.
        let ts: Vec<i64> = (0..24 * 7 * 8)
            .map(|i| 1_704_067_200_000 + i as i64 * HOUR) // Monday 2024-01-01
            .filter(|ts| {
                let day = (ts / 86_400_000 + 4) % 7; // 0 = Sunday
                day != 0 && day != 6
            })
            .collect();
        let spec = FoldSpec {
            mode: Mode::Rolling,
            train: Length::Millis(14 * 86_400_000),
            test: Length::Millis(7 * 86_400_000),
            step: None,
            gap_bars: 0,
        };
        let folds = spec.folds(&ts).unwrap();
        assert_eq!(folds[0].train, 0..240);
        assert!(folds.iter().all(|f| f.test.len() == 120), "{folds:?}");
        assert_eq!(folds.len(), 6);
    }

    #[test]
    fn stitching_compounds_the_segments() {
        let stitched = stitch(
            100.0,
            &[vec![10.0, 11.0], vec![50.0, 40.0, 60.0]],
            &[10.0, 50.0],
        );
        let expected = [100.0, 110.0, 110.0, 88.0, 132.0];
        assert_eq!(stitched.len(), expected.len());
        for (a, b) in stitched.iter().zip(expected) {
            assert!((a - b).abs() < 1e-9, "{stitched:?}");
        }
    }

    proptest! {
        #[test]
        fn folds_never_overlap_and_respect_the_gap(
            n_bars in 10usize..600,
            train in 1usize..200,
            test in 1usize..120,
            extra_step in 0usize..50,
            gap in 0usize..10,
            anchored in any::<bool>(),
        ) {
            let ts = hourly(n_bars);
            let spec = FoldSpec {
                mode: if anchored { Mode::Anchored } else { Mode::Rolling },
                train: Length::Bars(train),
                test: Length::Bars(test),
                step: Some(Length::Bars(test + extra_step)),
                gap_bars: gap,
            };
            match spec.folds(&ts) {
                Err(FoldError::TooShort { .. }) => {
                    prop_assert!(train + gap + test.div_ceil(2) > n_bars);
                }
                Err(other) => prop_assert!(false, "{other}"),
                Ok(folds) => {
                    prop_assert_eq!(folds[0].test.start, train + gap);
                    for (k, fold) in folds.iter().enumerate() {
                        prop_assert_eq!(fold.index, k);
                        prop_assert!(!fold.train.is_empty() && !fold.test.is_empty());
                        prop_assert_eq!(fold.train.end + gap, fold.test.start);
                        prop_assert!(fold.test.end <= n_bars);
                        prop_assert!(fold.test.len() <= test);
                        prop_assert!(fold.test.len() >= test.div_ceil(2));
                        if anchored {
                            prop_assert_eq!(fold.train.start, 0);
                        } else {
                            prop_assert_eq!(fold.train.len(), train.min(fold.train.end));
                        }
                        if let Some(next) = folds.get(k + 1) {
                            prop_assert!(next.test.start >= fold.test.end);
                            prop_assert_eq!(next.test.start, fold.test.start + test + extra_step);
                        }
                    }
                    // Coverage: with the test length as step, the tests tile the data from
                    // the first test start up to the end, less a dropped sliver.
                    let last = folds.last().unwrap();
                    let left = n_bars - last.test.end;
                    if extra_step == 0 {
                        prop_assert!(left < test.div_ceil(2), "{} bars left", left);
                    }
                }
            }
        }

        #[test]
        fn the_stitched_return_is_the_product_of_the_segments(
            segments in prop::collection::vec(prop::collection::vec(0.5f64..2.0, 1..20), 1..6),
        ) {
            let starts: Vec<f64> = segments.iter().map(|s| s[0] * 0.9).collect();
            let stitched = stitch(1_000.0, &segments, &starts);
            let product: f64 = segments.iter().zip(&starts).map(|(s, start)| s.last().unwrap() / start).product();
            let total = stitched.last().unwrap() / 1_000.0;
            prop_assert!((total - product).abs() <= 1e-12 * product.abs());
        }
    }
}
