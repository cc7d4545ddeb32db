//! Sharpe ratio and annualised volatility.
//!
//! `sharpe = mean(r) / std(r) × sqrt(periods_per_year)` over per-bar simple returns `r`,
//! arithmetic mean, sample standard deviation (`n − 1`), no risk-free rate. `None` (JSON
//! `null`) when undefined: fewer than two returns or zero deviation (a flat equity curve).

use super::returns::ReturnStats;

/// Annualised Sharpe ratio.
pub fn sharpe(returns: &ReturnStats, periods_per_year: f64) -> Option<f64> {
    let std = returns.std()?;
    super::finite((std > 0.0).then(|| returns.mean() / std * periods_per_year.sqrt())?)
}

/// Annualised volatility: `std(r) × sqrt(periods_per_year)`; 0 below two returns.
pub fn annual_volatility(returns: &ReturnStats, periods_per_year: f64) -> f64 {
    returns
        .std()
        .map_or(0.0, |std| std * periods_per_year.sqrt())
}
