//! Costs, execution settings and the bar window of a backtest.

use serde::{Deserialize, Serialize};

use super::error::BacktestError;
use crate::data::Candles;
use crate::metrics::Annualisation;

/// Costs and execution. Every field has a default, so `{}` is a valid config; unknown keys
/// are an error (a misspelt `comission` must not silently mean "no commission").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BacktestConfig {
    /// Equity at the start of the window, in quote currency. Default 10,000.
    pub initial_cash: f64,
    /// Commission as a fraction of notional (`units × fill price`), charged on entry and
    /// again on exit. `0.001` is 0.1 % per side. Range `[0, 0.1)`. Default 0.
    pub commission: f64,
    /// Slippage in basis points of price (1 bp = 0.01 %), applied against the trader on
    /// market fills and triggered stops. Range `[0, 1000)`. Default 0.
    pub slippage_bps: f64,
    /// Trade whole units only (rounded down), as stock tools and backtesting.py do.
    /// Default false: fractional units.
    pub whole_units: bool,
    /// Largest notional (plus entry commission) as a multiple of equity. 1 means no
    /// leverage. Range `(0, 100]`. Default 1.
    pub max_leverage: f64,
    /// How per-bar statistics are annualised. Default: calendar time (24/7 markets).
    pub annualisation: Annualisation,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        BacktestConfig {
            initial_cash: 10_000.0,
            commission: 0.0,
            slippage_bps: 0.0,
            whole_units: false,
            max_leverage: 1.0,
            annualisation: Annualisation::default(),
        }
    }
}

impl BacktestConfig {
    /// Checks every field's range; the error names the key.
    pub fn validate(&self) -> Result<(), BacktestError> {
        check(
            "initial_cash",
            self.initial_cash,
            self.initial_cash > 0.0,
            "must be a finite amount above 0",
        )?;
        check(
            "commission",
            self.commission,
            (0.0..0.1).contains(&self.commission),
            "must be a fraction in [0, 0.1): 0.001 means 0.1 % per side",
        )?;
        check(
            "slippage_bps",
            self.slippage_bps,
            (0.0..1000.0).contains(&self.slippage_bps),
            "must be basis points in [0, 1000)",
        )?;
        check(
            "max_leverage",
            self.max_leverage,
            self.max_leverage > 0.0 && self.max_leverage <= 100.0,
            "must be in (0, 100]; 1 means no leverage",
        )?;
        match self.annualisation.problem() {
            Some((key, message)) => Err(BacktestError::InvalidConfig {
                key: key.to_string(),
                message,
            }),
            None => Ok(()),
        }
    }

    /// Slippage as a fraction of price.
    pub fn slippage_frac(&self) -> f64 {
        self.slippage_bps / 10_000.0
    }
}

fn check(key: &str, value: f64, is_ok: bool, rule: &str) -> Result<(), BacktestError> {
    if value.is_finite() && is_ok {
        Ok(())
    } else {
        Err(BacktestError::InvalidConfig {
            key: key.to_string(),
            message: format!("{value} {rule}"),
        })
    }
}

/// The bars a backtest covers: `[from_bar, to_bar)`, zero-based indices into the candles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub from_bar: usize,
    pub to_bar: usize,
}

impl Window {
    /// Every bar of the dataset.
    pub fn all(candles: &Candles) -> Window {
        Window {
            from_bar: 0,
            to_bar: candles.len(),
        }
    }

    /// The bars whose open time lies in `[from_ts_ms, to_ts_ms)`; `None` leaves that side
    /// open. The error says so when no bar falls inside.
    pub fn from_time_range(
        candles: &Candles,
        from_ts_ms: Option<i64>,
        to_ts_ms: Option<i64>,
    ) -> Result<Window, BacktestError> {
        let ts_ms = candles.ts_ms();
        let from_bar = from_ts_ms.map_or(0, |from| ts_ms.partition_point(|&ts| ts < from));
        let to_bar = to_ts_ms.map_or(ts_ms.len(), |to| ts_ms.partition_point(|&ts| ts < to));
        Window { from_bar, to_bar }.checked(candles)
    }

    /// Number of bars in the window.
    pub fn len(&self) -> usize {
        self.to_bar.saturating_sub(self.from_bar)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The window if it holds at least one bar of these candles.
    pub fn checked(self, candles: &Candles) -> Result<Window, BacktestError> {
        if self.from_bar < self.to_bar && self.to_bar <= candles.len() {
            Ok(self)
        } else {
            Err(BacktestError::InvalidWindow {
                from_bar: self.from_bar,
                to_bar: self.to_bar,
                n_bars: candles.len(),
            })
        }
    }

    /// `n` checkpoint bars spread evenly through the window, the last one its end: run
    /// [`super::Backtest::run_until`] to each and read the intermediate metrics.
    pub fn checkpoint_bars(&self, n: usize) -> impl Iterator<Item = usize> + '_ {
        let n = n.max(1);
        (1..=n).map(move |k| self.from_bar + self.len() * k / n)
    }
}

/// What a run keeps besides trades and metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recording {
    /// The equity and drawdown series at every close, for charts and reports.
    #[default]
    Full,
    /// Trades and metrics only: what an optimizer trial needs.
    MetricsOnly,
    /// Trades, metrics and the per-bar returns summed in `blocks` equal blocks of the window
    /// ([`crate::metrics::ReturnBlocks`]): what a study trial keeps for PBO and DSR.
    MetricsAndBlocks { blocks: u8 },
}

impl Recording {
    /// Whether the equity and drawdown series are kept.
    pub fn is_full(self) -> bool {
        self == Recording::Full
    }

    /// The number of return blocks summed (0: none).
    pub fn return_blocks(self) -> usize {
        match self {
            Recording::MetricsAndBlocks { blocks } => usize::from(blocks),
            Recording::Full | Recording::MetricsOnly => 0,
        }
    }
}
