//! Compound annual growth rate and the Calmar ratio.
//!
//! `cagr = (final / initial)^(1 / years) − 1` where `years` is the calendar time of the
//! window, from the open of its first bar to the open of its last, in years of 365.25 days
//! (backtesting.py's `Duration`). Gaps in the data (weekends, holidays, outages) are time
//! that passed, so they cannot inflate it. A final equity of zero or below gives −1
//! (everything lost). A window of a single bar has no elapsed time, and on very short windows
//! the power can overflow; then it is `None` rather than infinity.
//!
//! `calmar = annual_return / max_drawdown` with backtesting.py's annual return (the geometric
//! mean daily return compounded over the year's trading days, see [`super::period_returns`]),
//! `None` when there was no drawdown. `calmar_cagr` divides the CAGR instead.

use super::annualisation::YEAR_MS;

/// CAGR over `elapsed_ms` of calendar time.
pub fn cagr(initial_equity: f64, final_equity: f64, elapsed_ms: i64) -> Option<f64> {
    if elapsed_ms <= 0 || initial_equity.is_nan() || initial_equity <= 0.0 {
        return None;
    }
    let ratio = final_equity / initial_equity;
    if ratio <= 0.0 {
        return Some(-1.0);
    }
    let years = elapsed_ms as f64 / YEAR_MS;
    super::finite(libm::pow(ratio, 1.0 / years) - 1.0)
}

/// Calmar ratio: a yearly return per unit of maximum drawdown.
pub fn calmar(annual_return: Option<f64>, max_drawdown: f64) -> Option<f64> {
    let annual_return = annual_return?;
    super::finite((max_drawdown > 0.0).then(|| annual_return / max_drawdown)?)
}
