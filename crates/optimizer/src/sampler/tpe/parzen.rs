//! The Parzen estimator of TPE: a weighted mixture with one kernel per observation plus a
//! prior kernel, as a product over parameters.
//!
//! Per parameter, in sampler coordinates:
//! - continuous: a normal truncated to `[low, high]`;
//! - stepped: a normal truncated to `[-1/2, max_index + 1/2]` whose mass is counted per cell
//!   `[i - 1/2, i + 1/2]` (samples are rounded to the nearest cell);
//! - categorical: a distribution over choices that puts weight `1 + w/n_kernels` on the
//!   observed choice and `w/n_kernels` on every choice (`w` the prior weight), normalised;
//!   the prior kernel is uniform.
//!
//! Bandwidths follow Optuna: in multivariate mode every kernel of a parameter gets
//! `0.2 * n^(-1/(d + 4)) * range` (Scott's rule as in BOHB, `d` the number of parameters);
//! in independent mode each kernel gets the larger gap to its neighbours among the sorted
//! centres (the prior's centre included, the domain ends as outer neighbours; without
//! `consider_endpoints` the outermost kernels use their inner gap). Both are clipped to
//! `[range / min(100, n + 2), range]` ("magic clip") where `range` spans the whole domain
//! (`high - low`, plus one cell for stepped parameters). The prior kernel sits in the middle
//! with bandwidth `range`. Mixture weights are Optuna's: 1 for the 25 most recent
//! observations and a linear ramp from `1/n` up for older ones, plus `prior_weight` for the
//! prior, normalised.

use crate::math::{gauss_mass, ln_sqrt_2pi, log_sum_exp, truncnorm_standard};
use crate::rng::TrialRng;
use crate::space::Domain;

use super::{Bandwidth, TpeSettings};

/// Bounds of the standard normal beyond which `Phi` is 0 or 1 to the last bit of an f64
/// (`Phi(-8.5)` is about 1e-17, under half an ulp of 1), so the truncation mass is exactly 1.
const NO_TRUNCATION_Z: f64 = 8.5;

/// Above this many table entries, stepped kernels compute cell masses directly.
const MAX_TABLE_ENTRIES: usize = 1 << 20;

/// Optuna's default observation weights: flat for the 25 most recent observations, a
/// linear ramp from `1/n` for older ones. Observations are in trial-number order.
pub(crate) fn default_weights(n: usize) -> Vec<f64> {
    if n < 25 {
        return vec![1.0; n];
    }
    // numpy.linspace(1/n, 1, n - 25): start + i * step, the last point exactly 1.
    let n_ramp = n - 25;
    let start = 1.0 / n as f64;
    let step = if n_ramp > 1 {
        (1.0 - start) / (n_ramp - 1) as f64
    } else {
        0.0
    };
    let mut weights: Vec<f64> = (0..n_ramp)
        .map(|i| {
            if n_ramp > 1 && i + 1 == n_ramp {
                1.0
            } else {
                i as f64 * step + start
            }
        })
        .collect();
    weights.extend(std::iter::repeat_n(1.0, 25));
    weights
}

pub(crate) struct ParzenEstimator {
    /// Per component: `ln` of its normalised weight plus every per-component constant of
    /// its kernels (normalisers and truncation masses), so evaluating a point only adds the
    /// terms that depend on it.
    base_terms: Vec<f64>,
    /// Cumulative normalised weights, for picking a component.
    cumulative: Vec<f64>,
    kernels: Vec<Kernel>,
}

/// One parameter's kernels, one per mixture component.
enum Kernel {
    Continuous {
        low: f64,
        high: f64,
        mus: Vec<f64>,
        sigmas: Vec<f64>,
        inv_sigmas: Vec<f64>,
    },
    Discrete(DiscreteKernel),
    Categorical {
        n_choices: usize,
        /// The observed choice per component; `None` for the uniform prior kernel.
        observed: Vec<Option<usize>>,
        p_on: f64,
        p_off: f64,
        /// The components that observed each choice. Every observation component's base
        /// term already holds `ln p_off`; those that observed `x` add `ln p_on - ln p_off`.
        members: Vec<Vec<usize>>,
        ln_on_over_off: f64,
    },
}

