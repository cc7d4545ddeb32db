//! Champions: the promoted configuration per (symbol, timeframe), with provenance, and a
//! history for rollback.
//!
//! A [`Champion`] is built from a study's trial ([`Champion::from_trial`]) and carries its
//! study (name and id), trial number, dataset hash, the effective config and its
//! fingerprint, the in-sample and out-of-sample results, the time of promotion (given by
//! the caller) and the engine version. Only a trial that **passed** its out-of-sample
//! validation can become one; anything else is refused with the reason. Building it
//! re-derives the effective config from the journal and checks its fingerprint against the
//! trial's, so a champion is always the config that was scored.
//!
//! A [`ChampionBook`] keeps, per (symbol, timeframe), every champion ever promoted
//! (`history`, never shortened) and the chain of current ones: `promote` pushes, `rollback`
//! returns to the champion that was current before (an undo), and both are logged as
//! events with their times. The book is plain serde data: the CLI keeps it in a JSON file,
//! the browser in IndexedDB.

use std::collections::BTreeMap;

use genesis_engine::backtest::Window;
use genesis_engine::strategy::StrategyConfig;
use genesis_optimizer::{Params, StudyLog};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Result, StudyError};
use crate::objective::{DATASET_ATTR, FINGERPRINT_ATTR, RETURN_BLOCKS_ATTR, RETURN_MOMENTS_ATTR};
use crate::selection::{figures_of, Requirements, TrialFigures};
use crate::spec::StudyPlan;
use crate::validation::recorded_validation;

/// The version of [`ChampionBook`] this build writes and reads.
pub const BOOK_FORMAT: u32 = 1;

/// A window's result as the champion keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowResult {
    pub window: Window,
    pub score: f64,
    pub metrics: BTreeMap<String, Value>,
}

/// A promoted configuration with its provenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Champion {
    pub symbol: String,
    pub timeframe: String,
    pub study_name: String,
    /// SHA-256 of the study's journal header: which study, whatever its file is called.
    pub study_id: String,
    pub trial: u64,
    pub dataset_hash: String,
    pub fingerprint: String,
    /// The effective config in full.
    pub config: StrategyConfig,
    /// The trial's parameters (over the study's base config).
    pub params: Params,
    pub in_sample: WindowResult,
    pub out_of_sample: WindowResult,
    pub promoted_at_ms: i64,
    pub engine_version: String,
    /// The trial's deflated Sharpe ratio and the study's PBO at promotion (absent in
    /// champions promoted before they were computed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub figures: Option<TrialFigures>,
}

