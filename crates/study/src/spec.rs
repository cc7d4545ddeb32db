//! What a study is: the choices a user makes ([`StudyConfig`], built alike by the CLI and
//! the browser), resolved against a base config and a dataset into a [`StudyPlan`], whose
//! [`StudyMetadata`] goes into the journal header.
//!
//! The base config is chosen explicitly ([`BaseSource`]: a preset, a file, or the current
//! champion) and recorded in full with its source; nothing else is merged in, ever. The
//! resume signature's caller parts are the base config's fingerprint, the dataset hash and
//! the engine version ([`StudyPlan::signature_inputs`]); the optimizer adds the search space
//! and the sampler settings.

use genesis_engine::backtest::Window;
use genesis_engine::data::{DatasetHash, DatasetMeta};
use genesis_engine::strategy::{StrategyConfig, StrategyError};
use genesis_engine::ENGINE_VERSION;
use genesis_optimizer::journal::Header;
use genesis_optimizer::settings::MAX_OBJECTIVES;
use genesis_optimizer::{
    Params, PrunerSettings, SearchSpace, Signature, SignatureInputs, StopPolicy, StudySettings,
    StudySpec,
};
use serde::{Deserialize, Serialize};

use crate::error::{Result, StudyError};
use crate::objective::{Objective, ObjectiveSpec};
use crate::space_check::check_space;

/// The version of [`StudyMetadata`] this build writes and reads.
pub const METADATA_FORMAT: u32 = 1;
/// The default number of equal segments a trial's window is cut into for pruning.
pub const DEFAULT_CHECKPOINTS: u32 = 4;
/// The fewest bars an in-sample or out-of-sample window may hold.
pub const MIN_WINDOW_BARS: usize = 2;
/// The default number of blocks a trial's per-bar returns are summed in, for PBO.
pub const DEFAULT_PBO_BLOCKS: u8 = 16;

/// Where a study's base config came from. Recorded in the header with the config itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BaseSource {
    /// An embedded preset (`config/strategy/NAME.yaml`).
    Preset { name: String },
    /// A config file, by the name it was given.
    File { name: String },
    /// The champion of a (symbol, timeframe) at the time the study was created.
    Champion {
        symbol: String,
        timeframe: String,
        study_name: String,
        trial: u64,
        fingerprint: String,
        promoted_at_ms: i64,
    },
}

impl std::fmt::Display for BaseSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BaseSource::Preset { name } => write!(f, "preset {name}"),
            BaseSource::File { name } => write!(f, "file {name}"),
            BaseSource::Champion {
                symbol,
                timeframe,
                study_name,
                trial,
                ..
            } => write!(
                f,
                "champion {symbol} {timeframe} (study {study_name}, trial {trial})"
            ),
        }
    }
}

/// How the top trials are validated out of sample, and what passing means.
///
/// A validated trial **passes** when, re-run on the out-of-sample window with the same
/// effective config,
/// 1. it is feasible under the config's own constraints,
/// 2. its score is at least `min_oos_score`, and
/// 3. with `max_degradation = d`, its score is at least `is_score - d * |is_score|`.
///
/// Every failed condition gives a reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValidationRule {
    /// How many of the best feasible in-sample trials to validate (0: none).
    pub top_k: usize,
    pub min_oos_score: f64,
    pub max_degradation: Option<f64>,
}

/// The degradation a validated trial may show by default: at most half its in-sample
/// score lost out of sample.
pub const DEFAULT_MAX_DEGRADATION: f64 = 0.5;

impl Default for ValidationRule {
    /// Nothing validated until `top_k` is set; when it is, passing needs an out-of-sample
    /// score of at least 0 and at most half the in-sample score lost.
    fn default() -> Self {
        ValidationRule {
            top_k: 0,
            min_oos_score: 0.0,
            max_degradation: Some(DEFAULT_MAX_DEGRADATION),
        }
    }
}

