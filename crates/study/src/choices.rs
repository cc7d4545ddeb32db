//! The choices a user makes about how a study searches, prunes, validates and stops, and
//! their one mapping into a [`StudyConfig`]. The CLI's options and the browser's form both
//! fill a [`StudyChoices`], so the two fronts offer the same options and mean the same by
//! them.
//!
//! Every choice is optional: one not made takes the default for a new study, or what a
//! resumed study recorded (see [`StudyChoices::to_config`]). Errors are
//! [`StudyError::InvalidSetting`] whose key is the choice's field name, listed in
//! [`StudyChoices::KEYS`], so each front can show it under its own name (`--split`, "In-sample
//! split").
//!
//! ```
//! use genesis_optimizer::{PrunerSettings, SearchSpace};
//! use genesis_study::choices::{PrunerChoice, SamplerChoice, StudyChoices};
//!
//! let space = SearchSpace::from_yaml_str("fast_period: {type: int, low: 5, high: 15}\n")?;
//! let choices = StudyChoices {
//!     sampler: Some(SamplerChoice::TpeIndependent),
//!     pruner: Some(PrunerChoice::Sha),
//!     in_sample_fraction: Some(0.7),
//!     validate_top: Some(5),
//!     max_trials: Some(200),
//!     ..StudyChoices::default()
//! };
//! let config = choices.to_config("sma", space, None)?;
//! assert_eq!(config.settings.seed, 42);
//! assert_eq!(config.stop.max_trials, Some(200));
//! // Successive halving's rungs are the pauses before the end of the default 4 checkpoints.
//! assert!(matches!(&config.settings.pruner, PrunerSettings::SuccessiveHalving(sha) if sha.rungs == [1, 2, 3]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use genesis_engine::data::timestamp::parse_timestamp;
use genesis_optimizer::pruner::{MedianPruner, SuccessiveHalvingPruner};
use genesis_optimizer::{
    Nsga2Settings, PrunerSettings, SamplerSettings, SearchSpace, StopPolicy, StudySettings,
    TpeSettings,
};
use serde::{Deserialize, Serialize};

use crate::error::{Result, StudyError};
use crate::objective::ObjectiveSpec;
use crate::spec::{
    StudyConfig, StudyPlan, ValidationRule, DEFAULT_CHECKPOINTS, DEFAULT_PBO_BLOCKS,
};

/// The seed of a new study when none is chosen.
pub const DEFAULT_SEED: u64 = 42;
/// The trial budget both fronts start from (`--trials`, the form's trials field). The
/// choices themselves have no budget unless one is chosen.
pub const DEFAULT_MAX_TRIALS: u64 = 100;

/// The sampler a user picks. The names are the CLI's values and the form's option values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SamplerChoice {
    Tpe,
    TpeIndependent,
    Random,
    Grid,
    Nsga2,
    Motpe,
}

impl SamplerChoice {
    /// Every choice, the default first.
    pub const ALL: [SamplerChoice; 6] = [
        SamplerChoice::Tpe,
        SamplerChoice::TpeIndependent,
        SamplerChoice::Random,
        SamplerChoice::Grid,
        SamplerChoice::Nsga2,
        SamplerChoice::Motpe,
    ];

