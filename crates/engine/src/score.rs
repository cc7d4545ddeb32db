//! The score that ranks runs, and the constraints that mark a run infeasible (SPEC §5).
//!
//! ```text
//! score = sharpe + total_return + 0.25 × return_to_dd + clip(win_rate − 0.4, −0.2, 0.2)
//! ```
//!
//! `sharpe` counts as 0 when undefined (a flat equity curve). `return_to_dd` is the guarded
//! metric (a 2 % drawdown floor, a cap of ±10, 0 without trades; see
//! [`crate::metrics::return_to_dd`]), so a run with no drawdown cannot reach the old
//! system's score of 260: the term is worth at most 2.5 points.
//!
//! Constraints never change the score. A run that fails them is kept, marked infeasible,
//! with one human-readable reason per failed constraint. Scoring hard failures (no trades,
//! ruin) are always reported; with `include_scoring_failures` they also count as
//! constraint failures.

use serde::{Deserialize, Serialize};

use crate::backtest::BacktestError;
use crate::metrics::Metrics;

/// Weight of `return_to_dd` in the score.
pub const RETURN_TO_DD_WEIGHT: f64 = 0.25;
/// Win rate at which the win-rate term is zero.
pub const WIN_RATE_PIVOT: f64 = 0.4;
/// The win-rate term is clipped to `[−WIN_RATE_CLIP, WIN_RATE_CLIP]`.
pub const WIN_RATE_CLIP: f64 = 0.2;

/// The score and its four terms, so a user can see what drove it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Score {
    pub score: f64,
    pub sharpe_term: f64,
    pub total_return_term: f64,
    pub return_to_dd_term: f64,
    pub win_rate_term: f64,
}

/// The score of a run's metrics.
pub fn score(metrics: &Metrics) -> Score {
    let sharpe_term = metrics.sharpe.unwrap_or(0.0);
    let total_return_term = metrics.total_return;
    let return_to_dd_term = RETURN_TO_DD_WEIGHT * metrics.return_to_dd;
    let win_rate_term = (metrics.win_rate - WIN_RATE_PIVOT).clamp(-WIN_RATE_CLIP, WIN_RATE_CLIP);
    let score = sharpe_term + total_return_term + return_to_dd_term + win_rate_term;
    Score {
        score: if score.is_finite() { score } else { 0.0 },
        sharpe_term,
        total_return_term,
        return_to_dd_term,
        win_rate_term,
    }
}

/// Feasibility constraints; every field is optional and off by default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Constraints {
    /// Fewest closed trades.
    pub min_trades: Option<usize>,
    /// Lowest profit factor (gross profit / gross loss). A run with winners and no loser has
    /// an infinite profit factor and passes; a run without trades fails.
    pub min_profit_factor: Option<f64>,
    /// Deepest allowed max drawdown, a fraction (0.35 is 35 %).
    pub max_max_dd: Option<f64>,
    /// Count scoring hard failures (no trades, ruin) as constraint failures.
    pub include_scoring_failures: bool,
}

impl Constraints {
    /// Checks ranges; the error names the key under `constraints.`.
    pub fn validate(&self) -> Result<(), BacktestError> {
        if let Some(min) = self.min_profit_factor {
            if !(min.is_finite() && min >= 0.0) {
                return Err(invalid(
                    "constraints.min_profit_factor",
                    format!("{min} must be a finite ratio of at least 0"),
                ));
            }
        }
        if let Some(max) = self.max_max_dd {
            if !(max.is_finite() && max > 0.0) {
                return Err(invalid(
                    "constraints.max_max_dd",
                    format!("{max} must be a drawdown fraction above 0 (0.35 is 35 %)"),
                ));
            }
        }
        Ok(())
    }
}

fn invalid(key: &str, message: String) -> BacktestError {
    BacktestError::InvalidConfig {
        key: key.to_string(),
        message,
    }
}

