//! What every page can reach, through Leptos context: the error banner, the notices, the
//! worker pool, the database, the workers' status, and the state the pages share (datasets,
//! studies, the backtest set-up). The shell builds it once; pages and components read it with
//! [`use_app`]. This module imports no page and not the shell.

use std::rc::Rc;

use leptos::prelude::*;

use crate::error::AppError;
use crate::storage::db::Db;
use crate::workers::pool::Pool;

/// One message in the error banner.
#[derive(Clone, Debug, PartialEq)]
pub struct Banner {
    pub id: u64,
    /// Which layer raised it: "worker", "storage", "data"...
    pub source: &'static str,
    pub message: String,
}

/// The error banner any layer can raise into.
#[derive(Clone, Copy)]
pub struct Errors {
    pub(crate) banners: RwSignal<Vec<Banner>>,
    next_id: StoredValue<u64>,
}

impl Errors {
    pub(crate) fn new() -> Errors {
        Errors {
            banners: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(1),
        }
    }

    /// Shows a message in the banner until the user dismisses it.
    /// `message` is anything that reads as words: a typed error or a text.
    pub fn raise(&self, source: &'static str, message: impl std::fmt::Display) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let message = message.to_string();
        // A warning, not an error: the message is handled and shown; console errors are
        // kept for what nothing handled (the end-to-end tests hold pages to none).
        leptos::logging::warn!("[{source}] {message}");
        self.banners.update(|banners| {
            banners.push(Banner {
                id,
                source,
                message,
            })
        });
    }

    pub fn dismiss(&self, id: u64) {
        self.banners
            .update(|banners| banners.retain(|b| b.id != id));
    }
}

/// What every page can reach. Every field is a cheap handle, so the context is `Copy`.
#[derive(Clone, Copy)]
pub struct AppContext {
    pub errors: Errors,
    pub(crate) pool: StoredValue<Pool, LocalStorage>,
    /// `None` until the database has opened (or if it could not be opened).
    pub db: RwSignal<Option<Rc<Db>>, LocalStorage>,
    pub workers: RwSignal<WorkerStatus>,
    pub datasets: crate::storage::datasets::DatasetState,
    pub studies: crate::studies::StudyState,
    pub walkforwards: crate::studies::walkforward::WalkForwardState,
    pub notices: Notices,
    pub backtest: crate::components::results::BacktestState,
    /// The address's fragment (`#/backtest?…`), updated on every change.
    pub hash: RwSignal<String>,
}

/// Confirmations shown beside the error banner ("trial #12 is now the champion").
#[derive(Clone, Copy)]
pub struct Notices {
    pub(crate) messages: RwSignal<Vec<(u64, String)>>,
    next_id: StoredValue<u64>,
}

impl Notices {
    pub(crate) fn new() -> Notices {
        Notices {
            messages: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(1),
        }
    }

    pub fn show(&self, message: impl Into<String>) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let message = message.into();
        self.messages.update(|m| m.push((id, message)));
    }
}

/// What the page knows about its workers, shown in the status bar.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkerStatus {
    pub n_ready: usize,
    pub engine_version: Option<String>,
    pub n_replaced: u32,
}

impl AppContext {
    pub fn pool(&self) -> Pool {
        self.pool.get_value()
    }
}

impl AppContext {
    /// The open database, or the error saying it is not open yet.
    pub fn open_db(&self) -> Result<Rc<Db>, AppError> {
        self.db.get_untracked().ok_or_else(AppError::no_database)
    }

    /// The open database, or a banner saying it is not available.
    pub fn db_or_raise(&self) -> Option<Rc<Db>> {
        self.open_db()
            .map_err(|error| self.errors.raise("storage", error))
            .ok()
    }
}

pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}
