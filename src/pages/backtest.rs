//! The Backtest page: pick a dataset and a strategy preset, edit the config (a form for the
//! common keys that writes into the YAML text, and the text itself, validated by the engine
//! in a worker as you type), run it in a worker, and read the metric cards, the equity with
//! drawdown, the price chart with entries and exits, and the trades.

use std::rc::Rc;

use leptos::prelude::*;

use crate::components::busy::{Busy, BusyBar};
use crate::components::config_editor::ConfigEditor;
use crate::components::dataset_select::DatasetSelect;
use crate::components::results::{Results, RunView};
use crate::context::{use_app, AppContext};
use crate::error::AppError;
use crate::sharing::links::{self, SharedSetup};
use crate::storage::datasets;
use crate::util::timefmt::parse_date_input;
use crate::workers::pool::PoolError;
use crate::workers::protocol::{Event, Request};

#[component]
pub fn BacktestPage() -> impl IntoView {
    let ctx = use_app();
    let state = ctx.backtest;
    let config = state.config;
    let (from_date, to_date, busy, run) = (state.from_date, state.to_date, state.busy, state.run);

    // A shared link in the address applies when the page opens or the address changes.
    Effect::new(move |_| {
        let hash = ctx.hash.get();
        if ctx.db.with(Option::is_some) {
            apply_link(ctx, &hash);
        }
    });
    // Runs a pending setup once its dataset is selected and the engine accepted the config.
    Effect::new(move |_| {
        let Some(pending) = state.pending.get() else {
            return;
        };
        let is_ready = ctx
            .datasets
            .selected
            .with(|s| s.as_deref() == Some(pending.as_str()))
            && config.check.with(|c| matches!(c, Some(Ok(_))))
            && busy.with(Option::is_none);
        if is_ready {
            state.pending.set(None);
            start_run(ctx);
        }
    });

    let can_run = move || {
        busy.with(Option::is_none)
            && ctx.datasets.selected.with(Option::is_some)
            && config.check.with(|c| matches!(c, Some(Ok(_))))
    };
    let link = RwSignal::new(String::new());
    let share = move |_| match shared_setup(ctx) {
        Ok(setup) => {
            let fragment = links::encode(&setup);
            let url = web_sys::window()
                .and_then(|w| w.location().href().ok())
                .map(|href| format!("{}{fragment}", href.split('#').next().unwrap_or_default()))
                .unwrap_or(fragment);
            link.set(url);
        }
        Err(message) => ctx.errors.raise("link", message),
    };

    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">"Backtest"</h1>
            <p class="lede">
                "Decisions at each bar's close, fills at the next open plus slippage, stops inside "
                "the bar (the stop first when a target could also fill), commission per side."
            </p>
            <MissingDataset/>
            <div class="panel">
                <div class="row">
                    <DatasetSelect/>
                    <label>
                        "From (UTC, optional)"
                        <input type="date" prop:value=move || from_date.get()
                            on:change=move |ev| from_date.set(event_target_value(&ev))/>
                    </label>
                    <label>
                        "To (UTC, exclusive, optional)"
                        <input type="date" prop:value=move || to_date.get()
                            on:change=move |ev| to_date.set(event_target_value(&ev))/>
                    </label>
                    <span class="grow"></span>
                    <button data-testid="share-backtest" disabled=move || !can_run() on:click=share
                        title="A link that reproduces this backtest: dataset (by hash), config and window">
                        "Share link"
                    </button>
                    <button class="primary" data-testid="run-backtest" disabled=move || !can_run() on:click=move |_| start_run(ctx)>
                        "Run backtest"
                    </button>
                </div>
                <Show when=move || link.with(|l| !l.is_empty())>
                    <label class="block">
                        "Link to this backtest (it carries no data: the receiver needs the same file)"
                        <input data-testid="share-link" readonly=true prop:value=move || link.get()
                            on:focus=move |ev| {
                                if let Some(input) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) {
                                    input.select();
                                }
                            }/>
                    </label>
                </Show>
                <BusyBar busy=busy test_id="backtest-progress"/>
            </div>
            <ConfigEditor state=config/>
            <Results run=run/>
        </section>
    }
}

/// Starts the backtest the page is set up for.
pub fn start_run(ctx: AppContext) {
    let state = ctx.backtest;
    let Some(dataset) = ctx.datasets.selected.get_untracked() else {
        return;
    };
    let yaml = state.config.yaml.get_untracked();
    let window = (
        parse_date_input(&state.from_date.get_untracked()),
        parse_date_input(&state.to_date.get_untracked()),
    );
    leptos::task::spawn_local(run_backtest(
        ctx, dataset, yaml, window, state.busy, state.run,
    ));
}

/// The current setup as a shareable one: the selected dataset and the engine's canonical
/// form of the config.
fn shared_setup(ctx: AppContext) -> Result<SharedSetup, AppError> {
    let state = ctx.backtest;
    let not_ready = |message: &str| AppError::NotReady(message.to_string());
    let id = ctx
        .datasets
        .selected
        .get_untracked()
        .ok_or_else(|| not_ready("choose a dataset first"))?;
    let record = ctx
        .datasets
        .record(&id)
        .ok_or_else(|| not_ready("the selected dataset is not stored"))?;
    let check = state
        .config
        .check
        .get_untracked()
        .ok_or_else(|| not_ready("the config is still being checked"))??;
    let date = |s: String| (!s.trim().is_empty()).then_some(s);
    Ok(SharedSetup {
        dataset_hash: record.id.clone(),
        dataset_name: record.meta.name.clone(),
        config_json: check.canonical_json,
        from: date(state.from_date.get_untracked()),
        to: date(state.to_date.get_untracked()),
    })
}

