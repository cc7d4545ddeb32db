//! A journal in a JSONL file: each op appended as one line and flushed before `append`
//! returns. Opening repairs what a crash can leave behind: a torn last line is cut off
//! (and reported), a complete last line missing its newline gets one.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{op_to_line, parse_jsonl, JournalBackend, JournalOp, JournalRead, TornTail};
use crate::error::{OptimizerError, Result};

/// A journal file.
#[derive(Debug)]
pub struct FileJournal {
    path: PathBuf,
    file: File,
    recovered: Option<TornTail>,
}

fn io_error(path: &Path, error: std::io::Error) -> OptimizerError {
    OptimizerError::JournalIo {
        path: path.display().to_string(),
        message: error.to_string(),
    }
}

impl FileJournal {
    /// Opens (or creates) the journal at `path`, repairing a torn tail.
    pub fn open(path: impl AsRef<Path>) -> Result<FileJournal> {
        let path = path.as_ref().to_path_buf();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| io_error(&path, e))?;
        let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
        let read = parse_jsonl(&text)?;
        let mut recovered = None;
        if !text.is_empty() && !text.ends_with('\n') {
            if let Some(torn) = read.torn_tail {
                let keep = text.rfind('\n').map_or(0, |i| i + 1);
                file.set_len(keep as u64).map_err(|e| io_error(&path, e))?;
                recovered = Some(torn);
            } else {
                file.write_all(b"\n").map_err(|e| io_error(&path, e))?;
                file.flush().map_err(|e| io_error(&path, e))?;
            }
        }
        Ok(FileJournal {
            path,
            file,
            recovered,
        })
    }

    /// The torn line cut off when the file was opened, if there was one.
    pub fn recovered_torn_tail(&self) -> Option<&TornTail> {
        self.recovered.as_ref()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl JournalBackend for FileJournal {
    fn append(&mut self, ops: &[JournalOp]) -> Result<()> {
        for op in ops {
            let mut line = op_to_line(op)?;
            line.push('\n');
            self.file
                .write_all(line.as_bytes())
                .and_then(|()| self.file.flush())
                .map_err(|e| io_error(&self.path, e))?;
        }
        Ok(())
    }

    fn read_all(&self) -> Result<JournalRead> {
        let text = std::fs::read_to_string(&self.path).map_err(|e| io_error(&self.path, e))?;
        parse_jsonl(&text)
    }
}
