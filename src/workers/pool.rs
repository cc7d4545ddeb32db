//! The pool of engine workers, on the page's main thread.
//!
//! Jobs queue until a worker is free; each worker runs one job at a time. A worker's events
//! are routed back to the job that is waiting for them. A worker that panics fails its job with
//! the panic's message and is replaced by a fresh worker, so the jobs behind it go on.
//!
//! A job can be cancelled. A queued one is simply dropped. A running one cannot be
//! interrupted (a worker busy in a synchronous loop reads no message, and shared memory would
//! need cross-origin isolation, which a static host cannot promise), so its worker is
//! replaced by a fresh one at once and told to close, which it does when the job ends; its
//! answer is ignored.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::{Rc, Weak};

use futures::channel::mpsc;
use futures::StreamExt;
use gloo_worker::{Spawnable, WorkerBridge};

use crate::workers::engine::EngineWorker;
use crate::workers::job_error::JobError;
use crate::workers::protocol::{
    DatasetId, Event, FromWorker, Progress, Request, ToWorker, WorkerHello, PROTOCOL_VERSION,
};

/// Where Trunk puts the worker's loader shim, relative to the page, so the site works under
/// any sub-path.
const WORKER_LOADER_URL: &str = "./worker_loader.js";

/// Why a job did not produce its answer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PoolError {
    #[error("{0}")]
    Failed(JobError),
    #[error("the worker crashed: {0}")]
    WorkerCrashed(String),
    #[error("the worker pool was shut down before the job finished")]
    Closed,
    #[error("cancelled")]
    Cancelled,
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
    /// Dataset columns (colfile bytes) the page has opened, to load into workers on demand.
    datasets: BTreeMap<DatasetId, Rc<Vec<u8>>>,
    /// Jobs cancelled whose callers have not yet seen it.
    cancelled: BTreeSet<u64>,
}

struct Slot {
    bridge: WorkerBridge<EngineWorker>,
    running: Option<Running>,
    /// Datasets this worker was sent (it may have evicted some since; it says so).
    loaded: BTreeSet<DatasetId>,
}

