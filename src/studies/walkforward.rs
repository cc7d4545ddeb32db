//! Walk-forward runs in the page. The header (folds, the study set-up, the base config, the
//! dataset) is built here from the Optimize page's choices; each fold then runs on its own
//! in a worker ([`genesis_study::walkforward::run_fold`]: its study, validation, choice and
//! test run), as many folds at once as there are workers, and each finished fold is stored
//! in its own transaction. Folds depend only on the header and the data, so the journal is
//! the same with any number of workers, and a run interrupted by a reload resumes by running
//! the folds it lacks.

use std::rc::Rc;

use futures::stream::FuturesUnordered;
use futures::StreamExt;
use genesis_study::walkforward::report::{report, Report};
use genesis_study::walkforward::{FoldRun, WalkForwardHeader, WalkForwardLog};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::records::StudyStatus;
use crate::context::AppContext;
use crate::error::AppError;
use crate::storage::datasets;
use crate::storage::db::{stores, to_js, Db, DbError};
use crate::workers::json_text::Json;
use crate::workers::protocol::{Event, Request};

/// A walk-forward run's listing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WalkForwardRow {
    pub id: String,
    pub name: String,
    pub dataset_id: String,
    pub dataset_name: String,
    #[serde(with = "crate::workers::json_text")]
    pub header: WalkForwardHeader,
    pub status: StudyStatus,
    pub n_done: usize,
    pub created_ms: f64,
}

/// One finished fold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct FoldRow {
    run_id: String,
    fold: usize,
    #[serde(with = "crate::workers::json_text")]
    run: FoldRun,
}

/// A run opened for reading: its journal and report.
#[derive(Clone)]
pub struct OpenWalkForward {
    pub row: WalkForwardRow,
    pub log: Rc<WalkForwardLog>,
    pub folds: Rc<Vec<FoldRun>>,
    pub report: Rc<Report>,
}

/// Everything the page knows about walk-forward runs.
#[derive(Clone, Copy)]
pub struct WalkForwardState {
    pub list: RwSignal<Vec<WalkForwardRow>>,
    pub open: RwSignal<Option<OpenWalkForward>, LocalStorage>,
    /// The id of the run being driven, if any.
    pub running: RwSignal<Option<String>>,
    /// What is happening, in words.
    pub stage: RwSignal<String>,
}

impl WalkForwardState {
    pub fn new() -> WalkForwardState {
        WalkForwardState {
            list: RwSignal::new(Vec::new()),
            open: RwSignal::new_local(None),
            running: RwSignal::new(None),
            stage: RwSignal::new(String::new()),
        }
    }
}

impl Default for WalkForwardState {
    fn default() -> Self {
        WalkForwardState::new()
    }
}

fn fold_key(id: &str, fold: f64) -> JsValue {
    js_sys::Array::of2(&JsValue::from_str(id), &JsValue::from_f64(fold)).into()
}

/// The finished folds of run `id`, in fold order; corrupt records are skipped (their folds
/// run again on resume).
async fn load_folds(db: &Db, id: &str) -> Result<Vec<FoldRun>, DbError> {
    let rows = db
        .get_all_in_range::<FoldRow>(
            stores::WALKFORWARD_FOLDS,
            &fold_key(id, 0.0),
            &fold_key(id, f64::MAX),
        )
        .await?;
    let mut runs: Vec<FoldRun> = rows.into_iter().flatten().map(|row| row.run).collect();
    runs.sort_by_key(|run| run.outcome.index);
    Ok(runs)
}

/// Every run listed, newest first.
pub async fn refresh_list(ctx: AppContext) {
    let Some(db) = ctx.db.get_untracked() else {
        return;
    };
    match db.get_all::<WalkForwardRow>(stores::WALKFORWARDS).await {
        Ok(rows) => {
            let mut rows: Vec<WalkForwardRow> = rows.into_iter().flatten().collect();
            rows.sort_by(|a, b| b.created_ms.total_cmp(&a.created_ms));
            ctx.walkforwards.list.set(rows);
        }
        Err(err) => ctx.errors.raise("storage", err.to_string()),
    }
}

/// Opens run `id`: its folds read back and its report.
pub async fn open(ctx: AppContext, id: &str) -> Result<(), AppError> {
    let db = ctx.open_db()?;
    let row: WalkForwardRow = db
        .get(stores::WALKFORWARDS, &JsValue::from_str(id))
        .await?
        .ok_or_else(|| AppError::Missing {
            what: format!("walk-forward run {id}"),
        })?;
    let folds = load_folds(&db, id).await?;
    publish(ctx, row, folds)
}