/// Applies the setup a `#/backtest?…` address carries: the config, the window, and the
/// dataset (selected when stored, asked for otherwise); the run starts once all is ready.
fn apply_link(ctx: AppContext, hash: &str) {
    let state = ctx.backtest;
    match links::decode(hash) {
        Ok(None) => {}
        Ok(Some(setup)) => {
            state.config.set_text(setup.config_json.clone());
            state.from_date.set(setup.from.clone().unwrap_or_default());
            state.to_date.set(setup.to.clone().unwrap_or_default());
            if ctx.datasets.record(&setup.dataset_hash).is_some() {
                state.missing.set(None);
                ctx.datasets.selected.set(Some(setup.dataset_hash.clone()));
                state.pending.set(Some(setup.dataset_hash));
            } else {
                state.missing.set(Some(setup));
            }
        }
        Err(err) => ctx.errors.raise("link", err.to_string()),
    }
}

/// Asks for the file a shared link needs and checks its content hash before using it.
#[component]
fn MissingDataset() -> impl IntoView {
    let ctx = use_app();
    let state = ctx.backtest;
    let on_change = move |ev: web_sys::Event| {
        let Some(setup) = state.missing.get_untracked() else {
            return;
        };
        let Some(file) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            match load_checked(ctx, file, &setup.dataset_hash).await {
                Ok(id) => {
                    state.missing.set(None);
                    ctx.datasets.selected.set(Some(id.clone()));
                    state.pending.set(Some(id));
                }
                Err(message) => ctx.errors.raise("data", message),
            }
        });
    };
    view! {
        <Show when=move || state.missing.with(Option::is_some)>
            <div class="panel notice" data-testid="shared-dataset-missing">
                <p>
                    {move || state.missing.with(|m| m.as_ref().map(|s| format!(
                        "This link runs a backtest on {} (content hash {}), which is not stored in this browser. Choose that file: its candles must hash to the same value.",
                        if s.dataset_name.is_empty() { "a dataset" } else { s.dataset_name.as_str() },
                        &s.dataset_hash[..12]
                    )))}
                </p>
                <label class="button">
                    "Choose the file…"
                    <input type="file" class="sr-only" data-testid="shared-dataset-input" on:change=on_change/>
                </label>
            </div>
        </Show>
    }
}

/// Parses a file in a worker and stores it only if its candles hash to `expected`.
async fn load_checked(
    ctx: AppContext,
    file: web_sys::File,
    expected: &str,
) -> Result<String, AppError> {
    let name = file.name();
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| AppError::Browser {
            what: format!("reading {name}"),
            message: format!("{e:?}"),
        })?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let request = Request::ParseFile {
        name: name.clone(),
        bytes,
        is_lenient: false,
        date_order: None,
    };
    let payload = match ctx.pool().run(request, |_| {}).await {
        Ok(Event::Dataset(payload)) => payload,
        Ok(other) => return Err(AppError::Unexpected(format!("{other:?}"))),
        Err(err) => return Err(err.into()),
    };
    if payload.meta.hash.0 != expected {
        return Err(AppError::WrongFile {
            file: name,
            message: format!(
                "its candles hash to {}, but the link needs {}: it is not the same data",
                payload.meta.hash.short(),
                &expected[..12.min(expected.len())]
            ),
        });
    }
    let db = ctx.open_db()?;
    let source = payload
        .report
        .as_ref()
        .map_or_else(|| "file".to_string(), |r| r.layout.to_string());
    match datasets::add(ctx, &db, *payload, source).await? {
        datasets::Added::New(record) | datasets::Added::AlreadyStored(record) => Ok(record.id),
    }
}

async fn run_backtest(
    ctx: AppContext,
    dataset: String,
    yaml: String,
    window: (Option<i64>, Option<i64>),
    busy: RwSignal<Option<Busy>>,
    run: RwSignal<Option<RunView>, LocalStorage>,
) {
    let Some(db) = ctx.db_or_raise() else {
        return;
    };
    busy.set(Some(Busy {
        stage: "running the backtest in a worker".into(),
        fraction: None,
        job: None,
    }));
    let columns = match datasets::open(ctx, &db, &dataset).await {
        Ok(columns) => columns,
        Err(message) => {
            ctx.errors.raise("storage", message);
            busy.set(None);
            return;
        }
    };
    let request = Request::Backtest {
        dataset,
        yaml,
        from_ts_ms: window.0,
        to_ts_ms: window.1,
    };
    let on_queued = |job| busy.update(|b| b.iter_mut().for_each(|b| b.job = Some(job)));
    match ctx.pool().run_cancellable(request, on_queued, |_| {}).await {
        Ok(Event::Backtest(view)) => run.set(Some(RunView {
            outcome: Rc::new(view.outcome),
            plots: Rc::new(view.plots),
            columns,
        })),
        Ok(other) => ctx
            .errors
            .raise("worker", format!("unexpected answer: {other:?}")),
        Err(PoolError::Cancelled) => ctx.notices.show("The backtest was cancelled."),
        Err(err) => ctx.errors.raise("backtest", err.to_string()),
    }
    busy.set(None);
}
