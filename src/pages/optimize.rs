//! The Optimize page: set up a study (dataset, base config — a preset or the Backtest page's
//! config —, search space validated as you type, and the study crate's choices: sampler,
//! pruner, seed, trials, split, validation, checkpoints, sync window, stop policy; plus
//! workers), run it in the worker pool and watch it live: progress, best score, the
//! optimisation charts, the best trials. A trial replays as a backtest; validated trials can
//! be promoted to champion.
//!
//! The space starts from the base's: a rules config's own params (`rules::default_space`,
//! made by the engine in a worker), another strategy's space preset.

use std::rc::Rc;

use genesis_engine::strategy::presets;
use genesis_engine::strategy::rules::Plot;
use genesis_optimizer::{SearchSpace, TrialRecord, TrialState};
use genesis_study::champion::Champion;
use genesis_study::folds::{FoldSpec, Length, Mode};
use genesis_study::selection::Requirements;
use genesis_study::validation::recorded_validation;
use genesis_study::{BaseSource, PrunerChoice, SamplerChoice};
use leptos::prelude::*;

use crate::components::busy::{Busy, BusyBar};
use crate::components::dataset_select::DatasetSelect;
use crate::components::results::{Results, RunView};
use crate::config::study_form::{self, StudyForm};
use crate::config::{spaces, yaml_locate};
use crate::context::{use_app, AppContext};
use crate::error::AppError;
use crate::studies::runner::{self, StudySetup};
use crate::studies::{champions, OpenStudy};
use crate::util::dom::sleep_ms;
use crate::workers::job_error::JobError;
use crate::workers::json_text::Json;
use crate::workers::pool;
use crate::workers::pool::PoolError;
use crate::workers::protocol::{Event, ReplayView, Request};

/// Trials shown in the best-trials table.
const TOP_N: usize = 15;

/// The base select's value for the Backtest page's config (no preset is named so).
const BACKTEST_BASE: &str = "@backtest";

/// The YAML of the base config `base` names: a preset, or the Backtest page's config (read
/// tracked, so a space check follows its edits).
fn base_yaml(ctx: AppContext, base: &str) -> String {
    if base == BACKTEST_BASE {
        ctx.backtest.config.yaml.get()
    } else {
        presets::text(base).unwrap_or_default().to_string()
    }
}

/// Where a study's base config came from, as its journal records it.
fn base_source(base: &str) -> BaseSource {
    if base == BACKTEST_BASE {
        BaseSource::File {
            name: "the Backtest page's config".to_string(),
        }
    } else {
        BaseSource::Preset {
            name: base.to_string(),
        }
    }
}

/// A replayed trial as the page shows it.
#[derive(Clone)]
struct Replayed {
    number: u64,
    view: Rc<ReplayView>,
    plots: Rc<Vec<Plot>>,
}

#[component]
pub fn OptimizePage() -> impl IntoView {
    let tab = RwSignal::new(Tab::Study);
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">"Optimize"</h1>
            <p class="lede">
                "Search a strategy's parameters in parallel workers. The same seed gives the same "
                "study whatever the number of workers; a study survives a reload and resumes exactly."
            </p>
            <div class="row" role="tablist" aria-label="Study or walk-forward">
                <button role="tab" data-testid="optimize-tab-study"
                    aria-selected=move || (tab.get() == Tab::Study).to_string()
                    class=move || if tab.get() == Tab::Study { "primary" } else { "" }
                    on:click=move |_| tab.set(Tab::Study)>"Study"</button>
                <button role="tab" data-testid="optimize-tab-walkforward"
                    aria-selected=move || (tab.get() == Tab::WalkForward).to_string()
                    class=move || if tab.get() == Tab::WalkForward { "primary" } else { "" }
                    on:click=move |_| tab.set(Tab::WalkForward)>"Walk-forward"</button>
            </div>
            <Setup tab=tab/>
            <Show when=move || tab.get() == Tab::Study>
                <Live/>
                <StudyView/>
            </Show>
            <Show when=move || tab.get() == Tab::WalkForward>
                <crate::components::walkforward::WalkForwardView/>
            </Show>
        </section>
    }
}

/// The Optimize page's tabs: one study, or a walk-forward run of studies over folds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Study,
    WalkForward,
}

