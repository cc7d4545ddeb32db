//! Deterministic synthetic candles: a regime-switching random walk that looks enough like a
//! crypto market to exercise strategies (trends to follow, ranges to fade, bursts to survive).
//!
//! The process, per bar of `dt` hours:
//!
//! - a Markov chain over four regimes: trend up, trend down, range, volatile; it leaves the
//!   current regime with probability `dt / mean_duration_hours` and picks another by weight;
//! - log return `r = (drift - k_range (ln p - anchor) - k_global (ln p - ln p0)) dt
//!   + sigma sqrt(v) sqrt(dt) z + jump`, where the range regime pulls toward the price it
//!   started at, a weak global pull keeps million-bar series in a plausible band, `v` is an
//!   EWMA of past `z^2` (volatility clustering) and jumps only occur in the volatile regime;
//! - open is the previous close, close is `open e^r`, the wicks reach beyond the body by
//!   `|N(0,1)|` times 0.6 bar sigmas, volume is log-normal, larger on bigger moves and in
//!   volatile regimes;
//! - prices are rounded to 0.01 and volumes to 0.001, so the CSV is short and realistic.
//!
//! Randomness comes from `ChaCha8Rng` seeded with the seed's little-endian bytes, converted to
//! uniforms and normals here with `libm`, so a seed gives the same bytes on every platform.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use super::candles::{Bar, Candles, Columns};
use super::error::DataError;
use super::timestamp::MS_PER_HOUR;

/// The demo dataset: `genesis data synth --bars 17278 --timeframe 1h --seed 42`.
pub const DEMO_N_BARS: usize = 17_278;
pub const DEMO_TIMEFRAME_MS: i64 = MS_PER_HOUR;
pub const DEMO_SEED: u64 = 42;
/// 2024-01-01T00:00:00Z.
pub const DEMO_START_TS_MS: i64 = 1_704_067_200_000;
pub const DEMO_START_PRICE: f64 = 42_000.0;

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthParams {
    pub n_bars: usize,
    pub timeframe_ms: i64,
    pub seed: u64,
    pub start_ts_ms: i64,
    pub start_price: f64,
}

impl SynthParams {
    /// The demo dataset's parameters.
    pub fn demo() -> SynthParams {
        SynthParams {
            n_bars: DEMO_N_BARS,
            timeframe_ms: DEMO_TIMEFRAME_MS,
            seed: DEMO_SEED,
            start_ts_ms: DEMO_START_TS_MS,
            start_price: DEMO_START_PRICE,
        }
    }
}

const PRICE_TICK: f64 = 0.01;
const PRICE_TICKS_PER_UNIT: f64 = 100.0;
const VOLUME_STEPS_PER_UNIT: f64 = 1_000.0;

/// Volume per hour of an ordinary bar.
const BASE_VOLUME_PER_HOUR: f64 = 500.0;
/// Weight of the newest `z^2` in the volatility state.
const VOL_STATE_WEIGHT: f64 = 0.06;
/// Pull of the log price toward the start price, per hour.
const GLOBAL_REVERSION_PER_HOUR: f64 = 0.000_02;
/// How far wicks reach beyond the body, in bar sigmas per unit normal.
const WICK_SIGMAS: f64 = 0.6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Regime {
    TrendUp,
    TrendDown,
    Range,
    Volatile,
}

/// Per-regime behaviour, rates per hour.
struct RegimeSpec {
    drift_per_hour: f64,
    sigma_per_sqrt_hour: f64,
    /// Pull toward the regime's starting log price, per hour.
    reversion_per_hour: f64,
    jump_probability_per_hour: f64,
    jump_sigma: f64,
    mean_duration_hours: f64,
    /// Relative chance of being chosen when the chain switches.
    weight: f64,
    volume_factor: f64,
}

const REGIMES: [Regime; 4] = [
    Regime::TrendUp,
    Regime::TrendDown,
    Regime::Range,
    Regime::Volatile,
];

