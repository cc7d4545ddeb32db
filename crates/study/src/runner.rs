//! The native parallel runner: `n` worker threads, one coordinator.
//!
//! Each worker owns its [`FeatureStore`](genesis_engine::features::FeatureStore) over the shared, immutable candles; stores are
//! never shared (the seeds' parallel trials collided in a shared cache and returned each
//! other's results). The coordinator is the calling thread: it asks the study for trials
//! with [`driver::fill`](genesis_optimizer::driver::fill), hands each to a free worker over its own channel, and tells the
//! outcomes as they come back, so the journal grows as trials finish. Which worker runs
//! which trial, and in what order they finish, never changes the study (the optimizer's
//! sync window sees to that): 1 and 8 threads give the same canonical journal.
//!
//! The caller supplies the clock (`now_ms`), a cancel flag (set it from a Ctrl-C handler)
//! and a progress callback; the stop policy (trials, timeout, end time) is the study's.
//! Cancelling lets running trials finish and tells them.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use genesis_engine::data::Candles;
use genesis_engine::features::FeatureStore;
use genesis_optimizer::driver;
use genesis_optimizer::{
    JournalBackend, StopReason, Study, Timing, TrialOutcome, TrialState, TrialTicket,
};
use serde::Serialize;

use crate::error::{Result, StudyError};
use crate::objective::Evaluate;

/// How often the coordinator looks at the cancel flag while every worker is busy.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Where a study stands, after each finished trial.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Progress {
    /// Finished trials, duplicates included.
    pub n_finished: usize,
    /// Finished trials that ran (not duplicates).
    pub n_evaluated: u64,
    pub n_duplicates: usize,
    pub n_running: usize,
    /// The study's budget of evaluated trials, if it has one.
    pub max_trials: Option<u64>,
    /// The best feasible trial so far: number and value.
    pub best: Option<(u64, f64)>,
    /// The trial that just finished: number, state, value.
    pub last: (u64, TrialState, Option<f64>),
}

struct Done {
    number: u64,
    outcome: TrialOutcome,
    timing: Timing,
}

/// Runs `study` to its stop policy with `n_jobs` worker threads (see the module docs).
pub fn run_parallel<B, E, C, P>(
    study: &mut Study<B>,
    evaluator: &E,
    candles: &Arc<Candles>,
    n_jobs: usize,
    now_ms: &C,
    cancel: &AtomicBool,
    mut progress: P,
) -> Result<StopReason>
where
    B: JournalBackend,
    E: Evaluate,
    C: Fn() -> i64 + Sync,
    P: FnMut(&Progress),
{
    let n_jobs = n_jobs.max(1);
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    std::thread::scope(|scope| {
        let mut senders = Vec::with_capacity(n_jobs);
        for worker in 0..n_jobs {
            let (tx, rx) = mpsc::channel::<TrialTicket>();
            senders.push(tx);
            let done_tx = done_tx.clone();
            let candles = Arc::clone(candles);
            scope.spawn(move || {
                let mut store = FeatureStore::new(candles);
                while let Ok(ticket) = rx.recv() {
                    let started_ms = now_ms();
                    let outcome =
                        catch_unwind(AssertUnwindSafe(|| evaluator.evaluate(&mut store, &ticket)))
                            .unwrap_or_else(|_| TrialOutcome::Failed {
                                reason: "internal error: the objective panicked (a bug)".into(),
                            });
                    let timing = Timing {
                        started_ms,
                        finished_ms: now_ms(),
                        worker: worker as u32,
                    };
                    let sent = done_tx.send(Done {
                        number: ticket.number,
                        outcome,
                        timing,
                    });
                    if sent.is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let result = coordinate(study, &senders, &done_rx, now_ms, cancel, &mut progress);
        // Closing the channels ends the workers; the scope joins them.
        drop(senders);
        result
    })
}

fn coordinate<B, C, P>(
    study: &mut Study<B>,
    senders: &[mpsc::Sender<TrialTicket>],
    done_rx: &mpsc::Receiver<Done>,
    now_ms: &C,
    cancel: &AtomicBool,
    progress: &mut P,
) -> Result<StopReason>
where
    B: JournalBackend,
    C: Fn() -> i64 + Sync,
    P: FnMut(&Progress),
{
    let mut free: Vec<usize> = (0..senders.len()).rev().collect();
    loop {
        if cancel.load(Ordering::SeqCst) {
            study.cancel();
        }
        let poll = driver::fill(study, senders.len(), now_ms())?;
        for ticket in poll.tickets {
            let worker = free
                .pop()
                .ok_or_else(|| internal("a ticket with no free worker"))?;
            senders[worker]
                .send(ticket)
                .map_err(|_| internal("a worker thread ended early"))?;
        }
        if let Some(reason) = poll.finished {
            return Ok(reason);
        }
        if study.n_running() == 0 {
            return Err(internal("the study waits although no trial is running"));
        }
        let done = match done_rx.recv_timeout(POLL_INTERVAL) {
            Ok(done) => done,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(internal("every worker thread ended"))
            }
        };
        free.push(done.timing.worker as usize);
        study.tell(done.number, done.outcome, Some(done.timing))?;
        progress(&snapshot(study, done.number));
    }
}

fn internal(message: &str) -> StudyError {
    StudyError::Internal {
        message: format!("runner: {message}"),
    }
}

/// The study's progress after trial `last` finished.
pub fn snapshot<B: JournalBackend>(study: &Study<B>, last: u64) -> Progress {
    let mut progress = Progress {
        n_finished: 0,
        n_evaluated: 0,
        n_duplicates: 0,
        n_running: study.n_running(),
        max_trials: study.stop_policy().max_trials,
        best: None,
        last: (last, TrialState::Failed, None),
    };
    for record in study.trials() {
        progress.n_finished += 1;
        if record.duplicate_of.is_some() {
            progress.n_duplicates += 1;
        } else {
            progress.n_evaluated += 1;
        }
        if record.number == last {
            progress.last = (last, record.state, record.value);
        }
        if let (true, Some(value)) = (record.is_feasible(), record.value) {
            if progress.best.is_none_or(|(_, best)| value > best) {
                progress.best = Some((record.number, value));
            }
        }
    }
    progress
}
