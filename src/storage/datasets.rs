//! The page's datasets: the list in IndexedDB, adding one (metadata and columns in one
//! transaction, so a failed write leaves nothing half-stored), editing its labels, deleting it,
//! and opening its columns for charts and for the workers.

use std::collections::BTreeMap;
use std::rc::Rc;

use genesis_engine::data::{Columns, DatasetMeta};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use crate::context::AppContext;
use crate::error::AppError;
use crate::storage::colfile;
use crate::storage::db::{stores, Db, DbError};
use crate::workers::protocol::DatasetPayload;

/// A stored dataset's listing: what the Data page shows in a row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    /// The content hash; also the key of the columns record.
    pub id: String,
    pub meta: DatasetMeta,
    /// The layout the parser chose ("Binance klines"...), or where the data came from.
    pub source: String,
    /// Rows dropped in lenient mode.
    pub n_dropped: usize,
    /// When it was added (the page's clock; the engine never reads one).
    pub added_at_ms: f64,
}

/// Datasets listed on the page and the columns opened so far.
#[derive(Clone, Copy)]
pub struct DatasetState {
    pub list: RwSignal<Vec<DatasetRecord>>,
    pub selected: RwSignal<Option<String>>,
    opened: StoredValue<BTreeMap<String, Rc<Columns>>, LocalStorage>,
}

impl DatasetState {
    pub fn new() -> DatasetState {
        DatasetState {
            list: RwSignal::new(Vec::new()),
            selected: RwSignal::new(None),
            opened: StoredValue::new_local(BTreeMap::new()),
        }
    }

    pub fn record(&self, id: &str) -> Option<DatasetRecord> {
        self.list
            .with(|list| list.iter().find(|r| r.id == id).cloned())
    }
}

impl Default for DatasetState {
    fn default() -> Self {
        DatasetState::new()
    }
}

/// Reads the list from the database; corrupt records go to the banner and are skipped.
pub async fn refresh(ctx: AppContext, db: &Db) {
    match db.get_all::<DatasetRecord>(stores::DATASETS).await {
        Ok(rows) => {
            let mut list = Vec::new();
            for row in rows {
                match row {
                    Ok(record) => list.push(record),
                    Err(err) => ctx.errors.raise("storage", err.to_string()),
                }
            }
            list.sort_by(|a, b| a.added_at_ms.total_cmp(&b.added_at_ms));
            ctx.datasets.list.set(list);
        }
        Err(err) => ctx.errors.raise("storage", err.to_string()),
    }
}

/// What happened when a dataset was added.
pub enum Added {
    New(DatasetRecord),
    /// The same candles are already stored (under this record).
    AlreadyStored(DatasetRecord),
}

/// Stores a dataset a worker produced: its listing and its columns in one transaction.
pub async fn add(
    ctx: AppContext,
    db: &Db,
    payload: DatasetPayload,
    source: String,
) -> Result<Added, DbError> {
    let id = payload.meta.hash.0.clone();
    if let Some(existing) = ctx.datasets.record(&id) {
        return Ok(Added::AlreadyStored(existing));
    }
    let record = DatasetRecord {
        id: id.clone(),
        n_dropped: payload.report.as_ref().map_or(0, |r| r.dropped.len()),
        meta: payload.meta,
        source,
        added_at_ms: js_sys::Date::now(),
    };
    let listing = crate::storage::db::to_js(stores::DATASETS, &record)?;
    let columns = columns_record(&id, &payload.columns);
    db.put_all(&[
        (stores::DATASETS, listing),
        (stores::DATASET_COLUMNS, columns),
    ])
    .await?;
    remember(ctx, &id, payload.columns).map_err(|error| DbError::Corrupt {
        store: stores::DATASET_COLUMNS.to_string(),
        message: error.to_string(),
    })?;
    ctx.datasets.list.update(|list| list.push(record.clone()));
    Ok(Added::New(record))
}

/// Saves edited labels (name, symbol) of a dataset.
pub async fn save_labels(ctx: AppContext, db: &Db, record: DatasetRecord) -> Result<(), DbError> {
    db.put(stores::DATASETS, &record).await?;
    ctx.datasets.list.update(|list| {
        if let Some(row) = list.iter_mut().find(|r| r.id == record.id) {
            *row = record;
        }
    });
    Ok(())
}

/// Deletes a dataset's listing and columns.
pub async fn delete(ctx: AppContext, db: &Db, id: &str) -> Result<(), DbError> {
    let key = JsValue::from_str(id);
    db.delete_all(&[
        (stores::DATASETS, key.clone()),
        (stores::DATASET_COLUMNS, key),
    ])
    .await?;
    ctx.pool().forget_dataset(id);
    ctx.datasets.opened.update_value(|opened| {
        opened.remove(id);
    });
    ctx.datasets.list.update(|list| list.retain(|r| r.id != id));
    if ctx.datasets.selected.get_untracked().as_deref() == Some(id) {
        ctx.datasets.selected.set(None);
    }
    Ok(())
}

/// The columns of a stored dataset, read from the database once and kept; the pool gets them
/// too, for workers that need the dataset.
pub async fn open(ctx: AppContext, db: &Db, id: &str) -> Result<Rc<Columns>, AppError> {
    if let Some(columns) = ctx.datasets.opened.with_value(|o| o.get(id).cloned()) {
        return Ok(columns);
    }
    let raw = db
        .get_raw(stores::DATASET_COLUMNS, &JsValue::from_str(id))
        .await?
        .ok_or_else(|| AppError::Missing {
            what: format!("the columns of dataset {id}"),
        })?;
    let bytes = js_sys::Reflect::get(&raw, &JsValue::from_str("bytes"))
        .ok()
        .filter(|b| b.is_instance_of::<js_sys::Uint8Array>())
        .map(|b| js_sys::Uint8Array::new(&b).to_vec())
        .ok_or_else(|| AppError::Corrupt {
            what: format!("the stored columns of dataset {id}"),
            message: "the record holds no byte array".into(),
        })?;
    remember(ctx, id, bytes)
}

fn remember(ctx: AppContext, id: &str, bytes: Vec<u8>) -> Result<Rc<Columns>, AppError> {
    let columns = Rc::new(colfile::decode(&bytes).map_err(|e| AppError::Corrupt {
        what: format!("the stored columns of dataset {id}"),
        message: e.to_string(),
    })?);
    ctx.pool().provide_dataset(id.to_string(), Rc::new(bytes));
    ctx.datasets.opened.update_value(|opened| {
        opened.insert(id.to_string(), columns.clone());
    });
    Ok(columns)
}

/// The columns record: `{ id, bytes: Uint8Array }`, built by hand so the bytes stay one typed
/// array instead of a JS array of numbers.
fn columns_record(id: &str, bytes: &[u8]) -> JsValue {
    let record = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&record, &JsValue::from_str("id"), &JsValue::from_str(id));
    let array = js_sys::Uint8Array::from(bytes);
    let _ = js_sys::Reflect::set(&record, &JsValue::from_str("bytes"), &array);
    record.into()
}