/// Per-component constants gathered while the kernels are finished: weights and truncation
/// masses multiply `linear_part`, logs add to `log_part`, and each component then costs one
/// `ln` instead of one per parameter.
struct ComponentConstants {
    log_part: Vec<f64>,
    linear_part: Vec<f64>,
}

/// A parameter's kernels before the components are final.
enum RawKernel {
    Continuous {
        low: f64,
        high: f64,
        mus: Vec<f64>,
        sigmas: Vec<f64>,
    },
    Discrete {
        max_index: u64,
        mus: Vec<f64>,
        sigmas: Vec<f64>,
    },
    Categorical {
        n_choices: usize,
        observed: Vec<Option<usize>>,
        p_on: f64,
        p_off: f64,
    },
}

impl RawKernel {
    /// Two components with equal keys have identical kernels.
    fn key(&self, i: usize) -> (u64, u64) {
        match self {
            RawKernel::Continuous { mus, sigmas, .. } | RawKernel::Discrete { mus, sigmas, .. } => {
                (mus[i].to_bits(), sigmas[i].to_bits())
            }
            RawKernel::Categorical { observed, .. } => {
                (observed[i].map_or(u64::MAX, |c| c as u64), 0)
            }
        }
    }
}

impl ParzenEstimator {
    /// Builds the estimator over `dims` (coordinate indices with their domains) from
    /// `points`, which are in trial-number order. Observations weigh the same with
    /// `uniform_weights` (the good set of a multi-objective study, as in Optuna 5), else
    /// older ones weigh less once there are more than 25.
    pub(crate) fn build(
        points: &[&[f64]],
        dims: &[(usize, Domain)],
        settings: &TpeSettings,
        uniform_weights: bool,
    ) -> ParzenEstimator {
        let n = points.len();
        let mut weights = if uniform_weights {
            vec![1.0; n]
        } else {
            default_weights(n)
        };
        weights.push(if n == 0 { 1.0 } else { settings.prior_weight });
        let total: f64 = weights.iter().sum();
        let probabilities: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let n_dims = dims.len();
        let raw: Vec<RawKernel> = dims
            .iter()
            .map(|&(coordinate, domain)| {
                let observed: Vec<f64> = points
                    .iter()
                    .map(|p| p.get(coordinate).copied().unwrap_or(0.0))
                    .collect();
                raw_kernel(&observed, domain, n_dims, settings)
            })
            .collect();

        // With one parameter, components with identical kernels (observations in the same
        // cell or choice, with the same bandwidth) merge into one carrying their summed
        // weight: the mixture is the same function, evaluated with far fewer terms.
        let mut components: Vec<(usize, f64)> = if let [single] = raw.as_slice() {
            let mut keyed: Vec<((u64, u64), usize)> = (0..probabilities.len())
                .map(|i| (single.key(i), i))
                .collect();
            keyed.sort_unstable();
            let mut merged: Vec<(usize, f64)> = Vec::new();
            let mut last_key = None;
            for (key, i) in keyed {
                match merged.last_mut() {
                    Some((_, p)) if last_key == Some(key) => *p += probabilities[i],
                    _ => merged.push((i, probabilities[i])),
                }
                last_key = Some(key);
            }
            merged
        } else {
            probabilities.iter().copied().enumerate().collect()
        };
        components.retain(|(_, p)| *p > 0.0);

        let selected: Vec<usize> = components.iter().map(|(i, _)| *i).collect();
        let mut constants = ComponentConstants {
            log_part: vec![0.0; components.len()],
            linear_part: components.iter().map(|(_, p)| *p).collect(),
        };
        let mut cumulative = Vec::with_capacity(components.len());
        let mut acc = 0.0;
        for (_, p) in &components {
            acc += p;
            cumulative.push(acc);
        }
        if let Some(last) = cumulative.last_mut() {
            *last = f64::INFINITY;
        }
        let kernels = raw
            .into_iter()
            .map(|raw| Kernel::finish(raw, &selected, &mut constants))
            .collect();
        let base_terms = constants
            .log_part
            .iter()
            .zip(&constants.linear_part)
            .map(|(log_part, linear)| log_part + safe_ln(*linear))
            .collect();
        ParzenEstimator {
            base_terms,
            cumulative,
            kernels,
        }
    }

