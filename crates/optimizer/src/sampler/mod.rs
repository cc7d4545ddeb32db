//! Samplers: given what a trial may see, propose its parameters.
//!
//! A sampler holds no mutable state. Each call gets an explicit [`SampleContext`](crate::sampler::SampleContext) (the
//! search space, the trial number, the finished trials it may see and the points of the
//! trials still running from its point of view) and the trial's own random stream. The
//! study decides what is visible (see `study` for the sync window), so a sampler's answer
//! depends on nothing but the journal.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::param::Params;
use crate::rng::TrialRng;
use crate::space::{Domain, SearchSpace};

/// Enumerates grid, categorical and stepped leaves in a seeded order.
pub mod grid;
/// NSGA-II, the non-dominated sorting genetic algorithm.
pub mod nsga2;
/// Independent uniform draws.
pub mod random;
/// Tree-structured Parzen Estimator.
pub mod tpe;

pub use grid::GridSampler;
pub use nsga2::{Nsga2Sampler, Nsga2Settings};
pub use random::RandomSampler;
pub use tpe::{Bandwidth, TpeSampler, TpeSettings};

/// How a finished trial ranks for the samplers' "good versus bad" split and for summaries.
///
/// Better first: complete feasible trials by value (higher is better); then pruned trials by
/// the step they reached (further is better), then their last intermediate value; then
/// infeasible trials by their number of violated constraints (fewer is better), then value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rank {
    Feasible {
        value: f64,
    },
    Pruned {
        /// The last reported `(step, value)`, if any.
        last: Option<(u64, f64)>,
    },
    Infeasible {
        n_violations: usize,
        value: f64,
    },
}

impl Rank {
    /// Orders two ranks, better first (`Less` means `self` ranks above `other`).
    pub fn better_first(&self, other: &Rank) -> Ordering {
        fn class(rank: &Rank) -> u8 {
            match rank {
                Rank::Feasible { .. } => 0,
                Rank::Pruned { .. } => 1,
                Rank::Infeasible { .. } => 2,
            }
        }
        match (self, other) {
            (Rank::Feasible { value: a }, Rank::Feasible { value: b }) => b.total_cmp(a),
            (Rank::Pruned { last: a }, Rank::Pruned { last: b }) => match (a, b) {
                (Some((sa, va)), Some((sb, vb))) => sb.cmp(sa).then(vb.total_cmp(va)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            (
                Rank::Infeasible {
                    n_violations: na,
                    value: va,
                },
                Rank::Infeasible {
                    n_violations: nb,
                    value: vb,
                },
            ) => na.cmp(nb).then(vb.total_cmp(va)),
            _ => class(self).cmp(&class(other)),
        }
    }
}

/// A finished trial a sampler or pruner may see: complete or pruned, never failed and never
/// a duplicate (a duplicate adds no information, and counting it would pull the sampler
/// back to the same point).
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub number: u64,
    /// The trial's point in sampler coordinates, one per parameter of the space.
    pub point: Vec<f64>,
    pub rank: Rank,
    /// Intermediate values `(step, value)` in step order.
    pub intermediate: Vec<(u64, f64)>,
    /// Whether the trial completed (as opposed to being pruned).
    pub is_complete: bool,
    /// A complete trial's objectives as losses (lower is better): one per objective of a
    /// multi-objective study, the negated value of a single-objective one; empty for a
    /// pruned trial.
    pub losses: Vec<f64>,
}

impl Observation {
    /// How far a complete trial is from feasible: its number of violated constraints (as
    /// the Optuna export's constraint values add up); 0 for a feasible or pruned one.
    pub fn penalty(&self) -> f64 {
        match self.rank {
            Rank::Infeasible { n_violations, .. } => n_violations as f64,
            Rank::Feasible { .. } | Rank::Pruned { .. } => 0.0,
        }
    }
}

/// What a sampler sees when proposing trial `trial_number`.
#[derive(Clone, Copy)]
pub struct SampleContext<'a> {
    pub space: &'a SearchSpace,
    pub trial_number: u64,
    /// The visible finished trials, in trial-number order.
    pub visible: &'a [Observation],
    /// Points of the trials that are running from this trial's point of view (for the
    /// constant liar), in trial-number order.
    pub running: &'a [&'a [f64]],
    /// Whether a point (in sampler coordinates) equals that of an evaluated or running
    /// trial numbered below this one: what a sampler avoids proposing.
    pub taken: &'a dyn Fn(&[f64]) -> bool,
    /// The number of objectives (1 for a single-objective study).
    pub n_objectives: usize,
}

