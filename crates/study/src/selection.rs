//! Skill or selection, for a whole study: the deflated Sharpe ratio of its best trial and
//! the probability of backtest overfitting over its trials, from what each complete trial
//! kept ([`RETURN_BLOCKS_ATTR`] and [`RETURN_MOMENTS_ATTR`]): nothing is re-run, so a
//! journal, an export or a bundle gives the same figures wherever it is read.
//!
//! What counts:
//! - **Tries** (`N` of the deflated Sharpe ratio): distinct parameter sets the sampler
//!   evaluated, complete or pruned. A pruned trial was a try that looked worse; leaving it
//!   out would make the best look less selected than it was. Duplicates (the same point
//!   proposed again) and failed trials (a config the parameters made invalid: nothing was
//!   traded) are not tries.
//! - **The trials' Sharpe ratios** (their variance sets the expected best of `N` tries of no
//!   skill) and **PBO's matrix**: every complete, non-duplicate trial with return blocks,
//!   feasible or not, since the selection ran over all of them.
//! - **The best trial**: the study's best feasible trial (its score ranks, as everywhere);
//!   its per-bar Sharpe ratio, skewness and raw kurtosis come from its sums.
//!
//! A Sharpe ratio here is per bar, as the papers write it; the study page also shows it
//! annualised.

use genesis_optimizer::summary::top_trials;
use genesis_optimizer::{StudyLog, TrialRecord, TrialState};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::objective::{RETURN_BLOCKS_ATTR, RETURN_MOMENTS_ATTR};
use crate::overfit::{deflate_among, pbo, BlockSums, Deflation, Pbo, SharpeEstimate};

/// The overfitting statistics of a study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// Distinct parameter sets evaluated (complete or pruned).
    pub n_tries: usize,
    /// Complete trials that kept their return blocks.
    pub n_with_returns: usize,
    /// The trial the figures judge: the best feasible one.
    pub best_trial: Option<u64>,
    pub deflation: Option<Deflation>,
    pub pbo: Option<Pbo>,
    /// Why a figure is missing, in words.
    pub notes: Vec<String>,
}

impl Selection {
    /// "The chance that the best trial's Sharpe ratio is a fluke of selection among 1,000
    /// tries: 37 %" (one minus the deflated Sharpe ratio), when there is one.
    pub fn dsr_sentence(&self) -> Option<String> {
        let d = self.deflation.as_ref()?;
        Some(format!(
            "the chance that the best trial's Sharpe ratio is a fluke of selection among {} tries: {}",
            group_thousands(self.n_tries),
            percent(1.0 - d.dsr)
        ))
    }

    /// "The chance that the in-sample best is below the median out of sample: 12 %".
    pub fn pbo_sentence(&self) -> Option<String> {
        let p = self.pbo.as_ref()?;
        Some(format!(
            "the chance that the trial best in sample is below the median out of sample (probability of backtest overfitting, {} blocks): {}",
            p.n_blocks,
            percent(p.pbo)
        ))
    }
}

fn percent(x: f64) -> String {
    format!("{:.0} %", 100.0 * x)
}

/// `1234567` as `1,234,567`.
fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A trial's return blocks and moments, if it kept them.
fn return_sums(trial: &TrialRecord) -> Option<(Vec<[f64; 3]>, [f64; 2])> {
    let blocks: Vec<[f64; 3]> =
        serde_json::from_value(trial.user_attrs.get(RETURN_BLOCKS_ATTR)?.clone()).ok()?;
    let moments: [f64; 2] =
        serde_json::from_value(trial.user_attrs.get(RETURN_MOMENTS_ATTR).cloned()?).ok()?;
    Some((blocks, moments))
}

/// The per-bar Sharpe estimate of a trial from its sums (`None` without variance).
fn estimate_of(blocks: &[[f64; 3]], [cubes, fourths]: [f64; 2]) -> Option<SharpeEstimate> {
    let (count, sum, squares) = blocks.iter().fold((0.0, 0.0, 0.0), |(c, s, q), b| {
        (c + b[0], s + b[1], q + b[2])
    });
    SharpeEstimate::from_sums(count, sum, squares, cubes, fourths)
}

