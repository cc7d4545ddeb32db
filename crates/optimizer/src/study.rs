//! The study: ask for trials, tell their outcomes, and a journal of everything.
//!
//! # Determinism: the sync window
//!
//! "Same seed, same study, whatever the number of workers and however they are scheduled"
//! is kept by making what trial `k` may see a function of `k` alone. With the sync window
//! `W` (a study setting, default 8, part of the resume signature; *not* the number of
//! workers), trial `k` is sampled from
//! - the seed and `k` (its own random stream),
//! - the finished results of trials `0..=k-W`,
//! - the parameters of trials `k-W+1..k-1`, treated as running for the constant liar,
//!
//! and it can be asked only once trials `0..=k-W` have all finished; until then `ask`
//! answers [`AskOutcome::Wait`]. Results never depend on the order of completion or on the
//! worker count, which only needs to be at most `W` to keep every worker busy. Pruning
//! thresholds come from the same visible set (see [`crate::pruner`]). Trials are asked in
//! number order, and a resumed study asks the missing numbers again, getting the same
//! parameters: a resumed study continues exactly as an uninterrupted one.
//!
//! # Duplicates
//!
//! When the sampler proposes parameters equal (canonically) to an earlier trial's, the new
//! trial is recorded as a duplicate of it, answered from the study's records and never run;
//! if the original is still running, the duplicate resolves when it finishes. Duplicates do
//! not count toward `max_trials`, which counts evaluated trials. `max_duplicate_streak`
//! consecutive duplicates end the study with [`StopReason::SpaceExhausted`], as does an
//! exhausted grid. Duplicates are not observations for the sampler (they carry no new
//! information, and counting them would pull it back to the same point).
//!
//! # Stopping
//!
//! `max_trials`, `timeout_ms` (from the first `ask` of this session), `end_at_ms` and
//! [`Study::cancel`], checked against the `now_ms` the driver passes to `ask`: the crate
//! never reads the clock. The stop policy is not part of the signature. After a stop,
//! running trials can still be told.

use std::collections::BTreeMap;

use crate::error::{OptimizerError, Result};
use crate::journal::{
    Header, JournalBackend, JournalOp, ResumeMarker, StopMarker, StudyLog, TrialAttrs,
    FORMAT_VERSION,
};
use crate::param::{canonical_params, Params};
use crate::rng::TrialRng;
use crate::sampler::{Observation, Proposal, SampleContext, Sampler};
pub use crate::settings::{StopPolicy, StopReason, StudySettings, DEFAULT_SYNC_WINDOW};
use crate::signature::{Signature, SignatureInputs};
use crate::space::SearchSpace;
use crate::trial::{Timing, TrialOutcome, TrialRecord, TrialState, TrialTicket};

/// The answer to [`Study::ask`].
#[derive(Clone, Debug, PartialEq)]
pub enum AskOutcome {
    /// Run this trial and tell its outcome.
    Trial(TrialTicket),
    /// The next trial must wait for earlier ones to finish (the sync window).
    Wait,
    /// No more trials; running ones may still be told.
    Done(StopReason),
}

/// What a new study is: its name, space, settings, the caller's signature parts and
/// metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct StudySpec {
    pub name: String,
    pub space: SearchSpace,
    pub settings: StudySettings,
    pub signature_inputs: SignatureInputs,
    /// Opaque provenance kept in the header (base config, dataset hash, engine version...).
    pub metadata: serde_json::Value,
}

/// Options of [`Study::resume`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ResumeOptions {
    /// Resume even though the signature differs (recorded in the journal). The new space
    /// and settings apply; earlier trials whose parameters do not fit the new space stay in
    /// the journal but are not observations.
    pub allow_signature_mismatch: bool,
    /// When the resume happened, for the journal's marker.
    pub now_ms: Option<i64>,
}

enum Slot {
    /// Not proposed yet in this session (a trial that was running when the study stopped).
    Unknown,
    Running {
        params: Params,
        point: Vec<f64>,
    },
    PendingDuplicate {
        original: u64,
    },
    Finished {
        record: Box<TrialRecord>,
        /// The point in sampler coordinates; `None` for duplicates and for parameters that
        /// no longer fit the space.
        point: Option<Vec<f64>>,
    },
}

impl Slot {
    fn is_duplicate(&self) -> bool {
        match self {
            Slot::PendingDuplicate { .. } => true,
            Slot::Finished { record, .. } => record.duplicate_of.is_some(),
            Slot::Unknown | Slot::Running { .. } => false,
        }
    }
}

