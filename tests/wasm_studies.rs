//! Study journals through IndexedDB in a real headless Chromium: records come back with every
//! type intact (an integral float parameter stays a float), a study rebuilt from its
//! stored records resumes to the same study as an uninterrupted one, and the native golden
//! studies (a genesis one and a rules one) come out the same to the byte.
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use genesis_engine::data::synth::{generate, SynthParams};
use genesis_engine::data::DatasetMeta;
use genesis_engine::features::FeatureStore;
use genesis_engine::strategy::StrategyConfig;
use genesis_lab::storage::db::Db;
use genesis_lab::studies::records::{self, StudyRow, StudyStatus};
use genesis_optimizer::{
    driver, AskOutcome, MemoryJournal, ParamValue, ResumeOptions, SearchSpace, StopPolicy, Study,
    TrialRecord,
};
use genesis_study::{BaseSource, StudyConfig, StudyPlan};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/golden.rs"]
mod golden;
use golden::assert_same_journal;

/// A small `sma_cross` space; the type test adds an integral float parameter (2.0) by hand,
/// exactly what a plain JS round trip would turn into an integer.
const SPACE: &str = "\
fast_period: {type: int, low: 5, high: 15}
slow_period: {type: int, low: 20, high: 40, step: 5}
";

/// A new in-memory study of `plan` run serially to `n_trials` evaluated trials.
fn run_serially(plan: &StudyPlan, store: &mut FeatureStore, n_trials: u64) -> Study<MemoryJournal> {
    let mut study = Study::create(plan.study_spec(), MemoryJournal::new()).unwrap();
    study.set_stop_policy(StopPolicy {
        max_trials: Some(n_trials),
        ..StopPolicy::default()
    });
    let objective = plan.objective();
    driver::run_serial(&mut study, |t| objective.evaluate(store, t), || 0).unwrap();
    study
}

fn plan_and_store() -> (StudyPlan, FeatureStore) {
    let candles = Arc::new(
        generate(&SynthParams {
            n_bars: 1_500,
            ..SynthParams::demo()
        })
        .unwrap(),
    );
    let space = SearchSpace::from_yaml_str(SPACE).unwrap();
    let plan = StudyPlan::new(
        StudyConfig::new("persist", space, 5),
        BaseSource::Preset {
            name: "sma_cross".into(),
        },
        StrategyConfig::preset("sma_cross").unwrap(),
        DatasetMeta::new("demo.csv", &candles),
    )
    .unwrap();
    (plan, FeatureStore::new(candles))
}

fn row(study: &Study<MemoryJournal>, id: &str) -> StudyRow {
    StudyRow {
        id: id.into(),
        name: "persist".into(),
        dataset_id: "d".into(),
        dataset_name: "demo.csv".into(),
        strategy: "sma_cross".into(),
        sampler: "tpe".into(),
        header: study.header().clone(),
        status: StudyStatus::Running,
        stop_reason: None,
        n_target: 40,
        n_finished: 0,
        best_number: None,
        best_value: None,
        created_ms: 0.0,
        updated_ms: 0.0,
    }
}

#[wasm_bindgen_test]
async fn trial_records_keep_their_types_through_indexeddb() {
    Db::delete_named("genesis-test-journal-types")
        .await
        .unwrap();
    let db = Db::open_named("genesis-test-journal-types").await.unwrap();
    let (plan, mut store) = plan_and_store();
    let study = run_serially(&plan, &mut store, 3);
    let mut record: TrialRecord = study.trials().next().unwrap().clone();
    record
        .params
        .insert("integral_float".into(), ParamValue::Float(2.0));
    records::save_study(&db, &row(&study, "s1")).await.unwrap();
    records::save_trial(&db, "s1", &record).await.unwrap();

    let (back, n_corrupt) = records::load_trials(&db, "s1").await.unwrap();
    assert_eq!(n_corrupt, 0);
    assert_eq!(back, vec![record.clone()]);
    assert_eq!(back[0].params["integral_float"], ParamValue::Float(2.0));
    let header = records::load_row(&db, "s1").await.unwrap().unwrap().header;
    assert_eq!(&header, study.header());
}

