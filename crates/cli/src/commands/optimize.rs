//! `genesis optimize`: create or resume a study, preflight it, run its trials on native
//! threads (each with its own feature store), journal them as they finish, and validate
//! the best ones out of sample.
//!
//! A new study needs `--space` and an explicit base config (`--preset`, `--config` or
//! `--champion`); nothing is merged in implicitly. A resumed study takes whatever is not
//! given from its journal's header, so `genesis optimize --study S --resume --data D
//! --trials 400` extends it; anything given that differs from the journal (space, base
//! config, seed, sampler, pruner, sync window, data, windows, checkpoints) refuses the
//! resume naming what differs, unless `--allow-signature-mismatch`.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use genesis_engine::data::DatasetMeta;
use genesis_engine::features::FeatureStore;
use genesis_engine::strategy::StrategyConfig;
use genesis_optimizer::pareto::StudyFront;
use genesis_optimizer::summary::summarize;
use genesis_optimizer::{FileJournal, ResumeOptions, SearchSpace, Study};
use genesis_study::preflight::preflight;
use genesis_study::runner::{run_parallel, Progress};
use genesis_study::validation::{validate_top, ValidationResult};
use genesis_study::{BaseSource, ObjectiveList, StudyChoices, StudyError, StudyPlan};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::backtest::load_candles;
use super::data::read_file;
use super::journal::{has_content, now_ms, optimizer_error, read_log, stem, study_error};
use crate::cli::{choice_flag, BaseArgs, ChoiceArgs, OptimizeArgs};
use crate::error::CliError;

/// Set by Ctrl-C: the study stops asking for trials and the running ones finish.
static CANCEL: AtomicBool = AtomicBool::new(false);

pub fn run(args: &OptimizeArgs) -> Result<(), CliError> {
    let study_file = args.study.display().to_string();
    let is_existing = has_content(&args.study);
    if is_existing && !args.is_resume {
        return Err(CliError::input(format!(
            "--study {study_file}: the file already holds a study; pass --resume to continue it, or choose another file"
        )));
    }
    if !is_existing && args.is_resume {
        return Err(CliError::input(format!(
            "--study {study_file}: --resume, but there is no study in this file"
        )));
    }
    let recorded = if is_existing {
        let log = read_log(&args.study)?;
        Some(StudyPlan::from_header(&log.header).map_err(|e| study_error(Some(&study_file), e))?)
    } else {
        None
    };

    let candles = load_candles(&args.data, &args.parse)?;
    let data_name = args.data.display().to_string();
    let dataset = DatasetMeta::new(&data_name, &candles);
    let plan = build_plan(args, dataset, recorded.as_ref())?.with_data_path(&data_name);
    if let Some(recorded) = &recorded {
        let differences = plan.objective_differences(recorded);
        if !differences.is_empty() && !args.is_mismatch_allowed {
            return Err(CliError::input(format!(
                "--study {study_file}: resume refused: the study's {} differ; pass --allow-signature-mismatch to override",
                differences.join(", ")
            )));
        }
    }

    let mut store = FeatureStore::new(Arc::clone(&candles));
    let report = preflight(&plan, &mut store).map_err(|e| study_error(None, e))?;
    for note in &report.notes {
        eprintln!("note: preflight: {note}");
    }

    let journal = FileJournal::open(&args.study).map_err(|e| optimizer_error(&study_file, e))?;
    if let Some(torn) = journal.recovered_torn_tail() {
        eprintln!(
            "note: {study_file}: cut a torn last line ({} bytes at line {}) left by a crash",
            torn.n_bytes, torn.line
        );
    }
    let mut study = if is_existing {
        let options = ResumeOptions {
            allow_signature_mismatch: args.is_mismatch_allowed,
            now_ms: Some(now_ms()),
        };
        Study::resume(plan.study_spec(), journal, options)
    } else {
        Study::create(plan.study_spec(), journal)
    }
    .map_err(|e| optimizer_error(&study_file, e))?;
    study.set_stop_policy(plan.stop.clone());

    let n_jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    if n_jobs > plan.settings.sync_window as usize {
        eprintln!(
            "note: --jobs {n_jobs} is above the sync window {}; the extra threads stay idle",
            plan.settings.sync_window
        );
    }
    let _ = ctrlc::set_handler(|| CANCEL.store(true, Ordering::SeqCst));
    let mut reporter = Reporter::new(
        args.choices.trials,
        study.trials().filter(|t| t.duplicate_of.is_none()).count() as u64,
    );
    let reason = run_parallel(
        &mut study,
        &plan.objective(),
        &candles,
        n_jobs,
        &now_ms,
        &CANCEL,
        |progress| reporter.update(progress),
    )
    .map_err(|e| study_error(Some(&study_file), e))?;
    reporter.finish();

    let validated = if plan.metadata.validation.top_k > 0 {
        validate_top(&mut study, &plan, &mut store)
            .map_err(|e| study_error(Some(&study_file), e))?
    } else {
        Vec::new()
    };
    let log = study.log().map_err(|e| optimizer_error(&study_file, e))?;
    let summary = summarize(&log, 1);
    let front = StudyFront::of(&log, None);
    if args.is_json {
        let best = summary.best.as_ref().map(|t| {
            json!({
                "number": t.number,
                "value": t.value,
                "params": t.params,
                "fingerprint": t.user_attrs.get("fingerprint"),
            })
        });
        let validation: Vec<_> = validated
            .iter()
            .map(|(number, v)| validation_json(*number, v))
            .collect();
        let doc = json!({
            "ok": true,
            "study": study_file,
            "name": plan.name,
            "stop_reason": reason,
            "counts": summary.counts,
            "n_trials": summary.n_trials,
            "best": best,
            "front": front.as_ref().map(|f| json!({"members": f.members, "hypervolume": f.hypervolume, "reference": f.reference})),
            "bound_warnings": summary.bound_warnings,
            "validation": validation,
            "preflight_notes": report.notes,
            "base": plan.metadata.base_source,
            "base_fingerprint": plan.metadata.base_fingerprint,
            "dataset_hash": plan.metadata.dataset.hash,
        });
        println!("{doc}");
    } else {
        let c = &summary.counts;
        println!("study {} ({study_file}): stopped: {reason}", plan.name);
        println!(
            "trials: {} complete ({} feasible, {} infeasible), {} pruned, {} failed, {} duplicates",
            c.complete, c.feasible, c.infeasible, c.pruned, c.failed, c.duplicates
        );
        match (&front, &summary.best) {
            (Some(front), _) => println!(
                "pareto front: {} trials, hypervolume {:.6} against {:?} (genesis study pareto {study_file})",
                front.members.len(),
                front.hypervolume,
                front.reference
            ),
            (None, Some(best)) => println!(
                "best: trial {} score {:.4}",
                best.number,
                best.value.unwrap_or(f64::NAN)
            ),
            (None, None) => println!("best: no feasible trial"),
        }
        for warning in &summary.bound_warnings {
            println!("warning: {warning}");
        }
        if !validated.is_empty() {
            let order = if front.is_some() {
                "front members by the first objective"
            } else {
                "best in-sample first"
            };
            println!("out-of-sample validation ({order}):");
            for (number, v) in &validated {
                let verdict = if v.is_passed {
                    "passed".to_string()
                } else {
                    format!("failed: {}", v.reasons.join("; "))
                };
                let percent = |key: &str| {
                    v.metrics
                        .get(key)
                        .and_then(serde_json::Value::as_f64)
                        .map_or("-".to_string(), |x| format!("{:.2} %", 100.0 * x))
                };
                println!(
                    "  trial {number:>5}  in-sample {:>9.4}  out-of-sample {:>9.4} (return {}, buy and hold {})  {verdict}",
                    v.in_sample_score,
                    v.score,
                    percent("total_return"),
                    percent("buy_and_hold_return")
                );
            }
        }
    }
    Ok(())
}

