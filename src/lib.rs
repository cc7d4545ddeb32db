//! The Genesis Lab browser app: pages, charts, the worker protocol and pool, IndexedDB.
//!
//! Only the protocol builds natively (so it is tested with the other pure code); everything
//! else exists for `wasm32` only. The engine work itself lives in the pure crates and runs in
//! web workers, never on the page's main thread.

/// Study bundles: export and checked import.
pub mod bundle;
/// Which config keys the editor's form shows.
pub mod config_form;
/// Backtest setups shared in the URL.
pub mod share;
/// The embedded search space presets.
pub mod spaces;
/// Times as the page shows and reads them.
pub mod timefmt;
/// Values that cross JavaScript as JSON text, keeping their types.
pub mod json_text;
/// Comment-preserving edits of YAML config text.
pub mod yaml_edit;
/// The byte format of stored dataset columns.
pub mod colfile;
/// Messages between the page and its engine workers.
pub mod protocol;

/// The app shell: navigation, error banner, shared context.
#[cfg(target_arch = "wasm32")]
pub mod app;
/// The browser benchmark workloads.
#[cfg(target_arch = "wasm32")]
pub mod bench;
/// The codec of worker messages.
#[cfg(target_arch = "wasm32")]
pub mod codec;
/// IndexedDB: a versioned schema and typed records.
#[cfg(target_arch = "wasm32")]
pub mod db;
/// Reusable page components: the config editor, the trades table.
#[cfg(target_arch = "wasm32")]
pub mod components;
/// Studies: the coordinator, their records, transfer.
#[cfg(target_arch = "wasm32")]
pub mod studies;
/// The one-click demo.
#[cfg(target_arch = "wasm32")]
pub mod demo;
/// The datasets listed on the page and their stored columns.
#[cfg(target_arch = "wasm32")]
pub mod datasets;
/// Charts on canvas (plotters), decimated per pixel column.
pub mod charts;
/// One module per page.
#[cfg(target_arch = "wasm32")]
pub mod pages;
/// The pool of engine workers on the main thread.
#[cfg(target_arch = "wasm32")]
pub mod pool;
/// The engine worker itself.
#[cfg(target_arch = "wasm32")]
pub mod worker;
