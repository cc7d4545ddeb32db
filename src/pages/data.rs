//! The Data page: load candle files (picker or drag and drop) or the demo data, see what the
//! parser made of them, keep them in the browser, and chart them with feature overlays.
//!
//! Parsing runs in a worker with a progress bar. A rejected file goes to the error banner
//! with its problems and leaves the stored datasets untouched; an accepted one is stored
//! (listing and columns in one transaction) before it is listed.

use std::rc::Rc;

use genesis_engine::data::{
    format_timeframe, timestamp::format_iso_ms, DataError, DateOrder, ParseReport, Problem,
};
use genesis_engine::features::FeatureParams;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::charts::canvas::{ChartCanvas, Source};
use crate::charts::price::{OverlayToggles, PriceChart};
use crate::components::busy::{Busy, BusyBar};
use crate::context::{use_app, AppContext};
use crate::storage::datasets::{self, Added, DatasetRecord};
use crate::util::timefmt::short_time;
use crate::workers::job_error::JobError;
use crate::workers::pool::PoolError;
use crate::workers::protocol::{Event, OverlaySet, Request};

/// Files larger than this are refused before reading: far above a million bars of CSV.
pub const MAX_FILE_BYTES: f64 = 768.0 * 1024.0 * 1024.0;

/// Common resampling targets offered on a dataset row.
const RESAMPLE_TARGETS: [(&str, i64); 5] = [
    ("5m", 300_000),
    ("15m", 900_000),
    ("1h", 3_600_000),
    ("4h", 14_400_000),
    ("1d", 86_400_000),
];

#[component]
pub fn DataPage() -> impl IntoView {
    let ctx = use_app();
    let busy = RwSignal::new(None::<Busy>);
    let is_lenient = RwSignal::new(false);
    let date_order = RwSignal::new(None::<DateOrder>);
    let last_report = RwSignal::new(None::<(String, ParseReport)>);
    let rejected = RwSignal::new(None::<Rejected>);
    let is_dragging = RwSignal::new(false);

    let on_files = move |files: Option<web_sys::FileList>| {
        let Some(files) = files else {
            return;
        };
        let files: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        let options = ReadOptions {
            is_lenient: is_lenient.get_untracked(),
            date_order: date_order.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            for file in files {
                load_file(ctx, file, options, busy, last_report, rejected).await;
            }
        });
    };

    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">"Data"</h1>
            <p class="lede">
                "Load candle files (CSV, TSV or JSON, gzipped or not: generic, pandas, Binance, Bitfinex, Coinbase, Kraken, CCXT, Yahoo, Stooq, "
                "TradingView, MetaTrader, Dukascopy, Investing.com, Polygon, Alpaca) or the built-in demo data. Files stay in this browser."
            </p>
            <div
                class="panel dropzone"
                class:over=move || is_dragging.get()
                on:dragover=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    is_dragging.set(true);
                }
                on:dragleave=move |_| is_dragging.set(false)
                on:drop=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    is_dragging.set(false);
                    on_files(ev.data_transfer().and_then(|dt| dt.files()));
                }
            >
                <div class="row">
                    <label class="button">
                        "Choose candle files…"
                        <input
                            type="file"
                            class="sr-only"
                            data-testid="dataset-file-input"
                            multiple=true
                            accept=".csv,.tsv,.txt,.json,.gz,text/csv,application/json,application/gzip"
                            on:change=move |ev| {
                                let input: Option<web_sys::HtmlInputElement> = ev
                                    .target()
                                    .and_then(|t| t.dyn_into().ok());
                                if let Some(input) = input {
                                    on_files(input.files());
                                    input.set_value("");
                                }
                            }
                        />
                    </label>
                    <span class="muted">"or drop them here"</span>
                    <label class="inline">
                        <input
                            type="checkbox"
                            prop:checked=move || is_lenient.get()
                            on:change=move |ev| is_lenient.set(event_target_checked(&ev))
                        />
                        " Lenient: drop bad rows and report each (strict rejects the file)"
                    </label>
                    <label class="inline" title="For dates written with the year last (05.03.2024, 05/03/2024). Automatic: a day above 12 anywhere in the file settles it, and the report says how it was decided.">
                        "Dates "
                        <select
                            data-testid="date-order-select"
                            on:change=move |ev| date_order.set(match event_target_value(&ev).as_str() {
                                "dmy" => Some(DateOrder::Dmy),
                                "mdy" => Some(DateOrder::Mdy),
                                _ => None,
                            })
                        >
                            <option value="auto" selected=move || date_order.get().is_none()>"day/month: decide from the data"</option>
                            <option value="dmy" selected=move || date_order.get() == Some(DateOrder::Dmy)>"day first (DD.MM.YYYY)"</option>
                            <option value="mdy" selected=move || date_order.get() == Some(DateOrder::Mdy)>"month first (MM/DD/YYYY)"</option>
                        </select>
                    </label>
                    <span class="grow"></span>
                    <button
                        data-testid="load-demo"
                        disabled=move || busy.with(Option::is_some)
                        on:click=move |_| {
                            leptos::task::spawn_local(load_demo(ctx, busy));
                        }
                    >
                        "Load demo data"
                    </button>
                </div>
                <BusyBar busy=busy test_id="dataset-progress"/>
            </div>
            <Welcome/>
            <RejectedPanel rejected=rejected/>
            <ReportPanel last_report=last_report/>
            <DatasetTable busy=busy/>
            <DatasetChart/>
        </section>
    }
}

