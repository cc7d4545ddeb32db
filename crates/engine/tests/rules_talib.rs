//! Every function of the rules language against TA-Lib (from PyPI, run live in the shared
//! test virtualenv) on a real file, backtesting.py's GOOG sample: undefined exactly where
//! TA-Lib has NaN, values equal to 1e-9 relative. `tests/golden/rules/talib_functions.py`
//! says which TA-Lib call (or numpy definition) stands beside each expression.

#[path = "../../../tests/support/optuna.rs"]
mod python;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use genesis_engine::data::{parse, ParseOptions};
use genesis_engine::features::FeatureStore;
use genesis_engine::strategy::rules::{evaluate, functions::FUNCTIONS, Series};
use python::{has_python3, interop_dir, python_with, run_checked};
use serde_json::Value;

const REQUIREMENTS: &[&str] = &["TA-Lib", "numpy"];

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

#[test]
fn every_function_equals_ta_lib_on_goog() {
    if !has_python3() {
        println!("SKIPPED every_function_equals_ta_lib: python3 is not installed");
        return;
    }
    let csv = repo("tests/golden/backtest/goog.csv");
    let python = python_with(&interop_dir(), REQUIREMENTS);
    let stdout = run_checked(
        Command::new(&python)
            .arg(repo("tests/golden/rules/talib_functions.py"))
            .arg(&csv),
        "talib_functions.py",
    );
    let doc: Value = serde_json::from_str(stdout.trim()).expect("the script prints JSON");
    let bytes = std::fs::read(&csv).unwrap();
    let candles = Arc::new(parse(&bytes, &ParseOptions::default()).unwrap().candles);
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let params = BTreeMap::new();

    let mut covered: Vec<&str> = Vec::new();
    for (text, expected) in doc["numbers"].as_object().expect("numbers") {
        let Series::Numbers(ours) = evaluate(text, &params, &mut store).unwrap() else {
            panic!("{text} is a number");
        };
        let expected = expected.as_array().unwrap();
        assert_eq!(ours.len(), expected.len(), "{text}");
        for (bar, (value, theirs)) in ours.iter().zip(expected).enumerate() {
            match theirs.as_f64() {
                None => assert!(
                    value.is_nan(),
                    "{text} bar {bar}: {value} where TA-Lib has NaN"
                ),
                Some(theirs) => assert!(
                    (value - theirs).abs() <= 1e-9 * theirs.abs().max(1.0),
                    "{text} bar {bar}: {value} vs TA-Lib {theirs}"
                ),
            }
        }
        covered.extend(
            FUNCTIONS
                .iter()
                .filter(|f| text.contains(&format!("{}(", f.name)))
                .map(|f| f.name),
        );
    }
    for (text, expected) in doc["conditions"].as_object().expect("conditions") {
        let Series::Conditions(ours) = evaluate(text, &params, &mut store).unwrap() else {
            panic!("{text} is a condition");
        };
        let expected: Vec<bool> = expected
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_bool().unwrap())
            .collect();
        assert_eq!(ours, expected, "{text}");
        assert!(ours.iter().any(|&x| x), "{text} fires somewhere");
        covered.extend(
            FUNCTIONS
                .iter()
                .filter(|f| text.contains(&format!("{}(", f.name)))
                .map(|f| f.name),
        );
    }
    for info in FUNCTIONS {
        assert!(
            covered.contains(&info.name),
            "{} is not compared",
            info.name
        );
    }
}