#[wasm_bindgen_test]
async fn a_study_rebuilt_from_stored_records_resumes_to_the_uninterrupted_study() {
    Db::delete_named("genesis-test-journal-resume")
        .await
        .unwrap();
    let db = Db::open_named("genesis-test-journal-resume").await.unwrap();
    let (plan, mut store) = plan_and_store();
    let objective = plan.objective();
    let budget = |n| StopPolicy {
        max_trials: Some(n),
        ..StopPolicy::default()
    };

    let mut straight = Study::create(plan.study_spec(), MemoryJournal::new()).unwrap();
    straight.set_stop_policy(budget(40));
    driver::run_serial(&mut straight, |t| objective.evaluate(&mut store, t), || 0).unwrap();

    // The interrupted study: two trials in flight, the rest finished and stored one by one.
    let mut first = Study::create(plan.study_spec(), MemoryJournal::new()).unwrap();
    first.set_stop_policy(budget(40));
    records::save_study(&db, &row(&first, "s2")).await.unwrap();
    let mut in_flight = Vec::new();
    for _ in 0..25 {
        while in_flight.len() < 2 {
            match first.ask(0).unwrap() {
                AskOutcome::Trial(ticket) => in_flight.push(ticket),
                _ => break,
            }
        }
        let ticket = in_flight.remove(0);
        let outcome = objective.evaluate(&mut store, &ticket);
        first.tell(ticket.number, outcome, None).unwrap();
    }
    assert!(
        !in_flight.is_empty(),
        "the interruption leaves trials running"
    );
    for record in first.trials() {
        records::save_trial(&db, "s2", record).await.unwrap();
    }

    let stored_row = records::load_row(&db, "s2").await.unwrap().unwrap();
    let (stored, _) = records::load_trials(&db, "s2").await.unwrap();
    let journal = records::journal(&stored_row.header, &stored);
    let mut resumed = Study::resume(plan.study_spec(), journal, ResumeOptions::default()).unwrap();
    resumed.set_stop_policy(budget(40));
    driver::run_serial(&mut resumed, |t| objective.evaluate(&mut store, t), || 0).unwrap();

    let summary = |s: &Study<MemoryJournal>| {
        let mut trials: Vec<TrialRecord> = s
            .trials()
            .cloned()
            .map(|mut t| {
                t.timing = None;
                t
            })
            .collect();
        trials.sort_by_key(|t| t.number);
        trials
    };
    assert_eq!(summary(&resumed), summary(&straight));
}

/// The native golden study (`crates/study/tests/study.rs` writes it), rebuilt here: genesis
/// on 3,000 synthetic bars, multivariate TPE with the median pruner, 30 trials. The browser
/// must give the same journal to the byte: same samples, same prunes, same scores.
#[wasm_bindgen_test]
fn the_golden_study_is_the_same_in_the_browser() {
    use genesis_optimizer::pruner::MedianPruner;
    use genesis_optimizer::PrunerSettings;

    let candles = Arc::new(
        generate(&SynthParams {
            n_bars: 3_000,
            ..SynthParams::demo()
        })
        .unwrap(),
    );
    let mut config = StudyConfig::new(
        "test",
        SearchSpace::from_yaml_str(include_str!("../config/optimizer/genesis_tpe.yaml")).unwrap(),
        11,
    );
    config.in_sample_fraction = Some(0.7);
    config.symbol = Some("DEMO".into());
    config.validation.top_k = 3;
    let mut plan = StudyPlan::new(
        config,
        BaseSource::Preset {
            name: "genesis".into(),
        },
        StrategyConfig::preset("genesis").unwrap(),
        DatasetMeta::new("demo.csv", &candles),
    )
    .unwrap();
    plan.settings.pruner = PrunerSettings::Median(MedianPruner::default());
    let study = run_serially(&plan, &mut FeatureStore::new(candles), 30);
    let journal = study.log().unwrap().canonical_jsonl();
    let golden = include_str!("golden/study/genesis_tpe_median_30.jsonl");
    assert_same_journal("the browser's study", &journal, golden);
}

