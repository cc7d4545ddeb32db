//! Getting studies out (and back in).
//!
//! - [`optuna`](crate::export::optuna): Optuna's journal JSONL, which `optuna.storages.JournalStorage` and
//!   optuna-dashboard read; and the import of our own exports back to a [`StudyLog`].
//! - [`csv`](crate::export::csv): one row per trial.
//!
//! [`StudyLog`]: crate::journal::StudyLog

/// Trials as CSV.
pub mod csv;
/// Optuna journal export and import.
pub mod optuna;

pub use self::csv::to_csv;
pub use self::optuna::{
    from_optuna_journal, optuna_distribution_json, to_optuna_journal, to_optuna_journal_with,
};