#[component]
fn Setup(tab: RwSignal<Tab>) -> impl IntoView {
    let ctx = use_app();
    let folds = FoldFields {
        mode: RwSignal::new("rolling".to_string()),
        train: RwSignal::new("6000".to_string()),
        test: RwSignal::new("2000".to_string()),
        step: RwSignal::new(String::new()),
        gap: RwSignal::new("0".to_string()),
    };
    let state = ctx.studies;
    let fields = SetupFields {
        name: RwSignal::new("study".to_string()),
        base: RwSignal::new("genesis".to_string()),
        space_yaml: RwSignal::new(spaces::text("genesis_tpe").unwrap_or_default().to_string()),
        form: RwSignal::new(StudyForm::default()),
        workers: RwSignal::new(pool::default_size().to_string()),
    };
    let SetupFields {
        name,
        base,
        space_yaml,
        form,
        workers,
    } = fields;
    let space_check = check_space_as_typed(ctx, fields);

    let is_running =
        move || state.running.with(Option::is_some) || state.live.with(|l| l.is_running);
    let can_start = move || {
        !is_running()
            && ctx.datasets.selected.with(Option::is_some)
            && space_check.with(|c| matches!(c, Some(Ok(_))))
    };
    let start = move |_| start_study(ctx, fields);
    let start_walkforward = move |_| run_walkforward(ctx, fields, folds);
    let is_wf_running = move || ctx.walkforwards.running.with(Option::is_some);

    view! {
        <div class="panel">
            <h2>"New study"</h2>
            <div class="row">
                {text_input("Name", name, "study-name-input", "Shown in the studies list")}
                <DatasetSelect/>
                <label>
                    "Base config"
                    <select data-testid="study-base-select" on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        base.set(chosen.clone());
                        leptos::task::spawn_local(offer_starting_space(ctx, fields, chosen));
                    }>
                        {presets::names().map(|p| view! {
                            <option value=p selected=move || base.with(|b| b == p)>{p}</option>
                        }).collect_view()}
                        <option value=BACKTEST_BASE selected=move || base.with(|b| b == BACKTEST_BASE)>
                            "the Backtest page's config"
                        </option>
                    </select>
                </label>
                {choice_select(form, "sampler", SamplerChoice::ALL.map(|c| (c.name(), c.describe())))}
                {choice_select(form, "pruner", PrunerChoice::ALL.map(|c| (c.name(), c.describe())))}
            </div>
            <div class="row">
                {choice_input(form, "seed")}
                {choice_input(form, "max_trials")}
                {text_input("Workers", workers, "study-workers-input", "Web workers running trials in parallel")}
                {choice_input(form, "in_sample_fraction")}
                {choice_input(form, "validate_top")}
                {choice_input(form, "objectives")}
            </div>
            <details>
                <summary>"More options"</summary>
                <div class="row">
                    {["sync_window", "checkpoints", "min_oos_score", "max_degradation", "timeout_s", "end_at", "pbo_blocks"]
                        .map(|key| choice_input(form, key))
                        .collect_view()}
                </div>
            </details>
            <Show when=move || tab.get() == Tab::WalkForward>
                <div class="row" data-testid="wf-setup">
                    <label title="rolling: each fold trains on the train length right before its test window; anchored: from the first bar">
                        "Folds"
                        <select data-testid="wf-mode" on:change=move |ev| folds.mode.set(event_target_value(&ev))>
                            <option value="rolling" selected=move || folds.mode.with(|m| m == "rolling")>"rolling"</option>
                            <option value="anchored" selected=move || folds.mode.with(|m| m == "anchored")>"anchored"</option>
                        </select>
                    </label>
                    {text_input("Train", folds.train, "wf-train", "Bars (6000) or time (90d, 2w, 12h, 30m)")}
                    {text_input("Test", folds.test, "wf-test", "Bars or time")}
                    {text_input("Step", folds.step, "wf-step", "From one test window to the next; empty: the test length")}
                    {text_input("Gap (bars)", folds.gap, "wf-gap", "Bars left out between train and test (a purge)")}
                    <span class="muted">"Each fold runs the study set up above on its train window (Trials: per fold)."</span>
                </div>
            </Show>
            <div class="row">
                <span class="grow"></span>
                <Show
                    when=move || tab.get() == Tab::WalkForward
                    fallback=move || view! {
                        <button class="primary" data-testid="study-start" disabled=move || !can_start() on:click=start>
                            "Start study"
                        </button>
                    }
                >
                    <button class="primary" data-testid="wf-start"
                        disabled=move || !can_start() || is_wf_running()
                        on:click=start_walkforward>
                        "Run walk-forward"
                    </button>
                </Show>
            </div>
            <label class="block">
                "Search space (YAML: every leaf declares type: fixed|grid|float|int|loguniform|categorical)"
                <textarea
                    data-testid="study-space-yaml"
                    rows="10"
                    spellcheck="false"
                    prop:value=move || space_yaml.get()
                    on:input=move |ev| space_yaml.set(event_target_value(&ev))
                ></textarea>
            </label>
            <p
                data-testid="space-status"
                class=move || match space_check.get() {
                    Some(Ok(_)) => "status ok",
                    Some(Err(_)) => "status bad",
                    None => "status",
                }
            >
                {move || match space_check.get() {
                    None => "checking…".to_string(),
                    Some(Ok(params)) => format!("valid space: {}", params.join(", ")),
                    Some(Err(error)) => error.to_string(),
                }}
            </p>
        </div>
    }
}

