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

use std::time::Instant;

use genesis_optimizer::bench::{bench_space, sampler_overhead, synthetic_objective};
use genesis_optimizer::{
    AskOutcome, MemoryJournal, SamplerSettings, SignatureInputs, StopPolicy, Study, StudySettings,
    StudySpec, TpeSettings, TrialOutcome,
};

fn marginal_ask_ms(n_trials: u64, multivariate: bool) -> Result<f64, Box<dyn std::error::Error>> {
    let spec = StudySpec {
        name: "marginal".into(),
        space: bench_space()?,
        settings: StudySettings {
            sampler: SamplerSettings::Tpe(TpeSettings {
                multivariate,
                ..TpeSettings::default()
            }),
            ..StudySettings::new(1)
        },
        signature_inputs: SignatureInputs::default(),
        metadata: serde_json::Value::Null,
    };
    let mut study = Study::create(spec, MemoryJournal::new())?;
    study.set_stop_policy(StopPolicy {
        max_trials: Some(n_trials),
        ..StopPolicy::default()
    });
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
        let value = synthetic_objective(&ticket.params);
        study.tell(
            ticket.number,
            TrialOutcome::Complete {
                value,
                intermediate: Vec::new(),
                constraint_violations: Vec::new(),
                user_attrs: Default::default(),
            },
            None,
        )?;
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
