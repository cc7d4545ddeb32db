//! Indicator keys: what a feature is, including every parameter that changes its values.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::FeatureError;
use super::params::{check_bb_std, check_count};

/// One cacheable indicator with all of its parameters. Two keys are equal exactly when their
/// outputs are the same computation on the same dataset, which is what keeps trials with
/// different parameters from ever sharing an entry (the seeds' cache returned one trial's
/// result to another because its key missed a parameter).
///
/// Keys hold no floats: the Bollinger width is stored as the bits of its `f64`, so it orders
/// and hashes exactly. Periods count base bars; moving averages read the close.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Indicator {
    /// [`super::sma::sma`] of close.
    Sma { period: u32 },
    /// [`super::ema::ema`] of close.
    Ema { period: u32 },
    /// [`super::rsi::rsi`] of close.
    Rsi { period: u32 },
    /// [`super::atr::atr`].
    Atr { period: u32 },
    /// [`super::bollinger::bollinger`] of close; build with [`Indicator::bollinger`].
    Bollinger { period: u32, std_bits: u64 },
    /// [`super::donchian::donchian`].
    Donchian { period: u32 },
    /// [`super::swings::swings`].
    Swings { strength: u32 },
    /// [`super::fib::fib`] over `Swings { strength }` and `Atr { period: atr_period }`.
    Fib { strength: u32, atr_period: u32 },
    /// [`super::atr_pct_rank::atr_pct_rank`] of `Atr { period: atr_period }`.
    AtrPctRank { atr_period: u32, lookback: u32 },
    /// [`super::vol_shift::vol_shift`] of two ATRs.
    VolShift { short_period: u32, long_period: u32 },
    /// [`super::htf_trend::htf_trend`] of close.
    HtfTrend { multiple: u32, ema_period: u32 },
    /// A value derived from features by code outside this module (a strategy's model
    /// outputs), cached with [`super::FeatureStore::derived`]. The digest is SHA-256 over a
    /// name and every parameter of the computation; the store cannot compute it itself.
    Derived { digest: [u8; 32] },
}

impl Indicator {
    /// The Bollinger key for a width in standard deviations.
    pub fn bollinger(period: u32, std_mult: f64) -> Indicator {
        Indicator::Bollinger {
            period,
            std_bits: std_mult.to_bits(),
        }
    }

    /// Checks every parameter (periods in 1..=[`super::params::MAX_PERIOD`], a finite positive
    /// Bollinger width); the error names the indicator.
    pub fn validate(&self) -> Result<(), FeatureError> {
        let (counts, n_counts): ([u32; 2], usize) = match *self {
            Indicator::Sma { period }
            | Indicator::Ema { period }
            | Indicator::Rsi { period }
            | Indicator::Atr { period }
            | Indicator::Donchian { period } => ([period, 0], 1),
            Indicator::Bollinger { period, std_bits } => {
                check_bb_std(f64::from_bits(std_bits)).map_err(|reason| self.error(reason))?;
                ([period, 0], 1)
            }
            Indicator::Swings { strength } => ([strength, 0], 1),
            Indicator::Fib {
                strength,
                atr_period,
            } => ([strength, atr_period], 2),
            Indicator::AtrPctRank {
                atr_period,
                lookback,
            } => ([atr_period, lookback], 2),
            Indicator::VolShift {
                short_period,
                long_period,
            } => ([short_period, long_period], 2),
            Indicator::HtfTrend {
                multiple,
                ema_period,
            } => ([multiple, ema_period], 2),
            Indicator::Derived { .. } => ([0, 0], 0),
        };
        for &count in &counts[..n_counts] {
            check_count(count).map_err(|reason| self.error(reason))?;
        }
        Ok(())
    }

    fn error(&self, reason: String) -> FeatureError {
        FeatureError::InvalidIndicator {
            indicator: self.to_string(),
            reason,
        }
    }
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Indicator::Sma { period } => write!(f, "sma(period={period})"),
            Indicator::Ema { period } => write!(f, "ema(period={period})"),
            Indicator::Rsi { period } => write!(f, "rsi(period={period})"),
            Indicator::Atr { period } => write!(f, "atr(period={period})"),
            Indicator::Bollinger { period, std_bits } => {
                write!(
                    f,
                    "bollinger(period={period}, std={})",
                    f64::from_bits(std_bits)
                )
            }
            Indicator::Donchian { period } => write!(f, "donchian(period={period})"),
            Indicator::Swings { strength } => write!(f, "swings(strength={strength})"),
            Indicator::Fib {
                strength,
                atr_period,
            } => write!(f, "fib(strength={strength}, atr_period={atr_period})"),
            Indicator::AtrPctRank {
                atr_period,
                lookback,
            } => write!(
                f,
                "atr_pct_rank(atr_period={atr_period}, lookback={lookback})"
            ),
            Indicator::VolShift {
                short_period,
                long_period,
            } => write!(
                f,
                "vol_shift(short_period={short_period}, long_period={long_period})"
            ),
            Indicator::HtfTrend {
                multiple,
                ema_period,
            } => write!(f, "htf_trend(multiple={multiple}, ema_period={ema_period})"),
            Indicator::Derived { digest } => {
                write!(f, "derived(")?;
                for byte in &digest[..6] {
                    write!(f, "{byte:02x}")?;
                }
                write!(f, ")")
            }
        }
    }
}