/// Everything a user chooses about a study. Serialisable: the browser sends it to its
/// coordinator as JSON, the CLI builds it from options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyConfig {
    pub name: String,
    pub space: SearchSpace,
    /// Seed, sampler, pruner, sync window: part of the resume signature.
    pub settings: StudySettings,
    /// Trials, timeout, end time: not part of the signature.
    #[serde(default)]
    pub stop: StopPolicy,
    /// The in-sample window is this fraction of the bars from the start; the rest is the
    /// out-of-sample window. `None`: every bar is in sample and nothing can be validated.
    #[serde(default)]
    pub in_sample_fraction: Option<f64>,
    /// Equal segments of the window; the score is reported at each segment end.
    #[serde(default = "default_checkpoints")]
    pub checkpoints: u32,
    #[serde(default)]
    pub validation: ValidationRule,
    /// Overrides the symbol guessed from the dataset's name (champions are per symbol).
    #[serde(default)]
    pub symbol: Option<String>,
    /// Blocks each trial's per-bar returns are summed in, for the probability of backtest
    /// overfitting (even, 2 to 22; 0: keep none and report no PBO).
    #[serde(default = "default_pbo_blocks")]
    pub pbo_blocks: u8,
    /// Two or three objectives make a multi-objective study (empty: the score alone). Their
    /// directions become the settings' `directions`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<ObjectiveSpec>,
}

fn default_checkpoints() -> u32 {
    DEFAULT_CHECKPOINTS
}

fn default_pbo_blocks() -> u8 {
    DEFAULT_PBO_BLOCKS
}

impl StudyConfig {
    /// A study over `space` with default settings (TPE, no pruner, sync window 8), no
    /// split and the default checkpoints.
    pub fn new(name: &str, space: SearchSpace, seed: u64) -> StudyConfig {
        StudyConfig {
            name: name.to_string(),
            space,
            settings: StudySettings::new(seed),
            stop: StopPolicy::default(),
            in_sample_fraction: None,
            checkpoints: DEFAULT_CHECKPOINTS,
            validation: ValidationRule::default(),
            symbol: None,
            pbo_blocks: DEFAULT_PBO_BLOCKS,
            objectives: Vec::new(),
        }
    }

    /// Refuses settings that are wrong whatever the dataset: checkpoints out of range, a
    /// split outside (0, 1), a validation rule that is not a number or that validates
    /// without an out-of-sample window. [`StudyPlan::new`] checks the rest against the data.
    pub fn check(&self) -> Result<()> {
        if self.checkpoints == 0 || self.checkpoints > 1_000 {
            return Err(StudyError::setting(
                "checkpoints",
                format!("{} must be between 1 and 1000", self.checkpoints),
            ));
        }
        if let Some(fraction) = self.in_sample_fraction {
            check_fraction(fraction)?;
        }
        let blocks = self.pbo_blocks;
        if blocks != 0 && (blocks % 2 == 1 || blocks > 22) {
            return Err(StudyError::setting(
                "pbo_blocks",
                format!("{blocks} must be even and between 2 and 22 (0: no PBO)"),
            ));
        }
        check_objectives(&self.objectives)?;
        if !self.objectives.is_empty() && self.settings.pruner != PrunerSettings::None {
            return Err(StudyError::setting(
                "pruner",
                "a multi-objective study cannot be pruned (as in Optuna): choose no pruner",
            ));
        }
        if self.objectives.is_empty() && self.settings.directions.len() > 1 {
            return Err(StudyError::setting(
                "objectives",
                "the settings list directions but no objective says which metric each is",
            ));
        }
        let rule = &self.validation;
        if !rule.min_oos_score.is_finite() {
            return Err(StudyError::setting(
                "validation.min_oos_score",
                "must be a finite number",
            ));
        }
        if let Some(d) = rule.max_degradation {
            if !(d.is_finite() && d >= 0.0) {
                return Err(StudyError::setting(
                    "validation.max_degradation",
                    format!(
                        "{d} must be a number at or above 0 (0.5: lose at most half the score)"
                    ),
                ));
            }
        }
        if rule.top_k > 0 && self.in_sample_fraction.is_none() {
            return Err(StudyError::setting(
                "validation.top_k",
                "validating needs an out-of-sample window: set in_sample_fraction (--split 0.7)",
            ));
        }
        Ok(())
    }
}

