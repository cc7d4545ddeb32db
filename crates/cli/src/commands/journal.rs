//! What the study commands share: reading a journal, mapping the study and optimizer
//! errors to the exit convention, the clock, output files.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use genesis_optimizer::journal::{parse_jsonl, JournalRead};
use genesis_optimizer::{OptimizerError, StudyLog};
use genesis_study::{StudyError, StudyPlan};

use crate::error::CliError;

/// The wall clock in unix milliseconds: the CLI is where time enters.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A study error as bad input (exit 2) or an internal one (exit 1), prefixed with the file
/// it is about when there is one.
pub fn study_error(file: Option<&str>, err: StudyError) -> CliError {
    if err.is_input_error() {
        CliError::Input {
            message: match file {
                Some(file) => format!("{file}: {err}"),
                None => err.to_string(),
            },
            detail: serde_json::to_value(&err).ok(),
        }
    } else {
        CliError::Internal(anyhow::anyhow!("{err}"))
    }
}

/// An optimizer error about `file`: journal and space problems are bad input, I/O on the
/// journal is internal.
pub fn optimizer_error(file: &str, err: OptimizerError) -> CliError {
    match err {
        OptimizerError::JournalIo { .. } => CliError::Internal(anyhow::anyhow!("{err}")),
        other => CliError::input_in(file, &other),
    }
}

/// The ops of the journal at `path`; a missing or unreadable file is bad input.
pub fn read_journal(path: &Path) -> Result<JournalRead, CliError> {
    let file = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|err| CliError::input(format!("{file}: {err}")))?;
    parse_jsonl(&text).map_err(|err| optimizer_error(&file, err))
}

/// The study in the journal at `path`.
pub fn read_log(path: &Path) -> Result<StudyLog, CliError> {
    let file = path.display().to_string();
    let read = read_journal(path)?;
    StudyLog::from_ops(&read.ops).map_err(|err| optimizer_error(&file, err))
}

/// The plan recorded in a study's header.
pub fn read_plan(path: &Path, log: &StudyLog) -> Result<StudyPlan, CliError> {
    let file = path.display().to_string();
    StudyPlan::from_header(&log.header).map_err(|err| study_error(Some(&file), err))
}

/// Whether `path` holds anything (a study journal to resume, or a file not to overwrite).
pub fn has_content(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() > 0)
}

/// Refuses to write over a file that holds something.
pub fn ensure_new(path: &Path, option: &str) -> Result<(), CliError> {
    if has_content(path) {
        Err(CliError::input(format!(
            "{option} {}: the file exists; choose another name or remove it",
            path.display()
        )))
    } else {
        Ok(())
    }
}

/// Writes `text` to `out`, or to stdout without it.
pub fn write_out(out: Option<&Path>, text: &str) -> Result<(), CliError> {
    match out {
        Some(path) => std::fs::write(path, text).map_err(|err| {
            CliError::Internal(anyhow::anyhow!("writing {}: {err}", path.display()))
        }),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

/// The stem of a file name (`runs/sma.jsonl` → `sma`), for default study names.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "study".to_string())
}
