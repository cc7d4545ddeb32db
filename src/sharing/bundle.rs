//! Study bundles: one JSON file with a study's whole journal (space, settings, base config,
//! dataset identity, every trial) and, optionally, its dataset, so a study can move between
//! browsers and be replayed offline. Imports are untrusted input: size-limited, parsed
//! strictly, every part checked, each error naming what is wrong and where.

use genesis_engine::data::{Candles, DatasetMeta};
use genesis_optimizer::export::from_optuna_journal;
use genesis_optimizer::journal::Header;
use genesis_optimizer::{JournalOp, StudyLog, TrialRecord};
use genesis_study::spec::metadata_from_value;
use genesis_study::walkforward::{FoldRun, WalkForwardHeader, WalkForwardLog, WalkForwardOp};
use serde::{Deserialize, Serialize};

use crate::storage::colfile;

pub const BUNDLE_FORMAT: &str = "genesis-lab-study-bundle";
pub const BUNDLE_VERSION: u32 = 1;
/// The largest file an import reads: far above a million-bar dataset in base64.
pub const MAX_IMPORT_BYTES: usize = 512 << 20;
/// The most trials an imported study may hold.
pub const MAX_TRIALS: usize = 1_000_000;
/// The longest study name kept.
pub const MAX_NAME_CHARS: usize = 120;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub format: String,
    pub version: u32,
    pub study_name: String,
    pub dataset: DatasetMeta,
    /// The journal: its header first, then trials (and markers).
    pub journal: Vec<JournalOp>,
    /// The dataset's columns (the page's stored format), base64, when included.
    #[serde(default)]
    pub dataset_columns_b64: Option<String>,
    pub exported_at_ms: i64,
}

/// A checked import, ready to store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportedStudy {
    pub name: String,
    /// JSON text when it crosses to the page (see [`crate::workers::json_text`]).
    #[serde(with = "crate::workers::json_text")]
    pub header: Header,
    #[serde(with = "crate::workers::json_text")]
    pub trials: Vec<TrialRecord>,
    pub dataset: DatasetMeta,
    /// The dataset's columns in the stored format, validated and hashing to `dataset.hash`.
    #[serde(with = "serde_bytes", default)]
    pub dataset_columns: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum BundleError {
    #[error("{file}: {size} bytes is more than the {MAX_IMPORT_BYTES} an import may have")]
    TooLarge { file: String, size: usize },
    #[error("{file}: not UTF-8 text")]
    NotText { file: String },
    #[error("{file}: line {line}, column {column}: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {key}: {message}")]
    Invalid {
        file: String,
        key: String,
        message: String,
    },
}

fn invalid(file: &str, key: &str, message: impl Into<String>) -> BundleError {
    BundleError::Invalid {
        file: file.to_string(),
        key: key.to_string(),
        message: message.into(),
    }
}

/// Builds a bundle from a study's header and trials.
pub fn bundle(
    name: &str,
    dataset: &DatasetMeta,
    header: &Header,
    trials: &[TrialRecord],
    dataset_columns: Option<&[u8]>,
    exported_at_ms: i64,
) -> Bundle {
    Bundle {
        format: BUNDLE_FORMAT.to_string(),
        version: BUNDLE_VERSION,
        study_name: name.to_string(),
        dataset: dataset.clone(),
        journal: std::iter::once(JournalOp::Header(Box::new(header.clone())))
            .chain(
                trials
                    .iter()
                    .cloned()
                    .map(|t| JournalOp::Trial(Box::new(t))),
            )
            .collect(),
        dataset_columns_b64: dataset_columns.map(base64_encode),
        exported_at_ms,
    }
}

/// A walk-forward run as one JSON file: its journal (header, every finished fold's study
/// and outcome) and, optionally, its dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkForwardBundle {
    pub format: String,
    pub version: u32,
    pub name: String,
    pub dataset: DatasetMeta,
    pub journal: Vec<WalkForwardOp>,
    #[serde(default)]
    pub dataset_columns_b64: Option<String>,
    pub exported_at_ms: i64,
}

pub const WALKFORWARD_BUNDLE_FORMAT: &str = "genesis-lab-walkforward-bundle";

