//! Optuna journal export and import, CSV, summaries and parameter importance.

mod common;

use common::*;
use genesis_optimizer::export::{from_optuna_journal, to_csv, to_optuna_journal};
use genesis_optimizer::pruner::MedianPruner;
use genesis_optimizer::summary::{parameter_importance, summarize};
use genesis_optimizer::{
    MemoryJournal, PrunerSettings, ResumeOptions, SamplerSettings, Study, StudySettings,
    TpeSettings, TrialState,
};
use serde_json::Value;

fn mixed_run(seed: u64, n: u64) -> Run {
    let settings = StudySettings {
        pruner: PrunerSettings::Median(MedianPruner::default()),
        ..settings(seed, SamplerSettings::Tpe(TpeSettings::default()))
    };
    run(
        spec(space(MIXED_SPACE), settings),
        budget(n),
        3,
        seed,
        &mixed_objective,
    )
}

#[test]
fn the_optuna_export_has_the_journal_ops_optuna_replays() {
    let r = mixed_run(1, 40);
    let log = r.study.log().unwrap();
    let text = to_optuna_journal(&log).unwrap();
    let ops: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ops[0]["op_code"], 0);
    assert_eq!(ops[0]["study_name"], "test");
    assert_eq!(ops[0]["directions"], serde_json::json!([2]), "maximise");
    assert_eq!(ops[1]["op_code"], 2);
    let trials: Vec<&Value> = ops.iter().filter(|o| o["op_code"] == 4).collect();
    assert_eq!(trials.len(), log.trials.len());
    for (op, record) in trials.iter().zip(&log.trials) {
        let state = op["state"].as_i64().unwrap();
        let expected = match record.state {
            TrialState::Complete => 1,
            TrialState::Pruned => 2,
            TrialState::Failed => 3,
        };
        assert_eq!(state, expected);
        // Distributions are JSON strings, as `distribution_to_json` writes them.
        let d: Value = serde_json::from_str(op["distributions"]["d"].as_str().unwrap()).unwrap();
        assert_eq!(d["name"], "CategoricalDistribution");
        assert_eq!(
            d["attributes"]["choices"],
            serde_json::json!(["x", "y", "z"])
        );
        let e: Value = serde_json::from_str(op["distributions"]["e"].as_str().unwrap()).unwrap();
        assert_eq!(e["name"], "FloatDistribution");
        assert_eq!(e["attributes"]["log"], true);
        // Categorical parameters are stored as the choice's index.
        let choice = record.params["d"].to_string();
        let index = ["x", "y", "z"].iter().position(|c| *c == choice).unwrap();
        assert_eq!(op["params"]["d"].as_u64(), Some(index as u64));
        assert_eq!(
            op["params"]["c"].as_f64(),
            Some(number(&record.params, "c"))
        );
        // Fixed leaves are not Optuna parameters.
        assert!(op["params"].get("pinned").is_none());
        if record.state == TrialState::Complete {
            assert_eq!(op["value"].as_f64(), record.value);
            let constraints = op["system_attrs"]["constraints"].as_array().unwrap();
            assert_eq!(
                constraints.iter().any(|c| c.as_f64() > Some(0.0)),
                !record.is_feasible()
            );
            assert_eq!(
                op["user_attrs"]["fingerprint"],
                record.user_attrs["fingerprint"]
            );
        }
    }
}

#[test]
fn import_of_our_export_gives_back_the_study() {
    let r = mixed_run(2, 40);
    let log = r.study.log().unwrap();
    let back = from_optuna_journal(&to_optuna_journal(&log).unwrap()).unwrap();
    assert_eq!(back.header, log.header);
    assert_eq!(back.trials, log.trials);
}

#[test]
fn an_imported_study_resumes_exactly_like_the_uninterrupted_one() {
    let make_spec = || {
        let settings = StudySettings {
            pruner: PrunerSettings::Median(MedianPruner::default()),
            ..settings(6, SamplerSettings::Tpe(TpeSettings::default()))
        };
        spec(space(MIXED_SPACE), settings)
    };
    let uninterrupted = run(make_spec(), budget(50), 2, 1, &mixed_objective);
    let first = run(make_spec(), budget(20), 4, 3, &mixed_objective);
    let exported = to_optuna_journal(&first.study.log().unwrap()).unwrap();
    let imported = from_optuna_journal(&exported).unwrap();
    let journal = MemoryJournal::from_ops(imported.to_ops());
    let mut resumed = Study::resume(make_spec(), journal, ResumeOptions::default()).unwrap();
    resumed.set_stop_policy(budget(50));
    drive(&mut resumed, 3, 2, None, &mixed_objective);
    assert_eq!(canonical(&resumed), canonical(&uninterrupted.study));
}

