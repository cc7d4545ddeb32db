//! A walk-forward run's report, from its header and fold outcomes alone.
//!
//! - **Stitched equity**: the test segments compounded ([`crate::folds::stitch`]): each
//!   starts with the equity the previous one ended with. Its per-bar returns give the
//!   headline: total return, CAGR over the test windows' calendar time, the Sharpe ratio
//!   (per bar and annualised) with its t-statistic (`per-bar Sharpe × √bars`), the
//!   probabilistic Sharpe ratio against 0, the maximum drawdown and the trades.
//! - **Walk-forward efficiency**: the stitched out-of-sample CAGR over the mean in-sample
//!   CAGR of the chosen trials. When the in-sample figure is not positive the ratio means
//!   nothing, and the report says so instead of dividing.
//! - **Parameter stability**: per parameter, its value in each fold; for numbers the mean,
//!   the standard deviation and their ratio (the coefficient of variation), for categories
//!   the share of the most common value.
//! - **Buy and hold** over the same test windows, compounded the same way.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{FoldOutcome, WalkForwardLog};
use crate::folds::stitch;
use crate::overfit::{probabilistic_sharpe, SharpeEstimate};

/// Milliseconds in a year of 365.25 days (CAGR over calendar time).
const YEAR_MS: f64 = 365.25 * 86_400_000.0;

/// The headline figures of the stitched out-of-sample equity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stitched {
    pub n_bars: usize,
    pub initial_equity: f64,
    pub final_equity: f64,
    pub total_return: f64,
    pub cagr: Option<f64>,
    pub sharpe_per_bar: Option<f64>,
    pub sharpe_annualised: Option<f64>,
    /// `sharpe_per_bar × √n_bars`: how many standard errors the mean return is above 0.
    pub sharpe_t_stat: Option<f64>,
    /// Probability that the per-bar Sharpe ratio is above 0 (no selection happened here).
    pub psr: Option<f64>,
    pub max_drawdown: f64,
    pub n_trades: usize,
}

/// Out-of-sample against in-sample annualised return.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Efficiency {
    pub out_of_sample_cagr: Option<f64>,
    /// Mean of the chosen trials' in-sample CAGR.
    pub in_sample_cagr: Option<f64>,
    pub ratio: Option<f64>,
    /// Why there is no ratio.
    pub note: Option<String>,
}

/// One parameter across the folds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stability {
    pub path: String,
    /// The chosen value per fold (`None` where the fold chose nothing), as text.
    pub values: Vec<Option<String>>,
    pub mean: Option<f64>,
    pub std: Option<f64>,
    /// `std / |mean|`.
    pub coefficient_of_variation: Option<f64>,
    /// The share of folds (with a choice) that chose the most common value.
    pub mode_share: f64,
}

/// One row of the fold table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FoldRow {
    pub fold: usize,
    pub train: (usize, usize),
    pub test: (usize, usize),
    pub test_start_ms: i64,
    pub test_end_ms: i64,
    pub trial: Option<u64>,
    pub params: String,
    pub in_sample_score: Option<f64>,
    pub test_score: Option<f64>,
    pub test_return: f64,
    pub test_sharpe: Option<f64>,
    pub test_max_drawdown: Option<f64>,
    pub n_trades: usize,
    pub buy_and_hold_return: f64,
    pub dsr: Option<f64>,
    pub pbo: Option<f64>,
    pub note: Option<String>,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub name: String,
    pub n_folds: usize,
    pub n_done: usize,
    pub folds: Vec<FoldRow>,
    pub stitched: Stitched,
    /// The stitched equity at every test bar.
    pub equity: Vec<f64>,
    pub efficiency: Efficiency,
    pub buy_and_hold_return: f64,
    pub buy_and_hold_cagr: Option<f64>,
    pub stability: Vec<Stability>,
}

fn cagr(total_return: f64, elapsed_ms: i64) -> Option<f64> {
    if elapsed_ms <= 0 || total_return <= -1.0 {
        return None;
    }
    let value = libm::pow(1.0 + total_return, YEAR_MS / elapsed_ms as f64) - 1.0;
    value.is_finite().then_some(value)
}

