//! What the app keeps: the byte format of a dataset's columns, the IndexedDB schema and its
//! typed records, and the datasets the page lists.

/// The byte format of stored dataset columns.
pub mod colfile;

/// The datasets listed on the page and their stored columns.
#[cfg(target_arch = "wasm32")]
pub mod datasets;
/// IndexedDB: a versioned schema and typed records.
#[cfg(target_arch = "wasm32")]
pub mod db;
