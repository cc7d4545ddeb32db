//! The messages between the page and its engine workers.
//!
//! Every request carries a job id chosen by the pool; a worker answers with zero or more
//! progress events and then exactly one final event for that job. The protocol is versioned:
//! a page and a worker built from different versions (say, a stale cached worker script) refuse
//! each other in the hello instead of misreading each other's messages.

use serde::{Deserialize, Serialize};

/// Bumped whenever a message's shape changes.
pub const PROTOCOL_VERSION: u32 = 1;

/// A job sent to a worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToWorker {
    pub job_id: u64,
    pub request: Request,
}

/// An event a worker sends back about a job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FromWorker {
    pub job_id: u64,
    pub event: Event,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// The first message to every worker: the page's protocol version.
    Hello { protocol: u32 },
    /// Test hook: the worker panics while handling it, as a bug in a trial would. The pool must
    /// notice, fail the job with the panic's message, and replace the worker.
    Crash,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// Interim progress of a long job.
    Progress(Progress),
    /// The answer to [`Request::Hello`].
    Hello(WorkerHello),
    /// The job failed with a message for the user; the worker is still healthy.
    Failed(String),
    /// The worker panicked while running the job; it closes itself after sending this.
    Crashed(String),
}

impl Event {
    /// Whether this event ends its job.
    pub fn is_final(&self) -> bool {
        !matches!(self, Event::Progress(_))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerHello {
    pub protocol: u32,
    pub engine_version: String,
}

/// How far a long job has come, in the job's own units (bytes parsed, trials done...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    pub stage: String,
}

/// What a worker answers to a hello: its own version, or why it refuses the page's.
pub fn answer_hello(page_protocol: u32) -> Event {
    if page_protocol == PROTOCOL_VERSION {
        Event::Hello(WorkerHello {
            protocol: PROTOCOL_VERSION,
            engine_version: genesis_engine::ENGINE_VERSION.to_string(),
        })
    } else {
        Event::Failed(format!(
            "protocol mismatch: the page speaks version {page_protocol}, this worker version \
             {PROTOCOL_VERSION}; reload the page to load matching files"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_reports_the_engine_version_and_refuses_other_protocols() {
        match answer_hello(PROTOCOL_VERSION) {
            Event::Hello(hello) => {
                assert_eq!(hello.protocol, PROTOCOL_VERSION);
                assert_eq!(hello.engine_version, genesis_engine::ENGINE_VERSION);
            }
            other => panic!("expected a hello, got {other:?}"),
        }
        match answer_hello(PROTOCOL_VERSION + 1) {
            Event::Failed(message) => assert!(message.contains("protocol mismatch"), "{message}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn only_progress_leaves_a_job_open() {
        let progress = Event::Progress(Progress {
            done: 1,
            total: 2,
            stage: "parse".into(),
        });
        assert!(!progress.is_final());
        assert!(Event::Failed("x".into()).is_final());
        assert!(Event::Crashed("x".into()).is_final());
    }
}