    /// Draws `n` points (row-major, one coordinate per kernel) from the mixture: pick a
    /// component by weight, then draw each coordinate from that component's kernel.
    pub(crate) fn sample(&self, rng: &mut TrialRng, n: usize) -> Vec<f64> {
        let n_dims = self.kernels.len();
        let mut out = Vec::with_capacity(n * n_dims);
        for _ in 0..n {
            let u = rng.uniform();
            let component = self
                .cumulative
                .iter()
                .position(|c| u < *c)
                .unwrap_or(self.cumulative.len().saturating_sub(1));
            for kernel in &self.kernels {
                out.push(kernel.sample(component, rng));
            }
        }
        out
    }

    /// `ln` of the mixture density at each of the row-major `points`.
    pub(crate) fn log_pdf(&mut self, points: &[f64]) -> Vec<f64> {
        let n_dims = self.kernels.len().max(1);
        let mut terms = vec![0.0; self.base_terms.len()];
        points
            .chunks(n_dims)
            .map(|point| {
                self.log_terms(point, &mut terms);
                log_sum_exp(&terms)
            })
            .collect()
    }

    /// The number of mixture components.
    pub(crate) fn n_components(&self) -> usize {
        self.base_terms.len()
    }

    /// Writes each component's `ln(weight * kernel density)` at `point` into `terms` (of
    /// length [`ParzenEstimator::n_components`]); the density is their log-sum-exp.
    pub(crate) fn log_terms(&mut self, point: &[f64], terms: &mut [f64]) {
        terms.copy_from_slice(&self.base_terms);
        for (kernel, &x) in self.kernels.iter_mut().zip(point) {
            kernel.add_log_pdf(x, terms);
        }
    }
}

fn raw_kernel(
    observed: &[f64],
    domain: Domain,
    n_dims: usize,
    settings: &TpeSettings,
) -> RawKernel {
    let multivariate = settings.multivariate;
    let n = observed.len();
    match domain {
        Domain::Continuous { low, high } => {
            let (mus, sigmas) =
                numerical_kernels(observed, low, high, 0.0, n_dims, settings, multivariate);
            RawKernel::Continuous {
                low,
                high,
                mus,
                sigmas,
            }
        }
        Domain::Discrete { max_index } => {
            let (mus, sigmas) = numerical_kernels(
                observed,
                0.0,
                max_index as f64,
                1.0,
                n_dims,
                settings,
                multivariate,
            );
            RawKernel::Discrete {
                max_index,
                mus,
                sigmas,
            }
        }
        Domain::Categorical { n_choices } => {
            let n_choices = n_choices.max(1);
            let c = n_choices as f64;
            let fill = settings.prior_weight / (n + 1) as f64;
            let row = 1.0 + c * fill;
            let mut observed: Vec<Option<usize>> = observed
                .iter()
                .map(|x| Some((x.max(0.0) as usize).min(n_choices - 1)))
                .collect();
            observed.push(None);
            RawKernel::Categorical {
                n_choices,
                observed,
                p_on: (1.0 + fill) / row,
                p_off: fill / row,
            }
        }
    }
}

