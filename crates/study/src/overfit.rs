//! Is the best trial skill or selection? The probabilistic and deflated Sharpe ratios
//! (Bailey and López de Prado, 2012 and 2014), the minimum track record length, and the
//! probability of backtest overfitting by combinatorially symmetric cross-validation
//! (Bailey, Borwein, López de Prado and Zhu, 2015).
//!
//! Everything is per period (per bar): a Sharpe ratio here is the mean of per-bar returns
//! over their sample (`n − 1`) standard deviation, skewness and kurtosis are the population
//! moments (kurtosis raw, 3 for a normal), as the papers write them.
//!
//! PBO needs, per trial, what a Sharpe ratio over any union of blocks needs: the count, sum
//! and sum of squares of its per-bar returns in each block. [`BlockSums`] holds them as one
//! flat `Vec<f64>`, trial-major (`[trial][block][count, sum, sum of squares]`): `N × S × 3`
//! numbers, 384 KB for 1,000 trials and 16 blocks, whatever the number of bars. A flat vector
//! with explicit strides is all the two loops over it need; `ndarray` would name the axes
//! but add a dependency for no operation we lack.

use std::collections::BTreeMap;
use std::f64::consts::{E, SQRT_2};

/// The Euler–Mascheroni constant.
pub const EULER_MASCHERONI: f64 = 0.577_215_664_901_532_9;

/// The standard normal distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / SQRT_2)
}

/// The standard normal quantile function (Wichura's algorithm AS 241, accurate to about
/// 1e-16), for `p` in (0, 1); NaN outside. The coefficients are the published ones, digit
/// for digit.
#[allow(clippy::excessive_precision)]
pub fn normal_inv_cdf(p: f64) -> f64 {
    if p.is_nan() || p <= 0.0 || p >= 1.0 {
        return f64::NAN;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        let num = (((((((2_509.080_928_730_122_7 * r + 33_430.575_583_588_128) * r
            + 67_265.770_927_008_7)
            * r
            + 45_921.953_931_549_87)
            * r
            + 13_731.693_765_509_461)
            * r
            + 1_971.590_950_306_551_3)
            * r
            + 133.141_667_891_784_38)
            * r
            + 3.387_132_872_796_366_5)
            * q;
        let den = ((((((5_226.495_278_852_545 * r + 28_729.085_735_721_943) * r
            + 39_307.895_800_092_71)
            * r
            + 21_213.794_301_586_597)
            * r
            + 5_394.196_021_424_751)
            * r
            + 687.187_007_492_057_9)
            * r
            + 42.313_330_701_600_91)
            * r
            + 1.0;
        return num / den;
    }
    let r = if q <= 0.0 { p } else { 1.0 - p };
    let r = libm::sqrt(-libm::log(r));
    let x = if r <= 5.0 {
        let r = r - 1.6;
        let num = ((((((7.745_450_142_783_414e-4 * r + 0.022_723_844_989_269_184) * r
            + 0.241_780_725_177_450_6)
            * r
            + 1.270_458_252_452_368_4)
            * r
            + 3.647_848_324_763_204_5)
            * r
            + 5.769_497_221_460_691)
            * r
            + 4.630_337_846_156_546)
            * r
            + 1.423_437_110_749_683_5;
        let den = ((((((1.050_750_071_644_416_9e-9 * r + 5.475_938_084_995_345e-4) * r
            + 0.015_198_666_563_616_457)
            * r
            + 0.148_103_976_427_480_08)
            * r
            + 0.689_767_334_985_1)
            * r
            + 1.676_384_830_183_803_8)
            * r
            + 2.053_191_626_637_759)
            * r
            + 1.0;
        num / den
    } else {
        let r = r - 5.0;
        let num = ((((((2.010_334_399_292_288e-7 * r + 2.711_555_568_743_487_6e-5) * r
            + 1.242_660_947_388_078_4e-3)
            * r
            + 0.026_532_189_526_576_124)
            * r
            + 0.296_560_571_828_504_9)
            * r
            + 1.784_826_539_917_291_3)
            * r
            + 5.463_784_911_164_114)
            * r
            + 6.657_904_643_501_103;
        let den = ((((((2.044_263_103_389_939_7e-15 * r + 1.421_511_758_316_446e-7) * r
            + 1.846_318_317_510_054_8e-5)
            * r
            + 7.868_691_311_456_133e-4)
            * r
            + 0.014_875_361_290_850_615)
            * r
            + 0.136_929_880_922_735_8)
            * r
            + 0.599_832_206_555_888)
            * r
            + 1.0;
        num / den
    };
    if q < 0.0 {
        -x
    } else {
        x
    }
}

