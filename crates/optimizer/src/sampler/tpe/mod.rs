//! TPE, the Tree-structured Parzen Estimator (Bergstra et al. 2011), written from Optuna's
//! `TPESampler` and `_ParzenEstimator`.
//!
//! For trial `k`, with `n` visible finished trials:
//! 1. **Startup**: while `n < n_startup_trials`, sample at random.
//! 2. **Split at gamma**: rank the visible trials (complete feasible by value, then pruned by
//!    the step they reached and their last value, then infeasible by number of violations
//!    and value; failed trials are never visible) and put the best
//!    `min(ceil(gamma_fraction * n), gamma_cap)` below, the rest above. With the constant
//!    liar, trials running from `k`'s point of view join the above set: they count as the
//!    worst, which keeps parallel trials from piling onto the same point.
//! 3. **Parzen estimators**: `l(x)` from the below set and `g(x)` from the above set (see
//!    [`parzen`](crate::sampler::tpe::parzen) for kernels, bandwidths and weights).
//! 4. **EI candidates**: draw `n_ei_candidates` points from `l` and keep the one maximising
//!    `ln l(x) - ln g(x)`, the first on ties.
//! 5. **A new point**: a winner equal to a trial already evaluated or running gives way to
//!    the next best distinct candidate, then to an unevaluated neighbour (see
//!    [`SampleContext::untaken`](crate::sampler::SampleContext::untaken)); startup draws
//!    likewise.
//!
//! With several objectives, step 2 ranks the complete feasible trials by non-domination rank
//! (the rank that does not fit whole is cut by hypervolume contribution), the good set has
//! `ceil(gamma_fraction * n)` trials without the cap and weighs its observations equally,
//! as Optuna 5's multi-objective TPE does.
//!
//! In multivariate mode steps 3 and 4 run once over all parameters jointly; in independent
//! mode once per parameter, each with its own candidates, in parameter order. Parameters
//! that can take one value only are set directly.

use serde::{Deserialize, Serialize};

use super::random::random_point;
use super::{Observation, Proposal, Rank, SampleContext, Sampler};
use crate::error::{OptimizerError, Result};
use crate::math::log_sum_exp_bounded;
use crate::pareto::{hypervolume_subset, nondomination_ranks, reference_point};
use crate::rng::TrialRng;
use crate::space::Domain;

/// Parzen estimators and their sampling.
pub mod parzen;

use parzen::ParzenEstimator;

/// TPE settings; the defaults are Optuna's except `multivariate` and `constant_liar`, which
/// the old system ran with (and which suit parallel workers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TpeSettings {
    /// Random trials before TPE takes over (counting visible complete and pruned trials).
    pub n_startup_trials: u32,
    /// Candidates drawn from `l(x)` per sampling step.
    pub n_ei_candidates: u32,
    /// The below set is `min(ceil(gamma_fraction * n), gamma_cap)` trials.
    pub gamma_fraction: f64,
    pub gamma_cap: u32,
    /// One joint estimator over all parameters instead of one per parameter.
    pub multivariate: bool,
    /// Count running trials as the worst when splitting.
    pub constant_liar: bool,
    /// Weight of the prior kernel in the mixture.
    pub prior_weight: f64,
    /// Clip bandwidths from below at `range / min(100, n + 2)`.
    pub consider_magic_clip: bool,
    /// Let the outermost kernels use the gap to the domain's end.
    pub consider_endpoints: bool,
    /// How the numerical kernels' bandwidths are set (see [`Bandwidth`]). A study whose
    /// journal names none was made before the choice existed and keeps Optuna 3's rule, so
    /// it resumes exactly as it ran.
    #[serde(
        default = "Bandwidth::legacy",
        skip_serializing_if = "Bandwidth::is_legacy"
    )]
    pub bandwidth: Bandwidth,
}

/// The rule for the bandwidths of numerical kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bandwidth {
    /// Optuna 3's: in multivariate mode one width for every kernel,
    /// `0.2 * n^(-1 / (d + 4)) * range`; in independent mode each observation's larger gap
    /// to its sorted neighbours, the prior's centre among them.
    Optuna3,
    /// Optuna 5's, in both modes: each observation's larger gap to its sorted neighbours,
    /// the range's ends as the outer neighbours. Narrower kernels where observations crowd,
    /// so the good region is sampled more closely (the side-by-side in `cargo xtask bench`
    /// measured the difference over a dozen genesis parameters).
    Optuna5,
}