/// A study over a journal backend.
pub struct Study<B: JournalBackend> {
    header: Header,
    space: SearchSpace,
    settings: StudySettings,
    sampler: Box<dyn Sampler>,
    stop_policy: StopPolicy,
    backend: B,
    slots: Vec<Slot>,
    /// Canonical parameters of every evaluated trial, to its number.
    by_params: BTreeMap<String, u64>,
    /// The next number to propose; every slot below it is known.
    frontier: u64,
    /// The smallest number not finished.
    first_unfinished: u64,
    n_evaluated_below_frontier: u64,
    duplicate_streak: u32,
    /// Observations of trials `0..visible_upto` (finished, not failed, not duplicates).
    observations: Vec<Observation>,
    visible_upto: u64,
    stopped: Option<StopReason>,
    session_started_ms: Option<i64>,
    is_cancelled: bool,
    n_running: usize,
}

impl<B: JournalBackend> Study<B> {
    /// Starts a new study in an empty journal.
    pub fn create(spec: StudySpec, backend: B) -> Result<Study<B>> {
        if !backend.read_all()?.ops.is_empty() {
            return Err(OptimizerError::Journal {
                line: 1,
                message: "the journal already holds a study; resume it instead".into(),
            });
        }
        let header = Header {
            format_version: FORMAT_VERSION,
            study_name: spec.name,
            signature: Signature::compute(&spec.space, &spec.settings, &spec.signature_inputs),
            settings: spec.settings.clone(),
            space: spec.space.clone(),
            metadata: spec.metadata,
        };
        let mut study = Study::new(header.clone(), spec.space, spec.settings, backend)?;
        study
            .backend
            .append(&[JournalOp::Header(Box::new(header))])?;
        Ok(study)
    }

    /// Reopens a study from its journal. Refuses (listing the parts, old and new) when the
    /// signature of `spec` differs from the recorded one, unless the options allow it.
    pub fn resume(spec: StudySpec, backend: B, options: ResumeOptions) -> Result<Study<B>> {
        let read = backend.read_all()?;
        let log = StudyLog::from_ops(&read.ops)?;
        let signature = Signature::compute(&spec.space, &spec.settings, &spec.signature_inputs);
        let mismatch = log.header.signature.diff(&signature);
        if !mismatch.is_empty() && !options.allow_signature_mismatch {
            return Err(OptimizerError::SignatureMismatch { diffs: mismatch });
        }
        let mut study = Study::new(log.header.clone(), spec.space, spec.settings, backend)?;
        for record in log.trials {
            study.load_record(record);
        }
        study.advance_frontier();
        study.advance_first_unfinished();
        study
            .backend
            .append(&[JournalOp::Resume(Box::new(ResumeMarker {
                at_ms: options.now_ms,
                signature,
                mismatch,
                allowed_mismatch: options.allow_signature_mismatch,
            }))])?;
        Ok(study)
    }

    fn new(
        header: Header,
        space: SearchSpace,
        settings: StudySettings,
        backend: B,
    ) -> Result<Study<B>> {
        settings.validate()?;
        let sampler = settings.sampler.build(&space, settings.seed)?;
        Ok(Study {
            header,
            space,
            settings,
            sampler,
            stop_policy: StopPolicy::default(),
            backend,
            slots: Vec::new(),
            by_params: BTreeMap::new(),
            frontier: 0,
            first_unfinished: 0,
            n_evaluated_below_frontier: 0,
            duplicate_streak: 0,
            observations: Vec::new(),
            visible_upto: 0,
            stopped: None,
            session_started_ms: None,
            is_cancelled: false,
            n_running: 0,
        })
    }

    fn slot(&self, number: u64) -> Option<&Slot> {
        usize::try_from(number).ok().and_then(|i| self.slots.get(i))
    }

    fn set_slot(&mut self, number: u64, slot: Slot) {
        let Ok(i) = usize::try_from(number) else {
            return;
        };
        if self.slots.len() <= i {
            self.slots.resize_with(i + 1, || Slot::Unknown);
        }
        self.slots[i] = slot;
    }

    fn load_record(&mut self, record: TrialRecord) {
        let number = record.number;
        let point = if record.duplicate_of.is_none() {
            let key = canonical_params(&record.params);
            let entry = self.by_params.entry(key).or_insert(number);
            *entry = (*entry).min(number);
            self.space.to_internal(&record.params).ok()
        } else {
            None
        };
        self.set_slot(
            number,
            Slot::Finished {
                record: Box::new(record),
                point,
            },
        );
    }

