//! Multi-objective studies: NSGA-II and the multi-objective TPE give the same study with
//! any number of workers and after a crash and resume; their fronts improve on random
//! search; what a multi-objective study cannot do is refused by name; and over integer
//! spaces every sampler that promises it spends the budget on points not yet evaluated.

mod common;

use std::collections::BTreeSet;

use common::*;
use genesis_optimizer::pareto::{hypervolume, pareto_front};
use genesis_optimizer::pruner::MedianPruner;
use genesis_optimizer::{
    canonical_params, Direction, MemoryJournal, Nsga2Settings, OptimizerError, PrunerSettings,
    ResumeOptions, SamplerSettings, StopReason, Study, StudySettings, TpeSettings, TrialOutcome,
    TrialTicket,
};

/// Two parameters, an integer and a float, and a categorical one that only shifts.
const SPACE: &str = "x: {type: float, low: 0.0, high: 1.0}\n\
                     n: {type: int, low: 0, high: 40}\n\
                     kind: {type: categorical, choices: [a, b]}\n";

/// A ZDT1-like pair: maximise `f1 = 1 - x` and minimise `f2 = g * (1 - sqrt(x / g))`-ish,
/// with `g` growing away from `n = 20`; infeasible when `n > 36`.
fn two_objectives(t: &TrialTicket) -> TrialOutcome {
    let x = number(&t.params, "x");
    let n = number(&t.params, "n");
    let shift = if t.params["kind"].to_string() == "a" {
        0.0
    } else {
        0.1
    };
    let g = 1.0 + (n - 20.0).abs() / 10.0 + shift;
    let f2 = g * (1.0 - libm::sqrt(x / g));
    TrialOutcome::Complete {
        value: 0.0,
        values: vec![1.0 - x, f2],
        intermediate: vec![],
        constraint_violations: if n > 36.0 {
            vec!["n above 36".into()]
        } else {
            vec![]
        },
        user_attrs: Default::default(),
    }
}

fn directions() -> Vec<Direction> {
    vec![Direction::Maximize, Direction::Minimize]
}

fn multi(seed: u64, sampler: SamplerSettings) -> StudySettings {
    StudySettings {
        directions: directions(),
        ..settings(seed, sampler)
    }
}

fn nsga2() -> SamplerSettings {
    SamplerSettings::Nsga2(Nsga2Settings {
        population_size: 20,
        ..Nsga2Settings::default()
    })
}

fn motpe() -> SamplerSettings {
    SamplerSettings::Tpe(TpeSettings::default())
}

/// The hypervolume of the feasible trials' losses against (0, 3).
fn front_hypervolume(study: &Study<MemoryJournal>) -> f64 {
    let losses: Vec<Vec<f64>> = study
        .trials()
        .filter(|t| t.is_feasible())
        .filter_map(|t| t.losses(&directions()))
        .filter(|l| l[0] <= 0.0 && l[1] <= 3.0)
        .collect();
    hypervolume(&losses, &[0.0, 3.0]).unwrap()
}

#[test]
fn worker_count_and_a_crash_do_not_change_a_multi_objective_study() {
    for sampler in [nsga2(), motpe()] {
        let make_spec = || spec(space(SPACE), multi(5, sampler.clone()));
        let one = run(make_spec(), budget(120), 1, 0, &two_objectives);
        let four = run(make_spec(), budget(120), 4, 9, &two_objectives);
        assert_eq!(canonical(&one.study), canonical(&four.study), "{sampler:?}");
        let log = one.study.log().unwrap();
        assert!(log
            .trials
            .iter()
            .all(|t| t.values.len() == 2 || t.duplicate_of.is_some()));

        let mut crashed = Study::create(make_spec(), MemoryJournal::new()).unwrap();
        crashed.set_stop_policy(budget(120));
        drive(&mut crashed, 6, 3, Some(57), &two_objectives);
        assert!(crashed.n_running() > 0);
        let mut resumed = Study::resume(
            make_spec(),
            crashed.into_backend(),
            ResumeOptions::default(),
        )
        .unwrap();
        resumed.set_stop_policy(budget(120));
        drive(&mut resumed, 2, 4, None, &two_objectives);
        assert_eq!(
            canonical(&resumed),
            canonical(&one.study),
            "{sampler:?} resumed"
        );
    }
}