/// What the set-up form holds besides the study choices' texts.
#[derive(Clone, Copy)]
struct SetupFields {
    name: RwSignal<String>,
    base: RwSignal<String>,
    space_yaml: RwSignal<String>,
    form: RwSignal<StudyForm>,
    workers: RwSignal<String>,
}

/// The engine's verdict on the search space against the base config, checked in a worker
/// 250 ms after the last edit (`None` while checking).
fn check_space_as_typed(
    ctx: AppContext,
    fields: SetupFields,
) -> RwSignal<Option<Result<Vec<String>, JobError>>> {
    let space_check = RwSignal::new(None);
    let revision_seen = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let space_yaml = fields.space_yaml.get();
        let base_yaml = base_yaml(ctx, &fields.base.get());
        let revision = revision_seen.get_value() + 1;
        revision_seen.set_value(revision);
        space_check.set(None);
        leptos::task::spawn_local(async move {
            sleep_ms(250).await;
            if revision_seen.try_get_value() != Some(revision) {
                return;
            }
            let request = Request::CheckSpace {
                space_yaml,
                base_yaml,
            };
            let verdict = match ctx.pool().run(request, |_| {}).await {
                Ok(Event::Space { parameters }) => Ok(parameters),
                Ok(other) => Err(JobError::Other(format!("unexpected answer: {other:?}"))),
                Err(PoolError::Failed(error)) => Err(error),
                Err(err) => Err(JobError::Other(err.to_string())),
            };
            if revision_seen.try_get_value() == Some(revision) {
                space_check.set(Some(verdict));
            }
        });
    });
    space_check
}

/// Puts the space the chosen base starts from into the space text: the engine checks the
/// base in a worker, which answers a rules config's default space over its params. An answer
/// that comes after another base was chosen is dropped.
async fn offer_starting_space(ctx: AppContext, fields: SetupFields, chosen: String) {
    let yaml = if chosen == BACKTEST_BASE {
        ctx.backtest.config.yaml.get_untracked()
    } else {
        presets::text(&chosen).unwrap_or_default().to_string()
    };
    let strategy = yaml_locate::value_at(&yaml, "strategy").map(|s| s.value);
    let generated = match ctx.pool().run(Request::CheckConfig { yaml }, |_| {}).await {
        Ok(Event::Config(check)) => check.default_space,
        // A base the engine refuses keeps the space as it is; the space check names why.
        _ => None,
    };
    let preset = (chosen != BACKTEST_BASE).then_some(chosen.as_str());
    let offered = spaces::starting_space(
        preset,
        strategy.as_deref().unwrap_or_default(),
        generated.as_deref(),
    );
    if let Some(offered) = offered {
        if fields.base.try_get_untracked().as_deref() == Some(chosen.as_str()) {
            fields.space_yaml.set(offered);
        }
    }
}

/// Reads the form into a study set-up and starts it on the selected dataset; a refused
/// choice goes to the banner under its label.
fn start_study(ctx: AppContext, fields: SetupFields) {
    let state = ctx.studies;
    let Some(dataset) = ctx
        .datasets
        .selected
        .get_untracked()
        .and_then(|id| ctx.datasets.record(&id))
    else {
        return;
    };
    let setup = (|| -> Result<StudySetup, AppError> {
        let base_name = fields.base.get_untracked();
        let space = SearchSpace::from_yaml_str(&fields.space_yaml.get_untracked())
            .map_err(|e| AppError::Job(JobError::Space(e)))?;
        let n_workers: usize = parse_field("workers", &fields.workers.get_untracked())?;
        let config = fields
            .form
            .with_untracked(StudyForm::choices)
            .map_err(AppError::Choice)?
            .to_config(fields.name.get_untracked().trim(), space, None)
            .map_err(AppError::Choice)?;
        Ok(StudySetup {
            dataset,
            config,
            base_source: base_source(&base_name),
            base_yaml: untrack(|| base_yaml(ctx, &base_name)),
            n_workers,
        })
    })();
    match setup {
        Ok(setup) => leptos::task::spawn_local(async move {
            if let Err(message) = runner::start(ctx, state, setup).await {
                state.live.update(|l| {
                    l.is_running = false;
                    l.stage = format!("stopped: {message}");
                });
                ctx.errors.raise("study", message);
            }
        }),
        Err(message) => ctx.errors.raise("study", message),
    }
}

/// The walk-forward fields of the set-up, as typed.
#[derive(Clone, Copy)]
struct FoldFields {
    mode: RwSignal<String>,
    train: RwSignal<String>,
    test: RwSignal<String>,
    step: RwSignal<String>,
    gap: RwSignal<String>,
}

