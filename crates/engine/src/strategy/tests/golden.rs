//! Golden metrics and score of the default presets on the demo data.
//!
//! `tests/golden/backtest/demo_<preset>.json` holds every metric and the score with each
//! float also written as its IEEE-754 bits, so the browser build can check that its metrics
//! are bit-identical to the native ones. Regenerate with `UPDATE_GOLDEN=1 cargo test -p
//! genesis-engine golden` after a deliberate change, and say why in the commit.

use serde_json::{json, Map, Value};

use super::{demo, golden_path, run_all};
use crate::run::RunOutcome;
use crate::strategy::StrategyConfig;

/// Every float in `value`, by dotted path, as `0x` + 16 hex digits of its bits.
fn float_bits(value: &Value, path: &str, out: &mut Map<String, Value>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                float_bits(item, &child, out);
            }
        }
        Value::Number(number) if number.is_f64() => {
            let bits = number.as_f64().unwrap_or(f64::NAN).to_bits();
            out.insert(path.to_owned(), json!(format!("{bits:#018x}")));
        }
        _ => {}
    }
}

/// `value` with every float replaced by null.
fn without_floats(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| (key.clone(), without_floats(item)))
                .collect(),
        ),
        Value::Number(number) if number.is_f64() => Value::Null,
        other => other.clone(),
    }
}

fn golden_document(preset: &str, outcome: &RunOutcome) -> Value {
    let results = json!({
        "metrics": outcome.report.metrics,
        "score": outcome.evaluation.score,
    });
    let mut bits = Map::new();
    float_bits(&results, "", &mut bits);
    json!({
        "preset": preset,
        "dataset": "demo: genesis data synth --bars 17278 --timeframe 1h --seed 42",
        "dataset_hash": outcome.dataset_hash,
        "config_fingerprint": outcome.config_fingerprint,
        "n_trades": outcome.report.trades.len(),
        "metrics": results["metrics"],
        "score": results["score"],
        "bits": bits,
    })
}

fn check_golden(preset: &str) -> Value {
    let outcome = run_all(&demo(), &StrategyConfig::preset(preset).unwrap());
    let doc = golden_document(preset, &outcome);
    let path = golden_path(&format!("demo_{preset}.json"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let text = serde_json::to_string_pretty(&doc).unwrap() + "\n";
        std::fs::write(&path, text).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        return doc;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "{}: {err}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    let golden: Value = serde_json::from_str(&text).unwrap();
    // The bits first: a difference in the last bit of any metric fails here by name.
    let (ours, theirs) = (&doc["bits"], &golden["bits"]);
    for (key, bits) in golden["bits"].as_object().unwrap() {
        assert_eq!(&ours[key], bits, "{preset}: {key} changed");
    }
    assert_eq!(ours, theirs, "{preset}: the set of metrics changed");
    // Everything else (counts, hashes, flags) as written. The decimal floats are for people
    // and for JavaScript's correctly rounded JSON.parse; serde_json's default float parser
    // may be an ulp off, so floats are compared through their bits above.
    assert_eq!(
        without_floats(&doc),
        without_floats(&golden),
        "{preset}: golden document differs"
    );
    doc
}

#[test]
fn the_genesis_preset_matches_its_golden_metrics() {
    check_golden("genesis");
}

#[test]
fn the_sma_cross_preset_matches_its_golden_metrics() {
    let doc = check_golden("sma_cross");
    // Independent of our own output: backtesting.py 0.6.6 runs SmaCross(10, 20) on the same
    // demo data (cash 1,000,000, commission 0.002, exclusive orders) to 858 closed trades and
    // a final equity of 82,728.96274000262 (tests/golden/backtest/backtesting_py_sma_cross.py
    // --bench prints both). No trade is open at the end, so nothing differs.
    assert_eq!(doc["n_trades"], 858);
    assert_eq!(
        doc["metrics"]["final_equity"].as_f64(),
        Some(82_728.962_740_002_62)
    );
}