/// The moments of a return series that the Sharpe ratio's inference needs.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SharpeEstimate {
    /// Observations.
    pub n: usize,
    /// Mean over the sample (`n − 1`) standard deviation.
    pub sharpe: f64,
    /// Population skewness.
    pub skewness: f64,
    /// Population kurtosis, raw (3 for a normal).
    pub kurtosis: f64,
}

impl SharpeEstimate {
    /// From per-period returns; `None` with fewer than 2 values or no variance.
    pub fn of(returns: &[f64]) -> Option<SharpeEstimate> {
        let n = returns.len();
        if n < 2 {
            return None;
        }
        let mean = returns.iter().sum::<f64>() / n as f64;
        let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
        for &r in returns {
            let d = r - mean;
            let d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
        }
        let (m2, m3, m4) = (m2 / n as f64, m3 / n as f64, m4 / n as f64);
        if m2.is_nan() || m2 <= 0.0 {
            return None;
        }
        let std = libm::sqrt(m2 * n as f64 / (n as f64 - 1.0));
        Some(SharpeEstimate {
            n,
            sharpe: mean / std,
            skewness: m3 / libm::pow(m2, 1.5),
            kurtosis: m4 / (m2 * m2),
        })
    }

    /// From the sums of a series' powers: `count`, `Σr`, `Σr²`, `Σr³`, `Σr⁴` (what a study
    /// trial keeps); `None` with fewer than 2 values or no variance. The central moments
    /// are expanded from the raw ones, which loses nothing that matters while the mean is
    /// small against the spread, as it is for per-bar returns.
    pub fn from_sums(
        count: f64,
        sum: f64,
        squares: f64,
        cubes: f64,
        fourths: f64,
    ) -> Option<SharpeEstimate> {
        if count.is_nan() || count < 2.0 {
            return None;
        }
        let mean = sum / count;
        let (e2, e3, e4) = (squares / count, cubes / count, fourths / count);
        let mean2 = mean * mean;
        let m2 = e2 - mean2;
        let m3 = e3 - 3.0 * mean * e2 + 2.0 * mean2 * mean;
        let m4 = e4 - 4.0 * mean * e3 + 6.0 * mean2 * e2 - 3.0 * mean2 * mean2;
        if m2.is_nan() || m2 <= 0.0 {
            return None;
        }
        let std = libm::sqrt(m2 * count / (count - 1.0));
        Some(SharpeEstimate {
            n: count as usize,
            sharpe: mean / std,
            skewness: m3 / libm::pow(m2, 1.5),
            kurtosis: m4 / (m2 * m2),
        })
    }
}

/// `1 − skew × SR + (kurt − 1) / 4 × SR²`: `n` times the variance of the Sharpe estimator.
pub fn sharpe_variance_term(sharpe: f64, skewness: f64, kurtosis: f64) -> f64 {
    (1.0 - skewness * sharpe + (kurtosis - 1.0) / 4.0 * sharpe * sharpe).max(0.0)
}

/// The probability that the true Sharpe ratio exceeds `benchmark` (PSR), from `n`
/// observations.
pub fn probabilistic_sharpe(estimate: &SharpeEstimate, benchmark: f64) -> f64 {
    let term = sharpe_variance_term(estimate.sharpe, estimate.skewness, estimate.kurtosis);
    if term == 0.0 || estimate.n < 2 {
        return if estimate.sharpe > benchmark {
            1.0
        } else if estimate.sharpe < benchmark {
            0.0
        } else {
            0.5
        };
    }
    let z = (estimate.sharpe - benchmark) * libm::sqrt(estimate.n as f64 - 1.0) / libm::sqrt(term);
    normal_cdf(z)
}

/// The expected maximum Sharpe ratio of `n_trials` independent trials of no skill whose
/// Sharpe ratios have variance `variance`: `√V × ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e)))`.
pub fn expected_max_sharpe(n_trials: usize, variance: f64) -> f64 {
    if n_trials <= 1 {
        return 0.0;
    }
    let n = n_trials as f64;
    let g = EULER_MASCHERONI;
    libm::sqrt(variance.max(0.0))
        * ((1.0 - g) * normal_inv_cdf(1.0 - 1.0 / n) + g * normal_inv_cdf(1.0 - 1.0 / (n * E)))
}

