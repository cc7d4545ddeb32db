//! A rules config (`strategy: rules`) through every study path as any strategy goes: its rule
//! text travels inside the base config and its fingerprint, so a golden study over its params
//! is the same natively and in the browser (`tests/wasm_studies.rs` rebuilds this golden),
//! every trial replays bit for bit, the top trials validate, a promoted champion exports a
//! config that runs to the same fingerprint, and a refined child study runs.

mod common;

use std::sync::Arc;

use common::*;
use genesis_engine::backtest::Recording;
use genesis_engine::features::FeatureStore;
use genesis_engine::run::run_backtest;
use genesis_engine::strategy::{StrategyConfig, StrategyParams};
use genesis_optimizer::{MemoryJournal, ParamValue, Study, TrialState};
use genesis_study::refine::refine_plan;
use genesis_study::replay::replay_all;
use genesis_study::validation::{candidates, validate_top, VALIDATION_ATTR};
use genesis_study::{Champion, ChampionBook, ValidationRule};

/// The `rules_sma_cross` preset's own space: `params.fast` and `params.slow`.
const RULES_SPACE: &str = include_str!("../../../config/optimizer/rules_sma_cross.yaml");

/// The golden rules study: TPE (the default, multivariate with constant liar) over
/// `params.fast` and `params.slow` of `rules_sma_cross` on the demo data, seed 8, 200
/// evaluated trials (and the duplicates TPE proposes on the way, answered from the journal).
/// `UPDATE_GOLDEN=1` rewrites it after an intended change.
const GOLDEN_RULES_STUDY: &str = "../../tests/golden/study/rules_sma_cross_tpe_200.jsonl";

#[test]
fn the_golden_rules_study_is_reproduced_to_the_byte_and_every_trial_replays() {
    let candles = demo();
    let plan = plan(&candles, "rules_sma_cross", RULES_SPACE, 8, None);
    assert!(matches!(
        plan.metadata.base_config.params(),
        StrategyParams::Rules(_)
    ));
    let serial = run_study(&plan, &candles, 200, 1);
    let parallel = run_study(&plan, &candles, 200, 2);
    let journal = canonical(&serial);
    assert_eq!(journal, canonical(&parallel), "1 and 2 threads differ");

    let log = serial.log().unwrap();
    // The rules are in the header's base config, so the journal alone replays the study.
    assert!(
        journal
            .lines()
            .next()
            .unwrap()
            .contains("crossover(sma(close, fast), sma(close, slow))"),
        "the header carries the rule text"
    );
    assert_eq!(
        log.trials
            .iter()
            .filter(|t| t.duplicate_of.is_none())
            .count(),
        200
    );
    // `require: [fast < slow]` makes the crossed combinations failed trials, with the reason.
    let failed = log
        .trials
        .iter()
        .find(|t| t.state == TrialState::Failed)
        .expect("the space reaches fast >= slow");
    assert!(
        failed
            .fail_reason
            .as_deref()
            .unwrap_or_default()
            .contains("fast < slow"),
        "{:?}",
        failed.fail_reason
    );
    assert!(log.trials.iter().any(|t| t.is_feasible()));

    let mut store = FeatureStore::new(Arc::clone(&candles));
    let reports = replay_all(&plan, &log, &mut store).unwrap();
    assert_eq!(reports.len(), log.trials.len());
    for report in &reports {
        assert!(
            report.is_identical,
            "trial {}: {:?}",
            report.trial,
            report.differences().collect::<Vec<_>>()
        );
    }

    check_golden_journal(GOLDEN_RULES_STUDY, &journal, "the rules study");
}

/// A shorter rules study with an in-sample split, for the paths after exploring.
fn explored() -> (
    genesis_study::StudyPlan,
    Study<MemoryJournal>,
    Arc<genesis_engine::data::Candles>,
) {
    let candles = demo();
    let mut plan = plan(&candles, "rules_sma_cross", RULES_SPACE, 3, Some(0.7));
    plan.metadata.validation = ValidationRule {
        top_k: 3,
        min_oos_score: -1_000.0,
        max_degradation: None,
    };
    let mut study = run_study(&plan, &candles, 30, 2);
    let mut store = FeatureStore::new(Arc::clone(&candles));
    validate_top(&mut study, &plan, &mut store).unwrap();
    (plan, study, candles)
}

#[test]
fn a_rules_trial_validates_is_promoted_and_its_champion_runs_to_the_same_fingerprint() {
    let (plan, study, candles) = explored();
    let log = study.log().unwrap();
    let passed: Vec<u64> = candidates(&log, 3)
        .iter()
        .filter(|t| t.user_attrs[VALIDATION_ATTR]["is_passed"] == serde_json::json!(true))
        .map(|t| t.number)
        .collect();
    assert!(!passed.is_empty(), "a lenient rule passes some trial");
    let champion = Champion::from_trial(&plan, &log, passed[0], None, 1_000).unwrap();
    let trial = log.trial(passed[0]).unwrap();
    let StrategyParams::Rules(params) = champion.config.params() else {
        panic!("the champion is a rules config")
    };
    for (name, value) in &params.spec.params {
        let ParamValue::Int(sampled) = trial.params[&format!("params.{name}")] else {
            panic!("params.{name} is an int parameter")
        };
        assert_eq!(
            *value, sampled as f64,
            "params.{name} of the effective config"
        );
    }
    let mut book = ChampionBook::new();
    book.promote(champion.clone()).unwrap();
    // The book as the browser stores it (JSON text) and the CLI writes it reads back whole.
    assert_eq!(ChampionBook::from_json(&book.to_json()).unwrap(), book);

    // The exported YAML carries the rules and runs to the same fingerprint and score.
    let exported = StrategyConfig::from_yaml_str(&champion.to_yaml(), "champion.yaml").unwrap();
    assert_eq!(exported.fingerprint(), champion.fingerprint);
    let rerun = run_backtest(
        &mut FeatureStore::new(Arc::clone(&candles)),
        &exported,
        plan.metadata.windows.in_sample,
        Recording::Full,
    )
    .unwrap();
    assert_eq!(rerun.score().to_bits(), champion.in_sample.score.to_bits());
}

#[test]
fn a_rules_study_refines_around_its_top_trials_and_the_child_runs() {
    let (plan, study, candles) = explored();
    let log = study.log().unwrap();
    let (child, changes) = refine_plan(&plan, &log, 5, 0.1, "child").unwrap();
    assert_eq!(
        changes.iter().map(|c| c.path.as_str()).collect::<Vec<_>>(),
        ["params.fast", "params.slow"]
    );
    assert_eq!(
        child.metadata.base_fingerprint,
        plan.metadata.base_fingerprint
    );
    let child_study = run_study(&child, &candles, 10, 1);
    let child_log = child_study.log().unwrap();
    assert_eq!(
        child_log.header.metadata["parent"]["study_name"],
        serde_json::json!(log.header.study_name)
    );
    assert!(child_log
        .trials
        .iter()
        .any(|t| t.state == TrialState::Complete));
}
