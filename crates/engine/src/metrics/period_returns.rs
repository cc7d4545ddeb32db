//! Returns per trading day (or per bar, for weekly and longer bars), accumulated one close at
//! a time: the series backtesting.py annualises its return, volatility, Sharpe, Sortino and
//! Calmar from (its `day_returns`, the equity resampled to each day's last close).
//!
//! A period is a UTC day for bars of a day or less; each bar is its own period otherwise.
//! The return of a period is its last equity over the previous period's last equity, minus 1;
//! the first period has none. The bar loop only compares the bar's time with the end of the
//! current period. The geometric mean needs no logarithm per period: the growth factors
//! `1 + r` multiply out to the last period's equity over the first's.

use serde::{Deserialize, Serialize};

use super::annualisation::DAY_MS;
use super::returns::ReturnStats;

/// Running per-period returns.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodReturns {
    /// Length of a period: a day, or 1 ms so that every bar starts its own.
    period_ms: i64,
    /// Bars opening at or after this time start a new period.
    period_end_ms: i64,
    has_period: bool,
    /// Last equity of the current period.
    last_equity: f64,
    /// Last equity of the previous period; NaN before one ended.
    prev_period_equity: f64,
    /// Returns of the periods already ended.
    returns: ReturnStats,
    /// Last equity of the first period: the base of the growth since.
    first_period_equity: f64,
    /// Some period lost everything (or more): the geometric mean is then 0, as backtesting.py
    /// sets it.
    has_total_loss: bool,
}

impl PeriodReturns {
    /// Periods of a UTC day when `is_daily`, else one per bar.
    pub fn new(is_daily: bool) -> PeriodReturns {
        PeriodReturns {
            period_ms: if is_daily { DAY_MS } else { 1 },
            period_end_ms: i64::MIN,
            has_period: false,
            last_equity: f64::NAN,
            prev_period_equity: f64::NAN,
            returns: ReturnStats::default(),
            first_period_equity: f64::NAN,
            has_total_loss: false,
        }
    }

    /// Takes the equity at the close of the bar opening at `bar_ts_ms`.
    // Always inlined: a call per bar in the engine's lean loop made it spill its registers.
    #[inline(always)]
    pub fn push(&mut self, bar_ts_ms: i64, equity: f64) {
        if bar_ts_ms >= self.period_end_ms {
            if self.has_period {
                self.end_period();
            }
            self.has_period = true;
            self.period_end_ms = (bar_ts_ms.div_euclid(self.period_ms) + 1) * self.period_ms;
        }
        self.last_equity = equity;
    }

    // The rare path (once a day), kept out of line so the per-bar push stays small.
    #[inline(never)]
    fn end_period(&mut self) {
        if self.prev_period_equity.is_finite() {
            let r = ReturnStats::bar_return(self.prev_period_equity, self.last_equity);
            self.returns.push(r);
            if 1.0 + r <= 0.0 {
                self.has_total_loss = true;
            }
        } else {
            self.first_period_equity = self.last_equity;
        }
        self.prev_period_equity = self.last_equity;
    }

    /// The statistics with the current period ended at its last close.
    fn ended(&self) -> PeriodReturns {
        let mut ended = *self;
        if ended.has_period {
            ended.end_period();
            ended.has_period = false;
        }
        ended
    }

    /// backtesting.py's yearly figures over `periods_per_year` periods (its
    /// `annual_trading_days`).
    pub fn annual(&self, periods_per_year: f64) -> AnnualFigures {
        let ended = self.ended();
        let n = ended.returns.n();
        if n == 0 {
            return AnnualFigures::default();
        }
        // (Π (1 + r))^(1/n) − 1, the product being the growth from the first period's last
        // equity to the last period's.
        let gmean = if ended.has_total_loss {
            0.0
        } else {
            libm::pow(
                ended.prev_period_equity / ended.first_period_equity,
                1.0 / n as f64,
            ) - 1.0
        };
        let growth = 1.0 + gmean;
        let annual_return = libm::pow(growth, periods_per_year) - 1.0;
        // The volatility of a compounded year of independent periods.
        let volatility = ended.returns.std().map(|std| {
            let var = std * std;
            (libm::pow(var + growth * growth, periods_per_year)
                - libm::pow(growth, 2.0 * periods_per_year))
            .max(0.0)
            .sqrt()
        });
        let sharpe = volatility
            .filter(|&vol| vol > 0.0)
            .map(|vol| annual_return / vol);
        let sortino = ended
            .returns
            .downside_deviation()
            .filter(|&dev| dev > 0.0)
            .map(|dev| annual_return / (dev * periods_per_year.sqrt()));
        AnnualFigures {
            annual_return: super::finite(annual_return),
            sharpe: sharpe.and_then(super::finite),
            sortino: sortino.and_then(super::finite),
        }
    }
}

/// backtesting.py's yearly figures; `None` where undefined (no period return, no variation,
/// no losing period).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AnnualFigures {
    /// `(1 + geometric mean period return)^periods_per_year − 1`.
    pub annual_return: Option<f64>,
    /// Annual return over the compounded annual volatility.
    pub sharpe: Option<f64>,
    /// Annual return over the annualised downside deviation of period returns.
    pub sortino: Option<f64>,
}
