//! The sampler-overhead workload behind `genesis bench` (SPEC §9: under 0.5 ms per trial at
//! 1,000 TPE trials).
//!
//! An 8-parameter space shaped like the `genesis` strategy's (stepped floats, an int, a
//! log-scaled float, a categorical) and a synthetic objective that costs next to nothing,
//! so the time of a run is the study's own: sampling, pruning thresholds, duplicate checks
//! and journaling. The crate never reads the clock: the caller times
//! [`sampler_overhead`](crate::bench::sampler_overhead) (see `examples/sampler_overhead.rs`).

use crate::driver::run_serial;
use crate::error::Result;
use crate::journal::MemoryJournal;
use crate::param::Params;
use crate::sampler::{SamplerSettings, TpeSettings};
use crate::settings::{Direction, StopPolicy, StudySettings};
use crate::signature::SignatureInputs;
use crate::space::SearchSpace;
use crate::study::{Study, StudySpec};
use crate::trial::TrialOutcome;

/// The benchmark's search space.
pub const BENCH_SPACE_YAML: &str = "
thresholds:
  entry_conf_overall: {type: float, low: 0.25, high: 0.65, step: 0.01}
  regime_proba:
    trend: {type: float, low: 0.4, high: 0.8, step: 0.01}
    balanced: {type: float, low: 0.5, high: 0.9}
exit_conf_threshold: {type: float, low: 0.3, high: 0.6, step: 0.01}
max_hold_bars: {type: int, low: 5, high: 60}
risk_scale: {type: loguniform, low: 0.001, high: 0.1}
htf_exit_config:
  trail_atr_multiplier: {type: float, low: 1.5, high: 3.5, step: 0.05}
  mode: {type: categorical, choices: [atr, percent, chandelier]}
";

/// The benchmark's space, parsed.
pub fn bench_space() -> Result<SearchSpace> {
    SearchSpace::from_yaml_str(BENCH_SPACE_YAML)
}

/// A cheap objective with an interior optimum: a negated, shifted sphere over the numeric
/// parameters plus a bonus for one choice.
pub fn synthetic_objective(params: &Params) -> f64 {
    let target = [
        ("thresholds.entry_conf_overall", 0.41),
        ("thresholds.regime_proba.trend", 0.63),
        ("thresholds.regime_proba.balanced", 0.72),
        ("exit_conf_threshold", 0.44),
        ("max_hold_bars", 23.0),
        ("htf_exit_config.trail_atr_multiplier", 2.35),
    ];
    let mut value = 0.0;
    for (path, centre) in target {
        let x = params.get(path).and_then(|v| v.as_f64()).unwrap_or(centre);
        let scale = if path == "max_hold_bars" { 10.0 } else { 0.1 };
        let d = (x - centre) / scale;
        value -= d * d;
    }
    if let Some(risk) = params.get("risk_scale").and_then(|v| v.as_f64()) {
        let d = libm::log10(risk / 0.01);
        value -= d * d;
    }
    if params
        .get("htf_exit_config.mode")
        .map(|v| v.to_string())
        .as_deref()
        == Some("chandelier")
    {
        value += 0.5;
    }
    value
}

/// What a workload run did (for the caller to check it ran what it should).
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadReport {
    pub n_trials: usize,
    pub n_duplicates: usize,
    pub best_value: f64,
}

/// A TPE study of `n_trials` evaluated trials on the benchmark space, in memory.
pub fn bench_study(n_trials: u64, multivariate: bool, seed: u64) -> Result<Study<MemoryJournal>> {
    let settings = StudySettings {
        sampler: SamplerSettings::Tpe(TpeSettings {
            multivariate,
            ..TpeSettings::default()
        }),
        ..StudySettings::new(seed)
    };
    study_with(settings, n_trials)
}