/// How hard a sampler looks for an untaken point before it gives up and proposes a taken
/// one (which the study records as a duplicate).
const MAX_FRESH_DRAWS: usize = 64;

/// The largest finite space [`SampleContext::untaken`] scans point by point when nothing
/// nearer is free.
const MAX_SCAN: u64 = 1 << 18;

impl SampleContext<'_> {
    /// `point` if it is not taken; otherwise the first untaken of `alternatives` (a
    /// sampler's next-best candidates, in its order of preference), then the nearest
    /// untaken neighbour on the lines through `point` along its discrete and categorical
    /// coordinates (distance 1 before 2, coordinates in order, down before up), then up to
    /// 64 uniform draws, then (in a finite space of at most 2^18
    /// points) every point in order from a random start. Only when all of these are taken
    /// is `point` returned as it is. Deterministic: it depends on the context and `rng`
    /// alone.
    pub fn untaken(
        &self,
        point: Vec<f64>,
        alternatives: impl IntoIterator<Item = Vec<f64>>,
        rng: &mut TrialRng,
    ) -> Vec<f64> {
        if !(self.taken)(&point) {
            return point;
        }
        if let Some(fresh) = alternatives.into_iter().find(|p| !(self.taken)(p)) {
            return fresh;
        }
        if let Some(fresh) = self.untaken_neighbour(&point) {
            return fresh;
        }
        for _ in 0..MAX_FRESH_DRAWS {
            let fresh = random::random_point(self.space, rng);
            if !(self.taken)(&fresh) {
                return fresh;
            }
        }
        if let Some(n) = self.space.n_points().filter(|n| *n <= MAX_SCAN) {
            let start = rng.below(n);
            let free = (0..n)
                .filter_map(|i| self.space.nth_point((start + i) % n))
                .find(|p| !(self.taken)(p));
            if let Some(fresh) = free {
                return fresh;
            }
        }
        point
    }

    fn untaken_neighbour(&self, point: &[f64]) -> Option<Vec<f64>> {
        let domains = self.space.domains();
        let max_index = |d: &Domain| match *d {
            Domain::Discrete { max_index } => Some(max_index as f64),
            Domain::Categorical { n_choices } => Some(n_choices.saturating_sub(1) as f64),
            Domain::Continuous { .. } => None,
        };
        let widest = domains.iter().filter_map(max_index).fold(0.0, f64::max);
        let mut distance = 1.0;
        let mut candidate = point.to_vec();
        while distance <= widest {
            for (i, domain) in domains.iter().enumerate() {
                let Some(top) = max_index(domain) else {
                    continue;
                };
                for x in [point[i] - distance, point[i] + distance] {
                    if (0.0..=top).contains(&x) {
                        candidate[i] = x;
                        if !(self.taken)(&candidate) {
                            return Some(candidate);
                        }
                    }
                }
                candidate[i] = point[i];
            }
            distance += 1.0;
        }
        None
    }
}

/// A sampler's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Proposal {
    Params(Params),
    /// Nothing is left to propose (the grid is exhausted).
    Exhausted {
        message: String,
    },
}

/// A sampling algorithm. Implementations keep no mutable state: everything they use comes
/// from the context and the trial's random stream.
pub trait Sampler: Send + Sync {
    fn sample(&self, ctx: &SampleContext<'_>, rng: &mut TrialRng) -> Proposal;
}

/// Which sampler a study uses, with its settings. Part of the resume signature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SamplerSettings {
    Grid,
    Random,
    Tpe(TpeSettings),
    Nsga2(Nsga2Settings),
}

impl Default for SamplerSettings {
    fn default() -> Self {
        SamplerSettings::Tpe(TpeSettings::default())
    }
}

impl SamplerSettings {
    /// Builds the sampler for `space`; fails when the settings are out of range or the grid
    /// sampler meets a continuous parameter.
    pub fn build(&self, space: &SearchSpace, seed: u64) -> Result<Box<dyn Sampler>> {
        Ok(match self {
            SamplerSettings::Grid => Box::new(GridSampler::new(space, seed)?),
            SamplerSettings::Random => Box::new(RandomSampler),
            SamplerSettings::Tpe(settings) => Box::new(TpeSampler::new(settings.clone())?),
            SamplerSettings::Nsga2(settings) => Box::new(Nsga2Sampler::new(settings.clone())?),
        })
    }

    /// Refuses settings out of range, naming the setting.
    pub(crate) fn validate(&self) -> Result<()> {
        match self {
            SamplerSettings::Tpe(settings) => settings.validate(),
            SamplerSettings::Nsga2(settings) => settings.validate(),
            SamplerSettings::Grid | SamplerSettings::Random => Ok(()),
        }
    }
}
