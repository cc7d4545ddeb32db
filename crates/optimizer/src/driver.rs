//! The common driving loop, without a transport: ask for as many trials as there are free
//! workers, hand them out, tell the outcomes as they come back. The CLI runs it over
//! threads, the browser over web workers; both only move [`TrialTicket`]s and outcomes,
//! which are plain serialisable data.
//!
//! ```text
//! loop {
//!     let poll = fill(&mut study, n_workers, now_ms)?;
//!     for ticket in poll.tickets { send to a free worker }
//!     if let Some(reason) = poll.finished { break }
//!     wait for one result; study.tell(number, outcome, Some(timing))?;
//! }
//! ```

use crate::error::{OptimizerError, Result};
use crate::journal::JournalBackend;
use crate::settings::StopReason;
use crate::study::{AskOutcome, Study};
use crate::trial::{Timing, TrialOutcome, TrialTicket};

/// What [`fill`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct Poll {
    /// Trials to hand to free workers.
    pub tickets: Vec<TrialTicket>,
    /// Set once the study has stopped and nothing is running: the loop is over.
    pub finished: Option<StopReason>,
}

/// Asks for trials until `n_workers` are running, the sync window makes the next trial
/// wait, or the study stops.
pub fn fill<B: JournalBackend>(
    study: &mut Study<B>,
    n_workers: usize,
    now_ms: i64,
) -> Result<Poll> {
    let mut tickets = Vec::new();
    while study.n_running() < n_workers.max(1) {
        match study.ask(now_ms)? {
            AskOutcome::Trial(ticket) => tickets.push(ticket),
            AskOutcome::Wait | AskOutcome::Done(_) => break,
        }
    }
    let finished = if study.is_finished() {
        study.stop_reason().cloned()
    } else {
        None
    };
    Ok(Poll { tickets, finished })
}

/// Runs a study on the calling thread, one trial at a time, until it stops. `clock` gives
/// the time in ms for the stop policy and the trials' timing (worker 0).
pub fn run_serial<B, F, C>(
    study: &mut Study<B>,
    mut objective: F,
    mut clock: C,
) -> Result<StopReason>
where
    B: JournalBackend,
    F: FnMut(&TrialTicket) -> TrialOutcome,
    C: FnMut() -> i64,
{
    loop {
        let now_ms = clock();
        match study.ask(now_ms)? {
            AskOutcome::Trial(ticket) => {
                let outcome = objective(&ticket);
                let timing = Timing {
                    started_ms: now_ms,
                    finished_ms: clock(),
                    worker: 0,
                };
                study.tell(ticket.number, outcome, Some(timing))?;
            }
            AskOutcome::Done(reason) => return Ok(reason),
            AskOutcome::Wait => {
                // With one trial at a time nothing is running when we ask, and the window
                // only waits on running trials.
                return Err(OptimizerError::InvalidSetting {
                    field: "driver".into(),
                    message: "the study waits although no trial is running".into(),
                });
            }
        }
    }
}
