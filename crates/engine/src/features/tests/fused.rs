//! The fused pass of EMA, RSI and ATR against the indicator functions.

use proptest::prelude::*;

use super::gen::random_walk;
use crate::features::atr::atr;
use crate::features::ema::ema;
use crate::features::fused::columns;
use crate::features::rsi::rsi;
use crate::features::{Column, Indicator};

fn arb_chain_key() -> impl Strategy<Value = Indicator> {
    (0u8..3, 1u32..80).prop_map(|(kind, period)| match kind {
        0 => Indicator::Ema { period },
        1 => Indicator::Rsi { period },
        _ => Indicator::Atr { period },
    })
}

fn bits(column: &Column) -> Vec<u64> {
    column
        .values()
        .iter()
        .map(|value| value.to_bits())
        .collect()
}

proptest! {
    /// Guards the fused pass: every column must equal its own function's to the bit,
    /// whichever chain starts last, with repeated keys and periods longer than the data.
    #[test]
    fn fused_columns_equal_the_indicator_functions_bit_for_bit(
        seed in any::<u64>(),
        n_bars in 2usize..300,
        keys in prop::collection::vec(arb_chain_key(), 1..7),
    ) {
        let candles = random_walk(seed, n_bars);
        let (high, low, close) = (candles.high(), candles.low(), candles.close());
        let fused = columns(&candles, &keys);
        prop_assert_eq!(fused.len(), keys.len());
        for (key, column) in keys.iter().zip(&fused) {
            let alone = match *key {
                Indicator::Ema { period } => ema(close, period as usize),
                Indicator::Rsi { period } => rsi(close, period as usize),
                Indicator::Atr { period } => atr(high, low, close, period as usize),
                other => panic!("{other} is not fusable"),
            };
            prop_assert_eq!(column.first_valid(), alone.first_valid(), "{}", key);
            prop_assert_eq!(bits(column), bits(&alone), "{} on {} bars", key, n_bars);
        }
    }
}
