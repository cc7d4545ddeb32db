//! Compound annual growth rate and the Calmar ratio.
//!
//! `cagr = (final / initial)^(1 / years) − 1` with `years = n_bars / periods_per_year`.
//! A final equity of zero or below gives −1 (everything lost). On very short windows the
//! power can overflow; then it is `None` rather than infinity.
//! `calmar = cagr / max_drawdown`, `None` when there was no drawdown.

/// CAGR over a window of `n_bars` bars.
pub fn cagr(
    initial_equity: f64,
    final_equity: f64,
    n_bars: usize,
    periods_per_year: f64,
) -> Option<f64> {
    if n_bars == 0 || initial_equity.is_nan() || initial_equity <= 0.0 {
        return None;
    }
    let ratio = final_equity / initial_equity;
    if ratio <= 0.0 {
        return Some(-1.0);
    }
    let years = n_bars as f64 / periods_per_year;
    super::finite(libm::pow(ratio, 1.0 / years) - 1.0)
}

/// Calmar ratio: CAGR per unit of maximum drawdown.
pub fn calmar(cagr: Option<f64>, max_drawdown: f64) -> Option<f64> {
    let cagr = cagr?;
    super::finite((max_drawdown > 0.0).then(|| cagr / max_drawdown)?)
}
