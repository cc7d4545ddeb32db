//! The study charts of the Optimize page: the optimisation history with the best score so
//! far, parameter slices, parallel coordinates, parameter importance and, once the best
//! trials are validated, in-sample against out-of-sample scores.
//!
//! Every chart is built from one [`StudyChartData`](crate::charts::study::StudyChartData)
//! (rebuilt after each finished trial and shared behind an `Rc`). A chart's constructor does
//! the sorting, normalising and ranging once, natively testable; its drawing (`wasm32` only)
//! then only maps and paints. The history is bar-indexed by trial number and uses the
//! zoomable `charts::canvas::ChartCanvas`; the others are drawn by `charts::plot::PlotCanvas`.
//!
//! Conventions shared by all of them: duplicate trials (answered from the cache) are left
//! out; a pruned trial stands at its last intermediate score; parameter axes span the search
//! space's declared range (log-scaled leaves on a log axis, categorical leaves as evenly
//! spread categories); score axes span the scores but stop three interquartile ranges past
//! the quartiles, so one catastrophic trial does not flatten the others (such marks sit on
//! the edge; the read-out gives their value).

use genesis_optimizer::summary::{parameter_importance, ParamImportance};
use genesis_optimizer::{SearchSpace, TrialRecord, TrialState};

/// The optimisation history with best-so-far.
pub mod history;
/// Parameter importance bars.
pub mod importance;
/// In-sample against out-of-sample scores of the validated trials.
pub mod is_oos;
/// Axis scales, ticks, ranges, grids: the pure arithmetic.
pub mod math;
/// Parallel coordinates.
pub mod parallel;
/// A multi-objective study's Pareto front and hypervolume history.
pub mod pareto;
/// The PBO logit histogram.
pub mod pbo;
/// One scatter of score against each parameter.
pub mod slices;
/// A walk-forward run's timeline and stitched equity.
pub mod walkforward;

pub use history::HistoryChart;
pub use importance::ImportanceChart;
pub use is_oos::IsOosChart;
pub use parallel::ParallelChart;
pub use pareto::{HypervolumeChart, ParetoChart};
pub use pbo::PboHistogram;
pub use slices::SliceChart;

use math::{format_number, format_param, short_names};

/// What the study charts draw: the finished trials, the space they came from, and the
/// parameter importance. Rebuilt after each finished trial.
#[derive(Clone, Debug, PartialEq)]
pub struct StudyChartData {
    /// Finished trials in number order; includes duplicates (`duplicate_of: Some(_)`), which
    /// the charts skip, and pruned and failed trials.
    pub trials: Vec<TrialRecord>,
    /// The search space (parameter names in order, their distributions).
    pub space: SearchSpace,
    /// From [`parameter_importance`], most important first.
    pub importance: Vec<ParamImportance>,
}

impl StudyChartData {
    /// The charts' data with the importance computed from the trials.
    pub fn new(trials: Vec<TrialRecord>, space: SearchSpace) -> StudyChartData {
        let importance = parameter_importance(&space, &trials);
        StudyChartData {
            trials,
            space,
            importance,
        }
    }

    /// The short names of the space's parameters, in its order (see [`short_names`]).
    pub fn param_names(&self) -> Vec<String> {
        let paths: Vec<&str> = self
            .space
            .params()
            .iter()
            .map(|p| p.path.as_str())
            .collect();
        short_names(&paths)
    }