    /// The choice's name: `tpe`, `tpe-independent`, `random`, `grid`.
    pub fn name(self) -> &'static str {
        match self {
            SamplerChoice::Tpe => "tpe",
            SamplerChoice::TpeIndependent => "tpe-independent",
            SamplerChoice::Random => "random",
            SamplerChoice::Grid => "grid",
            SamplerChoice::Nsga2 => "nsga2",
            SamplerChoice::Motpe => "motpe",
        }
    }

    /// What the choice means, for help text and the form.
    pub fn describe(self) -> &'static str {
        match self {
            SamplerChoice::Tpe => "TPE (multivariate, constant liar)",
            SamplerChoice::TpeIndependent => "TPE (independent: one estimator per parameter)",
            SamplerChoice::Random => "Random (independent uniform draws)",
            SamplerChoice::Grid => "Grid (every combination, in a seeded order)",
            SamplerChoice::Nsga2 => {
                "NSGA-II (a genetic algorithm over the Pareto front; population 50)"
            }
            SamplerChoice::Motpe => {
                "Multi-objective TPE (good trials by Pareto rank; needs 2 or 3 objectives)"
            }
        }
    }

    /// The sampler's settings (TPE with its defaults).
    pub fn settings(self) -> SamplerSettings {
        match self {
            SamplerChoice::Tpe => SamplerSettings::Tpe(TpeSettings::default()),
            SamplerChoice::TpeIndependent => SamplerSettings::Tpe(TpeSettings {
                multivariate: false,
                ..TpeSettings::default()
            }),
            SamplerChoice::Random => SamplerSettings::Random,
            SamplerChoice::Grid => SamplerSettings::Grid,
            SamplerChoice::Nsga2 => SamplerSettings::Nsga2(Nsga2Settings::default()),
            SamplerChoice::Motpe => SamplerSettings::Tpe(TpeSettings::default()),
        }
    }
}

impl std::str::FromStr for SamplerChoice {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        from_name(&SamplerChoice::ALL, SamplerChoice::name, text)
    }
}

/// The pruner a user picks. The names are the CLI's values and the form's option values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrunerChoice {
    None,
    Median,
    Sha,
}

impl PrunerChoice {
    /// Every choice, the default first.
    pub const ALL: [PrunerChoice; 3] =
        [PrunerChoice::None, PrunerChoice::Median, PrunerChoice::Sha];

    /// The choice's name: `none`, `median`, `sha`.
    pub fn name(self) -> &'static str {
        match self {
            PrunerChoice::None => "none",
            PrunerChoice::Median => "median",
            PrunerChoice::Sha => "sha",
        }
    }

    /// What the choice means, for help text and the form.
    pub fn describe(self) -> &'static str {
        match self {
            PrunerChoice::None => "None (every trial runs to the end)",
            PrunerChoice::Median => "Median (below the median of earlier trials at a checkpoint)",
            PrunerChoice::Sha => "Successive halving (the top third continue at each checkpoint)",
        }
    }

    /// The pruner's settings for a window cut into `checkpoints` segments. Successive
    /// halving's rungs are the pauses before the end (`1..checkpoints`), so it needs at least
    /// two checkpoints.
    pub fn settings(self, checkpoints: u32) -> Result<PrunerSettings> {
        Ok(match self {
            PrunerChoice::None => PrunerSettings::None,
            PrunerChoice::Median => PrunerSettings::Median(MedianPruner::default()),
            PrunerChoice::Sha => {
                let rungs: Vec<u64> = (1..u64::from(checkpoints)).collect();
                if rungs.is_empty() {
                    return Err(StudyError::setting(
                        "pruner",
                        format!(
                            "sha needs at least 2 checkpoints (a pause before the end), not {checkpoints}"
                        ),
                    ));
                }
                PrunerSettings::SuccessiveHalving(SuccessiveHalvingPruner {
                    rungs,
                    ..SuccessiveHalvingPruner::default()
                })
            }
        })
    }
}

impl std::str::FromStr for PrunerChoice {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        from_name(&PrunerChoice::ALL, PrunerChoice::name, text)
    }
}

fn from_name<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    text: &str,
) -> std::result::Result<T, String> {
    all.iter()
        .copied()
        .find(|choice| name(*choice) == text)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|c| name(*c)).collect();
            format!("`{text}` is not one of {}", names.join(", "))
        })
}