/// A checked walk-forward import, ready to store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportedWalkForward {
    pub name: String,
    #[serde(with = "crate::workers::json_text")]
    pub header: WalkForwardHeader,
    /// The finished folds (a fold's study without its outcome is left out: it runs again).
    #[serde(with = "crate::workers::json_text")]
    pub folds: Vec<FoldRun>,
    pub dataset: DatasetMeta,
    #[serde(with = "serde_bytes", default)]
    pub dataset_columns: Vec<u8>,
}

/// Any file an import takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Imported {
    Study(Box<ImportedStudy>),
    WalkForward(Box<ImportedWalkForward>),
}

/// Builds a bundle from a walk-forward run's header and finished folds.
pub fn walkforward_bundle(
    header: &WalkForwardHeader,
    folds: &[FoldRun],
    dataset_columns: Option<&[u8]>,
    exported_at_ms: i64,
) -> WalkForwardBundle {
    WalkForwardBundle {
        format: WALKFORWARD_BUNDLE_FORMAT.to_string(),
        version: BUNDLE_VERSION,
        name: header.name.clone(),
        dataset: header.dataset.clone(),
        journal: WalkForwardLog::ops_of(header, folds),
        dataset_columns_b64: dataset_columns.map(base64_encode),
        exported_at_ms,
    }
}

/// The size and text checks every import passes first.
fn checked_text<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, BundleError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(BundleError::TooLarge {
            file: file.to_string(),
            size: bytes.len(),
        });
    }
    std::str::from_utf8(bytes).map_err(|_| BundleError::NotText {
        file: file.to_string(),
    })
}

fn syntax(file: &str, err: &serde_json::Error) -> BundleError {
    BundleError::Syntax {
        file: file.to_string(),
        line: err.line(),
        column: err.column(),
        message: err.to_string(),
    }
}

/// Reads an imported file of any kind: a study bundle, this app's Optuna journal export, or
/// a walk-forward bundle (told apart by its `format`).
pub fn import_any(file: &str, bytes: &[u8]) -> Result<Imported, BundleError> {
    let text = checked_text(file, bytes)?;
    #[derive(Deserialize)]
    struct Probe {
        format: Option<String>,
    }
    let is_walkforward = !text.trim_start().starts_with("{\"op_code\"")
        && serde_json::from_str::<Probe>(text)
            .ok()
            .and_then(|p| p.format)
            .is_some_and(|f| f == WALKFORWARD_BUNDLE_FORMAT);
    if is_walkforward {
        import_walkforward(file, text).map(|w| Imported::WalkForward(Box::new(w)))
    } else {
        import(file, bytes).map(|s| Imported::Study(Box::new(s)))
    }
}

fn import_walkforward(file: &str, text: &str) -> Result<ImportedWalkForward, BundleError> {
    let bundle: WalkForwardBundle = serde_json::from_str(text).map_err(|e| syntax(file, &e))?;
    if bundle.version != BUNDLE_VERSION {
        return Err(invalid(
            file,
            "version",
            format!(
                "version {} is not {BUNDLE_VERSION}, the one this app reads",
                bundle.version
            ),
        ));
    }
    let log = WalkForwardLog::from_ops(&bundle.journal)
        .map_err(|e| invalid(file, "journal", e.to_string()))?;
    if log.header.dataset.hash != bundle.dataset.hash {
        return Err(invalid(
            file,
            "dataset.hash",
            format!(
                "{} is not the hash the run's header records ({})",
                bundle.dataset.hash.short(),
                log.header.dataset.hash.short()
            ),
        ));
    }
    let mut folds = Vec::new();
    let mut n_trials = 0;
    for (f, outcome) in log.outcomes.iter().enumerate() {
        let Some(outcome) = outcome else {
            continue;
        };
        let study = log
            .study_log(f)
            .map_err(|e| invalid(file, &format!("journal (fold {})", f + 1), e.to_string()))?
            .ok_or_else(|| {
                invalid(
                    file,
                    "journal",
                    format!("fold {} has an outcome but no study", f + 1),
                )
            })?;
        n_trials += study.trials.len();
        folds.push(FoldRun {
            study_ops: study.to_ops(),
            outcome: outcome.clone(),
        });
    }
    if n_trials > MAX_TRIALS {
        return Err(invalid(
            file,
            "journal",
            format!("{n_trials} trials; at most {MAX_TRIALS}"),
        ));
    }
    let dataset_columns = match &bundle.dataset_columns_b64 {
        Some(b64) => checked_columns(file, b64, &bundle.dataset)?,
        None => Vec::new(),
    };
    let name: String = bundle
        .name
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    if name.trim().is_empty() {
        return Err(invalid(file, "name", "is empty"));
    }
    Ok(ImportedWalkForward {
        name,
        header: log.header,
        folds,
        dataset: bundle.dataset,
        dataset_columns,
    })
}