/// How the user asked for files to be read.
#[derive(Clone, Copy, Debug, PartialEq)]
struct ReadOptions {
    is_lenient: bool,
    /// `None`: the data decides.
    date_order: Option<DateOrder>,
}

async fn load_file(
    ctx: AppContext,
    file: web_sys::File,
    options: ReadOptions,
    busy: RwSignal<Option<Busy>>,
    last_report: RwSignal<Option<(String, ParseReport)>>,
    rejected: RwSignal<Option<Rejected>>,
) {
    let name = file.name();
    if file.size() > MAX_FILE_BYTES {
        ctx.errors.raise(
            "data",
            format!(
                "{name}: {:.0} MB is larger than the {:.0} MB this page accepts",
                file.size() / 1e6,
                MAX_FILE_BYTES / 1e6
            ),
        );
        return;
    }
    busy.set(Some(Busy {
        stage: format!("reading {name}"),
        fraction: None,
        job: None,
    }));
    let bytes = match JsFuture::from(file.array_buffer()).await {
        Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
        Err(err) => {
            busy.set(None);
            ctx.errors.raise(
                "data",
                format!("{name}: the browser could not read the file: {err:?}"),
            );
            return;
        }
    };
    let request = Request::ParseFile {
        name: name.clone(),
        bytes,
        is_lenient: options.is_lenient,
        date_order: options.date_order,
    };
    let stage = format!("parsing {name}");
    let outcome = ctx
        .pool()
        .run_cancellable(
            request,
            |job| {
                busy.set(Some(Busy {
                    stage: stage.clone(),
                    fraction: Some(0.0),
                    job: Some(job),
                }))
            },
            |p| {
                busy.update(|b| {
                    if let Some(b) = b {
                        b.fraction = (p.total > 0).then(|| p.done as f64 / p.total as f64);
                    }
                })
            },
        )
        .await;
    match outcome {
        Ok(Event::Dataset(payload)) => {
            let report = payload.report.clone();
            let source = report
                .as_ref()
                .map_or_else(|| "file".to_string(), |r| r.layout.to_string());
            busy.set(Some(Busy {
                stage: format!("storing {name}"),
                fraction: None,
                job: None,
            }));
            store(ctx, *payload, source).await;
            rejected.set(None);
            if let Some(report) = report {
                last_report.set(Some((name, report)));
            }
        }
        Ok(other) => ctx.errors.raise(
            "data",
            format!("{name}: unexpected answer from the worker: {other:?}"),
        ),
        Err(PoolError::Failed(error)) => {
            if let JobError::Data {
                file,
                error:
                    DataError::Rejected {
                        n_problems,
                        problems,
                    },
            } = &error
            {
                rejected.set(Some(Rejected {
                    file: file.clone(),
                    n_problems: *n_problems,
                    problems: problems.clone(),
                }));
            }
            ctx.errors.raise("data", error.to_string());
        }
        Err(PoolError::Cancelled) => ctx
            .notices
            .show(format!("Parsing {name} was cancelled; nothing was stored.")),
        Err(err) => ctx.errors.raise("data", format!("{name}: {err}")),
    }
    busy.set(None);
}