impl Bandwidth {
    fn legacy() -> Bandwidth {
        Bandwidth::Optuna3
    }

    fn is_legacy(&self) -> bool {
        *self == Bandwidth::Optuna3
    }
}

impl Default for TpeSettings {
    fn default() -> Self {
        TpeSettings {
            n_startup_trials: 10,
            n_ei_candidates: 24,
            gamma_fraction: 0.1,
            gamma_cap: 25,
            multivariate: true,
            constant_liar: true,
            prior_weight: 1.0,
            consider_magic_clip: true,
            consider_endpoints: false,
            bandwidth: Bandwidth::Optuna5,
        }
    }
}

impl TpeSettings {
    pub(crate) fn validate(&self) -> Result<()> {
        let bad = |field: &str, message: &str| {
            Err(OptimizerError::InvalidSetting {
                field: format!("tpe.{field}"),
                message: message.into(),
            })
        };
        if self.n_ei_candidates == 0 {
            return bad("n_ei_candidates", "must be at least 1");
        }
        if !(self.gamma_fraction > 0.0 && self.gamma_fraction <= 1.0) {
            return bad("gamma_fraction", "must be in (0, 1]");
        }
        if !(self.prior_weight.is_finite() && self.prior_weight > 0.0) {
            return bad("prior_weight", "must be a positive number");
        }
        Ok(())
    }

    /// The size of the below set for `n` visible trials (Optuna's `default_gamma`).
    pub fn n_below(&self, n: usize) -> usize {
        let below = libm::ceil(self.gamma_fraction * n as f64) as usize;
        below.min(self.gamma_cap as usize).min(n)
    }
}

/// The TPE sampler.
#[derive(Clone, Debug)]
pub struct TpeSampler {
    settings: TpeSettings,
}

impl TpeSampler {
    /// A TPE sampler; fails when a setting is out of range.
    pub fn new(settings: TpeSettings) -> Result<TpeSampler> {
        settings.validate()?;
        Ok(TpeSampler { settings })
    }

    /// Steps 3 and 4 over `dims`: the candidates drawn from `l(x)` and the winner.
    fn draw(&self, dims: &[(usize, Domain)], split: &Split<'_>, rng: &mut TrialRng) -> Drawn {
        let mut l = ParzenEstimator::build(&split.below, dims, &self.settings, split.uniform_below);
        let mut g = ParzenEstimator::build(&split.above, dims, &self.settings, false);
        let n_candidates = self.settings.n_ei_candidates as usize;
        let candidates = l.sample(rng, n_candidates);
        let width = dims.len().max(1);
        // Stepped and categorical candidates often repeat; each distinct point is
        // evaluated once.
        let rows: Vec<&[f64]> = candidates.chunks(width).collect();
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| compare_rows(rows[a], rows[b]).then(a.cmp(&b)));
        let mut unique: Vec<f64> = Vec::with_capacity(candidates.len());
        let mut unique_of = vec![0usize; rows.len()];
        let mut n_unique = 0;
        for (k, &i) in order.iter().enumerate() {
            let is_new = k == 0 || compare_rows(rows[order[k - 1]], rows[i]).is_ne();
            if is_new {
                unique.extend_from_slice(rows[i]);
                n_unique += 1;
            }
            unique_of[i] = n_unique - 1;
        }
        let log_l = l.log_pdf(&unique);
        let best = best_candidate(&mut g, &unique, &log_l, &unique_of, width);
        Drawn {
            candidates,
            width,
            unique,
            unique_of,
            log_l,
            g,
            best,
        }
    }
}

/// The candidates of one sampling step and the one that won.
struct Drawn {
    /// Row-major, `width` coordinates each.
    candidates: Vec<f64>,
    width: usize,
    /// The distinct candidates, row-major, and which one each candidate is.
    unique: Vec<f64>,
    unique_of: Vec<usize>,
    log_l: Vec<f64>,
    g: ParzenEstimator,
    /// The winner's index among `candidates`.
    best: usize,
}

