//! How studies are kept in IndexedDB: one `studies` record per study (its journal header,
//! status and summary) and one `trials` record per finished trial, each written in its own
//! transaction as the trial arrives, so a closed tab loses at most the trials that were
//! running. Resuming rebuilds the journal from these records.

use std::rc::Rc;

use genesis_optimizer::journal::Header;
use genesis_optimizer::{JournalOp, MemoryJournal, OptimizerError, StudyLog, TrialRecord};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::storage::db::{stores, Db, DbError};

/// Where a study stands.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StudyStatus {
    /// Trials were running when it was last saved (a closed tab, a crash, or it is running
    /// now): resumable.
    Running,
    /// Stopped by its stop policy, a cancel or an exhausted space: resumable with a larger
    /// budget.
    Stopped,
}

/// A study's listing and journal header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyRow {
    pub id: String,
    pub name: String,
    pub dataset_id: String,
    pub dataset_name: String,
    pub strategy: String,
    pub sampler: String,
    /// The journal header, as JSON text (see [`crate::workers::json_text`]).
    #[serde(with = "crate::workers::json_text")]
    pub header: Header,
    pub status: StudyStatus,
    /// Why it stopped, in words.
    pub stop_reason: Option<String>,
    /// Evaluated trials the user asked for (duplicates excluded).
    pub n_target: u64,
    pub n_finished: u64,
    pub best_number: Option<u64>,
    pub best_value: Option<f64>,
    pub created_ms: f64,
    pub updated_ms: f64,
}

/// One finished trial of a study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrialRow {
    pub study_id: String,
    pub number: u64,
    /// The journal's trial record, as JSON text (see [`crate::workers::json_text`]).
    #[serde(with = "crate::workers::json_text")]
    pub record: TrialRecord,
}

pub async fn save_study(db: &Db, row: &StudyRow) -> Result<(), DbError> {
    db.put(stores::STUDIES, row).await
}

/// Writes one trial in its own transaction.
pub async fn save_trial(db: &Db, study_id: &str, record: &TrialRecord) -> Result<(), DbError> {
    let row = TrialRow {
        study_id: study_id.to_string(),
        number: record.number,
        record: record.clone(),
    };
    db.put(stores::TRIALS, &row).await
}

/// Every study listed, newest first; corrupt records are returned as errors beside them.
pub async fn list(db: &Db) -> Result<Vec<Result<StudyRow, DbError>>, DbError> {
    let mut rows = db.get_all::<StudyRow>(stores::STUDIES).await?;
    rows.sort_by(|a, b| match (a, b) {
        (Ok(a), Ok(b)) => b.created_ms.total_cmp(&a.created_ms),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        _ => std::cmp::Ordering::Equal,
    });
    Ok(rows)
}

pub async fn load_row(db: &Db, id: &str) -> Result<Option<StudyRow>, DbError> {
    db.get(stores::STUDIES, &JsValue::from_str(id)).await
}

/// A study's finished trials in number order; corrupt trial records are skipped and counted.
pub async fn load_trials(db: &Db, id: &str) -> Result<(Vec<TrialRecord>, usize), DbError> {
    let rows = db
        .get_all_in_range::<TrialRow>(stores::TRIALS, &key(id, 0.0), &key(id, f64::MAX))
        .await?;
    let mut n_corrupt = 0;
    let mut records: Vec<TrialRecord> = rows
        .into_iter()
        .filter_map(|row| match row {
            Ok(row) => Some(row.record),
            Err(_) => {
                n_corrupt += 1;
                None
            }
        })
        .collect();
    records.sort_by_key(|r| r.number);
    Ok((records, n_corrupt))
}

/// Deletes a study and all its trials in one transaction.
pub async fn delete(db: &Db, id: &str, numbers: &[u64]) -> Result<(), DbError> {
    let mut keys: Vec<(&str, JsValue)> = numbers
        .iter()
        .map(|&n| (stores::TRIALS, key(id, n as f64)))
        .collect();
    keys.push((stores::STUDIES, JsValue::from_str(id)));
    db.delete_all(&keys).await
}

fn key(id: &str, number: f64) -> JsValue {
    js_sys::Array::of2(&JsValue::from_str(id), &JsValue::from_f64(number)).into()
}

/// The journal of a stored study: its header, then its trials by number.
pub fn journal(header: &Header, records: &[TrialRecord]) -> MemoryJournal {
    let ops = std::iter::once(JournalOp::Header(Box::new(header.clone())))
        .chain(
            records
                .iter()
                .cloned()
                .map(|r| JournalOp::Trial(Box::new(r))),
        )
        .collect();
    MemoryJournal::from_ops(ops)
}

/// The study's log (for export, summaries and charts).
pub fn log(header: &Header, records: &[TrialRecord]) -> Result<Rc<StudyLog>, OptimizerError> {
    use genesis_optimizer::JournalBackend;
    let read = journal(header, records).read_all()?;
    StudyLog::from_ops(&read.ops).map(Rc::new)
}
