//! Studies end to end on the demo data: determinism across thread counts, resume,
//! signatures, duplicates, infeasible trials, space checks and preflight.

mod common;

use std::sync::Arc;

use common::*;
use genesis_engine::features::FeatureStore;
use genesis_optimizer::pruner::MedianPruner;
use genesis_optimizer::{
    FileJournal, MemoryJournal, OptimizerError, PrunerSettings, ResumeOptions, SamplerSettings,
    Study, TrialState,
};
use genesis_study::preflight::preflight;
use genesis_study::replay::replay_all;
use genesis_study::{
    BaseSource, PrunerChoice, SamplerChoice, StudyChoices, StudyConfig, StudyError, StudyPlan,
};

fn temp_path(name: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("genesis-study-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

fn pruned_plan() -> StudyPlan {
    let candles = demo();
    let mut plan = plan(&candles, "genesis", GENESIS_SPACE, 11, Some(0.7));
    plan.settings.pruner = PrunerSettings::Median(MedianPruner::default());
    plan
}

#[test]
fn one_and_four_threads_give_the_same_canonical_journal() {
    let candles = demo();
    let plan = pruned_plan();
    let one = run_study(&plan, &candles, 40, 1);
    let four = run_study(&plan, &candles, 40, 4);
    assert_eq!(canonical(&one), canonical(&four));
    let log = one.log().unwrap();
    assert_eq!(
        log.trials
            .iter()
            .filter(|t| t.duplicate_of.is_none())
            .count(),
        40
    );
    // The median pruner had something to do, so the thresholds took part.
    assert!(log.trials.iter().any(|t| t.state == TrialState::Pruned));
}

#[test]
fn a_study_stopped_after_k_trials_and_resumed_equals_an_uninterrupted_one() {
    let candles = demo();
    let plan = pruned_plan();
    let path = temp_path("resume.jsonl");
    {
        let mut first =
            Study::create(plan.study_spec(), FileJournal::open(&path).unwrap()).unwrap();
        first.set_stop_policy(budget(15));
        run_threads(&mut first, &plan.objective(), &candles, 3);
    }
    let mut resumed = Study::resume(
        plan.study_spec(),
        FileJournal::open(&path).unwrap(),
        ResumeOptions::default(),
    )
    .unwrap();
    resumed.set_stop_policy(budget(40));
    run_threads(&mut resumed, &plan.objective(), &candles, 2);
    let uninterrupted = run_study(&plan, &candles, 40, 1);
    assert_eq!(canonical(&resumed), canonical(&uninterrupted));
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_resume_with_another_base_config_or_dataset_is_refused_naming_the_part() {
    let candles = demo();
    let plan = pruned_plan();
    let study = run_study(&plan, &candles, 5, 1);
    let journal = study.into_backend();

    let mut other_base = plan.clone();
    let changed = preset("genesis")
        .with_params([("exit_conf_threshold", serde_json::json!(0.45))])
        .unwrap();
    other_base.metadata.base_fingerprint = changed.fingerprint().to_string();
    other_base.metadata.base_config = changed;
    let err = Study::resume(
        other_base.study_spec(),
        journal.clone(),
        ResumeOptions::default(),
    )
    .err()
    .unwrap();
    let OptimizerError::SignatureMismatch { diffs } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        diffs.iter().map(|d| d.part.as_str()).collect::<Vec<_>>(),
        vec!["base_config"]
    );

    let short = short_demo(5_000);
    let other_data = pruned_plan_on(&short);
    let err = Study::resume(
        other_data.study_spec(),
        journal.clone(),
        ResumeOptions::default(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("dataset"), "{err}");
    assert!(!err.to_string().contains("base_config"), "{err}");

    // The same plan resumes.
    assert!(Study::resume(plan.study_spec(), journal, ResumeOptions::default()).is_ok());
}

fn pruned_plan_on(candles: &genesis_engine::data::Candles) -> StudyPlan {
    let mut plan = plan(candles, "genesis", GENESIS_SPACE, 11, Some(0.7));
    plan.settings.pruner = PrunerSettings::Median(MedianPruner::default());
    plan
}

#[test]
fn every_trial_replays_to_identical_metrics_and_a_tampered_one_does_not() {
    let candles = demo();
    let plan = pruned_plan();
    let mut study = run_study(&plan, &candles, 30, 2);
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let validated = genesis_study::validation::validate_top(&mut study, &plan, &mut store).unwrap();
    assert_eq!(validated.len(), 3);
    let log = study.log().unwrap();
    let reports = replay_all(&plan, &log, &mut store).unwrap();
    assert_eq!(reports.len(), log.trials.len());
    for report in &reports {
        assert!(
            report.is_identical,
            "trial {}: {:?}",
            report.trial,
            report.differences().collect::<Vec<_>>()
        );
        if report.state == TrialState::Complete {
            assert!(report.metrics.iter().any(|c| c.key == "sharpe"));
            assert!(report.metrics.iter().any(|c| c.key == "fingerprint"));
        }
    }
    assert!(reports.iter().any(|r| !r.validation.is_empty()));

    // One ulp off in one stored metric is a difference that names it.
    let mut tampered = log.clone();
    let trial = tampered
        .trials
        .iter_mut()
        .find(|t| t.state == TrialState::Complete && t.duplicate_of.is_none())
        .unwrap();
    let sharpe = trial.user_attrs["total_return"].as_f64().unwrap();
    trial.user_attrs.insert(
        "total_return".into(),
        serde_json::json!(f64::from_bits(sharpe.to_bits() + 1)),
    );
    let number = trial.number;
    let report = genesis_study::replay::replay_trial(&plan, &tampered, number, &mut store).unwrap();
    assert!(!report.is_identical);
    assert!(report.differences().any(|c| c.key == "total_return"));
}

#[test]
fn failed_and_pruned_trials_replay_too() {
    // sma_cross over fast 5..50 and slow 20..200 proposes fast >= slow now and then: those
    // trials fail with the config's reason, and must fail again the same way.
    let candles = short_demo(4_000);
    let mut plan = plan(&candles, "sma_cross", SMA_SPACE, 3, None);
    plan.settings.sampler = SamplerSettings::Random;
    plan.settings.pruner = PrunerSettings::Median(MedianPruner::default());
    let study = run_study(&plan, &candles, 60, 2);
    let log = study.log().unwrap();
    let failed = log
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Failed)
        .count();
    assert!(
        failed > 0,
        "the space should propose fast >= slow at least once"
    );
    let mut store = FeatureStore::new(Arc::clone(&candles));
    for report in replay_all(&plan, &log, &mut store).unwrap() {
        assert!(report.is_identical, "trial {}", report.trial);
    }
}

#[test]
fn duplicates_are_answered_from_the_journal_never_run() {
    let candles = short_demo(3_000);
    // 4 x 3 = 12 parameter sets: a random sampler proposes repeats long before it has
    // evaluated all twelve.
    let tiny = "fast_period: {type: int, low: 5, high: 8}\nslow_period: {type: int, low: 20, high: 30, step: 5}\n";
    let mut plan = plan(&candles, "sma_cross", tiny, 5, None);
    plan.settings.sampler = SamplerSettings::Random;
    let mut study = Study::create(plan.study_spec(), MemoryJournal::new()).unwrap();
    study.set_stop_policy(budget(12));
    let counting = Counting::new(plan.objective());
    run_threads(&mut study, &counting, &candles, 3);
    let log = study.log().unwrap();
    let n_duplicates = log
        .trials
        .iter()
        .filter(|t| t.duplicate_of.is_some())
        .count();
    let n_evaluated = log.trials.len() - n_duplicates;
    assert_eq!(n_evaluated, 12);
    assert!(n_duplicates > 0);
    assert_eq!(counting.n_calls(), 12);
    for dup in log.trials.iter().filter(|t| t.duplicate_of.is_some()) {
        let original = log.trial(dup.duplicate_of.unwrap()).unwrap();
        assert_eq!(dup.params, original.params);
        assert_eq!(dup.value, original.value);
    }
}

#[test]
fn infeasible_trials_are_kept_with_their_reasons() {
    let candles = demo();
    // At least 300 trades: fast crosses make far more on 17,278 bars, slow ones fewer.
    let space_yaml =
        format!("{SMA_SPACE}\nconstraints:\n  min_trades: {{type: fixed, value: 300}}\n");
    let plan = plan(&candles, "sma_cross", &space_yaml, 8, None);
    let study = run_study(&plan, &candles, 25, 2);
    let log = study.log().unwrap();
    let infeasible: Vec<_> = log
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Complete && !t.constraint_violations.is_empty())
        .collect();
    assert!(!infeasible.is_empty());
    assert!(log.trials.iter().any(|t| t.is_feasible()));
    for trial in infeasible {
        let n_trades = trial.user_attrs["n_trades"].as_u64().unwrap();
        assert!(n_trades < 300);
        assert_eq!(
            trial.constraint_violations,
            vec![format!("{n_trades} trades, fewer than min_trades 300")]
        );
        assert!(trial.value.is_some());
    }
}

fn plan_error(space_yaml: &str, preset_name: &str) -> StudyError {
    let candles = short_demo(2_000);
    StudyPlan::new(
        StudyConfig::new("bad", space(space_yaml), 1),
        BaseSource::Preset {
            name: preset_name.into(),
        },
        preset(preset_name),
        genesis_engine::data::DatasetMeta::new("demo.csv", &candles),
    )
    .expect_err("the plan is refused")
}

#[test]
fn an_unknown_key_in_the_space_is_refused_with_a_suggestion() {
    let err = plan_error(
        "thresholds:\n  entry_conf_overal: {type: float, low: 0.3, high: 0.5}\nmax_hold_barz: {type: int, low: 5, high: 9}\n",
        "genesis",
    );
    let StudyError::Space { errors } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        errors,
        &vec![
            OptimizerError::UnknownKey {
                path: "max_hold_barz".into(),
                suggestion: Some("max_hold_bars".into())
            },
            OptimizerError::UnknownKey {
                path: "thresholds.entry_conf_overal".into(),
                suggestion: Some("thresholds.entry_conf_overall".into())
            },
        ]
    );
    let text = err.to_string();
    assert!(text.contains("did you mean `max_hold_bars`"), "{text}");
}