impl Drawn {
    fn row(&self, i: usize) -> &[f64] {
        &self.candidates[i * self.width..(i + 1) * self.width]
    }

    /// The distinct candidates other than the winner, best score first (the first drawn on
    /// ties): where a sampler looks when the winner was already evaluated.
    fn runners_up(&mut self) -> Vec<usize> {
        let log_g = self.g.log_pdf(&self.unique);
        let mut first_index = vec![usize::MAX; self.log_l.len()];
        for (i, &u) in self.unique_of.iter().enumerate() {
            first_index[u] = first_index[u].min(i);
        }
        let score = |u: usize| self.log_l[u] - log_g[u];
        let mut order: Vec<usize> = (0..self.log_l.len()).collect();
        order.sort_by(|&a, &b| {
            score(b)
                .total_cmp(&score(a))
                .then(first_index[a].cmp(&first_index[b]))
        });
        let winner = self.unique_of.get(self.best).copied();
        order
            .into_iter()
            .filter(|&u| Some(u) != winner)
            .map(|u| first_index[u])
            .collect()
    }
}

/// The good (`below`) and bad (`above`) sets' points, each in trial-number order.
struct Split<'a> {
    below: Vec<&'a [f64]>,
    above: Vec<&'a [f64]>,
    /// The good set's observations weigh the same (multi-objective, as Optuna 5 does).
    uniform_below: bool,
}

/// The index (among the original candidates) maximising `ln l(x) - ln g(x)`, the first on
/// ties: exactly what evaluating `g` at every candidate would pick, for less work.
///
/// `ln g(x)` is at least its largest log term, so `ln l(x) - max_term` bounds a candidate's
/// score from above. Candidates are taken by decreasing bound; once a bound falls below the
/// best exact score, no later candidate can win, and a candidate whose partial sum already
/// makes its score fall short (by a margin well above rounding) is dropped mid-sum. The
/// winner's `ln g` is always summed in full, in the usual order.
fn best_candidate(
    g: &mut ParzenEstimator,
    unique: &[f64],
    log_l: &[f64],
    unique_of: &[usize],
    width: usize,
) -> usize {
    let n_unique = log_l.len();
    let n_components = g.n_components();
    let mut terms = vec![0.0; n_unique * n_components];
    let mut max_term = vec![f64::NEG_INFINITY; n_unique];
    for (u, point) in unique.chunks(width).enumerate() {
        let row = &mut terms[u * n_components..(u + 1) * n_components];
        g.log_terms(point, row);
        max_term[u] = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    }
    let mut first_index = vec![usize::MAX; n_unique];
    for (i, &u) in unique_of.iter().enumerate() {
        first_index[u] = first_index[u].min(i);
    }
    let upper = |u: usize| log_l[u] - max_term[u];
    let mut by_bound: Vec<usize> = (0..n_unique).collect();
    by_bound.sort_by(|&a, &b| {
        upper(b)
            .total_cmp(&upper(a))
            .then(first_index[a].cmp(&first_index[b]))
    });
    // (score, first original index) of the best candidate so far.
    let mut best: Option<(f64, usize)> = None;
    for u in by_bound {
        let bound = match best {
            Some((score, _)) if upper(u) < score => break,
            Some((score, _)) => libm::exp(log_l[u] - score - max_term[u]) * (1.0 + 1e-9),
            None => f64::INFINITY,
        };
        let row = &terms[u * n_components..(u + 1) * n_components];
        let Some(log_g) = log_sum_exp_bounded(row, max_term[u], bound) else {
            continue;
        };
        let score = log_l[u] - log_g;
        let is_better = match best {
            None => !score.is_nan(),
            Some((s, i)) => score > s || (score == s && first_index[u] < i),
        };
        if is_better {
            best = Some((score, first_index[u]));
        }
    }
    best.map_or(0, |(_, i)| i)
}

fn compare_rows(a: &[f64], b: &[f64]) -> std::cmp::Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.total_cmp(y))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

