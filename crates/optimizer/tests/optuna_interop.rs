//! Real Optuna reads our export: a scratch virtualenv under the target directory (kept
//! between runs) gets `pip install optuna`, then a Python script loads the file through
//! `optuna.storages.JournalStorage(JournalFileBackend(path))` and reports what it sees.
//! Skips, saying so, only when `python3` is not installed.

mod common;
#[path = "../../../tests/support/optuna.rs"]
mod optuna;

use common::*;
use genesis_optimizer::export::to_optuna_journal;
use genesis_optimizer::pruner::MedianPruner;
use genesis_optimizer::{PrunerSettings, SamplerSettings, StudySettings, TpeSettings, TrialState};
use optuna::{has_python3, interop_dir, optuna_python, read_with_optuna};
use serde_json::Value;

#[test]
fn real_optuna_reads_the_export() {
    if !has_python3() {
        println!("SKIPPED real_optuna_reads_the_export: python3 is not installed");
        return;
    }
    let dir = interop_dir();
    let python = optuna_python(&dir);

    let settings = StudySettings {
        pruner: PrunerSettings::Median(MedianPruner::default()),
        ..settings(21, SamplerSettings::Tpe(TpeSettings::default()))
    };
    let r = run(
        spec(space(MIXED_SPACE), settings),
        budget(60),
        3,
        2,
        &mixed_objective,
    );
    let log = r.study.log().unwrap();
    let states: Vec<TrialState> = log.trials.iter().map(|t| t.state).collect();
    assert!(states.contains(&TrialState::Pruned) && states.contains(&TrialState::Complete));
    assert!(log
        .trials
        .iter()
        .any(|t| !t.constraint_violations.is_empty()));

    let path = dir.join("export.jsonl");
    std::fs::write(&path, to_optuna_journal(&log).unwrap()).unwrap();
    let seen: Value = read_with_optuna(&python, &path, "test");
    println!(
        "Optuna {} read {} trials",
        seen["optuna_version"], seen["n_trials"]
    );

    assert_eq!(seen["direction"], "MAXIMIZE");
    assert_eq!(seen["n_trials"].as_u64(), Some(log.trials.len() as u64));
    for (i, trial) in log.trials.iter().enumerate() {
        let expected_state = match trial.state {
            TrialState::Complete => "COMPLETE",
            TrialState::Pruned => "PRUNED",
            TrialState::Failed => "FAIL",
        };
        assert_eq!(seen["states"][i], expected_state, "trial {}", trial.number);
        assert_eq!(seen["numbers"][i].as_u64(), Some(trial.number));
        let expected_params: serde_json::Map<String, Value> = trial
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect();
        assert_eq!(
            seen["params"][i],
            Value::Object(expected_params),
            "trial {}",
            trial.number
        );
        match trial.state {
            TrialState::Complete => assert_eq!(seen["values"][i].as_f64(), trial.value),
            TrialState::Pruned => {
                assert_eq!(
                    seen["values"][i].as_f64(),
                    trial.last_intermediate().map(|x| x.1)
                )
            }
            TrialState::Failed => assert!(seen["values"][i].is_null()),
        }
        assert_eq!(
            seen["intermediate"][i].as_object().map(|m| m.len()),
            Some(trial.intermediate.len())
        );
        assert_eq!(
            seen["fingerprints"][i],
            trial
                .user_attrs
                .get("fingerprint")
                .cloned()
                .unwrap_or(Value::Null)
        );
    }
    // Optuna's best trial skips infeasible ones through the `constraints` system attribute,
    // as our summary does.
    let best = genesis_optimizer::summary::summarize(&log, 1).best.unwrap();
    assert_eq!(seen["best_value"].as_f64(), best.value);
    assert_eq!(seen["best_number"].as_u64(), Some(best.number));
}
