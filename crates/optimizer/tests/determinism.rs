//! The study's promise: the same seed gives the same study whatever the number of workers
//! and however they are scheduled, and a resumed study continues exactly as an
//! uninterrupted one.

mod common;

use common::*;
use genesis_optimizer::journal::{parse_jsonl, to_jsonl, JournalOp};
use genesis_optimizer::pruner::MedianPruner;
use genesis_optimizer::{
    FileJournal, JournalBackend, MemoryJournal, PrunerSettings, ResumeOptions, SamplerSettings,
    Study, StudySettings, TpeSettings, TrialState,
};

fn tpe_with_median(seed: u64, multivariate: bool) -> StudySettings {
    StudySettings {
        pruner: PrunerSettings::Median(MedianPruner {
            n_startup_trials: 5,
            n_warmup_steps: 1,
        }),
        ..settings(
            seed,
            SamplerSettings::Tpe(TpeSettings {
                multivariate,
                ..TpeSettings::default()
            }),
        )
    }
}

#[test]
fn worker_count_and_completion_order_do_not_change_the_study() {
    for multivariate in [true, false] {
        let reference = run(
            spec(space(MIXED_SPACE), tpe_with_median(7, multivariate)),
            budget(70),
            1,
            0,
            &mixed_objective,
        );
        let reference_journal = canonical(&reference.study);
        // The run must exercise what could diverge: TPE beyond startup, pruning,
        // infeasible and failed trials.
        let log = reference.study.log().unwrap();
        assert!(log.trials.iter().any(|t| t.state == TrialState::Pruned));
        assert!(log
            .trials
            .iter()
            .any(|t| !t.constraint_violations.is_empty()));
        for n_workers in [2, 4, 8] {
            for shuffle_seed in [1, 2, 3] {
                let other = run(
                    spec(space(MIXED_SPACE), tpe_with_median(7, multivariate)),
                    budget(70),
                    n_workers,
                    shuffle_seed,
                    &mixed_objective,
                );
                assert_eq!(
                    canonical(&other.study),
                    reference_journal,
                    "{n_workers} workers, shuffle {shuffle_seed}, multivariate {multivariate}"
                );
                assert_eq!(other.thresholds, reference.thresholds);
            }
        }
    }
}

#[test]
fn the_schedule_really_differs_between_worker_counts() {
    // Guards the test above against a harness that would run everything in order: with 4
    // workers and shuffled completions, trials finish out of number order.
    let run4 = run(
        spec(space(MIXED_SPACE), tpe_with_median(7, true)),
        budget(40),
        4,
        2,
        &mixed_objective,
    );
    let finish_order: Vec<u64> = run4
        .study
        .backend()
        .ops()
        .iter()
        .filter_map(|op| match op {
            JournalOp::Trial(t) => Some(t.number),
            _ => None,
        })
        .collect();
    let mut sorted = finish_order.clone();
    sorted.sort_unstable();
    assert_ne!(finish_order, sorted);
}

#[test]
fn a_different_seed_gives_a_different_study() {
    let a = run(
        spec(space(MIXED_SPACE), tpe_with_median(1, true)),
        budget(20),
        2,
        0,
        &mixed_objective,
    );
    let b = run(
        spec(space(MIXED_SPACE), tpe_with_median(2, true)),
        budget(20),
        2,
        0,
        &mixed_objective,
    );
    let params = |r: &Run| {
        r.study
            .trials()
            .map(|t| t.params.clone())
            .collect::<Vec<_>>()
    };
    assert_ne!(params(&a), params(&b));
}

#[test]
fn stop_after_k_and_resume_equals_uninterrupted() {
    let make_spec = || spec(space(MIXED_SPACE), tpe_with_median(11, true));
    let uninterrupted = run(make_spec(), budget(60), 4, 5, &mixed_objective);

    let first = run(make_spec(), budget(25), 3, 9, &mixed_objective);
    let journal = first.study.into_backend();
    let mut resumed = Study::resume(make_spec(), journal, ResumeOptions::default()).unwrap();
    resumed.set_stop_policy(budget(60));
    drive(&mut resumed, 2, 4, None, &mixed_objective);
    assert_eq!(canonical(&resumed), canonical(&uninterrupted.study));
}