impl Champion {
    /// The champion trial `number` of a study would make, promoted at `promoted_at_ms`.
    /// `symbol` overrides the study's. Refused (with the reason) unless the trial is a
    /// complete feasible trial whose out-of-sample validation passed.
    pub fn from_trial(
        plan: &StudyPlan,
        log: &StudyLog,
        number: u64,
        symbol: Option<&str>,
        promoted_at_ms: i64,
    ) -> Result<Champion> {
        let refuse = |reason: String| StudyError::PromotionRefused { number, reason };
        let record = log
            .trial(number)
            .ok_or_else(|| refuse("the study has no such trial".into()))?;
        if let Some(original) = record.duplicate_of {
            return Err(refuse(format!(
                "it is a duplicate of trial {original}; promote that one"
            )));
        }
        if !record.is_feasible() {
            return Err(refuse(format!(
                "it is not a feasible complete trial (state {}{})",
                record.state,
                if record.constraint_violations.is_empty() {
                    String::new()
                } else {
                    format!(": {}", record.constraint_violations.join("; "))
                }
            )));
        }
        let validation = recorded_validation(record)?.ok_or_else(|| {
            refuse(
                "it was never validated out of sample (run the study with an in-sample split \
                 and validation of its top trials: --split 0.7 --validate-top K)"
                    .into(),
            )
        })?;
        if !validation.is_passed {
            return Err(refuse(format!(
                "it failed out-of-sample validation: {}",
                validation.reasons.join("; ")
            )));
        }
        let symbol = symbol
            .map(str::to_string)
            .or_else(|| plan.symbol().map(str::to_string))
            .ok_or_else(|| {
                refuse("the study's dataset has no symbol; give one (--symbol)".into())
            })?;
        let config = plan.effective_config(&record.params)?;
        let stored = record
            .user_attrs
            .get(FINGERPRINT_ATTR)
            .and_then(Value::as_str);
        if stored != Some(config.fingerprint()) || validation.fingerprint != config.fingerprint() {
            return Err(refuse(format!(
                "its effective config's fingerprint {} is not the one it was scored with ({})",
                short(config.fingerprint()),
                short(stored.unwrap_or("none"))
            )));
        }
        let metrics = record
            .user_attrs
            .iter()
            .filter(|(key, _)| {
                ![
                    FINGERPRINT_ATTR,
                    DATASET_ATTR,
                    RETURN_BLOCKS_ATTR,
                    RETURN_MOMENTS_ATTR,
                    crate::validation::VALIDATION_ATTR,
                ]
                .contains(&key.as_str())
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Champion {
            symbol,
            timeframe: plan.timeframe().to_string(),
            study_name: log.header.study_name.clone(),
            study_id: study_id(log),
            trial: number,
            dataset_hash: plan.metadata.dataset.hash.0.clone(),
            fingerprint: config.fingerprint().to_string(),
            params: record.params.clone(),
            in_sample: WindowResult {
                window: plan.metadata.windows.in_sample,
                score: record.value.unwrap_or(0.0),
                metrics,
            },
            out_of_sample: WindowResult {
                window: validation.window,
                score: validation.score,
                metrics: validation.metrics,
            },
            config,
            promoted_at_ms,
            engine_version: genesis_engine::ENGINE_VERSION.to_string(),
            figures: Some(figures_of(log, number)),
        })
    }

    /// Refuses the champion when its figures fall short of `requirements`, naming each
    /// figure (`min_dsr`, `max_pbo`).
    pub fn require(&self, requirements: &Requirements) -> Result<()> {
        let figures = self.figures.clone().unwrap_or(TrialFigures {
            n_tries: 0,
            dsr: None,
            pbo: None,
            notes: vec!["the champion records no figures".into()],
        });
        let shortfalls = requirements.shortfalls(&figures);
        if shortfalls.is_empty() {
            return Ok(());
        }
        Err(StudyError::PromotionRefused {
            number: self.trial,
            reason: shortfalls.join("; "),
        })
    }

    /// The champion as a strategy config YAML file: provenance as comments, then the
    /// effective config (its canonical value, so `genesis backtest --config` on it runs the
    /// same fingerprint).
    pub fn to_yaml(&self) -> String {
        let body = serde_yaml_ng::to_string(&self.config.to_value()).unwrap_or_default();
        format!(
            "# Champion {} {}: study {} (id {}), trial {}.\n\
             # Dataset {}, config fingerprint {}.\n\
             # In-sample score {}, out-of-sample score {}; promoted at {} ms, engine {}.\n{body}",
            self.symbol,
            self.timeframe,
            self.study_name,
            short(&self.study_id),
            self.trial,
            short(&self.dataset_hash),
            self.fingerprint,
            self.in_sample.score,
            self.out_of_sample.score,
            self.promoted_at_ms,
            self.engine_version,
        )
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// SHA-256 of a study's journal header.
pub fn study_id(log: &StudyLog) -> String {
    let bytes = serde_json::to_vec(&log.header).unwrap_or_default();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What happened to a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChampionEventKind {
    Promoted,
    RolledBack,
}

/// One promotion or rollback: which history entry became current, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChampionEvent {
    pub kind: ChampionEventKind,
    pub at_ms: i64,
    /// Index into the slot's history of the champion that became current.
    pub current: usize,
}

/// The champions of one (symbol, timeframe).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChampionSlot {
    pub symbol: String,
    pub timeframe: String,
    /// Every champion ever promoted, in promotion order.
    pub history: Vec<Champion>,
    /// Indices into `history`: the last is current, the one before it is what a rollback
    /// returns to.
    pub chain: Vec<usize>,
    pub events: Vec<ChampionEvent>,
}

impl ChampionSlot {
    pub fn current(&self) -> Option<&Champion> {
        self.chain.last().and_then(|&i| self.history.get(i))
    }
}

/// Every (symbol, timeframe)'s champions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChampionBook {
    pub format_version: u32,
    /// Sorted by symbol, then timeframe.
    pub slots: Vec<ChampionSlot>,
}

impl Default for ChampionBook {
    fn default() -> Self {
        ChampionBook {
            format_version: BOOK_FORMAT,
            slots: Vec::new(),
        }
    }
}

impl ChampionBook {
    pub fn new() -> ChampionBook {
        ChampionBook::default()
    }

    /// Parses a book from JSON, refusing another format version.
    pub fn from_json(text: &str) -> Result<ChampionBook> {
        let book: ChampionBook = serde_json::from_str(text).map_err(|err| StudyError::File {
            path: "champions".into(),
            message: format!("line {}, column {}: {err}", err.line(), err.column()),
        })?;
        if book.format_version != BOOK_FORMAT {
            return Err(StudyError::File {
                path: "champions".into(),
                message: format!(
                    "format version {} is not {BOOK_FORMAT}, the one this build reads",
                    book.format_version
                ),
            });
        }
        Ok(book)
    }

