//! Per-trial random streams.
//!
//! Every trial draws from its own ChaCha8 stream: the key comes from the study seed, the
//! stream number is the trial number. Nothing carries random state from one trial to the
//! next, so the sampler's random state is fully determined by the journal (seed and trial
//! numbers), whatever the order in which trials were asked, told or resumed.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// The stream reserved for study-level draws (the grid sampler's permutation keys); trial
/// numbers never reach it.
pub(crate) const STUDY_STREAM: u64 = u64::MAX;

/// The random stream of one trial.
#[derive(Clone, Debug)]
pub struct TrialRng(ChaCha8Rng);

impl TrialRng {
    /// The stream of trial `stream` in the study seeded with `seed`.
    pub fn new(seed: u64, stream: u64) -> TrialRng {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        TrialRng(rng)
    }

    /// 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `[0, 1)`, with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in the open interval `(0, 1)`.
    pub fn uniform_open(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n` without modulo bias (`n > 0`; returns 0 for `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        // Reject the top partial block so every residue is equally likely.
        let zone = u64::MAX - (u64::MAX % n) - 1;
        loop {
            let x = self.next_u64();
            if x <= zone {
                return x % n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_depend_on_seed_and_trial_only() {
        let a: Vec<u64> = (0..4).map(|_| TrialRng::new(7, 3).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            TrialRng::new(7, 3).next_u64(),
            TrialRng::new(7, 4).next_u64()
        );
        assert_ne!(
            TrialRng::new(7, 3).next_u64(),
            TrialRng::new(8, 3).next_u64()
        );
    }

    #[test]
    fn uniform_draws_stay_in_range() {
        let mut rng = TrialRng::new(1, 1);
        for _ in 0..10_000 {
            let u = rng.uniform();
            assert!((0.0..1.0).contains(&u));
            let v = rng.uniform_open();
            assert!(v > 0.0 && v < 1.0);
            assert!(rng.below(7) < 7);
        }
    }
}