impl Kernel {
    /// Keeps the `selected` components and folds each one's constants into `constants`.
    fn finish(raw: RawKernel, selected: &[usize], constants: &mut ComponentConstants) -> Kernel {
        match raw {
            RawKernel::Continuous {
                low,
                high,
                mus,
                sigmas,
            } => {
                let mus: Vec<f64> = selected.iter().map(|&i| mus[i]).collect();
                let sigmas: Vec<f64> = selected.iter().map(|&i| sigmas[i]).collect();
                // Bandwidths repeat (all equal in multivariate mode): one `ln` per value.
                let mut last_ln_sigma = (f64::NAN, 0.0);
                let ln_sqrt_2pi = ln_sqrt_2pi();
                let parts = constants
                    .log_part
                    .iter_mut()
                    .zip(constants.linear_part.iter_mut());
                for ((log_part, linear), (mu, sigma)) in parts.zip(mus.iter().zip(&sigmas)) {
                    if last_ln_sigma.0.to_bits() != sigma.to_bits() {
                        last_ln_sigma = (*sigma, libm::log(*sigma));
                    }
                    *log_part -= last_ln_sigma.1 + ln_sqrt_2pi;
                    *linear /= truncation_mass((low - mu) / sigma, (high - mu) / sigma);
                }
                Kernel::Continuous {
                    low,
                    high,
                    inv_sigmas: sigmas.iter().map(|s| 1.0 / s).collect(),
                    mus,
                    sigmas,
                }
            }
            RawKernel::Discrete {
                max_index,
                mus,
                sigmas,
            } => {
                let mus: Vec<f64> = selected.iter().map(|&i| mus[i]).collect();
                let sigmas: Vec<f64> = selected.iter().map(|&i| sigmas[i]).collect();
                Kernel::Discrete(DiscreteKernel::new(
                    max_index,
                    mus,
                    sigmas,
                    &mut constants.log_part,
                ))
            }
            RawKernel::Categorical {
                n_choices,
                observed,
                p_on,
                p_off,
            } => {
                let observed: Vec<Option<usize>> = selected.iter().map(|&i| observed[i]).collect();
                let ln_uniform = -libm::log(n_choices as f64);
                let (ln_on, ln_off) = (libm::log(p_on), libm::log(p_off));
                let mut members = vec![Vec::new(); n_choices];
                for (i, (term, choice)) in constants.log_part.iter_mut().zip(&observed).enumerate()
                {
                    match choice {
                        Some(c) => {
                            *term += ln_off;
                            if let Some(list) = members.get_mut(*c) {
                                list.push(i);
                            }
                        }
                        None => *term += ln_uniform,
                    }
                }
                Kernel::Categorical {
                    n_choices,
                    observed,
                    p_on,
                    p_off,
                    members,
                    ln_on_over_off: ln_on - ln_off,
                }
            }
        }
    }

    fn sample(&self, component: usize, rng: &mut TrialRng) -> f64 {
        match self {
            Kernel::Continuous {
                low,
                high,
                mus,
                sigmas,
                ..
            } => {
                let (mu, sigma) = (mus[component], sigmas[component]);
                let z =
                    truncnorm_standard((low - mu) / sigma, (high - mu) / sigma, rng.uniform_open());
                (mu + sigma * z).clamp(*low, *high)
            }
            Kernel::Discrete(kernel) => kernel.sample(component, rng),
            Kernel::Categorical {
                n_choices,
                observed,
                p_on,
                p_off,
                ..
            } => {
                let u = rng.uniform();
                match observed.get(component).copied().flatten() {
                    Some(on) => {
                        let mut acc = 0.0;
                        for choice in 0..*n_choices {
                            acc += if choice == on { *p_on } else { *p_off };
                            if u < acc {
                                return choice as f64;
                            }
                        }
                        (*n_choices - 1) as f64
                    }
                    None => ((u * *n_choices as f64) as usize).min(*n_choices - 1) as f64,
                }
            }
        }
    }

    /// Adds each component's point-dependent log term at `x`.
    fn add_log_pdf(&mut self, x: f64, terms: &mut [f64]) {
        match self {
            Kernel::Continuous {
                mus, inv_sigmas, ..
            } => {
                for ((t, mu), inv_sigma) in terms.iter_mut().zip(mus.iter()).zip(inv_sigmas.iter())
                {
                    let z = (x - mu) * inv_sigma;
                    *t -= 0.5 * z * z;
                }
            }
            Kernel::Discrete(kernel) => kernel.add_log_pdf(x, terms),
            Kernel::Categorical {
                members,
                ln_on_over_off,
                ..
            } => {
                if let Some(list) = members.get(x as usize) {
                    for &i in list {
                        if let Some(t) = terms.get_mut(i) {
                            *t += *ln_on_over_off;
                        }
                    }
                }
            }
        }
    }
}

/// `Phi(b) - Phi(a)`, exactly 1 when the interval covers the whole f64-visible mass.
fn truncation_mass(a: f64, b: f64) -> f64 {
    if a < -NO_TRUNCATION_Z && b > NO_TRUNCATION_Z {
        1.0
    } else {
        gauss_mass(a, b)
    }
}

/// `ln(Phi(b) - Phi(a))`.
fn log_truncation_mass(a: f64, b: f64) -> f64 {
    safe_ln(truncation_mass(a, b))
}

fn safe_ln(x: f64) -> f64 {
    if x > 0.0 {
        libm::log(x)
    } else {
        f64::NEG_INFINITY
    }
}

