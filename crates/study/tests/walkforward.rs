//! Walk-forward runs: the same journal with 1 and 2 workers, a run stopped mid-fold resumes
//! to the uninterrupted one, no fold's choice reads a bar after its train window, and the
//! stitched record compounds the folds' test segments.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::{check_golden_journal, preset, short_demo, space, FakeClock, SMA_SPACE};
use genesis_engine::data::{Candles, Columns};
use genesis_study::folds::{FoldSpec, Length, Mode};
use genesis_study::walkforward::report::{folds_csv, report};
use genesis_study::walkforward::run::run_walkforward;
use genesis_study::walkforward::{run_fold, MemoryWalkForward, WalkForwardHeader, WalkForwardLog};
use genesis_study::{BaseSource, StudyConfig};

/// The golden walk-forward journal (canonical): `tests/wasm_walkforward.rs` rebuilds it in
/// Chromium one trial at a time and must find it to the byte.
const GOLDEN_WALKFORWARD: &str = "../../tests/golden/walkforward/sma_cross_rolling_4000.jsonl";

fn header(candles: &Candles, validate: bool) -> WalkForwardHeader {
    let mut study = StudyConfig::new("wf", space(SMA_SPACE), 5);
    study.stop.max_trials = Some(24);
    if validate {
        study.in_sample_fraction = Some(0.7);
        study.validation.top_k = 3;
        study.validation.min_oos_score = -1e9;
        study.validation.max_degradation = None;
    }
    let spec = FoldSpec {
        mode: Mode::Rolling,
        // Validation takes the last 30 % of a train window: long enough for trades.
        train: Length::Bars(if validate { 3_000 } else { 1_500 }),
        test: Length::Bars(500),
        step: None,
        gap_bars: 10,
    };
    WalkForwardHeader::new(
        "wf",
        spec,
        study,
        BaseSource::Preset {
            name: "sma_cross".into(),
        },
        preset("sma_cross"),
        "demo.csv",
        candles,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `header` into `backend` with `n_jobs`, cancelling once fold `cancel_at` (0-based)
/// has evaluated 8 trials.
fn run(
    header: &WalkForwardHeader,
    backend: &mut MemoryWalkForward,
    candles: &Arc<Candles>,
    n_jobs: usize,
    cancel_at: Option<usize>,
) -> WalkForwardLog {
    let clock = FakeClock::new();
    let cancel = AtomicBool::new(false);
    run_walkforward(
        header,
        backend,
        candles,
        n_jobs,
        &|| clock.now(),
        &cancel,
        |p| {
            if Some(p.fold) == cancel_at && p.study.n_evaluated >= 8 {
                cancel.store(true, Ordering::SeqCst);
            }
        },
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_same_seed_gives_the_same_run_with_one_or_two_workers_and_a_resumed_run_equals_it() {
    let candles = short_demo(4_000);
    let header = header(&candles, false);
    assert_eq!(header.folds.len(), 5, "{:?}", header.folds);

    let mut one = MemoryWalkForward::default();
    let log_one = run(&header, &mut one, &candles, 1, None);
    assert!(log_one.is_complete());
    let mut two = MemoryWalkForward::default();
    let log_two = run(&header, &mut two, &candles, 2, None);
    assert_eq!(
        log_one.canonical_jsonl().unwrap(),
        log_two.canonical_jsonl().unwrap()
    );

    // Stopped inside the third fold, then resumed.
    let mut stopped = MemoryWalkForward::default();
    let partial = run(&header, &mut stopped, &candles, 2, Some(2));
    assert_eq!(partial.n_done(), 2, "stopped after two folds");
    assert!(
        !partial.studies[2].is_empty(),
        "the third fold's study had begun"
    );
    let resumed = run(&header, &mut stopped, &candles, 2, None);
    assert_eq!(
        resumed.canonical_jsonl().unwrap(),
        log_one.canonical_jsonl().unwrap()
    );
    // Folds run apart, in reverse order (as parallel browser workers may finish them),
    // make the same journal.
    let mut store = genesis_engine::features::FeatureStore::new(Arc::clone(&candles));
    let folds: Vec<_> = (0..header.folds.len())
        .rev()
        .map(|f| run_fold(&header, f, &mut store).unwrap())
        .collect();
    let apart = WalkForwardLog::from_ops(&WalkForwardLog::ops_of(&header, &folds)).unwrap();
    assert_eq!(
        apart.canonical_jsonl().unwrap(),
        log_one.canonical_jsonl().unwrap()
    );
    check_golden_journal(
        GOLDEN_WALKFORWARD,
        &log_one.canonical_jsonl().unwrap(),
        "the walk-forward run",
    );

    // Each fold's study is seeded for the fold: the folds' first proposals differ.
    let firsts: Vec<String> = (0..header.folds.len())
        .map(|f| {
            let log = log_one.study_log(f).unwrap().unwrap();
            format!("{:?}", log.trials[0].params)
        })
        .collect();
    let mut distinct = firsts.clone();
    distinct.sort();
    distinct.dedup();
    assert!(distinct.len() > 1, "{firsts:?}");
}

#[test]
fn a_folds_choice_depends_only_on_bars_before_its_test_window() {
    let candles = short_demo(5_000);
    let header_a = header(&candles, true);
    let fold = 1;
    let train_end = header_a.folds[fold].train.end;
    // Every bar from the end of fold 1's train window on: prices scaled by a wave.
    let mut cols: Columns = candles.columns().clone();
    for i in train_end..cols.close.len() {
        let k = 1.0 + 0.3 * libm::sin(i as f64 / 37.0);
        cols.open[i] *= k;
        cols.high[i] *= k;
        cols.low[i] *= k;
        cols.close[i] *= k;
    }
    let changed = Arc::new(Candles::from_columns(cols).unwrap());
    let header_b = header(&changed, true);
    assert_eq!(header_a.folds, header_b.folds);

    let log_a = run(
        &header_a,
        &mut MemoryWalkForward::default(),
        &candles,
        2,
        None,
    );
    let log_b = run(
        &header_b,
        &mut MemoryWalkForward::default(),
        &changed,
        2,
        None,
    );
    for f in 0..=fold {
        let (a, b) = (
            log_a.study_log(f).unwrap().unwrap(),
            log_b.study_log(f).unwrap().unwrap(),
        );
        let key = |log: &genesis_optimizer::StudyLog| -> Vec<String> {
            log.trials
                .iter()
                .map(|t| {
                    format!(
                        "{} {:?} {:?} {:?} {:?}",
                        t.number,
                        t.params,
                        t.value.map(f64::to_bits),
                        t.state,
                        t.user_attrs.get("validation").map(|v| v["score"].clone())
                    )
                })
                .collect()
        };
        assert_eq!(key(&a), key(&b), "fold {f}'s study saw a changed bar");
        let (ca, cb) = (
            log_a.outcomes[f].as_ref().unwrap().chosen.as_ref().unwrap(),
            log_b.outcomes[f].as_ref().unwrap().chosen.as_ref().unwrap(),
        );
        assert_eq!((ca.trial, &ca.params), (cb.trial, &cb.params));
        assert_eq!(ca.in_sample_score.to_bits(), cb.in_sample_score.to_bits());
    }
    // The test window is after the change: the out-of-sample result differs.
    assert_ne!(
        log_a.outcomes[fold].as_ref().unwrap().test_equity,
        log_b.outcomes[fold].as_ref().unwrap().test_equity
    );
    // With validation on, each fold's validation window sits inside its train window.
    let plan = header_a.fold_plan(fold).unwrap();
    let oos = plan.metadata.windows.out_of_sample.unwrap();
    assert_eq!(oos.to_bar, header_a.folds[fold].train.end);
    assert!(oos.from_bar > header_a.folds[fold].train.start);
}

#[test]
fn the_stitched_record_compounds_the_test_segments_and_the_report_reads_from_the_journal() {
    let candles = short_demo(4_000);
    let header = header(&candles, false);
    let log = run(
        &header,
        &mut MemoryWalkForward::default(),
        &candles,
        2,
        None,
    );
    let report = report(&log);
    assert_eq!(report.n_done, header.folds.len());
    let product = log
        .outcomes
        .iter()
        .flatten()
        .map(|o| o.test_equity.last().unwrap() / o.initial_cash)
        .product::<f64>();
    let total = report.stitched.total_return;
    assert!(
        (total - (product - 1.0)).abs() < 1e-12,
        "{total} against {}",
        product - 1.0
    );
    let bars: usize = log.outcomes.iter().flatten().map(|o| o.test.len()).sum();
    assert_eq!(report.equity.len(), bars);
    assert_eq!(report.stitched.n_bars, bars);
    let trades: usize = log.outcomes.iter().flatten().map(|o| o.n_trades).sum();
    assert_eq!(report.stitched.n_trades, trades);
    let bh = log
        .outcomes
        .iter()
        .flatten()
        .map(|o| 1.0 + o.buy_and_hold_return)
        .product::<f64>()
        - 1.0;
    assert!((report.buy_and_hold_return - bh).abs() < 1e-12);
    // Test windows in time order, not overlapping, each after its train window and gap.
    for pair in report.folds.windows(2) {
        assert!(pair[0].test.1 <= pair[1].test.0);
    }
    for row in &report.folds {
        assert!(row.train.1 + 10 == row.test.0, "{row:?}");
    }
    assert_eq!(report.stability.len(), 2, "one row per parameter");
    assert!(report.efficiency.ratio.is_some() || report.efficiency.note.is_some());
    let csv = folds_csv(&report);
    assert_eq!(csv.lines().count(), header.folds.len() + 1);
    // Through JSON and back, the journal gives the same report.
    let text: Vec<String> = log_ops_roundtrip(&log);
    assert!(!text.is_empty());
}

/// The log's outcomes through JSON: what a journal file holds.
fn log_ops_roundtrip(log: &WalkForwardLog) -> Vec<String> {
    log.outcomes
        .iter()
        .flatten()
        .map(|o| {
            let text = serde_json::to_string(o).unwrap();
            let back: genesis_study::walkforward::FoldOutcome =
                serde_json::from_str(&text).unwrap();
            assert_eq!(&back, o);
            text
        })
        .collect()
}