impl Regime {
    fn spec(self) -> RegimeSpec {
        match self {
            Regime::TrendUp => RegimeSpec {
                drift_per_hour: 0.000_35,
                sigma_per_sqrt_hour: 0.006,
                reversion_per_hour: 0.0,
                jump_probability_per_hour: 0.0,
                jump_sigma: 0.0,
                mean_duration_hours: 400.0,
                weight: 0.3,
                volume_factor: 1.2,
            },
            Regime::TrendDown => RegimeSpec {
                drift_per_hour: -0.000_35,
                sigma_per_sqrt_hour: 0.007,
                reversion_per_hour: 0.0,
                jump_probability_per_hour: 0.0,
                jump_sigma: 0.0,
                mean_duration_hours: 350.0,
                weight: 0.3,
                volume_factor: 1.3,
            },
            Regime::Range => RegimeSpec {
                drift_per_hour: 0.0,
                sigma_per_sqrt_hour: 0.004,
                reversion_per_hour: 0.02,
                jump_probability_per_hour: 0.0,
                jump_sigma: 0.0,
                mean_duration_hours: 300.0,
                weight: 0.3,
                volume_factor: 0.8,
            },
            Regime::Volatile => RegimeSpec {
                drift_per_hour: 0.0,
                sigma_per_sqrt_hour: 0.018,
                reversion_per_hour: 0.0,
                jump_probability_per_hour: 0.02,
                jump_sigma: 0.04,
                mean_duration_hours: 60.0,
                weight: 0.1,
                volume_factor: 2.5,
            },
        }
    }
}

/// Uniforms and normals from a ChaCha8 stream, defined here so they never change with a
/// library upgrade.
struct Draws {
    rng: ChaCha8Rng,
    spare_normal: Option<f64>,
}

impl Draws {
    fn new(seed: u64) -> Draws {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        Draws {
            rng: ChaCha8Rng::from_seed(key),
            spare_normal: None,
        }
    }

    /// Uniform in the open interval (0, 1): the top 53 bits of a word, offset by half a step.
    fn uniform(&mut self) -> f64 {
        uniform_from_bits(self.rng.next_u64())
    }

    /// Standard normal by the Box–Muller transform; the second value of each pair is kept.
    fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let radius = (-2.0 * libm::log(self.uniform())).sqrt();
        let angle = 2.0 * std::f64::consts::PI * self.uniform();
        self.spare_normal = Some(radius * libm::sin(angle));
        radius * libm::cos(angle)
    }
}

