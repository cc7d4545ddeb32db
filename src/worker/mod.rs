//! The engine worker: runs in a dedicated web worker and does all engine work for the page.
//!
//! It holds no state the page depends on: a worker that crashes is replaced by a fresh one.
//! When a job panics, the panic hook reports `Event::Crashed` for that job and closes the
//! worker, because a WebAssembly instance that trapped mid-call cannot be trusted again.

use std::cell::RefCell;

use gloo_worker::{HandlerId, Worker, WorkerScope};
use wasm_bindgen::JsCast;

use crate::protocol::{answer_hello, Event, FromWorker, Request, ToWorker};

/// The worker's actor; gloo-worker drives it from the worker's message loop.
pub struct EngineWorker {}

struct RunningJob {
    scope: WorkerScope<EngineWorker>,
    handler: HandlerId,
    job_id: u64,
}

thread_local! {
    /// The job being handled, so the panic hook can tell the page which job died.
    static RUNNING: RefCell<Option<RunningJob>> = const { RefCell::new(None) };
}

/// Registers the worker; the whole body of `src/bin/worker.rs`.
pub fn register() {
    use gloo_worker::Registrable;
    std::panic::set_hook(Box::new(report_panic));
    EngineWorker::registrar().register();
}

fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    console_error_panic_hook::hook(info);
    let message = info.to_string();
    let job = RUNNING.with(|running| running.try_borrow_mut().ok().and_then(|mut r| r.take()));
    if let Some(job) = job {
        job.scope.respond(
            job.handler,
            FromWorker {
                job_id: job.job_id,
                event: Event::Crashed(message),
            },
        );
    }
    let global: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    global.close();
}

impl Worker for EngineWorker {
    type Message = ();
    type Input = ToWorker;
    type Output = FromWorker;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        EngineWorker {}
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, handler: HandlerId) {
        let job_id = msg.job_id;
        RUNNING.with(|running| {
            *running.borrow_mut() = Some(RunningJob {
                scope: scope.clone(),
                handler,
                job_id,
            })
        });
        let event = self.handle(msg.request);
        RUNNING.with(|running| running.borrow_mut().take());
        scope.respond(handler, FromWorker { job_id, event });
    }
}

impl EngineWorker {
    fn handle(&mut self, request: Request) -> Event {
        match request {
            Request::Hello { protocol } => answer_hello(protocol),
            Request::Crash => panic!("crash requested by the page (test hook)"),
        }
    }
}
