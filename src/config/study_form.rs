//! The Optimize page's study form as data: one field per study choice (its label, test id,
//! help and the default an empty field stands for) and the form's texts read into the study
//! crate's [`StudyChoices`]. Kept apart from the page so the mapping is tested natively, and
//! so every choice the study crate knows has a field (the CLI has the same check for its
//! options).

use std::collections::BTreeMap;

use genesis_study::choices::DEFAULT_MAX_TRIALS;
use genesis_study::{PrunerChoice, SamplerChoice, StudyChoices, StudyError};
use serde::{Deserialize, Serialize};

/// One field of the form and the study choice it makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChoiceField {
    /// The choice's key ([`StudyChoices::KEYS`]).
    pub key: &'static str,
    pub label: &'static str,
    pub test_id: &'static str,
    pub help: &'static str,
    /// What an empty field means.
    pub placeholder: &'static str,
}

/// Every field, in the order of [`StudyChoices::KEYS`].
pub const FIELDS: [ChoiceField; 14] = [
    ChoiceField {
        key: "seed",
        label: "Seed",
        test_id: "study-seed-input",
        help: "The same seed gives the same study",
        placeholder: "42",
    },
    ChoiceField {
        key: "sampler",
        label: "Sampler",
        test_id: "study-sampler-select",
        help: "How trials are proposed",
        placeholder: "",
    },
    ChoiceField {
        key: "pruner",
        label: "Pruner",
        test_id: "study-pruner-select",
        help: "Whether weak trials stop at a checkpoint",
        placeholder: "",
    },
    ChoiceField {
        key: "sync_window",
        label: "Sync window",
        test_id: "study-sync-window-input",
        help: "Trial k sees the results of trials up to k minus this; part of the resume signature",
        placeholder: "8",
    },
    ChoiceField {
        key: "checkpoints",
        label: "Checkpoints",
        test_id: "study-checkpoints-input",
        help: "Equal segments of the window; the score at each segment end feeds the pruner",
        placeholder: "4",
    },
    ChoiceField {
        key: "in_sample_fraction",
        label: "In-sample split",
        test_id: "study-split-input",
        help: "Fraction of bars explored; the rest validates (empty: no validation)",
        placeholder: "none",
    },
    ChoiceField {
        key: "validate_top",
        label: "Validate top K",
        test_id: "study-validate-top-input",
        help: "Best in-sample trials re-run out of sample (only with a split)",
        placeholder: "0",
    },
    ChoiceField {
        key: "min_oos_score",
        label: "Min out-of-sample score",
        test_id: "study-min-oos-score-input",
        help: "Validation passes only at or above this out-of-sample score",
        placeholder: "0",
    },
    ChoiceField {
        key: "max_degradation",
        label: "Max degradation",
        test_id: "study-max-degradation-input",
        help: "Validation passes only if at most this fraction of the in-sample score is lost; empty: the default, 0.5 (at most half lost)",
        placeholder: "0.5",
    },
    ChoiceField {
        key: "max_trials",
        label: "Trials",
        test_id: "study-trials-input",
        help: "Evaluated trials (duplicates are answered from the cache)",
        placeholder: "100",
    },
    ChoiceField {
        key: "timeout_s",
        label: "Timeout (s)",
        test_id: "study-timeout-input",
        help: "Stop asking for trials after this many seconds; empty: no timeout",
        placeholder: "none",
    },
    ChoiceField {
        key: "end_at",
        label: "End at",
        test_id: "study-end-at-input",
        help: "Stop asking for trials at this time: ISO-8601 (2024-03-01T12:00:00Z) or unix time; empty: no end time",
        placeholder: "none",
    },
    ChoiceField {
        key: "pbo_blocks",
        label: "PBO blocks",
        test_id: "study-pbo-blocks-input",
        help: "Blocks each trial's returns are summed in for the probability of backtest overfitting: even, 2 to 22; 0: none",
        placeholder: "16",
    },
    ChoiceField {
        key: "objectives",
        label: "Objectives",
        test_id: "study-objectives-input",
        help: "Two or three metrics with a direction make a multi-objective study with a Pareto front, e.g. total_return:maximize, max_drawdown:minimize (sampler nsga2 or motpe); empty: the score alone",
        placeholder: "score",
    },
];

