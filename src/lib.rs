//! The Genesis Lab browser app: pages, charts, the worker protocol and pool, IndexedDB.
//!
//! The pure modules (protocol, bundles, share links, stored formats, chart maths) build
//! natively, so they are tested with the other pure code; everything that touches the
//! browser exists for `wasm32` only. The engine work itself lives in the pure crates and runs in
//! web workers, never on the page's main thread.
//!
//! The modules are layered: `app` (the shell) sees the pages; pages are leaves that see
//! `context`, `components`, `charts`, `studies`, `storage`, `sharing`, `config`, `workers` and
//! `util`; nothing below points back up to a page or to the shell.

#![forbid(unsafe_code)]

/// Charts on canvas (plotters), decimated per pixel column.
pub mod charts;
/// Config text: the editor's form keys, comment-preserving YAML edits, the search space presets.
pub mod config;
/// Study bundles, share links, and the export/import of studies.
pub mod sharing;
/// Stored formats and IndexedDB: the column file, the schema, the datasets.
pub mod storage;
/// Helpers any part may use: time formats, the DOM.
pub mod util;
/// The engine workers: the pool on the page, the worker itself, the messages between them.
pub mod workers;

/// The app shell: navigation, the error banner, start-up.
#[cfg(target_arch = "wasm32")]
pub mod app;
/// Reusable views shared by pages: the config editor, results, the trades table, progress.
#[cfg(target_arch = "wasm32")]
pub mod components;
/// What every page can reach: the pool, the database, the banners, the shared state.
#[cfg(target_arch = "wasm32")]
pub mod context;
/// The errors the page shows a user, by kind.
#[cfg(target_arch = "wasm32")]
pub mod error;
/// One module per page; pages are leaves and import no other page.
#[cfg(target_arch = "wasm32")]
pub mod pages;
/// Scripted runs: the one-click demo and the browser benchmark workloads.
#[cfg(target_arch = "wasm32")]
pub mod scripted;
/// Studies: the coordinator, their records, the champions.
#[cfg(target_arch = "wasm32")]
pub mod studies;
