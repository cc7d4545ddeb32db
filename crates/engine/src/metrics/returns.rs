//! Per-bar returns of the equity curve, accumulated in one pass.
//!
//! The return of bar `t` is `equity_t / equity_{t−1} − 1`, the first one measured from the
//! initial cash. Mean and variance use Welford's update so that a constant series gives a
//! variance of exactly zero (a naive sum of squares would leave a rounding residue and a
//! huge Sharpe ratio); the sums run in bar order, so results are reproducible bit for bit.

use serde::{Deserialize, Serialize};

/// Running statistics of per-bar returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReturnStats {
    n: usize,
    mean: f64,
    /// Sum of squared deviations from the running mean.
    m2: f64,
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
        self.n += 1;
        let delta = r - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (r - self.mean);
        let downside = r.min(0.0);
        self.downside_sq_sum += downside * downside;
    }

    pub fn n(&self) -> usize {
        self.n
    }

    /// Arithmetic mean (0 with no returns).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Sample standard deviation (divisor `n − 1`); `None` below two returns.
    pub fn std(&self) -> Option<f64> {
        (self.n >= 2).then(|| (self.m2.max(0.0) / (self.n - 1) as f64).sqrt())
    }

    /// Downside deviation against a zero target: `sqrt(Σ min(r, 0)² / n)`; `None` with no
    /// returns.
    pub fn downside_deviation(&self) -> Option<f64> {
        (self.n >= 1).then(|| (self.downside_sq_sum / self.n as f64).sqrt())
    }
}
