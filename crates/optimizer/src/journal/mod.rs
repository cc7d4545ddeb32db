//! The study journal: an append-only list of operations, one JSON object per line.
//!
//! The first op is the [`Header`](crate::journal::Header) (format version, study name, resume signature, settings,
//! search space and the caller's opaque metadata). Then one [`TrialRecord`] per finished
//! trial, in the order trials finished, and stop and resume markers. Trials that were
//! running when a study stopped have no record; a resumed study asks them again and, the
//! sampler being a function of the journal, gets the same parameters.
//!
//! Storage sits behind [`JournalBackend`](crate::journal::JournalBackend), two methods:
//! [`MemoryJournal`](crate::journal::MemoryJournal) for tests and the browser (which
//! persists elsewhere), `FileJournal` natively.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{OptimizerError, Result};
use crate::settings::{StopReason, StudySettings};
use crate::signature::{Signature, SignatureDiff};
use crate::space::SearchSpace;
use crate::trial::TrialRecord;

#[cfg(not(target_arch = "wasm32"))]
mod file;
#[cfg(not(target_arch = "wasm32"))]
pub use file::FileJournal;

/// How far trial numbers may run beyond twice the journal's length.
const MAX_NUMBER_SLACK: u64 = 100_000;

/// The journal format this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The first op of every journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format_version: u32,
    pub study_name: String,
    pub signature: Signature,
    pub settings: StudySettings,
    pub space: SearchSpace,
    /// The caller's own provenance (base config, dataset hash, engine version, ...), kept
    /// verbatim.
    #[serde(default)]
    pub metadata: serde_json::Value,
}

/// A study stopped asking for trials.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StopMarker {
    pub reason: StopReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<i64>,
    pub n_finished: u64,
}

/// A study was resumed; `mismatch` lists the signature parts that differed (only possible
/// with `allowed_mismatch`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResumeMarker {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<i64>,
    pub signature: Signature,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mismatch: Vec<SignatureDiff>,
    pub allowed_mismatch: bool,
}

/// User attributes added to a finished trial after the fact (Optuna's
/// `SET_TRIAL_USER_ATTR`): what a caller learns about a trial later, such as its
/// out-of-sample validation. Keys overwrite the trial's own; the trial's result never
/// changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrialAttrs {
    pub number: u64,
    pub user_attrs: BTreeMap<String, serde_json::Value>,
}

/// One line of the journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum JournalOp {
    Header(Box<Header>),
    Trial(Box<TrialRecord>),
    Stop(StopMarker),
    Resume(Box<ResumeMarker>),
    TrialAttrs(Box<TrialAttrs>),
}

/// A last line that was cut short (a crash mid-write) and was ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TornTail {
    /// 1-based line number of the torn line.
    pub line: usize,
    pub n_bytes: usize,
}

/// What [`JournalBackend::read_all`] returns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JournalRead {
    pub ops: Vec<JournalOp>,
    pub torn_tail: Option<TornTail>,
}

/// Where a journal lives: append ops, read them all back.
pub trait JournalBackend {
    /// Appends `ops` in order; each must be durable (flushed) before this returns.
    fn append(&mut self, ops: &[JournalOp]) -> Result<()>;
    /// Every op, in order.
    fn read_all(&self) -> Result<JournalRead>;
}

/// A journal in memory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MemoryJournal {
    ops: Vec<JournalOp>,
}

impl MemoryJournal {
    pub fn new() -> MemoryJournal {
        MemoryJournal::default()
    }

    /// A journal holding `ops`.
    pub fn from_ops(ops: Vec<JournalOp>) -> MemoryJournal {
        MemoryJournal { ops }
    }

    /// Parses JSONL text (a torn last line is ignored and reported).
    pub fn from_jsonl(text: &str) -> Result<(MemoryJournal, Option<TornTail>)> {
        let read = parse_jsonl(text)?;
        Ok((MemoryJournal { ops: read.ops }, read.torn_tail))
    }

