//! Study behaviour: signatures, duplicates, constraints, failures, the stop policy.

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;

use common::*;
use genesis_optimizer::journal::JournalOp;
use genesis_optimizer::summary::{summarize, top_trials};
use genesis_optimizer::{
    canonical_params, AskOutcome, MemoryJournal, OptimizerError, Params, ResumeOptions,
    SamplerSettings, SignatureInputs, StopPolicy, StopReason, Study, StudyLog, TpeSettings,
    TrialOutcome, TrialState,
};

const SMALL: &str = "x: {type: float, low: 0.0, high: 1.0}\ny: {type: int, low: 1, high: 5}\n";

fn finished_study(seed: u64) -> MemoryJournal {
    let r = run(
        spec(space(SMALL), settings(seed, SamplerSettings::Random)),
        budget(12),
        2,
        0,
        &|t| complete(number(&t.params, "x")),
    );
    r.study.into_backend()
}

#[test]
fn a_resume_with_a_different_dataset_is_refused_naming_the_part() {
    let journal = finished_study(1);
    let mut changed = spec(space(SMALL), settings(1, SamplerSettings::Random));
    changed.signature_inputs.dataset = "e".repeat(64);
    let err = Study::resume(changed, journal, ResumeOptions::default())
        .err()
        .unwrap();
    match &err {
        OptimizerError::SignatureMismatch { diffs } => {
            assert_eq!(diffs.len(), 1);
            assert_eq!(diffs[0].part, "dataset");
            assert_eq!(diffs[0].old, "d".repeat(64));
            assert_eq!(diffs[0].new, "e".repeat(64));
        }
        other => panic!("{other:?}"),
    }
    // Hashes are shown short, old and new.
    assert!(
        err.to_string()
            .contains("dataset (was dddddddddddd, now eeeeeeeeeeee)"),
        "{err}"
    );
}

#[test]
fn every_differing_part_is_listed_and_the_stop_policy_is_not_one() {
    let journal = finished_study(1);
    let mut changed = spec(
        space("x: {type: float, low: 0.0, high: 2.0}\ny: {type: int, low: 1, high: 5}\n"),
        settings(2, SamplerSettings::Random),
    );
    changed.signature_inputs = SignatureInputs {
        base_config: "b".repeat(64),
        dataset: "d".repeat(64),
        engine_version: "0.2.0".into(),
    };
    match Study::resume(changed, journal.clone(), ResumeOptions::default()) {
        Err(OptimizerError::SignatureMismatch { diffs }) => {
            let parts: Vec<&str> = diffs.iter().map(|d| d.part.as_str()).collect();
            assert_eq!(parts, ["search_space", "engine_version", "sampler"]);
            assert!(diffs
                .iter()
                .any(|d| d.to_string() == "engine_version (was 0.1.0, now 0.2.0)"));
        }
        other => panic!("{:?}", other.err()),
    }
    // Same everything, a bigger budget: accepted.
    let mut study = Study::resume(
        spec(space(SMALL), settings(1, SamplerSettings::Random)),
        journal,
        ResumeOptions::default(),
    )
    .unwrap();
    study.set_stop_policy(budget(20));
    assert!(matches!(study.ask(0).unwrap(), AskOutcome::Trial(_)));
}

#[test]
fn an_allowed_mismatch_resumes_and_is_recorded() {
    let journal = finished_study(1);
    let mut changed = spec(space(SMALL), settings(1, SamplerSettings::Random));
    changed.signature_inputs.base_config = "c".repeat(64);
    let study = Study::resume(
        changed,
        journal,
        ResumeOptions {
            allow_signature_mismatch: true,
            now_ms: Some(42),
        },
    )
    .unwrap();
    let log = study.log().unwrap();
    let resume = log.resumes.last().unwrap();
    assert!(resume.allowed_mismatch);
    assert_eq!(resume.at_ms, Some(42));
    assert_eq!(resume.mismatch.len(), 1);
    assert_eq!(resume.mismatch[0].part, "base_config");
}

#[test]
fn creating_over_an_existing_journal_is_refused() {
    let journal = finished_study(1);
    let err = Study::create(
        spec(space(SMALL), settings(1, SamplerSettings::Random)),
        journal,
    )
    .err()
    .unwrap();
    assert!(matches!(err, OptimizerError::Journal { .. }));
}

