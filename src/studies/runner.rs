//! The study coordinator on the page's main thread: it asks the study for trials, hands them
//! to the worker pool, tells the outcomes back, and writes each finished trial to IndexedDB
//! as it arrives. The sampling itself is cheap (well under a millisecond a trial); every
//! backtest runs in a worker.
//!
//! Same seed, same study, whatever the number of workers: the optimizer samples trial `k`
//! from the results of trials `0..=k−W` only (the sync window, see the optimizer's README),
//! so the order in which workers finish changes nothing, and a study resumed after a reload
//! continues exactly as an uninterrupted one would.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use futures::stream::FuturesUnordered;
use futures::StreamExt;
use genesis_optimizer::{
    driver, MemoryJournal, ResumeOptions, StopPolicy, Study, Timing, TrialOutcome, TrialRecord,
    TrialTicket,
};
use genesis_study::objective::Objective;
use genesis_study::validation::candidates;
use genesis_study::{BaseSource, StudyConfig, StudyPlan};
use leptos::prelude::*;

use super::records::{self, StudyRow, StudyStatus};
use super::{OpenStudy, StudyState};
use crate::context::AppContext;
use crate::error::AppError;
use crate::storage::datasets::{self, DatasetRecord};
use crate::storage::db::Db;
use crate::workers::json_text::Json;
use crate::workers::pool::PoolError;
use crate::workers::protocol::{Event, Request};

/// What the Optimize page shows about the running study.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveProgress {
    pub is_running: bool,
    /// What is happening, in words ("preflight", "running", "validating", "stopped: …").
    pub stage: String,
    pub n_done: u64,
    pub n_target: u64,
    pub n_running: usize,
    pub trials_per_s: f64,
    pub eta_s: Option<f64>,
}

/// What the user chose on the Optimize page.
pub struct StudySetup {
    pub dataset: DatasetRecord,
    pub config: StudyConfig,
    pub base_source: BaseSource,
    pub base_yaml: String,
    pub n_workers: usize,
}