/// The number of observations at which PSR against `benchmark` reaches `confidence`; `None`
/// when the Sharpe ratio does not exceed the benchmark (no length would do).
pub fn min_track_record_length(
    estimate: &SharpeEstimate,
    benchmark: f64,
    confidence: f64,
) -> Option<f64> {
    let is_above = estimate.sharpe > benchmark;
    if !is_above || !(0.0..1.0).contains(&confidence) || confidence == 0.0 {
        return None;
    }
    let z = normal_inv_cdf(confidence);
    let term = sharpe_variance_term(estimate.sharpe, estimate.skewness, estimate.kurtosis);
    let ratio = z / (estimate.sharpe - benchmark);
    Some(1.0 + term * ratio * ratio)
}

/// The deflated Sharpe ratio of a study's best trial, with what it was computed from.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Deflation {
    /// The best trial's per-bar returns.
    pub best: SharpeEstimate,
    /// Trials counted as independent tries.
    pub n_trials: usize,
    /// Sample variance of the trials' per-bar Sharpe ratios.
    pub trials_variance: f64,
    /// The Sharpe ratio the best of `n_trials` tries of no skill is expected to reach.
    pub expected_max_sharpe: f64,
    /// PSR against 0.
    pub psr: f64,
    /// PSR against `expected_max_sharpe`.
    pub dsr: f64,
    /// Bars needed for PSR against 0 to reach 95 % (`None`: the Sharpe ratio is not above 0).
    pub min_track_record_bars: Option<f64>,
}

/// Deflates `best` among trials whose per-bar Sharpe ratios are `trial_sharpes` (the best's
/// included): the null is the best of that many tries of no skill (mean 0, the trials'
/// sample variance). `None` with fewer than 2 trials.
pub fn deflate(best: SharpeEstimate, trial_sharpes: &[f64]) -> Option<Deflation> {
    deflate_among(best, trial_sharpes, trial_sharpes.len())
}

/// [`deflate`] with `n_trials` tries, of which `trial_sharpes` are those whose Sharpe ratio
/// is known (a study's pruned trials were tries without one). `None` with fewer than 2
/// known Sharpe ratios.
pub fn deflate_among(
    best: SharpeEstimate,
    trial_sharpes: &[f64],
    n_trials: usize,
) -> Option<Deflation> {
    if trial_sharpes.len() < 2 {
        return None;
    }
    let n_trials = n_trials.max(trial_sharpes.len());
    let known = trial_sharpes.len() as f64;
    let mean = trial_sharpes.iter().sum::<f64>() / known;
    let variance = trial_sharpes
        .iter()
        .map(|s| (s - mean) * (s - mean))
        .sum::<f64>()
        / (known - 1.0);
    let expected = expected_max_sharpe(n_trials, variance);
    Some(Deflation {
        best,
        n_trials,
        trials_variance: variance,
        expected_max_sharpe: expected,
        psr: probabilistic_sharpe(&best, 0.0),
        dsr: probabilistic_sharpe(&best, expected),
        min_track_record_bars: min_track_record_length(&best, 0.0, 0.95),
    })
}

/// Per trial and block: the count, sum and sum of squares of the trial's per-bar returns
/// (see the module docs for the layout).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BlockSums {
    n_blocks: usize,
    /// `[trial][block][count, sum, sum of squares]`, flat.
    values: Vec<f64>,
}

impl BlockSums {
    pub fn new(n_blocks: usize) -> BlockSums {
        BlockSums {
            n_blocks,
            values: Vec::new(),
        }
    }

    pub fn n_blocks(&self) -> usize {
        self.n_blocks
    }

    pub fn n_trials(&self) -> usize {
        if self.n_blocks == 0 {
            0
        } else {
            self.values.len() / (3 * self.n_blocks)
        }
    }

    /// Adds a trial from its per-bar returns, cut into `n_blocks` contiguous blocks as equal
    /// as possible (the first `len % n_blocks` one bar longer).
    pub fn push_returns(&mut self, returns: &[f64]) {
        let s = self.n_blocks;
        let (base, extra) = (returns.len() / s.max(1), returns.len() % s.max(1));
        let mut start = 0;
        for block in 0..s {
            let len = base + usize::from(block < extra);
            let part = &returns[start..start + len];
            let sum: f64 = part.iter().sum();
            let squares: f64 = part.iter().map(|r| r * r).sum();
            self.values.extend([len as f64, sum, squares]);
            start += len;
        }
    }