    /// Moves the frontier over slots already finished (from the journal), keeping the
    /// evaluated count and the duplicate streak up to date.
    fn advance_frontier(&mut self) {
        while let Some(slot @ Slot::Finished { .. }) = self.slot(self.frontier) {
            if slot.is_duplicate() {
                self.duplicate_streak += 1;
            } else {
                self.duplicate_streak = 0;
                self.n_evaluated_below_frontier += 1;
            }
            self.frontier += 1;
        }
    }

    fn advance_first_unfinished(&mut self) {
        while let Some(Slot::Finished { .. }) = self.slot(self.first_unfinished) {
            self.first_unfinished += 1;
        }
    }

    /// The policy checked by `ask`.
    pub fn stop_policy(&self) -> &StopPolicy {
        &self.stop_policy
    }

    /// Replaces the stop policy. A stop other than a cancel is lifted and re-evaluated at
    /// the next `ask` (so a finished study can be extended).
    pub fn set_stop_policy(&mut self, policy: StopPolicy) {
        self.stop_policy = policy;
        if !self.is_cancelled {
            self.stopped = None;
        }
    }

    /// Stops asking for trials; running ones may still be told.
    pub fn cancel(&mut self) {
        self.is_cancelled = true;
    }

    /// Why the study stopped, if it has.
    pub fn stop_reason(&self) -> Option<&StopReason> {
        self.stopped.as_ref()
    }

    /// Trials handed out and not yet told.
    pub fn n_running(&self) -> usize {
        self.n_running
    }

    /// Stopped, with nothing running.
    pub fn is_finished(&self) -> bool {
        self.stopped.is_some() && self.n_running == 0
    }

    pub fn space(&self) -> &SearchSpace {
        &self.space
    }

    pub fn settings(&self) -> &StudySettings {
        &self.settings
    }

