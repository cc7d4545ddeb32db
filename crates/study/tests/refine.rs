//! Refine: narrowed bounds around the top trials, on the parent's grid, linked to the
//! parent.

mod common;

use std::collections::BTreeMap;

use common::*;
use genesis_optimizer::space::{Distribution, ParamSpec};
use genesis_optimizer::{ParamValue, Params, SearchSpace, TrialRecord};
use genesis_study::refine::{refine_plan, refine_space};
use genesis_study::validation::candidates;
use proptest::prelude::*;

fn record(number: u64, params: Params) -> TrialRecord {
    TrialRecord::complete(number, params, 1.0)
}

#[test]
fn bounds_narrow_around_the_top_trials_padded_and_on_the_parents_grid() {
    let space = space(
        "a: {type: float, low: 0.25, high: 0.65, step: 0.025}\n\
         b: {type: int, low: 5, high: 60, step: 5}\n\
         c: {type: float, low: 0.0, high: 10.0}\n\
         d: {type: loguniform, low: 0.001, high: 1.0}\n\
         e: {type: categorical, choices: [x, y]}\n",
    );
    let trial = |n, a, b, c, d| {
        let mut p = Params::new();
        p.insert("a".into(), ParamValue::Float(a));
        p.insert("b".into(), ParamValue::Int(b));
        p.insert("c".into(), ParamValue::Float(c));
        p.insert("d".into(), ParamValue::Float(d));
        p.insert("e".into(), ParamValue::Str("x".into()));
        record(n, p)
    };
    let top = [trial(0, 0.4, 20, 3.0, 0.01), trial(1, 0.45, 30, 4.0, 0.1)];
    let refs: Vec<&TrialRecord> = top.iter().collect();
    let (child, changes) = refine_space(&space, &refs, 0.1).unwrap();
    let by_path: BTreeMap<&str, &Distribution> = child
        .params()
        .iter()
        .map(|p| (p.path.as_str(), &p.distribution))
        .collect();
    // a: 16 steps of 0.025, padding ceil(1.6) = 2 steps: 0.35 ..= 0.5.
    assert_eq!(
        by_path["a"],
        &Distribution::Float {
            low: 0.35,
            high: 0.5,
            step: Some(0.025),
            log: false
        }
    );
    // b: 11 steps of 5, padding ceil(1.1) = 2 steps: 10 ..= 40.
    assert_eq!(
        by_path["b"],
        &Distribution::Int {
            low: 10,
            high: 40,
            step: 5,
            log: false
        }
    );
    // c: padded by 1.0 on each side.
    assert_eq!(
        by_path["c"],
        &Distribution::Float {
            low: 2.0,
            high: 5.0,
            step: None,
            log: false
        }
    );
    // d: padded by a tenth of ln(1000) in log space on each side.
    let Distribution::Float { low, high, .. } = by_path["d"] else {
        panic!()
    };
    let pad = 0.1 * libm::log(1.0f64 / 0.001);
    assert!(
        (libm::log(*low) - (libm::log(0.01) - pad)).abs() < 1e-9,
        "{low}"
    );
    assert!(
        (libm::log(*high) - (libm::log(0.1) + pad)).abs() < 1e-9,
        "{high}"
    );
    assert_eq!(by_path["e"], &space.params()[4].distribution);
    assert_eq!(changes.len(), 4);
}

#[test]
fn a_refined_study_keeps_its_parents_base_and_names_its_parent() {
    let candles = demo();
    let parent = plan(&candles, "genesis", GENESIS_SPACE, 4, Some(0.7));
    let study = run_study(&parent, &candles, 25, 2);
    let log = study.log().unwrap();
    let (child, changes) = refine_plan(&parent, &log, 5, 0.1, "fine").unwrap();
    let link = child.metadata.parent.as_ref().unwrap();
    assert_eq!(link.study_name, "test");
    assert_eq!(link.signature, log.header.signature);
    let top: Vec<u64> = candidates(&log, 5).iter().map(|t| t.number).collect();
    assert_eq!(link.trials, top);
    assert_eq!(child.metadata.base_config, parent.metadata.base_config);
    assert_eq!(child.space.fixed(), parent.space.fixed());
    assert!(!changes.is_empty());
    // Every top trial still fits the child space, and the child runs.
    for number in &top {
        child
            .space
            .to_internal(&log.trial(*number).unwrap().params)
            .unwrap();
    }
    let study = run_study(&child, &candles, 5, 1);
    assert_eq!(study.trials().count(), 5);
    // The child's signature differs from its parent's in the space only.
    assert_ne!(
        study.header().signature.search_space,
        log.header.signature.search_space
    );
    assert_eq!(
        study.header().signature.base_config,
        log.header.signature.base_config
    );
}

proptest! {
    /// The child range of a stepped float lies inside the parent's, holds every top value,
    /// and is a whole number of the parent's steps from its low.
    #[test]
    fn stepped_bounds_contain_the_top_values_inside_the_parent(
        low_cents in 0i64..100,
        n_steps in 1u64..60,
        picks in proptest::collection::vec(0u64..60, 1..6),
        padding in 0.0f64..0.5,
    ) {
        let low = low_cents as f64 / 100.0;
        let step = 0.05;
        let high = format!("{:.2}", low + n_steps as f64 * step).parse::<f64>().unwrap();
        let parent = SearchSpace::from_parts(
            vec![ParamSpec {
                path: "x".into(),
                distribution: Distribution::Float { low, high, step: Some(step), log: false },
            }],
            BTreeMap::new(),
        ).unwrap();
        let dist = &parent.params()[0].distribution;
        let top: Vec<TrialRecord> = picks
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let mut p = Params::new();
                p.insert("x".into(), dist.from_internal((k % (n_steps + 1)) as f64));
                record(i as u64, p)
            })
            .collect();
        let refs: Vec<&TrialRecord> = top.iter().collect();
        let (child, _) = refine_space(&parent, &refs, padding).unwrap();
        let Distribution::Float { low: c_low, high: c_high, step: c_step, .. } =
            child.params()[0].distribution.clone() else { panic!() };
        prop_assert_eq!(c_step, Some(step));
        prop_assert!(low <= c_low && c_high <= high);
        for t in &top {
            let v = t.params["x"].as_f64().unwrap();
            prop_assert!(c_low <= v && v <= c_high);
            prop_assert!(child.to_internal(&t.params).is_ok());
        }
    }
}