    /// Adds a trial from its blocks' `[count, sum, sum of squares]`.
    pub fn push_blocks(&mut self, blocks: &[[f64; 3]]) {
        for block in blocks.iter().take(self.n_blocks) {
            self.values.extend(block);
        }
    }

    fn trial(&self, trial: usize) -> &[f64] {
        let stride = 3 * self.n_blocks;
        &self.values[trial * stride..(trial + 1) * stride]
    }
}

/// The outcome of combinatorially symmetric cross-validation.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pbo {
    /// The share of partitions where the in-sample best is at or below the out-of-sample
    /// median (logit ≤ 0).
    pub pbo: f64,
    /// Per partition: the logit of the in-sample best's relative out-of-sample rank.
    pub logits: Vec<f64>,
    /// Per partition: the in-sample best's Sharpe ratio in and out of sample.
    pub in_sample: Vec<f64>,
    pub out_of_sample: Vec<f64>,
    /// Least-squares slope of out-of-sample on in-sample Sharpe of the selected trials:
    /// near 0 or negative, in-sample performance says nothing about what follows.
    pub degradation_slope: f64,
    /// The share of partitions whose selected trial lost out of sample.
    pub probability_of_loss: f64,
    pub n_blocks: usize,
    pub n_trials: usize,
}

/// Why PBO cannot be computed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PboError {
    #[error("PBO needs an even number of blocks, at least 2 and at most 22; found {0}")]
    Blocks(usize),
    #[error("PBO needs at least 2 trials with returns; found {0}")]
    TooFewTrials(usize),
}

/// Sharpe ratio from a count, sum and sum of squares; 0 without variance (a trial that
/// held nothing over those bars neither earned nor risked anything there).
fn sharpe_from_sums(count: f64, sum: f64, squares: f64) -> f64 {
    let mean = sum / count;
    let variance = (squares - count * mean * mean) / (count - 1.0);
    if variance > 0.0 {
        mean / libm::sqrt(variance)
    } else {
        0.0
    }
}

/// Each trial's Sharpe ratio in and out of sample as an order key without its square root
/// (`mean × |mean| / variance` orders as `mean / √variance` does), from the in-sample sums
/// and the totals; 0 without variance, as [`sharpe_from_sums`]. One branch-free pass over
/// contiguous columns, which the compiler vectorises.
fn sharpe_keys(
    [count, sum, squares]: [&[f64]; 3],
    [total_count, total_sum, total_squares]: [&[f64]; 3],
    key_in: &mut [f64],
    key_out: &mut [f64],
) {
    let n = key_in.len();
    // With mean = s / c and variance = (q − s² / c) / (c − 1), the key is
    // s |s| (c − 1) / (c (c q − s²)): one division instead of three.
    for t in 0..n {
        let (c, s, q) = (count[t], sum[t], squares[t]);
        let spread = c * q - s * s;
        let key = s * s.abs() * (c - 1.0) / (c * spread);
        key_in[t] = if spread > 0.0 { key } else { 0.0 };
        let (c, s, q) = (total_count[t] - c, total_sum[t] - s, total_squares[t] - q);
        let spread = c * q - s * s;
        let key = s * s.abs() * (c - 1.0) / (c * spread);
        key_out[t] = if spread > 0.0 { key } else { 0.0 };
    }
}

/// One partition's outcome.
#[derive(Clone, Copy)]
struct Outcome {
    logit: f64,
    in_sample: f64,
    out_of_sample: f64,
}

