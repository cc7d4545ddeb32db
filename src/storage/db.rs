//! The IndexedDB layer (on the `idb` crate): one database, a versioned schema, typed records.
//!
//! `idb` rather than its wrapper `rexie`, because a write that the browser aborts for lack of
//! space reports why only on the transaction's `error` (a `QuotaExceededError`), which rexie
//! does not expose. Records are written with `serde_wasm_bindgen`'s JSON-compatible serializer so that maps
//! become plain objects (the default turns them into JS `Map`s, whose fields a key path
//! cannot see). Every failure names the store and the operation; a record that no longer
//! deserialises is reported as corrupt instead of failing the whole read.

use idb::builder::{DatabaseBuilder, ObjectStoreBuilder};
use idb::{
    Database, Factory, KeyPath, KeyRange, ObjectStore, Query, Transaction, TransactionMode,
    TransactionResult,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// The production database's name.
pub const DB_NAME: &str = "genesis-lab";

/// Bumped whenever a store or key path changes; the upgrade creates what is missing.
pub const SCHEMA_VERSION: u32 = 2;

/// The object stores and their key paths (version 2 added the walk-forward stores).
pub mod stores {
    /// App settings: `{ key, value }`.
    pub const SETTINGS: &str = "settings";
    /// Dataset metadata, keyed by `id`.
    pub const DATASETS: &str = "datasets";
    /// Dataset columns as raw bytes, keyed by the dataset `id`.
    pub const DATASET_COLUMNS: &str = "dataset_columns";
    /// Study headers, keyed by `id`.
    pub const STUDIES: &str = "studies";
    /// One record per finished trial, keyed by `[study_id, number]`.
    pub const TRIALS: &str = "trials";
    /// Champions, keyed by `id`.
    pub const CHAMPIONS: &str = "champions";
    /// Walk-forward runs (header, status), keyed by `id`.
    pub const WALKFORWARDS: &str = "walkforwards";
    /// One record per finished walk-forward fold, keyed by `[run_id, fold]`.
    pub const WALKFORWARD_FOLDS: &str = "walkforward_folds";

    pub(super) const ALL: [(&str, &[&str]); 8] = [
        (SETTINGS, &["key"]),
        (DATASETS, &["id"]),
        (DATASET_COLUMNS, &["id"]),
        (STUDIES, &["id"]),
        (TRIALS, &["study_id", "number"]),
        (CHAMPIONS, &["id"]),
        (WALKFORWARDS, &["id"]),
        (WALKFORWARD_FOLDS, &["run_id", "fold"]),
    ];
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DbError {
    #[error("the browser database could not be opened: {0}")]
    Open(String),
    #[error("the browser's storage quota is full while writing to {store}: {message}")]
    QuotaExceeded { store: String, message: String },
    #[error("{op} in the browser database store {store} failed: {message}")]
    Operation {
        op: &'static str,
        store: String,
        message: String,
    },
    #[error("a record in store {store} is corrupt and was skipped: {message}")]
    Corrupt { store: String, message: String },
}

/// One app setting (pool size, last dataset...), stored under its key.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Setting {
    pub key: String,
    pub value: serde_json::Value,
}

/// An open database.
pub struct Db {
    database: Database,
}

impl Db {
    /// Opens (and creates or upgrades) the app's database.
    pub async fn open() -> Result<Db, DbError> {
        Db::open_named(DB_NAME).await
    }

    /// Opens a database of the given name with the app's schema; tests use their own names.
    pub async fn open_named(name: &str) -> Result<Db, DbError> {
        let mut builder = DatabaseBuilder::new(name).version(SCHEMA_VERSION);
        for (store, key_path) in stores::ALL {
            let key_path = match key_path {
                [single] => KeyPath::new_single(single),
                many => KeyPath::new_array(many.iter().copied()),
            };
            builder =
                builder.add_object_store(ObjectStoreBuilder::new(store).key_path(Some(key_path)));
        }
        let database = builder
            .build()
            .await
            .map_err(|err| DbError::Open(err.to_string()))?;
        Ok(Db { database })
    }

    /// Deletes a whole database (tests only use this on their own databases).
    pub async fn delete_named(name: &str) -> Result<(), DbError> {
        let deleted = async { Factory::new()?.delete(name)?.await };
        deleted
            .await
            .map_err(|err: idb::Error| DbError::Open(err.to_string()))
    }

    /// The schema version the open database has.
    pub fn version(&self) -> Result<u32, DbError> {
        self.database
            .version()
            .map_err(|err| DbError::Open(err.to_string()))
    }

    fn transaction(
        &self,
        stores: &[&str],
        mode: TransactionMode,
        first: &str,
    ) -> Result<Transaction, DbError> {
        let op = match mode {
            TransactionMode::ReadOnly => "opening a read transaction",
            _ => "opening a write transaction",
        };
        self.database
            .transaction(stores, mode)
            .map_err(|err| classify(op, first, err))
    }

    /// Writes one record in its own transaction.
    pub async fn put<T: Serialize>(&self, store: &str, record: &T) -> Result<(), DbError> {
        let value = to_js(store, record)?;
        self.put_all(&[(store, value)]).await
    }

    /// Writes several records, possibly to several stores, in one transaction: all of them
    /// land or none does.
    pub async fn put_all(&self, records: &[(&str, JsValue)]) -> Result<(), DbError> {
        let stores = distinct_stores(records.iter().map(|(store, _)| *store));
        let first = stores.first().copied().unwrap_or_default();
        let tx = self.transaction(&stores, TransactionMode::ReadWrite, first)?;
        let mut outcome = Ok(());
        for (store_name, value) in records {
            let written = async { tx.object_store(store_name)?.put(value, None)?.await };
            if let Err(err) = written.await {
                outcome = Err(classify("writing a record", store_name, err));
                break;
            }
        }
        match outcome {
            Ok(()) => finish(tx, first).await,
            // A request that throws synchronously (a record without its key, say) does not
            // abort the transaction by itself: without this, the records before it would
            // commit and a half-written study would land.
            Err(err) => {
                let _ = tx.abort();
                Err(err)
            }
        }
    }

    /// Reads one record by key.
    pub async fn get<T: DeserializeOwned>(
        &self,
        store: &str,
        key: &JsValue,
    ) -> Result<Option<T>, DbError> {
        self.get_raw(store, key)
            .await?
            .map(|v| from_js(store, v))
            .transpose()
    }

    /// Reads one record by key without deserialising it (for records holding typed arrays).
    pub async fn get_raw(&self, store: &str, key: &JsValue) -> Result<Option<JsValue>, DbError> {
        let tx = self.transaction(&[store], TransactionMode::ReadOnly, store)?;
        let read = async { tx.object_store(store)?.get(key.clone())?.await };
        read.await
            .map_err(|err| classify("reading a record", store, err))
    }

    /// Reads every record of a store; a record that does not deserialise is returned as an
    /// error beside the good ones, so one corrupt record never hides the rest.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        store: &str,
    ) -> Result<Vec<Result<T, DbError>>, DbError> {
        self.read_all(store, None).await
    }

    /// Reads the records whose keys lie in `[lower, upper]` (a study's trials, say).
    pub async fn get_all_in_range<T: DeserializeOwned>(
        &self,
        store: &str,
        lower: &JsValue,
        upper: &JsValue,
    ) -> Result<Vec<Result<T, DbError>>, DbError> {
        let range = KeyRange::bound(lower, upper, Some(false), Some(false))
            .map_err(|err| classify("building a key range", store, err))?;
        self.read_all(store, Some(Query::from(range))).await
    }

    async fn read_all<T: DeserializeOwned>(
        &self,
        store: &str,
        query: Option<Query>,
    ) -> Result<Vec<Result<T, DbError>>, DbError> {
        let tx = self.transaction(&[store], TransactionMode::ReadOnly, store)?;
        let read = async { tx.object_store(store)?.get_all(query, None)?.await };
        let values = read
            .await
            .map_err(|err| classify("reading records", store, err))?;
        Ok(values.into_iter().map(|v| from_js(store, v)).collect())
    }

    /// Deletes one record by key.
    pub async fn delete(&self, store: &str, key: &JsValue) -> Result<(), DbError> {
        self.delete_all(&[(store, key.clone())]).await
    }

    /// Deletes records from several stores in one transaction.
    pub async fn delete_all(&self, keys: &[(&str, JsValue)]) -> Result<(), DbError> {
        let stores = distinct_stores(keys.iter().map(|(store, _)| *store));
        let first = stores.first().copied().unwrap_or_default();
        let tx = self.transaction(&stores, TransactionMode::ReadWrite, first)?;
        for (store_name, key) in keys {
            let deleted = async { tx.object_store(store_name)?.delete(key.clone())?.await };
            if let Err(err) = deleted.await {
                let _ = tx.abort();
                return Err(classify("deleting a record", store_name, err));
            }
        }
        finish(tx, first).await
    }
}