/// The field of a choice.
pub fn field(key: &str) -> Option<&'static ChoiceField> {
    FIELDS.iter().find(|f| f.key == key)
}

/// The form's texts, one per choice key; a missing or empty text is a choice not made.
/// Serialisable, so the page can keep a user's last set-up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StudyForm {
    texts: BTreeMap<String, String>,
}

impl Default for StudyForm {
    /// What the page starts with: TPE, no pruner, seed 42, 100 trials, 70 % in sample and
    /// the top 5 validated.
    fn default() -> Self {
        let texts = [
            ("seed", "42"),
            ("sampler", SamplerChoice::Tpe.name()),
            ("pruner", PrunerChoice::None.name()),
            ("max_trials", "100"),
            ("in_sample_fraction", "0.7"),
            ("validate_top", "5"),
        ];
        StudyForm {
            texts: texts
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }
}

impl StudyForm {
    /// The text of the choice `key` (empty if none).
    pub fn text(&self, key: &str) -> &str {
        self.texts.get(key).map_or("", String::as_str)
    }

    pub fn set(&mut self, key: &str, text: String) {
        self.texts.insert(key.to_string(), text);
    }

    /// The choices the texts make. A text that does not read as its choice is refused with
    /// its key ([`choice_message`] puts it under the field's label). Without a split the top
    /// K field is not a choice: validation needs the out-of-sample window.
    pub fn choices(&self) -> Result<StudyChoices, StudyError> {
        let in_sample_fraction = self.parse("in_sample_fraction")?;
        Ok(StudyChoices {
            seed: self.parse("seed")?,
            sampler: self.parse("sampler")?,
            pruner: self.parse("pruner")?,
            sync_window: self.parse("sync_window")?,
            checkpoints: self.parse("checkpoints")?,
            in_sample_fraction,
            validate_top: match in_sample_fraction {
                Some(_) => self.parse("validate_top")?,
                None => None,
            },
            min_oos_score: self.parse("min_oos_score")?,
            max_degradation: self.parse("max_degradation")?,
            // As `--trials`: a study always has a budget.
            max_trials: Some(self.parse("max_trials")?.unwrap_or(DEFAULT_MAX_TRIALS)),
            timeout_s: self.parse("timeout_s")?,
            end_at: self.parse("end_at")?,
            pbo_blocks: self.parse("pbo_blocks")?,
            objectives: self.parse("objectives")?,
        })
    }

    fn parse<T: std::str::FromStr>(&self, key: &str) -> Result<Option<T>, StudyError>
    where
        T::Err: std::fmt::Display,
    {
        let text = self.text(key).trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|err: T::Err| StudyError::InvalidSetting {
                key: key.to_string(),
                message: format!("{text:?} is not a valid value: {err}"),
            })
    }
}

