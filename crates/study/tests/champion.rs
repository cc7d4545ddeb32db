//! Explore, validate, promote, roll back; what a promotion refuses; champion files.

mod common;

use std::sync::Arc;

use common::*;
use genesis_engine::backtest::{Recording, Window};
use genesis_engine::features::FeatureStore;
use genesis_engine::run::run_backtest;
use genesis_engine::strategy::StrategyConfig;
use genesis_optimizer::{MemoryJournal, Study, StudyLog};
use genesis_study::selection::Requirements;
use genesis_study::validation::{candidates, judge, validate_top, VALIDATION_ATTR};
use genesis_study::{Champion, ChampionBook, StudyError, StudyPlan, ValidationRule};

fn explored(rule: ValidationRule) -> (StudyPlan, Study<MemoryJournal>) {
    let candles = demo();
    let mut plan = plan(&candles, "genesis", GENESIS_SPACE, 21, Some(0.7));
    plan.metadata.validation = rule;
    let mut study = run_study(&plan, &candles, 30, 2);
    let mut store = FeatureStore::new(Arc::clone(&candles));
    validate_top(&mut study, &plan, &mut store).unwrap();
    (plan, study)
}

fn lenient() -> ValidationRule {
    ValidationRule {
        top_k: 3,
        min_oos_score: -1_000.0,
        max_degradation: None,
    }
}

#[test]
fn the_validation_rule_names_every_condition_that_fails() {
    let rule = ValidationRule {
        top_k: 1,
        min_oos_score: 0.0,
        max_degradation: Some(0.5),
    };
    assert!(judge(&rule, 2.0, 1.0, &[]).is_empty());
    let reasons = judge(
        &rule,
        2.0,
        -0.25,
        &["2 trades, fewer than min_trades 3".into()],
    );
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert_eq!(
        reasons[0],
        "out of sample: 2 trades, fewer than min_trades 3"
    );
    assert!(
        reasons[1].contains("below min_oos_score 0"),
        "{}",
        reasons[1]
    );
    // 2.0 less half of it is 1.0.
    assert!(reasons[2].contains("below 1.0000"), "{}", reasons[2]);
    // A negative in-sample score: the floor is lower still, never above it.
    assert!(judge(&rule, -1.0, -1.4, &[]).len() == 1);
}

#[test]
fn the_top_feasible_trials_are_validated_once_and_recorded_on_the_trial() {
    let (plan, mut study) = explored(lenient());
    let log = study.log().unwrap();
    let top: Vec<u64> = candidates(&log, 3).iter().map(|t| t.number).collect();
    assert_eq!(top.len(), 3);
    for number in &top {
        let trial = log.trial(*number).unwrap();
        let validation = &trial.user_attrs[VALIDATION_ATTR];
        assert_eq!(validation["window"]["from_bar"], serde_json::json!(12_094));
        assert_eq!(validation["fingerprint"], trial.user_attrs["fingerprint"]);
        assert_eq!(validation["in_sample_score"].as_f64(), trial.value);
        // The out-of-sample score is the plain backtest's on that window.
        let config = plan.effective_config(&trial.params).unwrap();
        let candles = demo();
        let plain = run_backtest(
            &mut FeatureStore::new(Arc::clone(&candles)),
            &config,
            Window {
                from_bar: 12_094,
                to_bar: 17_278,
            },
            Recording::MetricsOnly,
        )
        .unwrap();
        assert_eq!(validation["score"].as_f64(), Some(plain.score()));
    }
    let n_ops = study.backend().ops().len();
    let mut store = FeatureStore::new(demo());
    validate_top(&mut study, &plan, &mut store).unwrap();
    assert_eq!(
        study.backend().ops().len(),
        n_ops,
        "validated trials are not redone"
    );
}

fn promotable(log: &StudyLog) -> Vec<u64> {
    candidates(log, 3)
        .iter()
        .filter(|t| t.user_attrs[VALIDATION_ATTR]["is_passed"] == serde_json::json!(true))
        .map(|t| t.number)
        .collect()
}

