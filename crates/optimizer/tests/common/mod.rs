//! Shared helpers: specs, objectives and a simulated worker pool.
#![allow(dead_code)]

use std::collections::BTreeMap;

use genesis_optimizer::driver::fill;
use genesis_optimizer::rng::TrialRng;
use genesis_optimizer::{
    JournalBackend, MemoryJournal, Params, PruneThresholds, SamplerSettings, SearchSpace,
    SignatureInputs, StopPolicy, Study, StudySettings, StudySpec, Timing, TrialOutcome,
    TrialTicket,
};

pub fn space(yaml: &str) -> SearchSpace {
    SearchSpace::from_yaml_str(yaml).expect("test space parses")
}

pub fn spec(space: SearchSpace, settings: StudySettings) -> StudySpec {
    StudySpec {
        name: "test".into(),
        space,
        settings,
        signature_inputs: SignatureInputs {
            base_config: "b".repeat(64),
            dataset: "d".repeat(64),
            engine_version: "0.1.0".into(),
        },
        metadata: serde_json::json!({"base_config": "preset:genesis"}),
    }
}

pub fn settings(seed: u64, sampler: SamplerSettings) -> StudySettings {
    StudySettings {
        sampler,
        ..StudySettings::new(seed)
    }
}

pub fn budget(n: u64) -> StopPolicy {
    StopPolicy {
        max_trials: Some(n),
        ..StopPolicy::default()
    }
}

pub fn number(params: &Params, path: &str) -> f64 {
    params
        .get(path)
        .and_then(|v| v.as_f64())
        .unwrap_or_else(|| panic!("{path} missing or not a number in {params:?}"))
}

pub fn complete(value: f64) -> TrialOutcome {
    TrialOutcome::Complete {
        value,
        values: Vec::new(),
        intermediate: Vec::new(),
        constraint_violations: Vec::new(),
        user_attrs: BTreeMap::new(),
    }
}

/// A four-parameter space with every kind of leaf that matters for determinism.
pub const MIXED_SPACE: &str = "
a: {type: float, low: -5.0, high: 5.0}
b: {type: float, low: 0.0, high: 1.0, step: 0.05}
c: {type: int, low: 1, high: 40}
d: {type: categorical, choices: [x, y, z]}
e: {type: loguniform, low: 0.001, high: 10.0}
pinned: {type: fixed, value: [1, 2]}
";

/// An objective over [`MIXED_SPACE`] that reports intermediate values at steps 1..=4,
/// prunes itself against the ticket's thresholds, fails in one corner and marks another
/// infeasible: every path of the study gets exercised.
pub fn mixed_objective(ticket: &TrialTicket) -> TrialOutcome {
    let p = &ticket.params;
    let a = number(p, "a");
    let b = number(p, "b");
    let c = number(p, "c");
    let e = number(p, "e");
    let d_bonus = match p.get("d").map(|v| v.to_string()).as_deref() {
        Some("y") => 1.0,
        _ => 0.0,
    };
    let value = -(a - 1.3) * (a - 1.3) - 4.0 * (b - 0.35) * (b - 0.35) - (c - 17.0).abs() / 10.0
        + d_bonus
        - libm::log(e).abs() / 5.0;
    if a < -4.5 && b > 0.9 {
        return TrialOutcome::Failed {
            reason: "corner of the space the engine rejects".into(),
        };
    }
    let mut intermediate = Vec::new();
    for step in 1..=4u64 {
        let partial = value - (4 - step) as f64 * 0.5;
        intermediate.push((step, partial));
        if ticket.prune_thresholds.should_prune(step, partial) {
            return TrialOutcome::Pruned { step, intermediate };
        }
    }
    let mut constraint_violations = Vec::new();
    if c > 35.0 {
        constraint_violations.push(format!("c = {c} above 35"));
    }
    let mut user_attrs = BTreeMap::new();
    user_attrs.insert(
        "fingerprint".into(),
        serde_json::json!(format!("{a:.6}-{c}")),
    );
    TrialOutcome::Complete {
        value,
        values: Vec::new(),
        intermediate,
        constraint_violations,
        user_attrs,
    }
}

/// The outcome of a simulated run.
pub struct Run {
    pub study: Study<MemoryJournal>,
    /// The thresholds each evaluated trial was given.
    pub thresholds: BTreeMap<u64, PruneThresholds>,
    pub n_objective_calls: usize,
}

/// Drives `study` with `n_workers` simulated workers that finish in a seeded random order.
/// When `crash_after` is set, the run stops after that many tells, abandoning whatever is
/// still running (as a killed process would).
pub fn drive<B: JournalBackend>(
    study: &mut Study<B>,
    n_workers: usize,
    shuffle_seed: u64,
    crash_after: Option<usize>,
    objective: &dyn Fn(&TrialTicket) -> TrialOutcome,
) -> (BTreeMap<u64, PruneThresholds>, usize) {
    let mut order = TrialRng::new(shuffle_seed, 12345);
    let mut running: Vec<(TrialTicket, u32)> = Vec::new();
    let mut thresholds = BTreeMap::new();
    let mut clock = 1_700_000_000_000i64;
    let mut n_tells = 0;
    let mut free_workers: Vec<u32> = (0..n_workers as u32).rev().collect();
    loop {
        let poll = fill(study, n_workers, clock).expect("fill");
        for ticket in poll.tickets {
            thresholds.insert(ticket.number, ticket.prune_thresholds.clone());
            let worker = free_workers.pop().expect("a free worker for every ticket");
            running.push((ticket, worker));
        }
        if poll.finished.is_some() {
            break;
        }
        if Some(n_tells) == crash_after {
            break;
        }
        assert!(!running.is_empty(), "the study waits with nothing running");
        let i = order.below(running.len() as u64) as usize;
        let (ticket, worker) = running.swap_remove(i);
        free_workers.push(worker);
        let started_ms = clock;
        clock += 1 + order.below(50) as i64;
        let outcome = objective(&ticket);
        study
            .tell(
                ticket.number,
                outcome,
                Some(Timing {
                    started_ms,
                    finished_ms: clock,
                    worker,
                }),
            )
            .expect("tell");
        n_tells += 1;
    }
    (thresholds, n_tells)
}

/// Creates a study in memory and runs it to its stop policy.
pub fn run(
    spec: StudySpec,
    policy: StopPolicy,
    n_workers: usize,
    shuffle_seed: u64,
    objective: &dyn Fn(&TrialTicket) -> TrialOutcome,
) -> Run {
    let mut study = Study::create(spec, MemoryJournal::new()).expect("create");
    study.set_stop_policy(policy);
    let (thresholds, n_objective_calls) =
        drive(&mut study, n_workers, shuffle_seed, None, objective);
    Run {
        study,
        thresholds,
        n_objective_calls,
    }
}

pub fn canonical(study: &Study<impl JournalBackend>) -> String {
    study.log().expect("log").canonical_jsonl()
}