/// Centres and bandwidths of the kernels of one numerical parameter, the prior last.
/// `step` is 0 for continuous parameters and 1 (one cell) for stepped ones.
fn numerical_kernels(
    observed: &[f64],
    low: f64,
    high: f64,
    step: f64,
    n_dims: usize,
    settings: &TpeSettings,
    multivariate: bool,
) -> (Vec<f64>, Vec<f64>) {
    let n = observed.len();
    let range = high - low + step;
    let prior_mu = 0.5 * (low + high);
    let (lower_end, upper_end) = (low - step / 2.0, high + step / 2.0);
    let mut sigmas: Vec<f64> = match (settings.bandwidth, multivariate) {
        (Bandwidth::Optuna5, _) => {
            neighbour_bandwidths(observed, None, lower_end, upper_end, settings)
        }
        (Bandwidth::Optuna3, true) => {
            let sigma = 0.2 * libm::pow(n.max(1) as f64, -1.0 / (n_dims as f64 + 4.0)) * range;
            vec![sigma; n]
        }
        (Bandwidth::Optuna3, false) => {
            neighbour_bandwidths(observed, Some(prior_mu), lower_end, upper_end, settings)
        }
    };
    let max_sigma = range;
    let min_sigma = if settings.consider_magic_clip {
        range / (n as f64 + 2.0).min(100.0)
    } else {
        1e-12
    };
    for sigma in &mut sigmas {
        *sigma = sigma.clamp(min_sigma, max_sigma);
    }
    let mut mus = observed.to_vec();
    mus.push(prior_mu);
    sigmas.push(range);
    (mus, sigmas)
}

/// Each observation's larger gap to its sorted neighbours, the domain's ends as outer
/// neighbours (without `consider_endpoints`, the outermost take their inner gap only). With
/// `prior_mu` (the rule of Optuna 3's independent mode), the prior's centre stands among
/// the centres.
fn neighbour_bandwidths(
    observed: &[f64],
    prior_mu: Option<f64>,
    lower_end: f64,
    upper_end: f64,
    settings: &TpeSettings,
) -> Vec<f64> {
    let n = observed.len();
    let n_centres = n + usize::from(prior_mu.is_some());
    if n_centres == 0 {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..n_centres).collect();
    let centre = |i: usize| {
        if i < n {
            observed[i]
        } else {
            prior_mu.unwrap_or(0.0)
        }
    };
    order.sort_by(|&a, &b| centre(a).total_cmp(&centre(b)).then(a.cmp(&b)));
    let mut with_ends = Vec::with_capacity(n + 3);
    with_ends.push(lower_end);
    with_ends.extend(order.iter().map(|&i| centre(i)));
    with_ends.push(upper_end);
    let m = order.len();
    let mut sorted_sigmas: Vec<f64> = (0..m)
        .map(|k| (with_ends[k + 1] - with_ends[k]).max(with_ends[k + 2] - with_ends[k + 1]))
        .collect();
    if !settings.consider_endpoints && with_ends.len() >= 4 {
        sorted_sigmas[0] = with_ends[2] - with_ends[1];
        sorted_sigmas[m - 1] = with_ends[m] - with_ends[m - 1];
    }
    let mut sigmas = vec![0.0; m];
    for (k, &i) in order.iter().enumerate() {
        sigmas[i] = sorted_sigmas[k];
    }
    sigmas.truncate(n);
    sigmas
}

/// The kernels of a stepped parameter, in cell-index coordinates (cells `[i - 1/2, i + 1/2]`,
/// truncation to `[-1/2, max_index + 1/2]`).
///
/// A cell's mass depends on the kernel's centre only through `x - mu`, and centres sit on
/// half-cells (observations on cells, the prior in the middle), so log-masses are memoised
/// per bandwidth and doubled offset `2x - 2mu`: a few hundred `erfc` calls per estimator
/// instead of a pair per kernel and candidate, and evaluation becomes a gather.
struct DiscreteKernel {
    max_index: u64,
    mus: Vec<f64>,
    sigmas: Vec<f64>,
    table: Option<CellTable>,
}

