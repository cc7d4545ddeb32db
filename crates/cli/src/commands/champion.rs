//! `genesis champion show|promote|rollback|export`: the champions file (`champions.json`
//! in the current directory unless `--champions` says otherwise).

use genesis_study::champion::file::{load, save};
use genesis_study::champion::{Champion, ChampionSlot};
use genesis_study::selection::Requirements;
use serde_json::json;

use super::journal::{now_ms, read_log, read_plan, study_error, write_out};
use crate::cli::{ChampionExportArgs, ChampionPromoteArgs, ChampionShowArgs, ChampionSlotArgs};
use crate::error::CliError;

fn describe(champion: &Champion) -> String {
    let figure = |x: Option<f64>| x.map_or("none".to_string(), |x| format!("{x:.4}"));
    let figures = champion
        .figures
        .as_ref()
        .map(|f| {
            format!(
                ", DSR {} among {} tries, PBO {}",
                figure(f.dsr),
                f.n_tries,
                figure(f.pbo)
            )
        })
        .unwrap_or_default();
    format!(
        "{} {}: trial {} of study {} (fingerprint {}), in-sample score {:.4}, out-of-sample score {:.4}{figures}, promoted at {}",
        champion.symbol,
        champion.timeframe,
        champion.trial,
        champion.study_name,
        &champion.fingerprint[..champion.fingerprint.len().min(12)],
        champion.in_sample.score,
        champion.out_of_sample.score,
        genesis_engine::data::timestamp::format_iso_ms(champion.promoted_at_ms),
    )
}

pub fn show(args: &ChampionShowArgs) -> Result<(), CliError> {
    let book = load(&args.file.champions).map_err(|e| study_error(None, e))?;
    let slots: Vec<&ChampionSlot> = book
        .slots
        .iter()
        .filter(|s| args.symbol.as_ref().is_none_or(|sym| &s.symbol == sym))
        .filter(|s| args.timeframe.as_ref().is_none_or(|tf| &s.timeframe == tf))
        .collect();
    if args.symbol.is_some() && slots.is_empty() {
        return Err(CliError::input(format!(
            "{}: no champion for {} {}",
            args.file.champions.display(),
            args.symbol.as_deref().unwrap_or(""),
            args.timeframe.as_deref().unwrap_or("(any timeframe)")
        )));
    }
    if args.is_json {
        let doc = json!({"ok": true, "champions": slots});
        println!("{doc}");
        return Ok(());
    }
    if slots.is_empty() {
        println!("no champions in {}", args.file.champions.display());
    }
    for slot in slots {
        match slot.current() {
            Some(current) => println!("current {}", describe(current)),
            None => println!("{} {}: no current champion", slot.symbol, slot.timeframe),
        }
        if args.symbol.is_some() {
            println!("history ({} promoted):", slot.history.len());
            for champion in &slot.history {
                println!("  {}", describe(champion));
            }
        }
    }
    Ok(())
}

pub fn promote(args: &ChampionPromoteArgs) -> Result<(), CliError> {
    let file = args.study.display().to_string();
    let log = read_log(&args.study)?;
    let plan = read_plan(&args.study, &log)?;
    let champion = Champion::from_trial(&plan, &log, args.trial, args.symbol.as_deref(), now_ms())
        .map_err(|e| study_error(Some(&file), e))?;
    let requirements = Requirements {
        min_dsr: args.min_dsr,
        max_pbo: args.max_pbo,
    };
    champion
        .require(&requirements)
        .map_err(|e| study_error(Some(&file), e))?;
    let mut book = load(&args.file.champions).map_err(|e| study_error(None, e))?;
    let promoted = book
        .promote(champion)
        .map_err(|e| study_error(None, e))?
        .clone();
    save(&args.file.champions, &book).map_err(|e| study_error(None, e))?;
    if args.is_json {
        println!("{}", json!({"ok": true, "champion": promoted}));
    } else {
        println!("promoted {}", describe(&promoted));
    }
    Ok(())
}

pub fn rollback(args: &ChampionSlotArgs) -> Result<(), CliError> {
    let mut book = load(&args.file.champions).map_err(|e| study_error(None, e))?;
    let current = book
        .rollback(&args.symbol, &args.timeframe, now_ms())
        .map_err(|e| study_error(Some(&args.file.champions.display().to_string()), e))?
        .clone();
    save(&args.file.champions, &book).map_err(|e| study_error(None, e))?;
    if args.is_json {
        println!("{}", json!({"ok": true, "champion": current}));
    } else {
        println!("rolled back; current {}", describe(&current));
    }
    Ok(())
}

pub fn export(args: &ChampionExportArgs) -> Result<(), CliError> {
    let book = load(&args.file.champions).map_err(|e| study_error(None, e))?;
    let champion = book.current(&args.symbol, &args.timeframe).ok_or_else(|| {
        CliError::input(format!(
            "{}: no champion for {} {}",
            args.file.champions.display(),
            args.symbol,
            args.timeframe
        ))
    })?;
    write_out(args.out.as_deref(), &champion.to_yaml())
}