/// Six points in all: random sampling soon proposes only duplicates.
const TINY: &str = "a: {type: categorical, choices: [p, q, r]}\nb: {type: int, low: 0, high: 1}\n";

#[test]
fn duplicates_are_never_run_and_a_streak_exhausts_the_space() {
    for n_workers in [1, 4] {
        let calls: RefCell<BTreeMap<String, usize>> = RefCell::new(BTreeMap::new());
        let objective = |t: &genesis_optimizer::TrialTicket| {
            *calls
                .borrow_mut()
                .entry(canonical_params(&t.params))
                .or_default() += 1;
            let v = match t.params["a"].to_string().as_str() {
                "p" => 1.0,
                "q" => 2.0,
                _ => 3.0,
            };
            complete(v + number(&t.params, "b"))
        };
        let policy = StopPolicy {
            max_trials: Some(1000),
            max_duplicate_streak: 25,
            ..StopPolicy::default()
        };
        let r = run(
            spec(space(TINY), settings(3, SamplerSettings::Random)),
            policy,
            n_workers,
            7,
            &objective,
        );
        // Each of the six points ran exactly once.
        let calls = calls.into_inner();
        assert_eq!(calls.len(), 6, "{n_workers} workers");
        assert!(calls.values().all(|&n| n == 1), "{calls:?}");
        match r.study.stop_reason() {
            Some(StopReason::SpaceExhausted { message }) => {
                // A finite space ends once every point ran, before any streak.
                assert!(
                    message.contains("exhausted: all 6 of its points were evaluated"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
        // Duplicates repeat their original's result and point at it.
        let log = r.study.log().unwrap();
        let n_duplicates = log
            .trials
            .iter()
            .filter(|t| t.duplicate_of.is_some())
            .count();
        assert!(n_duplicates >= 1);
        for t in log.trials.iter().filter(|t| t.duplicate_of.is_some()) {
            let original = log.trial(t.duplicate_of.unwrap()).unwrap();
            assert!(original.duplicate_of.is_none());
            assert_eq!(original.params, t.params);
            assert_eq!(original.value, t.value);
            assert!(t.timing.is_none());
        }
    }
}

#[test]
fn a_duplicate_of_a_running_trial_resolves_when_it_finishes() {
    // One point only (a continuous range of one value keeps the space from counting as
    // finite, so the duplicate streak is what ends it): trial 1 duplicates trial 0 while 0
    // is still running.
    let mut study = Study::create(
        spec(
            space(
                "a: {type: categorical, choices: [only]}\nx: {type: float, low: 1.0, high: 1.0}\n",
            ),
            settings(0, SamplerSettings::Random),
        ),
        MemoryJournal::new(),
    )
    .unwrap();
    study.set_stop_policy(StopPolicy {
        max_duplicate_streak: 3,
        ..StopPolicy::default()
    });
    let AskOutcome::Trial(first) = study.ask(0).unwrap() else {
        panic!("expected a trial")
    };
    // The next proposals are duplicates of a running trial: no ticket, and after the
    // streak the study is done while trial 0 still runs.
    match study.ask(0).unwrap() {
        AskOutcome::Done(StopReason::SpaceExhausted { message }) => assert!(
            message.contains("the last 3 proposals were all duplicates"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(study.trials().count(), 0);
    assert!(!study.is_finished());
    study.tell(first.number, complete(5.0), None).unwrap();
    let trials: Vec<_> = study.trials().cloned().collect();
    assert_eq!(trials.len(), 4);
    assert!(trials[1..]
        .iter()
        .all(|t| t.duplicate_of == Some(0) && t.value == Some(5.0)));
    assert!(study.is_finished());
}

#[test]
fn the_budget_counts_evaluated_trials_not_duplicates() {
    let r = run(
        spec(
            space("a: {type: int, low: 1, high: 12}\n"),
            settings(4, SamplerSettings::Random),
        ),
        budget(10),
        3,
        2,
        &|t| complete(number(&t.params, "a")),
    );
    let log = r.study.log().unwrap();
    let evaluated = log
        .trials
        .iter()
        .filter(|t| t.duplicate_of.is_none())
        .count();
    assert_eq!(evaluated, 10);
    assert!(
        log.trials.len() > 10,
        "a 12-point space sampled 10 times at random should repeat"
    );
    assert_eq!(
        r.study.stop_reason(),
        Some(&StopReason::MaxTrials { n_trials: 10 })
    );
}

#[test]
fn infeasible_trials_are_kept_with_reasons_and_ranked_below_feasible_ones() {
    // The objective rewards large x, but x above 0.5 violates a constraint. TPE must settle
    // below the constraint; if infeasible trials ranked by value it would chase x -> 1.
    let yaml = "x: {type: float, low: 0.0, high: 1.0}\nz: {type: float, low: 0.0, high: 1.0}\n";
    let objective = |t: &genesis_optimizer::TrialTicket| {
        let x = number(&t.params, "x");
        TrialOutcome::Complete {
            value: 10.0 * x - (number(&t.params, "z") - 0.5).abs(),
            values: vec![],
            intermediate: vec![],
            constraint_violations: if x > 0.5 {
                vec![format!(
                    "x = {x:.3} exceeds 0.5, max_max_dd-like constraint"
                )]
            } else {
                vec![]
            },
            user_attrs: Default::default(),
        }
    };
    let r = run(
        spec(
            space(yaml),
            settings(8, SamplerSettings::Tpe(TpeSettings::default())),
        ),
        budget(120),
        1,
        0,
        &objective,
    );
    let log = r.study.log().unwrap();
    let infeasible: Vec<_> = log
        .trials
        .iter()
        .filter(|t| !t.constraint_violations.is_empty())
        .collect();
    assert!(!infeasible.is_empty());
    assert!(infeasible
        .iter()
        .all(|t| t.state == TrialState::Complete
            && t.constraint_violations[0].contains("exceeds 0.5")));
    let mut late_x: Vec<f64> = log
        .trials
        .iter()
        .rev()
        .take(40)
        .map(|t| number(&t.params, "x"))
        .collect();
    late_x.sort_by(f64::total_cmp);
    let median = late_x[late_x.len() / 2];
    assert!(
        median < 0.6,
        "TPE chased infeasible values: late median x = {median}"
    );
    assert!(
        median > 0.3,
        "TPE did not approach the constraint: late median x = {median}"
    );
    // Summaries put feasible trials first although infeasible ones score higher.
    let top = top_trials(&log, 5);
    assert!(top.iter().all(|t| t.is_feasible()));
    let summary = summarize(&log, 5);
    assert!(summary.best.as_ref().unwrap().value.unwrap() <= 5.0);
    assert_eq!(summary.counts.infeasible as usize, infeasible.len());
}

#[test]
fn failed_trials_are_recorded_with_their_reason_and_never_observed() {
    let yaml = "x: {type: float, low: 0.0, high: 1.0}\n";
    let objective = |t: &genesis_optimizer::TrialTicket| {
        let x = number(&t.params, "x");
        if x > 0.7 {
            TrialOutcome::Failed {
                reason: "engine error".into(),
            }
        } else {
            complete(x)
        }
    };
    let r = run(
        spec(
            space(yaml),
            settings(2, SamplerSettings::Tpe(TpeSettings::default())),
        ),
        budget(80),
        2,
        1,
        &objective,
    );
    let log = r.study.log().unwrap();
    let failed: Vec<_> = log
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Failed)
        .collect();
    assert!(!failed.is_empty());
    assert!(failed
        .iter()
        .all(|t| t.value.is_none() && t.fail_reason.as_deref() == Some("engine error")));
    // Failed trials have no rank, so neither the split nor the summaries can use them.
    assert!(failed.iter().all(|t| t.rank().is_none()));
    assert!(summarize(&log, 100)
        .top
        .iter()
        .all(|t| t.state == TrialState::Complete));
}

#[test]
fn a_non_finite_result_is_a_failure_with_its_reason() {
    let mut study = Study::create(
        spec(space(SMALL), settings(0, SamplerSettings::Random)),
        MemoryJournal::new(),
    )
    .unwrap();
    let mut numbers = Vec::new();
    for _ in 0..3 {
        let AskOutcome::Trial(t) = study.ask(0).unwrap() else {
            panic!()
        };
        numbers.push(t.number);
    }
    study.tell(numbers[0], complete(f64::NAN), None).unwrap();
    study
        .tell(
            numbers[1],
            TrialOutcome::Pruned {
                step: 2,
                intermediate: vec![(1, 0.5), (2, f64::INFINITY)],
            },
            None,
        )
        .unwrap();
    study
        .tell(numbers[2], complete(f64::NEG_INFINITY), None)
        .unwrap();
    let trials: Vec<_> = study.trials().cloned().collect();
    assert!(trials
        .iter()
        .all(|t| t.state == TrialState::Failed && t.value.is_none()));
    assert!(trials[0]
        .fail_reason
        .as_deref()
        .unwrap()
        .contains("NaN is not finite"));
    assert!(trials[1]
        .fail_reason
        .as_deref()
        .unwrap()
        .contains("step 2 is not finite"));
    // What is kept is finite, so the journal stays valid JSON.
    assert_eq!(trials[1].intermediate, vec![(1, 0.5)]);
    let text = study.backend().to_jsonl();
    let read = genesis_optimizer::journal::parse_jsonl(&text).unwrap();
    assert_eq!(read.ops, study.backend().ops());
}

#[test]
fn tell_refuses_unknown_and_repeated_numbers() {
    let mut study = Study::create(
        spec(space(SMALL), settings(0, SamplerSettings::Random)),
        MemoryJournal::new(),
    )
    .unwrap();
    let AskOutcome::Trial(t) = study.ask(0).unwrap() else {
        panic!()
    };
    assert!(matches!(
        study.tell(t.number + 5, complete(1.0), None),
        Err(OptimizerError::Trial { .. })
    ));
    let twice = TrialOutcome::Complete {
        value: 1.0,
        values: vec![],
        intermediate: vec![(1, 0.5), (1, 0.6)],
        constraint_violations: vec![],
        user_attrs: Default::default(),
    };
    assert!(matches!(
        study.tell(t.number, twice, None),
        Err(OptimizerError::Trial { .. })
    ));
    study.tell(t.number, complete(1.0), None).unwrap();
    assert!(matches!(
        study.tell(t.number, complete(1.0), None),
        Err(OptimizerError::Trial { .. })
    ));
}

#[test]
fn the_sync_window_bounds_how_far_asks_run_ahead() {
    let mut study = Study::create(
        spec(space(SMALL), settings(0, SamplerSettings::Random)),
        MemoryJournal::new(),
    )
    .unwrap();
    let mut tickets = Vec::new();
    loop {
        match study.ask(0).unwrap() {
            AskOutcome::Trial(t) => tickets.push(t),
            AskOutcome::Wait => break,
            AskOutcome::Done(r) => panic!("{r:?}"),
        }
    }
    assert_eq!(tickets.len(), 8, "default window is 8");
    // Finishing trial 1 does not help: trial 8 needs trial 0.
    study.tell(1, complete(0.0), None).unwrap();
    assert_eq!(study.ask(0).unwrap(), AskOutcome::Wait);
    study.tell(0, complete(0.0), None).unwrap();
    let AskOutcome::Trial(next) = study.ask(0).unwrap() else {
        panic!()
    };
    assert_eq!(next.number, 8);
}

#[test]
fn timeout_end_time_and_cancel_stop_the_study_and_are_journaled() {
    let make = || {
        Study::create(
            spec(space(SMALL), settings(0, SamplerSettings::Random)),
            MemoryJournal::new(),
        )
        .unwrap()
    };
    let mut study = make();
    study.set_stop_policy(StopPolicy {
        timeout_ms: Some(1000),
        ..StopPolicy::default()
    });
    assert!(matches!(study.ask(5_000).unwrap(), AskOutcome::Trial(_)));
    assert_eq!(
        study.ask(6_000).unwrap(),
        AskOutcome::Done(StopReason::Timeout { timeout_ms: 1000 })
    );

    let mut study = make();
    study.set_stop_policy(StopPolicy {
        end_at_ms: Some(10_000),
        ..StopPolicy::default()
    });
    assert!(matches!(study.ask(9_999).unwrap(), AskOutcome::Trial(_)));
    assert_eq!(
        study.ask(10_000).unwrap(),
        AskOutcome::Done(StopReason::EndTime { end_at_ms: 10_000 })
    );
    // Extending the deadline lifts the stop.
    study.set_stop_policy(StopPolicy {
        end_at_ms: Some(20_000),
        ..StopPolicy::default()
    });
    assert!(matches!(study.ask(10_001).unwrap(), AskOutcome::Trial(_)));

    let mut study = make();
    study.cancel();
    assert_eq!(
        study.ask(0).unwrap(),
        AskOutcome::Done(StopReason::Cancelled)
    );
    let stops: Vec<_> = study
        .backend()
        .ops()
        .iter()
        .filter_map(|op| match op {
            JournalOp::Stop(s) => Some(s.reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(stops, vec![StopReason::Cancelled]);
}

#[test]
fn invalid_settings_are_refused_by_name() {
    let mut s = settings(0, SamplerSettings::Random);
    s.sync_window = 0;
    match Study::create(spec(space(SMALL), s), MemoryJournal::new()) {
        Err(OptimizerError::InvalidSetting { field, .. }) => assert_eq!(field, "sync_window"),
        other => panic!("{:?}", other.err()),
    }
    let s = settings(
        0,
        SamplerSettings::Tpe(TpeSettings {
            n_ei_candidates: 0,
            ..TpeSettings::default()
        }),
    );
    match Study::create(spec(space(SMALL), s), MemoryJournal::new()) {
        Err(OptimizerError::InvalidSetting { field, .. }) => {
            assert_eq!(field, "tpe.n_ei_candidates")
        }
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn attributes_added_later_reach_the_log_and_the_export_but_not_the_sampler() {
    // Guards the op that records out-of-sample validations: it must merge into the trial,
    // survive a file round trip and a resume, and leave the study's proposals unchanged.
    let mut attributed = Study::create(
        spec(space(MIXED_SPACE), settings(5, SamplerSettings::Random)),
        MemoryJournal::new(),
    )
    .unwrap();
    attributed.set_stop_policy(budget(12));
    drive(&mut attributed, 1, 0, None, &mixed_objective);
    let number = attributed.log().unwrap().trials[3].number;
    let mut attrs = BTreeMap::new();
    attrs.insert(
        "validation".to_string(),
        serde_json::json!({"passed": true}),
    );
    attributed.set_trial_user_attrs(number, attrs).unwrap();
    assert!(attributed
        .set_trial_user_attrs(999, BTreeMap::new())
        .is_err());

    let text = attributed.backend().to_jsonl();
    let (journal, _) = MemoryJournal::from_jsonl(&text).unwrap();
    let log = StudyLog::from_ops(journal.ops()).unwrap();
    assert_eq!(
        log.trial(number).unwrap().user_attrs["validation"],
        serde_json::json!({"passed": true})
    );
    let exported = genesis_optimizer::export::to_optuna_journal(&log).unwrap();
    let imported = genesis_optimizer::export::from_optuna_journal(&exported).unwrap();
    assert_eq!(imported.trial(number), log.trial(number));

    let mut resumed = Study::resume(
        spec(space(MIXED_SPACE), settings(5, SamplerSettings::Random)),
        journal,
        ResumeOptions::default(),
    )
    .unwrap();
    resumed.set_stop_policy(budget(20));
    drive(&mut resumed, 1, 0, None, &mixed_objective);
    let mut plain = Study::create(
        spec(space(MIXED_SPACE), settings(5, SamplerSettings::Random)),
        MemoryJournal::new(),
    )
    .unwrap();
    plain.set_stop_policy(budget(20));
    drive(&mut plain, 1, 0, None, &mixed_objective);
    let strip =
        |log: StudyLog| -> Vec<Params> { log.trials.into_iter().map(|t| t.params).collect() };
    assert_eq!(strip(resumed.log().unwrap()), strip(plain.log().unwrap()));
}

#[test]
fn attributes_for_a_trial_not_yet_recorded_are_an_error_naming_the_line() {
    let mut study = Study::create(
        spec(space(MIXED_SPACE), settings(5, SamplerSettings::Random)),
        MemoryJournal::new(),
    )
    .unwrap();
    study.set_stop_policy(budget(2));
    drive(&mut study, 1, 0, None, &mixed_objective);
    let mut ops = study.backend().ops().to_vec();
    ops.insert(
        1,
        JournalOp::TrialAttrs(Box::new(genesis_optimizer::journal::TrialAttrs {
            number: 0,
            user_attrs: BTreeMap::new(),
        })),
    );
    match StudyLog::from_ops(&ops) {
        Err(OptimizerError::Journal { line, .. }) => assert_eq!(line, 2),
        other => panic!("{other:?}"),
    }
}