#[test]
fn a_crash_with_trials_running_resumes_to_the_same_study() {
    let make_spec = || spec(space(MIXED_SPACE), tpe_with_median(3, false));
    let uninterrupted = run(make_spec(), budget(50), 1, 0, &mixed_objective);

    let mut crashed = Study::create(make_spec(), MemoryJournal::new()).unwrap();
    crashed.set_stop_policy(budget(50));
    drive(&mut crashed, 6, 8, Some(23), &mixed_objective);
    assert!(
        crashed.n_running() > 0,
        "the crash must abandon running trials"
    );
    let journal = crashed.into_backend();
    // The abandoned trials have no record: gaps below the highest recorded number.
    let log = genesis_optimizer::StudyLog::from_ops(journal.ops()).unwrap();
    let max = log.trials.iter().map(|t| t.number).max().unwrap();
    assert!(
        log.trials.len() < max as usize + 1,
        "expected gaps in the journal"
    );

    let mut resumed = Study::resume(make_spec(), journal, ResumeOptions::default()).unwrap();
    resumed.set_stop_policy(budget(50));
    drive(&mut resumed, 3, 1, None, &mixed_objective);
    assert_eq!(canonical(&resumed), canonical(&uninterrupted.study));
}

#[test]
fn a_torn_file_journal_resumes_to_the_same_study() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("determinism-torn");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("study.jsonl");
    let _ = std::fs::remove_file(&path);
    let make_spec = || spec(space(MIXED_SPACE), tpe_with_median(5, true));
    let uninterrupted = run(make_spec(), budget(40), 1, 0, &mixed_objective);

    let mut first = Study::create(make_spec(), FileJournal::open(&path).unwrap()).unwrap();
    first.set_stop_policy(budget(40));
    drive(&mut first, 4, 2, Some(17), &mixed_objective);
    drop(first);
    // A crash in the middle of writing the next line.
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("{\"op\":\"trial\",\"number\":99,\"par");
    std::fs::write(&path, &text).unwrap();

    let reopened = FileJournal::open(&path).unwrap();
    let torn = reopened
        .recovered_torn_tail()
        .cloned()
        .expect("torn tail reported");
    assert_eq!(torn.n_bytes, "{\"op\":\"trial\",\"number\":99,\"par".len());
    let mut resumed = Study::resume(make_spec(), reopened, ResumeOptions::default()).unwrap();
    resumed.set_stop_policy(budget(40));
    drive(&mut resumed, 2, 3, None, &mixed_objective);
    assert_eq!(canonical(&resumed), canonical(&uninterrupted.study));
    // The file itself is whole again: every line parses.
    let read = parse_jsonl(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(read.torn_tail, None);
}

#[test]
fn the_journal_survives_a_text_round_trip_bit_for_bit() {
    // Floats written to JSON and read back must be the same f64s, or a resumed TPE would
    // see different observations.
    let r = run(
        spec(space(MIXED_SPACE), tpe_with_median(9, true)),
        budget(30),
        2,
        1,
        &mixed_objective,
    );
    let ops = r.study.backend().ops().to_vec();
    let text = to_jsonl(&ops);
    let read = parse_jsonl(&text).unwrap();
    assert_eq!(read.ops, ops);
    let (journal, torn) = MemoryJournal::from_jsonl(&text).unwrap();
    assert!(torn.is_none());
    assert_eq!(journal.read_all().unwrap().ops, ops);
}

#[test]
fn a_journal_with_an_implausible_trial_number_is_refused_not_allocated() {
    // Guards against a corrupt line making a resume reserve memory for 10^18 slots.
    let r = run(
        spec(space(MIXED_SPACE), tpe_with_median(1, true)),
        budget(3),
        1,
        0,
        &mixed_objective,
    );
    let mut ops = r.study.backend().ops().to_vec();
    if let Some(JournalOp::Trial(t)) = ops.get_mut(1) {
        t.number = 1_000_000_000_000_000_000;
    }
    let journal = MemoryJournal::from_ops(ops);
    let spec = spec(space(MIXED_SPACE), tpe_with_median(1, true));
    match Study::resume(spec, journal, ResumeOptions::default()) {
        Err(genesis_optimizer::OptimizerError::Journal { line, message }) => {
            assert_eq!(line, 2);
            assert!(message.contains("implausible"), "{message}");
        }
        other => panic!("{:?}", other.err()),
    }
}