/// Reads the set-up and the fold fields into a walk-forward header (folds cut from the
/// selected dataset's columns) and runs it; a refused field goes to the banner.
fn run_walkforward(ctx: AppContext, fields: SetupFields, folds: FoldFields) {
    let Some(dataset) = ctx
        .datasets
        .selected
        .get_untracked()
        .and_then(|id| ctx.datasets.record(&id))
    else {
        return;
    };
    let base_name = fields.base.get_untracked();
    let base_text = untrack(|| base_yaml(ctx, &base_name));
    leptos::task::spawn_local(async move {
        let header = async {
            let db = ctx.open_db()?;
            // The folds are cut and every fold's plan checked in a worker.
            crate::storage::datasets::open(ctx, &db, &dataset.id).await?;
            let length = |label: &str, text: String| {
                Length::parse(&text).map_err(|e| AppError::Input {
                    label: label.to_string(),
                    message: e.to_string(),
                })
            };
            let step = folds.step.get_untracked();
            let spec = FoldSpec {
                mode: if folds.mode.get_untracked() == "anchored" {
                    Mode::Anchored
                } else {
                    Mode::Rolling
                },
                train: length("Train", folds.train.get_untracked())?,
                test: length("Test", folds.test.get_untracked())?,
                step: if step.trim().is_empty() {
                    None
                } else {
                    Some(length("Step", step)?)
                },
                gap_bars: parse_field("Gap (bars)", &folds.gap.get_untracked())?,
            };
            let space = SearchSpace::from_yaml_str(&fields.space_yaml.get_untracked())
                .map_err(|e| AppError::Job(JobError::Space(e)))?;
            let name = fields.name.get_untracked().trim().to_string();
            let config = fields
                .form
                .with_untracked(StudyForm::choices)
                .map_err(AppError::Choice)?
                .to_config(&name, space, None)
                .map_err(AppError::Choice)?;
            let request = Request::PlanWalkForward {
                dataset: dataset.id.clone(),
                dataset_name: dataset.meta.name.clone(),
                name,
                spec,
                config: Json(config),
                base_source: base_source(&base_name),
                base_yaml: base_text,
            };
            match ctx.pool().run(request, |_| {}).await? {
                Event::WalkForwardPlan(Json(header)) => Ok::<_, AppError>(*header),
                other => Err(AppError::Unexpected(format!("{other:?}"))),
            }
        }
        .await;
        let n_workers =
            parse_field::<usize>("workers", &fields.workers.get_untracked()).unwrap_or(2);
        let result = match header {
            Ok(header) => {
                crate::studies::walkforward::start(
                    ctx,
                    header,
                    dataset.id.clone(),
                    dataset.meta.name.clone(),
                    n_workers,
                )
                .await
            }
            Err(err) => Err(err),
        };
        if let Err(message) = result {
            ctx.walkforwards.running.set(None);
            ctx.walkforwards.stage.set(format!("stopped: {message}"));
            ctx.errors.raise("walk-forward", message);
        }
    });
}

/// A labelled text input.
fn text_input(
    label: &'static str,
    signal: RwSignal<String>,
    test_id: &'static str,
    help: &'static str,
) -> impl IntoView {
    view! {
        <label title=help>
            {label}
            <input
                data-testid=test_id
                prop:value=move || signal.get()
                on:input=move |ev| signal.set(event_target_value(&ev))
            />
        </label>
    }
}

/// The text input of the study choice `key`, described by its [`study_form`] field.
fn choice_input(form: RwSignal<StudyForm>, key: &'static str) -> impl IntoView {
    let field = study_form::field(key);
    view! {
        <label title=field.map(|f| f.help)>
            {field.map_or(key, |f| f.label)}
            <input
                data-testid=field.map(|f| f.test_id)
                placeholder=field.map(|f| f.placeholder)
                prop:value=move || form.with(|f| f.text(key).to_string())
                on:input=move |ev| form.update(|f| f.set(key, event_target_value(&ev)))
            />
        </label>
    }
}

