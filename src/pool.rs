//! The pool of engine workers, on the page's main thread.
//!
//! Jobs queue until a worker is free; each worker runs one job at a time. A worker's events
//! are routed back to the job that is waiting for them. A worker that panics fails its job with
//! the panic's message and is replaced by a fresh worker, so the jobs behind it go on.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::{Rc, Weak};

use futures::channel::mpsc;
use futures::StreamExt;
use gloo_worker::{Spawnable, WorkerBridge};

use crate::protocol::{Event, FromWorker, Progress, Request, ToWorker, WorkerHello, PROTOCOL_VERSION};
use crate::worker::EngineWorker;

/// Where Trunk puts the worker's loader shim, relative to the page, so the site works under
/// any sub-path.
const WORKER_LOADER_URL: &str = "./worker_loader.js";

/// Why a job did not produce its answer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PoolError {
    #[error("{0}")]
    Failed(String),
    #[error("the worker crashed: {0}")]
    WorkerCrashed(String),
    #[error("the worker pool was shut down before the job finished")]
    Closed,
}

/// The default pool size: hardware threads minus one for the page, at least one.
pub fn default_size() -> usize {
    let threads = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(2.0);
    (threads as usize).saturating_sub(1).max(1)
}

/// A cloneable handle to the pool.
#[derive(Clone)]
pub struct Pool {
    state: Rc<RefCell<PoolState>>,
}

struct PoolState {
    slots: Vec<Slot>,
    queue: VecDeque<Queued>,
    jobs: BTreeMap<u64, mpsc::UnboundedSender<Event>>,
    next_job_id: u64,
    n_replaced: u32,
}

struct Slot {
    bridge: WorkerBridge<EngineWorker>,
    running_job: Option<u64>,
}

struct Queued {
    job_id: u64,
    request: Request,
    /// Some jobs (a hello) are meant for one particular worker.
    slot: Option<usize>,
}

impl Pool {
    /// Spawns `size` workers (at least one).
    pub fn new(size: usize) -> Pool {
        let state = Rc::new(RefCell::new(PoolState {
            slots: Vec::new(),
            queue: VecDeque::new(),
            jobs: BTreeMap::new(),
            next_job_id: 1,
            n_replaced: 0,
        }));
        let pool = Pool { state };
        pool.resize(size);
        pool
    }

    pub fn size(&self) -> usize {
        self.state.borrow().slots.len()
    }

    /// How many workers were replaced after a crash since the pool started.
    pub fn n_replaced(&self) -> u32 {
        self.state.borrow().n_replaced
    }

    /// Grows or shrinks the pool. Shrinking only removes idle workers at the end; busy ones
    /// finish their job first and are removed by a later call.
    pub fn resize(&self, size: usize) {
        let size = size.max(1);
        let mut state = self.state.borrow_mut();
        while state.slots.len() < size {
            let slot_idx = state.slots.len();
            let bridge = spawn_worker(Rc::downgrade(&self.state), slot_idx);
            state.slots.push(Slot {
                bridge,
                running_job: None,
            });
        }
        while state.slots.len() > size
            && state.slots.last().is_some_and(|s| s.running_job.is_none())
        {
            state.slots.pop();
        }
    }

    /// Runs a job on the first free worker and returns its final event; progress events go to
    /// `on_progress` as they arrive.
    pub async fn run(
        &self,
        request: Request,
        on_progress: impl FnMut(Progress),
    ) -> Result<Event, PoolError> {
        self.run_on(None, request, on_progress).await
    }

    /// Says hello to every worker and returns their answers, in worker order.
    pub async fn hello_all(&self) -> Vec<Result<WorkerHello, PoolError>> {
        let mut answers = Vec::new();
        for slot_idx in 0..self.size() {
            let request = Request::Hello {
                protocol: PROTOCOL_VERSION,
            };
            let answer = match self.run_on(Some(slot_idx), request, |_| {}).await {
                Ok(Event::Hello(hello)) => Ok(hello),
                Ok(other) => Err(PoolError::Failed(format!("unexpected answer {other:?}"))),
                Err(err) => Err(err),
            };
            answers.push(answer);
        }
        answers
    }

    async fn run_on(
        &self,
        slot: Option<usize>,
        request: Request,
        mut on_progress: impl FnMut(Progress),
    ) -> Result<Event, PoolError> {
        let (sender, mut events) = mpsc::unbounded();
        {
            let mut state = self.state.borrow_mut();
            let job_id = state.next_job_id;
            state.next_job_id += 1;
            state.jobs.insert(job_id, sender);
            state.queue.push_back(Queued {
                job_id,
                request,
                slot,
            });
            state.dispatch();
        }
        while let Some(event) = events.next().await {
            match event {
                Event::Progress(progress) => on_progress(progress),
                Event::Failed(message) => return Err(PoolError::Failed(message)),
                Event::Crashed(message) => return Err(PoolError::WorkerCrashed(message)),
                answer => return Ok(answer),
            }
        }
        Err(PoolError::Closed)
    }
}

impl PoolState {
    /// Sends queued jobs to free workers, oldest first.
    fn dispatch(&mut self) {
        let mut still_queued = VecDeque::new();
        while let Some(job) = self.queue.pop_front() {
            let free_slot = match job.slot {
                Some(idx) => self
                    .slots
                    .get(idx)
                    .filter(|s| s.running_job.is_none())
                    .map(|_| idx),
                None => self.slots.iter().position(|s| s.running_job.is_none()),
            };
            match free_slot {
                Some(idx) => {
                    let slot = &mut self.slots[idx];
                    slot.running_job = Some(job.job_id);
                    slot.bridge.send(ToWorker {
                        job_id: job.job_id,
                        request: job.request,
                    });
                }
                None => still_queued.push_back(job),
            }
        }
        self.queue = still_queued;
    }

    fn on_event(&mut self, slot_idx: usize, message: FromWorker, pool: Weak<RefCell<PoolState>>) {
        let is_final = message.event.is_final();
        let is_crash = matches!(message.event, Event::Crashed(_));
        if let Some(sender) = self.jobs.get(&message.job_id) {
            // The receiver may be gone if the page stopped waiting; that is not an error.
            let _ = sender.unbounded_send(message.event);
        }
        if is_final {
            self.jobs.remove(&message.job_id);
            if let Some(slot) = self.slots.get_mut(slot_idx) {
                if slot.running_job == Some(message.job_id) {
                    slot.running_job = None;
                }
            }
        }
        if is_crash && slot_idx < self.slots.len() {
            self.slots[slot_idx].bridge = spawn_worker(pool, slot_idx);
            self.n_replaced += 1;
        }
        self.dispatch();
    }
}

fn spawn_worker(pool: Weak<RefCell<PoolState>>, slot_idx: usize) -> WorkerBridge<EngineWorker> {
    let on_output = {
        let pool = pool.clone();
        move |message: FromWorker| {
            if let Some(state) = pool.upgrade() {
                state
                    .borrow_mut()
                    .on_event(slot_idx, message, Rc::downgrade(&state));
            }
        }
    };
    EngineWorker::spawner()
        .callback(on_output)
        .with_loader(true)
        .as_module(false)
        .spawn(WORKER_LOADER_URL)
}