#[test]
fn both_samplers_beat_random_search_on_the_front() {
    let median = |sampler: &SamplerSettings| {
        let mut volumes: Vec<f64> = (0..5)
            .map(|seed| {
                let r = run(
                    spec(space(SPACE), multi(seed, sampler.clone())),
                    budget(200),
                    2,
                    seed,
                    &two_objectives,
                );
                front_hypervolume(&r.study)
            })
            .collect();
        volumes.sort_by(f64::total_cmp);
        volumes[2]
    };
    let random = median(&SamplerSettings::Random);
    let by_nsga2 = median(&nsga2());
    let by_motpe = median(&motpe());
    println!(
        "median hypervolume after 200 trials: random {random:.4}, nsga2 {by_nsga2:.4}, motpe {by_motpe:.4}"
    );
    assert!(by_nsga2 > random, "nsga2 {by_nsga2} vs random {random}");
    assert!(by_motpe > random, "motpe {by_motpe} vs random {random}");
    // Infeasible trials are never on the front.
    let r = run(
        spec(space(SPACE), multi(1, motpe())),
        budget(100),
        2,
        1,
        &two_objectives,
    );
    let feasible: Vec<_> = r.study.trials().filter(|t| t.is_feasible()).collect();
    assert!(r
        .study
        .trials()
        .any(|t| !t.is_feasible() && t.duplicate_of.is_none()));
    let losses: Vec<Vec<f64>> = feasible
        .iter()
        .map(|t| t.losses(&directions()).unwrap())
        .collect();
    assert!(pareto_front(&losses).iter().any(|f| *f));
}

#[test]
fn what_a_multi_objective_study_cannot_do_is_refused_by_name() {
    let pruned = StudySettings {
        pruner: PrunerSettings::Median(MedianPruner::default()),
        ..multi(0, motpe())
    };
    let Err(OptimizerError::InvalidSetting { field, message }) =
        Study::create(spec(space(SPACE), pruned), MemoryJournal::new())
    else {
        panic!("a pruned multi-objective study was accepted")
    };
    assert_eq!(field, "pruner");
    assert!(message.contains("cannot be pruned"), "{message}");

    let one = StudySettings {
        directions: vec![Direction::Minimize],
        ..settings(0, motpe())
    };
    let Err(OptimizerError::InvalidSetting { field, .. }) =
        Study::create(spec(space(SPACE), one), MemoryJournal::new())
    else {
        panic!("one direction was accepted")
    };
    assert_eq!(field, "directions");

    // A trial must report one value per objective.
    let mut study =
        Study::create(spec(space(SPACE), multi(0, motpe())), MemoryJournal::new()).unwrap();
    let genesis_optimizer::AskOutcome::Trial(ticket) = study.ask(0).unwrap() else {
        panic!("no trial")
    };
    let short = TrialOutcome::Complete {
        value: 0.0,
        values: vec![1.0],
        intermediate: vec![],
        constraint_violations: vec![],
        user_attrs: Default::default(),
    };
    let err = study.tell(ticket.number, short, None).unwrap_err();
    assert!(
        err.to_string()
            .contains("reported 1 objective values, the study has 2"),
        "{err}"
    );
    // A value that is not finite fails the trial, naming the objective.
    let infinite = TrialOutcome::Complete {
        value: 0.0,
        values: vec![1.0, f64::INFINITY],
        intermediate: vec![],
        constraint_violations: vec![],
        user_attrs: Default::default(),
    };
    study.tell(ticket.number, infinite, None).unwrap();
    let failed = study.trials().next().unwrap();
    assert_eq!(
        failed.fail_reason.as_deref(),
        Some("objective 2 value inf is not finite")
    );
}