fn metric(outcome: &FoldOutcome, key: &str) -> Option<f64> {
    outcome
        .chosen
        .as_ref()
        .and_then(|c| c.test_metrics.get(key))
        .and_then(serde_json::Value::as_f64)
}

fn stitched_figures(equity: &[f64], initial: f64, done: &[&FoldOutcome]) -> Stitched {
    let mut returns = Vec::with_capacity(equity.len());
    let (mut last, mut peak, mut max_drawdown) = (initial, initial, 0.0_f64);
    for &e in equity {
        returns.push(if last > 0.0 { e / last - 1.0 } else { 0.0 });
        last = e;
        peak = peak.max(e);
        if peak > 0.0 {
            max_drawdown = max_drawdown.max(1.0 - e / peak);
        }
    }
    let final_equity = equity.last().copied().unwrap_or(initial);
    let total_return = final_equity / initial - 1.0;
    let elapsed_ms: i64 = done.iter().map(|o| o.test_end_ms - o.test_start_ms).sum();
    let estimate = SharpeEstimate::of(&returns);
    let periods_per_year = done.iter().map(|o| o.periods_per_year).find(|p| *p > 0.0);
    let sharpe = estimate.map(|e| e.sharpe);
    Stitched {
        n_bars: equity.len(),
        initial_equity: initial,
        final_equity,
        total_return,
        cagr: cagr(total_return, elapsed_ms),
        sharpe_per_bar: sharpe,
        sharpe_annualised: sharpe.zip(periods_per_year).map(|(s, p)| s * p.sqrt()),
        sharpe_t_stat: sharpe.map(|s| s * (equity.len() as f64).sqrt()),
        psr: estimate.map(|e| probabilistic_sharpe(&e, 0.0)),
        max_drawdown,
        n_trades: done.iter().map(|o| o.n_trades).sum(),
    }
}

fn efficiency(oos_cagr: Option<f64>, done: &[&FoldOutcome]) -> Efficiency {
    let in_sample: Vec<f64> = done
        .iter()
        .filter_map(|o| o.chosen.as_ref()?.in_sample_cagr)
        .collect();
    let in_sample_cagr =
        (!in_sample.is_empty()).then(|| in_sample.iter().sum::<f64>() / in_sample.len() as f64);
    let (ratio, note) = match (oos_cagr, in_sample_cagr) {
        (Some(oos), Some(is)) if is > 0.0 => (Some(oos / is), None),
        (_, Some(is)) => (
            None,
            Some(format!(
                "the chosen trials' mean in-sample CAGR is {:.2} % (not positive): an efficiency ratio would mean nothing",
                100.0 * is
            )),
        ),
        (_, None) => (
            None,
            Some("no fold chose a trial with an in-sample CAGR".to_string()),
        ),
    };
    Efficiency {
        out_of_sample_cagr: oos_cagr,
        in_sample_cagr,
        ratio,
        note,
    }
}

fn stability(log: &WalkForwardLog, done: &[&FoldOutcome]) -> Vec<Stability> {
    log.header
        .study
        .space
        .params()
        .iter()
        .map(|spec| {
            let values: Vec<Option<&genesis_optimizer::ParamValue>> = done
                .iter()
                .map(|o| o.chosen.as_ref().and_then(|c| c.params.get(&spec.path)))
                .collect();
            let numbers: Vec<f64> = values.iter().flatten().filter_map(|v| v.as_f64()).collect();
            let (mean, std) = if numbers.is_empty() {
                (None, None)
            } else {
                let n = numbers.len() as f64;
                let mean = numbers.iter().sum::<f64>() / n;
                let var = numbers.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
                (Some(mean), Some(var.sqrt()))
            };
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for v in values.iter().flatten() {
                *counts.entry(v.canonical()).or_default() += 1;
            }
            let chosen = values.iter().flatten().count();
            let most = counts.values().copied().max().unwrap_or(0);
            Stability {
                path: spec.path.clone(),
                values: values
                    .iter()
                    .map(|v| v.map(|v| v.to_json().to_string()))
                    .collect(),
                mean,
                std,
                coefficient_of_variation: mean
                    .zip(std)
                    .filter(|(m, _)| *m != 0.0)
                    .map(|(m, s)| s / m.abs()),
                mode_share: if chosen == 0 {
                    0.0
                } else {
                    most as f64 / chosen as f64
                },
            }
        })
        .collect()
}