/// What the trials of a study kept, gathered once for the figures.
struct Gathered {
    n_tries: usize,
    n_with_returns: usize,
    sums: Option<BlockSums>,
    /// Per-bar Sharpe ratios of the complete trials with returns.
    sharpes: Vec<f64>,
    notes: Vec<String>,
}

fn gather(log: &StudyLog) -> Gathered {
    let distinct = || log.trials.iter().filter(|t| t.duplicate_of.is_none());
    let n_tries = distinct()
        .filter(|t| matches!(t.state, TrialState::Complete | TrialState::Pruned))
        .count();
    let mut gathered = Gathered {
        n_tries,
        n_with_returns: 0,
        sums: None,
        sharpes: Vec::new(),
        notes: Vec::new(),
    };
    let mut is_mixed = false;
    for trial in distinct().filter(|t| t.state == TrialState::Complete) {
        let Some((blocks, moments)) = return_sums(trial) else {
            continue;
        };
        gathered.n_with_returns += 1;
        let sums = gathered
            .sums
            .get_or_insert_with(|| BlockSums::new(blocks.len()));
        if sums.n_blocks() != blocks.len() {
            is_mixed = true;
            continue;
        }
        sums.push_blocks(&blocks);
        // A trial without variance (one that never traded) has a Sharpe ratio of 0.
        gathered
            .sharpes
            .push(estimate_of(&blocks, moments).map_or(0.0, |e| e.sharpe));
    }
    if is_mixed {
        gathered.notes.push(
            "trials kept different numbers of return blocks; only those with the first trial's count are in PBO"
                .to_string(),
        );
    }
    gathered
}

/// The deflated Sharpe ratio of `trial` among the gathered tries, or why there is none.
fn deflation_of(gathered: &Gathered, trial: &TrialRecord) -> Result<Deflation, String> {
    let (blocks, moments) = return_sums(trial).ok_or_else(|| {
        format!(
            "trial {} kept no return blocks (a study written before PBO, or with pbo_blocks 0): no deflated Sharpe ratio",
            trial.number
        )
    })?;
    estimate_of(&blocks, moments)
        .and_then(|estimate| deflate_among(estimate, &gathered.sharpes, gathered.n_tries))
        .ok_or_else(|| {
            format!(
                "the deflated Sharpe ratio needs a trial whose returns vary and at least 2 trials with returns ({} here)",
                gathered.sharpes.len()
            )
        })
}

/// The overfitting statistics of `log` (see the module docs).
pub fn assess(log: &StudyLog) -> Selection {
    let mut gathered = gather(log);
    let mut notes = std::mem::take(&mut gathered.notes);
    let best = top_trials(log, 1).into_iter().find(|t| t.is_feasible());
    let deflation = match best {
        None => {
            notes.push("no feasible trial: nothing to deflate".to_string());
            None
        }
        Some(best) => deflation_of(&gathered, best)
            .map_err(|note| notes.push(note))
            .ok(),
    };
    let pbo = match &gathered.sums {
        None => {
            notes.push("no trial kept return blocks: no PBO".to_string());
            None
        }
        Some(sums) => pbo(sums)
            .map_err(|err| notes.push(format!("no PBO: {err}")))
            .ok(),
    };
    Selection {
        n_tries: gathered.n_tries,
        n_with_returns: gathered.n_with_returns,
        best_trial: best.map(|t| t.number),
        deflation,
        pbo,
        notes,
    }
}

/// The figures a promotion records and can require, for one trial of a study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrialFigures {
    pub n_tries: usize,
    /// This trial's deflated Sharpe ratio among the study's tries.
    pub dsr: Option<f64>,
    /// The study's probability of backtest overfitting.
    pub pbo: Option<f64>,
    /// Why a figure is missing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// [`TrialFigures`] of trial `number` of `log`.
pub fn figures_of(log: &StudyLog, number: u64) -> TrialFigures {
    let mut gathered = gather(log);
    let mut notes = std::mem::take(&mut gathered.notes);
    let dsr = match log.trial(number) {
        Some(trial) => deflation_of(&gathered, trial)
            .map(|d| d.dsr)
            .map_err(|note| notes.push(note))
            .ok(),
        None => None,
    };
    let pbo = match &gathered.sums {
        Some(sums) => pbo(sums)
            .map(|p| p.pbo)
            .map_err(|err| notes.push(format!("no PBO: {err}")))
            .ok(),
        None => {
            notes.push("no trial kept return blocks: no PBO".to_string());
            None
        }
    };
    TrialFigures {
        n_tries: gathered.n_tries,
        dsr,
        pbo,
        notes,
    }
}