impl TpeSampler {
    /// The indices of the visible trials in the good set (Optuna's `_split_trials`): the
    /// best `n_below` complete feasible trials (by value, or with several objectives by
    /// non-domination rank with the last rank cut by hypervolume contribution), then pruned
    /// trials by the step they reached, then infeasible ones by their penalty.
    fn below_indices(&self, visible: &[Observation], n_objectives: usize) -> Vec<usize> {
        let n = visible.len();
        if n_objectives <= 1 {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| {
                visible[a]
                    .rank
                    .better_first(&visible[b].rank)
                    .then(visible[a].number.cmp(&visible[b].number))
            });
            order.truncate(self.settings.n_below(n));
            return order;
        }
        // Optuna's `default_gamma_multiobjective`: no cap.
        let mut n_below = (libm::ceil(self.settings.gamma_fraction * n as f64) as usize).min(n);
        let feasible: Vec<usize> = (0..n)
            .filter(|&i| matches!(visible[i].rank, Rank::Feasible { .. }))
            .collect();
        let mut below = below_by_front(visible, &feasible, n_below.min(feasible.len()));
        n_below -= below.len();
        let mut rest: Vec<usize> = (0..n)
            .filter(|&i| !(matches!(visible[i].rank, Rank::Feasible { .. })))
            .collect();
        rest.sort_by(|&a, &b| {
            visible[a]
                .rank
                .better_first(&visible[b].rank)
                .then(visible[a].number.cmp(&visible[b].number))
        });
        below.extend(rest.into_iter().take(n_below));
        below
    }
}

/// The best `n_below` of the feasible trials `feasible` by non-domination rank; the rank
/// that does not fit whole gives the members that add the most hypervolume.
fn below_by_front(visible: &[Observation], feasible: &[usize], n_below: usize) -> Vec<usize> {
    if n_below == 0 {
        return Vec::new();
    }
    if n_below >= feasible.len() {
        return feasible.to_vec();
    }
    let losses: Vec<Vec<f64>> = feasible
        .iter()
        .map(|&i| visible[i].losses.clone())
        .collect();
    let ranks = nondomination_ranks(&losses, None, Some(n_below));
    let max_rank = ranks.iter().copied().max().unwrap_or(0);
    let mut counts = vec![0usize; max_rank + 1];
    for &r in &ranks {
        counts[r] += 1;
    }
    let mut whole = 0;
    let mut last_whole: Option<usize> = None;
    for (rank, &count) in counts.iter().enumerate() {
        if whole + count > n_below {
            break;
        }
        whole += count;
        last_whole = Some(rank);
    }
    let is_whole = |r: usize| last_whole.is_some_and(|last| r <= last);
    let mut below: Vec<usize> = (0..feasible.len())
        .filter(|&j| is_whole(ranks[j]))
        .collect();
    if below.len() < n_below {
        let tie_rank = last_whole.map_or(0, |r| r + 1);
        let tied: Vec<usize> = (0..feasible.len())
            .filter(|&j| ranks[j] == tie_rank)
            .collect();
        let tied_losses: Vec<Vec<f64>> = tied.iter().map(|&j| losses[j].clone()).collect();
        let reference = reference_point(&tied_losses);
        below.extend(hypervolume_subset(
            &tied_losses,
            &tied,
            n_below - below.len(),
            &reference,
        ));
    }
    below.into_iter().map(|j| feasible[j]).collect()
}