    /// The hover read-out of trial `index` (into [`StudyChartData::trials`]):
    /// `trial #k · score … · state · params…`, parameters under `names` (one per space
    /// parameter, as [`StudyChartData::param_names`] gives).
    pub fn readout(&self, index: usize, names: &[String]) -> String {
        let Some(trial) = self.trials.get(index) else {
            return String::new();
        };
        let mut text = format!("trial #{}", trial.number);
        match (classify(trial), trial.value) {
            (PointKind::Feasible, Some(value)) => {
                text.push_str(&format!(" · score {} · complete", format_score(value)));
            }
            (PointKind::Infeasible, Some(value)) => text.push_str(&format!(
                " · score {} · infeasible: {}",
                format_score(value),
                trial.constraint_violations.join("; ")
            )),
            (PointKind::Pruned, _) => match trial.last_intermediate() {
                Some((step, value)) => text.push_str(&format!(
                    " · last score {} at step {step} · pruned",
                    format_score(value)
                )),
                None => text.push_str(" · pruned"),
            },
            _ => text.push_str(&format!(
                " · failed: {}",
                trial.fail_reason.as_deref().unwrap_or("no score")
            )),
        }
        let params: Vec<String> = self
            .space
            .params()
            .iter()
            .zip(names)
            .filter_map(|(spec, name)| {
                trial
                    .params
                    .get(&spec.path)
                    .map(|v| format!("{name}={}", format_param(v)))
            })
            .collect();
        if !params.is_empty() {
            text.push_str(" · ");
            text.push_str(&params.join(", "));
        }
        text
    }
}

/// A score as read-outs show it: four decimals, or four significant digits when large.
pub fn format_score(value: f64) -> String {
    if value.is_finite() && value.abs() < 1e4 {
        format!("{value:.4}")
    } else {
        format_number(value)
    }
}

/// How a trial ended, as the charts colour it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PointKind {
    /// Complete and within every constraint.
    Feasible,
    /// Complete but failed a constraint.
    Infeasible,
    Pruned,
    /// Failed, or complete without a finite score.
    Failed,
}

/// One non-duplicate trial as the charts place it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrialPoint {
    /// Index into [`StudyChartData::trials`].
    pub index: usize,
    pub number: u64,
    pub kind: PointKind,
    /// The score of a complete trial, the last intermediate score of a pruned one; `None`
    /// for failed trials (and pruned ones that never reported).
    pub score: Option<f64>,
}

fn classify(trial: &TrialRecord) -> PointKind {
    match (trial.state, trial.value) {
        (TrialState::Complete, Some(v)) if v.is_finite() => {
            if trial.is_feasible() {
                PointKind::Feasible
            } else {
                PointKind::Infeasible
            }
        }
        (TrialState::Pruned, _) => PointKind::Pruned,
        _ => PointKind::Failed,
    }
}

/// The complete trials (feasible or not) in number order, each with its score: what the
/// slice and parallel-coordinate charts plot.
pub fn complete_points(trials: &[TrialRecord]) -> Vec<(TrialPoint, f64)> {
    trial_points(trials)
        .into_iter()
        .filter(|p| matches!(p.kind, PointKind::Feasible | PointKind::Infeasible))
        .filter_map(|p| Some((p, p.score?)))
        .collect()
}

