//! `genesis evaluate`: the study's objective as a line protocol, so another optimizer
//! (Optuna, in `cargo xtask bench`'s side-by-side) can drive the very trials ours runs.
//!
//! `--describe` prints the search space as Optuna distributions (one JSON object: dotted
//! path to `distribution_to_json` text) and the objectives. Otherwise each line of stdin is
//! a JSON object of parameters (dotted path to value); each answer on stdout is one JSON
//! line: the [`TrialOutcome`](genesis_optimizer::TrialOutcome) of that trial on the study's
//! in-sample window (no pruning), or `{"state": "failed", "reason": ...}` for a line that
//! does not parse or does not fit the space. An empty line or the end of input stops it.

use std::io::{BufRead, Write};
use std::sync::Arc;

use genesis_engine::data::DatasetMeta;
use genesis_engine::features::FeatureStore;
use genesis_optimizer::export::optuna_distribution_json;
use genesis_optimizer::{Params, PruneThresholds, TrialOutcome};
use genesis_study::StudyPlan;
use serde_json::json;

use super::backtest::load_candles;
use super::journal::study_error;
use super::optimize::{base_choice, choice_error, choices, read_space};
use crate::cli::EvaluateArgs;
use crate::error::CliError;

pub fn run(args: &EvaluateArgs) -> Result<(), CliError> {
    let space_path = args
        .base
        .space
        .as_ref()
        .ok_or_else(|| CliError::input("--space: evaluate needs a search space file"))?;
    let space = read_space(space_path)?;
    let candles = load_candles(&args.data, &args.parse)?;
    let dataset = DatasetMeta::new(&args.data.display().to_string(), &candles);
    let (base_source, base) = base_choice(&args.base, &dataset, args.base.symbol.as_deref())?
        .ok_or_else(|| {
            CliError::input(
                "choose the base config explicitly: --preset NAME, --config FILE or --champion",
            )
        })?;
    let config = choices(&args.choices)
        .to_config("evaluate", space, None)
        .map_err(choice_error)?;
    let plan =
        StudyPlan::new(config, base_source, base, dataset).map_err(|e| study_error(None, e))?;
    if args.is_describe {
        let distributions: serde_json::Map<String, serde_json::Value> = plan
            .space
            .params()
            .iter()
            .map(|p| {
                (
                    p.path.clone(),
                    json!(optuna_distribution_json(&p.distribution)),
                )
            })
            .collect();
        println!(
            "{}",
            json!({"distributions": distributions, "objectives": plan.metadata.objectives})
        );
        return Ok(());
    }
    let objective = plan.objective();
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.map_err(|e| CliError::input(format!("stdin: {e}")))?;
        if line.trim().is_empty() {
            break;
        }
        let outcome = match serde_json::from_str::<Params>(&line) {
            Ok(params) => match plan.space.to_internal(&params) {
                Ok(_) => {
                    objective.evaluate_params(&mut store, &params, &PruneThresholds::default())
                }
                Err(err) => TrialOutcome::Failed {
                    reason: err.to_string(),
                },
            },
            Err(err) => TrialOutcome::Failed {
                reason: format!("not a JSON object of parameters: {err}"),
            },
        };
        let text = serde_json::to_string(&outcome).map_err(|e| CliError::input(e.to_string()))?;
        writeln!(stdout, "{text}")
            .and_then(|()| stdout.flush())
            .map_err(|e| CliError::input(format!("stdout: {e}")))?;
    }
    Ok(())
}
