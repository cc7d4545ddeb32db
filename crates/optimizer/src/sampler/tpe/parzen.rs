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

use super::TpeSettings;

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
    /// `ln` of the normalised mixture weights; the last component is the prior.
    log_weights: Vec<f64>,
    /// Cumulative normalised weights, for picking a component.
    cumulative: Vec<f64>,
    kernels: Vec<Kernel>,
}

enum Kernel {
    Continuous {
        low: f64,
        high: f64,
        mus: Vec<f64>,
        inv_sigmas: Vec<f64>,
        sigmas: Vec<f64>,
        /// `-ln(sigma sqrt(2 pi)) - ln(truncation mass)` per component.
        log_norm: Vec<f64>,
    },
    Discrete(DiscreteKernel),
    Categorical {
        n_choices: usize,
        /// Observed choice per observation kernel (the prior kernel is last and uniform).
        observed: Vec<usize>,
        ln_on: f64,
        ln_off: f64,
        p_on: f64,
        p_off: f64,
    },
}

impl ParzenEstimator {
    /// Builds the estimator over `dims` (coordinate indices with their domains) from
    /// `points`, which are in trial-number order.
    pub(crate) fn build(
        points: &[&[f64]],
        dims: &[(usize, Domain)],
        settings: &TpeSettings,
        multivariate: bool,
    ) -> ParzenEstimator {
        let n = points.len();
        let mut weights = default_weights(n);
        weights.push(if n == 0 { 1.0 } else { settings.prior_weight });
        let total: f64 = weights.iter().sum();
        let mut cumulative = Vec::with_capacity(weights.len());
        let mut acc = 0.0;
        let mut log_weights = Vec::with_capacity(weights.len());
        for w in &weights {
            let p = w / total;
            acc += p;
            cumulative.push(acc);
            log_weights.push(libm::log(p));
        }
        if let Some(last) = cumulative.last_mut() {
            *last = f64::INFINITY;
        }
        let n_dims = dims.len();
        let kernels = dims
            .iter()
            .map(|&(coordinate, domain)| {
                let observed: Vec<f64> = points
                    .iter()
                    .map(|p| p.get(coordinate).copied().unwrap_or(0.0))
                    .collect();
                match domain {
                    Domain::Continuous { low, high } => {
                        let (mus, sigmas) = numerical_kernels(
                            &observed, low, high, 0.0, n_dims, settings, multivariate,
                        );
                        let inv_sigmas = sigmas.iter().map(|s| 1.0 / s).collect();
                        let log_norm = mus
                            .iter()
                            .zip(&sigmas)
                            .map(|(mu, sigma)| {
                                -libm::log(*sigma)
                                    - ln_sqrt_2pi()
                                    - log_truncation_mass((low - mu) / sigma, (high - mu) / sigma)
                            })
                            .collect();
                        Kernel::Continuous {
                            low,
                            high,
                            mus,
                            inv_sigmas,
                            sigmas,
                            log_norm,
                        }
                    }
                    Domain::Discrete { max_index } => {
                        let (mus, sigmas) = numerical_kernels(
                            &observed,
                            0.0,
                            max_index as f64,
                            1.0,
                            n_dims,
                            settings,
                            multivariate,
                        );
                        Kernel::Discrete(DiscreteKernel::new(max_index, mus, sigmas))
                    }
                    Domain::Categorical { n_choices } => {
                        let c = n_choices.max(1) as f64;
                        let fill = settings.prior_weight / (n + 1) as f64;
                        let row = 1.0 + c * fill;
                        let (p_on, p_off) = ((1.0 + fill) / row, fill / row);
                        Kernel::Categorical {
                            n_choices: n_choices.max(1),
                            observed: observed
                                .iter()
                                .map(|x| (x.max(0.0) as usize).min(n_choices.saturating_sub(1)))
                                .collect(),
                            ln_on: libm::log(p_on),
                            ln_off: libm::log(p_off),
                            p_on,
                            p_off,
                        }
                    }
                }
            })
            .collect();
        ParzenEstimator {
            log_weights,
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
        let n_dims = self.kernels.len();
        let n_components = self.log_weights.len();
        let mut terms = vec![0.0; n_components];
        let mut out = Vec::with_capacity(points.len() / n_dims.max(1));
        for point in points.chunks(n_dims.max(1)) {
            terms.copy_from_slice(&self.log_weights);
            for (kernel, &x) in self.kernels.iter_mut().zip(point) {
                kernel.add_log_pdf(x, &mut terms);
            }
            out.push(log_sum_exp(&terms));
        }
        out
    }
}

impl Kernel {
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
                let z = truncnorm_standard((low - mu) / sigma, (high - mu) / sigma, rng.uniform_open());
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
                match observed.get(component) {
                    Some(&on) => {
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

    fn add_log_pdf(&mut self, x: f64, terms: &mut [f64]) {
        match self {
            Kernel::Continuous {
                mus,
                inv_sigmas,
                log_norm,
                ..
            } => {
                for (((t, mu), inv_sigma), norm) in
                    terms.iter_mut().zip(mus.iter()).zip(inv_sigmas.iter()).zip(log_norm.iter())
                {
                    let z = (x - mu) * inv_sigma;
                    *t += -0.5 * z * z + norm;
                }
            }
            Kernel::Discrete(kernel) => kernel.add_log_pdf(x, terms),
            Kernel::Categorical {
                n_choices,
                observed,
                ln_on,
                ln_off,
                ..
            } => {
                let choice = x as usize;
                let (prior, rest) = match terms.split_last_mut() {
                    Some(split) => split,
                    None => return,
                };
                for (t, on) in rest.iter_mut().zip(observed.iter()) {
                    *t += if *on == choice { *ln_on } else { *ln_off };
                }
                *prior += -libm::log(*n_choices as f64);
            }
        }
    }
}

/// `ln(Phi(b) - Phi(a))`, exactly 0 when the interval covers the whole f64-visible mass.
fn log_truncation_mass(a: f64, b: f64) -> f64 {
    if a < -NO_TRUNCATION_Z && b > NO_TRUNCATION_Z {
        0.0
    } else {
        safe_ln(gauss_mass(a, b))
    }
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
    let mut sigmas: Vec<f64> = if multivariate {
        let sigma = 0.2 * libm::pow(n.max(1) as f64, -1.0 / (n_dims as f64 + 4.0)) * range;
        vec![sigma; n]
    } else {
        neighbour_bandwidths(observed, prior_mu, low - step / 2.0, high + step / 2.0, settings)
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

/// Independent-mode bandwidths: each observation's larger gap to its sorted neighbours, the
/// prior's centre among the centres and the domain's ends as outer neighbours.
fn neighbour_bandwidths(
    observed: &[f64],
    prior_mu: f64,
    lower_end: f64,
    upper_end: f64,
    settings: &TpeSettings,
) -> Vec<f64> {
    let n = observed.len();
    let mut order: Vec<usize> = (0..=n).collect();
    let centre = |i: usize| if i < n { observed[i] } else { prior_mu };
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

/// The kernels of a stepped parameter. Cell masses depend on the kernel's centre only
/// through `x - mu`, and centres sit on half-cells (observations on cells, the prior in the
/// middle), so masses are memoised per bandwidth and per doubled offset: a few hundred
/// `erfc` calls instead of one pair per kernel and candidate.
struct DiscreteKernel {
    max_index: u64,
    mus: Vec<f64>,
    sigmas: Vec<f64>,
    tables: Option<MassTables>,
}

struct MassTables {
    /// Per component: its bandwidth group and doubled centre.
    group: Vec<usize>,
    mu2: Vec<usize>,
    group_sigma: Vec<f64>,
    /// Per group, `ln` mass of the cell at doubled offset `d2 = 2x - mu2`, indexed `d2 + 2m`
    /// (NaN until computed).
    cell: Vec<Vec<f64>>,
    /// Per group, `ln` truncation mass of a kernel centred at `mu2 / 2`, indexed by `mu2`.
    accept: Vec<Vec<f64>>,
}

impl DiscreteKernel {
    fn new(max_index: u64, mus: Vec<f64>, sigmas: Vec<f64>) -> DiscreteKernel {
        let tables = MassTables::new(max_index, &mus, &sigmas);
        DiscreteKernel {
            max_index,
            mus,
            sigmas,
            tables,
        }
    }

    fn sample(&self, component: usize, rng: &mut TrialRng) -> f64 {
        let (mu, sigma) = (self.mus[component], self.sigmas[component]);
        let m = self.max_index as f64;
        let z = truncnorm_standard((-0.5 - mu) / sigma, (m + 0.5 - mu) / sigma, rng.uniform_open());
        libm::round(mu + sigma * z).clamp(0.0, m)
    }

    fn direct_log_mass(&self, x: f64, mu: f64, sigma: f64) -> f64 {
        let m = self.max_index as f64;
        safe_ln(gauss_mass((x - 0.5 - mu) / sigma, (x + 0.5 - mu) / sigma))
            - log_truncation_mass((-0.5 - mu) / sigma, (m + 0.5 - mu) / sigma)
    }

    fn add_log_pdf(&mut self, x: f64, terms: &mut [f64]) {
        let m = self.max_index as f64;
        let x = libm::round(x).clamp(0.0, m);
        let Some(tables) = self.tables.as_mut() else {
            for (i, t) in terms.iter_mut().enumerate() {
                *t += self.direct_log_mass(x, self.mus[i], self.sigmas[i]);
            }
            return;
        };
        let two_m = 2 * self.max_index as usize;
        let x2 = 2 * x as usize;
        for (i, t) in terms.iter_mut().enumerate() {
            let g = tables.group[i];
            let mu2 = tables.mu2[i];
            let sigma = tables.group_sigma[g];
            let offset = x2 + two_m - mu2;
            let cell = &mut tables.cell[g][offset];
            if cell.is_nan() {
                let d = (x2 as f64 - mu2 as f64) / 2.0;
                *cell = safe_ln(gauss_mass((d - 0.5) / sigma, (d + 0.5) / sigma));
            }
            let accept = &mut tables.accept[g][mu2];
            if accept.is_nan() {
                let mu = mu2 as f64 / 2.0;
                *accept = log_truncation_mass((-0.5 - mu) / sigma, (m + 0.5 - mu) / sigma);
            }
            *t += tables.cell[g][offset] - tables.accept[g][mu2];
        }
    }
}

impl MassTables {
    fn new(max_index: u64, mus: &[f64], sigmas: &[f64]) -> Option<MassTables> {
        let m = usize::try_from(max_index).ok()?;
        let mut mu2 = Vec::with_capacity(mus.len());
        for &mu in mus {
            let doubled = 2.0 * mu;
            if doubled != libm::round(doubled) || doubled < 0.0 || doubled > 2.0 * m as f64 {
                return None;
            }
            mu2.push(doubled as usize);
        }
        let mut group_sigma: Vec<f64> = sigmas.to_vec();
        group_sigma.sort_by(f64::total_cmp);
        group_sigma.dedup();
        let per_group = (4 * m + 1) + (2 * m + 1);
        if group_sigma.len().checked_mul(per_group)? > MAX_TABLE_ENTRIES {
            return None;
        }
        let group = sigmas
            .iter()
            .map(|s| {
                group_sigma
                    .binary_search_by(|g| g.total_cmp(s))
                    .unwrap_or(0)
            })
            .collect();
        Some(MassTables {
            group,
            mu2,
            cell: vec![vec![f64::NAN; 4 * m + 1]; group_sigma.len()],
            accept: vec![vec![f64::NAN; 2 * m + 1]; group_sigma.len()],
            group_sigma,
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
        let ramp = [1.0 / 30.0, 0.275, 0.516_666_666_666_666_7, 0.758_333_333_333_333_3, 1.0];
        for (a, b) in w.iter().zip(ramp) {
            assert!((a - b).abs() < 1e-15, "{a} vs {b}");
        }
        assert!(w[5..].iter().all(|x| *x == 1.0));
    }

    #[test]
    fn independent_bandwidths_are_the_larger_neighbour_gap() {
        let settings = TpeSettings::default();
        // Centres 0.1, 0.4, 0.9 and the prior at 0.5 on [0, 1]: sorted 0.1, 0.4, 0.5, 0.9.
        let sigmas = neighbour_bandwidths(&[0.4, 0.1, 0.9], 0.5, 0.0, 1.0, &settings);
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
            let mut tabled = DiscreteKernel::new(10, mus.clone(), sigmas.clone());
            assert!(tabled.tables.is_some());
            let direct = DiscreteKernel {
                max_index: 10,
                mus,
                sigmas,
                tables: None,
            };
            for x in 0..=10 {
                let mut a = vec![0.0; observed.len() + 1];
                let mut b = a.clone();
                tabled.add_log_pdf(x as f64, &mut a);
                let mut direct_terms = vec![0.0; observed.len() + 1];
                for (i, t) in direct_terms.iter_mut().enumerate() {
                    *t = direct.direct_log_mass(x as f64, direct.mus[i], direct.sigmas[i]);
                }
                b.copy_from_slice(&direct_terms);
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
        let mut kernel = DiscreteKernel::new(8, mus, sigmas);
        let mut totals = [0.0f64; 3];
        for x in 0..=8 {
            let mut terms = [0.0; 3];
            kernel.add_log_pdf(x as f64, &mut terms);
            for (total, t) in totals.iter_mut().zip(terms) {
                *total += t.exp();
            }
        }
        for total in totals {
            assert!((total - 1.0).abs() < 1e-12, "{totals:?}");
        }
    }

    #[test]
    fn continuous_density_integrates_to_one() {
        let settings = TpeSettings::default();
        let points: Vec<Vec<f64>> = vec![vec![0.2], vec![0.7], vec![0.95]];
        let refs: Vec<&[f64]> = points.iter().map(Vec::as_slice).collect();
        let mut estimator = ParzenEstimator::build(
            &refs,
            &[(0, Domain::Continuous { low: 0.0, high: 1.0 })],
            &settings,
            false,
        );
        let n = 20_000;
        let grid: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect();
        let integral: f64 = estimator.log_pdf(&grid).iter().map(|l| l.exp() / n as f64).sum();
        assert!((integral - 1.0).abs() < 1e-6, "{integral}");
    }
}
