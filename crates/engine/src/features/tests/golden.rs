//! Golden values: our indicators against TA-Lib's own outputs on a committed fixture.
//!
//! `tests/golden/features/generate_talib.py` wrote both files with the TA-Lib Python package
//! (0.8.2) in a scratch environment; nothing here is derived from our code. The fixture has a
//! six-bar flat stretch (bars 120..126) so zero price changes and zero true ranges are covered.
//! Guards against: a wrong seed (first value instead of SMA), an off-by-one warm-up, sample
//! instead of population standard deviation, and TR ignoring the previous close.

use crate::data::{Candles, Columns};
use crate::features::atr::atr;
use crate::features::bollinger::bollinger;
use crate::features::column::Column;
use crate::features::ema::ema;
use crate::features::rsi::rsi;
use crate::features::sma::sma;

const CANDLES_CSV: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/golden/features/candles.csv"
));
const EXPECTED_CSV: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/golden/features/talib_expected.csv"
));

fn fixture() -> Candles {
    let mut cols = Columns::default();
    for line in CANDLES_CSV.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 6, "fixture line {line}");
        cols.ts_ms.push(fields[0].parse().unwrap());
        cols.open.push(fields[1].parse().unwrap());
        cols.high.push(fields[2].parse().unwrap());
        cols.low.push(fields[3].parse().unwrap());
        cols.close.push(fields[4].parse().unwrap());
        cols.volume.push(fields[5].parse().unwrap());
    }
    Candles::from_columns(cols).unwrap()
}

/// The expected column called `name`: `None` where TA-Lib gave NaN.
fn expected(name: &str) -> Vec<Option<f64>> {
    let mut lines = EXPECTED_CSV.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let idx = header
        .iter()
        .position(|&column| column == name)
        .unwrap_or_else(|| panic!("no column {name} in the golden file"));
    lines
        .map(|line| {
            let field = line.split(',').nth(idx).unwrap();
            (!field.is_empty()).then(|| field.parse().unwrap())
        })
        .collect()
}

fn assert_golden(name: &str, column: &Column) {
    let want = expected(name);
    assert_eq!(want.len(), column.len(), "{name}: length");
    let mut n_compared = 0;
    for (bar_idx, want) in want.iter().enumerate() {
        match (column.get(bar_idx), *want) {
            (None, None) => {}
            (Some(got), Some(want)) => {
                let tolerance = 1e-9 * want.abs().max(1.0);
                assert!(
                    (got - want).abs() <= tolerance,
                    "{name} at bar {bar_idx}: ours {got}, TA-Lib {want}"
                );
                n_compared += 1;
            }
            (got, want) => panic!("{name} at bar {bar_idx}: ours {got:?}, TA-Lib {want:?}"),
        }
    }
    assert!(
        n_compared > 200,
        "{name}: only {n_compared} values compared"
    );
}

#[test]
fn ema_matches_talib() {
    let candles = fixture();
    for period in [5, 20, 50] {
        assert_golden(&format!("ema_{period}"), &ema(candles.close(), period));
    }
}

#[test]
fn sma_matches_talib() {
    let candles = fixture();
    assert_golden("sma_20", &sma(candles.close(), 20));
}

#[test]
fn rsi_matches_talib() {
    let candles = fixture();
    for period in [5, 14] {
        assert_golden(&format!("rsi_{period}"), &rsi(candles.close(), period));
    }
}

#[test]
fn atr_matches_talib() {
    let candles = fixture();
    for period in [5, 14] {
        let column = atr(candles.high(), candles.low(), candles.close(), period);
        assert_golden(&format!("atr_{period}"), &column);
    }
}

#[test]
fn bollinger_matches_talib() {
    let candles = fixture();
    for (period, std_mult, tag) in [(20, 2.0, "bb_20_20"), (10, 1.5, "bb_10_15")] {
        let bands = bollinger(candles.close(), period, std_mult);
        assert_golden(&format!("{tag}_upper"), &bands.upper);
        assert_golden(&format!("{tag}_mid"), &bands.mid);
        assert_golden(&format!("{tag}_lower"), &bands.lower);
    }
}
