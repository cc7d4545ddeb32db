//! Measures the study's own overhead per trial (sampling, thresholds, duplicate checks,
//! journaling) with TPE on the 8-parameter benchmark space and a synthetic objective.
//!
//! ```sh
//! cargo run --release -p genesis-optimizer --example sampler_overhead [multivariate|independent]
//! ```
//!
//! For each study size it prints the mean time per trial over the whole study and the mean
//! time of the last 50 asks (the marginal cost at that size). The library never reads the
//! clock; this example does.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "a benchmark example times the library with the clock the library never reads"
)]

use std::time::Instant;

use genesis_optimizer::bench::{bench_study, sampler_overhead, synthetic_outcome};
use genesis_optimizer::AskOutcome;

fn marginal_ask_ms(n_trials: u64, multivariate: bool) -> Result<f64, Box<dyn std::error::Error>> {
    let mut study = bench_study(n_trials, multivariate, 1)?;
    let mut last_asks = Vec::new();
    loop {
        let started = Instant::now();
        let outcome = study.ask(0)?;
        let elapsed = started.elapsed();
        let AskOutcome::Trial(ticket) = outcome else {
            break;
        };
        if ticket.number + 50 >= n_trials {
            last_asks.push(elapsed.as_secs_f64() * 1e3);
        }
        study.tell(ticket.number, synthetic_outcome(&ticket.params), None)?;
    }
    Ok(last_asks.iter().sum::<f64>() / last_asks.len().max(1) as f64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let only = std::env::args().nth(1);
    println!("mode          trials  mean ms/trial  last-50 ms/ask  duplicates  best");
    for multivariate in [true, false] {
        let mode = if multivariate {
            "multivariate"
        } else {
            "independent"
        };
        if only.as_deref().is_some_and(|o| o != mode) {
            continue;
        }
        for n_trials in [100u64, 500, 1000] {
            let started = Instant::now();
            let report = sampler_overhead(n_trials, multivariate, 1)?;
            let total_ms = started.elapsed().as_secs_f64() * 1e3;
            let per_trial = total_ms / report.n_trials as f64;
            let marginal = marginal_ask_ms(n_trials, multivariate)?;
            println!(
                "{mode:<13} {n_trials:>6}  {per_trial:>13.3}  {marginal:>14.3}  {:>10}  {:.3}",
                report.n_duplicates, report.best_value
            );
        }
    }
    Ok(())
}
