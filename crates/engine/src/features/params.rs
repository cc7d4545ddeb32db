//! The `features:` section of a strategy configuration.

use serde::{Deserialize, Serialize};

use super::error::FeatureError;
use super::key::Indicator;

/// The largest period, lookback, strength or multiple a parameter may take. Larger values are
/// almost certainly a typo, and they would only make every bar a warm-up bar.
pub const MAX_PERIOD: u32 = 100_000;

/// The largest Bollinger width in standard deviations.
pub const MAX_BB_STD: f64 = 10.0;

/// Feature parameters, the `features:` key of a strategy configuration. Every field has a
/// default (SPEC §2), and unknown keys are errors, so a typo never silently falls back to a
/// default. Periods count bars of the dataset's own timeframe unless the field says otherwise.
///
/// ```yaml
/// features:
///   ema_fast: 20
///   rsi_period: 14
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeatureParams {
    /// Fast EMA period, in bars.
    pub ema_fast: u32,
    /// Slow EMA period, in bars.
    pub ema_slow: u32,
    /// RSI period (Wilder smoothing), in bars.
    pub rsi_period: u32,
    /// ATR period (Wilder smoothing), in bars; also the short ATR of the volatility shift, the
    /// ATR ranked by the percentile rank and the ATR unit of the Fibonacci distance.
    pub atr_period: u32,
    /// Long ATR period of the volatility shift (`atr / atr_long`), in bars.
    pub atr_long_period: u32,
    /// How many previous ATR values the ATR percentile rank compares against, in bars.
    pub atr_pct_lookback: u32,
    /// Bollinger period, in bars.
    pub bb_period: u32,
    /// Bollinger band half-width, in population standard deviations.
    pub bb_std: f64,
    /// Swing strength N: a pivot needs N bars on each side and is known N bars after it.
    pub swing_strength: u32,
    /// Higher timeframe as a multiple of the dataset's timeframe (4 on 1h data is 4h).
    pub htf_multiple: u32,
    /// EMA period of the higher-timeframe trend, in higher-timeframe bars.
    pub htf_ema_period: u32,
}

impl Default for FeatureParams {
    fn default() -> Self {
        FeatureParams {
            ema_fast: 20,
            ema_slow: 50,
            rsi_period: 14,
            atr_period: 14,
            atr_long_period: 50,
            atr_pct_lookback: 250,
            bb_period: 20,
            bb_std: 2.0,
            swing_strength: 3,
            htf_multiple: 4,
            htf_ema_period: 20,
        }
    }
}

impl FeatureParams {
    /// Checks every field; the error names the first bad field as a dotted key
    /// (`features.rsi_period`).
    pub fn validate(&self) -> Result<(), FeatureError> {
        let counts = [
            ("ema_fast", self.ema_fast),
            ("ema_slow", self.ema_slow),
            ("rsi_period", self.rsi_period),
            ("atr_period", self.atr_period),
            ("atr_long_period", self.atr_long_period),
            ("atr_pct_lookback", self.atr_pct_lookback),
            ("bb_period", self.bb_period),
            ("swing_strength", self.swing_strength),
            ("htf_multiple", self.htf_multiple),
            ("htf_ema_period", self.htf_ema_period),
        ];
        for (name, value) in counts {
            check_count(value).map_err(|reason| param_error(name, reason))?;
        }
        check_bb_std(self.bb_std).map_err(|reason| param_error("bb_std", reason))?;
        Ok(())
    }

    /// The indicator keys of every default feature, in frame order.
    pub fn indicators(&self) -> [Indicator; 10] {
        [
            Indicator::Ema {
                period: self.ema_fast,
            },
            Indicator::Ema {
                period: self.ema_slow,
            },
            Indicator::Rsi {
                period: self.rsi_period,
            },
            Indicator::Atr {
                period: self.atr_period,
            },
            Indicator::Atr {
                period: self.atr_long_period,
            },
            Indicator::bollinger(self.bb_period, self.bb_std),
            Indicator::VolShift {
                short_period: self.atr_period,
                long_period: self.atr_long_period,
            },
            Indicator::AtrPctRank {
                atr_period: self.atr_period,
                lookback: self.atr_pct_lookback,
            },
            Indicator::Fib {
                strength: self.swing_strength,
                atr_period: self.atr_period,
            },
            Indicator::HtfTrend {
                multiple: self.htf_multiple,
                ema_period: self.htf_ema_period,
            },
        ]
    }
}

fn param_error(name: &str, reason: String) -> FeatureError {
    FeatureError::InvalidParam {
        key: format!("features.{name}"),
        reason,
    }
}

/// A period, lookback, strength or multiple: at least 1 and at most [`MAX_PERIOD`].
pub(crate) fn check_count(value: u32) -> Result<(), String> {
    if value == 0 {
        Err("must be at least 1".to_owned())
    } else if value > MAX_PERIOD {
        Err(format!("{value} is above the maximum of {MAX_PERIOD}"))
    } else {
        Ok(())
    }
}

/// A Bollinger width: finite, above 0, at most [`MAX_BB_STD`].
pub(crate) fn check_bb_std(value: f64) -> Result<(), String> {
    if value.is_finite() && value > 0.0 && value <= MAX_BB_STD {
        Ok(())
    } else {
        Err(format!(
            "{value} must be a number above 0 and at most {MAX_BB_STD}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_spec_and_validate() {
        let params = FeatureParams::default();
        assert_eq!((params.ema_fast, params.ema_slow), (20, 50));
        assert_eq!((params.rsi_period, params.atr_period), (14, 14));
        assert_eq!((params.bb_period, params.bb_std), (20, 2.0));
        assert_eq!(params.htf_multiple, 4);
        assert_eq!(params.validate(), Ok(()));
    }

    #[test]
    fn missing_keys_take_defaults_and_unknown_keys_are_rejected() {
        let params: FeatureParams = serde_json::from_str(r#"{"rsi_period": 7}"#).unwrap();
        assert_eq!(params.rsi_period, 7);
        assert_eq!(params.ema_fast, 20);
        let err = serde_json::from_str::<FeatureParams>(r#"{"rsi_periods": 7}"#).unwrap_err();
        assert!(err.to_string().contains("rsi_periods"), "{err}");
    }

    #[test]
    fn validation_names_the_dotted_key() {
        let params = FeatureParams {
            rsi_period: 0,
            ..FeatureParams::default()
        };
        let err = params.validate().unwrap_err();
        assert_eq!(
            err,
            FeatureError::InvalidParam {
                key: "features.rsi_period".to_owned(),
                reason: "must be at least 1".to_owned()
            }
        );
        assert_eq!(err.to_string(), "features.rsi_period: must be at least 1");

        let params = FeatureParams {
            atr_pct_lookback: MAX_PERIOD + 1,
            ..FeatureParams::default()
        };
        assert!(matches!(
            params.validate(),
            Err(FeatureError::InvalidParam { key, .. }) if key == "features.atr_pct_lookback"
        ));

        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 10.5] {
            let params = FeatureParams {
                bb_std: bad,
                ..FeatureParams::default()
            };
            assert!(matches!(
                params.validate(),
                Err(FeatureError::InvalidParam { key, .. }) if key == "features.bb_std"
            ));
        }
    }
}