/// The job a worker is running. A job that needs a dataset keeps its request, to send it
/// again after loading the dataset if the worker no longer holds it.
struct Running {
    job_id: u64,
    retry: Option<Request>,
    is_reloaded: bool,
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
            datasets: BTreeMap::new(),
            cancelled: BTreeSet::new(),
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
                running: None,
                loaded: BTreeSet::new(),
            });
        }
        while state.slots.len() > size && state.slots.last().is_some_and(|s| s.running.is_none()) {
            state.slots.pop();
        }
    }

    /// Makes a dataset's columns available for jobs that need it; workers get them once, on
    /// their first such job.
    pub fn provide_dataset(&self, id: DatasetId, columns: Rc<Vec<u8>>) {
        self.state.borrow_mut().datasets.insert(id, columns);
    }

    /// Whether the page has given the pool this dataset's columns.
    pub fn has_dataset(&self, id: &str) -> bool {
        self.state.borrow().datasets.contains_key(id)
    }

    /// Forgets a dataset (deleted by the user).
    pub fn forget_dataset(&self, id: &str) {
        let mut state = self.state.borrow_mut();
        state.datasets.remove(id);
        for slot in &mut state.slots {
            slot.loaded.remove(id);
        }
    }

    /// Runs a job on the first free worker and returns its final event; progress events go to
    /// `on_progress` as they arrive.
    pub async fn run(
        &self,
        request: Request,
        on_progress: impl FnMut(Progress),
    ) -> Result<Event, PoolError> {
        self.run_on(None, request, |_| {}, on_progress).await
    }

    /// Like `run`, and tells `on_queued` the job's id, for `cancel`.
    pub async fn run_cancellable(
        &self,
        request: Request,
        on_queued: impl FnOnce(u64),
        on_progress: impl FnMut(Progress),
    ) -> Result<Event, PoolError> {
        self.run_on(None, request, on_queued, on_progress).await
    }

    /// Cancels a job: its caller gets `PoolError::Cancelled`. A job that already finished is
    /// left alone.
    pub fn cancel(&self, job_id: u64) {
        let pool = Rc::downgrade(&self.state);
        self.state.borrow_mut().cancel(job_id, pool);
    }

    /// Says hello to every worker and returns their answers, in worker order.
    pub async fn hello_all(&self) -> Vec<Result<WorkerHello, PoolError>> {
        let mut answers = Vec::new();
        for slot_idx in 0..self.size() {
            let request = Request::Hello {
                protocol: PROTOCOL_VERSION,
            };
            let answer = match self.run_on(Some(slot_idx), request, |_| {}, |_| {}).await {
                Ok(Event::Hello(hello)) => Ok(hello),
                Ok(other) => Err(PoolError::Failed(JobError::Other(format!(
                    "unexpected answer {other:?}"
                )))),
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
        on_queued: impl FnOnce(u64),
        mut on_progress: impl FnMut(Progress),
    ) -> Result<Event, PoolError> {
        let (sender, mut events) = mpsc::unbounded();
        let job_id = {
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
            job_id
        };
        on_queued(job_id);
        while let Some(event) = events.next().await {
            match event {
                Event::Progress(progress) => on_progress(progress),
                Event::Failed(error) => return Err(PoolError::Failed(error)),
                Event::Crashed(message) => return Err(PoolError::WorkerCrashed(message)),
                answer => return Ok(answer),
            }
        }
        if self.state.borrow_mut().cancelled.remove(&job_id) {
            Err(PoolError::Cancelled)
        } else {
            Err(PoolError::Closed)
        }
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
                    .filter(|s| s.running.is_none())
                    .map(|_| idx),
                None => self.slots.iter().position(|s| s.running.is_none()),
            };
            match free_slot {
                Some(idx) => self.start(idx, job.job_id, job.request, false),
                None => still_queued.push_back(job),
            }
        }
        self.queue = still_queued;
    }

    /// Sends a job to a worker, preceded by the dataset it needs if the worker lacks it.
    fn start(&mut self, slot_idx: usize, job_id: u64, request: Request, is_reloaded: bool) {
        let needed = request.dataset().cloned();
        if let Some(id) = &needed {
            if !self.slots[slot_idx].loaded.contains(id) {
                let Some(columns) = self.datasets.get(id) else {
                    self.finish_job(
                        job_id,
                        Event::failed(format!("dataset {id} is not open in this page")),
                    );
                    return;
                };
                let load = Request::LoadDataset {
                    id: id.clone(),
                    columns: columns.as_ref().clone(),
                };
                self.slots[slot_idx].bridge.send(ToWorker {
                    job_id,
                    request: load,
                });
                self.slots[slot_idx].loaded.insert(id.clone());
            }
        }
        let slot = &mut self.slots[slot_idx];
        slot.running = Some(Running {
            job_id,
            retry: needed.map(|_| request.clone()),
            is_reloaded,
        });
        slot.bridge.send(ToWorker { job_id, request });
    }

    fn cancel(&mut self, job_id: u64, pool: Weak<RefCell<PoolState>>) {
        // Dropping the job's sender ends its caller's wait.
        if self.jobs.remove(&job_id).is_none() {
            return;
        }
        self.cancelled.insert(job_id);
        self.queue.retain(|job| job.job_id != job_id);
        let running = self
            .slots
            .iter()
            .position(|s| s.running.as_ref().is_some_and(|r| r.job_id == job_id));
        if let Some(slot_idx) = running {
            let slot = &mut self.slots[slot_idx];
            // Dropping the old bridge asks the old worker to close once its job ends.
            slot.bridge = spawn_worker(pool, slot_idx);
            slot.loaded.clear();
            slot.running = None;
        }
        self.dispatch();
    }

    fn finish_job(&mut self, job_id: u64, event: Event) {
        if let Some(sender) = self.jobs.remove(&job_id) {
            // The receiver may be gone if the page stopped waiting; that is not an error.
            let _ = sender.unbounded_send(event);
        }
    }

    fn on_event(&mut self, slot_idx: usize, message: FromWorker, pool: Weak<RefCell<PoolState>>) {
        let FromWorker { job_id, event } = message;
        let Some(slot) = self.slots.get_mut(slot_idx) else {
            return;
        };
        let is_current = slot.running.as_ref().is_some_and(|r| r.job_id == job_id);
        match event {
            // The answer to a dataset load the pool slipped in before the job: not the job's.
            Event::Loaded { .. } if is_current => return,
            Event::NeedDataset(id) if is_current => {
                slot.loaded.remove(&id);
                let running = slot.running.take();
                match running {
                    Some(Running {
                        retry: Some(request),
                        is_reloaded: false,
                        ..
                    }) => self.start(slot_idx, job_id, request, true),
                    _ => {
                        self.finish_job(
                            job_id,
                            Event::failed(format!("the worker could not load dataset {id}")),
                        );
                        self.dispatch();
                    }
                }
                return;
            }
            _ => {}
        }
        let is_final = event.is_final();
        let is_crash = matches!(event, Event::Crashed(_));
        if is_final {
            self.finish_job(job_id, event);
            if is_current {
                self.slots[slot_idx].running = None;
            }
        } else if let Some(sender) = self.jobs.get(&job_id) {
            let _ = sender.unbounded_send(event);
        }
        // A crash reported by a worker already replaced (after a cancel) is not this slot's.
        if is_crash && is_current {
            let slot = &mut self.slots[slot_idx];
            slot.bridge = spawn_worker(pool, slot_idx);
            slot.loaded.clear();
            slot.running = None;
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
        .encoding::<crate::workers::codec::JsCodec>()
        .with_loader(true)
        .as_module(false)
        .spawn(WORKER_LOADER_URL)
}
