//! Why a worker job failed. The engine's, the optimizer's and the study crate's errors are
//! plain serialisable data, so they cross the worker boundary whole instead of as text: the
//! page shows their parts (a rejected file's problems as rows, the config key to mark) and
//! still has their message for the banner.

use genesis_engine::backtest::BacktestError;
use genesis_engine::data::DataError;
use genesis_engine::features::FeatureError;
use genesis_engine::strategy::StrategyError;
use genesis_optimizer::OptimizerError;
use genesis_study::StudyError;
use serde::{Deserialize, Serialize};

use crate::sharing::bundle::BundleError;

#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum JobError {
    /// A file that is not a dataset, or a dataset that cannot be resampled; `file` names it.
    #[error("{file}: {error}")]
    Data { file: String, error: DataError },
    /// A strategy config the engine refused.
    #[error("{0}")]
    Strategy(StrategyError),
    /// A backtest that could not run (its window, its data).
    #[error("{0}")]
    Backtest(BacktestError),
    /// Features that could not be computed.
    #[error("{0}")]
    Features(FeatureError),
    /// A search space that does not parse.
    #[error("search space: {0}")]
    Space(OptimizerError),
    /// The optimizer refused something (a journal, a trial).
    #[error("{0}")]
    Optimizer(OptimizerError),
    /// The study crate refused something (the space against the config, settings, metadata).
    #[error("{0}")]
    Study(StudyError),
    /// The preflight trial failed: the study was not started.
    #[error("preflight: {0}")]
    Preflight(StudyError),
    /// An imported study file that is not a study.
    #[error("{0}")]
    Import(BundleError),
    /// Anything else (a protocol mismatch, a corrupt stored dataset, a benchmark), in words.
    #[error("{0}")]
    Other(String),
}

impl JobError {
    /// The dotted config key the error is about, for the editor to mark.
    pub fn config_key(&self) -> Option<&str> {
        match self {
            JobError::Strategy(
                StrategyError::UnknownKey { key, .. }
                | StrategyError::Invalid { key, .. }
                | StrategyError::Rule { key, .. },
            ) => Some(key),
            _ => None,
        }
    }
}

impl From<StrategyError> for JobError {
    fn from(error: StrategyError) -> JobError {
        JobError::Strategy(error)
    }
}

impl From<BacktestError> for JobError {
    fn from(error: BacktestError) -> JobError {
        JobError::Backtest(error)
    }
}

impl From<FeatureError> for JobError {
    fn from(error: FeatureError) -> JobError {
        JobError::Features(error)
    }
}

impl From<OptimizerError> for JobError {
    fn from(error: OptimizerError) -> JobError {
        JobError::Optimizer(error)
    }
}

impl From<StudyError> for JobError {
    fn from(error: StudyError) -> JobError {
        JobError::Study(error)
    }
}

impl From<BundleError> for JobError {
    fn from(error: BundleError) -> JobError {
        JobError::Import(error)
    }
}

impl From<String> for JobError {
    fn from(message: String) -> JobError {
        JobError::Other(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejected_file_crosses_with_its_problems_and_reads_as_before() {
        let parsed = genesis_engine::data::parse(
            b"time,open,high,low,close,volume\n1,1,2,0.5,1.5,10\n2,1,0.5,0.9,1,10\n3,1,2,x,1,1\n",
            &genesis_engine::data::ParseOptions::default(),
        );
        let Err(error) = parsed else {
            panic!("the file has a high below its low and a bad number");
        };
        let job = JobError::Data {
            file: "bad.csv".into(),
            error,
        };
        let crossed: JobError =
            serde_json::from_str(&serde_json::to_string(&job).unwrap()).unwrap();
        assert_eq!(crossed, job);
        let JobError::Data {
            error: DataError::Rejected { problems, .. },
            ..
        } = &crossed
        else {
            panic!("expected a rejected file, got {crossed:?}");
        };
        assert_eq!(
            problems
                .iter()
                .map(|p| (p.line, p.column))
                .collect::<Vec<_>>(),
            vec![(3, 3), (4, 4)]
        );
        assert!(crossed
            .to_string()
            .starts_with("bad.csv: the file was rejected"));
    }

    #[test]
    fn a_config_error_names_its_key() {
        let Err(error) = genesis_engine::strategy::StrategyConfig::from_yaml_str(
            "strategy: sma_cross\nfast_perod: 3\n",
            "config",
        ) else {
            panic!("a misspelt key is refused");
        };
        let job = JobError::from(error);
        let key = job.config_key().expect("the error names its key");
        assert!(key.ends_with("fast_perod"), "{key}");
        assert_eq!(JobError::Other("x".into()).config_key(), None);
    }
}
