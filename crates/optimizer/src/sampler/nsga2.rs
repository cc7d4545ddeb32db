//! NSGA-II (Deb et al. 2002), written from Optuna's `NSGAIISampler` with its defaults:
//! population 50, uniform crossover with probability 0.9 (each parameter from either
//! parent with probability 0.5), parents by binary tournament under constrained domination,
//! mutation of each parameter with probability `1 / n_params` (a uniform redraw), and
//! elitist survival by non-domination rank then crowding distance.
//!
//! Deterministic under the sync window: the generations are the visible complete trials in
//! number order, cut into runs of `population_size` (Optuna assigns a trial to a generation
//! as it starts, which depends on timing). Trial `k` is a child of the parent population
//! selected from the full generations it sees; before the first generation is full it is
//! drawn at random. A child equal to a trial already evaluated is replaced by another child,
//! then by an unevaluated neighbour (see [`SampleContext::untaken`]).

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::random::random_point;
use super::{Observation, Proposal, SampleContext, Sampler};
use crate::error::{OptimizerError, Result};
use crate::pareto::{dominates, nondomination_ranks};
use crate::rng::TrialRng;

/// NSGA-II settings; the defaults are Optuna's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Nsga2Settings {
    pub population_size: u32,
    pub crossover_prob: f64,
    pub swapping_prob: f64,
    /// Each parameter's chance to be redrawn; `None`: `1 / n_params`.
    pub mutation_prob: Option<f64>,
}

impl Default for Nsga2Settings {
    fn default() -> Self {
        Nsga2Settings {
            population_size: 50,
            crossover_prob: 0.9,
            swapping_prob: 0.5,
            mutation_prob: None,
        }
    }
}

impl Nsga2Settings {
    pub(crate) fn validate(&self) -> Result<()> {
        let bad = |field: &str, message: &str| {
            Err(OptimizerError::InvalidSetting {
                field: format!("nsga2.{field}"),
                message: message.into(),
            })
        };
        let is_probability = |p: f64| (0.0..=1.0).contains(&p);
        if self.population_size < 2 {
            return bad("population_size", "must be at least 2");
        }
        if !is_probability(self.crossover_prob) {
            return bad("crossover_prob", "must be in [0, 1]");
        }
        if !is_probability(self.swapping_prob) {
            return bad("swapping_prob", "must be in [0, 1]");
        }
        if self.mutation_prob.is_some_and(|p| !is_probability(p)) {
            return bad("mutation_prob", "must be in [0, 1]");
        }
        Ok(())
    }
}

/// How many further children are bred when the first one was already evaluated.
const SPARE_CHILDREN: usize = 16;

/// The NSGA-II sampler.
#[derive(Clone, Debug)]
pub struct Nsga2Sampler {
    settings: Nsga2Settings,
}

impl Nsga2Sampler {
    pub fn new(settings: Nsga2Settings) -> Result<Nsga2Sampler> {
        settings.validate()?;
        Ok(Nsga2Sampler { settings })
    }

    /// The survivors of `population` (Optuna's elite population selection): whole
    /// non-domination ranks while they fit, then the rest of the last rank by crowding
    /// distance.
    fn select<'a>(&self, population: Vec<&'a Observation>) -> Vec<&'a Observation> {
        let size = self.settings.population_size as usize;
        let losses: Vec<Vec<f64>> = population.iter().map(|o| o.losses.clone()).collect();
        let penalties: Vec<f64> = population.iter().map(|o| o.penalty()).collect();
        let ranks = nondomination_ranks(&losses, Some(&penalties), None);
        let n_ranks = ranks.iter().max().map_or(0, |r| r + 1);
        let mut elite: Vec<&Observation> = Vec::with_capacity(size);
        for rank in 0..n_ranks {
            let mut members: Vec<&Observation> = population
                .iter()
                .zip(&ranks)
                .filter(|(_, r)| **r == rank)
                .map(|(o, _)| *o)
                .collect();
            if elite.len() + members.len() < size {
                elite.extend(members);
            } else {
                crowding_distance_sort(&mut members);
                let n = size - elite.len();
                elite.extend(members.into_iter().take(n));
                break;
            }
        }
        elite
    }

    /// The parent population for a trial that sees `completes` (in number order).
    fn parents<'a>(&self, completes: &[&'a Observation]) -> Vec<&'a Observation> {
        let size = self.settings.population_size as usize;
        let mut parents: Vec<&Observation> = Vec::new();
        for generation in completes.chunks_exact(size) {
            let mut population: Vec<&Observation> = generation.to_vec();
            population.extend(parents);
            parents = self.select(population);
        }
        parents
    }

    fn child(
        &self,
        ctx: &SampleContext<'_>,
        parents: &[&Observation],
        rng: &mut TrialRng,
    ) -> Vec<f64> {
        let domains = ctx.space.domains();
        let mut point: Vec<f64> =
            if rng.uniform() < self.settings.crossover_prob && parents.len() >= 2 {
                let first = tournament(parents, rng);
                let rest: Vec<&Observation> = parents
                    .iter()
                    .copied()
                    .filter(|p| p.number != first.number)
                    .collect();
                let second = tournament(&rest, rng);
                first
                    .point
                    .iter()
                    .zip(&second.point)
                    .map(|(a, b)| {
                        if rng.uniform() >= self.settings.swapping_prob {
                            *b
                        } else {
                            *a
                        }
                    })
                    .collect()
            } else {
                parents[rng.below(parents.len() as u64) as usize]
                    .point
                    .clone()
            };
        let n_active = domains.iter().filter(|d| !d.is_single()).count();
        let mutation_prob = self
            .settings
            .mutation_prob
            .unwrap_or(1.0 / n_active.max(1) as f64);
        let fresh = random_point(ctx.space, rng);
        for (i, domain) in domains.iter().enumerate() {
            if !domain.is_single() && rng.uniform() < mutation_prob {
                point[i] = fresh[i];
            }
        }
        point
    }
}

