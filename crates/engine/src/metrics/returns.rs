//! Per-bar returns of the equity curve, accumulated in one pass.
//!
//! The return of bar `t` is `equity_t / equity_{t−1} − 1`, the first one measured from the
//! initial cash. Mean and variance come from sums of deviations from the first return (the
//! "shifted data" method): a constant series gives a variance of exactly zero (a naive sum
//! of squares would leave a rounding residue and a huge Sharpe ratio), and unlike Welford's
//! update no division sits on the loop-carried path, which kept the engine's per-bar cost
//! twice as high. The sums run in bar order, so results are reproducible bit for bit.

use serde::{Deserialize, Serialize};

/// Running statistics of per-bar returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReturnStats {
    n: usize,
    /// The first return; every other is summed as a deviation from it.
    shift: f64,
    /// Sum of `r − shift`.
    dev_sum: f64,
    /// Sum of `(r − shift)²`.
    dev_sq_sum: f64,
    /// Sum of `min(r, 0)²`.
    downside_sq_sum: f64,
}

impl ReturnStats {
    /// The return from `prev_equity` to `equity`; zero when `prev_equity` is not positive
    /// (after ruin there is nothing left to return on).
    pub fn bar_return(prev_equity: f64, equity: f64) -> f64 {
        if prev_equity > 0.0 {
            equity / prev_equity - 1.0
        } else {
            0.0
        }
    }

    pub fn push(&mut self, r: f64) {
        if self.n == 0 {
            self.shift = r;
        }
        self.n += 1;
        let dev = r - self.shift;
        self.dev_sum += dev;
        self.dev_sq_sum += dev * dev;
        let downside = r.min(0.0);
        self.downside_sq_sum += downside * downside;
    }

    pub fn n(&self) -> usize {
        self.n
    }

    /// Arithmetic mean (0 with no returns).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.shift + self.dev_sum / self.n as f64
        }
    }

    /// Sample standard deviation (divisor `n − 1`); `None` below two returns.
    pub fn std(&self) -> Option<f64> {
        (self.n >= 2).then(|| {
            let n = self.n as f64;
            let sq_dev_sum = self.dev_sq_sum - self.dev_sum * self.dev_sum / n;
            (sq_dev_sum.max(0.0) / (n - 1.0)).sqrt()
        })
    }

    /// Downside deviation against a zero target: `sqrt(Σ min(r, 0)² / n)`; `None` with no
    /// returns.
    pub fn downside_deviation(&self) -> Option<f64> {
        (self.n >= 1).then(|| (self.downside_sq_sum / self.n as f64).sqrt())
    }
}