/// The non-duplicate trials in number order, classified and scored.
pub fn trial_points(trials: &[TrialRecord]) -> Vec<TrialPoint> {
    let mut points: Vec<TrialPoint> = trials
        .iter()
        .enumerate()
        .filter(|(_, t)| t.duplicate_of.is_none())
        .map(|(index, t)| {
            let kind = classify(t);
            let score = match kind {
                PointKind::Feasible | PointKind::Infeasible => t.value,
                PointKind::Pruned => t
                    .last_intermediate()
                    .map(|(_, v)| v)
                    .filter(|v| v.is_finite()),
                PointKind::Failed => None,
            };
            TrialPoint {
                index,
                number: t.number,
                kind,
                score,
            }
        })
        .collect();
    points.sort_by_key(|p| p.number);
    points
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Hand-made trials for the charts' native tests.

    use std::collections::BTreeMap;

    use genesis_optimizer::{ParamValue, SearchSpace, TrialRecord, TrialState};

    pub fn space() -> SearchSpace {
        SearchSpace::from_yaml_str(
            "risk:\n  stop: {type: loguniform, low: 0.001, high: 0.1}\n\
             period: {type: int, low: 5, high: 50}\n\
             mode: {type: categorical, choices: [fast, slow]}\n",
        )
        .unwrap_or_else(|e| panic!("the fixture space parses: {e}"))
    }

    pub fn params(stop: f64, period: i64, mode: &str) -> BTreeMap<String, ParamValue> {
        BTreeMap::from([
            ("risk.stop".to_string(), ParamValue::Float(stop)),
            ("period".to_string(), ParamValue::Int(period)),
            ("mode".to_string(), ParamValue::Str(mode.into())),
        ])
    }

    pub fn complete(number: u64, value: f64, params: BTreeMap<String, ParamValue>) -> TrialRecord {
        TrialRecord::complete(number, params, value)
    }

    pub fn infeasible(
        number: u64,
        value: f64,
        params: BTreeMap<String, ParamValue>,
    ) -> TrialRecord {
        TrialRecord {
            constraint_violations: vec!["too few trades".into()],
            ..complete(number, value, params)
        }
    }

    pub fn pruned(number: u64, last: f64, params: BTreeMap<String, ParamValue>) -> TrialRecord {
        TrialRecord {
            state: TrialState::Pruned,
            value: None,
            intermediate: vec![(1, last + 1.0), (2, last)],
            pruned_at_step: Some(2),
            ..complete(number, 0.0, params)
        }
    }

    pub fn failed(number: u64, params: BTreeMap<String, ParamValue>) -> TrialRecord {
        TrialRecord {
            state: TrialState::Failed,
            value: None,
            fail_reason: Some("boom".into()),
            ..complete(number, 0.0, params)
        }
    }

    pub fn duplicate(number: u64, of: &TrialRecord) -> TrialRecord {
        TrialRecord {
            number,
            duplicate_of: Some(of.number),
            ..of.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn points_skip_duplicates_and_sort_by_number() {
        let first = complete(0, 1.0, params(0.01, 10, "fast"));
        let trials = vec![
            first.clone(),
            pruned(2, -3.0, params(0.02, 12, "slow")),
            duplicate(1, &first),
            failed(3, params(0.03, 14, "fast")),
            infeasible(4, 5.0, params(0.04, 16, "slow")),
        ];
        let points = trial_points(&trials);
        let summary: Vec<(u64, PointKind, Option<f64>)> =
            points.iter().map(|p| (p.number, p.kind, p.score)).collect();
        assert_eq!(
            summary,
            vec![
                (0, PointKind::Feasible, Some(1.0)),
                (2, PointKind::Pruned, Some(-3.0)),
                (3, PointKind::Failed, None),
                (4, PointKind::Infeasible, Some(5.0)),
            ]
        );
        assert_eq!(points[1].index, 1, "indices point back into the trials");
    }

    #[test]
    fn a_complete_trial_without_a_finite_score_counts_as_failed() {
        let trials = vec![complete(0, f64::NAN, params(0.01, 10, "fast"))];
        assert_eq!(trial_points(&trials)[0].kind, PointKind::Failed);
    }

    #[test]
    fn the_readout_names_trial_score_state_and_params() {
        let data = StudyChartData::new(
            vec![
                complete(7, 1.25, params(0.01, 10, "fast")),
                infeasible(8, 2.0, params(0.02, 11, "slow")),
                pruned(9, -0.5, params(0.03, 12, "fast")),
                failed(10, params(0.04, 13, "slow")),
            ],
            space(),
        );
        let names = data.param_names();
        assert_eq!(names, vec!["mode", "period", "stop"]);
        assert_eq!(
            data.readout(0, &names),
            "trial #7 · score 1.2500 · complete · mode=fast, period=10, stop=0.01"
        );
        assert!(data
            .readout(1, &names)
            .contains("infeasible: too few trades"));
        assert!(data
            .readout(2, &names)
            .contains("last score -0.5000 at step 2 · pruned"));
        assert!(data.readout(3, &names).contains("failed: boom"));
        assert_eq!(data.readout(99, &names), "");
    }
}
