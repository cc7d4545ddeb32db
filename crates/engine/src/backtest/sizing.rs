//! Units from a [`Sizing`] rule at the moment of a fill.
//!
//! The "all in" rule reproduces backtesting.py's default order size (`size = 1 − ε`, a
//! fraction of available margin) operation for operation, because parity with it is a
//! product promise: its broker divides `available margin × leverage × (1 − ε)` by
//! `price + commission(size, price) / size` and floors the quotient with Python's float `//`.
//! Every other rule is capped by that same quantity, so no entry ever spends more than the
//! equity the leverage allows.

use super::strategy::Sizing;

/// backtesting.py's default order size: the largest float below 1, read as "all available
/// margin". `f64::EPSILON` equals Python's `sys.float_info.epsilon`.
pub const ALL_IN_FRACTION: f64 = 1.0 - f64::EPSILON;

/// What the engine knows at a fill.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SizingInputs {
    /// Equity at the fill (cash, after closing any reversed position).
    pub equity: f64,
    /// The fill price, slippage included.
    pub fill_price: f64,
    /// Commission fraction per side.
    pub commission: f64,
    pub max_leverage: f64,
    pub whole_units: bool,
    /// Distance from the fill price to the initial effective stop, when there is one.
    pub stop_distance: Option<f64>,
}

/// Why an entry was not sized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizingRejection {
    /// Equity too small for one unit (with whole units) or not positive.
    InsufficientCash,
    /// A parameter was not finite and positive, or risk sizing had no stop.
    Invalid,
}

/// Units (always positive) for a sizing rule, or why there are none.
pub fn units(sizing: Sizing, inputs: &SizingInputs) -> Result<f64, SizingRejection> {
    let requested = match sizing {
        Sizing::EquityFraction(fraction) => {
            positive(fraction)?;
            Some(fraction * inputs.equity / inputs.fill_price)
        }
        Sizing::RiskFraction(fraction) => {
            positive(fraction)?;
            let distance = inputs.stop_distance.ok_or(SizingRejection::Invalid)?;
            positive(distance)?;
            Some(fraction * inputs.equity / distance)
        }
        Sizing::Units(units) => {
            positive(units)?;
            Some(units)
        }
        Sizing::AllIn => None,
    };
    if inputs.equity.is_nan() || inputs.equity <= 0.0 {
        return Err(SizingRejection::InsufficientCash);
    }
    let cap = affordable_units(inputs);
    let units = match requested {
        Some(requested) if requested < cap => {
            if inputs.whole_units {
                requested.floor()
            } else {
                requested
            }
        }
        _ => cap,
    };
    if units > 0.0 && units.is_finite() {
        Ok(units)
    } else {
        Err(SizingRejection::InsufficientCash)
    }
}

/// The most units the equity buys with commission, in backtesting.py's arithmetic.
fn affordable_units(inputs: &SizingInputs) -> f64 {
    let budget = inputs.equity * inputs.max_leverage * ALL_IN_FRACTION;
    // backtesting.py spreads the order's commission over its (fractional) size; keeping its
    // exact operations keeps the floored quotient identical at knife edges.
    let commission_per_unit =
        ALL_IN_FRACTION * inputs.fill_price * inputs.commission / ALL_IN_FRACTION;
    let per_unit = inputs.fill_price + commission_per_unit;
    if inputs.whole_units {
        python_floor_div(budget, per_unit)
    } else {
        budget / per_unit
    }
}

/// Python's float floor division `a // b` for `a >= 0`, `b > 0`.
///
/// It is not `(a / b).floor()`: the rounded quotient can land on the next integer when the
/// exact one is just below it (`1.0 // 0.1` is 9 in Python, `(1.0 / 0.1).floor()` is 10).
/// Python divides the exactly computed `a − fmod(a, b)` instead, then rounds that quotient
/// to the nearest integer.
///
/// That result is the floor of the exact quotient whenever the floor is below 2^50 (the
/// division of `a − fmod(a, b)` is then off by less than a quarter). So when the rounded
/// quotient `a / b` sits clearly inside an interval between two integers (farther from both
/// than its rounding error, at most `2^-53 × quotient`), its floor is the answer and the
/// `fmod` (a hundred instructions, once per entry) is skipped; near an integer the exact
/// path decides.
pub fn python_floor_div(a: f64, b: f64) -> f64 {
    let quotient = a / b;
    let floored = quotient.floor();
    let margin = quotient * MARGIN_PER_UNIT;
    if floored < FAST_PATH_LIMIT && quotient - floored > margin && floored + 1.0 - quotient > margin
    {
        return floored;
    }
    python_floor_div_exact(a, b)
}

/// Twice the rounding error bound of a quotient, per unit of quotient: 2^-52.
const MARGIN_PER_UNIT: f64 = f64::EPSILON;

