//! Pruners compute per-checkpoint thresholds from the visible trials; objectives stop
//! themselves against them.

mod common;

use common::*;
use genesis_optimizer::pruner::{MedianPruner, PruneCheckpoint, SuccessiveHalvingPruner};
use genesis_optimizer::sampler::{Observation, Rank};
use genesis_optimizer::{
    PruneThresholds, PrunerSettings, SamplerSettings, StudySettings, TrialState,
};

fn complete_obs(number: u64, intermediate: &[(u64, f64)]) -> Observation {
    Observation {
        number,
        point: vec![],
        rank: Rank::Feasible {
            value: intermediate.last().map_or(0.0, |x| x.1),
        },
        intermediate: intermediate.to_vec(),
        is_complete: true,
        losses: vec![-intermediate.last().map_or(0.0, |x| x.1)],
    }
}

fn pruned_obs(number: u64, intermediate: &[(u64, f64)]) -> Observation {
    Observation {
        number,
        point: vec![],
        rank: Rank::Pruned {
            last: intermediate.last().copied(),
        },
        intermediate: intermediate.to_vec(),
        is_complete: false,
        losses: vec![],
    }
}

#[test]
fn median_thresholds_are_the_median_of_complete_trials_per_step() {
    let visible = vec![
        complete_obs(0, &[(1, 1.0), (2, 10.0)]),
        complete_obs(1, &[(1, 3.0), (2, 30.0)]),
        complete_obs(2, &[(1, 2.0), (2, 20.0)]),
        complete_obs(3, &[(1, 5.0)]),
        // Pruned trials do not vote in the median rule.
        pruned_obs(4, &[(1, -100.0)]),
    ];
    let pruner = PrunerSettings::Median(MedianPruner {
        n_startup_trials: 4,
        n_warmup_steps: 0,
    });
    let thresholds = pruner.thresholds(&visible);
    // Step 1: values 1, 3, 2, 5 -> median 2.5. Step 2: 10, 30, 20 -> 20.
    assert_eq!(
        thresholds,
        PruneThresholds {
            checkpoints: vec![
                PruneCheckpoint {
                    step: 1,
                    min_value: 2.5
                },
                PruneCheckpoint {
                    step: 2,
                    min_value: 20.0
                }
            ]
        }
    );
    assert!(thresholds.should_prune(1, 2.4));
    assert!(
        !thresholds.should_prune(1, 2.5),
        "equal to the median survives"
    );
    assert!(thresholds.should_prune(2, f64::NAN));
    assert!(!thresholds.should_prune(3, -1e9), "no threshold at step 3");
}

#[test]
fn median_waits_for_startup_trials_and_warmup_steps() {
    let visible = vec![
        complete_obs(0, &[(1, 1.0), (2, 10.0)]),
        complete_obs(1, &[(1, 3.0), (2, 30.0)]),
    ];
    let startup = PrunerSettings::Median(MedianPruner {
        n_startup_trials: 3,
        n_warmup_steps: 0,
    });
    assert!(startup.thresholds(&visible).checkpoints.is_empty());
    let warmup = PrunerSettings::Median(MedianPruner {
        n_startup_trials: 2,
        n_warmup_steps: 2,
    });
    let steps: Vec<u64> = warmup
        .thresholds(&visible)
        .checkpoints
        .iter()
        .map(|c| c.step)
        .collect();
    assert_eq!(steps, vec![2]);
}

#[test]
fn successive_halving_keeps_the_top_third_at_each_rung() {
    // Seven trials reached rung 1 (complete and pruned alike); two reached rung 4.
    let visible = vec![
        complete_obs(0, &[(1, 0.7), (4, 7.0)]),
        complete_obs(1, &[(1, 0.1), (4, 1.0)]),
        pruned_obs(2, &[(1, 0.5)]),
        pruned_obs(3, &[(1, 0.2)]),
        pruned_obs(4, &[(1, 0.9)]),
        pruned_obs(5, &[(1, 0.3)]),
        pruned_obs(6, &[(1, 0.4)]),
    ];
    let pruner = PrunerSettings::SuccessiveHalving(SuccessiveHalvingPruner {
        rungs: vec![1, 4],
        eta: 3,
        n_startup_trials: 0,
    });
    let thresholds = pruner.thresholds(&visible);
    // floor(7 / 3) = 2 continue: sorted 0.9, 0.7, ... -> the bar is 0.7. At rung 4 only two
    // trials: floor(2 / 3) = 0, no bar yet.
    assert_eq!(
        thresholds.checkpoints,
        vec![PruneCheckpoint {
            step: 1,
            min_value: 0.7
        }]
    );
}

#[test]
fn successive_halving_settings_are_checked() {
    let bad = PrunerSettings::SuccessiveHalving(SuccessiveHalvingPruner {
        rungs: vec![4, 2],
        eta: 3,
        n_startup_trials: 0,
    });
    assert!(bad.validate().is_err());
    let bad = PrunerSettings::SuccessiveHalving(SuccessiveHalvingPruner {
        rungs: vec![1],
        eta: 1,
        n_startup_trials: 0,
    });
    assert!(bad.validate().is_err());
}

#[test]
fn in_a_study_pruned_trials_fell_below_the_threshold_they_carried() {
    for pruner in [
        PrunerSettings::Median(MedianPruner::default()),
        PrunerSettings::SuccessiveHalving(SuccessiveHalvingPruner {
            rungs: vec![1, 2, 3],
            eta: 2,
            n_startup_trials: 4,
        }),
    ] {
        let settings = StudySettings {
            pruner: pruner.clone(),
            ..settings(4, SamplerSettings::Random)
        };
        let r = run(
            spec(space(MIXED_SPACE), settings),
            budget(60),
            4,
            3,
            &mixed_objective,
        );
        let log = r.study.log().unwrap();
        let pruned: Vec<_> = log
            .trials
            .iter()
            .filter(|t| t.state == TrialState::Pruned)
            .collect();
        assert!(!pruned.is_empty(), "{pruner:?}: nothing was pruned");
        for t in pruned {
            let step = t.pruned_at_step.unwrap();
            let (last_step, last_value) = t.last_intermediate().unwrap();
            assert_eq!(step, last_step);
            let bar = r.thresholds[&t.number].threshold_at(step).unwrap();
            assert!(
                last_value < bar,
                "trial {}: {last_value} >= {bar}",
                t.number
            );
        }
        // The first trials see nothing: no thresholds within the first window.
        assert!(r.thresholds[&0].checkpoints.is_empty());
    }
}