#[test]
fn a_value_of_the_wrong_type_or_range_names_its_dotted_path() {
    let err = plan_error(
        "thresholds:\n  entry_conf_overall: {type: float, low: 0.5, high: 1.5}\nmax_hold_bars: {type: categorical, choices: [short, long]}\n",
        "genesis",
    );
    let StudyError::Space { errors } = &err else {
        panic!("{err}")
    };
    let paths: Vec<String> = errors
        .iter()
        .map(|e| match e {
            OptimizerError::Param { path, .. } => path.clone(),
            other => panic!("{other}"),
        })
        .collect();
    assert_eq!(
        paths,
        vec!["max_hold_bars", "thresholds.entry_conf_overall"]
    );
    let text = err.to_string();
    assert!(text.contains("value 1.5"), "{text}");
    assert!(text.contains("probability"), "{text}");
    // An optional key left out of the base is still a key the config knows; a path
    // through a number is not.
    let err = plan_error(
        "max_hold_bars:\n  bars: {type: int, low: 1, high: 2}\n",
        "genesis",
    );
    assert!(err.to_string().contains("max_hold_bars.bars"), "{err}");
}

#[test]
fn ranges_that_are_only_invalid_in_combination_are_left_to_the_trials() {
    // fast_period 50 is invalid with slow_period 20, valid with 200: not the space's fault.
    let candles = short_demo(2_000);
    let _ = plan(&candles, "sma_cross", SMA_SPACE, 1, None);
    // A fixed slow period makes fast_period 50 invalid whatever else happens.
    let err = plan_error(
        "fast_period: {type: int, low: 5, high: 50}\nslow_period: {type: fixed, value: 30}\n",
        "sma_cross",
    );
    assert!(err.to_string().contains("fast_period"), "{err}");
    assert!(err.to_string().contains("value 50"), "{err}");
}