fn publish(ctx: AppContext, row: WalkForwardRow, folds: Vec<FoldRun>) -> Result<(), AppError> {
    let ops = WalkForwardLog::ops_of(&row.header, &folds);
    let log = WalkForwardLog::from_ops(&ops)?;
    let report = report(&log);
    ctx.walkforwards.open.set(Some(OpenWalkForward {
        row,
        log: Rc::new(log),
        folds: Rc::new(folds),
        report: Rc::new(report),
    }));
    Ok(())
}

/// Starts a new run of `header` over the stored dataset `dataset_id`.
pub async fn start(
    ctx: AppContext,
    header: WalkForwardHeader,
    dataset_id: String,
    dataset_name: String,
    n_workers: usize,
) -> Result<(), AppError> {
    let db = ctx.open_db()?;
    let created_ms = js_sys::Date::now();
    let row = WalkForwardRow {
        id: format!("wf-{}", created_ms as u64),
        name: header.name.clone(),
        dataset_id,
        dataset_name,
        header,
        status: StudyStatus::Running,
        n_done: 0,
        created_ms,
    };
    db.put(stores::WALKFORWARDS, &row).await?;
    refresh_list(ctx).await;
    drive(ctx, db, row, Vec::new(), n_workers).await
}

/// Resumes run `id`: the folds it lacks run, the stored ones stay.
pub async fn resume(ctx: AppContext, id: &str, n_workers: usize) -> Result<(), AppError> {
    let db = ctx.open_db()?;
    let row: WalkForwardRow = db
        .get(stores::WALKFORWARDS, &JsValue::from_str(id))
        .await?
        .ok_or_else(|| AppError::Missing {
            what: format!("walk-forward run {id}"),
        })?;
    let folds = load_folds(&db, id).await?;
    drive(ctx, db, row, folds, n_workers).await
}

/// Runs the missing folds, `n_workers` at a time, storing each as it arrives.
async fn drive(
    ctx: AppContext,
    db: Rc<Db>,
    mut row: WalkForwardRow,
    mut folds: Vec<FoldRun>,
    n_workers: usize,
) -> Result<(), AppError> {
    let state = ctx.walkforwards;
    state.running.set(Some(row.id.clone()));
    datasets::open(ctx, &db, &row.dataset_id).await?;
    ctx.pool().resize(n_workers.max(1));
    let n_folds = row.header.folds.len();
    let missing: Vec<usize> = (0..n_folds)
        .filter(|f| !folds.iter().any(|run| run.outcome.index == *f))
        .collect();
    let header = Json(row.header.clone());
    let mut queue = missing.into_iter();
    let mut in_flight = FuturesUnordered::new();
    let launch = |fold: usize| {
        let request = Request::WalkForwardFold {
            dataset: row.dataset_id.clone(),
            header: header.clone(),
            fold,
        };
        async move { (fold, ctx.pool().run(request, |_| {}).await) }
    };
    for fold in queue.by_ref().take(ctx.pool().size().max(1)) {
        in_flight.push(launch(fold));
    }
    let mut outcome = Ok(());
    state
        .stage
        .set(format!("{} of {n_folds} folds done", folds.len()));
    while let Some((fold, answer)) = in_flight.next().await {
        match answer {
            Ok(Event::WalkForwardFold(Json(run))) => {
                let record = FoldRow {
                    run_id: row.id.clone(),
                    fold,
                    run: (*run).clone(),
                };
                row.n_done = folds.len() + 1;
                // The fold and the run's count land together or not at all.
                let written = match (
                    to_js(stores::WALKFORWARD_FOLDS, &record),
                    to_js(stores::WALKFORWARDS, &row),
                ) {
                    (Ok(fold_value), Ok(row_value)) => {
                        db.put_all(&[
                            (stores::WALKFORWARD_FOLDS, fold_value),
                            (stores::WALKFORWARDS, row_value),
                        ])
                        .await
                    }
                    (Err(err), _) | (_, Err(err)) => Err(err),
                };
                if let Err(err) = written {
                    outcome = Err(AppError::from(err));
                    break;
                }
                folds.push(*run);
                state
                    .stage
                    .set(format!("{} of {n_folds} folds done", folds.len()));
            }
            Ok(other) => {
                outcome = Err(AppError::Unexpected(format!("{other:?}")));
                break;
            }
            Err(err) => {
                outcome = Err(err.into());
                break;
            }
        }
        if let Some(next) = queue.next() {
            in_flight.push(launch(next));
        }
    }
    folds.sort_by_key(|run| run.outcome.index);
    row.n_done = folds.len();
    row.status = if row.n_done == n_folds {
        StudyStatus::Stopped
    } else {
        StudyStatus::Running
    };
    db.put(stores::WALKFORWARDS, &row).await?;
    state.running.set(None);
    state.stage.set(match &outcome {
        Ok(()) => format!("finished: {n_folds} of {n_folds} folds"),
        Err(err) => format!("stopped: {err}"),
    });
    publish(ctx, row, folds)?;
    refresh_list(ctx).await;
    outcome
}