/// The report of `log` over its finished folds.
pub fn report(log: &WalkForwardLog) -> Report {
    let done: Vec<&FoldOutcome> = log.outcomes.iter().flatten().collect();
    let initial = log.header.base_config.backtest().initial_cash;
    let segments: Vec<Vec<f64>> = done.iter().map(|o| o.test_equity.clone()).collect();
    let starts: Vec<f64> = done.iter().map(|o| o.initial_cash).collect();
    let equity = stitch(initial, &segments, &starts);
    let stitched = stitched_figures(&equity, initial, &done);
    let buy_and_hold_return = done
        .iter()
        .fold(1.0, |acc, o| acc * (1.0 + o.buy_and_hold_return))
        - 1.0;
    let elapsed_ms: i64 = done.iter().map(|o| o.test_end_ms - o.test_start_ms).sum();
    let folds = done
        .iter()
        .map(|o| {
            let chosen = o.chosen.as_ref();
            FoldRow {
                fold: o.index + 1,
                train: (o.train.from_bar, o.train.to_bar),
                test: (o.test.from_bar, o.test.to_bar),
                test_start_ms: o.test_start_ms,
                test_end_ms: o.test_end_ms,
                trial: chosen.map(|c| c.trial),
                params: chosen
                    .map(|c| {
                        c.params
                            .iter()
                            .map(|(k, v)| format!("{k}={}", v.to_json()))
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default(),
                in_sample_score: chosen.map(|c| c.in_sample_score),
                test_score: chosen.map(|c| c.test_score),
                test_return: o
                    .test_equity
                    .last()
                    .map_or(0.0, |e| e / o.initial_cash - 1.0),
                test_sharpe: metric(o, "sharpe"),
                test_max_drawdown: metric(o, "max_drawdown"),
                n_trades: o.n_trades,
                buy_and_hold_return: o.buy_and_hold_return,
                dsr: o.figures.as_ref().and_then(|f| f.dsr),
                pbo: o.figures.as_ref().and_then(|f| f.pbo),
                note: o.note.clone(),
            }
        })
        .collect();
    Report {
        name: log.header.name.clone(),
        n_folds: log.header.folds.len(),
        n_done: done.len(),
        folds,
        efficiency: efficiency(stitched.cagr, &done),
        stitched,
        equity,
        buy_and_hold_return,
        buy_and_hold_cagr: cagr(buy_and_hold_return, elapsed_ms),
        stability: stability(log, &done),
    }
}

/// The fold table as CSV: one row per finished fold.
pub fn folds_csv(report: &Report) -> String {
    let mut out = String::from(
        "fold,train_from,train_to,test_from,test_to,test_start_ms,test_end_ms,trial,params,in_sample_score,test_score,test_return,test_sharpe,test_max_drawdown,n_trades,buy_and_hold_return,dsr,pbo,note\n",
    );
    let num = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    for row in &report.folds {
        let fields = [
            row.fold.to_string(),
            row.train.0.to_string(),
            row.train.1.to_string(),
            row.test.0.to_string(),
            row.test.1.to_string(),
            row.test_start_ms.to_string(),
            row.test_end_ms.to_string(),
            row.trial.map_or(String::new(), |t| t.to_string()),
            quote(&row.params),
            num(row.in_sample_score),
            num(row.test_score),
            row.test_return.to_string(),
            num(row.test_sharpe),
            num(row.test_max_drawdown),
            row.n_trades.to_string(),
            row.buy_and_hold_return.to_string(),
            num(row.dsr),
            num(row.pbo),
            quote(row.note.as_deref().unwrap_or("")),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}