/// Refuses objectives a study cannot have: one alone (the score is the single objective),
/// more than three, a metric that is not one, the same metric twice.
pub fn check_objectives(objectives: &[ObjectiveSpec]) -> Result<()> {
    if objectives.len() == 1 || objectives.len() > MAX_OBJECTIVES {
        return Err(StudyError::setting(
            "objectives",
            format!(
                "a study has the score as its one objective or 2 to {MAX_OBJECTIVES} objectives, \
                 not {} (to optimise one metric alone, pair it with another or use the score)",
                objectives.len()
            ),
        ));
    }
    for (i, objective) in objectives.iter().enumerate() {
        objective
            .check()
            .map_err(|message| StudyError::setting("objectives", message))?;
        if objectives[..i].iter().any(|o| o.metric == objective.metric) {
            return Err(StudyError::setting(
                "objectives",
                format!("`{}` is listed twice", objective.metric),
            ));
        }
    }
    Ok(())
}

/// Refuses an in-sample fraction outside (0, 1).
fn check_fraction(fraction: f64) -> Result<()> {
    if fraction.is_finite() && fraction > 0.0 && fraction < 1.0 {
        return Ok(());
    }
    Err(StudyError::setting(
        "in_sample_fraction",
        format!("{fraction} must be strictly between 0 and 1 (0.7: the first 70 % in sample)"),
    ))
}

/// The in-sample window trials explore and the out-of-sample window validation uses.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Windows {
    pub in_sample: Window,
    pub out_of_sample: Option<Window>,
    pub in_sample_fraction: Option<f64>,
}

impl Windows {
    /// Splits `n_bars` at `floor(n_bars * fraction)`: in sample before, out of sample from
    /// there. Without a fraction every bar is in sample.
    pub fn split(n_bars: usize, fraction: Option<f64>) -> Result<Windows> {
        Windows::within(0..n_bars, fraction)
    }

    /// [`Windows::split`] of the bars `range` (a walk-forward fold's train window): the cut
    /// is `floor(len * fraction)` bars after its start.
    pub fn within(range: std::ops::Range<usize>, fraction: Option<f64>) -> Result<Windows> {
        let whole = Window {
            from_bar: range.start,
            to_bar: range.end,
        };
        let Some(fraction) = fraction else {
            return Ok(Windows {
                in_sample: whole,
                out_of_sample: None,
                in_sample_fraction: None,
            });
        };
        check_fraction(fraction)?;
        let n_bars = range.len();
        let cut = (n_bars as f64 * fraction) as usize;
        if cut < MIN_WINDOW_BARS || n_bars - cut < MIN_WINDOW_BARS {
            return Err(StudyError::setting(
                "in_sample_fraction",
                format!(
                    "{fraction} of {n_bars} bars leaves {cut} in sample and {} out of sample; each needs at least {MIN_WINDOW_BARS}",
                    n_bars - cut
                ),
            ));
        }
        Ok(Windows {
            in_sample: Window {
                from_bar: range.start,
                to_bar: range.start + cut,
            },
            out_of_sample: Some(Window {
                from_bar: range.start + cut,
                to_bar: range.end,
            }),
            in_sample_fraction: Some(fraction),
        })
    }
}

/// A refined study's parent: which study and which of its trials set the bounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParentLink {
    pub study_name: String,
    pub signature: Signature,
    pub top_k: usize,
    /// The parent trials the bounds were narrowed around, best first.
    pub trials: Vec<u64>,
    /// Padding as a fraction of each parameter's original range.
    pub padding: f64,
}

