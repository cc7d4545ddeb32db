//! `genesis walkforward`: run or resume a walk-forward journal; `genesis walkforward report`:
//! read one.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use genesis_engine::data::timestamp::format_iso_ms;
use genesis_engine::features::FeatureStore;
use genesis_study::folds::{FoldSpec, Length, Mode};
use genesis_study::preflight::preflight;
use genesis_study::selection::to_optuna_journal;
use genesis_study::walkforward::report::{folds_csv, report, Report};
use genesis_study::walkforward::run::{run_walkforward, FileWalkForward};
use genesis_study::walkforward::{
    header_differences, run_fold, WalkForwardBackend, WalkForwardHeader, WalkForwardLog,
};
use serde_json::json;

use super::backtest::load_candles;
use super::journal::{has_content, now_ms, optimizer_error, stem, study_error};
use super::optimize::{base_choice, choice_error, choices, read_space};
use crate::cli::{FoldModeChoice, WalkforwardArgs, WalkforwardReplayArgs, WalkforwardReportArgs};
use crate::error::CliError;

/// Set by Ctrl-C: the running fold's study stops asking for trials; the run resumes later.
static CANCEL: AtomicBool = AtomicBool::new(false);

fn length(option: &str, text: &str) -> Result<Length, CliError> {
    Length::parse(text).map_err(|e| CliError::input(format!("{option}: {e}")))
}

/// The header of a new run from the options.
fn new_header(
    args: &WalkforwardArgs,
    data: &Path,
    candles: &genesis_engine::data::Candles,
) -> Result<WalkForwardHeader, CliError> {
    let (Some(train), Some(test)) = (&args.train, &args.test) else {
        return Err(CliError::input(
            "--train and --test: a new walk-forward run needs both lengths (bars like 2000, or time like 90d)",
        ));
    };
    let spec = FoldSpec {
        mode: match args.mode {
            FoldModeChoice::Rolling => Mode::Rolling,
            FoldModeChoice::Anchored => Mode::Anchored,
        },
        train: length("--train", train)?,
        test: length("--test", test)?,
        step: args
            .step
            .as_deref()
            .map(|s| length("--step", s))
            .transpose()?,
        gap_bars: args.gap,
    };
    let space_path = args.base.space.as_ref().ok_or_else(|| {
        CliError::input("--space: a new walk-forward run needs a search space file")
    })?;
    let space = read_space(space_path)?;
    let data_name = data.display().to_string();
    let dataset = genesis_engine::data::DatasetMeta::new(&data_name, candles);
    let symbol = args.base.symbol.clone().or(dataset.symbol.clone());
    let (base_source, base) =
        base_choice(&args.base, &dataset, symbol.as_deref())?.ok_or_else(|| {
            CliError::input(
                "choose the base config explicitly: --preset NAME, --config FILE or --champion",
            )
        })?;
    let out = args
        .out
        .as_deref()
        .unwrap_or(Path::new("walkforward.jsonl"));
    let name = args.name.clone().unwrap_or_else(|| stem(out));
    let mut config = choices(&args.choices)
        .to_config(&name, space, None)
        .map_err(choice_error)?;
    config.symbol = symbol;
    let header =
        WalkForwardHeader::new(&name, spec, config, base_source, base, &data_name, candles)
            .map_err(|e| study_error(Some(&space_path.display().to_string()), e))?;
    Ok(header.with_data_path(&data_name))
}

