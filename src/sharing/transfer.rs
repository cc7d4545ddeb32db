//! Moving studies in and out of the browser: Optuna journal (JSONL) and CSV exports, study
//! bundles (the whole journal, optionally with the dataset), and imports of either, read
//! and checked in a worker as untrusted input and stored in one transaction.

use genesis_optimizer::export::to_csv;
use genesis_optimizer::export::to_optuna_journal_with;
use genesis_study::selection::export_attrs;
use leptos::prelude::*;

use crate::context::AppContext;
use crate::error::AppError;
use crate::sharing::bundle::{self, ImportedStudy};
use crate::storage::datasets;
use crate::storage::db::{stores, to_js, DbError};
use crate::studies::records::{self, StudyRow, StudyStatus, TrialRow};
use crate::studies::OpenStudy;
use crate::util::dom::download;
use crate::workers::json_text::Json;
use crate::workers::protocol::{Event, Request};

/// File names are built from the study's name, letters and digits only.
fn file_stem(study: &OpenStudy) -> String {
    let stem: String = study
        .row
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(60)
        .collect();
    if stem.is_empty() {
        "study".to_string()
    } else {
        stem
    }
}

/// The study as an Optuna journal, with its overfitting figures (computed in a worker) as
/// study user attributes.
pub async fn export_optuna(ctx: AppContext, study: &OpenStudy) -> Result<(), AppError> {
    let log = records::log(&study.row.header, &study.records)?;
    let request = Request::Overfitting {
        header: Json(study.row.header.clone()),
        records: Json(genesis_study::selection::slim(&study.records)),
    };
    let selection = match ctx.pool().run(request, |_| {}).await? {
        Event::Overfitting(Json(selection)) => selection,
        other => return Err(AppError::Unexpected(format!("{other:?}"))),
    };
    let text = to_optuna_journal_with(&log, &export_attrs(&selection))?;
    download(
        &format!("{}.optuna.jsonl", file_stem(study)),
        "application/x-ndjson",
        &text,
    )
}

pub fn export_csv(study: &OpenStudy) -> Result<(), AppError> {
    let log = records::log(&study.row.header, &study.records)?;
    download(
        &format!("{}.trials.csv", file_stem(study)),
        "text/csv",
        &to_csv(&log),
    )
}

/// A bundle's dataset columns in the stored format, when it includes them.
pub async fn bundled_columns(
    ctx: AppContext,
    dataset_id: &str,
    with_dataset: bool,
) -> Result<Option<Vec<u8>>, AppError> {
    if !with_dataset {
        return Ok(None);
    }
    let db = ctx.open_db()?;
    let columns = datasets::open(ctx, &db, dataset_id).await?;
    Ok(Some(crate::storage::colfile::encode(&columns)))
}

/// The whole study (and, when asked, its dataset) as one JSON file.
pub async fn export_bundle(
    ctx: AppContext,
    study: &OpenStudy,
    with_dataset: bool,
) -> Result<(), AppError> {
    let columns = bundled_columns(ctx, &study.row.dataset_id, with_dataset).await?;
    let bundle = bundle::bundle(
        &study.row.name,
        &study.plan.metadata.dataset,
        &study.row.header,
        &study.records,
        columns.as_deref(),
        js_sys::Date::now() as i64,
    );
    let text = serde_json::to_string(&bundle).map_err(|e| AppError::Corrupt {
        what: format!("study {}", study.row.name),
        message: e.to_string(),
    })?;
    download(
        &format!("{}.genesis-study.json", file_stem(study)),
        "application/json",
        &text,
    )
}

/// What an import stored.
pub enum ImportedRow {
    Study(Box<StudyRow>),
    WalkForward(Box<crate::studies::walkforward::WalkForwardRow>),
}

