//! The resume signature: what must not change for a study to continue.
//!
//! Five parts: `search_space` (hash of the parsed space), `sampler` (hash of the study
//! settings: seed, sampler, pruner, sync window), and three the caller supplies as hashes or
//! strings: `base_config`, `dataset`, `engine_version`. The stop policy is deliberately not
//! part of it: extending a study's budget or deadline is a normal thing to do.

use serde::{Deserialize, Serialize};

pub use crate::error::SignatureDiff;
use crate::settings::StudySettings;
use crate::space::{sha256_hex, SearchSpace};

/// The caller's parts of the signature.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureInputs {
    /// Hash of the base configuration's canonical form.
    pub base_config: String,
    /// Hash of the dataset.
    pub dataset: String,
    /// Version of the engine that evaluates trials.
    pub engine_version: String,
}

/// A study's resume signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub search_space: String,
    pub base_config: String,
    pub dataset: String,
    pub engine_version: String,
    pub sampler: String,
}

impl Signature {
    /// The signature of a study over `space` with `settings` and the caller's parts.
    pub fn compute(
        space: &SearchSpace,
        settings: &StudySettings,
        inputs: &SignatureInputs,
    ) -> Self {
        Signature {
            search_space: space.hash_hex(),
            base_config: inputs.base_config.clone(),
            dataset: inputs.dataset.clone(),
            engine_version: inputs.engine_version.clone(),
            sampler: sha256_hex(&serde_json::to_vec(settings).unwrap_or_default()),
        }
    }

    /// The parts that differ between `self` (recorded) and `new`, in a fixed order.
    pub fn diff(&self, new: &Signature) -> Vec<SignatureDiff> {
        let parts = [
            ("search_space", &self.search_space, &new.search_space),
            ("base_config", &self.base_config, &new.base_config),
            ("dataset", &self.dataset, &new.dataset),
            ("engine_version", &self.engine_version, &new.engine_version),
            ("sampler", &self.sampler, &new.sampler),
        ];
        parts
            .into_iter()
            .filter(|(_, old, new)| old != new)
            .map(|(part, old, new)| SignatureDiff {
                part: part.to_string(),
                old: old.clone(),
                new: new.clone(),
            })
            .collect()
    }
}
