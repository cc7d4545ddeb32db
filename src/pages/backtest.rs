//! The Backtest page: pick a dataset and a strategy preset, edit the config (a form for the
//! common keys that writes into the YAML text, and the text itself, validated by the engine
//! in a worker as you type), run it in a worker, and read the metric cards, the equity with
//! drawdown, the price chart with entries and exits, and the trades.

use std::rc::Rc;

use genesis_engine::run::RunOutcome;
use genesis_engine::strategy::presets;
use leptos::prelude::*;

use crate::app::{use_app, AppContext};
use crate::charts::canvas::{ChartCanvas, Source};
use crate::charts::equity::EquityChart;
use crate::charts::price::{Marker, MarkerKind, OverlayToggles, PriceChart};
use crate::components::config_editor::{ConfigEditor, ConfigState};
use crate::components::trades::TradesTable;
use crate::datasets;
use crate::pages::data::{Busy, BusyBar};
use crate::pool::PoolError;
use crate::protocol::{Event, Request};
use crate::share::{self, SharedSetup};
use crate::timefmt::parse_date_input;

/// A finished run and what it ran on, for the charts.
#[derive(Clone)]
pub struct RunView {
    pub outcome: Rc<RunOutcome>,
    pub columns: Rc<genesis_engine::data::Columns>,
}

/// The Backtest page's state, kept at the app's root so results survive navigation and a
/// shared link or the demo can drive the page.
#[derive(Clone, Copy)]
pub struct BacktestState {
    pub config: ConfigState,
    pub from_date: RwSignal<String>,
    pub to_date: RwSignal<String>,
    pub busy: RwSignal<Option<Busy>>,
    pub run: RwSignal<Option<RunView>, LocalStorage>,
    /// Run as soon as this dataset is selected and the config is valid (shared links, demo).
    pub pending: RwSignal<Option<String>>,
    /// A shared link whose dataset is not stored in this browser.
    pub missing: RwSignal<Option<SharedSetup>>,
}

impl BacktestState {
    pub fn new() -> BacktestState {
        BacktestState {
            config: ConfigState::new(presets::PRESETS[0].0),
            from_date: RwSignal::new(String::new()),
            to_date: RwSignal::new(String::new()),
            busy: RwSignal::new(None),
            run: RwSignal::new_local(None),
            pending: RwSignal::new(None),
            missing: RwSignal::new(None),
        }
    }
}

impl Default for BacktestState {
    fn default() -> Self {
        BacktestState::new()
    }
}

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
            let fragment = share::encode(&setup);
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
fn shared_setup(ctx: AppContext) -> Result<SharedSetup, String> {
    let state = ctx.backtest;
    let id = ctx
        .datasets
        .selected
        .get_untracked()
        .ok_or("choose a dataset first")?;
    let record = ctx
        .datasets
        .record(&id)
        .ok_or("the selected dataset is not stored")?;
    let check = state
        .config
        .check
        .get_untracked()
        .ok_or("the config is still being checked")?
        .map_err(|e| format!("the config is not valid: {e}"))?;
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
    match share::decode(hash) {
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
) -> Result<String, String> {
    let name = file.name();
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("{name}: the browser could not read the file: {e:?}"))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let request = Request::ParseFile {
        name: name.clone(),
        bytes,
        is_lenient: false,
    };
    let payload = match ctx.pool().run(request, |_| {}).await {
        Ok(Event::Dataset(payload)) => payload,
        Ok(other) => return Err(format!("unexpected answer: {other:?}")),
        Err(err) => return Err(err.to_string()),
    };
    if payload.meta.hash.0 != expected {
        return Err(format!(
            "{name}: its candles hash to {}, but the link needs {}: it is not the same data",
            payload.meta.hash.short(),
            &expected[..12.min(expected.len())]
        ));
    }
    let db = ctx
        .db
        .get_untracked()
        .ok_or("the browser database is not open")?;
    let source = payload
        .report
        .as_ref()
        .map_or_else(|| "file".to_string(), |r| r.layout.to_string());
    match datasets::add(ctx, &db, *payload, source)
        .await
        .map_err(|e| e.to_string())?
    {
        datasets::Added::New(record) | datasets::Added::AlreadyStored(record) => Ok(record.id),
    }
}

