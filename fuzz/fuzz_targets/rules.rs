//! Any text as a rule, and as a whole rules config: compiling returns a program or an error
//! naming the key, line and column, never panics; a program that compiles also runs over a
//! small dataset (undefined values, division by zero, huge lengths) without panicking.
#![no_main]

use std::collections::BTreeMap;
use std::sync::Arc;

use genesis_engine::data::{Candles, Columns};
use genesis_engine::features::FeatureStore;
use genesis_engine::strategy::rules::{check_config_text, evaluate, syntax};
use libfuzzer_sys::fuzz_target;

fn candles() -> Arc<Candles> {
    let n = 40;
    let close: Vec<f64> = (0..n).map(|i| 100.0 + ((i * 7) % 11) as f64 - 5.0).collect();
    let cols = Columns {
        ts_ms: (0..n).map(|i| 1_700_000_000_000 + i as i64 * 3_600_000).collect(),
        open: close.iter().map(|c| c - 0.5).collect(),
        high: close.iter().map(|c| c + 1.0).collect(),
        low: close.iter().map(|c| c - 1.0).collect(),
        volume: (0..n).map(|i| (i % 3) as f64).collect(),
        close,
    };
    Arc::new(Candles::from_columns(cols).expect("valid candles"))
}

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    if let Err(err) = syntax::parse(&text) {
        assert!(err.span.start <= text.len());
    }
    let params = BTreeMap::from([("fast".to_owned(), 10.0), ("k".to_owned(), 2.5)]);
    let mut store = FeatureStore::new(candles());
    let _ = evaluate(&text, &params, &mut store);
    for error in check_config_text(&text, "fuzz.yaml") {
        assert!(!error.to_string().is_empty());
    }
});