/// A study being driven.
struct Run {
    row: StudyRow,
    plan: Rc<StudyPlan>,
    study: Study<MemoryJournal>,
    objective: Objective,
    persisted: BTreeSet<u64>,
    n_workers: usize,
    started_ms: f64,
    n_done_at_start: u64,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Starts a new study: plan and preflight in a worker, then run it.
pub async fn start(ctx: AppContext, state: StudyState, setup: StudySetup) -> Result<(), AppError> {
    let db = ctx.open_db()?;
    set_stage(state, "opening the dataset", true);
    datasets::open(ctx, &db, &setup.dataset.id).await?;
    set_stage(
        state,
        "preflight: checking the space and running one trial",
        true,
    );
    let n_target = setup.config.stop.max_trials.unwrap_or(100);
    let request = Request::PlanStudy {
        dataset: setup.dataset.id.clone(),
        dataset_meta: setup.dataset.meta.clone(),
        config: Json(setup.config),
        base_source: setup.base_source,
        base_yaml: setup.base_yaml,
    };
    let plan = match ctx.pool().run(request, |_| {}).await {
        Ok(Event::StudyPlan(plan)) => Rc::new(*plan.0),
        Ok(other) => return Err(AppError::Unexpected(format!("{other:?}"))),
        Err(err) => return Err(err.into()),
    };
    let mut study = Study::create(plan.study_spec(), MemoryJournal::new())?;
    study.set_stop_policy(plan.stop.clone());
    let header = study.header().clone();
    let created_ms = now_ms();
    let row = StudyRow {
        id: study_id(&plan.name, created_ms),
        name: plan.name.clone(),
        dataset_id: setup.dataset.id.clone(),
        dataset_name: setup.dataset.meta.name.clone(),
        strategy: plan.metadata.base_config.kind().as_str().to_string(),
        sampler: sampler_label(&header.settings),
        header,
        status: StudyStatus::Running,
        stop_reason: None,
        n_target,
        n_finished: 0,
        best_number: None,
        best_value: None,
        created_ms,
        updated_ms: created_ms,
    };
    records::save_study(&db, &row).await?;
    state.list.update(|list| list.insert(0, row.clone()));
    let run = Run {
        objective: plan.objective(),
        row,
        plan,
        study,
        persisted: BTreeSet::new(),
        n_workers: setup.n_workers.max(1),
        started_ms: now_ms(),
        n_done_at_start: 0,
    };
    drive(ctx, state, db, run).await
}

/// Resumes a stored study up to `n_target` evaluated trials. The resume signature (space,
/// base config, dataset, engine version, sampler settings) must match unless
/// `allow_mismatch`, and the refusal names the parts that differ.
pub async fn resume(
    ctx: AppContext,
    state: StudyState,
    id: &str,
    n_target: u64,
    n_workers: usize,
    allow_mismatch: bool,
) -> Result<(), AppError> {
    let db = ctx.open_db()?;
    set_stage(state, "loading the study", true);
    let mut row = records::load_row(&db, id)
        .await?
        .ok_or_else(|| AppError::Missing {
            what: format!("study {id}"),
        })?;
    let Some(dataset) = ctx.datasets.record(&row.dataset_id) else {
        return Err(AppError::NotReady(format!(
            "the study's dataset {} (hash {}) is not stored in this browser: load the same file on the Data page to resume",
            row.dataset_name,
            &row.dataset_id[..12.min(row.dataset_id.len())]
        )));
    };
    datasets::open(ctx, &db, &dataset.id).await?;
    let (trials, n_corrupt) = records::load_trials(&db, id).await?;
    if n_corrupt > 0 {
        ctx.errors.raise(
            "storage",
            format!("{n_corrupt} corrupt trial record(s) of study {} were skipped; those trials run again", row.name),
        );
    }
    let recorded = StudyPlan::from_header(&row.header)?;
    // The signature compares today's engine with the recorded one.
    let mut current = recorded.clone();
    current.metadata.engine_version = genesis_engine::ENGINE_VERSION.to_string();
    let journal = records::journal(&row.header, &trials);
    let options = ResumeOptions {
        allow_signature_mismatch: allow_mismatch,
        now_ms: Some(now_ms() as i64),
    };
    let mut study =
        Study::resume(current.study_spec(), journal, options).map_err(AppError::ResumeRefused)?;
    study.set_stop_policy(StopPolicy {
        max_trials: Some(n_target),
        ..current.stop.clone()
    });
    let n_done_at_start = count_evaluated(study.trials());
    row.status = StudyStatus::Running;
    row.n_target = n_target;
    row.stop_reason = None;
    records::save_study(&db, &row).await?;
    let plan = Rc::new(current);
    let persisted = trials.iter().map(|t| t.number).collect();
    let run = Run {
        objective: plan.objective(),
        row,
        plan,
        study,
        persisted,
        n_workers: n_workers.max(1),
        started_ms: now_ms(),
        n_done_at_start,
    };
    drive(ctx, state, db, run).await
}

type TrialFuture = Pin<Box<dyn Future<Output = (u64, Result<Event, PoolError>, Timing)>>>;

/// The ask/tell loop: keeps `n_workers` trials in flight, records each as it finishes.
async fn drive(ctx: AppContext, state: StudyState, db: Rc<Db>, run: Run) -> Result<(), AppError> {
    let run = Rc::new(RefCell::new(run));
    ctx.pool().resize(run.borrow().n_workers);
    let n_workers = ctx.pool().size();
    ctx.workers.update(|w| w.n_ready = n_workers);
    state.set_running(Some(run.borrow().row.id.clone()));
    show(state, &run.borrow(), true);
    let dataset = run.borrow().row.dataset_id.clone();
    let objective = Rc::new(run.borrow().objective.clone());
    let mut in_flight: FuturesUnordered<TrialFuture> = FuturesUnordered::new();
    let mut outcome = Ok(());
    let mut last_shown_ms = 0.0;
    // Keeps every worker busy: the optimizer's driver asks for as many trials as there are
    // free workers (or as the sync window allows).
    let fill = |in_flight: &mut FuturesUnordered<TrialFuture>,
                outcome: &mut Result<(), AppError>| {
        let poll = {
            let mut r = run.borrow_mut();
            if state.is_cancel_requested() || outcome.is_err() {
                r.study.cancel();
            }
            let n_workers = r.n_workers;
            driver::fill(&mut r.study, n_workers, now_ms() as i64)
        };
        match poll {
            Ok(poll) => {
                for ticket in poll.tickets {
                    let should_panic = state.take_crash_request();
                    in_flight.push(Box::pin(run_trial(
                        ctx,
                        dataset.clone(),
                        objective.clone(),
                        ticket,
                        should_panic,
                    )));
                }
            }
            Err(err) => *outcome = Err(err.into()),
        }
    };
    fill(&mut in_flight, &mut outcome);
    loop {
        // Duplicates are answered at ask time, so there may be records to write already.
        if let Err(err) = persist_new(&db, &run, false).await {
            outcome = Err(err);
            run.borrow_mut().study.cancel();
        }
        let Some((number, answer, timing)) = in_flight.next().await else {
            break;
        };
        let trial_outcome = match answer {
            Ok(Event::Trial(result)) => *result.0,
            Ok(other) => TrialOutcome::Failed {
                reason: format!("unexpected answer from the worker: {other:?}"),
            },
            Err(PoolError::WorkerCrashed(message)) => TrialOutcome::Failed {
                reason: format!("the worker crashed: {message}"),
            },
            Err(err) => TrialOutcome::Failed {
                reason: err.to_string(),
            },
        };
        if let Err(err) = run
            .borrow_mut()
            .study
            .tell(number, trial_outcome, Some(timing))
        {
            outcome = Err(err.into());
        }
        // The next trials go out before anything is written, so workers never wait on
        // storage; the writes below overlap with their work.
        fill(&mut in_flight, &mut outcome);
        // Publishing copies every trial for the charts: at most four times a second.
        let is_due = now_ms() - last_shown_ms > 250.0;
        show(state, &run.borrow(), is_due);
        if is_due {
            last_shown_ms = now_ms();
        }
    }
    if let Err(err) = persist_new(&db, &run, true).await {
        outcome = outcome.and(Err(err));
    }
    show(state, &run.borrow(), true);
    let is_exhausted = matches!(
        run.borrow().study.stop_reason(),
        Some(genesis_optimizer::StopReason::SpaceExhausted { .. })
    );
    let stop_reason = run.borrow().study.stop_reason().map(|r| r.to_string());
    {
        let mut r = run.borrow_mut();
        r.row.status = StudyStatus::Stopped;
        r.row.stop_reason = stop_reason
            .clone()
            .or_else(|| outcome.as_ref().err().map(ToString::to_string));
        r.row.updated_ms = now_ms();
    }
    let row = run.borrow().row.clone();
    if let Err(err) = records::save_study(&db, &row).await {
        outcome = outcome.and(Err(err.into()));
    }
    let top_k = run.borrow().plan.metadata.validation.top_k;
    if outcome.is_ok() && top_k > 0 && !state.is_cancel_requested() {
        set_stage(
            state,
            &format!("validating the top {top_k} out of sample"),
            true,
        );
        let plan = run.borrow().plan.clone();
        let trials: Vec<TrialRecord> = run.borrow().study.trials().cloned().collect();
        if let Err(err) = validate_top(ctx, &db, &row, &plan, trials, top_k, &[]).await {
            outcome = Err(err);
        }
    }
    state.set_running(None);
    let stage = match (&outcome, stop_reason) {
        (Err(err), _) => format!("stopped: {err}"),
        (Ok(()), Some(reason)) => format!("finished: {reason}"),
        (Ok(()), None) => "finished".to_string(),
    };
    state.live.update(|live| {
        live.is_running = false;
        live.n_running = 0;
        live.eta_s = None;
        // An exhausted space is a study done: the bar shows it full and the words say how
        // much of the budget there was room for.
        live.stage = if is_exhausted && outcome.is_ok() && live.n_done < live.n_target {
            let stage = format!(
                "{stage} ({} of the {} trials asked for)",
                live.n_done, live.n_target
            );
            live.n_target = live.n_done;
            stage
        } else {
            stage
        };
    });
    super::refresh_open(ctx, state, &row.id).await;
    super::refresh_list(ctx, state).await;
    outcome
}

async fn run_trial(
    ctx: AppContext,
    dataset: String,
    objective: Rc<Objective>,
    ticket: TrialTicket,
    should_panic: bool,
) -> (u64, Result<Event, PoolError>, Timing) {
    let number = ticket.number;
    let started_ms = now_ms() as i64;
    let request = Request::RunTrial {
        dataset,
        objective: Json((*objective).clone()),
        ticket: Json(ticket),
        should_panic,
    };
    let answer = ctx.pool().run(request, |_| {}).await;
    let timing = Timing {
        started_ms,
        finished_ms: now_ms() as i64,
        worker: 0,
    };
    (number, answer, timing)
}

/// Writes every finished trial not yet stored, each in its own transaction, then (at most
/// once a second, or when `is_final`) the study's listing with its new counts.
async fn persist_new(db: &Db, run: &Rc<RefCell<Run>>, is_final: bool) -> Result<(), AppError> {
    let new: Vec<TrialRecord> = {
        let r = run.borrow();
        r.study
            .trials()
            .filter(|t| !r.persisted.contains(&t.number))
            .cloned()
            .collect()
    };
    let id = run.borrow().row.id.clone();
    for record in &new {
        records::save_trial(db, &id, record)
            .await
            .map_err(|error| AppError::TrialNotSaved {
                number: record.number,
                error,
            })?;
        run.borrow_mut().persisted.insert(record.number);
    }
    let is_row_due = is_final || now_ms() - run.borrow().row.updated_ms > 1000.0;
    if new.is_empty() && !is_final || !is_row_due {
        return Ok(());
    }
    let row = {
        let mut r = run.borrow_mut();
        let summary = summarize(r.study.trials());
        r.row.n_finished = summary.0;
        r.row.best_number = summary.1.map(|b| b.0);
        r.row.best_value = summary.1.map(|b| b.1);
        r.row.updated_ms = now_ms();
        r.row.clone()
    };
    Ok(records::save_study(db, &row).await?)
}

/// Evaluated trials (duplicates excluded) and the best feasible one.
pub fn summarize<'a>(trials: impl Iterator<Item = &'a TrialRecord>) -> (u64, Option<(u64, f64)>) {
    let mut n = 0;
    let mut best: Option<(u64, f64)> = None;
    for t in trials {
        if t.duplicate_of.is_none() {
            n += 1;
        }
        if let (true, Some(value)) = (t.is_feasible(), t.value) {
            if best.is_none_or(|(_, b)| value > b) {
                best = Some((t.number, value));
            }
        }
    }
    (n, best)
}