pub fn run(args: &WalkforwardArgs) -> Result<(), CliError> {
    let (Some(data), Some(out)) = (args.data.as_deref(), args.out.as_deref()) else {
        return Err(CliError::input("--data and --out are required"));
    };
    let file = out.display().to_string();
    let is_existing = has_content(out);
    if is_existing && !args.is_resume {
        return Err(CliError::input(format!(
            "--out {file}: the file already holds a walk-forward run; pass --resume to continue it, or choose another file"
        )));
    }
    if !is_existing && args.is_resume {
        return Err(CliError::input(format!(
            "--out {file}: --resume, but there is no walk-forward run in this file"
        )));
    }
    let candles = load_candles(data, &args.parse)?;
    // A new run's set-up is checked before its file is created.
    let fresh = if is_existing {
        None
    } else {
        Some(new_header(args, data, &candles)?)
    };
    let mut journal = FileWalkForward::open(out).map_err(|e| optimizer_error(&file, e))?;
    if let Some((line, bytes)) = journal.recovered_torn_tail {
        eprintln!(
            "note: {file}: cut a torn last line ({bytes} bytes at line {line}) left by a crash"
        );
    }
    let header = if let Some(header) = fresh {
        header
    } else {
        let recorded = read_log(&journal, &file)?.header;
        if args.train.is_some() || args.test.is_some() {
            let given = new_header(args, data, &candles)?;
            let differences = header_differences(&given, &recorded);
            if !differences.is_empty() {
                return Err(CliError::input(format!(
                    "--out {file}: resume refused: the run's {} differ",
                    differences.join(", ")
                )));
            }
        }
        recorded
    };
    header
        .check_dataset(&candles)
        .map_err(|e| study_error(Some(&data.display().to_string()), e))?;
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let first = header.fold_plan(0).map_err(|e| study_error(None, e))?;
    let checked = preflight(&first, &mut store).map_err(|e| study_error(None, e))?;
    for note in &checked.notes {
        eprintln!("note: preflight: {note}");
    }
    let n_jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let _ = ctrlc::set_handler(|| CANCEL.store(true, Ordering::SeqCst));
    let n_folds = header.folds.len();
    eprintln!(
        "walk-forward {}: {n_folds} folds of {} trials each, {n_jobs} jobs",
        header.name,
        header
            .study
            .stop
            .max_trials
            .map_or("unlimited".to_string(), |n| n.to_string())
    );
    let mut last_fold = usize::MAX;
    let log = run_walkforward(
        &header,
        &mut journal,
        &candles,
        n_jobs,
        &now_ms,
        &CANCEL,
        |p| {
            if p.fold != last_fold {
                last_fold = p.fold;
                eprintln!("fold {}/{}: running", p.fold + 1, p.n_folds);
            }
        },
    )
    .map_err(|e| study_error(Some(&file), e))?;
    if !log.is_complete() {
        eprintln!(
            "stopped after {} of {n_folds} folds; `genesis walkforward --resume --out {file} --data {}` continues",
            log.n_done(),
            data.display()
        );
    }
    print_report(&report(&log), &log, args.is_json);
    Ok(())
}

fn read_log(journal: &FileWalkForward, file: &str) -> Result<WalkForwardLog, CliError> {
    let ops = journal.read_all().map_err(|e| optimizer_error(file, e))?;
    WalkForwardLog::from_ops(&ops).map_err(|e| study_error(Some(file), e))
}

pub fn report_cmd(args: &WalkforwardReportArgs) -> Result<(), CliError> {
    let file = args.file.display().to_string();
    if !args.file.exists() {
        return Err(CliError::input(format!("{file}: no such file")));
    }
    let journal = FileWalkForward::open(&args.file).map_err(|e| optimizer_error(&file, e))?;
    let log = read_log(&journal, &file)?;
    let report = report(&log);
    if let Some(path) = &args.csv {
        write(path, &folds_csv(&report))?;
    }
    if let Some(dir) = &args.export_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::input(format!("--export-dir {}: {e}", dir.display())))?;
        write(&dir.join("report.json"), &json_of(&report))?;
        write(&dir.join("folds.csv"), &folds_csv(&report))?;
        for f in 0..log.header.folds.len() {
            if let Some(study) = log.study_log(f).map_err(|e| study_error(Some(&file), e))? {
                let text = to_optuna_journal(&study).map_err(|e| optimizer_error(&file, e))?;
                write(&dir.join(format!("fold_{}.optuna.jsonl", f + 1)), &text)?;
            }
        }
    }
    print_report(&report, &log, args.is_json);
    Ok(())
}

pub fn replay_cmd(args: &WalkforwardReplayArgs) -> Result<(), CliError> {
    let file = args.file.display().to_string();
    if !args.file.exists() {
        return Err(CliError::input(format!("{file}: no such file")));
    }
    let journal = FileWalkForward::open(&args.file).map_err(|e| optimizer_error(&file, e))?;
    let log = read_log(&journal, &file)?;
    let n_folds = log.header.folds.len();
    let f = args.fold.wrapping_sub(1);
    let Some(Some(stored)) = log.outcomes.get(f) else {
        return Err(CliError::input(format!(
            "--fold {}: the run has {n_folds} folds, of which {} are done",
            args.fold,
            log.n_done()
        )));
    };
    let data = match (&args.data, &log.header.data_path) {
        (Some(path), _) => path.clone(),
        (None, Some(path)) => path.into(),
        (None, None) => {
            return Err(CliError::input(format!(
                "{file}: the run recorded no data path; pass --data"
            )))
        }
    };
    let candles = load_candles(&data, &args.parse)?;
    log.header
        .check_dataset(&candles)
        .map_err(|e| study_error(Some(&data.display().to_string()), e))?;
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let again = run_fold(&log.header, f, &mut store).map_err(|e| study_error(Some(&file), e))?;
    let stored_study = log
        .study_log(f)
        .map_err(|e| study_error(Some(&file), e))?
        .map(|study| study.canonical_jsonl())
        .unwrap_or_default();
    let again_study = genesis_optimizer::StudyLog::from_ops(&again.study_ops)
        .map_err(|e| optimizer_error(&file, e))?
        .canonical_jsonl();
    let differences: Vec<&str> = [
        ("study", stored_study == again_study),
        (
            "chosen trial",
            bits(&stored.chosen) == bits(&again.outcome.chosen),
        ),
        (
            "test equity",
            bits(&stored.test_equity) == bits(&again.outcome.test_equity),
        ),
        (
            "figures",
            bits(&stored.figures) == bits(&again.outcome.figures),
        ),
        ("outcome", bits(stored) == bits(&again.outcome)),
    ]
    .into_iter()
    .filter(|(_, same)| !same)
    .map(|(what, _)| what)
    .collect();
    let is_identical = differences.is_empty();
    if args.is_json {
        println!(
            "{}",
            json!({"ok": is_identical, "fold": args.fold, "differences": differences})
        );
    } else if is_identical {
        println!(
            "fold {} of {n_folds} replayed on {}: identical, its study, choice and test run bit for bit",
            args.fold,
            data.display()
        );
    } else {
        println!("fold {}: DIFFERS in {}", args.fold, differences.join(", "));
    }
    if is_identical {
        Ok(())
    } else {
        Err(CliError::Reported {
            exit_code: crate::error::EXIT_INTERNAL,
            message: format!(
                "{file}: fold {} does not replay to its stored values: {}",
                args.fold,
                differences.join(", ")
            ),
        })
    }
}