/// Everything a user chooses about how a study searches, prunes, validates and stops.
/// `None` is a choice not made. Serialisable: the browser keeps it with the form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StudyChoices {
    /// The sampler's seed (default [`DEFAULT_SEED`]).
    pub seed: Option<u64>,
    /// Default TPE (multivariate).
    pub sampler: Option<SamplerChoice>,
    /// Default none.
    pub pruner: Option<PrunerChoice>,
    /// Trial `k` sees the results of trials `0..=k - sync_window` (default 8).
    pub sync_window: Option<u32>,
    /// Equal segments of the window; the score at each end feeds the pruner (default 4).
    pub checkpoints: Option<u32>,
    /// Trials explore this first fraction of the bars; validation uses the rest.
    pub in_sample_fraction: Option<f64>,
    /// How many of the best feasible trials to validate out of sample (needs a split).
    pub validate_top: Option<usize>,
    /// Validation passes only at or above this out-of-sample score (default 0).
    pub min_oos_score: Option<f64>,
    /// Validation passes only if at most this fraction of the in-sample score is lost.
    pub max_degradation: Option<f64>,
    /// Evaluated trials (duplicates excluded), earlier sessions included; `None`: no budget.
    pub max_trials: Option<u64>,
    /// Stop asking for trials after this many seconds.
    pub timeout_s: Option<f64>,
    /// Stop asking for trials at this time: ISO-8601 or unix time, as typed.
    pub end_at: Option<String>,
    /// Blocks each trial's returns are summed in for PBO (default 16; 0: none).
    pub pbo_blocks: Option<u8>,
    /// Two or three objectives make a multi-objective study (default: the score alone).
    pub objectives: Option<ObjectiveList>,
}

/// The objectives of a multi-objective study as one choice: written
/// `total_return:maximize, max_drawdown:minimize` (commas or spaces between them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ObjectiveList(pub Vec<ObjectiveSpec>);

impl std::str::FromStr for ObjectiveList {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        text.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|part| !part.is_empty())
            .map(str::parse)
            .collect::<std::result::Result<Vec<ObjectiveSpec>, String>>()
            .map(ObjectiveList)
    }
}

impl std::fmt::Display for ObjectiveList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&names.join(", "))
    }
}

impl StudyChoices {
    /// The keys errors name, one per choice, in the order of the fields.
    pub const KEYS: [&'static str; 14] = [
        "seed",
        "sampler",
        "pruner",
        "sync_window",
        "checkpoints",
        "in_sample_fraction",
        "validate_top",
        "min_oos_score",
        "max_degradation",
        "max_trials",
        "timeout_s",
        "end_at",
        "pbo_blocks",
        "objectives",
    ];

    /// The config of a study named `name` over `space`. For a resumed study, `recorded` is
    /// its plan from the journal, and its settings, checkpoints, split, validation rule and
    /// symbol stand for the choices not made; a new study takes the defaults. A sampler or
    /// pruner chosen again starts from that choice's default settings. The stop policy is
    /// never recorded: it comes from these choices alone.
    pub fn to_config(
        &self,
        name: &str,
        space: SearchSpace,
        recorded: Option<&StudyPlan>,
    ) -> Result<StudyConfig> {
        let mut settings = recorded.map_or_else(
            || StudySettings::new(DEFAULT_SEED),
            |plan| plan.settings.clone(),
        );
        if let Some(seed) = self.seed {
            settings.seed = seed;
        }
        if let Some(sampler) = self.sampler {
            settings.sampler = sampler.settings();
        }
        let objectives = match &self.objectives {
            Some(list) => list.0.clone(),
            None => recorded.map_or_else(Vec::new, |p| p.metadata.objectives.clone()),
        };
        if self.sampler == Some(SamplerChoice::Motpe) && objectives.is_empty() {
            return Err(StudyError::setting(
                "sampler",
                "motpe is TPE over two or three objectives: add objectives, or choose tpe",
            ));
        }
        settings.directions = objectives.iter().map(|o| o.direction).collect();
        if let Some(window) = self.sync_window {
            if window == 0 {
                return Err(StudyError::setting(
                    "sync_window",
                    "must be at least 1 (trial k sees the results of trials up to k - 1)",
                ));
            }
            settings.sync_window = window;
        }
        let checkpoints = self
            .checkpoints
            .or(recorded.map(|p| p.metadata.checkpoints))
            .unwrap_or(DEFAULT_CHECKPOINTS);
        if let Some(pruner) = self.pruner {
            settings.pruner = pruner.settings(checkpoints)?;
        }
        let in_sample_fraction = self
            .in_sample_fraction
            .or_else(|| recorded.and_then(|p| p.metadata.windows.in_sample_fraction));
        let base_rule =
            recorded.map_or_else(ValidationRule::default, |p| p.metadata.validation.clone());
        let validation = ValidationRule {
            top_k: self.validate_top.unwrap_or(base_rule.top_k),
            min_oos_score: self.min_oos_score.unwrap_or(base_rule.min_oos_score),
            max_degradation: self.max_degradation.or(base_rule.max_degradation),
        };
        let config = StudyConfig {
            name: name.to_string(),
            space,
            settings,
            stop: self.stop_policy()?,
            in_sample_fraction,
            checkpoints,
            validation,
            symbol: recorded.and_then(|p| p.metadata.symbol.clone()),
            pbo_blocks: self
                .pbo_blocks
                .or(recorded.map(|p| p.metadata.pbo_blocks))
                .unwrap_or(DEFAULT_PBO_BLOCKS),
            objectives,
        };
        config.check().map_err(|err| match err {
            StudyError::InvalidSetting { key, message } => StudyError::InvalidSetting {
                key: choice_key(&key).to_string(),
                message,
            },
            other => other,
        })?;
        Ok(config)
    }