/// Binary tournament: two members drawn with replacement, the first if it
/// constrained-dominates the second, else the second.
fn tournament<'a>(members: &[&'a Observation], rng: &mut TrialRng) -> &'a Observation {
    let n = members.len() as u64;
    let a = members[rng.below(n) as usize];
    let b = members[rng.below(n) as usize];
    if constrained_dominates(a, b) {
        a
    } else {
        b
    }
}

/// Feasible beats infeasible, the smaller penalty wins between infeasible ones, and Pareto
/// domination decides between feasible ones.
fn constrained_dominates(a: &Observation, b: &Observation) -> bool {
    match (a.penalty() <= 0.0, b.penalty() <= 0.0) {
        (true, true) => dominates(&a.losses, &b.losses),
        (true, false) => true,
        (false, true) => false,
        (false, false) => a.penalty() < b.penalty(),
    }
}

/// Orders `members` by crowding distance, largest first, as Optuna does (a stable sort per
/// objective, then by distance, then reversed).
fn crowding_distance_sort(members: &mut Vec<&Observation>) {
    let n_objectives = members.first().map_or(0, |m| m.losses.len());
    let mut distance: Vec<(u64, f64)> = members.iter().map(|m| (m.number, 0.0)).collect();
    let mut add = |number: u64, gap: f64| {
        if let Some(entry) = distance.iter_mut().find(|(n, _)| *n == number) {
            entry.1 += gap;
        }
    };
    for i in 0..n_objectives {
        members.sort_by(|a, b| {
            a.losses[i]
                .partial_cmp(&b.losses[i])
                .unwrap_or(Ordering::Equal)
        });
        let (Some(first), Some(last)) = (members.first(), members.last()) else {
            continue;
        };
        if first.losses[i] == last.losses[i] {
            continue;
        }
        let mut values = Vec::with_capacity(members.len() + 2);
        values.push(f64::NEG_INFINITY);
        values.extend(members.iter().map(|m| m.losses[i]));
        values.push(f64::INFINITY);
        let v_min = values
            .iter()
            .copied()
            .find(|v| v.is_finite())
            .unwrap_or(0.0);
        let v_max = values
            .iter()
            .rev()
            .copied()
            .find(|v| v.is_finite())
            .unwrap_or(0.0);
        let width = if v_max - v_min > 0.0 {
            v_max - v_min
        } else {
            1.0
        };
        for (j, member) in members.iter().enumerate() {
            let gap = if values[j] == values[j + 2] {
                0.0
            } else {
                values[j + 2] - values[j]
            };
            add(member.number, gap / width);
        }
    }
    let of = |number: u64| {
        distance
            .iter()
            .find(|(n, _)| *n == number)
            .map_or(0.0, |(_, d)| *d)
    };
    members.sort_by(|a, b| of(a.number).total_cmp(&of(b.number)));
    members.reverse();
}

impl Sampler for Nsga2Sampler {
    fn sample(&self, ctx: &SampleContext<'_>, rng: &mut TrialRng) -> Proposal {
        let completes: Vec<&Observation> = ctx
            .visible
            .iter()
            .filter(|o| o.is_complete && !o.losses.is_empty())
            .collect();
        let parents = self.parents(&completes);
        let point = if parents.is_empty() {
            let first = random_point(ctx.space, rng);
            ctx.untaken(first, std::iter::empty(), rng)
        } else {
            let first = self.child(ctx, &parents, rng);
            if (ctx.taken)(&first) {
                let spares: Vec<Vec<f64>> = (0..SPARE_CHILDREN)
                    .map(|_| self.child(ctx, &parents, rng))
                    .collect();
                ctx.untaken(first, spares, rng)
            } else {
                first
            }
        };
        Proposal::Params(ctx.space.params_from_internal(&point))
    }
}