fn uniform_from_bits(bits: u64) -> f64 {
    ((bits >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

fn round_to(value: f64, steps_per_unit: f64) -> f64 {
    (value * steps_per_unit).round() / steps_per_unit
}

/// Generates `n_bars` candles. Errors when the parameters cannot make a dataset (fewer than
/// two bars, a non-positive timeframe, a start price that is not a positive number, or
/// timestamps that would overflow).
pub fn generate(params: &SynthParams) -> Result<Candles, DataError> {
    let n_bars = params.n_bars;
    let is_valid_price = params.start_price.is_finite() && params.start_price >= PRICE_TICK;
    let last_offset_ms = (n_bars as i64).checked_mul(params.timeframe_ms);
    let is_valid_time = params.timeframe_ms > 0
        && last_offset_ms.is_some_and(|offset| params.start_ts_ms.checked_add(offset).is_some());
    if n_bars < 2 || !is_valid_price || !is_valid_time {
        return Err(DataError::Synth {
            message: format!(
                "need at least 2 bars, a positive timeframe, a start price of at least {PRICE_TICK} and times that fit (got {} bars, {} ms, price {}, start {})",
                n_bars, params.timeframe_ms, params.start_price, params.start_ts_ms
            ),
        });
    }

    let dt_hours = params.timeframe_ms as f64 / MS_PER_HOUR as f64;
    let sqrt_dt = dt_hours.sqrt();
    let mut draws = Draws::new(params.seed);
    let mut cols = Columns::with_capacity(n_bars);

    let log_start = libm::log(params.start_price);
    let mut log_price = log_start;
    let mut regime = Regime::Range;
    let mut anchor = log_price;
    let mut vol_state: f64 = 1.0;
    let mut prev_close = round_to(params.start_price, PRICE_TICKS_PER_UNIT).max(PRICE_TICK);

    for bar_idx in 0..n_bars {
        let spec = regime.spec();
        if draws.uniform() < (dt_hours / spec.mean_duration_hours).min(1.0) {
            regime = next_regime(regime, draws.uniform());
            anchor = log_price;
        }
        let spec = regime.spec();

        let z = draws.normal();
        let bar_sigma = spec.sigma_per_sqrt_hour * vol_state.sqrt() * sqrt_dt;
        let pull = spec.reversion_per_hour * (log_price - anchor)
            + GLOBAL_REVERSION_PER_HOUR * (log_price - log_start);
        let mut log_return = (spec.drift_per_hour - pull) * dt_hours + bar_sigma * z;
        if spec.jump_probability_per_hour > 0.0
            && draws.uniform() < (spec.jump_probability_per_hour * dt_hours).min(1.0)
        {
            log_return += spec.jump_sigma * draws.normal();
        }
        vol_state = (1.0 - VOL_STATE_WEIGHT) * vol_state + VOL_STATE_WEIGHT * z * z;
        log_price += log_return;

        let open = prev_close;
        let close = round_to(libm::exp(log_price), PRICE_TICKS_PER_UNIT).max(PRICE_TICK);
        let upper_wick = libm::exp(bar_sigma * WICK_SIGMAS * draws.normal().abs());
        let lower_wick = libm::exp(-bar_sigma * WICK_SIGMAS * draws.normal().abs());
        let high =
            round_to(open.max(close) * upper_wick, PRICE_TICKS_PER_UNIT).max(open.max(close));
        let low = round_to(open.min(close) * lower_wick, PRICE_TICKS_PER_UNIT)
            .min(open.min(close))
            .max(PRICE_TICK);
        let move_in_sigmas = if bar_sigma > 0.0 {
            (log_return / bar_sigma).abs()
        } else {
            0.0
        };
        let volume_noise = libm::exp(0.4 * draws.normal());
        let volume = round_to(
            BASE_VOLUME_PER_HOUR
                * dt_hours
                * spec.volume_factor
                * (0.5 + 0.5 * move_in_sigmas)
                * volume_noise,
            VOLUME_STEPS_PER_UNIT,
        );

        cols.push(Bar {
            ts_ms: params.start_ts_ms + bar_idx as i64 * params.timeframe_ms,
            open,
            high,
            low,
            close,
            volume,
        });
        prev_close = close;
    }
    Ok(Candles::from_columns(cols)?)
}

/// Picks a regime other than `current`, by weight, from a uniform draw.
fn next_regime(current: Regime, u: f64) -> Regime {
    let total: f64 = REGIMES
        .iter()
        .filter(|r| **r != current)
        .map(|r| r.spec().weight)
        .sum();
    let mut threshold = u * total;
    let mut last = current;
    for candidate in REGIMES.into_iter().filter(|r| *r != current) {
        last = candidate;
        threshold -= candidate.spec().weight;
        if threshold < 0.0 {
            return candidate;
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_conversion_uses_the_top_53_bits() {
        // Independent derivation: bits >> 11 is k in [0, 2^53); the result is (k + 0.5) / 2^53.
        assert_eq!(uniform_from_bits(0), 0.5 / 9_007_199_254_740_992.0);
        assert_eq!(
            uniform_from_bits(u64::MAX),
            1.0 - 0.5 / 9_007_199_254_740_992.0
        );
        assert_eq!(
            uniform_from_bits(1 << 63),
            0.5 + 0.5 / 9_007_199_254_740_992.0
        );
        assert_eq!(uniform_from_bits(2047), uniform_from_bits(0));
    }

    #[test]
    fn regime_choice_follows_the_weights() {
        // From Range the others weigh 0.3, 0.3, 0.1 (total 0.7): up below 3/7, down below 6/7.
        assert_eq!(next_regime(Regime::Range, 0.0), Regime::TrendUp);
        assert_eq!(next_regime(Regime::Range, 0.42), Regime::TrendUp);
        assert_eq!(next_regime(Regime::Range, 0.44), Regime::TrendDown);
        assert_eq!(next_regime(Regime::Range, 0.85), Regime::TrendDown);
        assert_eq!(next_regime(Regime::Range, 0.86), Regime::Volatile);
        assert_eq!(next_regime(Regime::Range, 0.999_999), Regime::Volatile);
        assert_eq!(next_regime(Regime::TrendUp, 0.1), Regime::TrendDown);
    }

    #[test]
    fn bad_parameters_are_errors_not_panics() {
        let base = SynthParams::demo();
        for params in [
            SynthParams {
                n_bars: 1,
                ..base.clone()
            },
            SynthParams {
                timeframe_ms: 0,
                ..base.clone()
            },
            SynthParams {
                start_price: f64::NAN,
                ..base.clone()
            },
            SynthParams {
                start_price: 0.0,
                ..base.clone()
            },
            SynthParams {
                start_ts_ms: i64::MAX - 10,
                ..base.clone()
            },
        ] {
            assert!(
                matches!(generate(&params), Err(DataError::Synth { .. })),
                "{params:?}"
            );
        }
    }
}