fn validation_json(number: u64, v: &ValidationResult) -> serde_json::Value {
    json!({
        "trial": number,
        "is_passed": v.is_passed,
        "in_sample_score": v.in_sample_score,
        "score": v.score,
        "return": v.metrics.get("total_return"),
        "buy_and_hold_return": v.metrics.get("buy_and_hold_return"),
        "reasons": v.reasons,
    })
}

/// The plan from the options, falling back on the recorded study's for anything not given.
fn build_plan(
    args: &OptimizeArgs,
    dataset: DatasetMeta,
    recorded: Option<&StudyPlan>,
) -> Result<StudyPlan, CliError> {
    let space = match (&args.base.space, recorded) {
        (Some(path), _) => read_space(path)?,
        (None, Some(plan)) => plan.space.clone(),
        (None, None) => {
            return Err(CliError::input(
                "--space: a new study needs a search space file",
            ))
        }
    };
    let symbol = args
        .base
        .symbol
        .clone()
        .or_else(|| recorded.and_then(|p| p.metadata.symbol.clone()));
    let (base_source, base) = match (
        base_choice(&args.base, &dataset, symbol.as_deref())?,
        recorded,
    ) {
        (Some(chosen), _) => chosen,
        (None, Some(plan)) => (
            plan.metadata.base_source.clone(),
            plan.metadata.base_config.clone(),
        ),
        (None, None) => {
            return Err(CliError::input(
                "choose the base config explicitly: --preset NAME, --config FILE or --champion",
            ))
        }
    };
    let name = args
        .name
        .clone()
        .or_else(|| recorded.map(|p| p.name.clone()))
        .unwrap_or_else(|| stem(&args.study));
    let mut config = choices(&args.choices)
        .to_config(&name, space, recorded)
        .map_err(choice_error)?;
    config.symbol = symbol;
    let mut plan = StudyPlan::new(config, base_source, base, dataset).map_err(|err| {
        let file = args.base.space.as_ref().map(|p| p.display().to_string());
        match &err {
            StudyError::Space { .. } => study_error(file.as_deref(), err),
            _ => study_error(None, err),
        }
    })?;
    if let Some(recorded) = recorded {
        plan.metadata.parent = recorded.metadata.parent.clone();
    }
    Ok(plan)
}