/// The native golden rules study (`crates/study/tests/rules.rs` writes it), rebuilt here:
/// TPE over `params.fast` and `params.slow` of `rules_sma_cross` on the demo data, seed 8,
/// 200 evaluated trials. The browser's journal must be the native one to the byte; stored
/// trial by trial in IndexedDB and read back, the journal rebuilt from the records must be
/// too; and every trial of it replays bit for bit.
#[wasm_bindgen_test]
async fn the_golden_rules_study_is_the_same_in_the_browser_and_replays_from_indexeddb() {
    use genesis_study::replay::replay_all;

    Db::delete_named("genesis-test-rules-golden").await.unwrap();
    let db = Db::open_named("genesis-test-rules-golden").await.unwrap();
    let candles = Arc::new(generate(&SynthParams::demo()).unwrap());
    let mut config = StudyConfig::new(
        "test",
        SearchSpace::from_yaml_str(include_str!("../config/optimizer/rules_sma_cross.yaml"))
            .unwrap(),
        8,
    );
    config.symbol = Some("DEMO".into());
    let plan = StudyPlan::new(
        config,
        BaseSource::Preset {
            name: "rules_sma_cross".into(),
        },
        StrategyConfig::preset("rules_sma_cross").unwrap(),
        DatasetMeta::new("demo.csv", &candles),
    )
    .unwrap();
    let mut store = FeatureStore::new(candles);
    let study = run_serially(&plan, &mut store, 200);
    let golden = include_str!("golden/study/rules_sma_cross_tpe_200.jsonl");
    assert_same_journal(
        "the browser's rules study",
        &study.log().unwrap().canonical_jsonl(),
        golden,
    );

    let mut row = row(&study, "rules");
    row.strategy = "rules".into();
    records::save_study(&db, &row).await.unwrap();
    for record in study.trials() {
        records::save_trial(&db, "rules", record).await.unwrap();
    }
    let stored_row = records::load_row(&db, "rules").await.unwrap().unwrap();
    let (stored, n_corrupt) = records::load_trials(&db, "rules").await.unwrap();
    assert_eq!(n_corrupt, 0);
    let log = records::log(&stored_row.header, &stored).unwrap();
    assert_same_journal(
        "the rules study read back from IndexedDB",
        &log.canonical_jsonl(),
        golden,
    );
    assert_eq!(
        log.trials
            .iter()
            .filter(|t| t.duplicate_of.is_none())
            .count(),
        200
    );

    let reports = replay_all(&plan, &log, &mut store).unwrap();
    assert_eq!(reports.len(), log.trials.len());
    for report in &reports {
        assert!(
            report.is_identical,
            "trial {} replays with differences: {:?}",
            report.trial,
            report.differences().collect::<Vec<_>>()
        );
    }
}

/// The native golden two-objective studies (`crates/study/tests/multi_objective.rs` writes
/// them), rebuilt here: genesis on the demo data, total return against max drawdown, 200
/// trials of NSGA-II and of the multi-objective TPE. The browser's journals must be the
/// native ones to the byte.
#[wasm_bindgen_test]
fn the_golden_two_objective_studies_are_the_same_in_the_browser() {
    use genesis_study::{ObjectiveList, SamplerChoice, StudyChoices};

    let candles = Arc::new(generate(&SynthParams::demo()).unwrap());
    let goldens = [
        (
            SamplerChoice::Nsga2,
            include_str!("golden/study/genesis_nsga2_return_drawdown_200.jsonl"),
        ),
        (
            SamplerChoice::Motpe,
            include_str!("golden/study/genesis_motpe_return_drawdown_200.jsonl"),
        ),
    ];
    for (sampler, golden) in goldens {
        let choices = StudyChoices {
            seed: Some(5),
            sampler: Some(sampler),
            objectives: Some(
                "total_return:maximize, max_drawdown:minimize"
                    .parse::<ObjectiveList>()
                    .unwrap(),
            ),
            pbo_blocks: Some(0),
            ..StudyChoices::default()
        };
        let space =
            SearchSpace::from_yaml_str(include_str!("../config/optimizer/genesis_tpe.yaml"))
                .unwrap();
        let mut config = choices.to_config("test", space, None).unwrap();
        config.symbol = Some("DEMO".into());
        let plan = StudyPlan::new(
            config,
            BaseSource::Preset {
                name: "genesis".into(),
            },
            StrategyConfig::preset("genesis").unwrap(),
            DatasetMeta::new("demo.csv", &candles),
        )
        .unwrap();
        let study = run_serially(&plan, &mut FeatureStore::new(Arc::clone(&candles)), 200);
        assert_same_journal(
            &format!("the browser's {sampler:?} study"),
            &study.log().unwrap().canonical_jsonl(),
            golden,
        );
    }
}
