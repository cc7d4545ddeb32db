//! Range checks shared by the strategies' parameter validation; each error names the key.

use super::error::StrategyError;
use crate::features::params::MAX_PERIOD;

/// A probability or fraction in `[0, 1]`.
pub(crate) fn probability(key: &str, value: f64) -> Result<(), StrategyError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(StrategyError::invalid(
            key,
            format!("{value} must be a probability in [0, 1]"),
        ))
    }
}

/// A finite number above 0.
pub(crate) fn positive(key: &str, value: f64, unit: &str) -> Result<(), StrategyError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(StrategyError::invalid(
            key,
            format!("{value} must be a number above 0 ({unit})"),
        ))
    }
}

/// Any finite number.
pub(crate) fn finite(key: &str, value: f64) -> Result<(), StrategyError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(StrategyError::invalid(
            key,
            format!("{value} must be a finite number"),
        ))
    }
}

/// A period in bars: at least 1 and at most [`MAX_PERIOD`].
pub(crate) fn period(key: &str, value: u32) -> Result<(), StrategyError> {
    if value == 0 {
        Err(StrategyError::invalid(key, "must be at least 1 bar"))
    } else if value > MAX_PERIOD {
        Err(StrategyError::invalid(
            key,
            format!("{value} is above the maximum of {MAX_PERIOD} bars"),
        ))
    } else {
        Ok(())
    }
}

/// An optional bar count (`max_hold_bars`): absent, or at least 1.
pub(crate) fn optional_bars(key: &str, value: Option<u32>) -> Result<(), StrategyError> {
    match value {
        Some(0) => Err(StrategyError::invalid(
            key,
            "must be at least 1 bar (leave it out, or null, for no limit)",
        )),
        _ => Ok(()),
    }
}

/// A fraction of equity placed in a position: above 0, at most 100 (it is capped by
/// `backtest.max_leverage` at the fill).
pub(crate) fn equity_fraction(key: &str, value: f64) -> Result<(), StrategyError> {
    if value.is_finite() && value > 0.0 && value <= 100.0 {
        Ok(())
    } else {
        Err(StrategyError::invalid(
            key,
            format!(
                "{value} must be a fraction of equity above 0 (1 is all of it) and at most 100"
            ),
        ))
    }
}

/// An optional stop as a fraction of the entry price, in `(0, 1)`.
pub(crate) fn stop_fraction(key: &str, value: Option<f64>) -> Result<(), StrategyError> {
    match value {
        Some(frac) if !(frac.is_finite() && frac > 0.0 && frac < 1.0) => {
            Err(StrategyError::invalid(
                key,
                format!("{frac} must be a fraction of price in (0, 1): 0.05 is 5 %"),
            ))
        }
        _ => Ok(()),
    }
}