pub(crate) fn read_space(path: &Path) -> Result<SearchSpace, CliError> {
    let file = path.display().to_string();
    let bytes = read_file(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|err| CliError::input(format!("{file}: not UTF-8 text: {err}")))?;
    SearchSpace::from_yaml_str(&text).map_err(|err| CliError::input_in(&file, &err))
}

/// The base config the options name, if any.
pub(crate) fn base_choice(
    base: &BaseArgs,
    dataset: &DatasetMeta,
    symbol: Option<&str>,
) -> Result<Option<(BaseSource, StrategyConfig)>, CliError> {
    if let Some(path) = &base.config {
        let file = path.display().to_string();
        let bytes = read_file(path)?;
        let text = String::from_utf8(bytes)
            .map_err(|err| CliError::input(format!("{file}: not UTF-8 text: {err}")))?;
        let config =
            StrategyConfig::from_yaml_str(&text, &file).map_err(|err| CliError::Input {
                message: err.to_string(),
                detail: serde_json::to_value(&err).ok(),
            })?;
        return Ok(Some((BaseSource::File { name: file }, config)));
    }
    if let Some(name) = &base.preset {
        let config = StrategyConfig::preset(name).map_err(|err| CliError::Input {
            message: format!("--preset: {err}"),
            detail: serde_json::to_value(&err).ok(),
        })?;
        return Ok(Some((BaseSource::Preset { name: name.clone() }, config)));
    }
    if base.is_champion {
        let symbol = symbol.ok_or_else(|| {
            CliError::input("--champion: the data file's name gives no symbol; pass --symbol")
        })?;
        let book = genesis_study::champion::file::load(&base.champions)
            .map_err(|e| study_error(None, e))?;
        let champion = book.current(symbol, &dataset.timeframe).ok_or_else(|| {
            CliError::input(format!(
                "--champion: {} has no champion for {symbol} {}",
                base.champions.display(),
                dataset.timeframe
            ))
        })?;
        let source = BaseSource::Champion {
            symbol: champion.symbol.clone(),
            timeframe: champion.timeframe.clone(),
            study_name: champion.study_name.clone(),
            trial: champion.trial,
            fingerprint: champion.fingerprint.clone(),
            promoted_at_ms: champion.promoted_at_ms,
        };
        return Ok(Some((source, champion.config.clone())));
    }
    Ok(None)
}

/// The study choices the options make; those not given are `None`, so a resumed study keeps
/// what it recorded.
pub(crate) fn choices(choices: &ChoiceArgs) -> StudyChoices {
    StudyChoices {
        seed: choices.seed,
        sampler: choices.sampler,
        pruner: choices.pruner,
        sync_window: choices.sync_window,
        checkpoints: choices.checkpoints,
        in_sample_fraction: choices.split,
        validate_top: choices.validate_top,
        min_oos_score: choices.min_oos_score,
        max_degradation: choices.max_degradation,
        max_trials: Some(choices.trials),
        timeout_s: choices.timeout,
        end_at: choices.end_at.clone(),
        pbo_blocks: choices.pbo_blocks,
        objectives: (!choices.objectives.is_empty())
            .then(|| ObjectiveList(choices.objectives.clone())),
    }
}

/// A refused choice under the name of the option that made it (`--split: ...`).
pub(crate) fn choice_error(err: StudyError) -> CliError {
    match &err {
        StudyError::InvalidSetting { key, message } => match choice_flag(key) {
            Some(flag) => CliError::Input {
                message: format!("{flag}: {message}"),
                detail: serde_json::to_value(&err).ok(),
            },
            None => study_error(None, err),
        },
        _ => study_error(None, err),
    }
}

/// Progress on stderr: a bar on a terminal, a plain line per tenth of the budget otherwise.
enum Reporter {
    Bar(ProgressBar),
    Lines { budget: u64, next: u64 },
}

impl Reporter {
    fn new(budget: u64, done: u64) -> Reporter {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(budget);
            if let Ok(style) = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} trials  {per_sec}  ETA {eta}  {msg}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_position(done.min(budget));
            Reporter::Bar(bar)
        } else {
            let step = (budget / 10).max(1);
            Reporter::Lines {
                budget,
                next: (done / step + 1) * step,
            }
        }
    }

    fn update(&mut self, progress: &Progress) {
        let best = progress.best.map_or_else(
            || "no feasible trial yet".to_string(),
            |(number, value)| format!("best {value:.4} (trial {number})"),
        );
        match self {
            Reporter::Bar(bar) => {
                bar.set_position(progress.n_evaluated);
                bar.set_message(best);
            }
            Reporter::Lines { budget, next } => {
                if progress.n_evaluated >= *next {
                    eprintln!(
                        "{}/{} trials ({} duplicates), {best}",
                        progress.n_evaluated, budget, progress.n_duplicates
                    );
                    let step = (*budget / 10).max(1);
                    *next = (progress.n_evaluated / step + 1) * step;
                }
            }
        }
    }

    fn finish(&self) {
        if let Reporter::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