/// Reads an imported file: a bundle (JSON) or this app's Optuna journal export (JSONL).
pub fn import(file: &str, bytes: &[u8]) -> Result<ImportedStudy, BundleError> {
    let text = checked_text(file, bytes)?;
    let first_line = text.trim_start().lines().next().unwrap_or_default();
    if first_line.contains("\"op_code\"") {
        return import_optuna(file, text);
    }
    let bundle: Bundle = serde_json::from_str(text).map_err(|e| syntax(file, &e))?;
    if bundle.format != BUNDLE_FORMAT {
        return Err(invalid(
            file,
            "format",
            format!("{:?} is not {BUNDLE_FORMAT:?}", bundle.format),
        ));
    }
    if bundle.version != BUNDLE_VERSION {
        return Err(invalid(
            file,
            "version",
            format!(
                "version {} is not {BUNDLE_VERSION}, the one this app reads",
                bundle.version
            ),
        ));
    }
    let log =
        StudyLog::from_ops(&bundle.journal).map_err(|e| invalid(file, "journal", e.to_string()))?;
    let dataset_columns = match &bundle.dataset_columns_b64 {
        Some(b64) => checked_columns(file, b64, &bundle.dataset)?,
        None => Vec::new(),
    };
    finish(
        file,
        &bundle.study_name,
        log,
        bundle.dataset,
        dataset_columns,
    )
}

fn import_optuna(file: &str, text: &str) -> Result<ImportedStudy, BundleError> {
    let log =
        from_optuna_journal(text).map_err(|e| invalid(file, "optuna journal", e.to_string()))?;
    let metadata = metadata_from_value(&log.header.metadata)
        .map_err(|e| invalid(file, "metadata", format!("not a Genesis Lab study: {e}")))?;
    let name = log.header.study_name.clone();
    finish(file, &name, log, metadata.dataset, Vec::new())
}

fn finish(
    file: &str,
    name: &str,
    log: StudyLog,
    dataset: DatasetMeta,
    dataset_columns: Vec<u8>,
) -> Result<ImportedStudy, BundleError> {
    if log.trials.len() > MAX_TRIALS {
        return Err(invalid(
            file,
            "journal",
            format!("{} trials; at most {MAX_TRIALS}", log.trials.len()),
        ));
    }
    let metadata = metadata_from_value(&log.header.metadata).map_err(|e| {
        invalid(
            file,
            "journal.header.metadata",
            format!("not a Genesis Lab study: {e}"),
        )
    })?;
    if metadata.dataset.hash != dataset.hash {
        return Err(invalid(
            file,
            "dataset.hash",
            format!(
                "{} is not the hash the study's journal records ({})",
                dataset.hash.short(),
                metadata.dataset.hash.short()
            ),
        ));
    }
    let name: String = name
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    if name.trim().is_empty() {
        return Err(invalid(file, "study_name", "is empty"));
    }
    let mut trials = log.trials;
    trials.sort_by_key(|t| t.number);
    Ok(ImportedStudy {
        name,
        header: log.header,
        trials,
        dataset,
        dataset_columns,
    })
}