#[test]
fn preflight_runs_the_real_path_and_stops_on_a_space_the_config_no_longer_knows() {
    let candles = demo();
    let plan = pruned_plan();
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let report = preflight(&plan, &mut store).unwrap();
    assert!(matches!(
        report.in_sample,
        genesis_optimizer::TrialOutcome::Complete { .. }
    ));
    assert!(report.out_of_sample.is_some());
    // The preflight computed the base config's features in this store: the path trials use.
    assert!(store.n_cached() > 0);

    // A plan read back from a journal is not re-checked when it is built; a space whose key
    // the engine no longer knows must stop at the preflight, before any worker.
    let mut stale = plan.clone();
    stale.space = space("thresholds:\n  entry_conf: {type: float, low: 0.3, high: 0.5}\n");
    let err = preflight(&stale, &mut FeatureStore::new(Arc::clone(&candles))).unwrap_err();
    assert!(err.to_string().contains("thresholds.entry_conf"), "{err}");

    // So must data that is not the study's.
    let err = preflight(&plan, &mut FeatureStore::new(short_demo(3_000))).unwrap_err();
    assert!(matches!(err, StudyError::DatasetMismatch { .. }), "{err}");
}

#[test]
fn a_split_leaves_the_first_fraction_in_sample() {
    let candles = short_demo(1_000);
    let plan = plan(&candles, "sma_cross", SMA_SPACE, 1, Some(0.7));
    let windows = plan.metadata.windows;
    assert_eq!(
        (windows.in_sample.from_bar, windows.in_sample.to_bar),
        (0, 700)
    );
    let oos = windows.out_of_sample.unwrap();
    assert_eq!((oos.from_bar, oos.to_bar), (700, 1_000));
    for bad in [0.0, 1.0, -0.3, 1.5, f64::NAN, 0.0005] {
        let mut config = StudyConfig::new("bad", space(SMA_SPACE), 1);
        config.in_sample_fraction = Some(bad);
        let err = StudyPlan::new(
            config,
            BaseSource::Preset {
                name: "sma_cross".into(),
            },
            preset("sma_cross"),
            genesis_engine::data::DatasetMeta::new("demo.csv", &candles),
        )
        .err()
        .unwrap();
        assert!(
            err.to_string().contains("in_sample_fraction"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn the_plan_round_trips_through_the_journal_header() {
    let plan = pruned_plan();
    let study = Study::create(plan.study_spec(), MemoryJournal::new()).unwrap();
    let back = StudyPlan::from_header(study.header()).unwrap();
    assert_eq!(back.metadata, plan.metadata);
    assert_eq!(back.space, plan.space);
    assert_eq!(back.settings, plan.settings);
    assert_eq!(back.objective(), plan.objective());
    let mut foreign = study.header().clone();
    foreign.metadata = serde_json::json!({"base_config": "preset:genesis"});
    let err = StudyPlan::from_header(&foreign).unwrap_err();
    assert!(err.to_string().contains("genesis_study"), "{err}");
}

#[test]
fn the_runner_honours_cancel_and_timeout_and_reports_progress_per_trial() {
    use genesis_optimizer::{StopPolicy, StopReason};
    use genesis_study::runner::run_parallel;
    use std::sync::atomic::AtomicBool;

    let candles = short_demo(3_000);
    let plan = plan(&candles, "sma_cross", SMA_SPACE, 2, None);

    // Cancelled before the first ask: nothing runs.
    let mut study = Study::create(plan.study_spec(), MemoryJournal::new()).unwrap();
    study.set_stop_policy(budget(50));
    let counting = Counting::new(plan.objective());
    let clock = FakeClock::new();
    let reason = run_parallel(
        &mut study,
        &counting,
        &candles,
        2,
        &|| clock.now(),
        &AtomicBool::new(true),
        |_| {},
    )
    .unwrap();
    assert_eq!(reason, StopReason::Cancelled);
    assert_eq!(counting.n_calls(), 0);

    // A clock that jumps 10 s per reading against a 25 s timeout: a few trials, then stop.
    let mut study = Study::create(plan.study_spec(), MemoryJournal::new()).unwrap();
    study.set_stop_policy(StopPolicy {
        max_trials: Some(50),
        timeout_ms: Some(25_000),
        ..StopPolicy::default()
    });
    let ticks = std::sync::atomic::AtomicI64::new(0);
    let mut reports = Vec::new();
    let reason = run_parallel(
        &mut study,
        &plan.objective(),
        &candles,
        1,
        &|| ticks.fetch_add(10_000, std::sync::atomic::Ordering::SeqCst),
        &AtomicBool::new(false),
        |p| reports.push(p.clone()),
    )
    .unwrap();
    assert_eq!(reason, StopReason::Timeout { timeout_ms: 25_000 });
    let n = study.trials().count();
    assert!(n > 0 && n < 50, "{n}");
    // One report per finished trial, counting up, the last naming the last trial told.
    assert_eq!(reports.len(), n);
    for (i, report) in reports.iter().enumerate() {
        assert_eq!(report.n_finished, i + 1);
        assert_eq!(report.max_trials, Some(50));
    }
    let best = study
        .trials()
        .filter(|t| t.is_feasible())
        .max_by(|a, b| {
            a.value
                .unwrap()
                .total_cmp(&b.value.unwrap())
                .then(b.number.cmp(&a.number))
        })
        .map(|t| (t.number, t.value.unwrap()));
    assert_eq!(reports.last().unwrap().best, best);
}

/// The golden study: genesis on 3,000 synthetic bars, multivariate TPE with the median
/// pruner over an in-sample window, 30 trials. `tests/wasm_studies.rs` builds the same plan
/// in headless Chromium and must produce this journal to the byte, so a study is the same
/// natively and in the browser.
const GOLDEN_STUDY: &str = "../../tests/golden/study/genesis_tpe_median_30.jsonl";

#[test]
fn the_golden_study_is_reproduced_to_the_byte() {
    let candles = short_demo(3_000);
    let mut plan = plan(&candles, "genesis", GENESIS_SPACE, 11, Some(0.7));
    plan.settings.pruner = PrunerSettings::Median(MedianPruner::default());
    let serial = run_study(&plan, &candles, 30, 1);
    let parallel = run_study(&plan, &candles, 30, 2);
    let journal = canonical(&serial);
    assert_eq!(journal, canonical(&parallel));
    let log = serial.log().unwrap();
    assert!(
        log.trials.iter().any(|t| t.state == TrialState::Pruned),
        "the golden study exercises the pruner"
    );

    check_golden_journal(GOLDEN_STUDY, &journal, "the study");
}

/// The golden study's set-up made as a user makes it: through [`StudyChoices`], as the CLI
/// (`--seed 11 --pruner median --split 0.7 --validate-top 3`) and the browser's form do.
/// Guards against the one mapping drifting from the settings the golden journal was made
/// with.
#[test]
fn the_golden_studys_choices_give_its_plan() {
    let candles = short_demo(3_000);
    let mut golden = plan(&candles, "genesis", GENESIS_SPACE, 11, Some(0.7));
    golden.settings.pruner = PrunerSettings::Median(MedianPruner::default());
    let choices = StudyChoices {
        seed: Some(11),
        pruner: Some(PrunerChoice::Median),
        in_sample_fraction: Some(0.7),
        validate_top: Some(3),
        ..StudyChoices::default()
    };
    let mut config = choices
        .to_config("test", space(GENESIS_SPACE), None)
        .unwrap();
    config.symbol = Some("DEMO".into());
    let made = StudyPlan::new(
        config,
        BaseSource::Preset {
            name: "genesis".into(),
        },
        preset("genesis"),
        genesis_engine::data::DatasetMeta::new("demo.csv", &candles),
    )
    .unwrap();
    assert_eq!(made, golden);
    assert_eq!(made.study_spec(), golden.study_spec());
}

#[test]
fn a_resumed_study_keeps_what_it_recorded_for_the_choices_not_made() {
    let candles = short_demo(3_000);
    let mut recorded = plan(&candles, "genesis", GENESIS_SPACE, 11, Some(0.6));
    recorded.settings.sampler = SamplerChoice::TpeIndependent.settings();
    recorded.settings.sync_window = 4;
    recorded.metadata.checkpoints = 5;
    recorded.metadata.validation.min_oos_score = -2.0;
    let kept = StudyChoices {
        max_trials: Some(50),
        ..StudyChoices::default()
    }
    .to_config("test", space(GENESIS_SPACE), Some(&recorded))
    .unwrap();
    assert_eq!(kept.settings, recorded.settings);
    assert_eq!(kept.checkpoints, 5);
    assert_eq!(kept.in_sample_fraction, Some(0.6));
    assert_eq!(kept.validation, recorded.metadata.validation);
    assert_eq!(kept.symbol.as_deref(), Some("DEMO"));
    assert_eq!(kept.stop.max_trials, Some(50));

    // Choices made again replace the recorded ones; successive halving's rungs follow the
    // recorded checkpoints.
    let changed = StudyChoices {
        seed: Some(3),
        pruner: Some(PrunerChoice::Sha),
        min_oos_score: Some(1.0),
        ..StudyChoices::default()
    }
    .to_config("test", space(GENESIS_SPACE), Some(&recorded))
    .unwrap();
    assert_eq!(changed.settings.seed, 3);
    assert_eq!(changed.settings.sampler, recorded.settings.sampler);
    assert!(matches!(
        &changed.settings.pruner,
        PrunerSettings::SuccessiveHalving(sha) if sha.rungs == [1, 2, 3, 4]
    ));
    assert_eq!(changed.validation.min_oos_score, 1.0);
    assert_eq!(changed.validation.top_k, recorded.metadata.validation.top_k);
}

#[test]
fn a_rules_param_that_is_no_length_fails_its_trial_with_the_reason() {
    // `fast` is a length in the preset's rules: a fractional value cannot be one, and the
    // require entry fails when fast >= slow. Both are failed trials with the config's words.
    let candles = short_demo(2_000);
    let space = "params:\n  fast: {type: float, low: 4.0, high: 30.0}\n  slow: {type: int, low: 10, high: 40}\n";
    let mut plan = plan(&candles, "rules_sma_cross", space, 7, None);
    plan.settings.sampler = SamplerSettings::Random;
    let study = run_study(&plan, &candles, 30, 2);
    let log = study.log().unwrap();
    let reasons: Vec<&str> = log
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Failed)
        .filter_map(|t| t.fail_reason.as_deref())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|reason| reason.contains("rules.long_entry:1:")
                && reason
                    .contains("sma's length must be a positive whole number of bars; fast is")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|reason| reason.contains("require[0]: `fast < slow` does not hold")),
        "{reasons:?}"
    );
}
