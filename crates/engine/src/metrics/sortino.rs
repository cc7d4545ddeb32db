//! Sortino ratio.
//!
//! `sortino = mean(r) / sqrt(Σ min(r, 0)² / n) × sqrt(periods_per_year)` over per-bar simple
//! returns: the downside deviation against a zero target, taken over all `n` returns (bars
//! without a loss count as zero downside). `None` when no bar lost anything.

use super::returns::ReturnStats;

/// Annualised Sortino ratio.
pub fn sortino(returns: &ReturnStats, periods_per_year: f64) -> Option<f64> {
    let downside = returns.downside_deviation()?;
    super::finite((downside > 0.0).then(|| returns.mean() / downside * periods_per_year.sqrt())?)
}
