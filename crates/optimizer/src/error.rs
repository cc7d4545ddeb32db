//! The one error type of the optimizer crate. Every variant names what it is about: a dotted
//! key of the search space, a setting, a journal line or a trial number.

use serde::{Deserialize, Serialize};

/// Everything that can go wrong in the optimizer. Serialisable, so it can cross a worker
/// boundary unchanged.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum OptimizerError {
    /// The YAML text itself does not parse.
    #[error("search space YAML, line {line}, column {column}: {message}")]
    Yaml {
        line: usize,
        column: usize,
        message: String,
    },
    /// A leaf without `type`: a scalar or list where a leaf mapping was expected, or a
    /// mapping that carries leaf fields (`low`, `values`, ...) but no `type`.
    #[error("`{path}`: {message}")]
    MissingType { path: String, message: String },
    /// `type:` names something that is not a parameter type.
    #[error("`{path}`: unknown type `{found}` (expected one of fixed, grid, float, int, loguniform, categorical)")]
    UnknownType { path: String, found: String },
    /// A field the leaf's type requires is absent.
    #[error("`{path}`: type `{kind}` needs the field `{field}`")]
    MissingField {
        path: String,
        kind: String,
        field: String,
    },
    /// A field the leaf's type does not take.
    #[error("`{path}`: type `{kind}` does not take the field `{field}` (it takes {allowed})")]
    ExtraField {
        path: String,
        kind: String,
        field: String,
        allowed: String,
    },
    /// A field has the wrong shape or value.
    #[error("`{path}.{field}`: {message}")]
    InvalidField {
        path: String,
        field: String,
        message: String,
    },
    #[error("`{path}`: low ({low}) is above high ({high})")]
    LowAboveHigh { path: String, low: f64, high: f64 },
    /// `(high - low) / step` is not a whole number (within the documented tolerance).
    #[error("`{path}`: step {step} does not divide the range {low}..{high} into a whole number of steps")]
    StepDoesNotDivide {
        path: String,
        low: f64,
        high: f64,
        step: f64,
    },
    #[error("`{path}`: a log-scaled range needs low > 0, got {low}")]
    NonPositiveLogLow { path: String, low: f64 },
    #[error("`{path}`: `{field}` is empty")]
    EmptyChoices { path: String, field: String },
    /// A key of the space is unusable as a dotted path (not a string, empty, contains a dot)
    /// or a mapping is empty.
    #[error("`{path}`: {message}")]
    InvalidKey { path: String, message: String },
    /// The caller's configuration does not know this key. The optimizer cannot know what a
    /// config accepts; callers raise this from their key check.
    #[error("`{path}`: unknown key{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownKey {
        path: String,
        suggestion: Option<String>,
    },
    /// A sampler, pruner or study setting is out of range.
    #[error("setting `{field}`: {message}")]
    InvalidSetting { field: String, message: String },
    /// The grid sampler met a parameter it cannot enumerate.
    #[error("grid sampler: `{path}` {message}")]
    NotGriddable { path: String, message: String },
    /// A resume was refused because the study's signature differs.
    #[error("resume refused: the study's signature differs in {}; pass allow_signature_mismatch to override", format_diffs(diffs))]
    SignatureMismatch { diffs: Vec<SignatureDiff> },
    /// A journal line is malformed, or the ops do not form a study.
    #[error("journal line {line}: {message}")]
    Journal { line: usize, message: String },
    /// Reading or writing the journal file failed.
    #[error("journal file {path}: {message}")]
    JournalIo { path: String, message: String },
    /// A `tell` the study cannot accept (unknown number, not running, malformed outcome).
    #[error("trial {number}: {message}")]
    Trial { number: u64, message: String },
    /// A parameter value that does not fit the search space.
    #[error("parameter `{path}`: {message}")]
    Param { path: String, message: String },
    /// An Optuna journal that is not one of ours or is malformed.
    #[error("Optuna journal line {line}: {message}")]
    Import { line: usize, message: String },
}

/// One part that differs, with both values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureDiff {
    pub part: String,
    pub old: String,
    pub new: String,
}

/// Hashes are shown by their first 12 hex digits; short strings (versions) whole.
fn short(value: &str) -> &str {
    let is_hash = value.len() >= 32 && value.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hash {
        &value[..12]
    } else {
        value
    }
}

impl std::fmt::Display for SignatureDiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (was {}, now {})",
            self.part,
            short(&self.old),
            short(&self.new)
        )
    }
}

fn format_diffs(diffs: &[SignatureDiff]) -> String {
    diffs
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl OptimizerError {
    /// An `UnknownKey` error with the closest of `known` as a suggestion (when one is close).
    pub fn unknown_key<'a>(path: &str, known: impl IntoIterator<Item = &'a str>) -> Self {
        OptimizerError::UnknownKey {
            path: path.to_string(),
            suggestion: suggest_key(path, known),
        }
    }
}

/// The closest of `known` to `path` by edit distance, when it is close enough to be a
/// plausible typo (at most a third of the path's length, and at most 4 edits).
pub fn suggest_key<'a>(path: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    genesis_text::nearest(path, known, |path, _| {
        (path.chars().count() / 3).clamp(1, 4)
    })
    .map(str::to_string)
}

/// The crate's result type.
pub type Result<T, E = OptimizerError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_and_ignore_strangers() {
        let known = ["thresholds.entry_conf_overall", "max_hold_bars"];
        assert_eq!(
            suggest_key("thresholds.entry_conf_overal", known).as_deref(),
            Some("thresholds.entry_conf_overall")
        );
        assert_eq!(suggest_key("something_else", known), None);
    }
}
