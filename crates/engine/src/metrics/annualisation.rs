//! How per-bar statistics become yearly ones.
//!
//! Sharpe, Sortino and volatility are computed on per-bar returns and scaled by
//! `sqrt(periods_per_year)`; CAGR counts the window's length in years as
//! `n_bars / periods_per_year`. The convention is stated in every report so a reader knows
//! which year was meant.

use serde::{Deserialize, Serialize};

use crate::backtest::BacktestError;

/// Milliseconds in a calendar year of 365.25 days.
pub const YEAR_MS: f64 = 365.25 * 86_400_000.0;

/// The annualisation convention.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Annualisation {
    /// Calendar time: `365.25 days / timeframe` bars per year. Right for crypto and other
    /// markets that trade around the clock (8,766 hourly bars a year).
    #[default]
    Calendar,
    /// A fixed number of bars per year, for markets with sessions: `252` for daily stock
    /// bars, `252 × 6.5` for hourly bars of a 6.5-hour session.
    PeriodsPerYear(f64),
}

impl Annualisation {
    /// Bars per year for data of this timeframe.
    pub fn periods_per_year(self, timeframe_ms: i64) -> f64 {
        match self {
            Annualisation::Calendar => YEAR_MS / (timeframe_ms.max(1) as f64),
            Annualisation::PeriodsPerYear(periods) => periods,
        }
    }

    pub fn validate(self) -> Result<(), BacktestError> {
        match self {
            Annualisation::PeriodsPerYear(periods) if !(periods.is_finite() && periods > 0.0) => {
                Err(BacktestError::InvalidConfig {
                    key: "annualisation.periods_per_year".to_string(),
                    message: format!("{periods} must be a number of bars per year above 0"),
                })
            }
            _ => Ok(()),
        }
    }

    /// The convention with the numbers it gave, for a report.
    pub fn report(self, timeframe_ms: i64) -> AnnualisationReport {
        AnnualisationReport {
            convention: self,
            timeframe_ms,
            periods_per_year: self.periods_per_year(timeframe_ms),
        }
    }
}

/// The annualisation a report used, printed beside its yearly figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualisationReport {
    pub convention: Annualisation,
    /// The data's bar spacing.
    pub timeframe_ms: i64,
    /// Bars per year under the convention.
    pub periods_per_year: f64,
}
