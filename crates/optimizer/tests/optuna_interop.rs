//! Real Optuna reads our export: a scratch virtualenv under the target directory (kept
//! between runs) gets `pip install optuna`, then a Python script loads the file through
//! `optuna.storages.JournalStorage(JournalFileBackend(path))` and reports what it sees.
//! Skips, saying so, only when `python3` is not installed.

mod common;
#[path = "../../../tests/support/optuna.rs"]
mod optuna;

use std::process::Command;

use common::*;
use genesis_optimizer::export::to_optuna_journal;
use genesis_optimizer::pruner::MedianPruner;
use genesis_optimizer::{PrunerSettings, SamplerSettings, StudySettings, TpeSettings, TrialState};
use optuna::{has_python3, interop_dir, optuna_python, run_checked};
use serde_json::Value;

const READ_SCRIPT: &str = r#"
import json, sys
import optuna
from optuna.storages import JournalStorage
try:
    from optuna.storages.journal import JournalFileBackend
except ImportError:  # Optuna 3.x
    from optuna.storages import JournalFileStorage as JournalFileBackend

optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = JournalStorage(JournalFileBackend(sys.argv[1]))
study = optuna.load_study(study_name=sys.argv[2], storage=storage)
trials = study.get_trials(deepcopy=False)
print(json.dumps({
    "optuna_version": optuna.__version__,
    "direction": study.direction.name,
    "n_trials": len(trials),
    "states": [t.state.name for t in trials],
    "values": [t.value for t in trials],
    "params": [t.params for t in trials],
    "intermediate": [{str(k): v for k, v in t.intermediate_values.items()} for t in trials],
    "numbers": [t.system_attrs.get("genesis_number") for t in trials],
    "fingerprints": [t.user_attrs.get("fingerprint") for t in trials],
    "best_value": study.best_value,
    "best_number": study.best_trial.system_attrs.get("genesis_number"),
}))
"#;

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
    let script = dir.join("read_export.py");
    std::fs::write(&script, READ_SCRIPT).unwrap();
    let stdout = run_checked(
        Command::new(&python).arg(&script).arg(&path).arg("test"),
        "reading the export with Optuna",
    );
    let seen: Value = serde_json::from_str(stdout.trim()).unwrap();
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