impl Sampler for TpeSampler {
    fn sample(&self, ctx: &SampleContext<'_>, rng: &mut TrialRng) -> Proposal {
        let visible = ctx.visible;
        let n = visible.len();
        if n < self.settings.n_startup_trials as usize {
            let first = random_point(ctx.space, rng);
            let point = ctx.untaken(first, std::iter::empty(), rng);
            return Proposal::Params(ctx.space.params_from_internal(&point));
        }
        let mut is_below = vec![false; n];
        for i in self.below_indices(visible, ctx.n_objectives) {
            is_below[i] = true;
        }
        // Visible trials are in number order, so both sets are too, which the weights'
        // recency ramp relies on.
        let mut split = Split {
            below: Vec::new(),
            above: Vec::new(),
            uniform_below: ctx.n_objectives > 1,
        };
        for (observation, below) in visible.iter().zip(&is_below) {
            if *below {
                split.below.push(observation.point.as_slice());
            } else {
                split.above.push(observation.point.as_slice());
            }
        }
        if self.settings.constant_liar {
            split.above.extend(ctx.running.iter().copied());
        }

        let domains = ctx.space.domains();
        let mut point: Vec<f64> = domains
            .iter()
            .map(|d| match *d {
                Domain::Continuous { low, .. } => low,
                Domain::Discrete { .. } | Domain::Categorical { .. } => 0.0,
            })
            .collect();
        let active: Vec<(usize, Domain)> = domains
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.is_single())
            .map(|(i, d)| (i, *d))
            .collect();
        let set = |point: &mut [f64], dims: &[(usize, Domain)], row: &[f64]| {
            for (&(coordinate, _), &x) in dims.iter().zip(row) {
                if let Some(slot) = point.get_mut(coordinate) {
                    *slot = x;
                }
            }
        };
        let mut spares: Vec<Vec<f64>> = Vec::new();
        if self.settings.multivariate {
            if !active.is_empty() {
                let mut drawn = self.draw(&active, &split, rng);
                set(&mut point, &active, drawn.row(drawn.best));
                if (ctx.taken)(&point) {
                    for i in drawn.runners_up() {
                        let mut spare = point.clone();
                        set(&mut spare, &active, drawn.row(i));
                        spares.push(spare);
                    }
                }
            }
        } else {
            for dim in &active {
                let dims = std::slice::from_ref(dim);
                let drawn = self.draw(dims, &split, rng);
                set(&mut point, dims, drawn.row(drawn.best));
            }
        }
        let point = ctx.untaken(point, spares, rng);
        Proposal::Params(ctx.space.params_from_internal(&point))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_candidate_search_picks_what_full_evaluation_picks() {
        let dims = [
            (
                0,
                Domain::Continuous {
                    low: 0.0,
                    high: 1.0,
                },
            ),
            (1, Domain::Discrete { max_index: 20 }),
            (2, Domain::Categorical { n_choices: 3 }),
        ];
        for seed in 0..40u64 {
            let settings = TpeSettings {
                multivariate: seed % 2 == 0,
                ..TpeSettings::default()
            };
            let mut rng = TrialRng::new(seed, 0);
            // Observations clustered around a seed-dependent centre, as late in a study.
            let centre = rng.uniform();
            let points: Vec<Vec<f64>> = (0..300)
                .map(|_| {
                    vec![
                        (centre + 0.2 * (rng.uniform() - 0.5)).clamp(0.0, 1.0),
                        rng.below(21) as f64,
                        rng.below(3) as f64,
                    ]
                })
                .collect();
            let refs: Vec<&[f64]> = points.iter().map(Vec::as_slice).collect();
            let (below, above) = refs.split_at(25);
            let mut l = ParzenEstimator::build(below, &dims, &settings, false);
            let mut g = ParzenEstimator::build(above, &dims, &settings, false);
            let candidates = l.sample(&mut rng, 24);
            let log_l = l.log_pdf(&candidates);
            let log_g = g.log_pdf(&candidates);
            let mut full = 0;
            for i in 0..log_l.len() {
                if log_l[i] - log_g[i] > log_l[full] - log_g[full] {
                    full = i;
                }
            }
            let identity: Vec<usize> = (0..log_l.len()).collect();
            assert_eq!(
                best_candidate(&mut g, &candidates, &log_l, &identity, 3),
                full,
                "seed {seed}"
            );
        }
    }

    #[test]
    fn a_study_recorded_before_the_bandwidth_choice_keeps_optuna_3s_rule() {
        let recorded = serde_json::json!({"n_startup_trials": 10, "multivariate": true});
        let old: TpeSettings = serde_json::from_value(recorded).unwrap();
        assert_eq!(old.bandwidth, Bandwidth::Optuna3);
        // Written back, it is what it was: the resume signature does not move.
        let text = serde_json::to_string(&old).unwrap();
        assert!(!text.contains("bandwidth"), "{text}");
        let new = TpeSettings::default();
        assert_eq!(new.bandwidth, Bandwidth::Optuna5);
        assert!(serde_json::to_string(&new)
            .unwrap()
            .contains(r#""bandwidth":"optuna5""#));
    }

    #[test]
    fn gamma_matches_optuna_default() {
        let s = TpeSettings::default();
        // Optuna's min(ceil(0.1 n), 25), checked against integer arithmetic.
        for n in 0..2000 {
            assert_eq!(s.n_below(n), n.div_ceil(10).min(25), "n = {n}");
        }
    }
}
