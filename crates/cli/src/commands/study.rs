//! `genesis study summarize|replay|export|import|refine`: a study journal after the fact.

use std::sync::Arc;

use genesis_engine::features::FeatureStore;
use genesis_optimizer::export::{from_optuna_journal, to_csv};
use genesis_optimizer::journal::to_jsonl;
use genesis_optimizer::pareto::StudyFront;
use genesis_optimizer::summary::summarize;
use genesis_optimizer::{FileJournal, Study, TrialRecord};
use genesis_study::refine::refine_plan;
use genesis_study::replay::replay_trial;
use genesis_study::selection::{assess, to_optuna_journal, Selection};
use genesis_study::validation::recorded_validation;
use serde_json::{json, Value};

use super::backtest::load_candles;
use super::journal::{
    ensure_new, optimizer_error, read_log, read_plan, stem, study_error, write_out,
};
use crate::cli::{
    ExportArgs, ExportFormat, ImportArgs, ParetoArgs, RefineArgs, ReplayArgs, SummarizeArgs,
};
use crate::error::{CliError, EXIT_INTERNAL};

pub fn summarize_cmd(args: &SummarizeArgs) -> Result<(), CliError> {
    let log = read_log(&args.file)?;
    let plan = read_plan(&args.file, &log)?;
    let summary = summarize(&log, args.top);
    let selection = assess(&log);
    let front = StudyFront::of(&log, None);
    if args.is_json {
        let doc = json!({
            "ok": true,
            "summary": summary,
            "front": front.as_ref().map(|f| front_json(f, &plan, &log)),
            "overfitting": selection,
            "base": plan.metadata.base_source,
            "base_fingerprint": plan.metadata.base_fingerprint,
            "dataset": plan.metadata.dataset,
            "windows": plan.metadata.windows,
            "parent": plan.metadata.parent,
        });
        println!("{doc}");
        return Ok(());
    }
    let meta = &plan.metadata;
    println!("study {} ({})", summary.study_name, args.file.display());
    println!(
        "base: {} (fingerprint {})",
        meta.base_source,
        short(&meta.base_fingerprint)
    );
    println!(
        "data: {} bars of {} {} (hash {}); in sample bars {}..{}{}",
        meta.dataset.n_bars,
        meta.symbol.as_deref().unwrap_or("(no symbol)"),
        meta.dataset.timeframe,
        meta.dataset.hash.short(),
        meta.windows.in_sample.from_bar,
        meta.windows.in_sample.to_bar,
        meta.windows
            .out_of_sample
            .map(|w| format!(", out of sample {}..{}", w.from_bar, w.to_bar))
            .unwrap_or_default()
    );
    if let Some(parent) = &meta.parent {
        println!(
            "refined from study {} around its trials {:?}",
            parent.study_name, parent.trials
        );
    }
    let c = &summary.counts;
    println!(
        "trials: {} ({} complete: {} feasible, {} infeasible; {} pruned; {} failed; {} duplicates)",
        summary.n_trials, c.complete, c.feasible, c.infeasible, c.pruned, c.failed, c.duplicates
    );
    if let Some(d) = &summary.durations {
        println!(
            "durations: total {} ms, median {:.1} ms, max {} ms per trial",
            d.total_ms, d.median_ms, d.max_ms
        );
    }
    if let Some(reason) = &summary.stop_reason {
        println!("last stop: {reason}");
    }
    match &front {
        Some(front) => print_front(front, &plan, &log),
        None => match &summary.best {
            Some(best) => println!(
                "best: trial {} score {:.4}",
                best.number,
                best.value.unwrap_or(f64::NAN)
            ),
            None => println!("best: no feasible trial"),
        },
    }
    for warning in &summary.bound_warnings {
        println!("warning: {warning}");
    }
    println!("top {}:", summary.top.len());
    for trial in &summary.top {
        println!("  {}", describe_trial(trial));
    }
    if !summary.importance.is_empty() {
        println!("parameter importance:");
        for p in &summary.importance {
            println!("  {:<44} {:.3}", p.path, p.importance);
        }
    }
    print_selection(&selection);
    Ok(())
}

/// `genesis study pareto FILE [--reference A,B] [--json]`.
pub fn pareto_cmd(args: &ParetoArgs) -> Result<(), CliError> {
    let log = read_log(&args.file)?;
    let plan = read_plan(&args.file, &log)?;
    let n_objectives = plan.metadata.objectives.len();
    if let Some(reference) = &args.reference {
        if reference.len() != n_objectives || reference.iter().any(|v| !v.is_finite()) {
            return Err(CliError::input(format!(
                "--reference: give {n_objectives} finite numbers, one per objective ({}), not {reference:?}",
                objective_names(&plan).join(", ")
            )));
        }
    }
    let front = StudyFront::of(&log, args.reference.as_deref()).ok_or_else(|| {
        CliError::input(format!(
            "{}: the study has one objective (the score); a Pareto front needs two or three \
             (genesis optimize --objective total_return:maximize --objective max_drawdown:minimize)",
            args.file.display()
        ))
    })?;
    if args.is_json {
        let mut doc = front_json(&front, &plan, &log);
        doc["ok"] = json!(true);
        println!("{doc}");
    } else {
        print_front(&front, &plan, &log);
    }
    Ok(())
}