fn count_evaluated<'a>(trials: impl Iterator<Item = &'a TrialRecord>) -> u64 {
    summarize(trials).0
}

/// Publishes the run's progress, and (when `with_trials`) its trials for the charts.
fn show(state: StudyState, run: &Run, with_trials: bool) {
    let is_running = true;
    let (n_done, best) = summarize(run.study.trials());
    let elapsed_s = ((now_ms() - run.started_ms) / 1000.0).max(1e-3);
    let done_here = n_done.saturating_sub(run.n_done_at_start) as f64;
    let trials_per_s = done_here / elapsed_s;
    let remaining = run.row.n_target.saturating_sub(n_done) as f64;
    state.live.set(LiveProgress {
        is_running,
        stage: "running".into(),
        n_done,
        n_target: run.row.n_target,
        n_running: run.study.n_running(),
        trials_per_s,
        eta_s: (trials_per_s > 0.0).then(|| remaining / trials_per_s),
    });
    if !with_trials {
        return;
    }
    let mut row = run.row.clone();
    row.n_finished = n_done;
    row.best_number = best.map(|b| b.0);
    row.best_value = best.map(|b| b.1);
    state.publish(OpenStudy {
        row,
        plan: run.plan.clone(),
        records: Rc::new(run.study.trials().cloned().collect()),
    });
}

