//! The native golden walk-forward run (`crates/study/tests/walkforward.rs` writes it), rebuilt
//! in a real headless Chromium with one trial at a time: the same journal to the byte.
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use genesis_engine::data::synth::{generate, SynthParams};
use genesis_engine::features::FeatureStore;
use genesis_engine::strategy::StrategyConfig;
use genesis_optimizer::{driver, SearchSpace};
use genesis_study::folds::{FoldSpec, Length, Mode};
use genesis_study::walkforward::report::report;
use genesis_study::walkforward::{
    drive_walkforward, run_fold, MemoryWalkForward, WalkForwardHeader, WalkForwardLog,
};
use genesis_study::{BaseSource, StudyConfig};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/golden.rs"]
mod golden;
use golden::assert_same_journal;

#[wasm_bindgen_test]
fn the_golden_walkforward_run_is_the_same_in_the_browser() {
    let candles = Arc::new(
        generate(&SynthParams {
            n_bars: 4_000,
            ..SynthParams::demo()
        })
        .unwrap(),
    );
    let space =
        SearchSpace::from_yaml_str(include_str!("../config/optimizer/sma_cross.yaml")).unwrap();
    let mut study = StudyConfig::new("wf", space, 5);
    study.stop.max_trials = Some(24);
    let spec = FoldSpec {
        mode: Mode::Rolling,
        train: Length::Bars(1_500),
        test: Length::Bars(500),
        step: None,
        gap_bars: 10,
    };
    let header = WalkForwardHeader::new(
        "wf",
        spec,
        study,
        BaseSource::Preset {
            name: "sma_cross".into(),
        },
        StrategyConfig::preset("sma_cross").unwrap(),
        "demo.csv",
        &candles,
    )
    .unwrap();
    let mut journal = MemoryWalkForward::default();
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let mut trial_store = FeatureStore::new(Arc::clone(&candles));
    let log = drive_walkforward(
        &header,
        &mut journal,
        &mut store,
        &|| 0,
        |_, plan, study| {
            let objective = plan.objective();
            driver::run_serial(study, |t| objective.evaluate(&mut trial_store, t), || 0)?;
            Ok(true)
        },
    )
    .unwrap();
    assert!(log.is_complete());
    let journal = log.canonical_jsonl().unwrap();
    let golden = include_str!("golden/walkforward/sma_cross_rolling_4000.jsonl");
    assert_same_journal("the browser's walk-forward run", &journal, golden);
    assert_eq!(report(&log).n_done, header.folds.len());

    // The page's way: each fold on its own (as parallel workers run them), in any order.
    let mut folds = Vec::new();
    for f in (0..header.folds.len()).rev() {
        folds.push(run_fold(&header, f, &mut store).unwrap());
    }
    let apart = WalkForwardLog::from_ops(&WalkForwardLog::ops_of(&header, &folds)).unwrap();
    assert_same_journal(
        "the browser's walk-forward run with its folds run apart",
        &apart.canonical_jsonl().unwrap(),
        golden,
    );
}