/// Decodes and validates included columns: they must make valid candles hashing to the
/// bundle's dataset hash.
fn checked_columns(file: &str, b64: &str, dataset: &DatasetMeta) -> Result<Vec<u8>, BundleError> {
    let key = "dataset_columns_b64";
    let bytes = base64_decode(b64).ok_or_else(|| invalid(file, key, "is not base64"))?;
    let columns = colfile::decode(&bytes).map_err(|e| invalid(file, key, e.to_string()))?;
    let candles = Candles::from_columns(columns).map_err(|e| invalid(file, key, e.to_string()))?;
    let hash = candles.content_hash();
    if hash != dataset.hash {
        return Err(invalid(
            file,
            key,
            format!(
                "the columns hash to {}, not the dataset's {}",
                hash.short(),
                dataset.hash.short()
            ),
        ));
    }
    Ok(bytes)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut n_bits = 0;
    for byte in text.bytes() {
        let value = ALPHABET.iter().position(|&a| a == byte)? as u32;
        buffer = (buffer << 6) | value;
        n_bits += 6;
        if n_bits >= 8 {
            n_bits -= 8;
            out.push((buffer >> n_bits) as u8);
            buffer &= (1 << n_bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use genesis_engine::data::synth::{generate, SynthParams};
    use genesis_engine::strategy::StrategyConfig;
    use genesis_optimizer::{driver, MemoryJournal, SearchSpace, StopPolicy, Study};
    use genesis_study::{BaseSource, StudyConfig, StudyPlan};
    use std::sync::Arc;

    fn study() -> (StudyLog, DatasetMeta, Vec<u8>) {
        study_of(
            "sma_cross",
            "fast_period: {type: int, low: 5, high: 15}\nslow_period: {type: int, low: 20, high: 40}\n",
        )
    }

    /// A 6-trial study of `preset` over `space` on 600 demo bars.
    fn study_of(preset: &str, space: &str) -> (StudyLog, DatasetMeta, Vec<u8>) {
        let candles = generate(&SynthParams {
            n_bars: 600,
            ..SynthParams::demo()
        })
        .unwrap();
        let meta = DatasetMeta::new("demo-BTCUSD_1h.csv", &candles);
        let columns = colfile::encode(candles.columns());
        let space = SearchSpace::from_yaml_str(space).unwrap();
        let plan = StudyPlan::new(
            StudyConfig::new("bundle test", space, 3),
            BaseSource::Preset {
                name: preset.into(),
            },
            StrategyConfig::preset(preset).unwrap(),
            meta.clone(),
        )
        .unwrap();
        let mut study = Study::create(plan.study_spec(), MemoryJournal::new()).unwrap();
        study.set_stop_policy(StopPolicy {
            max_trials: Some(6),
            ..StopPolicy::default()
        });
        let mut store = genesis_engine::features::FeatureStore::new(Arc::new(candles));
        let objective = plan.objective();
        driver::run_serial(&mut study, |t| objective.evaluate(&mut store, t), || 0).unwrap();
        (study.log().unwrap(), meta, columns)
    }

    #[test]
    fn a_bundle_round_trips_with_and_without_its_dataset() {
        let (log, meta, columns) = study();
        for with_data in [false, true] {
            let b = bundle(
                "s",
                &meta,
                &log.header,
                &log.trials,
                with_data.then_some(&columns[..]),
                1,
            );
            let bytes = serde_json::to_vec(&b).unwrap();
            let imported = import("s.json", &bytes).unwrap();
            assert_eq!(imported.trials, log.trials);
            assert_eq!(imported.header, log.header);
            assert_eq!(imported.dataset_columns.is_empty(), !with_data);
        }
    }

    /// A rules study's bundle carries the rule texts in its header's base config: imported,
    /// the plan rebuilds from the header alone (as the Studies page opens it), with the same
    /// base fingerprint, and every imported trial replays bit for bit on the bundled data.
    #[test]
    fn a_rules_study_bundle_round_trips_and_its_trials_replay() {
        use genesis_engine::strategy::StrategyParams;
        let (log, meta, columns) = study_of(
            "rules_sma_cross",
            "params: {fast: {type: int, low: 5, high: 15}, slow: {type: int, low: 20, high: 40}}\n",
        );
        let b = bundle("rules", &meta, &log.header, &log.trials, Some(&columns), 1);
        let imported = import("rules.json", &serde_json::to_vec(&b).unwrap()).unwrap();
        assert_eq!(imported.header, log.header);
        assert_eq!(imported.trials, log.trials);
        let plan = StudyPlan::from_header(&imported.header).unwrap();
        let StrategyParams::Rules(params) = plan.metadata.base_config.params() else {
            panic!("the base config is a rules config")
        };
        assert_eq!(
            params.spec.rules.long_entry.as_deref(),
            Some("crossover(sma(close, fast), sma(close, slow))")
        );
        assert_eq!(
            plan.metadata.base_config.fingerprint(),
            plan.metadata.base_fingerprint
        );
        let candles = genesis_engine::data::Candles::from_columns(
            colfile::decode(&imported.dataset_columns).unwrap(),
        )
        .unwrap();
        let mut store = genesis_engine::features::FeatureStore::new(Arc::new(candles));
        let imported_log = StudyLog::from_ops(
            &std::iter::once(genesis_optimizer::JournalOp::Header(Box::new(
                imported.header,
            )))
            .chain(
                imported
                    .trials
                    .into_iter()
                    .map(|t| genesis_optimizer::JournalOp::Trial(Box::new(t))),
            )
            .collect::<Vec<_>>(),
        )
        .unwrap();
        let reports = genesis_study::replay::replay_all(&plan, &imported_log, &mut store).unwrap();
        assert_eq!(reports.len(), 6);
        assert!(reports.iter().all(|r| r.is_identical));
    }

    #[test]
    fn our_optuna_export_imports_back() {
        let (log, _, _) = study();
        let text = genesis_optimizer::export::to_optuna_journal(&log).unwrap();
        let imported = import("s.jsonl", text.as_bytes()).unwrap();
        assert_eq!(imported.trials.len(), log.trials.len());
        for (a, b) in imported.trials.iter().zip(&log.trials) {
            assert_eq!(
                (a.number, a.value, &a.params),
                (b.number, b.value, &b.params)
            );
        }
    }

    #[test]
    fn hostile_or_broken_files_are_refused_with_the_place_named() {
        let (log, meta, columns) = study();
        let good = serde_json::to_string(&bundle(
            "s",
            &meta,
            &log.header,
            &log.trials,
            Some(&columns),
            1,
        ))
        .unwrap();

        // Zeroed pages are mapped lazily, so this costs no real memory.
        let oversized = vec![0u8; MAX_IMPORT_BYTES + 1];
        let err = import("huge.json", &oversized).unwrap_err();
        assert!(matches!(err, BundleError::TooLarge { .. }), "{err}");
        assert!(
            err.to_string().starts_with("huge.json: 536870913 bytes"),
            "{err}"
        );

        let err = import("x.json", b"{\"format\": ").unwrap_err();
        assert!(matches!(err, BundleError::Syntax { line: 1, .. }), "{err}");
        let err = import("x.json", &[0xff, 0xfe, 0x00]).unwrap_err();
        assert!(matches!(err, BundleError::NotText { .. }));
        let err = import(
            "x.json",
            good.replace(BUNDLE_FORMAT, "something-else").as_bytes(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("format"), "{err}");

        let mut tampered: Bundle = serde_json::from_str(&good).unwrap();
        let mut bytes = base64_decode(tampered.dataset_columns_b64.as_ref().unwrap()).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        tampered.dataset_columns_b64 = Some(base64_encode(&bytes));
        let err = import(
            "x.json",
            serde_json::to_string(&tampered).unwrap().as_bytes(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("dataset_columns_b64"), "{err}");

        let mut renamed: Bundle = serde_json::from_str(&good).unwrap();
        renamed.study_name = format!("<img src=x onerror=alert(1)>\u{7}{}", "x".repeat(500));
        let imported = import(
            "x.json",
            serde_json::to_string(&renamed).unwrap().as_bytes(),
        )
        .unwrap();
        assert_eq!(imported.name.chars().count(), MAX_NAME_CHARS);
        assert!(!imported.name.contains('\u{7}'));

        let mut headless: Bundle = serde_json::from_str(&good).unwrap();
        headless.journal.remove(0);
        let err = import(
            "x.json",
            serde_json::to_string(&headless).unwrap().as_bytes(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("journal"), "{err}");
    }

    /// A 3-fold walk-forward run of `sma_cross` on 1,200 demo bars, folds run apart.
    fn walkforward() -> (WalkForwardHeader, Vec<FoldRun>, Vec<u8>) {
        use genesis_study::folds::{FoldSpec, Length, Mode};
        let candles = Arc::new(
            generate(&SynthParams {
                n_bars: 1_200,
                ..SynthParams::demo()
            })
            .unwrap(),
        );
        let space = SearchSpace::from_yaml_str(
            "fast_period: {type: int, low: 5, high: 15}\nslow_period: {type: int, low: 20, high: 40}\n",
        )
        .unwrap();
        let mut study = StudyConfig::new("wf", space, 3);
        study.stop.max_trials = Some(5);
        let spec = FoldSpec {
            mode: Mode::Rolling,
            train: Length::Bars(600),
            test: Length::Bars(200),
            step: None,
            gap_bars: 0,
        };
        let header = WalkForwardHeader::new(
            "wf",
            spec,
            study,
            BaseSource::Preset {
                name: "sma_cross".into(),
            },
            StrategyConfig::preset("sma_cross").unwrap(),
            "demo-BTCUSD_1h.csv",
            &candles,
        )
        .unwrap();
        let mut store = genesis_engine::features::FeatureStore::new(Arc::clone(&candles));
        let folds = (0..header.folds.len())
            .map(|f| genesis_study::walkforward::run_fold(&header, f, &mut store).unwrap())
            .collect();
        (header, folds, colfile::encode(candles.columns()))
    }

    #[test]
    fn a_walkforward_bundle_round_trips_and_a_tampered_one_is_refused_by_key() {
        let (header, folds, columns) = walkforward();
        assert_eq!(folds.len(), 3);
        let bundle = walkforward_bundle(&header, &folds, Some(&columns), 7);
        let text = serde_json::to_string(&bundle).unwrap();
        let Imported::WalkForward(imported) = import_any("wf.json", text.as_bytes()).unwrap()
        else {
            panic!("a walk-forward bundle imports as one");
        };
        assert_eq!(imported.header, header);
        assert_eq!(imported.folds.len(), 3);
        assert_eq!(imported.dataset_columns, columns);
        // The imported folds make the same journal.
        let canonical = |folds: &[FoldRun]| {
            WalkForwardLog::from_ops(&WalkForwardLog::ops_of(&header, folds))
                .unwrap()
                .canonical_jsonl()
                .unwrap()
        };
        assert_eq!(canonical(&imported.folds), canonical(&folds));

        let mut other_data = bundle.clone();
        other_data.dataset.hash = genesis_engine::data::DatasetHash("0".repeat(64));
        other_data.dataset_columns_b64 = None;
        let err = import_any(
            "wf.json",
            serde_json::to_string(&other_data).unwrap().as_bytes(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("dataset.hash"), "{err}");

        let mut out_of_order = bundle.clone();
        let last = out_of_order.journal.len() - 1;
        out_of_order.journal.swap(1, last);
        let err = import_any(
            "wf.json",
            serde_json::to_string(&out_of_order).unwrap().as_bytes(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("journal"), "{err}");

        let mut future = bundle;
        future.version = 99;
        let err = import_any(
            "wf.json",
            serde_json::to_string(&future).unwrap().as_bytes(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("version 99"), "{err}");

        // A study bundle still imports as a study.
        let (log, meta, _) = study();
        let study_bundle = super::bundle("s", &meta, &log.header, &log.trials, None, 1);
        let text = serde_json::to_string(&study_bundle).unwrap();
        assert!(matches!(
            import_any("s.json", text.as_bytes()),
            Ok(Imported::Study(_))
        ));
    }

    #[test]
    fn base64_round_trips() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
            assert_eq!(base64_decode(&base64_encode(&bytes)).unwrap(), bytes);
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_decode("Zm9v!"), None);
    }
}
