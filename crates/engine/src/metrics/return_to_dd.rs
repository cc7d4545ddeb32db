//! `return_to_dd`: total return per unit of maximum drawdown, guarded.
//!
//! The plain ratio explodes as the drawdown goes to zero: the old system's champion scored
//! 260 because its drawdown was 0, and a run that barely traded can show a tiny drawdown.
//! The guarded rule:
//!
//! ```text
//! return_to_dd = 0                                                          if n_trades = 0
//!              = clamp(total_return / max(max_drawdown, 0.02), −10, +10)    otherwise
//! ```
//!
//! The 2 % floor means a drawdown smaller than 2 % earns no extra credit (a +4 % run with no
//! drawdown scores 2, the same as a +4 % run with a 2 % drawdown), and the cap of 10 keeps
//! the term (weighted 0.25 in the score, so at most 2.5 points) from outweighing the rest of
//! the score.

/// Drawdowns below this count as this much.
pub const DRAWDOWN_FLOOR: f64 = 0.02;
/// `return_to_dd` is clamped to `[−CAP, CAP]`.
pub const CAP: f64 = 10.0;

/// The guarded ratio.
pub fn return_to_dd(total_return: f64, max_drawdown: f64, n_trades: usize) -> f64 {
    if n_trades == 0 || !total_return.is_finite() {
        return 0.0;
    }
    let ratio = total_return / max_drawdown.max(DRAWDOWN_FLOOR);
    ratio.clamp(-CAP, CAP)
}
