//! Per-bar returns summed per block of the window: what the Probability of Backtest
//! Overfitting needs of a trial.
//!
//! The window's bars are cut into `n` contiguous blocks as equal as possible (the first
//! `len % n` one bar longer); each block keeps the count, sum and sum of squares of the
//! per-bar returns that fell in it. A Sharpe ratio over any union of blocks follows from
//! those three numbers, so combinatorially symmetric cross-validation over a study costs
//! `trials × n × 3` numbers, never `trials × bars`. The returns are the ones
//! [`super::returns::ReturnStats`] sees (`equity_t / equity_{t−1} − 1`, the first from the
//! initial cash), summed in bar order: the same run gives the same sums to the bit.
//!
//! The whole window's sums of cubes and fourth powers come along, so the deflated Sharpe
//! ratio's skewness and kurtosis of a study's best trial need nothing but its record.

use serde::{Deserialize, Serialize};

use super::returns::ReturnStats;

/// The most blocks a run accumulates (CSCV's cost grows as `C(n, n/2)`; 16 is the usual).
pub const MAX_RETURN_BLOCKS: usize = 64;

/// Running per-block return sums of one window. Disabled (`n_blocks == 0`) it does nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct ReturnBlocks {
    /// Bars in the window.
    n_bars: usize,
    /// Block of the next bar.
    block: usize,
    /// Bars pushed so far.
    n_pushed: usize,
    /// The bar offset at which the next block starts.
    next_start: usize,
    last_equity: f64,
    /// `[count, sum, sum of squares]` per block.
    sums: Vec<[f64; 3]>,
    /// Sums of `r³` and `r⁴` over the window.
    cubes: f64,
    fourths: f64,
}

/// What a run's [`ReturnBlocks`] summed: per block `[count, sum, sum of squares]` of the
/// per-bar returns, and the window's sums of their cubes and fourth powers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnSums {
    pub blocks: Vec<[f64; 3]>,
    pub cubes: f64,
    pub fourths: f64,
}

impl ReturnBlocks {
    /// Blocks over a window of `n_bars` starting from `initial_equity`; `n_blocks` of 0
    /// disables the accumulator. `n_blocks` is capped at [`MAX_RETURN_BLOCKS`].
    pub fn new(n_blocks: usize, n_bars: usize, initial_equity: f64) -> ReturnBlocks {
        let n_blocks = n_blocks.min(MAX_RETURN_BLOCKS);
        let mut blocks = ReturnBlocks {
            n_bars,
            block: 0,
            n_pushed: 0,
            next_start: 0,
            last_equity: initial_equity,
            sums: vec![[0.0; 3]; n_blocks],
            cubes: 0.0,
            fourths: 0.0,
        };
        blocks.next_start = blocks.block_start(1);
        blocks
    }

    /// The bar offset of block `block`'s first bar.
    fn block_start(&self, block: usize) -> usize {
        let n = self.sums.len().max(1);
        let (base, extra) = (self.n_bars / n, self.n_bars % n);
        block * base + block.min(extra)
    }

    /// Takes the equity at the next close.
    #[inline(always)]
    pub fn push(&mut self, equity: f64) {
        if self.sums.is_empty() {
            return;
        }
        let r = ReturnStats::bar_return(self.last_equity, equity);
        self.last_equity = equity;
        // Empty blocks (a window shorter than the block count) are stepped over.
        while self.n_pushed >= self.next_start && self.block + 1 < self.sums.len() {
            self.block += 1;
            self.next_start = self.block_start(self.block + 1);
        }
        self.n_pushed += 1;
        let square = r * r;
        let sums = &mut self.sums[self.block];
        sums[0] += 1.0;
        sums[1] += r;
        sums[2] += square;
        self.cubes += square * r;
        self.fourths += square * square;
    }

    /// `[count, sum, sum of squares]` per block; empty when disabled.
    pub fn sums(&self) -> &[[f64; 3]] {
        &self.sums
    }

    /// What was summed; `None` when disabled.
    pub fn into_sums(self) -> Option<ReturnSums> {
        (!self.sums.is_empty()).then_some(ReturnSums {
            blocks: self.sums,
            cubes: self.cubes,
            fourths: self.fourths,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn returns_of(equity: &[f64], initial: f64) -> Vec<f64> {
        let mut last = initial;
        equity
            .iter()
            .map(|&e| {
                let r = ReturnStats::bar_return(last, e);
                last = e;
                r
            })
            .collect()
    }

    #[test]
    fn blocks_cut_the_window_as_equally_as_possible_and_sum_in_bar_order() {
        let equity: Vec<f64> = (0..10).map(|k| 100.0 + (k * k) as f64).collect();
        let mut blocks = ReturnBlocks::new(4, equity.len(), 100.0);
        for &e in &equity {
            blocks.push(e);
        }
        let returns = returns_of(&equity, 100.0);
        let sums = blocks.clone().into_sums().unwrap();
        let cubes = returns.iter().fold(0.0, |acc, r| acc + r * r * r);
        let fourths = returns.iter().fold(0.0, |acc, r| acc + (r * r) * (r * r));
        assert_eq!((sums.cubes, sums.fourths), (cubes, fourths));
        assert_eq!(sums.blocks.iter().map(|b| b[0]).sum::<f64>(), 10.0);
        // 10 bars in 4 blocks: 3, 3, 2, 2.
        let lengths = [3usize, 3, 2, 2];
        let mut start = 0;
        for (block, &len) in blocks.sums().iter().zip(&lengths) {
            let part = &returns[start..start + len];
            let mut sum = 0.0;
            let mut squares = 0.0;
            for r in part {
                sum += r;
                squares += r * r;
            }
            assert_eq!(*block, [len as f64, sum, squares]);
            start += len;
        }
    }

    #[test]
    fn a_window_shorter_than_the_blocks_leaves_the_last_blocks_empty_and_counts_every_bar() {
        let mut blocks = ReturnBlocks::new(8, 3, 1.0);
        for e in [1.1, 1.2, 1.0] {
            blocks.push(e);
        }
        let counts: Vec<f64> = blocks.sums().iter().map(|b| b[0]).collect();
        assert_eq!(counts.iter().sum::<f64>(), 3.0);
        assert_eq!(counts, [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn disabled_blocks_keep_nothing() {
        let mut blocks = ReturnBlocks::new(0, 0, 0.0);
        blocks.push(2.0);
        assert!(blocks.sums().is_empty());
        assert_eq!(blocks.into_sums(), None);
    }
}