/// About 1,700 integer points, as `sma_cross`'s preset space.
const INTEGER_SPACE: &str =
    "fast: {type: int, low: 2, high: 50}\nslow: {type: int, low: 20, high: 200, step: 5}\n";

fn peak(t: &TrialTicket) -> TrialOutcome {
    let fast = number(&t.params, "fast");
    let slow = number(&t.params, "slow");
    let (df, ds) = (fast - 49.0, slow - 60.0);
    complete(-df * df - ds * ds / 20.0)
}

#[test]
fn an_integer_space_spends_the_budget_on_new_points() {
    for sampler in [SamplerSettings::Tpe(TpeSettings::default()), nsga2()] {
        let mut studies = Vec::new();
        for n_workers in [1, 2] {
            let r = run(
                spec(space(INTEGER_SPACE), settings(11, sampler.clone())),
                budget(200),
                n_workers,
                3,
                &peak,
            );
            let trials: Vec<_> = r.study.trials().collect();
            let distinct: BTreeSet<String> =
                trials.iter().map(|t| canonical_params(&t.params)).collect();
            assert_eq!(
                trials.len(),
                200,
                "{sampler:?}: no trial number spent on a duplicate"
            );
            assert_eq!(distinct.len(), 200, "{sampler:?}");
            assert_eq!(r.n_objective_calls, 200);
            studies.push(canonical(&r.study));
        }
        assert_eq!(studies[0], studies[1], "{sampler:?}: 1 and 2 workers");
    }
    // A space smaller than the budget ends exhausted after exactly its size, whichever
    // sampler runs it.
    let small =
        "fast: {type: int, low: 2, high: 8}\nslow: {type: categorical, choices: [20, 40, 60]}\n";
    for sampler in [
        SamplerSettings::Tpe(TpeSettings::default()),
        nsga2(),
        SamplerSettings::Grid,
    ] {
        let r = run(
            spec(space(small), settings(2, sampler.clone())),
            budget(200),
            2,
            0,
            &|t| complete(number(&t.params, "fast")),
        );
        let evaluated = r
            .study
            .trials()
            .filter(|t| t.duplicate_of.is_none())
            .count();
        assert_eq!(evaluated, 21, "{sampler:?}");
        assert!(
            matches!(
                r.study.stop_reason(),
                Some(StopReason::SpaceExhausted { .. })
            ),
            "{sampler:?}: {:?}",
            r.study.stop_reason()
        );
    }
}

#[test]
fn a_journal_whose_complete_trials_lost_their_values_resumes_without_them() {
    use genesis_optimizer::{JournalOp, StudyLog};

    let make_spec = || spec(space(SPACE), multi(3, motpe()));
    let first = run(make_spec(), budget(40), 2, 0, &two_objectives);
    // Hand-edited: every third complete trial without its objectives' values.
    let ops: Vec<JournalOp> = first
        .study
        .into_backend()
        .ops()
        .iter()
        .map(|op| match op {
            JournalOp::Trial(t) if t.number % 3 == 0 => {
                let mut t = t.clone();
                t.values.clear();
                JournalOp::Trial(t)
            }
            other => other.clone(),
        })
        .collect();
    let mut resumed = Study::resume(
        make_spec(),
        MemoryJournal::from_ops(ops),
        ResumeOptions::default(),
    )
    .unwrap();
    resumed.set_stop_policy(budget(80));
    drive(&mut resumed, 2, 1, None, &two_objectives);
    let log: StudyLog = resumed.log().unwrap();
    assert_eq!(
        log.trials
            .iter()
            .filter(|t| t.duplicate_of.is_none())
            .count(),
        80
    );
    let front = genesis_optimizer::pareto::StudyFront::of(&log, None).unwrap();
    assert!(front
        .members
        .iter()
        .all(|n| log.trial(*n).is_some_and(|t| t.values.len() == 2)));
}
