//! Grid search: every combination of the leaves' values, in a seeded order.
//!
//! Grid, categorical, int and stepped float leaves are enumerable; a continuous float or
//! `loguniform` leaf is an error naming its path. Trial `k` gets grid point `perm(k)`, where
//! `perm` is a bijection of `0..N` keyed by the seed (a four-round Feistel network with cycle
//! walking), so the order is shuffled without storing it, every point comes exactly once,
//! and trial `N` reports the grid exhausted.

use super::{Proposal, SampleContext, Sampler};
use crate::error::{OptimizerError, Result};
use crate::rng::{TrialRng, STUDY_STREAM};
use crate::space::SearchSpace;

/// Enumerates the grid in a seeded permutation.
#[derive(Clone, Debug)]
pub struct GridSampler {
    radices: Vec<u64>,
    n_points: u64,
    permutation: FeistelPermutation,
}

impl GridSampler {
    /// A grid over `space`; fails on a continuous parameter or a grid beyond 2^64 points.
    pub fn new(space: &SearchSpace, seed: u64) -> Result<GridSampler> {
        let mut radices = Vec::with_capacity(space.len());
        let mut n_points: u64 = 1;
        for spec in space.params() {
            let len = spec
                .distribution
                .grid_len()
                .ok_or_else(|| OptimizerError::NotGriddable {
                    path: spec.path.clone(),
                    message: format!(
                        "is a continuous `{}` range; give it a `step` or list its values with `type: grid`",
                        spec.distribution.kind()
                    ),
                })?;
            n_points = n_points
                .checked_mul(len)
                .ok_or_else(|| OptimizerError::InvalidSetting {
                    field: "sampler".into(),
                    message: "the grid has more than 2^64 points".into(),
                })?;
            radices.push(len);
        }
        Ok(GridSampler {
            radices,
            n_points,
            permutation: FeistelPermutation::new(n_points, seed),
        })
    }

    /// The number of grid points.
    pub fn n_points(&self) -> u64 {
        self.n_points
    }

    /// The grid indices (one per parameter) of the `k`-th proposal.
    fn indices(&self, k: u64) -> Vec<u64> {
        let mut rest = self.permutation.apply(k);
        let mut indices = vec![0; self.radices.len()];
        for (slot, radix) in indices.iter_mut().zip(&self.radices).rev() {
            *slot = rest % radix;
            rest /= radix;
        }
        indices
    }
}

impl Sampler for GridSampler {
    fn sample(&self, ctx: &SampleContext<'_>, _rng: &mut TrialRng) -> Proposal {
        if ctx.trial_number >= self.n_points {
            return Proposal::Exhausted {
                message: format!(
                    "the search space is exhausted: all {} grid points have been proposed",
                    self.n_points
                ),
            };
        }
        let indices = self.indices(ctx.trial_number);
        Proposal::Params(
            ctx.space
                .params()
                .iter()
                .zip(indices)
                .map(|(spec, i)| (spec.path.clone(), spec.distribution.grid_value(i)))
                .collect(),
        )
    }
}

/// A keyed bijection of `0..n`: a balanced Feistel network on the smallest even bit width
/// covering `n`, applied repeatedly until the result falls inside `0..n` (cycle walking).
#[derive(Clone, Debug)]
struct FeistelPermutation {
    n: u64,
    half_bits: u32,
    keys: [u64; 4],
}

impl FeistelPermutation {
    fn new(n: u64, seed: u64) -> FeistelPermutation {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        let mut rng = TrialRng::new(seed, STUDY_STREAM);
        let keys = [
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
        ];
        FeistelPermutation { n, half_bits, keys }
    }

    fn round(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for key in self.keys {
            let mixed = mix(right ^ key) & mask;
            (left, right) = (right, left ^ mixed);
        }
        (left << self.half_bits) | right
    }

    fn apply(&self, i: u64) -> u64 {
        if self.n <= 1 {
            return 0;
        }
        let mut x = self.round(i);
        while x >= self.n {
            x = self.round(x);
        }
        x
    }
}

/// The SplitMix64 finaliser: a fast, well-mixed 64-bit hash.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_bijection_for_awkward_sizes() {
        for n in [1u64, 2, 3, 5, 7, 64, 100, 1000, 1025] {
            let perm = FeistelPermutation::new(n, 42);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let j = perm.apply(i) as usize;
                assert!(!seen[j], "n = {n}: {j} twice");
                seen[j] = true;
            }
        }
    }

    #[test]
    fn permutation_depends_on_the_seed() {
        let a: Vec<u64> = (0..50)
            .map(|i| FeistelPermutation::new(50, 1).apply(i))
            .collect();
        let b: Vec<u64> = (0..50)
            .map(|i| FeistelPermutation::new(50, 2).apply(i))
            .collect();
        assert_ne!(a, b);
    }
}
