//! The worker's study jobs: everything that runs the engine for a study (space checks,
//! preflight, trials, validation, replay). The page's coordinator only asks and tells.

use genesis_engine::backtest::Recording;
use genesis_engine::data::DatasetMeta;
use genesis_engine::features::FeatureStore;
use genesis_engine::run::run_backtest;
use genesis_engine::strategy::StrategyConfig;
use genesis_optimizer::journal::Header;
use genesis_optimizer::{JournalOp, SearchSpace, StudyLog, TrialRecord};
use genesis_study::preflight::preflight;
use genesis_study::replay::replay_trial;
use genesis_study::space_check::check_space as check_space_against;
use genesis_study::validation::validate_record;
use genesis_study::{BaseSource, StudyConfig, StudyPlan};

use crate::workers::job_error::JobError;
use crate::workers::json_text::Json;
use crate::workers::protocol::{Event, ReplayView};

pub fn check_space(space_yaml: &str, base_yaml: &str) -> Event {
    let space = match SearchSpace::from_yaml_str(space_yaml) {
        Ok(space) => space,
        Err(err) => return Event::Failed(JobError::Space(err)),
    };
    let base = match StrategyConfig::from_yaml_str(base_yaml, "base config") {
        Ok(base) => base,
        Err(err) => return Event::Failed(err.into()),
    };
    match check_space_against(&space, &base) {
        Ok(()) => Event::Space {
            parameters: space.leaf_paths().into_iter().map(str::to_string).collect(),
        },
        Err(err) => Event::Failed(err.into()),
    }
}

/// `dataset` is the page's listing (its symbol may have been edited); its hash must be the
/// loaded data's.
pub fn plan(
    store: &mut FeatureStore,
    dataset: DatasetMeta,
    config: StudyConfig,
    base_source: BaseSource,
    base_yaml: &str,
) -> Event {
    if &dataset.hash != store.dataset_hash() {
        return Event::failed(format!(
            "dataset {} does not hash to its recorded {}",
            dataset.name,
            dataset.hash.short()
        ));
    }
    let base = match StrategyConfig::from_yaml_str(base_yaml, "base config") {
        Ok(base) => base,
        Err(err) => return Event::Failed(err.into()),
    };
    let plan = match StudyPlan::new(config, base_source, base, dataset) {
        Ok(plan) => plan,
        Err(err) => return Event::Failed(err.into()),
    };
    match preflight(&plan, store) {
        Ok(_) => Event::StudyPlan(Json(Box::new(plan))),
        Err(err) => Event::Failed(JobError::Preflight(err)),
    }
}

pub fn validate(store: &mut FeatureStore, plan: &StudyPlan, record: &TrialRecord) -> Event {
    match validate_record(plan, store, record, &plan.metadata.validation) {
        Ok(result) => Event::Validation(Json(Box::new(result))),
        Err(err) => Event::Failed(err.into()),
    }
}

pub fn replay(
    store: &mut FeatureStore,
    plan: &StudyPlan,
    header: Header,
    records: Vec<TrialRecord>,
    number: u64,
) -> Event {
    let Some(record) = records.iter().find(|r| r.number == number).cloned() else {
        return Event::failed(format!("trial {number} was not sent"));
    };
    let ops: Vec<JournalOp> = std::iter::once(JournalOp::Header(Box::new(header)))
        .chain(records.into_iter().map(|r| JournalOp::Trial(Box::new(r))))
        .collect();
    let log = match StudyLog::from_ops(&ops) {
        Ok(log) => log,
        Err(err) => return Event::Failed(err.into()),
    };
    let report = match replay_trial(plan, &log, number, store) {
        Ok(report) => report,
        Err(err) => return Event::Failed(err.into()),
    };
    let config = match plan.effective_config(&record.params) {
        Ok(config) => config,
        Err(err) => return Event::Failed(err.into()),
    };
    match run_backtest(
        store,
        &config,
        plan.metadata.windows.in_sample,
        Recording::Full,
    ) {
        Ok(outcome) => match super::jobs::rule_plots(store, &config) {
            Ok(plots) => Event::Replay {
                view: Json(Box::new(ReplayView { outcome, report })),
                plots,
            },
            Err(err) => Event::Failed(err),
        },
        Err(err) => Event::Failed(err.into()),
    }
}

/// A walk-forward run's header over the loaded dataset (see [`Request::PlanWalkForward`](crate::workers::protocol::Request::PlanWalkForward)).
pub fn plan_walkforward(
    store: &mut FeatureStore,
    name: &str,
    spec: genesis_study::folds::FoldSpec,
    config: StudyConfig,
    base_source: BaseSource,
    base_yaml: &str,
    dataset_name: &str,
) -> Event {
    let base = match StrategyConfig::from_yaml_str(base_yaml, "base config") {
        Ok(base) => base,
        Err(err) => return Event::Failed(err.into()),
    };
    let candles = std::sync::Arc::clone(store.candles());
    match genesis_study::walkforward::WalkForwardHeader::new(
        name,
        spec,
        config,
        base_source,
        base,
        dataset_name,
        &candles,
    ) {
        Ok(header) => Event::WalkForwardPlan(Json(Box::new(header))),
        Err(err) => Event::Failed(err.into()),
    }
}

/// A study's deflated Sharpe ratio and PBO from its header and records.
pub fn overfitting(header: &Header, records: &[TrialRecord]) -> Event {
    match crate::studies::records::log(header, records) {
        Ok(log) => Event::Overfitting(Json(Box::new(genesis_study::selection::assess(&log)))),
        Err(err) => Event::failed(err.to_string()),
    }
}