impl ImportedRow {
    /// The notice that says what was imported.
    pub fn notice(&self) -> String {
        match self {
            ImportedRow::Study(row) => {
                format!("Imported study {} ({} trials)", row.name, row.n_finished)
            }
            ImportedRow::WalkForward(row) => format!(
                "Imported walk-forward run {} ({} of {} folds)",
                row.name,
                row.n_done,
                row.header.folds.len()
            ),
        }
    }
}

/// Reads a study or walk-forward file in a worker, then stores it (dataset if included and
/// missing, the listing and every trial or fold) in one transaction.
pub async fn import(
    ctx: AppContext,
    file_name: String,
    bytes: Vec<u8>,
) -> Result<ImportedRow, AppError> {
    if bytes.len() > bundle::MAX_IMPORT_BYTES {
        return Err(AppError::WrongFile {
            message: format!(
                "{} bytes is more than the {} an import may have",
                bytes.len(),
                bundle::MAX_IMPORT_BYTES
            ),
            file: file_name,
        });
    }
    match ctx
        .pool()
        .run(Request::ImportStudy { file_name, bytes }, |_| {})
        .await
    {
        Ok(Event::ImportedStudy(imported)) => {
            Ok(ImportedRow::Study(Box::new(store(ctx, *imported).await?)))
        }
        Ok(Event::ImportedWalkForward(imported)) => Ok(ImportedRow::WalkForward(Box::new(
            crate::studies::walkforward::store_imported(ctx, *imported).await?,
        ))),
        Ok(other) => Err(AppError::Unexpected(format!("{other:?}"))),
        Err(err) => Err(err.into()),
    }
}

async fn store(ctx: AppContext, imported: ImportedStudy) -> Result<StudyRow, DbError> {
    let db = ctx
        .db
        .get_untracked()
        .ok_or_else(|| DbError::Open("not open".into()))?;
    let now = js_sys::Date::now();
    let (n_finished, best) = crate::studies::runner::summarize(imported.trials.iter());
    let id = format!("imported-{}", now as u64);
    let row = StudyRow {
        id: id.clone(),
        name: imported.name.clone(),
        dataset_id: imported.dataset.hash.0.clone(),
        dataset_name: imported.dataset.name.clone(),
        strategy: genesis_study::StudyPlan::from_header(&imported.header)
            .map(|p| p.metadata.base_config.kind().as_str().to_string())
            .unwrap_or_default(),
        sampler: crate::studies::runner::sampler_label(&imported.header.settings),
        header: imported.header.clone(),
        status: StudyStatus::Stopped,
        stop_reason: Some("imported".into()),
        n_target: n_finished,
        n_finished,
        best_number: best.map(|b| b.0),
        best_value: best.map(|b| b.1),
        created_ms: now,
        updated_ms: now,
    };
    let mut writes = vec![(stores::STUDIES, to_js(stores::STUDIES, &row)?)];
    for record in &imported.trials {
        let trial = TrialRow {
            study_id: id.clone(),
            number: record.number,
            record: record.clone(),
        };
        writes.push((stores::TRIALS, to_js(stores::TRIALS, &trial)?));
    }
    db.put_all(&writes).await?;
    add_dataset(
        ctx,
        &db,
        imported.dataset,
        imported.dataset_columns,
        &format!("study {}", imported.name),
    )
    .await?;
    Ok(row)
}

/// Stores a dataset that came with an import, unless it is stored already.
pub async fn add_dataset(
    ctx: AppContext,
    db: &crate::storage::db::Db,
    meta: genesis_engine::data::DatasetMeta,
    columns: Vec<u8>,
    imported_with: &str,
) -> Result<(), DbError> {
    if columns.is_empty() || ctx.datasets.record(&meta.hash.0).is_some() {
        return Ok(());
    }
    let payload = crate::workers::protocol::DatasetPayload {
        meta,
        report: None,
        columns,
    };
    datasets::add(ctx, db, payload, format!("imported with {imported_with}")).await?;
    Ok(())
}