async fn load_demo(ctx: AppContext, busy: RwSignal<Option<Busy>>) {
    busy.set(Some(Busy {
        stage: "generating the demo data".into(),
        fraction: None,
        job: None,
    }));
    match ctx.pool().run(Request::Demo, |_| {}).await {
        Ok(Event::Dataset(payload)) => store(ctx, *payload, "demo (synthetic)".into()).await,
        Ok(other) => ctx.errors.raise(
            "worker",
            format!("unexpected answer to the demo request: {other:?}"),
        ),
        Err(err) => ctx.errors.raise("worker", err.to_string()),
    }
    busy.set(None);
}

/// Stores a new dataset and selects it; the same candles already stored are just selected.
async fn store(ctx: AppContext, payload: crate::workers::protocol::DatasetPayload, source: String) {
    let Some(db) = ctx.db_or_raise() else {
        return;
    };
    match datasets::add(ctx, &db, payload, source).await {
        Ok(Added::New(record)) | Ok(Added::AlreadyStored(record)) => {
            ctx.datasets.selected.set(Some(record.id))
        }
        Err(err) => ctx.errors.raise("storage", err.to_string()),
    }
}

/// Shown while no dataset is stored: the one-click demo.
#[component]
fn Welcome() -> impl IntoView {
    let ctx = use_app();
    let is_running = RwSignal::new(false);
    view! {
        <Show when=move || ctx.db.with(Option::is_some) && ctx.datasets.list.with(Vec::is_empty)>
            <div class="panel welcome">
                <h2>"New here? See the lab work in seconds"</h2>
                <p>
                    "The demo loads 17,278 hourly bars of synthetic BTC-like data (made by the engine, "
                    "the same on every machine), backtests the genesis strategy on them, then runs a "
                    {format!("{}-trial optimisation study", crate::scripted::demo::DEMO_TRIALS)}
                    " in your browser's workers. Nothing leaves this page."
                </p>
                <button class="primary" data-testid="start-demo" disabled=move || is_running.get() on:click=move |_| {
                    is_running.set(true);
                    leptos::task::spawn_local(async move {
                        crate::scripted::demo::run(ctx).await;
                        is_running.set(false);
                    });
                }>"Try the demo"</button>
            </div>
        </Show>
    }
}

/// A file the parser refused in strict mode, with the problems it listed.
#[derive(Clone, Debug, PartialEq)]
struct Rejected {
    file: String,
    n_problems: usize,
    problems: Vec<Problem>,
}