#[test]
fn explore_validate_promote_export_and_roll_back() {
    let (plan, study) = explored(lenient());
    let log = study.log().unwrap();
    let passed = promotable(&log);
    assert!(passed.len() >= 2, "{passed:?}");

    let mut book = ChampionBook::new();
    let first = Champion::from_trial(&plan, &log, passed[0], None, 1_000).unwrap();
    assert_eq!(first.symbol, "DEMO");
    assert_eq!(first.timeframe, "1h");
    assert_eq!(first.trial, passed[0]);
    assert_eq!(
        serde_json::json!(first.fingerprint),
        log.trial(passed[0]).unwrap().user_attrs["fingerprint"]
    );
    assert_eq!(first.dataset_hash, demo().content_hash().0);
    book.promote(first.clone()).unwrap();
    assert_eq!(book.current("DEMO", "1h"), Some(&first));
    // Promoting the same champion again is refused.
    assert!(matches!(
        book.promote(first.clone()),
        Err(StudyError::Champion { .. })
    ));

    // The exported YAML is the same config: same fingerprint, same in-sample score.
    let yaml = first.to_yaml();
    let exported = StrategyConfig::from_yaml_str(&yaml, "champion.yaml").unwrap();
    assert_eq!(exported.fingerprint(), first.fingerprint);
    let candles = demo();
    let rerun = run_backtest(
        &mut FeatureStore::new(Arc::clone(&candles)),
        &exported,
        plan.metadata.windows.in_sample,
        Recording::Full,
    )
    .unwrap();
    assert_eq!(rerun.score().to_bits(), first.in_sample.score.to_bits());

    let second = Champion::from_trial(&plan, &log, passed[1], None, 2_000).unwrap();
    book.promote(second.clone()).unwrap();
    assert_eq!(book.current("DEMO", "1h"), Some(&second));
    let back = book.rollback("DEMO", "1h", 3_000).unwrap().clone();
    assert_eq!(back, first);
    assert_eq!(book.current("DEMO", "1h"), Some(&first));
    assert_eq!(book.history("DEMO", "1h").len(), 2);
    assert_eq!(book.slot("DEMO", "1h").unwrap().events.len(), 3);
    let err = book.rollback("DEMO", "1h", 4_000).unwrap_err();
    assert!(err.to_string().contains("no earlier champion"), "{err}");
    assert!(book.rollback("OTHER", "1h", 4_000).is_err());

    let reread = ChampionBook::from_json(&book.to_json()).unwrap();
    assert_eq!(reread, book);
}

#[test]
fn a_trial_that_was_never_validated_or_failed_validation_is_refused_with_the_reason() {
    let (plan, study) = explored(lenient());
    let log = study.log().unwrap();
    let validated = candidates(&log, 3)
        .iter()
        .map(|t| t.number)
        .collect::<Vec<_>>();
    let unvalidated = log
        .trials
        .iter()
        .find(|t| t.is_feasible() && t.duplicate_of.is_none() && !validated.contains(&t.number))
        .unwrap()
        .number;
    let err = Champion::from_trial(&plan, &log, unvalidated, None, 0).unwrap_err();
    assert!(matches!(err, StudyError::PromotionRefused { .. }));
    assert!(err.to_string().contains("never validated"), "{err}");
    let err = Champion::from_trial(&plan, &log, 10_000, None, 0).unwrap_err();
    assert!(err.to_string().contains("no such trial"), "{err}");

    let strict = ValidationRule {
        top_k: 2,
        min_oos_score: 100.0,
        max_degradation: None,
    };
    let (plan, study) = explored(strict);
    let log = study.log().unwrap();
    let best = candidates(&log, 1)[0].number;
    let err = Champion::from_trial(&plan, &log, best, None, 0).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("failed out-of-sample validation"), "{text}");
    assert!(text.contains("below min_oos_score 100"), "{text}");
}

#[test]
fn promotion_can_require_a_deflated_sharpe_ratio_and_a_pbo_and_names_the_figure_it_refuses() {
    let (plan, study) = explored(lenient());
    let log = study.log().unwrap();
    let number = promotable(&log)[0];
    let champion = Champion::from_trial(&plan, &log, number, None, 1).unwrap();
    let figures = champion.figures.clone().expect("figures at promotion");
    assert_eq!(figures, genesis_study::selection::figures_of(&log, number));
    let (dsr, pbo) = (figures.dsr.expect("a DSR"), figures.pbo.expect("a PBO"));
    // The champion keeps its metrics, not the trial's return blocks.
    assert!(!champion.in_sample.metrics.contains_key("return_blocks"));

    assert!(champion.require(&Requirements::default()).is_ok());
    let met = Requirements {
        min_dsr: Some(dsr),
        max_pbo: Some(pbo),
    };
    assert!(champion.require(&met).is_ok());
    let err = champion
        .require(&Requirements {
            min_dsr: Some(dsr + 0.01),
            max_pbo: None,
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("below the required min_dsr"), "{err}");
    let err = champion
        .require(&Requirements {
            min_dsr: None,
            max_pbo: Some(pbo - 0.01),
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("above the allowed max_pbo"), "{err}");
    assert!(!err.contains("min_dsr"), "{err}");
}

#[test]
fn a_champion_book_file_is_written_whole_and_a_missing_one_is_empty() {
    let (plan, study) = explored(lenient());
    let log = study.log().unwrap();
    let number = promotable(&log)[0];
    let mut book = ChampionBook::new();
    book.promote(Champion::from_trial(&plan, &log, number, Some("BTCUSD"), 5).unwrap())
        .unwrap();
    let path = std::env::temp_dir().join(format!("genesis-champions-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        genesis_study::champion::file::load(&path).unwrap(),
        ChampionBook::new()
    );
    genesis_study::champion::file::save(&path, &book).unwrap();
    assert_eq!(genesis_study::champion::file::load(&path).unwrap(), book);
    std::fs::write(&path, "{\"format_version\": 1, \"slots\": 3}").unwrap();
    let err = genesis_study::champion::file::load(&path).unwrap_err();
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    let _ = std::fs::remove_file(&path);
}