    /// The book as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn slot(&self, symbol: &str, timeframe: &str) -> Option<&ChampionSlot> {
        self.slots
            .iter()
            .find(|s| s.symbol == symbol && s.timeframe == timeframe)
    }

    /// The current champion of (symbol, timeframe).
    pub fn current(&self, symbol: &str, timeframe: &str) -> Option<&Champion> {
        self.slot(symbol, timeframe).and_then(ChampionSlot::current)
    }

    /// Every champion of (symbol, timeframe) ever promoted, oldest first.
    pub fn history(&self, symbol: &str, timeframe: &str) -> &[Champion] {
        self.slot(symbol, timeframe)
            .map_or(&[], |s| s.history.as_slice())
    }

    /// Makes `champion` current for its (symbol, timeframe), keeping the others in the
    /// history. Refused when it is already the current one (same fingerprint and study).
    pub fn promote(&mut self, champion: Champion) -> Result<&Champion> {
        let (symbol, timeframe) = (champion.symbol.clone(), champion.timeframe.clone());
        if let Some(current) = self.current(&symbol, &timeframe) {
            if current.fingerprint == champion.fingerprint && current.study_id == champion.study_id
            {
                return Err(StudyError::Champion {
                    symbol,
                    timeframe,
                    message: format!(
                        "trial {} of study {} is already the current champion",
                        champion.trial, champion.study_name
                    ),
                });
            }
        }
        let at_ms = champion.promoted_at_ms;
        let i = match self.slots.binary_search_by(|s| {
            (s.symbol.as_str(), s.timeframe.as_str()).cmp(&(&symbol, &timeframe))
        }) {
            Ok(i) => i,
            Err(i) => {
                self.slots.insert(
                    i,
                    ChampionSlot {
                        symbol,
                        timeframe,
                        history: Vec::new(),
                        chain: Vec::new(),
                        events: Vec::new(),
                    },
                );
                i
            }
        };
        let slot = &mut self.slots[i];
        slot.history.push(champion);
        let current = slot.history.len() - 1;
        slot.chain.push(current);
        slot.events.push(ChampionEvent {
            kind: ChampionEventKind::Promoted,
            at_ms,
            current,
        });
        Ok(&slot.history[current])
    }

    /// Returns (symbol, timeframe) to the champion that was current before the current one,
    /// at `at_ms`. The rolled-back champion stays in the history.
    pub fn rollback(&mut self, symbol: &str, timeframe: &str, at_ms: i64) -> Result<&Champion> {
        let fail = |message: &str| StudyError::Champion {
            symbol: symbol.to_string(),
            timeframe: timeframe.to_string(),
            message: message.to_string(),
        };
        let slot = self
            .slots
            .iter_mut()
            .find(|s| s.symbol == symbol && s.timeframe == timeframe)
            .ok_or_else(|| fail("has no champion"))?;
        if slot.chain.len() < 2 {
            return Err(fail("has no earlier champion to roll back to"));
        }
        slot.chain.pop();
        let current = *slot.chain.last().ok_or_else(|| fail("has no champion"))?;
        slot.events.push(ChampionEvent {
            kind: ChampionEventKind::RolledBack,
            at_ms,
            current,
        });
        slot.history
            .get(current)
            .ok_or_else(|| fail("the book is damaged: the chain points past the history"))
    }
}

/// Reading and writing a book as a JSON file (native only).
#[cfg(not(target_arch = "wasm32"))]
pub mod file {
    use std::path::Path;

    use super::ChampionBook;
    use crate::error::{Result, StudyError};

    /// The book at `path`; an empty book when the file does not exist.
    pub fn load(path: &Path) -> Result<ChampionBook> {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => ChampionBook::from_json(&text).map_err(|err| match err {
                StudyError::File { message, .. } => StudyError::File {
                    path: name,
                    message,
                },
                other => other,
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(ChampionBook::new()),
            Err(err) => Err(StudyError::File {
                path: name,
                message: err.to_string(),
            }),
        }
    }

    /// Writes the book to `path` atomically (a temporary file beside it, then a rename), so
    /// a crash never leaves half a book.
    pub fn save(path: &Path, book: &ChampionBook) -> Result<()> {
        let name = path.display().to_string();
        let io = |err: std::io::Error| StudyError::File {
            path: name.clone(),
            message: err.to_string(),
        };
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        std::fs::write(&tmp, book.to_json()).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}