/// A value as JSON text, which tells -0.0 from 0.0 and writes every float to the bit: two
/// values compare equal here only when every number is the same.
fn bits<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn write(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|e| CliError::input(format!("{}: {e}", path.display())))
}

fn json_of(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default()
}

fn pct(x: f64) -> String {
    format!("{:.2} %", 100.0 * x)
}

fn opt(x: Option<f64>, digits: usize) -> String {
    x.map_or("-".to_string(), |x| format!("{x:.digits$}"))
}

fn print_report(report: &Report, log: &WalkForwardLog, is_json: bool) {
    if is_json {
        println!(
            "{}",
            json!({"ok": true, "complete": log.is_complete(), "report": report})
        );
        return;
    }
    let spec = &log.header.spec;
    println!(
        "walk-forward {}: {} of {} folds ({:?}, train {}, test {}, gap {} bars)",
        report.name, report.n_done, report.n_folds, spec.mode, spec.train, spec.test, spec.gap_bars
    );
    println!(
        "{:>4}  {:>13}  {:>24}  {:>6}  {:>9}  {:>9}  {:>8}  {:>6}  {:>9}  {:>6}  {:>6}  params",
        "fold",
        "train bars",
        "test from",
        "trial",
        "IS score",
        "OOS ret",
        "OOS Shp",
        "trades",
        "B&H",
        "DSR",
        "PBO"
    );
    for row in &report.folds {
        println!(
            "{:>4}  {:>13}  {:>24}  {:>6}  {:>9}  {:>9}  {:>8}  {:>6}  {:>9}  {:>6}  {:>6}  {}{}",
            row.fold,
            format!("{}..{}", row.train.0, row.train.1),
            format_iso_ms(row.test_start_ms),
            row.trial.map_or("-".to_string(), |t| t.to_string()),
            opt(row.in_sample_score, 4),
            pct(row.test_return),
            opt(row.test_sharpe, 3),
            row.n_trades,
            pct(row.buy_and_hold_return),
            opt(row.dsr, 3),
            opt(row.pbo, 3),
            row.params,
            row.note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
    }
    let s = &report.stitched;
    println!(
        "out of sample, stitched ({} bars): return {}, CAGR {}, Sharpe {} annualised ({} per bar, t = {}), PSR {}, max drawdown {}, {} trades",
        s.n_bars,
        pct(s.total_return),
        s.cagr.map_or("-".to_string(), pct),
        opt(s.sharpe_annualised, 3),
        opt(s.sharpe_per_bar, 4),
        opt(s.sharpe_t_stat, 2),
        opt(s.psr, 4),
        pct(s.max_drawdown),
        s.n_trades
    );
    println!(
        "buy and hold over the same windows: return {}, CAGR {}",
        pct(report.buy_and_hold_return),
        report.buy_and_hold_cagr.map_or("-".to_string(), pct)
    );
    let e = &report.efficiency;
    match (e.ratio, &e.note) {
        (Some(ratio), _) => println!(
            "walk-forward efficiency: {ratio:.3} (out-of-sample CAGR {} over mean in-sample CAGR {})",
            e.out_of_sample_cagr.map_or("-".to_string(), pct),
            e.in_sample_cagr.map_or("-".to_string(), pct)
        ),
        (None, Some(note)) => println!("walk-forward efficiency: none: {note}"),
        (None, None) => println!("walk-forward efficiency: none"),
    }
    println!("parameter stability across folds:");
    for p in &report.stability {
        let values: Vec<&str> = p
            .values
            .iter()
            .map(|v| v.as_deref().unwrap_or("-"))
            .collect();
        println!(
            "  {:<40} [{}]  mean {}  std {}  cv {}  most common {:.0} %",
            p.path,
            values.join(", "),
            opt(p.mean, 3),
            opt(p.std, 3),
            opt(p.coefficient_of_variation, 3),
            100.0 * p.mode_share
        );
    }
}