struct CellTable {
    /// Entries per bandwidth group: doubled offsets `-2m..=2m`.
    stride: usize,
    group_sigma: Vec<f64>,
    /// Per group, the doubled centres its components use (sorted, unique).
    group_mu2: Vec<Vec<usize>>,
    /// `ln` cell mass at `group * stride + (2x - mu2 + 2m)`; NaN until computed.
    cells: Vec<f64>,
    /// Per component, `group * stride + 2m - mu2`: add `2x` to index `cells`.
    base: Vec<usize>,
    /// `ln` truncation mass per group and doubled centre; NaN until computed.
    accept: Vec<f64>,
    /// Per component, its index in `accept`.
    accept_index: Vec<usize>,
}

impl DiscreteKernel {
    /// The kernels with centres `mus` and bandwidths `sigmas`; folds each component's
    /// `-ln(truncation mass)` into `log_part`.
    fn new(
        max_index: u64,
        mus: Vec<f64>,
        sigmas: Vec<f64>,
        log_part: &mut [f64],
    ) -> DiscreteKernel {
        let m = max_index as f64;
        let mut table = CellTable::new(max_index, &mus, &sigmas);
        for (i, (term, (mu, sigma))) in log_part.iter_mut().zip(mus.iter().zip(&sigmas)).enumerate()
        {
            let accept = || log_truncation_mass((-0.5 - mu) / sigma, (m + 0.5 - mu) / sigma);
            *term -= match table.as_mut() {
                Some(table) => {
                    let slot = &mut table.accept[table.accept_index[i]];
                    if slot.is_nan() {
                        *slot = accept();
                    }
                    *slot
                }
                None => accept(),
            };
        }
        DiscreteKernel {
            max_index,
            mus,
            sigmas,
            table,
        }
    }

    fn sample(&self, component: usize, rng: &mut TrialRng) -> f64 {
        let (mu, sigma) = (self.mus[component], self.sigmas[component]);
        let m = self.max_index as f64;
        let z = truncnorm_standard(
            (-0.5 - mu) / sigma,
            (m + 0.5 - mu) / sigma,
            rng.uniform_open(),
        );
        libm::round(mu + sigma * z).clamp(0.0, m)
    }

    fn log_cell_mass(x: f64, mu: f64, sigma: f64) -> f64 {
        safe_ln(gauss_mass((x - 0.5 - mu) / sigma, (x + 0.5 - mu) / sigma))
    }

    fn add_log_pdf(&mut self, x: f64, terms: &mut [f64]) {
        let x = libm::round(x).clamp(0.0, self.max_index as f64);
        let Some(table) = self.table.as_mut() else {
            for ((t, mu), sigma) in terms.iter_mut().zip(&self.mus).zip(&self.sigmas) {
                *t += Self::log_cell_mass(x, *mu, *sigma);
            }
            return;
        };
        let x2 = 2 * x as usize;
        let two_m = 2 * self.max_index as usize;
        for (g, (sigma, mu2s)) in table.group_sigma.iter().zip(&table.group_mu2).enumerate() {
            for &mu2 in mu2s {
                let cell = &mut table.cells[g * table.stride + x2 + two_m - mu2];
                if cell.is_nan() {
                    let d = (x2 as f64 - mu2 as f64) / 2.0;
                    *cell = Self::log_cell_mass(d, 0.0, *sigma);
                }
            }
        }
        for (t, base) in terms.iter_mut().zip(&table.base) {
            *t += table.cells[base + x2];
        }
    }
}

