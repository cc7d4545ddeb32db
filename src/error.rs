//! The errors the page shows a user, by kind. Each layer's error keeps its type until it
//! reaches the banner (a worker's refusal, the pool, IndexedDB, the optimizer and study
//! crates), so a view can show its parts and a test can match on it; only the banner turns
//! it into words.

use genesis_optimizer::OptimizerError;
use genesis_study::StudyError;

use crate::storage::db::DbError;
use crate::workers::job_error::JobError;
use crate::workers::pool::PoolError;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AppError {
    /// A worker refused the job (a bad file, config, space or study).
    #[error("{0}")]
    Job(JobError),
    /// The pool could not finish the job (a crashed worker, a cancel, a shut-down pool).
    #[error("{0}")]
    Pool(PoolError),
    /// IndexedDB refused (quota, transaction, a database that would not open).
    #[error("{0}")]
    Storage(DbError),
    /// The study crate refused (a promotion, stored metadata).
    #[error("{0}")]
    Study(StudyError),
    /// The optimizer refused (a stored journal, an export).
    #[error("{0}")]
    Optimizer(OptimizerError),
    /// Something the page needs is not stored.
    #[error("{what} is not stored")]
    Missing { what: String },
    /// Something stored no longer reads back.
    #[error("{what} is corrupt: {message}")]
    Corrupt { what: String, message: String },
    /// A browser API refused (reading a file, offering a download).
    #[error("{what}: the browser refused: {message}")]
    Browser { what: String, message: String },
    /// A worker answered a job with an event of another job's kind (a bug, said plainly).
    #[error("unexpected answer from a worker: {0}")]
    Unexpected(String),
    /// A stored study refused to resume (its signature differs, naming the parts).
    #[error("resume refused: {0}")]
    ResumeRefused(OptimizerError),
    /// Saving one trial (or its verdict) failed; the trials before it are stored.
    #[error("trial {number} could not be saved: {error}")]
    TrialNotSaved { number: u64, error: DbError },
    /// Validating one trial out of sample failed.
    #[error("validating trial {number}: {error}")]
    Validation { number: u64, error: Box<AppError> },
    /// A study choice refused, under the Optimize form's label for it.
    #[error("{}", crate::config::study_form::choice_message(.0))]
    Choice(StudyError),
    /// A form's text the page cannot use, under the field's label.
    #[error("{label}: {message}")]
    Input { label: String, message: String },
    /// A file the user chose is not what was asked for (too large, other data).
    #[error("{file}: {message}")]
    WrongFile { file: String, message: String },
    /// The action cannot run as things stand; the message says what to do.
    #[error("{0}")]
    NotReady(String),
}

impl AppError {
    /// The database is not open (yet): what to say instead of running.
    pub fn no_database() -> AppError {
        AppError::NotReady("the browser database is not open (yet); try again in a moment".into())
    }
}

impl From<PoolError> for AppError {
    fn from(error: PoolError) -> AppError {
        match error {
            PoolError::Failed(job) => AppError::Job(job),
            other => AppError::Pool(other),
        }
    }
}

impl From<JobError> for AppError {
    fn from(error: JobError) -> AppError {
        AppError::Job(error)
    }
}

impl From<DbError> for AppError {
    fn from(error: DbError) -> AppError {
        AppError::Storage(error)
    }
}

impl From<StudyError> for AppError {
    fn from(error: StudyError) -> AppError {
        AppError::Study(error)
    }
}

impl From<OptimizerError> for AppError {
    fn from(error: OptimizerError) -> AppError {
        AppError::Optimizer(error)
    }
}