/// A run the score cannot be trusted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoringFailure {
    /// No trade closed: every trade statistic is a default.
    NoTrades,
    /// Equity reached zero or below.
    Ruin,
}

impl std::fmt::Display for ScoringFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ScoringFailure::NoTrades => "no trades",
            ScoringFailure::Ruin => "ruin: equity fell to zero or below",
        })
    }
}

/// One failed constraint, with the numbers that failed it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Violation {
    TooFewTrades {
        n_trades: usize,
        min_trades: usize,
    },
    ProfitFactorTooLow {
        profit_factor: Option<f64>,
        min_profit_factor: f64,
    },
    DrawdownTooDeep {
        max_drawdown: f64,
        max_max_dd: f64,
    },
    ScoringFailure {
        failure: ScoringFailure,
    },
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Violation::TooFewTrades {
                n_trades,
                min_trades,
            } => write!(f, "{n_trades} trades, fewer than min_trades {min_trades}"),
            Violation::ProfitFactorTooLow {
                profit_factor,
                min_profit_factor,
            } => match profit_factor {
                Some(pf) => write!(
                    f,
                    "profit factor {pf:.3} below min_profit_factor {min_profit_factor}"
                ),
                None => write!(
                    f,
                    "no profit factor (no winning or losing trade), min_profit_factor {min_profit_factor}"
                ),
            },
            Violation::DrawdownTooDeep {
                max_drawdown,
                max_max_dd,
            } => write!(
                f,
                "max drawdown {:.2} % deeper than max_max_dd {:.2} %",
                max_drawdown * 100.0,
                max_max_dd * 100.0
            ),
            Violation::ScoringFailure { failure } => write!(f, "scoring failure: {failure}"),
        }
    }
}

/// A scored run: its score, feasibility and why it is infeasible.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    pub score: Score,
    /// No constraint failed.
    pub is_feasible: bool,
    pub violations: Vec<Violation>,
    /// One sentence per violation, in the same order.
    pub reasons: Vec<String>,
    /// Scoring hard failures, reported whether or not they count as constraints.
    pub scoring_failures: Vec<ScoringFailure>,
}

/// Scores the metrics and checks them against the constraints.
pub fn evaluate(metrics: &Metrics, constraints: &Constraints) -> Evaluation {
    let mut scoring_failures = Vec::new();
    if metrics.n_trades == 0 {
        scoring_failures.push(ScoringFailure::NoTrades);
    }
    if metrics.is_ruined {
        scoring_failures.push(ScoringFailure::Ruin);
    }

    let mut violations = Vec::new();
    if let Some(min_trades) = constraints.min_trades {
        if metrics.n_trades < min_trades {
            violations.push(Violation::TooFewTrades {
                n_trades: metrics.n_trades,
                min_trades,
            });
        }
    }
    if let Some(min_profit_factor) = constraints.min_profit_factor {
        // An undefined profit factor is +∞ when some trade won and no trade lost, and
        // fails otherwise (no trades, or only break-even trades).
        let passes = match metrics.profit_factor {
            Some(pf) => pf >= min_profit_factor,
            None => metrics.gross_profit > 0.0 || min_profit_factor == 0.0,
        };
        if !passes {
            violations.push(Violation::ProfitFactorTooLow {
                profit_factor: metrics.profit_factor,
                min_profit_factor,
            });
        }
    }
    if let Some(max_max_dd) = constraints.max_max_dd {
        if metrics.max_drawdown > max_max_dd {
            violations.push(Violation::DrawdownTooDeep {
                max_drawdown: metrics.max_drawdown,
                max_max_dd,
            });
        }
    }
    if constraints.include_scoring_failures {
        violations.extend(
            scoring_failures
                .iter()
                .map(|&failure| Violation::ScoringFailure { failure }),
        );
    }
    Evaluation {
        score: score(metrics),
        is_feasible: violations.is_empty(),
        reasons: violations.iter().map(ToString::to_string).collect(),
        violations,
        scoring_failures,
    }
}

#[cfg(test)]
mod tests;