/// What the journal header's `metadata` holds for a Genesis study: enough to rebuild the
/// objective (replay, validate, promote) from the journal and the data alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyMetadata {
    pub genesis_study: u32,
    pub base_source: BaseSource,
    /// The base config in full (its canonical value).
    pub base_config: StrategyConfig,
    pub base_fingerprint: String,
    pub dataset: DatasetMeta,
    /// Where the data was read from, as given (a hint for commands that re-run trials).
    #[serde(default)]
    pub data_path: Option<String>,
    /// The symbol champions are filed under (the user's, else the dataset's guess).
    pub symbol: Option<String>,
    pub windows: Windows,
    pub checkpoints: u32,
    pub validation: ValidationRule,
    pub engine_version: String,
    #[serde(default)]
    pub parent: Option<ParentLink>,
    /// Blocks each trial's per-bar returns are summed in (0, as in studies written before
    /// PBO: none).
    #[serde(default)]
    pub pbo_blocks: u8,
    /// A multi-objective study's objectives (their directions are also the settings').
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<ObjectiveSpec>,
}

/// A study resolved against its base config and dataset: ready to create, resume, replay.
/// Serialisable, so the browser's coordinator and its workers can hand it to each other.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyPlan {
    pub name: String,
    pub space: SearchSpace,
    pub settings: StudySettings,
    pub stop: StopPolicy,
    pub metadata: StudyMetadata,
}

impl StudyPlan {
    /// Resolves `config` against `base` (from `base_source`) and the dataset: checks the
    /// space against the config (see [`crate::space_check`]), the windows, checkpoints and
    /// validation settings.
    pub fn new(
        config: StudyConfig,
        base_source: BaseSource,
        base: StrategyConfig,
        dataset: DatasetMeta,
    ) -> Result<StudyPlan> {
        config.check()?;
        let windows = Windows::split(dataset.n_bars, config.in_sample_fraction)?;
        check_space(&config.space, &base)?;
        let symbol = config.symbol.clone().or_else(|| dataset.symbol.clone());
        let mut settings = config.settings;
        settings.directions = config.objectives.iter().map(|o| o.direction).collect();
        Ok(StudyPlan {
            name: config.name,
            space: config.space,
            settings,
            stop: config.stop,
            metadata: StudyMetadata {
                genesis_study: METADATA_FORMAT,
                base_source,
                base_fingerprint: base.fingerprint().to_string(),
                base_config: base,
                dataset,
                data_path: None,
                symbol,
                windows,
                checkpoints: config.checkpoints,
                validation: config.validation,
                engine_version: ENGINE_VERSION.to_string(),
                parent: None,
                pbo_blocks: config.pbo_blocks,
                objectives: config.objectives,
            },
        })
    }

    /// Records where the data was read from.
    pub fn with_data_path(mut self, path: &str) -> StudyPlan {
        self.metadata.data_path = Some(path.to_string());
        self
    }

    /// The plan of a study from its journal header. The stop policy is the default (it is
    /// not recorded); the engine version is the recorded one.
    pub fn from_header(header: &Header) -> Result<StudyPlan> {
        let metadata = metadata_from_value(&header.metadata)?;
        Ok(StudyPlan {
            name: header.study_name.clone(),
            space: header.space.clone(),
            settings: header.settings.clone(),
            stop: StopPolicy::default(),
            metadata,
        })
    }

    /// The caller's parts of the resume signature: base config fingerprint, dataset hash,
    /// engine version.
    pub fn signature_inputs(&self) -> SignatureInputs {
        SignatureInputs {
            base_config: self.metadata.base_fingerprint.clone(),
            dataset: self.metadata.dataset.hash.0.clone(),
            engine_version: self.metadata.engine_version.clone(),
        }
    }

    /// What `Study::create` and `Study::resume` take.
    pub fn study_spec(&self) -> StudySpec {
        StudySpec {
            name: self.name.clone(),
            space: self.space.clone(),
            settings: self.settings.clone(),
            signature_inputs: self.signature_inputs(),
            metadata: serde_json::to_value(&self.metadata).unwrap_or(serde_json::Value::Null),
        }
    }

    /// The trials' objective, on the in-sample window.
    pub fn objective(&self) -> Objective {
        self.objective_on(self.metadata.windows.in_sample)
    }