/// Below this floor Python's correction cannot move the result: 2^50.
const FAST_PATH_LIMIT: f64 = (1u64 << 50) as f64;

/// Python's operations, step by step.
fn python_floor_div_exact(a: f64, b: f64) -> f64 {
    let remainder = a % b;
    let quotient = (a - remainder) / b;
    let floored = quotient.floor();
    if quotient - floored > 0.5 {
        floored + 1.0
    } else {
        floored
    }
}

fn positive(value: f64) -> Result<(), SizingRejection> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(SizingRejection::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(equity: f64, fill_price: f64, commission: f64) -> SizingInputs {
        SizingInputs {
            equity,
            fill_price,
            commission,
            max_leverage: 1.0,
            whole_units: true,
            stop_distance: None,
        }
    }

    #[test]
    fn python_floor_division_differs_from_floor_of_the_rounded_quotient() {
        // Python: 1.0 // 0.1 == 9.0 because fmod(1.0, 0.1) = 0.09999999999999995.
        assert_eq!(python_floor_div(1.0, 0.1), 9.0);
        assert_eq!((1.0f64 / 0.1).floor(), 10.0);
        // Python: 7.0 // 2.0 == 3.0 and 6.0 // 2.0 == 3.0.
        assert_eq!(python_floor_div(7.0, 2.0), 3.0);
        assert_eq!(python_floor_div(6.0, 2.0), 3.0);
        assert_eq!(python_floor_div(0.0, 2.0), 0.0);
    }

    #[test]
    fn all_in_whole_units_matches_backtesting_py_hand_arithmetic() {
        // backtesting.py, cash 10,000, commission 0.002, next open 152.3:
        // per unit = 152.3 + 152.3 × 0.002 = 152.6046; 10,000 × (1 − ε) / 152.6046 = 65.52...
        // so int(... // ...) = 65 units.
        assert_eq!(
            units(Sizing::AllIn, &inputs(10_000.0, 152.3, 0.002)),
            Ok(65.0)
        );
        // At 100 with no commission 10,000 × (1 − ε) is just below 10,000, so 99 units, not
        // 100: the ε in backtesting.py's default size is visible at exact multiples.
        assert_eq!(
            units(Sizing::AllIn, &inputs(10_000.0, 100.0, 0.0)),
            Ok(99.0)
        );
        // Not enough for one unit: backtesting.py cancels the order.
        assert_eq!(
            units(Sizing::AllIn, &inputs(100.0, 150.0, 0.0)),
            Err(SizingRejection::InsufficientCash)
        );
    }

    #[test]
    fn other_rules_are_capped_by_what_equity_affords() {
        let mut frac = inputs(10_000.0, 100.0, 0.0);
        frac.whole_units = false;
        // Half the equity at 100: 5,000 / 100 = 50 units.
        assert_eq!(units(Sizing::EquityFraction(0.5), &frac), Ok(50.0));
        // Risk 1 % of 10,000 = 100 against a stop 2 away: 50 units.
        frac.stop_distance = Some(2.0);
        assert_eq!(units(Sizing::RiskFraction(0.01), &frac), Ok(50.0));
        // Risk 10 % against a stop 0.5 away asks 2,000 units, worth 200,000: capped at
        // 10,000 × (1 − ε) / 100, a hair under 100 units.
        let capped = units(Sizing::RiskFraction(0.1), &frac).unwrap();
        assert!(capped < 100.0 && capped > 99.999_999);
        frac.stop_distance = None;
        assert_eq!(
            units(Sizing::RiskFraction(0.01), &frac),
            Err(SizingRejection::Invalid)
        );
        assert_eq!(
            units(Sizing::EquityFraction(f64::NAN), &frac),
            Err(SizingRejection::Invalid)
        );
        assert_eq!(units(Sizing::Units(3.5), &frac), Ok(3.5));
        frac.whole_units = true;
        assert_eq!(units(Sizing::Units(3.5), &frac), Ok(3.0));
    }

    proptest::proptest! {
        /// Guards the fast path of the floor division: it must give Python's result exactly,
        /// on quotients anywhere and on knife edges a few ulps from exact multiples.
        #[test]
        fn the_fast_floor_division_gives_pythons_result(
            b in 1e-6f64..1e7,
            quotient in 0.0f64..1e9,
            whole in 0u64..2_000_000,
            ulps in -4i64..=4,
        ) {
            let anywhere = quotient * b;
            // A multiple of `b` nudged by a few ulps: where the rounded quotient lies.
            let multiple = whole as f64 * b;
            let bits = multiple.to_bits() as i64 + ulps;
            let edge = f64::from_bits(bits.max(0) as u64);
            for a in [anywhere, multiple, edge] {
                proptest::prop_assert_eq!(
                    python_floor_div(a, b).to_bits(),
                    python_floor_div_exact(a, b).to_bits(),
                    "{} // {}", a, b
                );
            }
        }
    }
}