fn distinct_stores<'a>(stores: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut names: Vec<&str> = stores.collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Serialises a record so that maps become plain objects a key path can read.
pub fn to_js<T: Serialize>(store: &str, record: &T) -> Result<JsValue, DbError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    record
        .serialize(&serializer)
        .map_err(|err| DbError::Operation {
            op: "encoding a record",
            store: store.to_string(),
            message: err.to_string(),
        })
}

fn from_js<T: DeserializeOwned>(store: &str, value: JsValue) -> Result<T, DbError> {
    serde_wasm_bindgen::from_value(value).map_err(|err| DbError::Corrupt {
        store: store.to_string(),
        message: err.to_string(),
    })
}

/// Waits for a write transaction to end. An abort without an error event is the browser's
/// doing (most often the quota): its reason is on the transaction, read through a store handle
/// kept for the purpose.
async fn finish(tx: Transaction, store: &str) -> Result<(), DbError> {
    let handle: Option<ObjectStore> = tx.object_store(store).ok();
    match tx.await {
        Ok(TransactionResult::Committed) => Ok(()),
        Ok(TransactionResult::Aborted) => {
            let reason = handle.and_then(|s| s.transaction().error());
            match reason {
                Some(dom) if dom.name() == "QuotaExceededError" => Err(DbError::QuotaExceeded {
                    store: store.to_string(),
                    message: format!("{}: {}", dom.name(), dom.message()) + &usage_note().await,
                }),
                Some(dom) => Err(DbError::Operation {
                    op: "committing a transaction",
                    store: store.to_string(),
                    message: format!(
                        "the transaction was aborted ({}: {}); nothing was written",
                        dom.name(),
                        dom.message()
                    ),
                }),
                None => Err(aborted(store).await),
            }
        }
        Err(err) => Err(classify("committing a transaction", store, err)),
    }
}