fn objective_names(plan: &genesis_study::StudyPlan) -> Vec<String> {
    plan.metadata
        .objectives
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The front as JSON: objectives, reference, hypervolume and its history, and the members
/// with their values, score and parameters.
fn front_json(
    front: &StudyFront,
    plan: &genesis_study::StudyPlan,
    log: &genesis_optimizer::StudyLog,
) -> Value {
    let members: Vec<Value> = front
        .members
        .iter()
        .filter_map(|&n| log.trial(n))
        .map(|t| {
            json!({"number": t.number, "values": t.values, "score": t.value, "params": t.params,
                   "validation": recorded_validation(t).ok().flatten()})
        })
        .collect();
    json!({
        "objectives": plan.metadata.objectives,
        "reference": front.reference,
        "is_reference_given": front.is_reference_given,
        "hypervolume": front.hypervolume,
        "members": members,
        "ranks": front.trials,
        "history": front.history,
    })
}

fn print_front(
    front: &StudyFront,
    plan: &genesis_study::StudyPlan,
    log: &genesis_optimizer::StudyLog,
) {
    let names = objective_names(plan);
    println!(
        "pareto front: {} trials over {} ({} feasible complete trials ranked)",
        front.members.len(),
        names.join(", "),
        front.trials.iter().filter(|t| t.is_feasible).count()
    );
    println!(
        "hypervolume {:.6} against the reference point {:?} ({})",
        front.hypervolume,
        front.reference,
        if front.is_reference_given {
            "given"
        } else {
            "each objective's worst feasible value moved 10 % further away"
        }
    );
    for trial in front.members.iter().filter_map(|&n| log.trial(n)) {
        let values: Vec<String> = names
            .iter()
            .zip(&trial.values)
            .map(|(name, v)| format!("{}={v:.4}", name.split(':').next().unwrap_or(name)))
            .collect();
        println!(
            "  trial {:>5}  {}  {}",
            trial.number,
            values.join("  "),
            describe_params(trial)
        );
    }
    let marks: Vec<String> = front
        .history
        .iter()
        .filter(|s| {
            s.n_evaluated.is_power_of_two()
                || Some(s.number) == front.history.last().map(|l| l.number)
        })
        .map(|s| format!("{}: {:.4}", s.n_evaluated, s.hypervolume))
        .collect();
    println!("hypervolume by evaluated trials: {}", marks.join(", "));
}

fn describe_params(trial: &TrialRecord) -> String {
    let params: Vec<String> = trial
        .params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    params.join(" ")
}

/// The overfitting figures, as numbers and in words.
fn print_selection(selection: &Selection) {
    println!("skill or selection ({} tries):", selection.n_tries);
    if let Some(d) = &selection.deflation {
        println!(
            "  best trial's per-bar Sharpe {:.4} over {} bars (skewness {:.3}, kurtosis {:.3})",
            d.best.sharpe, d.best.n, d.best.skewness, d.best.kurtosis
        );
        println!(
            "  PSR {:.4}   expected best Sharpe of {} tries of no skill {:.4}   DSR {:.4}",
            d.psr, d.n_trials, d.expected_max_sharpe, d.dsr
        );
        match d.min_track_record_bars {
            Some(bars) => println!("  minimum track record for 95 % confidence: {bars:.0} bars"),
            None => println!("  minimum track record: none (the Sharpe ratio is not above 0)"),
        }
    }
    if let Some(p) = &selection.pbo {
        println!(
            "  PBO {:.4} over {} partitions of {} blocks ({} trials); degradation slope {:.3}; probability of an out-of-sample loss {:.4}",
            p.pbo,
            p.logits.len(),
            p.n_blocks,
            p.n_trials,
            p.degradation_slope,
            p.probability_of_loss
        );
    }
    for sentence in [selection.dsr_sentence(), selection.pbo_sentence()]
        .into_iter()
        .flatten()
    {
        println!("  {sentence}");
    }
    for note in &selection.notes {
        println!("  note: {note}");
    }
}

fn describe_trial(trial: &TrialRecord) -> String {
    let feasibility = if trial.is_feasible() {
        "feasible".to_string()
    } else {
        format!("infeasible ({})", trial.constraint_violations.join("; "))
    };
    let oos = match recorded_validation(trial) {
        Ok(Some(v)) => format!(
            "  oos {:.4} {}",
            v.score,
            if v.is_passed { "passed" } else { "failed" }
        ),
        _ => String::new(),
    };
    format!(
        "trial {:>5}  score {:>9.4}  {feasibility}{oos}  {}",
        trial.number,
        trial.value.unwrap_or(f64::NAN),
        describe_params(trial)
    )
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

pub fn replay_cmd(args: &ReplayArgs) -> Result<(), CliError> {
    let file = args.file.display().to_string();
    let log = read_log(&args.file)?;
    let plan = read_plan(&args.file, &log)?;
    let data = match (&args.data, &plan.metadata.data_path) {
        (Some(path), _) => path.clone(),
        (None, Some(path)) => path.into(),
        (None, None) => {
            return Err(CliError::input(format!(
                "{file}: the study recorded no data path; pass --data"
            )))
        }
    };
    let candles = load_candles(&data, &args.parse)?;
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let report = replay_trial(&plan, &log, args.trial, &mut store)
        .map_err(|e| study_error(Some(&file), e))?;
    if args.is_json {
        let doc = json!({"ok": report.is_identical, "report": report});
        println!("{doc}");
    } else {
        println!(
            "trial {} ({}{}) replayed on {}",
            report.trial,
            report.state,
            if report.replayed_trial != report.trial {
                format!(", a duplicate of trial {}", report.replayed_trial)
            } else {
                String::new()
            },
            data.display()
        );
        for c in report
            .outcome
            .iter()
            .chain(&report.metrics)
            .chain(&report.validation)
        {
            println!(
                "  {:<28} {:<9} stored {}  replayed {}",
                c.key,
                if c.is_identical {
                    "identical"
                } else {
                    "DIFFERS"
                },
                compact(&c.stored),
                compact(&c.replayed)
            );
        }
        if report.is_identical {
            println!("identical: every stored number replays bit for bit");
        } else {
            println!(
                "NOT identical: {} values differ",
                report.differences().count()
            );
        }
    }
    if report.is_identical {
        Ok(())
    } else {
        Err(CliError::Reported {
            exit_code: EXIT_INTERNAL,
            message: format!(
                "{file}: trial {} does not replay to its stored values: {}",
                args.trial,
                report
                    .differences()
                    .map(|c| c.key.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }
}

fn compact(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 60 {
        format!(
            "{}...",
            &text[..text.char_indices().nth(57).map_or(text.len(), |(i, _)| i)]
        )
    } else {
        text
    }
}

pub fn export_cmd(args: &ExportArgs) -> Result<(), CliError> {
    let file = args.file.display().to_string();
    let log = read_log(&args.file)?;
    let text = match args.format {
        ExportFormat::OptunaJournal => {
            to_optuna_journal(&log).map_err(|e| optimizer_error(&file, e))?
        }
        ExportFormat::Csv => to_csv(&log),
    };
    write_out(args.out.as_deref(), &text)
}

pub fn import_cmd(args: &ImportArgs) -> Result<(), CliError> {
    let file = args.file.display().to_string();
    let text = std::fs::read_to_string(&args.file)
        .map_err(|err| CliError::input(format!("{file}: {err}")))?;
    let log = from_optuna_journal(&text).map_err(|e| optimizer_error(&file, e))?;
    ensure_new(&args.out, "--out")?;
    write_out(Some(&args.out), &to_jsonl(&log.to_ops()))?;
    eprintln!(
        "imported study {} ({} trials) into {}",
        log.header.study_name,
        log.trials.len(),
        args.out.display()
    );
    Ok(())
}

pub fn refine_cmd(args: &RefineArgs) -> Result<(), CliError> {
    let file = args.file.display().to_string();
    let log = read_log(&args.file)?;
    let parent = read_plan(&args.file, &log)?;
    let name = args.name.clone().unwrap_or_else(|| stem(&args.out));
    let (child, changes) = refine_plan(&parent, &log, args.top, args.padding, &name)
        .map_err(|e| study_error(Some(&file), e))?;
    ensure_new(&args.out, "--out")?;
    let out = args.out.display().to_string();
    let journal = FileJournal::open(&args.out).map_err(|e| optimizer_error(&out, e))?;
    Study::create(child.study_spec(), journal).map_err(|e| optimizer_error(&out, e))?;
    if args.is_json {
        let doc = json!({
            "ok": true,
            "study": out,
            "name": name,
            "parent": child.metadata.parent,
            "changes": changes,
            "space": child.space,
        });
        println!("{doc}");
    } else {
        println!(
            "created study {name} ({out}) refined from {} around trials {:?}",
            log.header.study_name,
            child
                .metadata
                .parent
                .as_ref()
                .map(|p| p.trials.clone())
                .unwrap_or_default()
        );
        for change in &changes {
            println!(
                "  {:<44} {} -> {}",
                change.path,
                bounds(&change.parent),
                bounds(&change.child)
            );
        }
        println!(
            "run it: genesis optimize --study {out} --resume --data {} --trials N",
            parent.metadata.data_path.as_deref().unwrap_or("DATA")
        );
    }
    Ok(())
}

fn bounds(distribution: &genesis_optimizer::space::Distribution) -> String {
    use genesis_optimizer::space::Distribution;
    match distribution {
        Distribution::Float { low, high, .. } => format!("[{low}, {high}]"),
        Distribution::Int { low, high, .. } => format!("[{low}, {high}]"),
        Distribution::Categorical { choices: v } | Distribution::Grid { values: v } => {
            format!("{} choices", v.len())
        }
    }
}
