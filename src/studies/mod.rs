//! Studies in the browser: the coordinator that drives a study over the worker pool, the
//! records in IndexedDB, and the state the Optimize and Studies pages show.

pub mod champions;
pub mod records;
pub mod runner;
pub mod walkforward;

use std::rc::Rc;

use genesis_optimizer::TrialRecord;
use genesis_study::StudyPlan;
use leptos::prelude::*;

use crate::context::AppContext;
use crate::error::AppError;
use records::StudyRow;
use runner::LiveProgress;

/// A study opened on the Optimize page: its listing, plan and finished trials.
#[derive(Clone)]
pub struct OpenStudy {
    pub row: StudyRow,
    pub plan: Rc<StudyPlan>,
    pub records: Rc<Vec<TrialRecord>>,
}

/// Everything the pages know about studies.
#[derive(Clone, Copy)]
pub struct StudyState {
    pub list: RwSignal<Vec<StudyRow>>,
    pub open: RwSignal<Option<OpenStudy>, LocalStorage>,
    pub live: RwSignal<LiveProgress>,
    /// The id of the study being driven, if any (one at a time).
    pub running: RwSignal<Option<String>>,
    cancel_requested: StoredValue<bool>,
    /// Test hook: the next trial sent to a worker makes it panic.
    crash_next_trial: StoredValue<bool>,
}

impl StudyState {
    pub fn new() -> StudyState {
        StudyState {
            list: RwSignal::new(Vec::new()),
            open: RwSignal::new_local(None),
            live: RwSignal::new(LiveProgress::default()),
            running: RwSignal::new(None),
            cancel_requested: StoredValue::new(false),
            crash_next_trial: StoredValue::new(false),
        }
    }

    /// Stops asking for trials; the running ones finish and are recorded.
    pub fn cancel(&self) {
        self.cancel_requested.set_value(true);
        self.live
            .update(|live| live.stage = "cancelling: finishing the running trials".into());
    }

    pub fn is_cancel_requested(&self) -> bool {
        self.cancel_requested.get_value()
    }

    pub fn request_crash(&self) {
        self.crash_next_trial.set_value(true);
    }

    fn take_crash_request(&self) -> bool {
        let requested = self.crash_next_trial.get_value();
        self.crash_next_trial.set_value(false);
        requested
    }

    fn set_running(&self, id: Option<String>) {
        self.cancel_requested.set_value(false);
        self.running.set(id);
    }

    /// Shows `study` on the Optimize page.
    pub fn publish(&self, study: OpenStudy) {
        self.open.set(Some(study));
    }
}

impl Default for StudyState {
    fn default() -> Self {
        StudyState::new()
    }
}

/// Resumes a stored study up to `n_target` trials in the background, on the pool's workers
/// (at least the default count); a refused resume (signature mismatch) goes to the banner
/// with the parts that differ. `allow_mismatch` is the explicit override.
pub fn spawn_resume(ctx: AppContext, id: String, n_target: u64, allow_mismatch: bool) {
    let state = ctx.studies;
    leptos::task::spawn_local(async move {
        let n_workers = ctx.pool().size().max(crate::workers::pool::default_size());
        if let Err(message) =
            runner::resume(ctx, state, &id, n_target, n_workers, allow_mismatch).await
        {
            state.live.update(|l| {
                l.is_running = false;
                l.stage = format!("stopped: {message}");
            });
            ctx.errors.raise("study", message);
        }
    });
}

/// Reloads the list of studies; corrupt records go to the banner. A study that was running
/// when the page went away has a stale summary (it is written at most once a second), so
/// its counts are recomputed from its trial records, which are the truth.
pub async fn refresh_list(ctx: AppContext, state: StudyState) {
    let Some(db) = ctx.db.get_untracked() else {
        return;
    };
    match records::list(&db).await {
        Ok(rows) => {
            let mut list = Vec::new();
            for row in rows {
                match row {
                    Ok(row) => list.push(recount_if_interrupted(&db, state, row).await),
                    Err(err) => ctx.errors.raise("storage", err.to_string()),
                }
            }
            state.list.set(list);
        }
        Err(err) => ctx.errors.raise("storage", err.to_string()),
    }
}

async fn recount_if_interrupted(
    db: &crate::storage::db::Db,
    state: StudyState,
    mut row: StudyRow,
) -> StudyRow {
    let is_interrupted = row.status == records::StudyStatus::Running
        && state.running.get_untracked().as_deref() != Some(row.id.as_str());
    if !is_interrupted {
        return row;
    }
    if let Ok((trials, _)) = records::load_trials(db, &row.id).await {
        let (n_finished, best) = runner::summarize(trials.iter());
        if n_finished != row.n_finished || best.map(|b| b.0) != row.best_number {
            row.n_finished = n_finished;
            row.best_number = best.map(|b| b.0);
            row.best_value = best.map(|b| b.1);
            // A failed write only means the next listing recounts again.
            let _ = records::save_study(db, &row).await;
        }
    }
    row
}

/// Opens a stored study on the Optimize page.
pub async fn refresh_open(ctx: AppContext, state: StudyState, id: &str) {
    match load_open(ctx, id).await {
        Ok(study) => state.publish(study),
        Err(error) => ctx.errors.raise("storage", error.to_string()),
    }
}

pub async fn load_open(ctx: AppContext, id: &str) -> Result<OpenStudy, AppError> {
    let db = ctx.open_db()?;
    let row = records::load_row(&db, id)
        .await?
        .ok_or_else(|| AppError::Missing {
            what: format!("study {id}"),
        })?;
    let (records, n_corrupt) = records::load_trials(&db, id).await?;
    if n_corrupt > 0 {
        ctx.errors.raise(
            "storage",
            format!(
                "{n_corrupt} corrupt trial record(s) of study {} were skipped",
                row.name
            ),
        );
    }
    let plan = StudyPlan::from_header(&row.header)?;
    Ok(OpenStudy {
        row,
        plan: Rc::new(plan),
        records: Rc::new(records),
    })
}