/// "; this site uses … of its … quota", when the browser tells.
async fn usage_note() -> String {
    match storage_estimate().await {
        Some((usage, quota)) => format!(
            ". Nothing was written; this site uses {:.1} MB of its {:.1} MB quota. Delete datasets or studies you no longer need, or export them first",
            usage / 1e6,
            quota / 1e6
        ),
        None => ". Nothing was written".to_string(),
    }
}

/// Space left below which an aborted write is put down to the quota.
const NEARLY_FULL_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// Why a transaction aborted with no error recorded on it: the storage estimate tells a full
/// quota from other aborts.
async fn aborted(store: &str) -> DbError {
    let estimate = storage_estimate().await;
    let message = match estimate {
        Some((usage, quota)) => format!(
            "nothing was written; this site uses {:.1} MB of its {:.1} MB quota",
            usage / 1e6,
            quota / 1e6
        ),
        None => "nothing was written".to_string(),
    };
    match estimate {
        Some((usage, quota)) if quota - usage < NEARLY_FULL_BYTES => DbError::QuotaExceeded {
            store: store.to_string(),
            message: format!(
                "{message}. Delete datasets or studies you no longer need, or export them first"
            ),
        },
        _ => DbError::Operation {
            op: "committing a transaction",
            store: store.to_string(),
            message: format!("the transaction was aborted; {message}"),
        },
    }
}

/// `(usage, quota)` in bytes, when the browser tells.
async fn storage_estimate() -> Option<(f64, f64)> {
    let storage = web_sys::window()?.navigator().storage();
    let promise = storage.estimate().ok()?;
    let estimate = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let number = |key: &str| {
        js_sys::Reflect::get(&estimate, &JsValue::from_str(key))
            .ok()?
            .as_f64()
    };
    Some((number("usage")?, number("quota")?))
}

fn classify(op: &'static str, store: &str, err: idb::Error) -> DbError {
    let message = err.to_string();
    if message.contains("Quota") || message.contains("quota") {
        DbError::QuotaExceeded {
            store: store.to_string(),
            message,
        }
    } else {
        DbError::Operation {
            op,
            store: store.to_string(),
            message,
        }
    }
}