impl CellTable {
    fn new(max_index: u64, mus: &[f64], sigmas: &[f64]) -> Option<CellTable> {
        let m = usize::try_from(max_index).ok()?;
        let mut mu2 = Vec::with_capacity(mus.len());
        for &mu in mus {
            let doubled = 2.0 * mu;
            if doubled != libm::round(doubled) || doubled < 0.0 || doubled > 2.0 * m as f64 {
                return None;
            }
            mu2.push(doubled as usize);
        }
        // Bandwidths come in long runs of equal values (all equal in multivariate mode).
        let mut group_sigma: Vec<f64> = sigmas.to_vec();
        group_sigma.dedup_by(|a, b| a.to_bits() == b.to_bits());
        group_sigma.sort_unstable_by(f64::total_cmp);
        group_sigma.dedup_by(|a, b| a.to_bits() == b.to_bits());
        let stride = m.checked_mul(4)?.checked_add(1)?;
        let per_group = stride.checked_add(m.checked_mul(2)?.checked_add(1)?)?;
        if group_sigma.len().checked_mul(per_group)? > MAX_TABLE_ENTRIES {
            return None;
        }
        let group: Vec<usize> = sigmas
            .iter()
            .map(|s| {
                group_sigma
                    .binary_search_by(|g| g.total_cmp(s))
                    .unwrap_or(0)
            })
            .collect();
        let mut is_used = vec![false; group_sigma.len() * (2 * m + 1)];
        for (&g, &d) in group.iter().zip(&mu2) {
            is_used[g * (2 * m + 1) + d] = true;
        }
        let group_mu2: Vec<Vec<usize>> = is_used
            .chunks(2 * m + 1)
            .map(|used| (0..used.len()).filter(|&d| used[d]).collect())
            .collect();
        let base = group
            .iter()
            .zip(&mu2)
            .map(|(&g, &d)| g * stride + 2 * m - d)
            .collect();
        let accept_index = group
            .iter()
            .zip(&mu2)
            .map(|(&g, &d)| g * (2 * m + 1) + d)
            .collect();
        Some(CellTable {
            stride,
            accept: vec![f64::NAN; group_sigma.len() * (2 * m + 1)],
            accept_index,
            cells: vec![f64::NAN; group_sigma.len() * stride],
            group_sigma,
            group_mu2,
            base,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_ramp_like_optuna() {
        assert_eq!(default_weights(3), vec![1.0; 3]);
        let w = default_weights(30);
        assert_eq!(w.len(), 30);
        // numpy.linspace(1/30, 1, 5) followed by 25 ones.
        let ramp = [
            1.0 / 30.0,
            0.275,
            0.516_666_666_666_666_7,
            0.758_333_333_333_333_3,
            1.0,
        ];
        for (a, b) in w.iter().zip(ramp) {
            assert!((a - b).abs() < 1e-15, "{a} vs {b}");
        }
        assert!(w[5..].iter().all(|x| *x == 1.0));
    }

    #[test]
    fn bandwidths_are_the_larger_neighbour_gap() {
        let settings = TpeSettings::default();
        // Optuna 5: centres 0.1, 0.4, 0.9 on [0, 1], the ends as outer neighbours.
        let sigmas = neighbour_bandwidths(&[0.4, 0.1, 0.9], None, 0.0, 1.0, &settings);
        // 0.4: gaps 0.3 and 0.5; 0.1 (outermost, endpoints ignored): inner gap 0.3; 0.9
        // (outermost): inner gap 0.5.
        assert_eq!(sigmas.len(), 3);
        for (s, e) in sigmas.iter().zip([0.5, 0.3, 0.5]) {
            assert!((s - e).abs() < 1e-12, "{sigmas:?}");
        }
        // The same observations in both modes.
        for multivariate in [true, false] {
            let (_, both) =
                numerical_kernels(&[0.4, 0.1, 0.9], 0.0, 1.0, 0.0, 3, &settings, multivariate);
            // Clipped from below at range / (n + 2) = 0.2; the prior's width is the range.
            for (s, e) in both.iter().zip([0.5, 0.3, 0.5, 1.0]) {
                assert!(
                    (s - e).abs() < 1e-12,
                    "multivariate {multivariate}: {both:?}"
                );
            }
        }
        // Optuna 3's independent mode: the prior at 0.5 among the centres: sorted 0.1, 0.4,
        // 0.5, 0.9.
        let sigmas = neighbour_bandwidths(&[0.4, 0.1, 0.9], Some(0.5), 0.0, 1.0, &settings);
        // 0.4: gaps 0.3 and 0.1; 0.1 (outermost, endpoints ignored): inner gap 0.3;
        // 0.9 (outermost): inner gap 0.4.
        let expected = [0.3, 0.3, 0.4];
        for (s, e) in sigmas.iter().zip(expected) {
            assert!((s - e).abs() < 1e-12, "{sigmas:?}");
        }
    }

    #[test]
    fn discrete_tables_match_direct_masses() {
        let settings = TpeSettings::default();
        let observed = [0.0, 3.0, 3.0, 7.0, 10.0];
        for multivariate in [true, false] {
            let (mus, sigmas) =
                numerical_kernels(&observed, 0.0, 10.0, 1.0, 2, &settings, multivariate);
            let mut base = vec![0.0; mus.len()];
            let mut tabled = DiscreteKernel::new(10, mus.clone(), sigmas.clone(), &mut base);
            assert!(tabled.table.is_some());
            let mut direct = DiscreteKernel {
                max_index: 10,
                mus,
                sigmas,
                table: None,
            };
            for x in 0..=10 {
                let mut a = vec![0.0; observed.len() + 1];
                let mut b = a.clone();
                tabled.add_log_pdf(x as f64, &mut a);
                direct.add_log_pdf(x as f64, &mut b);
                for (u, v) in a.iter().zip(&b) {
                    assert!((u - v).abs() < 1e-12, "x = {x}: {u} vs {v}");
                }
            }
        }
    }

    #[test]
    fn a_discrete_kernel_is_a_probability_over_cells() {
        let settings = TpeSettings::default();
        let (mus, sigmas) = numerical_kernels(&[2.0, 5.0], 0.0, 8.0, 1.0, 1, &settings, false);
        let mut base = vec![0.0; 3];
        let mut kernel = DiscreteKernel::new(8, mus, sigmas, &mut base);
        let mut totals = [0.0f64; 3];
        for x in 0..=8 {
            let mut terms = base.clone();
            kernel.add_log_pdf(x as f64, &mut terms);
            for (total, t) in totals.iter_mut().zip(terms) {
                *total += libm::exp(t);
            }
        }
        for total in totals {
            assert!((total - 1.0).abs() < 1e-12, "{totals:?}");
        }
    }

    #[test]
    fn merged_components_give_the_naive_mixture_density() {
        // Observations repeat cells, so the one-parameter estimator merges components;
        // its density must equal the mixture summed term by term.
        let settings = TpeSettings::default();
        let observed = [3.0, 3.0, 3.0, 3.0, 3.0, 5.0, 9.0, 9.0, 9.0, 9.0, 0.0];
        let points: Vec<Vec<f64>> = observed.iter().map(|x| vec![*x]).collect();
        let refs: Vec<&[f64]> = points.iter().map(Vec::as_slice).collect();
        let independent = TpeSettings {
            multivariate: false,
            ..settings.clone()
        };
        let mut estimator = ParzenEstimator::build(
            &refs,
            &[(0, Domain::Discrete { max_index: 10 })],
            &independent,
            false,
        );
        assert!(
            estimator.base_terms.len() < observed.len() + 1,
            "nothing merged"
        );
        let (mus, sigmas) = numerical_kernels(&observed, 0.0, 10.0, 1.0, 1, &settings, false);
        let mut weights = default_weights(observed.len());
        weights.push(settings.prior_weight);
        let total: f64 = weights.iter().sum();
        for x in 0..=10 {
            let x = x as f64;
            let naive: f64 = (0..mus.len())
                .map(|i| {
                    let (mu, s) = (mus[i], sigmas[i]);
                    weights[i] / total * gauss_mass((x - 0.5 - mu) / s, (x + 0.5 - mu) / s)
                        / gauss_mass((-0.5 - mu) / s, (10.5 - mu) / s)
                })
                .sum();
            let got = estimator.log_pdf(&[x])[0];
            assert!(
                (got - libm::log(naive)).abs() < 1e-12,
                "x = {x}: {got} vs {}",
                libm::log(naive)
            );
        }
    }

    #[test]
    fn continuous_density_integrates_to_one() {
        let settings = TpeSettings::default();
        let points: Vec<Vec<f64>> = vec![vec![0.2], vec![0.7], vec![0.95]];
        let refs: Vec<&[f64]> = points.iter().map(Vec::as_slice).collect();
        let independent = TpeSettings {
            multivariate: false,
            ..settings.clone()
        };
        let mut estimator = ParzenEstimator::build(
            &refs,
            &[(
                0,
                Domain::Continuous {
                    low: 0.0,
                    high: 1.0,
                },
            )],
            &independent,
            false,
        );
        let n = 20_000;
        let grid: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect();
        let integral: f64 = estimator
            .log_pdf(&grid)
            .iter()
            .map(|l| libm::exp(*l) / n as f64)
            .sum();
        assert!((integral - 1.0).abs() < 1e-6, "{integral}");
    }
}
