//! The objective: effective config, checkpoints, pruning, outcomes, and its agreement with
//! a plain backtest.

mod common;

use std::sync::Arc;

use common::*;
use genesis_engine::backtest::{Recording, Window};
use genesis_engine::features::FeatureStore;
use genesis_engine::run::run_backtest;
use genesis_optimizer::pruner::PruneCheckpoint;
use genesis_optimizer::{ParamValue, Params, PruneThresholds, TrialOutcome, TrialTicket};
use genesis_study::Objective;

fn genesis_params() -> Params {
    let mut params = Params::new();
    params.insert(
        "thresholds.entry_conf_overall".into(),
        ParamValue::Float(0.3),
    );
    params.insert("max_hold_bars".into(), ParamValue::Int(30));
    params.insert(
        "htf_exit_config.trail_atr_multiplier".into(),
        ParamValue::Float(2.5),
    );
    params
}

fn ticket(params: Params, thresholds: PruneThresholds) -> TrialTicket {
    TrialTicket {
        number: 0,
        params,
        prune_thresholds: thresholds,
    }
}

#[test]
fn a_complete_trial_keeps_its_metrics_but_the_summary_and_the_fingerprint_of_its_effective_config()
{
    let candles = demo();
    let plan = plan(&candles, "genesis", GENESIS_SPACE, 1, None);
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let outcome = plan.objective().evaluate(
        &mut store,
        &ticket(genesis_params(), PruneThresholds::default()),
    );

    // The effective config built by hand: the preset with the space's fixed values and the
    // parameters set at their dotted paths.
    let expected_config = preset("genesis")
        .with_params([
            ("thresholds.entry_conf_overall", serde_json::json!(0.3)),
            ("max_hold_bars", serde_json::json!(30)),
            (
                "htf_exit_config.trail_atr_multiplier",
                serde_json::json!(2.5),
            ),
            ("htf_exit_config.enable_trailing", serde_json::json!(true)),
            (
                "risk_map",
                serde_json::json!([[0.45, 0.015], [0.55, 0.025], [0.65, 0.035]]),
            ),
        ])
        .unwrap();
    let mut plain_store = FeatureStore::new(Arc::clone(&candles));
    let plain = run_backtest(
        &mut plain_store,
        &expected_config,
        Window::all(&candles),
        Recording::Full,
    )
    .unwrap();
    let TrialOutcome::Complete {
        value,
        values,
        intermediate,
        constraint_violations,
        user_attrs,
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(value.to_bits(), plain.score().to_bits());
    assert!(
        values.is_empty(),
        "a single-objective trial reports its score alone"
    );
    assert_eq!(constraint_violations, plain.evaluation.reasons);
    assert_eq!(
        user_attrs["fingerprint"],
        serde_json::json!(expected_config.fingerprint())
    );
    assert_eq!(
        user_attrs["n_trades"],
        serde_json::json!(plain.report.metrics.n_trades)
    );
    // Every metric but the per-side performance summary, which a replay recomputes and a
    // trial does not carry.
    let metrics = serde_json::to_value(plain.report.metrics).unwrap();
    for (key, expected) in metrics.as_object().unwrap() {
        if key == "summary" {
            assert_eq!(user_attrs.get(key), None, "the summary is not kept");
        } else {
            assert_eq!(user_attrs.get(key), Some(expected), "metric {key}");
        }
    }
    assert_eq!(intermediate.last(), Some(&(4, value)));
}

#[test]
fn checkpoints_cut_the_window_into_equal_segments() {
    let candles = short_demo(4_000);
    let plan = plan(&candles, "sma_cross", SMA_SPACE, 1, Some(0.75));
    // 3,000 in-sample bars in 4 segments: pauses after bars 750, 1,500 and 2,250; the
    // final score is step 4. Out of sample starts at bar 3,000 with 1,000 bars.
    let steps: Vec<(u64, usize)> = plan
        .objective()
        .checkpoints()
        .iter()
        .map(|c| (c.step, c.bar_idx))
        .collect();
    assert_eq!(steps, vec![(1, 750), (2, 1_500), (3, 2_250)]);
    let oos: Vec<usize> = plan
        .oos_objective()
        .unwrap()
        .checkpoints()
        .iter()
        .map(|c| c.bar_idx)
        .collect();
    assert_eq!(oos, vec![3_250, 3_500, 3_750]);
    // A window too short for its segments pauses once per distinct bar.
    let tiny = Objective::new(
        preset("sma_cross"),
        &space(SMA_SPACE),
        Window {
            from_bar: 10,
            to_bar: 13,
        },
        8,
        candles.content_hash(),
    );
    let bars: Vec<usize> = tiny.checkpoints().iter().map(|c| c.bar_idx).collect();
    assert_eq!(bars, vec![11, 12]);
}

#[test]
fn a_score_below_the_ticket_threshold_prunes_at_that_step() {
    let candles = demo();
    let plan = plan(&candles, "genesis", GENESIS_SPACE, 1, None);
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let thresholds = PruneThresholds {
        checkpoints: vec![
            PruneCheckpoint {
                step: 1,
                min_value: f64::NEG_INFINITY,
            },
            PruneCheckpoint {
                step: 2,
                min_value: f64::INFINITY,
            },
        ],
    };
    let outcome = plan
        .objective()
        .evaluate(&mut store, &ticket(genesis_params(), thresholds));
    match outcome {
        TrialOutcome::Pruned { step, intermediate } => {
            assert_eq!(step, 2);
            assert_eq!(
                intermediate.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
                vec![1, 2]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn parameters_that_make_the_config_invalid_fail_with_the_configs_reason() {
    let candles = short_demo(3_000);
    let plan = plan(&candles, "sma_cross", SMA_SPACE, 1, None);
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let mut params = Params::new();
    params.insert("fast_period".into(), ParamValue::Int(50));
    params.insert("slow_period".into(), ParamValue::Int(20));
    match plan
        .objective()
        .evaluate(&mut store, &ticket(params, PruneThresholds::default()))
    {
        TrialOutcome::Failed { reason } => {
            assert!(reason.contains("fast_period"), "{reason}");
            assert!(reason.contains("slow_period 20"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_objective_crosses_a_worker_boundary_as_json_and_evaluates_the_same() {
    let candles = demo();
    let plan = plan(&candles, "genesis", GENESIS_SPACE, 1, Some(0.7));
    let objective = plan.objective();
    let text = serde_json::to_string(&objective).unwrap();
    let received: Objective = serde_json::from_str(&text).unwrap();
    assert_eq!(received, objective);
    let t = ticket(genesis_params(), PruneThresholds::default());
    let here = objective.evaluate(&mut FeatureStore::new(Arc::clone(&candles)), &t);
    let there = received.evaluate(&mut FeatureStore::new(Arc::clone(&candles)), &t);
    assert_eq!(
        serde_json::to_string(&here).unwrap(),
        serde_json::to_string(&there).unwrap()
    );
}

#[test]
fn a_worker_holding_another_dataset_fails_the_trial_instead_of_scoring_it() {
    let candles = demo();
    let plan = plan(&candles, "sma_cross", SMA_SPACE, 1, None);
    let mut other = FeatureStore::new(short_demo(3_000));
    match plan.objective().evaluate(
        &mut other,
        &ticket(Params::new(), PruneThresholds::default()),
    ) {
        TrialOutcome::Failed { reason } => assert!(reason.contains("dataset"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_parameter_of_the_shipped_genesis_space_changes_the_outcome() {
    // Guards against the seeds' inert parameters: a space that tunes keys the base config
    // ignores (top-level thresholds while volatility zones replace them) wastes the study
    // and ranks equal configs as different trials. Each parameter at its low and high end,
    // the others at the base's values, must change the score.
    let candles = demo();
    let plan = plan(&candles, "genesis", GENESIS_SPACE, 1, None);
    let objective = plan.objective();
    let mut store = FeatureStore::new(Arc::clone(&candles));
    for spec in plan.space.params() {
        let domain_high = match spec.distribution.domain() {
            genesis_optimizer::space::Domain::Discrete { max_index } => max_index as f64,
            genesis_optimizer::space::Domain::Continuous { high, .. } => high,
            genesis_optimizer::space::Domain::Categorical { n_choices } => (n_choices - 1) as f64,
        };
        let domain_low = match spec.distribution.domain() {
            genesis_optimizer::space::Domain::Continuous { low, .. } => low,
            _ => 0.0,
        };
        let score_at = |x: f64, store: &mut FeatureStore| {
            let mut params = Params::new();
            params.insert(spec.path.clone(), spec.distribution.from_internal(x));
            match objective.evaluate_params(store, &params, &PruneThresholds::default()) {
                TrialOutcome::Complete { value, .. } => value,
                other => panic!("{}: {other:?}", spec.path),
            }
        };
        let low = score_at(domain_low, &mut store);
        let high = score_at(domain_high, &mut store);
        assert_ne!(low.to_bits(), high.to_bits(), "{} looks inert", spec.path);
    }
}
