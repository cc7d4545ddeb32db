//! The Genesis Lab browser app: pages, charts, the worker protocol and pool, IndexedDB.
//!
//! The pure modules (protocol, bundles, share links, stored formats, chart maths) build
//! natively, so they are tested with the other pure code; everything that touches the
//! browser exists for `wasm32` only. The engine work itself lives in the pure crates and runs in
//! web workers, never on the page's main thread.

/// Study bundles: export and checked import.
pub mod bundle;
/// The byte format of stored dataset columns.
pub mod colfile;
/// Which config keys the editor's form shows.
pub mod config_form;
/// Values that cross JavaScript as JSON text, keeping their types.
pub mod json_text;
/// Messages between the page and its engine workers.
pub mod protocol;
/// Backtest setups shared in the URL.
pub mod share;
/// The embedded search space presets.
pub mod spaces;
/// The Optimize page's study form: a field per study choice, read into `StudyChoices`.
pub mod study_form;
/// Times as the page shows and reads them.
pub mod timefmt;
/// Comment-preserving edits of YAML config text.
pub mod yaml_edit;

/// The app shell: navigation, error banner, shared context.
#[cfg(target_arch = "wasm32")]
pub mod app;
/// The browser benchmark workloads.
#[cfg(target_arch = "wasm32")]
pub mod bench;
/// Charts on canvas (plotters), decimated per pixel column.
pub mod charts;
/// The codec of worker messages.
#[cfg(target_arch = "wasm32")]
pub mod codec;
/// Reusable page components: the config editor, the trades table.
#[cfg(target_arch = "wasm32")]
pub mod components;
/// The datasets listed on the page and their stored columns.
#[cfg(target_arch = "wasm32")]
pub mod datasets;
/// IndexedDB: a versioned schema and typed records.
#[cfg(target_arch = "wasm32")]
pub mod db;
/// The one-click demo.
#[cfg(target_arch = "wasm32")]
pub mod demo;
/// One module per page.
#[cfg(target_arch = "wasm32")]
pub mod pages;
/// The pool of engine workers on the main thread.
#[cfg(target_arch = "wasm32")]
pub mod pool;
/// Studies: the coordinator, their records, transfer.
#[cfg(target_arch = "wasm32")]
pub mod studies;
/// The engine worker itself.
#[cfg(target_arch = "wasm32")]
pub mod worker;