/// PBO over `sums`: for every half/half split of the blocks, the trial with the best
/// in-sample Sharpe ratio, its relative rank among all trials out of sample (rank 1 the
/// worst, ties sharing the average rank, over `N + 1`), and the logit of that rank.
/// Partitions come in lexicographic order of their in-sample blocks.
///
/// Each half is the other's complement, so the sums of the halves that hold block 0 give
/// both sides of every partition; the trials' sums sit block by block in contiguous
/// columns, so each half's sums are a few passes of additions the compiler vectorises, and
/// trials are ranked by a square-root-free key of their Sharpe ratio (the winner's own
/// ratio is computed exactly).
pub fn pbo(sums: &BlockSums) -> Result<Pbo, PboError> {
    let s = sums.n_blocks;
    if s < 2 || s % 2 == 1 || s > 22 {
        return Err(PboError::Blocks(s));
    }
    let n = sums.n_trials();
    if n < 2 {
        return Err(PboError::TooFewTrials(n));
    }
    // columns[k][b][t]: statistic k (count, sum, squares) of block b for trial t.
    let mut columns = vec![vec![vec![0.0; n]; s]; 3];
    let mut totals = vec![vec![0.0; n]; 3];
    for t in 0..n {
        for (b, block) in sums.trial(t).chunks_exact(3).enumerate() {
            for k in 0..3 {
                columns[k][b][t] = block[k];
                totals[k][t] += block[k];
            }
        }
    }
    let mut outcomes: BTreeMap<u32, Outcome> = BTreeMap::new();
    let mut key_in = vec![0.0; n];
    let mut key_out = vec![0.0; n];
    // Depth-first over the halves that hold block 0: the sums at depth d are the parent's
    // plus one block's column, so each level costs one pass over the trials.
    let half = s / 2;
    let mut levels: Vec<[Vec<f64>; 3]> = (0..=half)
        .map(|_| [vec![0.0; n], vec![0.0; n], vec![0.0; n]])
        .collect();
    let mut chosen: Vec<usize> = Vec::with_capacity(half);
    // The next block to try at each depth.
    let mut next: Vec<usize> = vec![0; half + 1];
    let mut depth = 0;
    next[0] = 0;
    loop {
        // Candidates at this depth: block 0 first, then any block that leaves room for the
        // rest of the half.
        let limit = if depth == 0 { 0 } else { s - (half - depth) };
        if next[depth] > limit {
            if depth == 0 {
                break;
            }
            depth -= 1;
            chosen.pop();
            continue;
        }
        let block = next[depth];
        next[depth] += 1;
        let (lower, upper) = levels.split_at_mut(depth + 1);
        let (parent, child) = (&lower[depth], &mut upper[0]);
        for k in 0..3 {
            for ((x, p), c) in child[k].iter_mut().zip(&parent[k]).zip(&columns[k][block]) {
                *x = p + c;
            }
        }
        chosen.push(block);
        if chosen.len() < half {
            depth += 1;
            next[depth] = block + 1;
            continue;
        }
        let part = &levels[half];
        sharpe_keys(
            [&part[0][..n], &part[1][..n], &part[2][..n]],
            [&totals[0][..n], &totals[1][..n], &totals[2][..n]],
            &mut key_in[..n],
            &mut key_out[..n],
        );
        let mask: u32 = chosen.iter().map(|&b| 1u32 << b).sum();
        let complement = ((1u32 << s) - 1) ^ mask;
        let sharpe_in = |t: usize| sharpe_from_sums(part[0][t], part[1][t], part[2][t]);
        let sharpe_out = |t: usize| {
            sharpe_from_sums(
                totals[0][t] - part[0][t],
                totals[1][t] - part[1][t],
                totals[2][t] - part[2][t],
            )
        };
        // In sample = the chosen blocks.
        let best = argmax(&key_in);
        outcomes.insert(
            mask,
            Outcome {
                logit: rank_logit(&key_out, key_out[best]),
                in_sample: sharpe_in(best),
                out_of_sample: sharpe_out(best),
            },
        );
        // In sample = the other blocks.
        let best = argmax(&key_out);
        outcomes.insert(
            complement,
            Outcome {
                logit: rank_logit(&key_in, key_in[best]),
                in_sample: sharpe_out(best),
                out_of_sample: sharpe_in(best),
            },
        );
        chosen.pop();
    }
    let mut logits = Vec::with_capacity(outcomes.len());
    let mut in_sample = Vec::with_capacity(outcomes.len());
    let mut out_of_sample = Vec::with_capacity(outcomes.len());
    for chosen in Combinations::new(s, s / 2) {
        let mask: u32 = chosen.iter().map(|&b| 1u32 << b).sum();
        if let Some(outcome) = outcomes.get(&mask) {
            logits.push(outcome.logit);
            in_sample.push(outcome.in_sample);
            out_of_sample.push(outcome.out_of_sample);
        }
    }
    let n_partitions = logits.len() as f64;
    let pbo = logits.iter().filter(|&&l| l <= 0.0).count() as f64 / n_partitions;
    let probability_of_loss =
        out_of_sample.iter().filter(|&&x| x < 0.0).count() as f64 / n_partitions;
    let mean_x = in_sample.iter().sum::<f64>() / n_partitions;
    let mean_y = out_of_sample.iter().sum::<f64>() / n_partitions;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (x, y) in in_sample.iter().zip(&out_of_sample) {
        sxx += (x - mean_x) * (x - mean_x);
        sxy += (x - mean_x) * (y - mean_y);
    }
    let degradation_slope = if sxx > 0.0 { sxy / sxx } else { f64::NAN };
    Ok(Pbo {
        pbo,
        logits,
        in_sample,
        out_of_sample,
        degradation_slope,
        probability_of_loss,
        n_blocks: s,
        n_trials: n,
    })
}