fn study_with(settings: StudySettings, n_trials: u64) -> Result<Study<MemoryJournal>> {
    let spec = StudySpec {
        name: "sampler-overhead".into(),
        space: bench_space()?,
        settings,
        signature_inputs: SignatureInputs::default(),
        metadata: serde_json::Value::Null,
    };
    let mut study = Study::create(spec, MemoryJournal::new())?;
    study.set_stop_policy(StopPolicy {
        max_trials: Some(n_trials),
        ..StopPolicy::default()
    });
    Ok(study)
}

/// The synthetic objective's outcome for a ticket.
pub fn synthetic_outcome(params: &Params) -> TrialOutcome {
    TrialOutcome::Complete {
        value: synthetic_objective(params),
        values: Vec::new(),
        intermediate: Vec::new(),
        constraint_violations: Vec::new(),
        user_attrs: Default::default(),
    }
}

/// A second, conflicting objective for the multi-objective workloads (to minimise): how far
/// the numeric parameters sit from their ranges' low ends, which the first objective's
/// interior optimum pulls them away from.
pub fn synthetic_cost(params: &Params) -> f64 {
    [
        ("thresholds.entry_conf_overall", 0.25, 0.4),
        ("thresholds.regime_proba.trend", 0.4, 0.4),
        ("exit_conf_threshold", 0.3, 0.3),
        ("max_hold_bars", 5.0, 55.0),
    ]
    .iter()
    .map(|(path, low, range)| {
        params
            .get(*path)
            .and_then(|v| v.as_f64())
            .map_or(0.0, |x| (x - low) / range)
    })
    .sum()
}

/// Runs [`bench_study`] to its end, one trial at a time. Time it to get the sampler
/// overhead per trial.
pub fn sampler_overhead(n_trials: u64, multivariate: bool, seed: u64) -> Result<WorkloadReport> {
    let study = bench_study(n_trials, multivariate, seed)?;
    run_to_end(study, synthetic_outcome)
}

/// A two-objective study (the synthetic objective, maximised, against [`synthetic_cost`],
/// minimised) with `sampler` run to `n_trials` evaluated trials, one at a time: the
/// multi-objective samplers' overhead per trial.
pub fn multi_objective_overhead(
    n_trials: u64,
    sampler: SamplerSettings,
    seed: u64,
) -> Result<WorkloadReport> {
    let settings = StudySettings {
        sampler,
        directions: vec![Direction::Maximize, Direction::Minimize],
        ..StudySettings::new(seed)
    };
    let study = study_with(settings, n_trials)?;
    run_to_end(study, |params| TrialOutcome::Complete {
        value: synthetic_objective(params),
        values: vec![synthetic_objective(params), synthetic_cost(params)],
        intermediate: Vec::new(),
        constraint_violations: Vec::new(),
        user_attrs: Default::default(),
    })
}

fn run_to_end(
    mut study: Study<MemoryJournal>,
    outcome: impl Fn(&Params) -> TrialOutcome,
) -> Result<WorkloadReport> {
    run_serial(&mut study, |ticket| outcome(&ticket.params), || 0)?;
    let trials: Vec<_> = study.trials().collect();
    Ok(WorkloadReport {
        n_trials: trials.iter().filter(|t| t.duplicate_of.is_none()).count(),
        n_duplicates: trials.iter().filter(|t| t.duplicate_of.is_some()).count(),
        best_value: trials
            .iter()
            .filter_map(|t| t.value)
            .fold(f64::NEG_INFINITY, f64::max),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workload_runs_its_budget_below_the_objective_maximum() {
        // The objective's maximum is 0.5: every squared distance zero plus the
        // `chandelier` bonus.
        for multivariate in [true, false] {
            let report = sampler_overhead(30, multivariate, 1).unwrap();
            assert_eq!(report.n_trials, 30);
            assert!(report.best_value.is_finite() && report.best_value <= 0.5);
        }
        for sampler in [
            SamplerSettings::Tpe(TpeSettings::default()),
            SamplerSettings::Nsga2(crate::sampler::Nsga2Settings::default()),
        ] {
            let report = multi_objective_overhead(120, sampler, 1).unwrap();
            assert_eq!(report.n_trials, 120);
            assert_eq!(report.n_duplicates, 0);
        }
    }
}