    pub fn ops(&self) -> &[JournalOp] {
        &self.ops
    }

    /// The journal as JSONL text.
    pub fn to_jsonl(&self) -> String {
        to_jsonl(&self.ops)
    }
}

impl JournalBackend for MemoryJournal {
    fn append(&mut self, ops: &[JournalOp]) -> Result<()> {
        self.ops.extend_from_slice(ops);
        Ok(())
    }

    fn read_all(&self) -> Result<JournalRead> {
        Ok(JournalRead {
            ops: self.ops.clone(),
            torn_tail: None,
        })
    }
}

/// One op as a JSON line, without the newline.
pub fn op_to_line(op: &JournalOp) -> Result<String> {
    serde_json::to_string(op).map_err(|e| OptimizerError::Journal {
        line: 0,
        message: format!("cannot serialise an op: {e}"),
    })
}

/// Ops as JSONL text, one line each, newline-terminated.
pub fn to_jsonl(ops: &[JournalOp]) -> String {
    let mut out = String::new();
    for op in ops {
        if let Ok(line) = op_to_line(op) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Parses JSONL text. A last line without its newline that does not parse is a torn write:
/// it is ignored and reported. Any other bad line is an error naming its number.
pub fn parse_jsonl(text: &str) -> Result<JournalRead> {
    let mut ops = Vec::new();
    let mut torn_tail = None;
    let ends_with_newline = text.ends_with('\n');
    let lines: Vec<&str> = text.split('\n').collect();
    let n_lines = if ends_with_newline {
        lines.len() - 1
    } else {
        lines.len()
    };
    for (i, line) in lines.iter().take(n_lines).enumerate() {
        let is_last = i + 1 == n_lines;
        if line.is_empty() && is_last && !ends_with_newline {
            break;
        }
        match serde_json::from_str::<JournalOp>(line) {
            Ok(op) => ops.push(op),
            Err(_) if is_last && !ends_with_newline => {
                torn_tail = Some(TornTail {
                    line: i + 1,
                    n_bytes: line.len(),
                })
            }
            Err(e) => {
                return Err(OptimizerError::Journal {
                    line: i + 1,
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(JournalRead { ops, torn_tail })
}

/// A study as its journal tells it: the header and the finished trials by number.
#[derive(Clone, Debug, PartialEq)]
pub struct StudyLog {
    pub header: Header,
    /// Finished trials, sorted by number.
    pub trials: Vec<TrialRecord>,
    pub stops: Vec<StopMarker>,
    pub resumes: Vec<ResumeMarker>,
}

impl StudyLog {
    /// Replays ops. The first must be the header; a trial number recorded twice is an
    /// error naming the line.
    pub fn from_ops(ops: &[JournalOp]) -> Result<StudyLog> {
        let header = match ops.first() {
            Some(JournalOp::Header(header)) => header.as_ref().clone(),
            Some(_) => {
                return Err(OptimizerError::Journal {
                    line: 1,
                    message: "the first op must be the header".into(),
                })
            }
            None => {
                return Err(OptimizerError::Journal {
                    line: 1,
                    message: "the journal is empty".into(),
                })
            }
        };
        if header.format_version != FORMAT_VERSION {
            return Err(OptimizerError::Journal {
                line: 1,
                message: format!(
                    "format version {} is not {FORMAT_VERSION}, the one this build reads",
                    header.format_version
                ),
            });
        }
        let mut trials: Vec<TrialRecord> = Vec::new();
        let mut stops = Vec::new();
        let mut resumes = Vec::new();
        // Trial number to its index in `trials`, for attributes added later.
        let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
        for (i, op) in ops.iter().enumerate().skip(1) {
            match op {
                JournalOp::Header(_) => {
                    return Err(OptimizerError::Journal {
                        line: i + 1,
                        message: "a second header".into(),
                    })
                }
                JournalOp::Trial(record) => {
                    // Numbers run from 0 with at most a few gaps per session (trials that
                    // were running when it stopped); anything far beyond the journal's
                    // length is corruption, and would make a resume allocate for nothing.
                    if record.number > MAX_NUMBER_SLACK + 2 * ops.len() as u64 {
                        return Err(OptimizerError::Journal {
                            line: i + 1,
                            message: format!(
                                "trial number {} is implausible for a journal of {} lines",
                                record.number,
                                ops.len()
                            ),
                        });
                    }
                    if seen.insert(record.number, trials.len()).is_some() {
                        return Err(OptimizerError::Journal {
                            line: i + 1,
                            message: format!("trial {} is recorded twice", record.number),
                        });
                    }
                    trials.push(record.as_ref().clone());
                }
                JournalOp::TrialAttrs(attrs) => {
                    let Some(trial) = seen.get(&attrs.number).and_then(|&k| trials.get_mut(k))
                    else {
                        return Err(OptimizerError::Journal {
                            line: i + 1,
                            message: format!(
                                "attributes for trial {}, which no earlier line records",
                                attrs.number
                            ),
                        });
                    };
                    for (key, value) in &attrs.user_attrs {
                        trial.user_attrs.insert(key.clone(), value.clone());
                    }
                }
                JournalOp::Stop(stop) => stops.push(stop.clone()),
                JournalOp::Resume(resume) => resumes.push(resume.as_ref().clone()),
            }
        }
        trials.sort_by_key(|t| t.number);
        Ok(StudyLog {
            header,
            trials,
            stops,
            resumes,
        })
    }

    /// The canonical journal: the header, then the trials by number with timing stripped
    /// (and attributes added later merged in); markers left out. Two runs of the same study (any number of workers, any schedule,
    /// interrupted and resumed or not) have the same canonical journal.
    pub fn canonical_jsonl(&self) -> String {
        let mut ops = vec![JournalOp::Header(Box::new(self.header.clone()))];
        ops.extend(self.trials.iter().map(|t| {
            JournalOp::Trial(Box::new(TrialRecord {
                timing: None,
                ..t.clone()
            }))
        }));
        to_jsonl(&ops)
    }

    /// The log as journal ops: the header, then the trials by number. Written to a backend,
    /// they make a journal [`crate::Study::resume`] continues from (this is how an imported
    /// study is resumed).
    pub fn to_ops(&self) -> Vec<JournalOp> {
        let mut ops = vec![JournalOp::Header(Box::new(self.header.clone()))];
        ops.extend(
            self.trials
                .iter()
                .map(|t| JournalOp::Trial(Box::new(t.clone()))),
        );
        ops
    }

    /// The trial numbered `number`.
    pub fn trial(&self, number: u64) -> Option<&TrialRecord> {
        self.trials
            .binary_search_by_key(&number, |t| t.number)
            .ok()
            .and_then(|i| self.trials.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_ignored_and_reported() {
        let good = r#"{"op":"stop","reason":{"kind":"cancelled"},"n_finished":3}"#;
        let text = format!("{good}\n{good}\n{{\"op\":\"tri");
        let read = parse_jsonl(&text).unwrap();
        assert_eq!(read.ops.len(), 2);
        assert_eq!(
            read.torn_tail,
            Some(TornTail {
                line: 3,
                n_bytes: 10
            })
        );
    }

    #[test]
    fn a_bad_line_in_the_middle_is_an_error_with_its_number() {
        let good = r#"{"op":"stop","reason":{"kind":"cancelled"},"n_finished":3}"#;
        let text = format!("{good}\nnot json\n{good}\n");
        match parse_jsonl(&text) {
            Err(OptimizerError::Journal { line, .. }) => assert_eq!(line, 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_complete_last_line_without_newline_still_counts() {
        let good = r#"{"op":"stop","reason":{"kind":"cancelled"},"n_finished":3}"#;
        let read = parse_jsonl(good).unwrap();
        assert_eq!(read.ops.len(), 1);
        assert_eq!(read.torn_tail, None);
    }
}