/// What a promotion can require of the figures (nothing by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Requirements {
    /// The trial's deflated Sharpe ratio must be at least this.
    pub min_dsr: Option<f64>,
    /// The study's probability of backtest overfitting must be at most this.
    pub max_pbo: Option<f64>,
}

impl Requirements {
    /// The reasons `figures` fall short, each naming the figure; empty when they pass.
    pub fn shortfalls(&self, figures: &TrialFigures) -> Vec<String> {
        let mut out = Vec::new();
        let why = || {
            if figures.notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", figures.notes.join("; "))
            }
        };
        if let Some(min) = self.min_dsr {
            match figures.dsr {
                Some(dsr) if dsr >= min => {}
                Some(dsr) => out.push(format!(
                    "its deflated Sharpe ratio {dsr:.4} is below the required min_dsr {min}"
                )),
                None => out.push(format!(
                    "min_dsr {min} is required and the trial has no deflated Sharpe ratio{}",
                    why()
                )),
            }
        }
        if let Some(max) = self.max_pbo {
            match figures.pbo {
                Some(pbo) if pbo <= max => {}
                Some(pbo) => out.push(format!(
                    "the study's probability of backtest overfitting {pbo:.4} is above the allowed max_pbo {max}"
                )),
                None => out.push(format!(
                    "max_pbo {max} is required and the study has no PBO{}",
                    why()
                )),
            }
        }
        out
    }
}

/// `trials` with only what [`assess`] reads: state, value, constraint violations,
/// duplicates and the return attributes (a third of a trial's record), for sending to a
/// worker.
pub fn slim(trials: &[TrialRecord]) -> Vec<TrialRecord> {
    trials
        .iter()
        .map(|t| TrialRecord {
            params: Default::default(),
            intermediate: Vec::new(),
            user_attrs: t
                .user_attrs
                .iter()
                .filter(|(k, _)| *k == RETURN_BLOCKS_ATTR || *k == RETURN_MOMENTS_ATTR)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            fail_reason: None,
            timing: None,
            ..t.clone()
        })
        .collect()
}

/// The study user attributes an export carries, so optuna-dashboard shows the figures:
/// `genesis_dsr`, `genesis_psr`, `genesis_pbo`, `genesis_tries`, and the sentences.
pub fn export_attrs(selection: &Selection) -> Vec<(String, Value)> {
    let mut attrs = vec![(
        "genesis_tries".to_string(),
        Value::from(selection.n_tries as u64),
    )];
    if let Some(d) = &selection.deflation {
        attrs.push(("genesis_psr".to_string(), Value::from(d.psr)));
        attrs.push(("genesis_dsr".to_string(), Value::from(d.dsr)));
        attrs.push((
            "genesis_expected_max_sharpe".to_string(),
            Value::from(d.expected_max_sharpe),
        ));
    }
    if let Some(p) = &selection.pbo {
        attrs.push(("genesis_pbo".to_string(), Value::from(p.pbo)));
        attrs.push((
            "genesis_pbo_degradation_slope".to_string(),
            serde_json::Number::from_f64(p.degradation_slope).map_or(Value::Null, Value::Number),
        ));
    }
    for (key, sentence) in [
        ("genesis_dsr_in_words", selection.dsr_sentence()),
        ("genesis_pbo_in_words", selection.pbo_sentence()),
    ] {
        if let Some(sentence) = sentence {
            attrs.push((key.to_string(), Value::String(sentence)));
        }
    }
    attrs
}

/// The study as an Optuna journal with its overfitting figures as study user attributes.
pub fn to_optuna_journal(log: &StudyLog) -> genesis_optimizer::Result<String> {
    genesis_optimizer::export::to_optuna_journal_with(log, &export_attrs(&assess(log)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(7), "7");
        assert_eq!(group_thousands(1_000), "1,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }
}
