//! Running a walk-forward on native threads, journaled to a file fold by fold.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use genesis_engine::data::Candles;
use genesis_engine::features::FeatureStore;
use genesis_optimizer::OptimizerError;

use super::{
    drive_walkforward, WalkForwardBackend, WalkForwardHeader, WalkForwardLog, WalkForwardOp,
};
use crate::error::Result;
use crate::runner::{run_parallel, Progress};

/// A walk-forward journal file: one op per line, each flushed before `append` returns.
/// Opening cuts a torn last line (a crash mid-write) and reports it.
#[derive(Debug)]
pub struct FileWalkForward {
    path: PathBuf,
    file: File,
    /// The 1-based line number and length of a torn last line cut off on opening.
    pub recovered_torn_tail: Option<(usize, usize)>,
}

fn io_error(path: &Path, error: impl std::fmt::Display) -> OptimizerError {
    OptimizerError::JournalIo {
        path: path.display().to_string(),
        message: error.to_string(),
    }
}

/// The ops read, and a torn last line's number and length.
type Parsed = (Vec<WalkForwardOp>, Option<(usize, usize)>);

/// Parses the journal's lines; a last line without its newline that does not parse is a
/// torn write, returned apart (line number, bytes).
fn parse(text: &str) -> genesis_optimizer::Result<Parsed> {
    let mut ops = Vec::new();
    let ends_with_newline = text.is_empty() || text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    for (k, line) in lines.iter().enumerate() {
        let is_last = k + 1 == lines.len();
        match serde_json::from_str::<WalkForwardOp>(line) {
            Ok(op) => ops.push(op),
            Err(_) if is_last && !ends_with_newline => return Ok((ops, Some((k + 1, line.len())))),
            Err(e) => {
                return Err(OptimizerError::Journal {
                    line: k + 1,
                    message: e.to_string(),
                })
            }
        }
    }
    Ok((ops, None))
}

impl FileWalkForward {
    /// Opens (or creates) the journal at `path`, cutting a torn last line.
    pub fn open(path: impl AsRef<Path>) -> genesis_optimizer::Result<FileWalkForward> {
        let path = path.as_ref().to_path_buf();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| io_error(&path, e))?;
        let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
        let (_, torn) = parse(&text)?;
        if torn.is_some() {
            let keep = text.rfind('\n').map_or(0, |i| i + 1);
            file.set_len(keep as u64).map_err(|e| io_error(&path, e))?;
        } else if !text.is_empty() && !text.ends_with('\n') {
            file.write_all(b"\n").map_err(|e| io_error(&path, e))?;
        }
        Ok(FileWalkForward {
            path,
            file,
            recovered_torn_tail: torn,
        })
    }
}

impl WalkForwardBackend for FileWalkForward {
    fn append(&mut self, ops: &[WalkForwardOp]) -> genesis_optimizer::Result<()> {
        let mut text = String::new();
        for op in ops {
            text.push_str(&serde_json::to_string(op).map_err(|e| io_error(&self.path, e))?);
            text.push('\n');
        }
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|e| io_error(&self.path, e))
    }

    fn read_all(&self) -> genesis_optimizer::Result<Vec<WalkForwardOp>> {
        let text = std::fs::read_to_string(&self.path).map_err(|e| io_error(&self.path, e))?;
        Ok(parse(&text)?.0)
    }
}

/// Where a run stands: the fold running and its study's progress.
#[derive(Clone, Debug)]
pub struct FoldProgress<'a> {
    /// 0-based.
    pub fold: usize,
    pub n_folds: usize,
    pub study: &'a Progress,
}

/// Runs (or resumes) the walk-forward `header` journaled in `backend`, fold after fold,
/// each fold's trials on `n_jobs` threads. Setting `cancel` stops it after the running
/// trials finish; the journal then resumes exactly. Returns the journal read back.
pub fn run_walkforward<W, C, P>(
    header: &WalkForwardHeader,
    backend: &mut W,
    candles: &Arc<Candles>,
    n_jobs: usize,
    now_ms: &C,
    cancel: &AtomicBool,
    mut progress: P,
) -> Result<WalkForwardLog>
where
    W: WalkForwardBackend,
    C: Fn() -> i64 + Sync,
    P: FnMut(&FoldProgress<'_>),
{
    let mut store = FeatureStore::new(Arc::clone(candles));
    let n_folds = header.folds.len();
    drive_walkforward(header, backend, &mut store, now_ms, |f, plan, study| {
        if cancel.load(Ordering::SeqCst) {
            return Ok(false);
        }
        run_parallel(
            study,
            &plan.objective(),
            candles,
            n_jobs,
            now_ms,
            cancel,
            |p| {
                progress(&FoldProgress {
                    fold: f,
                    n_folds,
                    study: p,
                })
            },
        )?;
        Ok(!cancel.load(Ordering::SeqCst))
    })
}