/// A refused choice under the form's label for it ("In-sample split: ...").
pub fn choice_message(err: &StudyError) -> String {
    match err {
        StudyError::InvalidSetting { key, message } => match field(key) {
            Some(field) => format!("{}: {message}", field.label),
            None => err.to_string(),
        },
        _ => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use genesis_optimizer::SearchSpace;

    use super::*;

    #[test]
    fn every_study_choice_has_a_field_in_order() {
        let keys: Vec<&str> = FIELDS.iter().map(|f| f.key).collect();
        assert_eq!(keys, StudyChoices::KEYS);
        let mut test_ids: Vec<&str> = FIELDS.iter().map(|f| f.test_id).collect();
        test_ids.sort_unstable();
        test_ids.dedup();
        assert_eq!(test_ids.len(), FIELDS.len(), "test ids are unique");
        // The hooks SPEC §7 names keep their names.
        assert_eq!(field("max_trials").unwrap().test_id, "study-trials-input");
    }

    #[test]
    fn the_default_form_makes_the_pages_default_study() {
        let choices = StudyForm::default().choices().unwrap();
        assert_eq!(
            choices,
            StudyChoices {
                seed: Some(42),
                sampler: Some(SamplerChoice::Tpe),
                pruner: Some(PrunerChoice::None),
                in_sample_fraction: Some(0.7),
                validate_top: Some(5),
                max_trials: Some(100),
                ..StudyChoices::default()
            }
        );
    }

    #[test]
    fn every_field_reaches_its_choice() {
        let mut form = StudyForm::default();
        for (key, text) in [
            ("seed", " 7 "),
            ("sampler", "tpe-independent"),
            ("pruner", "sha"),
            ("sync_window", "3"),
            ("checkpoints", "6"),
            ("in_sample_fraction", "0.6"),
            ("validate_top", "2"),
            ("min_oos_score", "-1.5"),
            ("max_degradation", "0.5"),
            ("max_trials", "30"),
            ("timeout_s", "90"),
            ("end_at", "2024-03-01"),
            ("pbo_blocks", "8"),
            ("objectives", "total_return:max sharpe:maximize"),
        ] {
            form.set(key, text.to_string());
        }
        assert_eq!(
            form.choices().unwrap(),
            StudyChoices {
                seed: Some(7),
                sampler: Some(SamplerChoice::TpeIndependent),
                pruner: Some(PrunerChoice::Sha),
                sync_window: Some(3),
                checkpoints: Some(6),
                in_sample_fraction: Some(0.6),
                validate_top: Some(2),
                min_oos_score: Some(-1.5),
                max_degradation: Some(0.5),
                max_trials: Some(30),
                timeout_s: Some(90.0),
                end_at: Some("2024-03-01".into()),
                pbo_blocks: Some(8),
                objectives: Some("total_return:maximize, sharpe:maximize".parse().unwrap()),
            }
        );
    }

    #[test]
    fn empty_fields_are_choices_not_made_and_top_k_needs_a_split() {
        let mut form = StudyForm::default();
        form.set("seed", "  ".into());
        form.set("in_sample_fraction", String::new());
        let choices = form.choices().unwrap();
        assert_eq!(choices.seed, None);
        assert_eq!(choices.in_sample_fraction, None);
        assert_eq!(choices.validate_top, None, "no split, no validation");
        form.set("max_trials", String::new());
        assert_eq!(form.choices().unwrap().max_trials, Some(DEFAULT_MAX_TRIALS));
        let space = SearchSpace::from_yaml_str("a: {type: int, low: 1, high: 3}\n").unwrap();
        let config = choices.to_config("s", space, None).unwrap();
        assert_eq!(config.settings.seed, genesis_study::choices::DEFAULT_SEED);
    }

    #[test]
    fn unreadable_texts_and_refused_choices_name_the_field() {
        let mut form = StudyForm::default();
        form.set("timeout_s", "soon".into());
        let err = form.choices().unwrap_err();
        assert!(
            matches!(&err, StudyError::InvalidSetting { key, .. } if key == "timeout_s"),
            "{err:?}"
        );
        assert_eq!(
            choice_message(&err),
            "Timeout (s): \"soon\" is not a valid value: invalid float literal"
        );
        // An objective names what is wrong with it.
        form.set("timeout_s", String::new());
        form.set(
            "objectives",
            "total_return:maximize, drawdown:minimize".into(),
        );
        let message = choice_message(&form.choices().unwrap_err());
        assert!(
            message.starts_with("Objectives: ") && message.contains("`drawdown` is not a metric"),
            "{message}"
        );
        form.set(
            "objectives",
            "total_return:maximize, max_drawdown:minimize".into(),
        );
        let objectives = form.choices().unwrap().objectives.unwrap();
        assert_eq!(
            objectives.to_string(),
            "total_return:maximize, max_drawdown:minimize"
        );
        form.set("objectives", String::new());
        form.set("timeout_s", String::new());
        form.set("sampler", "annealing".into());
        assert!(choice_message(&form.choices().unwrap_err()).starts_with("Sampler: "));

        let mut form = StudyForm::default();
        form.set("in_sample_fraction", "1.5".into());
        let space = SearchSpace::from_yaml_str("a: {type: int, low: 1, high: 3}\n").unwrap();
        let err = form
            .choices()
            .unwrap()
            .to_config("s", space, None)
            .unwrap_err();
        let message = choice_message(&err);
        assert!(
            message.starts_with("In-sample split: 1.5 must be strictly between 0 and 1"),
            "{message}"
        );
    }

    #[test]
    fn the_form_round_trips_through_json() {
        let mut form = StudyForm::default();
        form.set("end_at", "2024-03-01".into());
        let text = serde_json::to_string(&form).unwrap();
        assert_eq!(serde_json::from_str::<StudyForm>(&text).unwrap(), form);
    }
}
