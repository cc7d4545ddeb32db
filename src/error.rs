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
    /// The action cannot run as things stand; the message says what to do.
    #[error("{0}")]
    NotReady(String),
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