/// The select of the study choice `key` over `(name, description)` options.
fn choice_select<const N: usize>(
    form: RwSignal<StudyForm>,
    key: &'static str,
    options: [(&'static str, &'static str); N],
) -> impl IntoView {
    let field = study_form::field(key);
    view! {
        <label title=field.map(|f| f.help)>
            {field.map_or(key, |f| f.label)}
            <select
                data-testid=field.map(|f| f.test_id)
                on:change=move |ev| form.update(|f| f.set(key, event_target_value(&ev)))
            >
                {options.map(|(name, description)| view! {
                    <option value=name selected=move || form.with(|f| f.text(key) == name)>{description}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

fn parse_field<T: std::str::FromStr>(label: &str, text: &str) -> Result<T, AppError> {
    text.trim().parse().map_err(|_| AppError::Input {
        label: label.to_string(),
        message: format!("{:?} is not a valid number", text.trim()),
    })
}

/// Progress, best score and cancel for the running study.
#[component]
fn Live() -> impl IntoView {
    let ctx = use_app();
    let state = ctx.studies;
    view! {
        <Show when=move || state.live.with(|l| l.is_running || l.n_target > 0 || !l.stage.is_empty())>
            <div class="panel live" aria-live="polite">
                <div class="row">
                    <progress
                        max=move || state.live.with(|l| l.n_target.max(1).to_string())
                        value=move || state.live.with(|l| l.n_done.to_string())
                    ></progress>
                    <button
                        class="danger"
                        data-testid="study-cancel"
                        disabled=move || !state.live.with(|l| l.is_running)
                        on:click=move |_| state.cancel()
                    >
                        "Cancel"
                    </button>
                </div>
                <p data-testid="study-progress" class="mono">
                    {move || state.live.with(|l| {
                        let eta = l.eta_s.map_or_else(String::new, |s| format!(" · ETA {}", duration(s)));
                        format!(
                            "{} / {} trials · {:.1} trials/s{} · {} running · {}",
                            l.n_done, l.n_target, l.trials_per_s, eta, l.n_running, l.stage
                        )
                    })}
                </p>
            </div>
        </Show>
    }
}

fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The open study: best score, charts, best trials, replay, validation and promotion.
#[component]
fn StudyView() -> impl IntoView {
    let ctx = use_app();
    let state = ctx.studies;
    let replay = RwSignal::new_local(None::<Replayed>);
    let busy = RwSignal::new(None::<Busy>);
    let picked = RwSignal::new(None::<u64>);
    let pareto_axes = RwSignal::new((0usize, 1usize));
    // The promotion awaiting confirmation: kept here, so the dialog outlives the table's
    // rebuild when the study refreshes (after a validation, say).
    let pending = RwSignal::new_local(None::<Champion>);
    view! {
        <Show when=move || state.open.with(Option::is_some)>
            {move || state.open.get().map(|study| {
                let best = study.row.best_value.map_or_else(|| "none feasible yet".to_string(), |v| format!("{v:.4}"));
                let best_trial = study.row.best_number.map_or_else(String::new, |n| format!(" (trial #{n})"));
                let header = format!(
                    "{} · {} · {} on {} · seed {}",
                    study.row.name,
                    study.row.sampler,
                    study.row.strategy,
                    study.row.dataset_name,
                    study.row.header.settings.seed
                );
                // The best trial's parameters at a bound of their range: the optimum may
                // lie beyond it (a multi-objective study has no single best).
                let warnings: Vec<String> = if study.plan.is_multi_objective() {
                    Vec::new()
                } else {
                    study
                        .row
                        .best_number
                        .and_then(|n| study.records.iter().find(|t| t.number == n))
                        .map(|best| genesis_optimizer::summary::bound_warnings(&study.plan.space, &best.params))
                        .unwrap_or_default()
                };
                let id = study.row.id.clone();
                let target = RwSignal::new((study.row.n_finished + 50).to_string());
                let allow_mismatch = RwSignal::new(false);
                let resume = move |_| match target.get_untracked().trim().parse::<u64>() {
                    Ok(n_target) => crate::studies::spawn_resume(ctx, id.clone(), n_target, allow_mismatch.get_untracked()),
                    Err(_) => ctx.errors.raise("study", format!("{:?} is not a number of trials", target.get_untracked())),
                };
                view! {
                    <div class="panel">
                        <div class="row">
                            <h2 class="grow">{header}</h2>
                            <span>"Best score "</span>
                            <strong data-testid="study-best-score" class="mono">{best}</strong>
                            <span class="muted">{best_trial}</span>
                        </div>
                        {warnings.into_iter().map(|w| view! { <p class="status warn" data-testid="bound-warning">{w}</p> }).collect_view()}
                        <div class="row" hidden=move || state.running.with(Option::is_some)>
                            <label>
                                "Resume to (trials in all)"
                                <input class="trials" data-testid="study-resume-open-trials"
                                    prop:value=move || target.get()
                                    on:input=move |ev| target.set(event_target_value(&ev))/>
                            </label>
                            <label class="inline" title="Resume even if the space, base config, dataset, engine version or sampler settings differ from the study's (recorded in its journal)">
                                <input type="checkbox" on:change=move |ev| allow_mismatch.set(event_target_checked(&ev))/>
                                " despite a signature mismatch"
                            </label>
                            <button data-testid="study-resume-open" on:click=resume>"Resume"</button>
                        </div>
                    </div>
                    <crate::components::study_charts::StudyCharts study=study.clone() picked=picked pareto_axes=pareto_axes/>
                    <crate::components::selection::SelectionPanel study=study.clone()/>
                    <TopTrials study=study.clone() replay=replay busy=busy picked=picked pending=pending/>
                }
            })}
            <BusyBar busy=busy test_id="replay-progress"/>
            <ReplayPanel replay=replay/>
        </Show>
    }
}

#[component]
fn TopTrials(
    study: OpenStudy,
    replay: RwSignal<Option<Replayed>, LocalStorage>,
    busy: RwSignal<Option<Busy>>,
    /// The trial picked on the Pareto front: listed first, validated with the front.
    picked: RwSignal<Option<u64>>,
    pending: RwSignal<Option<Champion>, LocalStorage>,
) -> impl IntoView {
    let ctx = use_app();
    let state = ctx.studies;
    let objectives: Vec<String> = study
        .plan
        .metadata
        .objectives
        .iter()
        .map(|o| o.to_string())
        .collect();
    let is_multi = !objectives.is_empty();
    let study = StoredValue::new_local(study);
    let rows = move || {
        if is_multi {
            return study.with_value(|study| front_rows(study, picked.get()));
        }
        study.with_value(|study| {
            let mut ranked: Vec<&TrialRecord> = study
                .records
                .iter()
                .filter(|t| t.duplicate_of.is_none() && t.state == TrialState::Complete)
                .collect();
            ranked.sort_by(|a, b| {
                b.is_feasible().cmp(&a.is_feasible()).then(
                    b.value
                        .unwrap_or(f64::MIN)
                        .total_cmp(&a.value.unwrap_or(f64::MIN)),
                )
            });
            ranked.truncate(TOP_N);
            ranked.into_iter().cloned().collect::<Vec<_>>()
        })
    };
    let has_oos = study.with_value(|s| s.plan.metadata.windows.out_of_sample.is_some());
    let validate = move |_| {
        let study = study.get_value();
        leptos::task::spawn_local(async move {
            let Some(db) = ctx.db_or_raise() else {
                return;
            };
            let k = study.plan.metadata.validation.top_k.max(5);
            busy.set(Some(Busy {
                stage: format!("validating the top {k} out of sample"),
                fraction: None,
                job: None,
            }));
            if let Err(message) =
                crate::storage::datasets::open(ctx, &db, &study.row.dataset_id).await
            {
                ctx.errors.raise("study", message);
            } else if let Err(message) = runner::validate_top(
                ctx,
                &db,
                &study.row,
                &study.plan,
                (*study.records).clone(),
                k,
                &picked.get_untracked().into_iter().collect::<Vec<_>>(),
            )
            .await
            {
                ctx.errors.raise("study", message);
            }
            crate::studies::refresh_open(ctx, state, &study.row.id).await;
            busy.set(None);
        });
    };
    view! {
        <div class="panel">
            <div class="row">
                <h2 class="grow">{if is_multi { "Pareto front (a picked trial first)" } else { "Best trials" }}</h2>
                <Show when=move || has_oos>
                    <button data-testid="study-validate" on:click=validate>
                        {if is_multi { "Validate the front (and the picked trial) out of sample" } else { "Validate top trials out of sample" }}
                    </button>
                </Show>
            </div>
            <div class="table-scroll">
                <table data-testid="top-trials">
                    <thead>
                        <tr>
                            <th class="num">"Trial"</th><th class="num">"Score"</th>
                            {objectives.iter().map(|name| view! { <th class="num">{name.clone()}</th> }).collect_view()}
                            <th>"Feasible"</th>
                            <th class="num">"Out of sample"</th><th>"Parameters"</th><th><span class="sr-only">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || rows().into_iter().map(|trial| {
                            let number = trial.number;
                            let validation = recorded_validation(&trial).ok().flatten();
                            let oos = validation.as_ref().map_or_else(
                                || "—".to_string(),
                                |v| format!("{:.4} {}", v.score, if v.is_passed { "passed" } else { "failed" }),
                            );
                            let is_passed = validation.as_ref().is_some_and(|v| v.is_passed);
                            let params = trial.params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("  ");
                            let feasible = if trial.is_feasible() { "yes".to_string() } else { trial.constraint_violations.join("; ") };
                            let is_picked = picked.with(|p| *p == Some(number));
                            let values = trial.values.iter().map(|v| view! { <td class="num mono">{format!("{v:.4}")}</td> }).collect_view();
                            view! {
                                <tr data-testid="trial-row" data-picked=is_picked.to_string() class:picked=is_picked>
                                    <td class="num">{number}</td>
                                    <td class="num">{trial.value.map_or_else(String::new, |v| format!("{v:.4}"))}</td>
                                    {values}
                                    <td>{feasible}</td>
                                    <td class="num">{oos}</td>
                                    <td class="mono small">{params}</td>
                                    <td class="actions">
                                        <button data-testid="trial-replay" on:click=move |_| {
                                            let study = study.get_value();
                                            leptos::task::spawn_local(replay_trial(ctx, study, number, replay, busy));
                                        }>"Replay"</button>
                                        <button
                                            data-testid="promote-champion"
                                            disabled=!is_passed
                                            title=if is_passed { "Make this the champion of its symbol and timeframe" } else { "Only a trial that passed out-of-sample validation can be promoted" }
                                            on:click=move |_| {
                                                let previewed = study.with_value(|study| {
                                                    champions::preview(study, number, js_sys::Date::now() as i64)
                                                });
                                                match previewed {
                                                    Ok(champion) => pending.set(Some(champion)),
                                                    Err(message) => ctx.errors.raise("champion", message),
                                                }
                                            }
                                        >"Promote"</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <PromoteDialog pending=pending/>
        </div>
    }
}

/// The rows of a multi-objective study's table: the picked trial, then the front's members
/// best first by the first objective (at most [`TOP_N`] in all).
fn front_rows(study: &OpenStudy, picked: Option<u64>) -> Vec<TrialRecord> {
    let front = genesis_optimizer::pareto::StudyFront::from_trials(
        &study.plan.settings.directions,
        &study.records,
        None,
    );
    let members = front.map(|f| f.members).unwrap_or_default();
    picked
        .into_iter()
        .chain(members.into_iter().filter(|n| Some(*n) != picked))
        .filter_map(|n| study.records.iter().find(|t| t.number == n).cloned())
        .take(TOP_N)
        .collect()
}

/// A figure of the promotion dialog: a number with 4 decimals, or a dash.
fn figure(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |x| format!("{x:.4}"))
}

/// A percentage of a metric the champion keeps, or a dash.
fn kept_percent(
    metrics: &std::collections::BTreeMap<String, serde_json::Value>,
    key: &str,
) -> String {
    metrics
        .get(key)
        .and_then(serde_json::Value::as_f64)
        .map_or_else(|| "—".to_string(), |x| format!("{:.2} %", 100.0 * x))
}

/// Before a promotion: in sample, out of sample, buy and hold over the out-of-sample bars,
/// the trial's DSR and the study's PBO side by side, with the figures the promotion may
/// require; nothing changes until the user confirms.
#[component]
fn PromoteDialog(pending: RwSignal<Option<Champion>, LocalStorage>) -> impl IntoView {
    let ctx = use_app();
    let min_dsr = RwSignal::new(String::new());
    let max_pbo = RwSignal::new(String::new());
    let confirm = move |_| {
        let Some(champion) = pending.get_untracked() else {
            return;
        };
        let requirements = (|| -> Result<Requirements, AppError> {
            Ok(Requirements {
                min_dsr: parse_optional("Require DSR at least", &min_dsr.get_untracked())?,
                max_pbo: parse_optional("Require PBO at most", &max_pbo.get_untracked())?,
            })
        })();
        leptos::task::spawn_local(async move {
            let Some(db) = ctx.db_or_raise() else {
                return;
            };
            let number = champion.trial;
            let result = match requirements {
                Ok(requirements) => champions::promote(&db, champion, &requirements).await,
                Err(err) => Err(err),
            };
            match result {
                Ok(champion) => {
                    pending.set(None);
                    ctx.notices.show(format!(
                        "Trial #{number} is now the champion of {} {}",
                        champion.symbol, champion.timeframe
                    ));
                }
                Err(message) => ctx.errors.raise("champion", message),
            }
        });
    };
    move || {
        pending.get().map(|c| {
            let figures = c.figures.clone();
            let dsr = figure(figures.as_ref().and_then(|f| f.dsr));
            let pbo = figure(figures.as_ref().and_then(|f| f.pbo));
            let tries = figures.as_ref().map_or(0, |f| f.n_tries);
            view! {
                <div class="dialog" role="dialog" aria-labelledby="promote-title" data-testid="promote-dialog">
                    <h3 id="promote-title">{format!("Promote trial #{} to champion of {} {}?", c.trial, c.symbol, c.timeframe)}</h3>
                    <table class="figures">
                        <thead><tr><th></th><th class="num">"Score"</th><th class="num">"Return"</th><th class="num">"Buy and hold"</th></tr></thead>
                        <tbody>
                            <tr><th scope="row">"In sample"</th>
                                <td class="num mono" data-testid="promote-is-score">{format!("{:.4}", c.in_sample.score)}</td>
                                <td class="num mono">{kept_percent(&c.in_sample.metrics, "total_return")}</td>
                                <td class="num mono">{kept_percent(&c.in_sample.metrics, "buy_and_hold_return")}</td></tr>
                            <tr><th scope="row">"Out of sample"</th>
                                <td class="num mono" data-testid="promote-oos-score">{format!("{:.4}", c.out_of_sample.score)}</td>
                                <td class="num mono" data-testid="promote-oos-return">{kept_percent(&c.out_of_sample.metrics, "total_return")}</td>
                                <td class="num mono" data-testid="promote-oos-buy-and-hold">{kept_percent(&c.out_of_sample.metrics, "buy_and_hold_return")}</td></tr>
                        </tbody>
                    </table>
                    <p>
                        "DSR among " {tries} " tries: " <strong class="mono" data-testid="promote-dsr">{dsr}</strong>
                        " · the study's PBO: " <strong class="mono" data-testid="promote-pbo">{pbo}</strong>
                    </p>
                    <div class="row">
                        <label>"Require DSR at least"
                            <input class="trials" data-testid="promote-min-dsr" placeholder="off"
                                prop:value=move || min_dsr.get() on:input=move |ev| min_dsr.set(event_target_value(&ev))/>
                        </label>
                        <label>"Require PBO at most"
                            <input class="trials" data-testid="promote-max-pbo" placeholder="off"
                                prop:value=move || max_pbo.get() on:input=move |ev| max_pbo.set(event_target_value(&ev))/>
                        </label>
                    </div>
                    <div class="row">
                        <button class="primary" data-testid="promote-confirm" on:click=confirm>"Promote"</button>
                        <button data-testid="promote-cancel" on:click=move |_| pending.set(None)>"Cancel"</button>
                    </div>
                </div>
            }
        })
    }
}

/// An optional number typed into a field: empty is `None`.
fn parse_optional(label: &str, text: &str) -> Result<Option<f64>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    parse_field(label, text).map(Some)
}

async fn replay_trial(
    ctx: AppContext,
    study: OpenStudy,
    number: u64,
    replay: RwSignal<Option<Replayed>, LocalStorage>,
    busy: RwSignal<Option<Busy>>,
) {
    let Some(db) = ctx.db_or_raise() else {
        return;
    };
    busy.set(Some(Busy {
        stage: format!("replaying trial #{number}"),
        fraction: None,
        job: None,
    }));
    if let Err(message) = crate::storage::datasets::open(ctx, &db, &study.row.dataset_id).await {
        ctx.errors.raise("study", message);
        busy.set(None);
        return;
    }
    let record = study.records.iter().find(|r| r.number == number).cloned();
    let original = record
        .as_ref()
        .and_then(|r| r.duplicate_of)
        .and_then(|n| study.records.iter().find(|r| r.number == n).cloned());
    let request = Request::Replay {
        dataset: study.row.dataset_id.clone(),
        plan: crate::workers::json_text::Json((*study.plan).clone()),
        header: crate::workers::json_text::Json(study.row.header.clone()),
        records: crate::workers::json_text::Json(record.into_iter().chain(original).collect()),
        number,
    };
    match ctx.pool().run(request, |_| {}).await {
        Ok(Event::Replay { view, plots }) => replay.set(Some(Replayed {
            number,
            view: Rc::from(view.0),
            plots: Rc::new(plots),
        })),
        Ok(other) => ctx
            .errors
            .raise("study", format!("unexpected answer: {other:?}")),
        Err(err) => ctx.errors.raise("study", err.to_string()),
    }
    busy.set(None);
}

#[component]
fn ReplayPanel(replay: RwSignal<Option<Replayed>, LocalStorage>) -> impl IntoView {
    let ctx = use_app();
    let run = RwSignal::new_local(None::<RunView>);
    Effect::new(move |_| {
        let Some(Replayed { view, plots, .. }) = replay.get() else {
            run.set(None);
            return;
        };
        let Some(study) = ctx.studies.open.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let Some(db) = ctx.db.get_untracked() else {
                return;
            };
            match crate::storage::datasets::open(ctx, &db, &study.row.dataset_id).await {
                Ok(columns) => run.set(Some(RunView {
                    outcome: Rc::new(view.outcome.clone()),
                    plots,
                    columns,
                })),
                Err(message) => ctx.errors.raise("storage", message),
            }
        });
    });
    view! {
        <Show when=move || replay.with(Option::is_some)>
            {move || replay.get().map(|Replayed { number, view, .. }| {
                let verdict = if view.report.is_identical {
                    format!("Trial #{number} replayed: every stored number is identical, bit for bit.")
                } else {
                    let differences: Vec<String> = view.report.differences().map(|c| format!("{c:?}")).collect();
                    format!("Trial #{number} replayed with differences: {}", differences.join("; "))
                };
                view! {
                    <div class="panel">
                        <h2>{format!("Replay of trial #{number} (in-sample window)")}</h2>
                        <p data-testid="replay-verdict" class=if view.report.is_identical { "status ok" } else { "status bad" }>{verdict}</p>
                    </div>
                }
            })}
            <Results run=run/>
        </Show>
    }
}
