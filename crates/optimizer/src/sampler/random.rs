//! Random sampling: each parameter independently uniform in its sampler coordinates
//! (uniform in `ln` space for log-scaled ranges, uniform over cells for stepped ones, uniform
//! over choices for categorical ones). TPE uses it for its startup trials.

use super::{Proposal, SampleContext, Sampler};
use crate::rng::TrialRng;
use crate::space::{Domain, SearchSpace};

/// Independent uniform draws.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomSampler;

/// One uniform coordinate per parameter, drawn in parameter order.
pub(crate) fn random_point(space: &SearchSpace, rng: &mut TrialRng) -> Vec<f64> {
    space
        .domains()
        .iter()
        .map(|domain| match *domain {
            Domain::Continuous { low, high } => low + rng.uniform() * (high - low),
            Domain::Discrete { max_index } => rng.below(max_index.saturating_add(1)) as f64,
            Domain::Categorical { n_choices } => rng.below(n_choices as u64) as f64,
        })
        .collect()
}

impl Sampler for RandomSampler {
    fn sample(&self, ctx: &SampleContext<'_>, rng: &mut TrialRng) -> Proposal {
        let point = random_point(ctx.space, rng);
        Proposal::Params(ctx.space.params_from_internal(&point))
    }
}