/// The dataset every page works on (shared with the Data page's selection); the first
/// stored dataset is chosen when none is.
#[component]
pub fn DatasetSelect() -> impl IntoView {
    let ctx = use_app();
    Effect::new(move |_| {
        if ctx.datasets.selected.with(Option::is_none) {
            if let Some(first) = ctx.datasets.list.with(|l| l.first().map(|r| r.id.clone())) {
                ctx.datasets.selected.set(Some(first));
            }
        }
    });
    view! {
        <label>
            "Dataset"
            <select
                data-testid="dataset-select"
                on:change=move |ev| {
                    let id = event_target_value(&ev);
                    ctx.datasets.selected.set((!id.is_empty()).then_some(id));
                }
            >
                <option value="" selected=move || ctx.datasets.selected.with(Option::is_none)>
                    {move || if ctx.datasets.list.with(Vec::is_empty) {
                        "no datasets: load one on the Data page"
                    } else {
                        "choose a dataset"
                    }}
                </option>
                <For
                    each=move || ctx.datasets.list.get()
                    key=|r| (r.id.clone(), r.meta.name.clone())
                    children=move |r| {
                        let id = r.id.clone();
                        let is_selected = move || ctx.datasets.selected.with(|s| s.as_deref() == Some(id.as_str()));
                        view! {
                            <option value=r.id.clone() selected=is_selected>
                                {format!("{} · {} · {} bars", r.meta.name, r.meta.timeframe, r.meta.n_bars)}
                            </option>
                        }
                    }
                />
            </select>
        </label>
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
        Ok(Event::Backtest(outcome)) => run.set(Some(RunView {
            outcome: Rc::from(outcome),
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

#[component]
pub fn Results(run: RwSignal<Option<RunView>, LocalStorage>) -> impl IntoView {
    let equity_source = RwSignal::new_local(None::<Source>);
    let price_source = RwSignal::new_local(None::<Source>);
    Effect::new(move |_| {
        run.with(|view| match view {
            Some(view) => {
                equity_source.set(equity_chart(view).map(|c| Rc::new(c) as Source));
                price_source.set(Some(Rc::new(price_chart(view)) as Source));
            }
            None => {
                equity_source.set(None);
                price_source.set(None);
            }
        })
    });
    view! {
        <Show when=move || run.with(Option::is_some)>
            {move || run.get().map(|view| view! { <MetricCards outcome=view.outcome.clone()/> })}
            <div class="panel">
                <h2>"Equity and drawdown"</h2>
                <ChartCanvas test_id="equity-chart" label="Equity curve with drawdown" height=360 source=equity_source/>
            </div>
            <div class="panel">
                <h2>"Price with entries (triangles) and exits (crosses)"</h2>
                <ChartCanvas test_id="price-chart" label="Candles with trade markers" source=price_source/>
            </div>
            {move || run.get().map(|view| view! {
                <TradesTable trades=Rc::new(view.outcome.report.trades.clone())/>
            })}
        </Show>
    }
}

fn equity_chart(view: &RunView) -> Option<EquityChart> {
    let curve = view.outcome.report.equity_curve.as_ref()?;
    let close = &view.columns.close;
    let first = curve.first_bar_idx;
    let base_close = *close.get(first)?;
    let initial = view.outcome.report.metrics.initial_equity;
    let benchmark = (0..curve.equity.len())
        .map(|k| {
            close
                .get(first + k)
                .map_or(f64::NAN, |c| initial * c / base_close)
        })
        .collect();
    Some(EquityChart {
        ts_ms: Rc::new(view.columns.ts_ms.clone()),
        first_bar: first,
        equity: curve.equity.clone(),
        drawdown: curve.drawdown.clone(),
        benchmark,
    })
}

fn price_chart(view: &RunView) -> PriceChart {
    use genesis_engine::backtest::Side;
    let mut markers = Vec::with_capacity(view.outcome.report.trades.len() * 2);
    for trade in &view.outcome.report.trades {
        markers.push(Marker {
            bar: trade.entry_bar_idx,
            price: trade.entry_price,
            kind: match trade.side {
                Side::Long => MarkerKind::EntryLong,
                Side::Short => MarkerKind::EntryShort,
            },
        });
        markers.push(Marker {
            bar: trade.exit_bar_idx,
            price: trade.exit_price,
            kind: MarkerKind::Exit,
        });
    }
    PriceChart {
        columns: view.columns.clone(),
        overlays: None,
        toggles: OverlayToggles::default(),
        trade_markers: markers,
    }
}

/// Percent with two decimals.
pub fn pct(value: f64) -> String {
    format!("{:.2}%", value * 100.0)
}

/// A ratio that may be undefined (no volatility, no losing trade).
pub fn ratio(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_string(), |v| format!("{v:.3}"))
}

#[component]
pub fn MetricCards(outcome: Rc<RunOutcome>) -> impl IntoView {
    let m = &outcome.report.metrics;
    let e = &outcome.evaluation;
    let cards: Vec<(&str, &str, String, &str)> = vec![
        (
            "Total return",
            "metric-total-return",
            pct(m.total_return),
            "final equity over initial, minus 1",
        ),
        (
            "Sharpe",
            "metric-sharpe",
            ratio(m.sharpe),
            "annualised, per-bar returns, no risk-free rate",
        ),
        (
            "Max drawdown",
            "metric-max-drawdown",
            pct(m.max_drawdown),
            "largest fall from a running peak",
        ),
        (
            "Trades",
            "metric-trades",
            m.n_trades.to_string(),
            "closed trades",
        ),
        (
            "Score",
            "metric-score",
            format!("{:.4}", e.score.score),
            "sharpe + total return + 0.25·return/DD + clip(win rate − 0.4)",
        ),
        (
            "CAGR",
            "metric-cagr",
            m.cagr.map_or_else(|| "n/a".into(), pct),
            "compound annual growth",
        ),
        (
            "Sortino",
            "metric-sortino",
            ratio(m.sortino),
            "downside deviation against 0",
        ),
        (
            "Calmar",
            "metric-calmar",
            ratio(m.calmar),
            "CAGR over max drawdown",
        ),
        (
            "Volatility",
            "metric-volatility",
            pct(m.annual_volatility),
            "annualised",
        ),
        (
            "Win rate",
            "metric-win-rate",
            pct(m.win_rate),
            "winning trades",
        ),
        (
            "Profit factor",
            "metric-profit-factor",
            ratio(m.profit_factor),
            "gross profit over gross loss",
        ),
        (
            "Expectancy",
            "metric-expectancy",
            format!("{:.2}", m.expectancy),
            "mean P&L per trade",
        ),
        (
            "Avg trade",
            "metric-avg-trade",
            pct(m.avg_trade),
            "mean return per trade",
        ),
        (
            "Best / worst",
            "metric-best-worst",
            format!("{} / {}", pct(m.best_trade), pct(m.worst_trade)),
            "trade returns",
        ),
        (
            "Avg bars held",
            "metric-avg-bars",
            format!("{:.1}", m.avg_bars_held),
            "bars per trade",
        ),
        (
            "Exposure",
            "metric-exposure",
            pct(m.exposure),
            "closes with a position open",
        ),
        ("SQN", "metric-sqn", ratio(m.sqn), "system quality number"),
        (
            "Buy and hold",
            "metric-buy-hold",
            pct(m.buy_and_hold_return),
            "over the same bars",
        ),
        (
            "Return / DD",
            "metric-return-to-dd",
            format!("{:.3}", m.return_to_dd),
            "guarded: drawdown floored at 2 %",
        ),
        (
            "DD duration",
            "metric-dd-duration",
            format!("{} bars", m.max_drawdown_duration_bars),
            "longest drawdown",
        ),
    ];
    let verdict = if e.is_feasible {
        "Feasible: every constraint holds.".to_string()
    } else {
        format!("Infeasible: {}", e.reasons.join("; "))
    };
    let annual = &m.annualisation;
    view! {
        <div class="panel">
            <div class="metrics">
                {cards.into_iter().map(|(label, id, value, help)| view! {
                    <div class="metric" title=help>
                        <div class="label">{label}</div>
                        <div class="value" data-testid=id>{value}</div>
                    </div>
                }).collect_view()}
            </div>
            <p class="muted" data-testid="constraints">{verdict}</p>
            <p class="muted">
                {format!(
                    "Annualised with {:.1} periods a year ({:?}). {} bars in the window, first decision at bar {}. Config fingerprint {}, dataset {}.",
                    annual.periods_per_year,
                    annual.convention,
                    m.n_bars,
                    outcome.report.first_decision_bar,
                    &outcome.config_fingerprint[..12.min(outcome.config_fingerprint.len())],
                    outcome.dataset_hash.short(),
                )}
            </p>
        </div>
    }
}