/// Re-runs fold `fold` of an open run from scratch in a worker and says whether every
/// stored number of it came back bit for bit.
pub async fn replay_fold(
    ctx: AppContext,
    run: &OpenWalkForward,
    fold: usize,
) -> Result<bool, AppError> {
    let db = ctx.open_db()?;
    datasets::open(ctx, &db, &run.row.dataset_id).await?;
    let request = Request::WalkForwardFold {
        dataset: run.row.dataset_id.clone(),
        header: Json(run.row.header.clone()),
        fold,
    };
    let stored = run
        .folds
        .iter()
        .find(|r| r.outcome.index == fold)
        .ok_or_else(|| AppError::Missing {
            what: format!("fold {}", fold + 1),
        })?;
    match ctx.pool().run(request, |_| {}).await? {
        Event::WalkForwardFold(Json(again)) => {
            // JSON text tells -0.0 from 0.0 and writes every float to the bit.
            let same = serde_json::to_string(&*again).ok() == serde_json::to_string(stored).ok();
            Ok(same)
        }
        other => Err(AppError::Unexpected(format!("{other:?}"))),
    }
}

/// Stores an imported walk-forward bundle: the run and its folds in one transaction, and
/// its dataset if it came with one and is not stored yet.
pub async fn store_imported(
    ctx: AppContext,
    imported: crate::sharing::bundle::ImportedWalkForward,
) -> Result<WalkForwardRow, AppError> {
    let db = ctx.open_db()?;
    let now = js_sys::Date::now();
    let n_folds = imported.header.folds.len();
    let row = WalkForwardRow {
        id: format!("wf-imported-{}", now as u64),
        name: imported.name.clone(),
        dataset_id: imported.dataset.hash.0.clone(),
        dataset_name: imported.dataset.name.clone(),
        header: imported.header,
        status: if imported.folds.len() == n_folds {
            StudyStatus::Stopped
        } else {
            StudyStatus::Running
        },
        n_done: imported.folds.len(),
        created_ms: now,
    };
    let mut writes = vec![(stores::WALKFORWARDS, to_js(stores::WALKFORWARDS, &row)?)];
    for run in imported.folds {
        let record = FoldRow {
            run_id: row.id.clone(),
            fold: run.outcome.index,
            run,
        };
        writes.push((
            stores::WALKFORWARD_FOLDS,
            to_js(stores::WALKFORWARD_FOLDS, &record)?,
        ));
    }
    db.put_all(&writes).await?;
    crate::sharing::transfer::add_dataset(
        ctx,
        &db,
        imported.dataset,
        imported.dataset_columns,
        &format!("walk-forward run {}", imported.name),
    )
    .await?;
    Ok(row)
}

/// The open run (and, when asked, its dataset) as one JSON file.
pub async fn export_bundle(
    ctx: AppContext,
    run: &OpenWalkForward,
    with_dataset: bool,
) -> Result<(), AppError> {
    let columns =
        crate::sharing::transfer::bundled_columns(ctx, &run.row.dataset_id, with_dataset).await?;
    let bundle = crate::sharing::bundle::walkforward_bundle(
        &run.row.header,
        &run.folds,
        columns.as_deref(),
        js_sys::Date::now() as i64,
    );
    let text = serde_json::to_string(&bundle).map_err(|e| AppError::Corrupt {
        what: format!("walk-forward run {}", run.row.name),
        message: e.to_string(),
    })?;
    let stem: String = run
        .row
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(60)
        .collect();
    crate::util::dom::download(
        &format!("{stem}.genesis-walkforward.json"),
        "application/json",
        &text,
    )
}
