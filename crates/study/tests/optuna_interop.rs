//! Real Optuna reads the export of a real study (genesis preset on the demo data, pruned
//! and validated trials included). Reuses the optimizer's interop approach and its cached
//! virtualenv (`optuna-interop/optuna-venv` under the target directory's tmp): created with
//! `pip install optuna` on the first run of either test, reused after. Skips, saying so,
//! only when `python3` is not installed.

mod common;
#[path = "../../../tests/support/optuna.rs"]
mod optuna;

use std::sync::Arc;

use common::*;
use genesis_engine::features::FeatureStore;
use genesis_optimizer::export::to_optuna_journal;
use genesis_optimizer::pruner::MedianPruner;
use genesis_optimizer::{PrunerSettings, TrialState};
use genesis_study::validation::validate_top;
use optuna::{has_python3, interop_dir, optuna_python, read_with_optuna};
use serde_json::Value;

#[test]
fn optuna_reads_the_export_of_a_real_study() {
    if !has_python3() {
        println!("SKIPPED optuna_reads_the_export_of_a_real_study: python3 is not installed");
        return;
    }
    let dir = interop_dir();
    let python = optuna_python(&dir);

    let candles = demo();
    let mut plan = plan(&candles, "genesis", GENESIS_SPACE, 17, Some(0.7));
    plan.settings.pruner = PrunerSettings::Median(MedianPruner::default());
    let mut study = run_study(&plan, &candles, 40, 2);
    validate_top(
        &mut study,
        &plan,
        &mut FeatureStore::new(Arc::clone(&candles)),
    )
    .unwrap();
    let log = study.log().unwrap();
    assert!(log.trials.iter().any(|t| t.state == TrialState::Pruned));

    let path = dir.join("study-export.jsonl");
    std::fs::write(&path, to_optuna_journal(&log).unwrap()).unwrap();
    let seen: Value = read_with_optuna(&python, &path, "test");
    assert_eq!(seen["n_trials"].as_u64(), Some(log.trials.len() as u64));
    let mut n_validated = 0;
    for (i, trial) in log.trials.iter().enumerate() {
        assert_eq!(seen["numbers"][i].as_u64(), Some(trial.number));
        let state = match trial.state {
            TrialState::Complete => "COMPLETE",
            TrialState::Pruned => "PRUNED",
            TrialState::Failed => "FAIL",
        };
        assert_eq!(seen["states"][i], state);
        if trial.state == TrialState::Complete {
            assert_eq!(seen["values"][i].as_f64(), trial.value);
            assert_eq!(seen["fingerprints"][i], trial.user_attrs["fingerprint"]);
            assert_eq!(seen["sharpes"][i], trial.user_attrs["sharpe"]);
        }
        if let Some(validation) = trial.user_attrs.get("validation") {
            assert_eq!(&seen["validations"][i], validation);
            n_validated += 1;
        }
    }
    assert_eq!(n_validated, 3);
    let best = genesis_optimizer::summary::summarize(&log, 1).best.unwrap();
    assert_eq!(seen["best_number"].as_u64(), Some(best.number));
}
