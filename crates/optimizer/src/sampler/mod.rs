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
use crate::space::SearchSpace;

/// Enumerates grid, categorical and stepped leaves in a seeded order.
pub mod grid;
/// Independent uniform draws.
pub mod random;
/// Tree-structured Parzen Estimator.
pub mod tpe;

pub use grid::GridSampler;
pub use random::RandomSampler;
pub use tpe::{TpeSampler, TpeSettings};

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
}

/// What a sampler sees when proposing trial `trial_number`.
#[derive(Clone, Copy, Debug)]
pub struct SampleContext<'a> {
    pub space: &'a SearchSpace,
    pub trial_number: u64,
    /// The visible finished trials, in trial-number order.
    pub visible: &'a [Observation],
    /// Points of the trials that are running from this trial's point of view (for the
    /// constant liar), in trial-number order.
    pub running: &'a [&'a [f64]],
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
        })
    }
}