#[test]
fn a_foreign_optuna_journal_is_refused_with_its_line() {
    let foreign = "{\"op_code\":0,\"worker_id\":\"w\",\"study_name\":\"s\",\"directions\":[1]}\n{\"op_code\":5,\"worker_id\":\"w\",\"trial_id\":0}\n";
    match from_optuna_journal(foreign) {
        Err(genesis_optimizer::OptimizerError::Import { line, .. }) => assert_eq!(line, 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn csv_has_a_row_per_trial_with_params_and_attrs() {
    let r = mixed_run(3, 30);
    let log = r.study.log().unwrap();
    let csv = to_csv(&log);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), log.trials.len() + 1);
    let header: Vec<&str> = lines[0].split(',').collect();
    for column in [
        "number",
        "state",
        "value",
        "feasible",
        "params_a",
        "params_e",
        "user_attrs_fingerprint",
    ] {
        assert!(header.contains(&column), "{column} missing from {header:?}");
    }
    assert!(!header.contains(&"params_pinned"));
    assert!(lines[1].starts_with("0,"));
}

#[test]
fn csv_quotes_fields_with_commas_and_quotes() {
    let r = run(
        spec(
            space("x: {type: float, low: 0.0, high: 1.0}\n"),
            settings(0, SamplerSettings::Random),
        ),
        budget(1),
        1,
        0,
        &|_| genesis_optimizer::TrialOutcome::Complete {
            value: 1.0,
            values: vec![],
            intermediate: vec![],
            constraint_violations: vec!["min_trades: 3 < 10, \"too few\"".into()],
            user_attrs: Default::default(),
        },
    );
    let csv = to_csv(&r.study.log().unwrap());
    assert!(
        csv.contains("\"min_trades: 3 < 10, \"\"too few\"\"\""),
        "{csv}"
    );
}

#[test]
fn summaries_count_states_and_time_trials() {
    let r = mixed_run(4, 60);
    let log = r.study.log().unwrap();
    let summary = summarize(&log, 5);
    let c = &summary.counts;
    assert_eq!(
        (c.complete + c.pruned + c.failed + c.duplicates) as usize,
        log.trials.len()
    );
    assert_eq!(c.complete, c.feasible + c.infeasible);
    assert!(c.pruned > 0);
    let durations = summary.durations.unwrap();
    assert!(durations.min_ms >= 1 && durations.min_ms as f64 <= durations.median_ms);
    assert!(durations.median_ms <= durations.max_ms as f64);
    assert_eq!(summary.top.len(), 5);
    let best = summary.best.unwrap();
    assert!(best.is_feasible());
    let best_feasible = log
        .trials
        .iter()
        .filter(|t| t.is_feasible())
        .filter_map(|t| t.value)
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(best.value, Some(best_feasible));
    assert_eq!(
        summary.stop_reason,
        Some(genesis_optimizer::StopReason::MaxTrials { n_trials: 60 })
    );
}

#[test]
fn importance_ranks_the_parameter_that_drives_the_objective() {
    let yaml = "strong: {type: float, low: 0.0, high: 1.0}\nweak: {type: float, low: 0.0, high: 1.0}\nnone: {type: categorical, choices: [a, b, c]}\n";
    let r = run(
        spec(space(yaml), settings(5, SamplerSettings::Random)),
        budget(200),
        1,
        0,
        &|t| complete(10.0 * number(&t.params, "strong") + 1.0 * number(&t.params, "weak")),
    );
    let log = r.study.log().unwrap();
    let importance = parameter_importance(&log.header.space, &log.trials);
    let paths: Vec<&str> = importance.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["strong", "weak", "none"]);
    let total: f64 = importance.iter().map(|p| p.importance).sum();
    assert!((total - 1.0).abs() < 1e-12);
    assert!(importance[0].importance > 0.8, "{importance:?}");
    assert!(importance[2].importance < 0.02, "{importance:?}");
    // Deterministic: the same trials give the same figures.
    assert_eq!(
        parameter_importance(&log.header.space, &log.trials),
        importance
    );
}