/// The first index of the largest key (numpy's argmax): the largest by a reduction the
/// compiler vectorises, then its first position. Keys are finite here.
fn argmax(keys: &[f64]) -> usize {
    let largest = keys
        .iter()
        .fold(f64::NEG_INFINITY, |m, &k| if k > m { k } else { m });
    keys.iter().position(|&k| k == largest).unwrap_or(0)
}

/// The logit of `winner`'s relative rank among `keys` (rank 1 the worst, ties sharing the
/// average rank, over `N + 1`).
fn rank_logit(keys: &[f64], winner: f64) -> f64 {
    let (mut below, mut ties) = (0usize, 0usize);
    for &key in keys {
        below += usize::from(key < winner);
        ties += usize::from(key == winner);
    }
    let w = (below as f64 + (ties as f64 + 1.0) / 2.0) / (keys.len() as f64 + 1.0);
    libm::log(w / (1.0 - w))
}

/// Every choice of `k` of `0..n`, in lexicographic order.
struct Combinations {
    n: usize,
    current: Option<Vec<usize>>,
}

impl Combinations {
    fn new(n: usize, k: usize) -> Combinations {
        Combinations {
            n,
            current: (k <= n).then(|| (0..k).collect()),
        }
    }
}

impl Iterator for Combinations {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        let current = self.current.take()?;
        let k = current.len();
        let mut next = current.clone();
        // The rightmost index that can still move right.
        let mut i = k;
        while i > 0 {
            i -= 1;
            if next[i] < self.n - k + i {
                next[i] += 1;
                for j in i + 1..k {
                    next[j] = next[j - 1] + 1;
                }
                self.current = Some(next);
                return Some(current);
            }
        }
        Some(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deflated_sharpe_papers_worked_example() {
        // Bailey and López de Prado (2014), section on the numerical example: the best of
        // N = 100 trials has an annualised Sharpe ratio of 2.5 over T = 1,250 daily
        // observations, skewness −3 and kurtosis 10; the annualised variance of the trials'
        // Sharpe ratios is 1/2. Per day: SR = 2.5 / √250 and V = 0.5 / 250.
        let expected = expected_max_sharpe(100, 0.5 / 250.0);
        assert!((expected - 0.1132).abs() < 1e-4, "SR0 {expected}");
        let best = SharpeEstimate {
            n: 1_250,
            sharpe: 2.5 / libm::sqrt(250.0),
            skewness: -3.0,
            kurtosis: 10.0,
        };
        let dsr = probabilistic_sharpe(&best, expected);
        assert!((dsr - 0.9004).abs() < 1e-4, "DSR {dsr}");
    }

    #[test]
    fn the_quantile_inverts_the_distribution() {
        for p in [1e-12, 1e-6, 0.01, 0.2, 0.5, 0.7, 0.975, 1.0 - 1e-9] {
            let x = normal_inv_cdf(p);
            assert!((normal_cdf(x) - p).abs() <= 1e-12 * p.max(1e-3), "{p}");
        }
        assert!((normal_inv_cdf(0.975) - 1.959_963_984_540_054).abs() < 1e-15);
        assert!(normal_inv_cdf(0.0).is_nan() && normal_inv_cdf(1.0).is_nan());
    }

    #[test]
    fn combinations_are_every_half() {
        assert_eq!(Combinations::new(4, 2).count(), 6);
        assert_eq!(Combinations::new(16, 8).count(), 12_870);
        assert_eq!(
            Combinations::new(4, 2).collect::<Vec<_>>(),
            [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]
        );
    }

    #[test]
    fn pbo_refuses_what_it_cannot_compute() {
        let mut sums = BlockSums::new(3);
        sums.push_returns(&[0.1, -0.1, 0.2, 0.0, 0.1, 0.3]);
        assert_eq!(pbo(&sums), Err(PboError::Blocks(3)));
        let mut sums = BlockSums::new(2);
        sums.push_returns(&[0.1, -0.1, 0.2, 0.0]);
        assert_eq!(pbo(&sums), Err(PboError::TooFewTrials(1)));
    }
}
