//! The IndexedDB layer: one database, a versioned schema, typed records.
//!
//! Records are written with `serde_wasm_bindgen`'s JSON-compatible serializer so that maps
//! become plain objects (the default turns them into JS `Map`s, whose fields a key path
//! cannot see). Every failure names the store and the operation; a record that no longer
//! deserialises is reported as corrupt instead of failing the whole read.

use rexie::{ObjectStore, Rexie, TransactionMode, TransactionResult};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// The production database's name.
pub const DB_NAME: &str = "genesis-lab";

/// Bumped whenever a store or key path changes; the upgrade creates what is missing.
pub const SCHEMA_VERSION: u32 = 1;

/// The object stores of schema version 1 and their key paths.
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

    pub(super) const ALL: [(&str, &[&str]); 6] = [
        (SETTINGS, &["key"]),
        (DATASETS, &["id"]),
        (DATASET_COLUMNS, &["id"]),
        (STUDIES, &["id"]),
        (TRIALS, &["study_id", "number"]),
        (CHAMPIONS, &["id"]),
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
    rexie: Rexie,
}

impl Db {
    /// Opens (and creates or upgrades) the app's database.
    pub async fn open() -> Result<Db, DbError> {
        Db::open_named(DB_NAME).await
    }

    /// Opens a database of the given name with the app's schema; tests use their own names.
    pub async fn open_named(name: &str) -> Result<Db, DbError> {
        let mut builder = Rexie::builder(name).version(SCHEMA_VERSION);
        for (store, key_path) in stores::ALL {
            let object_store = match key_path {
                [single] => ObjectStore::new(store).key_path(single),
                many => ObjectStore::new(store).key_path_array(many.iter().copied()),
            };
            builder = builder.add_object_store(object_store);
        }
        let rexie = builder
            .build()
            .await
            .map_err(|err| DbError::Open(describe(&err)))?;
        Ok(Db { rexie })
    }

    /// Deletes a whole database (tests only use this on their own databases).
    pub async fn delete_named(name: &str) -> Result<(), DbError> {
        Rexie::delete(name)
            .await
            .map_err(|err| DbError::Open(describe(&err)))
    }

    /// The schema version the open database has.
    pub fn version(&self) -> Result<u32, DbError> {
        self.rexie
            .version()
            .map_err(|err| DbError::Open(describe(&err)))
    }

    /// Writes one record in its own transaction.
    pub async fn put<T: Serialize>(&self, store: &str, record: &T) -> Result<(), DbError> {
        let value = to_js(store, record)?;
        self.put_all(&[(store, value)]).await
    }

    /// Writes several records, possibly to several stores, in one transaction: all of them
    /// land or none does.
    pub async fn put_all(&self, records: &[(&str, JsValue)]) -> Result<(), DbError> {
        let mut store_names: Vec<&str> = records.iter().map(|(store, _)| *store).collect();
        store_names.sort_unstable();
        store_names.dedup();
        let first_store = store_names.first().copied().unwrap_or_default().to_string();
        let failed = |op: &'static str, store: &str, err: rexie::Error| classify(op, store, err);
        let tx = self
            .rexie
            .transaction(&store_names, TransactionMode::ReadWrite)
            .map_err(|err| failed("opening a write transaction", &first_store, err))?;
        let mut outcome = Ok(());
        for (store_name, value) in records {
            let written = match tx.store(store_name) {
                Ok(store) => store.put(value, None).await.map(|_| ()),
                Err(err) => Err(err),
            };
            if let Err(err) = written {
                outcome = Err(failed("writing a record", store_name, err));
                break;
            }
        }
        match outcome {
            Ok(()) => finish(tx, &first_store).await,
            // A request that throws synchronously (a record without its key, say) does not
            // abort the transaction by itself: without this, the records before it would
            // commit and a half-written study would land.
            Err(err) => {
                let _ = tx.abort().await;
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
        let tx = self
            .rexie
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(|err| classify("opening a read transaction", store, err))?;
        let value = tx
            .store(store)
            .map_err(|err| classify("opening the store", store, err))?
            .get(key.clone())
            .await
            .map_err(|err| classify("reading a record", store, err))?;
        value.map(|v| from_js(store, v)).transpose()
    }

    /// Reads one record by key without deserialising it (for records holding typed arrays).
    pub async fn get_raw(&self, store: &str, key: &JsValue) -> Result<Option<JsValue>, DbError> {
        let tx = self
            .rexie
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(|err| classify("opening a read transaction", store, err))?;
        tx.store(store)
            .map_err(|err| classify("opening the store", store, err))?
            .get(key.clone())
            .await
            .map_err(|err| classify("reading a record", store, err))
    }

    /// Reads every record of a store; a record that does not deserialise is returned as an
    /// error beside the good ones, so one corrupt record never hides the rest.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        store: &str,
    ) -> Result<Vec<Result<T, DbError>>, DbError> {
        let tx = self
            .rexie
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(|err| classify("opening a read transaction", store, err))?;
        let values = tx
            .store(store)
            .map_err(|err| classify("opening the store", store, err))?
            .get_all(None, None)
            .await
            .map_err(|err| classify("reading all records", store, err))?;
        Ok(values.into_iter().map(|v| from_js(store, v)).collect())
    }

    /// Reads the records whose keys lie in `[lower, upper]` (a study's trials, say).
    pub async fn get_all_in_range<T: DeserializeOwned>(
        &self,
        store: &str,
        lower: &JsValue,
        upper: &JsValue,
    ) -> Result<Vec<Result<T, DbError>>, DbError> {
        let range = rexie::KeyRange::bound(lower, upper, Some(false), Some(false))
            .map_err(|err| classify("building a key range", store, rexie::Error::from(err)))?;
        let tx = self
            .rexie
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(|err| classify("opening a read transaction", store, err))?;
        let values = tx
            .store(store)
            .map_err(|err| classify("opening the store", store, err))?
            .get_all(Some(range), None)
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
        let mut store_names: Vec<&str> = keys.iter().map(|(store, _)| *store).collect();
        store_names.sort_unstable();
        store_names.dedup();
        let first_store = store_names.first().copied().unwrap_or_default().to_string();
        let tx = self
            .rexie
            .transaction(&store_names, TransactionMode::ReadWrite)
            .map_err(|err| classify("opening a write transaction", &first_store, err))?;
        for (store_name, key) in keys {
            let deleted = match tx.store(store_name) {
                Ok(store) => store.delete(key.clone()).await,
                Err(err) => Err(err),
            };
            if let Err(err) = deleted {
                let _ = tx.abort().await;
                return Err(classify("deleting a record", store_name, err));
            }
        }
        finish(tx, &first_store).await
    }
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

async fn finish(tx: rexie::Transaction, store: &str) -> Result<(), DbError> {
    match tx.done().await {
        Ok(TransactionResult::Committed) => Ok(()),
        Ok(TransactionResult::Aborted) => Err(DbError::Operation {
            op: "committing a transaction",
            store: store.to_string(),
            message: "the transaction was aborted; nothing was written".to_string(),
        }),
        Err(err) => Err(classify("committing a transaction", store, err)),
    }
}

fn classify(op: &'static str, store: &str, err: rexie::Error) -> DbError {
    let message = describe(&err);
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

/// rexie's own message is just "idb error"; the detail (the DOMException's name and text,
/// which is where a quota error shows) is in the wrapped idb error.
fn describe(err: &rexie::Error) -> String {
    match err {
        rexie::Error::IdbError(inner) => inner.to_string(),
        other => other.to_string(),
    }
}