    /// The stop policy: trials, timeout and end time (the duplicate streak keeps its
    /// default).
    pub fn stop_policy(&self) -> Result<StopPolicy> {
        let timeout_ms = match self.timeout_s {
            Some(secs) if !(secs.is_finite() && secs > 0.0) => {
                return Err(StudyError::setting(
                    "timeout_s",
                    format!("{secs} must be a number of seconds above 0"),
                ))
            }
            Some(secs) => Some((secs * 1e3) as i64),
            None => None,
        };
        let end_at_ms = match &self.end_at {
            Some(text) => Some(parse_timestamp(text).ok_or_else(|| {
                StudyError::setting(
                    "end_at",
                    format!("`{text}` is not a time (try 2024-03-01T12:00:00Z or unix ms)"),
                )
            })?),
            None => None,
        };
        if self.max_trials == Some(0) {
            return Err(StudyError::setting("max_trials", "must be at least 1"));
        }
        Ok(StopPolicy {
            max_trials: self.max_trials,
            timeout_ms,
            end_at_ms,
            ..StopPolicy::default()
        })
    }
}

/// The choice behind a [`StudyConfig`] setting's key.
fn choice_key(config_key: &str) -> &str {
    match config_key {
        "validation.top_k" => "validate_top",
        "validation.min_oos_score" => "min_oos_score",
        "validation.max_degradation" => "max_degradation",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> SearchSpace {
        SearchSpace::from_yaml_str("fast_period: {type: int, low: 5, high: 15}\n").unwrap()
    }

    fn config(choices: &StudyChoices) -> StudyConfig {
        choices.to_config("s", space(), None).unwrap()
    }

    fn refused_key(choices: &StudyChoices) -> (String, String) {
        match choices.to_config("s", space(), None) {
            Err(StudyError::InvalidSetting { key, message }) => (key, message),
            other => panic!("expected a refused setting, got {other:?}"),
        }
    }

    #[test]
    fn no_choice_gives_the_defaults_of_a_new_study() {
        let made = config(&StudyChoices::default());
        let mut expected = StudyConfig::new("s", space(), DEFAULT_SEED);
        expected.stop = StopPolicy::default();
        assert_eq!(made, expected);
    }

    #[test]
    fn every_sampler_maps_to_its_settings() {
        let expected = [
            (
                SamplerChoice::Tpe,
                SamplerSettings::Tpe(TpeSettings::default()),
            ),
            (
                SamplerChoice::TpeIndependent,
                SamplerSettings::Tpe(TpeSettings {
                    multivariate: false,
                    ..TpeSettings::default()
                }),
            ),
            (SamplerChoice::Random, SamplerSettings::Random),
            (SamplerChoice::Grid, SamplerSettings::Grid),
            (
                SamplerChoice::Nsga2,
                SamplerSettings::Nsga2(genesis_optimizer::Nsga2Settings::default()),
            ),
            (
                SamplerChoice::Motpe,
                SamplerSettings::Tpe(TpeSettings::default()),
            ),
        ];
        assert_eq!(expected.len(), SamplerChoice::ALL.len());
        for (choice, settings) in expected {
            // The multi-objective TPE needs objectives; the others take them too.
            let made = config(&StudyChoices {
                sampler: Some(choice),
                objectives: Some("total_return:max, max_drawdown:min".parse().unwrap()),
                ..StudyChoices::default()
            });
            assert_eq!(made.settings.directions.len(), 2);
            assert_eq!(made.settings.sampler, settings, "{choice:?}");
            assert_eq!(choice.name().parse::<SamplerChoice>(), Ok(choice));
            assert_eq!(
                serde_json::to_value(choice).unwrap(),
                serde_json::json!(choice.name())
            );
        }
    }

    #[test]
    fn every_pruner_maps_to_its_settings_with_rungs_at_the_pauses() {
        for (checkpoints, rungs) in [(4, vec![1, 2, 3]), (2, vec![1]), (6, vec![1, 2, 3, 4, 5])] {
            let made = config(&StudyChoices {
                pruner: Some(PrunerChoice::Sha),
                checkpoints: Some(checkpoints),
                ..StudyChoices::default()
            });
            assert_eq!(
                made.settings.pruner,
                PrunerSettings::SuccessiveHalving(SuccessiveHalvingPruner {
                    rungs,
                    ..SuccessiveHalvingPruner::default()
                })
            );
            assert_eq!(made.checkpoints, checkpoints);
        }
        let median = config(&StudyChoices {
            pruner: Some(PrunerChoice::Median),
            ..StudyChoices::default()
        });
        assert_eq!(
            median.settings.pruner,
            PrunerSettings::Median(MedianPruner::default())
        );
        let none = config(&StudyChoices {
            pruner: Some(PrunerChoice::None),
            ..StudyChoices::default()
        });
        assert_eq!(none.settings.pruner, PrunerSettings::None);
        for choice in PrunerChoice::ALL {
            assert_eq!(choice.name().parse::<PrunerChoice>(), Ok(choice));
        }
        assert!("halving"
            .parse::<PrunerChoice>()
            .unwrap_err()
            .contains("none, median, sha"));
    }

    #[test]
    fn split_validation_and_stop_choices_reach_the_config() {
        let made = config(&StudyChoices {
            seed: Some(7),
            sync_window: Some(3),
            in_sample_fraction: Some(0.7),
            validate_top: Some(5),
            min_oos_score: Some(-1.5),
            max_degradation: Some(0.5),
            max_trials: Some(30),
            timeout_s: Some(2.5),
            end_at: Some("2024-03-01T12:00:00Z".into()),
            ..StudyChoices::default()
        });
        assert_eq!(made.settings.seed, 7);
        assert_eq!(made.settings.sync_window, 3);
        assert_eq!(made.in_sample_fraction, Some(0.7));
        assert_eq!(
            made.validation,
            ValidationRule {
                top_k: 5,
                min_oos_score: -1.5,
                max_degradation: Some(0.5),
            }
        );
        assert_eq!(
            made.stop,
            StopPolicy {
                max_trials: Some(30),
                timeout_ms: Some(2_500),
                end_at_ms: Some(1_709_294_400_000),
                ..StopPolicy::default()
            }
        );
    }

    #[test]
    fn invalid_choices_are_refused_naming_the_choice() {
        let cases = [
            (
                StudyChoices {
                    pruner: Some(PrunerChoice::Sha),
                    checkpoints: Some(1),
                    ..StudyChoices::default()
                },
                "pruner",
                "at least 2 checkpoints",
            ),
            (
                StudyChoices {
                    validate_top: Some(3),
                    ..StudyChoices::default()
                },
                "validate_top",
                "out-of-sample window",
            ),
            (
                StudyChoices {
                    sync_window: Some(0),
                    ..StudyChoices::default()
                },
                "sync_window",
                "at least 1",
            ),
            (
                StudyChoices {
                    checkpoints: Some(0),
                    ..StudyChoices::default()
                },
                "checkpoints",
                "between 1 and 1000",
            ),
            (
                StudyChoices {
                    in_sample_fraction: Some(1.5),
                    ..StudyChoices::default()
                },
                "in_sample_fraction",
                "strictly between 0 and 1",
            ),
            (
                StudyChoices {
                    in_sample_fraction: Some(0.7),
                    max_degradation: Some(-0.1),
                    ..StudyChoices::default()
                },
                "max_degradation",
                "at or above 0",
            ),
            (
                StudyChoices {
                    min_oos_score: Some(f64::NAN),
                    ..StudyChoices::default()
                },
                "min_oos_score",
                "finite",
            ),
            (
                StudyChoices {
                    timeout_s: Some(0.0),
                    ..StudyChoices::default()
                },
                "timeout_s",
                "seconds above 0",
            ),
            (
                StudyChoices {
                    end_at: Some("next tuesday".into()),
                    ..StudyChoices::default()
                },
                "end_at",
                "is not a time",
            ),
            (
                StudyChoices {
                    max_trials: Some(0),
                    ..StudyChoices::default()
                },
                "max_trials",
                "at least 1",
            ),
            (
                StudyChoices {
                    pbo_blocks: Some(15),
                    ..StudyChoices::default()
                },
                "pbo_blocks",
                "must be even",
            ),
        ];
        let cases = cases.into_iter().chain([
            (
                StudyChoices {
                    objectives: Some("total_return:maximize".parse().unwrap()),
                    ..StudyChoices::default()
                },
                "objectives",
                "2 to 3 objectives, not 1",
            ),
            (
                StudyChoices {
                    objectives: Some("sharpe:max, sharpe:min".parse().unwrap()),
                    ..StudyChoices::default()
                },
                "objectives",
                "`sharpe` is listed twice",
            ),
            (
                StudyChoices {
                    objectives: Some("sharpe:max, max_drawdown:min".parse().unwrap()),
                    pruner: Some(PrunerChoice::Median),
                    ..StudyChoices::default()
                },
                "pruner",
                "cannot be pruned",
            ),
            (
                StudyChoices {
                    sampler: Some(SamplerChoice::Motpe),
                    ..StudyChoices::default()
                },
                "sampler",
                "motpe is TPE over two or three objectives",
            ),
        ]);
        for (choices, key, words) in cases {
            let (found_key, message) = refused_key(&choices);
            assert_eq!(found_key, key, "{choices:?}: {message}");
            assert!(message.contains(words), "{key}: {message}");
            assert!(StudyChoices::KEYS.contains(&found_key.as_str()));
        }
    }

    #[test]
    fn the_keys_are_the_serialised_field_names() {
        let every_choice = StudyChoices {
            seed: Some(1),
            sampler: Some(SamplerChoice::Grid),
            pruner: Some(PrunerChoice::Median),
            sync_window: Some(1),
            checkpoints: Some(1),
            in_sample_fraction: Some(0.5),
            validate_top: Some(1),
            min_oos_score: Some(0.0),
            max_degradation: Some(0.0),
            max_trials: Some(1),
            timeout_s: Some(1.0),
            end_at: Some("0".into()),
            pbo_blocks: Some(2),
            objectives: Some("sharpe:max, max_drawdown:min".parse().unwrap()),
        };
        let value = serde_json::to_value(&every_choice).unwrap();
        let fields: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = StudyChoices::KEYS.to_vec();
        keys.sort_unstable();
        assert_eq!(fields, keys);
        let back: StudyChoices = serde_json::from_value(value).unwrap();
        assert_eq!(back, every_choice);
        assert!(serde_json::from_str::<StudyChoices>(r#"{"samplr": "tpe"}"#).is_err());
    }
}