/// The problems of the last refused file as a table (line, column, field, what was found),
/// so a trader can go to each place in the file.
#[component]
fn RejectedPanel(rejected: RwSignal<Option<Rejected>>) -> impl IntoView {
    view! {
        <Show when=move || rejected.with(Option::is_some)>
            <div class="panel rejected" data-testid="rejected-file">
                <div class="row">
                    <h2 class="grow">
                        {move || rejected.with(|r| r.as_ref().map(|r| {
                            let listed = if r.problems.len() < r.n_problems {
                                format!(" (the first {} are listed)", r.problems.len())
                            } else {
                                String::new()
                            };
                            format!("{} was refused: {} problem(s){listed}; nothing was stored", r.file, r.n_problems)
                        }))}
                    </h2>
                    <button aria-label="Dismiss the refused file's problems" on:click=move |_| rejected.set(None)>"×"</button>
                </div>
                <p class="muted">"Fix these places in the file, or tick Lenient to drop the bad rows and load the rest."</p>
                <table class="problems">
                    <thead>
                        <tr><th>"Line"</th><th>"Column"</th><th>"Field"</th><th>"Problem"</th><th>"Found"</th></tr>
                    </thead>
                    <tbody>
                        {move || rejected.with(|r| r.as_ref().map(|r| r.problems.iter().map(|p| view! {
                            <tr data-testid="problem-row">
                                <td class="num">{p.line}</td>
                                <td class="num">{p.column}</td>
                                <td>{p.field.to_string()}</td>
                                <td>{p.kind.to_string()}</td>
                                <td class="mono">{p.text.clone()}</td>
                            </tr>
                        }).collect_view()))}
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

#[component]
fn ReportPanel(last_report: RwSignal<Option<(String, ParseReport)>>) -> impl IntoView {
    view! {
        <Show when=move || last_report.with(Option::is_some)>
            {move || last_report.get().map(|(name, report)| {
                let dropped: Vec<String> = report.dropped.iter().take(20).map(|p| p.to_string()).collect();
                let n_more = report.dropped.len().saturating_sub(dropped.len());
                view! {
                    <div class="panel" data-testid="parse-report">
                        <h2>{format!("{name}: {}", report.layout)}</h2>
                        <p>
                            {format!(
                                "{} bars, timeframe {}, {} to {}, {} gap(s){}",
                                report.n_bars,
                                format_timeframe(report.timeframe_ms),
                                format_iso_ms(report.first_ts_ms),
                                format_iso_ms(report.last_ts_ms),
                                report.gaps.n_gaps,
                                if report.gaps.n_gaps > 0 {
                                    format!(" (largest {})", format_timeframe(report.gaps.largest_ms))
                                } else {
                                    String::new()
                                },
                            )}
                        </p>
                        <p data-testid="parse-report-columns">
                            {format!(
                                "columns: {}",
                                report.columns.iter().map(|c| format!("{} ← {}", c.field, c.name)).collect::<Vec<_>>().join(", ")
                            )}
                            {report.date_order.map(|order| format!("; dates {order}"))}
                        </p>
                        <ul class="notes">
                            {report.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                            {(!report.ignored_columns.is_empty()).then(|| view! {
                                <li>{format!("ignored columns: {}", report.ignored_columns.join(", "))}</li>
                            })}
                        </ul>
                        {(!dropped.is_empty()).then(|| view! {
                            <h3>{format!("{} row(s) dropped (lenient mode)", report.dropped.len())}</h3>
                            <ul class="problems mono">
                                {dropped.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                                {(n_more > 0).then(|| view! { <li>{format!("… and {n_more} more")}</li> })}
                            </ul>
                        })}
                    </div>
                }
            })}
        </Show>
    }
}

#[component]
fn DatasetTable(busy: RwSignal<Option<Busy>>) -> impl IntoView {
    let ctx = use_app();
    view! {
        <div class="panel">
            <h2>"Stored datasets"</h2>
            <Show
                when=move || ctx.datasets.list.with(|l| !l.is_empty())
                fallback=|| view! { <p class="muted">"No datasets yet: load a file or the demo data."</p> }
            >
                <table>
                    <thead>
                        <tr>
                            <th>"Name"</th><th>"Symbol"</th><th>"Timeframe"</th>
                            <th class="num">"Bars"</th><th>"Range (UTC)"</th><th>"Hash"</th><th>"Source"</th>
                            <th><span class="sr-only">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || ctx.datasets.list.get()
                            key=|r| (r.id.clone(), r.meta.name.clone(), r.meta.symbol.clone())
                            children=move |record| view! { <DatasetRow record=record busy=busy/> }
                        />
                    </tbody>
                </table>
            </Show>
        </div>
    }
}

#[component]
fn DatasetRow(record: DatasetRecord, busy: RwSignal<Option<Busy>>) -> impl IntoView {
    let ctx = use_app();
    let id = record.id.clone();
    let is_selected = {
        let id = id.clone();
        move || {
            ctx.datasets
                .selected
                .with(|s| s.as_deref() == Some(id.as_str()))
        }
    };
    let meta = record.meta.clone();
    let range = format!(
        "{} → {}",
        short_time(meta.first_ts_ms),
        short_time(meta.last_ts_ms)
    );
    // Symbol and timeframe label are the user's to correct (champions are filed under them);
    // the bars and the timeframe in milliseconds are the data's and never change.
    let edit = {
        let record = record.clone();
        move |field: &'static str, text: String| {
            let mut record = record.clone();
            let text: String = text
                .trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(40)
                .collect();
            match field {
                "symbol" => record.meta.symbol = (!text.is_empty()).then_some(text),
                _ if !text.is_empty() => record.meta.timeframe = text,
                _ => return,
            }
            leptos::task::spawn_local(async move {
                if let Some(db) = ctx.db_or_raise() {
                    if let Err(err) = datasets::save_labels(ctx, &db, record).await {
                        ctx.errors.raise("storage", err.to_string());
                    }
                }
            });
        }
    };
    let select = {
        let id = id.clone();
        move |_| ctx.datasets.selected.set(Some(id.clone()))
    };
    let remove = {
        let id = id.clone();
        let name = meta.name.clone();
        move |_| {
            let confirmed = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message(&format!("Delete dataset {name}?"))
                        .ok()
                })
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            let id = id.clone();
            leptos::task::spawn_local(async move {
                if let Some(db) = ctx.db_or_raise() {
                    if let Err(err) = datasets::delete(ctx, &db, &id).await {
                        ctx.errors.raise("storage", err.to_string());
                    }
                }
            });
        }
    };
    let resample = {
        let record = record.clone();
        move |ev: web_sys::Event| {
            let Ok(target_ms) = event_target_value(&ev).parse::<i64>() else {
                return;
            };
            let record = record.clone();
            leptos::task::spawn_local(resample_dataset(ctx, record, target_ms, busy));
        }
    };
    let base_ms = meta.timeframe_ms;
    view! {
        <tr data-testid="dataset-row" class:selected=is_selected>
            <td><button class="link" on:click=select title="Show on the chart">{meta.name.clone()}</button></td>
            <td>
                <input
                    class="symbol"
                    aria-label=format!("Symbol of {}", meta.name)
                    value=meta.symbol.clone().unwrap_or_default()
                    placeholder="symbol"
                    on:change={
                        let edit = edit.clone();
                        move |ev| edit("symbol", event_target_value(&ev))
                    }
                />
            </td>
            <td>
                <input
                    class="timeframe"
                    aria-label=format!("Timeframe label of {}", meta.name)
                    title=format!("Inferred from the data: {}", genesis_engine::data::format_timeframe(meta.timeframe_ms))
                    value=meta.timeframe.clone()
                    on:change=move |ev| edit("timeframe", event_target_value(&ev))
                />
            </td>
            <td class="num">{meta.n_bars}</td>
            <td class="mono">{range}</td>
            <td class="mono" title=meta.hash.0.clone()>{meta.hash.short().to_string()}</td>
            <td>
                {record.source.clone()}
                {(record.n_dropped > 0).then(|| format!(" ({} rows dropped)", record.n_dropped))}
            </td>
            <td class="actions">
                <select aria-label=format!("Resample {}", meta.name) on:change=resample>
                    <option value="">"Resample…"</option>
                    {RESAMPLE_TARGETS
                        .into_iter()
                        .filter(|(_, ms)| *ms > base_ms && ms % base_ms == 0)
                        .map(|(label, ms)| view! { <option value=ms.to_string()>{label}</option> })
                        .collect_view()}
                </select>
                <button class="danger" on:click=remove aria-label=format!("Delete {}", meta.name)>"Delete"</button>
            </td>
        </tr>
    }
}

async fn resample_dataset(
    ctx: AppContext,
    record: DatasetRecord,
    target_ms: i64,
    busy: RwSignal<Option<Busy>>,
) {
    let Some(db) = ctx.db_or_raise() else {
        return;
    };
    if let Err(message) = datasets::open(ctx, &db, &record.id).await {
        ctx.errors.raise("storage", message);
        return;
    }
    let label = format_timeframe(target_ms);
    let name = match &record.meta.symbol {
        Some(symbol) => format!("{symbol}_{label}.csv"),
        None => format!("{} ({label})", record.meta.name),
    };
    busy.set(Some(Busy {
        stage: format!("resampling to {label}"),
        fraction: None,
        job: None,
    }));
    let request = Request::Resample {
        dataset: record.id.clone(),
        target_ms,
        name,
    };
    match ctx.pool().run(request, |_| {}).await {
        Ok(Event::Dataset(payload)) => {
            store(
                ctx,
                *payload,
                format!("resampled from {}", record.meta.name),
            )
            .await
        }
        Ok(other) => ctx
            .errors
            .raise("worker", format!("unexpected answer: {other:?}")),
        Err(err) => ctx.errors.raise("data", err.to_string()),
    }
    busy.set(None);
}

/// The selected dataset's candle chart with overlay toggles; overlays are computed in a
/// worker the first time one is switched on.
#[component]
fn DatasetChart() -> impl IntoView {
    let ctx = use_app();
    let source = RwSignal::new_local(None::<Source>);
    let toggles = RwSignal::new(OverlayToggles::default());
    let overlays = RwSignal::new_local(None::<(String, Rc<OverlaySet>)>);
    let is_computing = RwSignal::new(false);

    // Opens the selected dataset's columns and (re)builds the chart whenever the selection,
    // the toggles or the overlays change.
    Effect::new(move |_| {
        let selected = ctx.datasets.selected.get();
        let toggles_now = toggles.get();
        let overlay_now = overlays.with(|o| {
            o.as_ref()
                .filter(|(id, _)| Some(id) == selected.as_ref())
                .map(|(_, set)| set.clone())
        });
        let Some(id) = selected else {
            source.set(None);
            return;
        };
        if toggles_now.any() && overlay_now.is_none() && !is_computing.get_untracked() {
            leptos::task::spawn_local(compute_overlays(ctx, id.clone(), overlays, is_computing));
        }
        leptos::task::spawn_local(async move {
            let Some(db) = ctx.db.get_untracked() else {
                return;
            };
            match datasets::open(ctx, &db, &id).await {
                Ok(columns) => source.set(Some(Rc::new(PriceChart {
                    columns,
                    overlays: overlay_now,
                    toggles: toggles_now,
                    trade_markers: Vec::new(),
                    plots: Rc::default(),
                }))),
                Err(message) => ctx.errors.raise("storage", message),
            }
        });
    });

    let toggle = move |label: &'static str,
                       get: fn(&OverlayToggles) -> bool,
                       set: fn(&mut OverlayToggles, bool)| {
        view! {
            <label class="inline">
                <input
                    type="checkbox"
                    prop:checked=move || toggles.with(get)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        toggles.update(|t| set(t, on));
                    }
                />
                {format!(" {label}")}
            </label>
        }
    };

    view! {
        <div class="panel" hidden=move || ctx.datasets.selected.with(Option::is_none)>
            <div class="row">
                <h2 class="grow">
                    {move || ctx.datasets.selected.get()
                        .and_then(|id| ctx.datasets.record(&id))
                        .map(|r| format!("{} · {}", r.meta.name, r.meta.timeframe))}
                </h2>
                {toggle("EMA 20/50", |t| t.ema, |t, on| t.ema = on)}
                {toggle("Bollinger 20/2σ", |t| t.bollinger, |t, on| t.bollinger = on)}
                {toggle("Swing points", |t| t.swings, |t, on| t.swings = on)}
                {toggle("Fibonacci levels", |t| t.fib, |t, on| t.fib = on)}
                <Show when=move || is_computing.get()>
                    <span class="muted">"computing features…"</span>
                </Show>
            </div>
            <ChartCanvas test_id="price-chart" label="Candles with volume" source=source/>
        </div>
    }
}

async fn compute_overlays(
    ctx: AppContext,
    id: String,
    overlays: RwSignal<Option<(String, Rc<OverlaySet>)>, LocalStorage>,
    is_computing: RwSignal<bool>,
) {
    is_computing.set(true);
    let Some(db) = ctx.db.get_untracked() else {
        is_computing.set(false);
        return;
    };
    if let Err(message) = datasets::open(ctx, &db, &id).await {
        ctx.errors.raise("storage", message);
        is_computing.set(false);
        return;
    }
    let request = Request::Overlays {
        dataset: id.clone(),
        params: FeatureParams::default(),
    };
    match ctx.pool().run(request, |_| {}).await {
        Ok(Event::Overlays(set)) => overlays.set(Some((id, Rc::from(set)))),
        Ok(other) => ctx
            .errors
            .raise("worker", format!("unexpected answer: {other:?}")),
        Err(err) => ctx.errors.raise("worker", err.to_string()),
    }
    is_computing.set(false);
}
