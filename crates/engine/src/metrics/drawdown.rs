//! Drawdown and its duration, tracked one close at a time.
//!
//! Drawdown at a close is `1 − equity / running peak`, a positive fraction (0.25 is 25 %
//! below the peak); the running peak starts at the initial cash. `max_drawdown` is its
//! largest value (above 1 only after ruin).
//!
//! A drawdown period runs from the point where the peak was set to the first close at which
//! equity is back at or above it. Its duration, in bars and in milliseconds, is measured
//! between those two points; a period still open at the end runs to the last close. (The
//! same convention as backtesting.py.) Points are numbered from 0, the initial cash just
//! before the window's first bar, to `n_bars`, the window's last close.

use serde::{Deserialize, Serialize};

/// Running drawdown state.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrawdownTracker {
    peak: f64,
    peak_point: usize,
    peak_time_ms: i64,
    max_drawdown: f64,
    max_duration_bars: usize,
    max_duration_ms: i64,
}

impl DrawdownTracker {
    /// Starts at point 0 with the initial equity as the peak.
    pub fn new(initial_equity: f64, start_time_ms: i64) -> DrawdownTracker {
        DrawdownTracker {
            peak: initial_equity,
            peak_point: 0,
            peak_time_ms: start_time_ms,
            max_drawdown: 0.0,
            max_duration_bars: 0,
            max_duration_ms: 0,
        }
    }

    /// Takes the equity at `point` (observed at `time_ms`) and returns the drawdown there.
    pub fn push(&mut self, point: usize, time_ms: i64, equity: f64) -> f64 {
        let is_recovery = equity >= self.peak;
        let drawdown = if is_recovery {
            0.0
        } else {
            1.0 - equity / self.peak
        };
        if is_recovery && self.peak_point + 1 == point {
            // A new peak right after the last one: no drawdown period to measure.
        } else {
            let duration_bars = point - self.peak_point;
            if duration_bars > self.max_duration_bars {
                self.max_duration_bars = duration_bars;
                self.max_duration_ms = time_ms - self.peak_time_ms;
            }
        }
        if is_recovery {
            self.peak = equity;
            self.peak_point = point;
            self.peak_time_ms = time_ms;
        } else if drawdown > self.max_drawdown {
            self.max_drawdown = drawdown;
        }
        drawdown
    }

    /// Largest drawdown so far, a positive fraction.
    pub fn max_drawdown(&self) -> f64 {
        self.max_drawdown
    }

    /// Longest drawdown period so far, in bars.
    pub fn max_duration_bars(&self) -> usize {
        self.max_duration_bars
    }

    /// Time span of that longest period.
    pub fn max_duration_ms(&self) -> i64 {
        self.max_duration_ms
    }
}
