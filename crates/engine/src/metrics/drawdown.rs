//! Drawdown and its duration, tracked one close at a time.
//!
//! Drawdown at a close is `1 − equity / running peak`, a positive fraction (0.25 is 25 %
//! below the peak); the running peak starts at the initial cash. `max_drawdown` is its
//! largest value (above 1 only after ruin).
//!
//! A drawdown period runs from the point where the peak was set to the first close at which
//! equity is back at or above it. Its duration, in bars and in milliseconds, is measured
//! between those two points; a period still open at the end runs to the last close. (The
//! convention of backtesting.py, except that it drops a final dip of a single point, which
//! here lasts one bar.) Points are numbered from 0, the initial cash just before the
//! window's first bar, to `n_bars`, the window's last close.

use serde::{Deserialize, Serialize};

/// Running drawdown state. Per close it only compares and copies: the depth of a drawdown
/// period is computed from its trough, and its duration from its first and last points, when
/// the period ends (or when asked), so the bar loop carries no division and no duration
/// bookkeeping.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrawdownTracker {
    peak: f64,
    peak_point: usize,
    peak_time_ms: i64,
    /// Lowest equity since the peak (the peak itself when not under water).
    trough: f64,
    /// The point pushed last and its time: the end of a period still open.
    last_point: usize,
    last_time_ms: i64,
    /// Deepest drawdown of the periods already ended.
    max_ended_drawdown: f64,
    /// Longest of the periods already ended, in bars and milliseconds.
    max_ended_duration_bars: usize,
    max_ended_duration_ms: i64,
}

impl DrawdownTracker {
    /// Starts at point 0 with the initial equity as the peak.
    pub fn new(initial_equity: f64, start_time_ms: i64) -> DrawdownTracker {
        DrawdownTracker {
            peak: initial_equity,
            peak_point: 0,
            peak_time_ms: start_time_ms,
            trough: initial_equity,
            last_point: 0,
            last_time_ms: start_time_ms,
            max_ended_drawdown: 0.0,
            max_ended_duration_bars: 0,
            max_ended_duration_ms: 0,
        }
    }

    /// Takes the equity at `point` (observed at `time_ms`).
    #[inline]
    pub fn push(&mut self, point: usize, time_ms: i64, equity: f64) {
        if equity >= self.peak {
            // The open period (if any) ends here; a new peak right after the last one ends
            // none. A period's duration only grows, so its end is its longest.
            if point != self.peak_point + 1 {
                let (bars, ms) = self.duration_to(point, time_ms);
                if bars > self.max_ended_duration_bars {
                    self.max_ended_duration_bars = bars;
                    self.max_ended_duration_ms = ms;
                }
            }
            self.max_ended_drawdown = self.max_drawdown();
            self.peak = equity;
            self.peak_point = point;
            self.peak_time_ms = time_ms;
            self.trough = equity;
        } else if equity < self.trough {
            self.trough = equity;
        }
        self.last_point = point;
        self.last_time_ms = time_ms;
    }

    /// The duration of the current period if it ended at `point`.
    fn duration_to(&self, point: usize, time_ms: i64) -> (usize, i64) {
        (point - self.peak_point, time_ms - self.peak_time_ms)
    }

    /// The longest period so far: the ended ones, then the open one (to the last point),
    /// which must be strictly longer to count, as if it had been compared at every point.
    fn max_duration(&self) -> (usize, i64) {
        let ended = (self.max_ended_duration_bars, self.max_ended_duration_ms);
        if self.last_point == self.peak_point {
            return ended;
        }
        let open = self.duration_to(self.last_point, self.last_time_ms);
        if open.0 > ended.0 {
            open
        } else {
            ended
        }
    }

    /// The drawdown of `equity` below the current peak (0 at or above it): the value of the
    /// drawdown series at the point just pushed.
    pub fn drawdown_of(&self, equity: f64) -> f64 {
        if equity >= self.peak {
            0.0
        } else {
            1.0 - equity / self.peak
        }
    }

    /// Largest drawdown so far, a positive fraction.
    pub fn max_drawdown(&self) -> f64 {
        self.max_ended_drawdown.max(self.drawdown_of(self.trough))
    }

    /// Longest drawdown period so far, in bars.
    pub fn max_duration_bars(&self) -> usize {
        self.max_duration().0
    }

    /// Time span of that longest period (the first one, when several are as long).
    pub fn max_duration_ms(&self) -> i64 {
        self.max_duration().1
    }
}