    /// The journal's header (as first written).
    pub fn header(&self) -> &Header {
        &self.header
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    pub fn into_backend(self) -> B {
        self.backend
    }

    /// Finished trials in number order.
    pub fn trials(&self) -> impl Iterator<Item = &TrialRecord> {
        self.slots.iter().filter_map(|slot| match slot {
            Slot::Finished { record, .. } => Some(record.as_ref()),
            _ => None,
        })
    }

    /// The study as its journal tells it.
    pub fn log(&self) -> Result<StudyLog> {
        StudyLog::from_ops(&self.backend.read_all()?.ops)
    }

    fn stop(&mut self, reason: StopReason, now_ms: i64) -> Result<()> {
        let n_finished = self.trials().count() as u64;
        self.backend.append(&[JournalOp::Stop(StopMarker {
            reason: reason.clone(),
            at_ms: Some(now_ms),
            n_finished,
        })])?;
        self.stopped = Some(reason);
        Ok(())
    }

    fn policy_stop(&self, now_ms: i64) -> Option<StopReason> {
        let policy = &self.stop_policy;
        if self.is_cancelled {
            return Some(StopReason::Cancelled);
        }
        if let (Some(timeout_ms), Some(started)) = (policy.timeout_ms, self.session_started_ms) {
            if now_ms.saturating_sub(started) >= timeout_ms {
                return Some(StopReason::Timeout { timeout_ms });
            }
        }
        if let Some(end_at_ms) = policy.end_at_ms {
            if now_ms >= end_at_ms {
                return Some(StopReason::EndTime { end_at_ms });
            }
        }
        if policy.max_duplicate_streak > 0 && self.duplicate_streak >= policy.max_duplicate_streak {
            return Some(StopReason::SpaceExhausted {
                message: format!(
                    "the search space is exhausted: the last {} proposals were all duplicates \
                     of evaluated trials",
                    self.duplicate_streak
                ),
            });
        }
        if let Some(max_trials) = policy.max_trials {
            if self.n_evaluated_below_frontier >= max_trials {
                return Some(StopReason::MaxTrials {
                    n_trials: max_trials,
                });
            }
        }
        None
    }

    /// Adds trials `visible_upto..upto` to the observations (they are all finished).
    fn extend_observations(&mut self, upto: u64) {
        while self.visible_upto < upto {
            if let Some(Slot::Finished {
                record,
                point: Some(point),
            }) = self.slot(self.visible_upto)
            {
                let losses = record.losses(&self.settings.directions);
                // A complete trial without its objectives' values (a journal edited by
                // hand) cannot be ranked: it is no observation, as a failed trial is not.
                let is_unranked = record.state == TrialState::Complete && losses.is_none();
                if record.duplicate_of.is_none() && !is_unranked {
                    if let Some(rank) = record.rank() {
                        self.observations.push(Observation {
                            number: record.number,
                            point: point.clone(),
                            rank,
                            intermediate: record.intermediate.clone(),
                            is_complete: record.state == TrialState::Complete,
                            losses: losses.unwrap_or_default(),
                        });
                    }
                }
            }
            self.visible_upto += 1;
        }
    }

    /// Asks for the next trial. `now_ms` is the driver's clock, for the stop policy.
    pub fn ask(&mut self, now_ms: i64) -> Result<AskOutcome> {
        self.session_started_ms.get_or_insert(now_ms);
        loop {
            if let Some(reason) = &self.stopped {
                return Ok(AskOutcome::Done(reason.clone()));
            }
            if let Some(reason) = self.policy_stop(now_ms) {
                self.stop(reason, now_ms)?;
                continue;
            }
            let k = self.frontier;
            let window = u64::from(self.settings.sync_window);
            if k >= self.first_unfinished.saturating_add(window) {
                return Ok(AskOutcome::Wait);
            }
            if let Some(n_points) = self.space.n_points() {
                if self.n_evaluated_below_frontier >= n_points {
                    let reason = StopReason::SpaceExhausted {
                        message: format!(
                            "the search space is exhausted: all {n_points} of its points were \
                             evaluated"
                        ),
                    };
                    self.stop(reason, now_ms)?;
                    continue;
                }
            }
            self.extend_observations((k + 1).saturating_sub(window));
            let params = match self.propose(k, window) {
                Proposal::Params(params) => params,
                Proposal::Exhausted { message } => {
                    self.stop(StopReason::SpaceExhausted { message }, now_ms)?;
                    continue;
                }
            };
            let key = canonical_params(&params);
            if let Some(&original) = self.by_params.get(&key) {
                self.record_duplicate(k, original)?;
                self.duplicate_streak += 1;
                self.frontier = k + 1;
                self.advance_frontier();
                continue;
            }
            let point = self.space.to_internal(&params)?;
            self.by_params.insert(key, k);
            let prune_thresholds = self.settings.pruner.thresholds(&self.observations);
            self.set_slot(
                k,
                Slot::Running {
                    params: params.clone(),
                    point,
                },
            );
            self.n_running += 1;
            self.n_evaluated_below_frontier += 1;
            self.duplicate_streak = 0;
            self.frontier = k + 1;
            self.advance_frontier();
            return Ok(AskOutcome::Trial(TrialTicket {
                number: k,
                params,
                prune_thresholds,
            }));
        }
    }

    fn propose(&self, k: u64, window: u64) -> Proposal {
        let first_running = (k + 1).saturating_sub(window);
        let running: Vec<&[f64]> = (first_running..k)
            .filter_map(|u| match self.slot(u) {
                Some(Slot::Running { point, .. }) => Some(point.as_slice()),
                Some(Slot::Finished {
                    record,
                    point: Some(point),
                }) if record.duplicate_of.is_none() => Some(point.as_slice()),
                _ => None,
            })
            .collect();
        let taken = |point: &[f64]| {
            let key = canonical_params(&self.space.params_from_internal(point));
            self.by_params.get(&key).is_some_and(|&number| number < k)
        };
        let ctx = SampleContext {
            space: &self.space,
            trial_number: k,
            visible: &self.observations,
            running: &running,
            taken: &taken,
            n_objectives: self.settings.n_objectives(),
        };
        let mut rng = TrialRng::new(self.settings.seed, k);
        self.sampler.sample(&ctx, &mut rng)
    }

    fn record_duplicate(&mut self, number: u64, original: u64) -> Result<()> {
        match self.slot(original) {
            Some(Slot::Finished { record, .. }) => {
                let copy = Box::new(record.duplicated_as(number));
                self.backend.append(&[JournalOp::Trial(copy.clone())])?;
                self.set_slot(
                    number,
                    Slot::Finished {
                        record: copy,
                        point: None,
                    },
                );
                self.advance_first_unfinished();
            }
            _ => self.set_slot(number, Slot::PendingDuplicate { original }),
        }
        Ok(())
    }

    /// Adds user attributes to finished trial `number` (journaled as a
    /// [`JournalOp::TrialAttrs`] op; keys overwrite). For what the caller learns about a
    /// trial after it finished, such as an out-of-sample validation; the trial's state and
    /// value never change, so the sampler is unaffected. Duplicates recorded earlier keep
    /// the attributes they copied.
    pub fn set_trial_user_attrs(
        &mut self,
        number: u64,
        user_attrs: BTreeMap<String, serde_json::Value>,
    ) -> Result<()> {
        let Ok(i) = usize::try_from(number) else {
            return Err(OptimizerError::Trial {
                number,
                message: "is not a finished trial".into(),
            });
        };
        let Some(Slot::Finished { record, .. }) = self.slots.get_mut(i) else {
            return Err(OptimizerError::Trial {
                number,
                message: "is not a finished trial".into(),
            });
        };
        for (key, value) in &user_attrs {
            record.user_attrs.insert(key.clone(), value.clone());
        }
        self.backend
            .append(&[JournalOp::TrialAttrs(Box::new(TrialAttrs {
                number,
                user_attrs,
            }))])
    }

    /// Tells the outcome of running trial `number`, with the caller's timing.
    pub fn tell(
        &mut self,
        number: u64,
        outcome: TrialOutcome,
        timing: Option<Timing>,
    ) -> Result<()> {
        let (params, point) = match self.slot(number) {
            Some(Slot::Running { params, point }) => (params.clone(), point.clone()),
            _ => {
                return Err(OptimizerError::Trial {
                    number,
                    message: "is not running (never asked, already told, or a duplicate)".into(),
                })
            }
        };
        let record = build_record(number, params, outcome, timing, &self.settings)?;
        self.backend
            .append(&[JournalOp::Trial(Box::new(record.clone()))])?;
        self.n_running = self.n_running.saturating_sub(1);
        let pending: Vec<u64> = (number + 1..self.frontier)
            .filter(|u| matches!(self.slot(*u), Some(Slot::PendingDuplicate { original }) if *original == number))
            .collect();
        for u in pending {
            let copy = Box::new(record.duplicated_as(u));
            self.backend.append(&[JournalOp::Trial(copy.clone())])?;
            self.set_slot(
                u,
                Slot::Finished {
                    record: copy,
                    point: None,
                },
            );
        }
        self.set_slot(
            number,
            Slot::Finished {
                record: Box::new(record),
                point: Some(point),
            },
        );
        self.advance_first_unfinished();
        Ok(())
    }
}

/// Checks and normalises an outcome into a record. Non-finite values make the trial
/// failed (with the reason); a step reported twice is the caller's error.
fn build_record(
    number: u64,
    params: Params,
    outcome: TrialOutcome,
    timing: Option<Timing>,
    settings: &StudySettings,
) -> Result<TrialRecord> {
    let mut record = TrialRecord {
        state: TrialState::Failed,
        value: None,
        timing,
        ..TrialRecord::complete(number, params, 0.0)
    };
    match outcome {
        TrialOutcome::Complete {
            value,
            values,
            intermediate,
            constraint_violations,
            user_attrs,
        } => {
            if values.len() != settings.directions.len() {
                return Err(OptimizerError::Trial {
                    number,
                    message: format!(
                        "reported {} objective values, the study has {} (a single-objective \
                         study takes none beside its value)",
                        values.len(),
                        settings.directions.len()
                    ),
                });
            }
            let (intermediate, bad) = checked_intermediate(number, intermediate)?;
            record.intermediate = intermediate;
            record.user_attrs = user_attrs;
            let bad_value = values.iter().position(|v| !v.is_finite());
            if let Some(reason) = bad {
                record.fail_reason = Some(reason);
            } else if !value.is_finite() {
                record.fail_reason = Some(format!("objective value {value} is not finite"));
            } else if let Some(i) = bad_value {
                record.fail_reason = Some(format!(
                    "objective {} value {} is not finite",
                    i + 1,
                    values[i]
                ));
            } else {
                record.state = TrialState::Complete;
                record.value = Some(value);
                record.values = values;
                record.constraint_violations = constraint_violations;
            }
        }
        TrialOutcome::Pruned { step, intermediate } => {
            let (intermediate, bad) = checked_intermediate(number, intermediate)?;
            record.intermediate = intermediate;
            if let Some(reason) = bad {
                record.fail_reason = Some(reason);
            } else {
                record.state = TrialState::Pruned;
                record.pruned_at_step = Some(step);
            }
        }
        TrialOutcome::Failed { reason } => record.fail_reason = Some(reason),
    }
    Ok(record)
}

/// `(step, value)` pairs, in step order.
type Intermediate = Vec<(u64, f64)>;

/// Intermediate values in step order with the non-finite ones removed, and the reason the
/// trial fails if there were any. A step reported twice is the caller's error.
fn checked_intermediate(
    number: u64,
    mut values: Intermediate,
) -> Result<(Intermediate, Option<String>)> {
    values.sort_by_key(|(step, _)| *step);
    if let Some(pair) = values.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(OptimizerError::Trial {
            number,
            message: format!("intermediate step {} reported twice", pair[0].0),
        });
    }
    let bad = values
        .iter()
        .find(|(_, v)| !v.is_finite())
        .map(|(step, _)| format!("intermediate value at step {step} is not finite"));
    values.retain(|(_, v)| v.is_finite());
    Ok((values, bad))
}
