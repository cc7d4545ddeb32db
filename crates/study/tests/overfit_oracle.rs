//! PSR, DSR, the minimum track record length and PBO against `holdout-backtest` from PyPI
//! (run live in the shared test virtualenv) on random fat-tailed return matrices, to 1e-9;
//! and the 2014 paper's worked example to 1e-6 as holdout computes it.

#[path = "../../../tests/support/optuna.rs"]
mod python;

use std::path::PathBuf;
use std::process::Command;

use genesis_study::overfit::{
    deflate, expected_max_sharpe, pbo, probabilistic_sharpe, BlockSums, SharpeEstimate,
};
use python::{has_python3, interop_dir, python_with, run_checked};
use serde_json::Value;

const REQUIREMENTS: &[&str] = &["holdout-backtest==0.1.0", "numpy"];

fn close(what: &str, ours: f64, theirs: f64, tolerance: f64) {
    assert!(
        (ours - theirs).abs() <= tolerance * theirs.abs().max(1.0),
        "{what}: ours {ours} vs holdout {theirs}"
    );
}

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

#[test]
fn psr_dsr_and_pbo_equal_holdout_backtest() {
    if !has_python3() {
        println!("SKIPPED psr_dsr_and_pbo_equal_holdout_backtest: python3 is not installed");
        return;
    }
    let python = python_with(&interop_dir(), REQUIREMENTS);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden/overfit/holdout_oracle.py");
    for seed in [7, 2024] {
        let stdout = run_checked(
            Command::new(&python).arg(&script).arg(seed.to_string()),
            "holdout_oracle.py",
        );
        let doc: Value = serde_json::from_str(stdout.trim()).expect("JSON");
        let trials: Vec<Vec<f64>> = doc["returns"]
            .as_array()
            .unwrap()
            .iter()
            .map(floats)
            .collect();

        // DSR of the best trial among all.
        let estimates: Vec<SharpeEstimate> = trials
            .iter()
            .map(|returns| SharpeEstimate::of(returns).expect("variance"))
            .collect();
        let sharpes: Vec<f64> = estimates.iter().map(|e| e.sharpe).collect();
        let best = (0..sharpes.len())
            .max_by(|&a, &b| sharpes[a].total_cmp(&sharpes[b]))
            .unwrap();
        let theirs = &doc["deflation"];
        assert_eq!(best as u64, theirs["selected"].as_u64().unwrap());
        let deflation = deflate(estimates[best], &sharpes).unwrap();
        let pairs = [
            ("sharpe", deflation.best.sharpe),
            ("skewness", deflation.best.skewness),
            ("kurtosis", deflation.best.kurtosis),
            ("trials_variance", deflation.trials_variance),
            ("expected_max_sharpe", deflation.expected_max_sharpe),
            ("psr", deflation.psr),
            ("dsr", deflation.dsr),
        ];
        for (name, ours) in pairs {
            close(
                &format!("seed {seed} {name}"),
                ours,
                theirs[name].as_f64().unwrap(),
                1e-9,
            );
        }
        close(
            "min track record length",
            deflation.min_track_record_bars.unwrap(),
            theirs["min_trl"].as_f64().unwrap(),
            1e-9,
        );

        // PBO over 16 blocks from the per-block sums.
        let mut sums = BlockSums::new(16);
        for returns in &trials {
            sums.push_returns(returns);
        }
        let ours = pbo(&sums).unwrap();
        let theirs = &doc["pbo"];
        assert_eq!(ours.pbo, theirs["pbo"].as_f64().unwrap(), "seed {seed} PBO");
        for (name, values) in [
            ("logits", &ours.logits),
            ("in_sample", &ours.in_sample),
            ("out_of_sample", &ours.out_of_sample),
        ] {
            let expected = floats(&theirs[name]);
            assert_eq!(values.len(), expected.len(), "{name}");
            for (k, (a, b)) in values.iter().zip(&expected).enumerate() {
                close(&format!("seed {seed} {name}[{k}]"), *a, *b, 1e-9);
            }
        }
        close(
            "slope",
            ours.degradation_slope,
            theirs["slope"].as_f64().unwrap(),
            1e-9,
        );
        close(
            "probability of loss",
            ours.probability_of_loss,
            theirs["probability_of_loss"].as_f64().unwrap(),
            1e-12,
        );

        // The paper's worked example, as holdout computes it.
        let sr0 = expected_max_sharpe(100, 0.5 / 250.0);
        close(
            "paper SR0",
            sr0,
            doc["paper"]["sr0"].as_f64().unwrap(),
            1e-6,
        );
        let example = SharpeEstimate {
            n: 1_250,
            sharpe: 2.5 / libm::sqrt(250.0),
            skewness: -3.0,
            kurtosis: 10.0,
        };
        close(
            "paper DSR",
            probabilistic_sharpe(&example, sr0),
            doc["paper"]["dsr"].as_f64().unwrap(),
            1e-6,
        );
    }
}