fn set_stage(state: StudyState, stage: &str, is_running: bool) {
    state.live.update(|live| {
        live.stage = stage.to_string();
        live.is_running = is_running;
    });
}

/// Re-runs the best `top_k` feasible trials (a multi-objective study's first `top_k` front
/// members) and the feasible trials of `also` out of sample, in workers, and stores each
/// verdict on its trial.
pub async fn validate_top(
    ctx: AppContext,
    db: &Db,
    row: &StudyRow,
    plan: &Rc<StudyPlan>,
    trials: Vec<TrialRecord>,
    top_k: usize,
    also: &[u64],
) -> Result<(), AppError> {
    let log = records::log(&row.header, &trials)?;
    let mut chosen: Vec<TrialRecord> = candidates(&log, top_k).into_iter().cloned().collect();
    for &number in also {
        let extra = log
            .trial(number)
            .filter(|t| t.is_feasible() && t.duplicate_of.is_none());
        if let Some(extra) = extra.filter(|t| chosen.iter().all(|c| c.number != t.number)) {
            chosen.push(extra.clone());
        }
    }
    for mut record in chosen {
        let request = Request::Validate {
            dataset: row.dataset_id.clone(),
            plan: Json((**plan).clone()),
            record: Json(record.clone()),
        };
        match ctx.pool().run(request, |_| {}).await {
            Ok(Event::Validation(Json(result))) => {
                record.user_attrs.extend(result.to_attrs());
                records::save_trial(db, &row.id, &record)
                    .await
                    .map_err(|error| AppError::TrialNotSaved {
                        number: record.number,
                        error,
                    })?;
            }
            Ok(other) => return Err(AppError::Unexpected(format!("{other:?}"))),
            Err(err) => {
                return Err(AppError::Validation {
                    number: record.number,
                    error: Box::new(err.into()),
                })
            }
        }
    }
    Ok(())
}

/// `name-<created ms>`, letters, digits and dashes only.
fn study_id(name: &str, created_ms: f64) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    format!("{slug}-{}", created_ms as u64)
}

/// The sampler as the studies list names it; a multi-objective study says its objectives'
/// count.
pub fn sampler_label(settings: &genesis_optimizer::StudySettings) -> String {
    let name = match &settings.sampler {
        genesis_optimizer::SamplerSettings::Grid => "grid".to_string(),
        genesis_optimizer::SamplerSettings::Random => "random".into(),
        genesis_optimizer::SamplerSettings::Nsga2(_) => "nsga2".into(),
        genesis_optimizer::SamplerSettings::Tpe(_) if settings.is_multi_objective() => {
            "motpe".into()
        }
        genesis_optimizer::SamplerSettings::Tpe(tpe) => {
            if tpe.multivariate {
                "tpe (multivariate)".into()
            } else {
                "tpe".into()
            }
        }
    };
    if settings.is_multi_objective() {
        format!("{name}, {} objectives", settings.directions.len())
    } else {
        name
    }
}
