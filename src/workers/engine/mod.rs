//! The engine worker: runs in a dedicated web worker and does all engine work for the page.
//!
//! It holds datasets the pool has loaded (with their feature stores, so trials on one worker
//! share precomputed features), bounded in memory. Nothing the page depends on lives only
//! here: a worker that crashes is replaced by a fresh one and the pool reloads what it needs.
//! When a job panics, the panic hook reports `Event::Crashed` for that job and closes the
//! worker, because a WebAssembly instance that trapped mid-call cannot be trusted again.

mod bench;
mod datasets;
mod jobs;
mod studies;

use std::cell::RefCell;

use gloo_worker::{HandlerId, Worker, WorkerScope};
use wasm_bindgen::JsCast;

use crate::workers::protocol::{Event, FromWorker, Progress, ToWorker};
use datasets::Datasets;

/// The worker's actor; gloo-worker drives it from the worker's message loop.
pub struct EngineWorker {
    datasets: Datasets,
}

/// Sends events about one job back to the page.
#[derive(Clone)]
pub struct Reporter {
    scope: WorkerScope<EngineWorker>,
    handler: HandlerId,
    job_id: u64,
}

impl Reporter {
    pub fn progress(&self, stage: &str, done: u64, total: u64) {
        self.send(Event::Progress(Progress {
            done,
            total,
            stage: stage.to_string(),
        }));
    }

    fn send(&self, event: Event) {
        self.scope.respond(
            self.handler,
            FromWorker {
                job_id: self.job_id,
                event,
            },
        );
    }
}

thread_local! {
    /// The job being handled, so the panic hook can tell the page which job died.
    static RUNNING: RefCell<Option<Reporter>> = const { RefCell::new(None) };
}

/// Registers the worker; the whole body of `src/bin/worker.rs`.
pub fn register() {
    use gloo_worker::Registrable;
    std::panic::set_hook(Box::new(report_panic));
    EngineWorker::registrar()
        .encoding::<crate::workers::codec::JsCodec>()
        .register();
}

fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    console_error_panic_hook::hook(info);
    let job = RUNNING.with(|running| running.try_borrow_mut().ok().and_then(|mut r| r.take()));
    if let Some(job) = job {
        job.send(Event::Crashed(info.to_string()));
    }
    let global: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    global.close();
}

impl Worker for EngineWorker {
    type Message = ();
    type Input = ToWorker;
    type Output = FromWorker;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        EngineWorker {
            datasets: Datasets::default(),
        }
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, handler: HandlerId) {
        let reporter = Reporter {
            scope: scope.clone(),
            handler,
            job_id: msg.job_id,
        };
        RUNNING.with(|running| *running.borrow_mut() = Some(reporter.clone()));
        let event = jobs::handle(self, msg.request, &reporter);
        RUNNING.with(|running| running.borrow_mut().take());
        reporter.send(event);
    }
}