    /// The same objective on the out-of-sample window, if there is one.
    pub fn oos_objective(&self) -> Option<Objective> {
        self.metadata
            .windows
            .out_of_sample
            .map(|window| self.objective_on(window))
    }

    fn objective_on(&self, window: Window) -> Objective {
        Objective::new(
            self.metadata.base_config.clone(),
            &self.space,
            window,
            self.metadata.checkpoints,
            self.metadata.dataset.hash.clone(),
        )
        .with_return_blocks(self.metadata.pbo_blocks)
        .with_objectives(
            self.metadata
                .objectives
                .iter()
                .map(|o| o.metric.clone())
                .collect(),
        )
    }

    /// Whether the study has several objectives.
    pub fn is_multi_objective(&self) -> bool {
        !self.metadata.objectives.is_empty()
    }

    /// A trial's effective config.
    pub fn effective_config(&self, params: &Params) -> Result<StrategyConfig, StrategyError> {
        self.objective().effective_config(params)
    }

    /// What differs between this plan's objective and `recorded`'s beyond the resume
    /// signature's parts: the windows and the checkpoints change every trial's value, so a
    /// resume must refuse them as it refuses a different space.
    pub fn objective_differences(&self, recorded: &StudyPlan) -> Vec<String> {
        let (new, old) = (&self.metadata, &recorded.metadata);
        let mut out = Vec::new();
        if new.windows != old.windows {
            out.push(format!(
                "windows (was in sample {:?}, out of sample {:?}; now {:?}, {:?})",
                old.windows.in_sample,
                old.windows.out_of_sample,
                new.windows.in_sample,
                new.windows.out_of_sample
            ));
        }
        if new.checkpoints != old.checkpoints {
            out.push(format!(
                "checkpoints (was {}, now {})",
                old.checkpoints, new.checkpoints
            ));
        }
        if new.objectives != old.objectives {
            let names = |objectives: &[ObjectiveSpec]| {
                objectives
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push(format!(
                "objectives (was [{}], now [{}])",
                names(&old.objectives),
                names(&new.objectives)
            ));
        }
        if new.pbo_blocks != old.pbo_blocks {
            out.push(format!(
                "PBO blocks (was {}, now {})",
                old.pbo_blocks, new.pbo_blocks
            ));
        }
        out
    }

    /// Refuses data that is not the study's.
    pub fn check_dataset(&self, hash: &DatasetHash) -> Result<()> {
        if hash == &self.metadata.dataset.hash {
            Ok(())
        } else {
            Err(StudyError::DatasetMismatch {
                expected: self.metadata.dataset.hash.short().to_string(),
                found: hash.short().to_string(),
            })
        }
    }

    /// The symbol champions are filed under, if known.
    pub fn symbol(&self) -> Option<&str> {
        self.metadata.symbol.as_deref()
    }

    /// The dataset's timeframe label (`1h`).
    pub fn timeframe(&self) -> &str {
        &self.metadata.dataset.timeframe
    }
}

/// Reads [`StudyMetadata`] from a header's metadata value, naming the key that is wrong.
pub fn metadata_from_value(value: &serde_json::Value) -> Result<StudyMetadata> {
    let format = value
        .get("genesis_study")
        .and_then(serde_json::Value::as_u64);
    match format {
        None => {
            return Err(StudyError::metadata(
                "genesis_study",
                "missing: this journal was not written by a Genesis study",
            ))
        }
        Some(f) if f != u64::from(METADATA_FORMAT) => {
            return Err(StudyError::metadata(
                "genesis_study",
                format!("format {f} is not {METADATA_FORMAT}, the one this build reads"),
            ))
        }
        Some(_) => {}
    }
    deserialize_metadata(value)
}

/// Deserialises the metadata; serde's message names the field that failed.
fn deserialize_metadata(value: &serde_json::Value) -> Result<StudyMetadata> {
    StudyMetadata::deserialize(value)
        .map_err(|err| StudyError::metadata("(metadata)", err.to_string()))
}
