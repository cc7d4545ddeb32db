//! The Optimize page's walk-forward tab below the set-up: the runs kept in this browser
//! (open, resume), and the open run: its headline figures, the fold timeline over the
//! price, the stitched out-of-sample equity against buy and hold, the fold table (each
//! fold's choice can be replayed bit for bit), parameter stability, and exports.

use std::rc::Rc;

use genesis_study::walkforward::report::folds_csv;
use leptos::prelude::*;

use crate::charts::plot::{PlotCanvas, PlotHandle};
use crate::charts::study::walkforward::{stitched_buy_and_hold, StitchedChart, TimelineChart};
use crate::context::use_app;
use crate::storage::datasets;
use crate::studies::records::StudyStatus;
use crate::studies::walkforward::{self, OpenWalkForward, WalkForwardRow};
use crate::util::dom::download;

fn pct(x: f64) -> String {
    format!("{:.2} %", 100.0 * x)
}

fn opt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "—".to_string(), |x| format!("{x:.digits$}"))
}

#[component]
pub fn WalkForwardView() -> impl IntoView {
    let ctx = use_app();
    let state = ctx.walkforwards;
    Effect::new(move |_| {
        if ctx.db.with(Option::is_some) {
            leptos::task::spawn_local(walkforward::refresh_list(ctx));
        }
    });
    view! {
        <p data-testid="wf-progress" class="mono">{move || state.stage.get()}</p>
        <div class="panel">
            <h2>"Walk-forward runs"</h2>
            <Show
                when=move || state.list.with(|l| !l.is_empty())
                fallback=|| view! { <p class="muted">"No walk-forward runs yet."</p> }
            >
                <table>
                    <thead><tr><th>"Name"</th><th>"Dataset"</th><th class="num">"Folds"</th><th>"Status"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                    <tbody>
                        <For
                            each=move || state.list.get()
                            key=|row| (row.id.clone(), row.n_done, row.status.clone())
                            children=move |row| view! { <RunRow row=row/> }
                        />
                    </tbody>
                </table>
            </Show>
        </div>
        {move || state.open.get().map(|run| view! { <OpenRun run=run/> })}
    }
}

#[component]
fn RunRow(row: WalkForwardRow) -> impl IntoView {
    let ctx = use_app();
    let state = ctx.walkforwards;
    let n_folds = row.header.folds.len();
    let id = row.id.clone();
    let is_this_running = {
        let id = id.clone();
        move || state.running.with(|r| r.as_deref() == Some(id.as_str()))
    };
    let status = {
        let is_this_running = is_this_running.clone();
        let status = row.status.clone();
        let n_done = row.n_done;
        move || match (&status, is_this_running()) {
            (_, true) => "running".to_string(),
            (StudyStatus::Running, false) if n_done < n_folds => {
                "interrupted (resumable)".to_string()
            }
            _ => "finished".to_string(),
        }
    };
    let open = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                if let Err(message) = walkforward::open(ctx, &id).await {
                    ctx.errors.raise("walk-forward", message);
                }
            });
        }
    };
    let resume = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                let n_workers = ctx.pool().size().max(crate::workers::pool::default_size());
                if let Err(message) = walkforward::resume(ctx, &id, n_workers).await {
                    state.running.set(None);
                    ctx.errors.raise("walk-forward", message);
                }
            });
        }
    };
    let can_resume = row.n_done < n_folds;
    view! {
        <tr data-testid="wf-row">
            <td><button class="link" data-testid="wf-open" on:click=open>{row.name.clone()}</button></td>
            <td>{row.dataset_name.clone()}</td>
            <td class="num" data-testid="wf-row-folds">{format!("{} / {n_folds}", row.n_done)}</td>
            <td data-testid="wf-row-status">{status}</td>
            <td class="actions">
                <button data-testid="wf-resume" disabled=move || !can_resume || state.running.with(Option::is_some) on:click=resume>"Resume"</button>
            </td>
        </tr>
    }
}

#[component]
fn OpenRun(run: OpenWalkForward) -> impl IntoView {
    let ctx = use_app();
    let timeline = RwSignal::new_local(None::<PlotHandle>);
    let equity = RwSignal::new_local(None::<PlotHandle>);
    let report = run.report.clone();
    // The charts need the closes: the dataset's columns, read from storage.
    {
        let run = run.clone();
        leptos::task::spawn_local(async move {
            let Some(db) = ctx.db_or_raise() else {
                return;
            };
            match datasets::open(ctx, &db, &run.row.dataset_id).await {
                Ok(columns) => {
                    let done: Vec<_> = run.log.outcomes.iter().flatten().collect();
                    let tests: Vec<_> = done
                        .iter()
                        .map(|o| o.test.from_bar..o.test.to_bar)
                        .collect();
                    let folds = run
                        .row
                        .header
                        .folds
                        .iter()
                        .map(|f| (f.train.clone(), f.test.clone()))
                        .collect();
                    timeline.set(Some(Rc::new(TimelineChart::new(
                        &columns.close,
                        &columns.ts_ms,
                        folds,
                    )) as PlotHandle));
                    let initial = run.row.header.base_config.backtest().initial_cash;
                    let bh = stitched_buy_and_hold(&columns.close, &tests, initial);
                    let lengths: Vec<usize> = tests.iter().map(|t| t.len()).collect();
                    equity.set(Some(
                        Rc::new(StitchedChart::new(&run.report.equity, &bh, &lengths))
                            as PlotHandle,
                    ));
                }
                Err(message) => ctx.errors.raise("walk-forward", message),
            }
        });
    }
    let s = report.stitched.clone();
    let e = report.efficiency.clone();
    let efficiency = match (e.ratio, e.note.clone()) {
        (Some(ratio), _) => format!(
            "Walk-forward efficiency {ratio:.3}: out-of-sample CAGR {} over the chosen trials' mean in-sample CAGR {}.",
            opt(e.out_of_sample_cagr.map(|x| 100.0 * x), 2) + " %",
            opt(e.in_sample_cagr.map(|x| 100.0 * x), 2) + " %"
        ),
        (None, Some(note)) => format!("Walk-forward efficiency: none — {note}."),
        (None, None) => "Walk-forward efficiency: none.".to_string(),
    };
    let export_json = {
        let report = report.clone();
        move |_| {
            let text = serde_json::to_string_pretty(&*report).unwrap_or_default();
            if let Err(message) = download("walkforward_report.json", "application/json", &text) {
                ctx.errors.raise("export", message);
            }
        }
    };
    let export_csv = {
        let report = report.clone();
        move |_| {
            if let Err(message) = download("walkforward_folds.csv", "text/csv", &folds_csv(&report))
            {
                ctx.errors.raise("export", message);
            }
        }
    };
    let run = StoredValue::new_local(run);
    let export_bundle = move |ev: web_sys::Event| {
        let choice = event_target_value(&ev);
        if let Some(select) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(t).ok())
        {
            select.set_value("");
        }
        if choice.is_empty() {
            return;
        }
        let open = run.get_value();
        leptos::task::spawn_local(async move {
            if let Err(message) =
                walkforward::export_bundle(ctx, &open, choice == "bundle-data").await
            {
                ctx.errors.raise("export", message);
            }
        });
    };
    view! {
        <div class="panel" data-testid="wf-open-run">
            <div class="row">
                <h2 class="grow">{format!("{} · {} of {} folds", report.name, report.n_done, report.n_folds)}</h2>
                <button data-testid="wf-export-json" on:click=export_json>"Report (JSON)"</button>
                <button data-testid="wf-export-csv" on:click=export_csv>"Fold table (CSV)"</button>
                <select aria-label="Export the run as a bundle" data-testid="wf-export-bundle" on:change=export_bundle>
                    <option value="">"Bundle…"</option>
                    <option value="bundle">"Walk-forward bundle"</option>
                    <option value="bundle-data">"Walk-forward bundle with dataset"</option>
                </select>
            </div>
            <table class="figures" data-testid="wf-headline">
                <tbody>
                    <tr><th scope="row">"Out of sample, stitched"</th>
                        <td class="num mono" data-testid="wf-return">{pct(s.total_return)}</td>
                        <td class="muted">{format!("CAGR {} · {} bars · {} trades · max drawdown {}", s.cagr.map_or("—".into(), pct), s.n_bars, s.n_trades, pct(s.max_drawdown))}</td></tr>
                    <tr><th scope="row">"Sharpe"</th>
                        <td class="num mono">{opt(s.sharpe_annualised, 3)}</td>
                        <td class="muted">{format!("annualised; per bar {}, t = {}, PSR {}", opt(s.sharpe_per_bar, 4), opt(s.sharpe_t_stat, 2), opt(s.psr, 4))}</td></tr>
                    <tr><th scope="row">"Buy and hold, same windows"</th>
                        <td class="num mono" data-testid="wf-buy-and-hold">{pct(report.buy_and_hold_return)}</td>
                        <td class="muted">{format!("CAGR {}", report.buy_and_hold_cagr.map_or("—".into(), pct))}</td></tr>
                </tbody>
            </table>
            <p data-testid="wf-efficiency">{efficiency}</p>
        </div>
        <div class="panel">
            <h2>"Folds over the price (train blue, test green)"</h2>
            <PlotCanvas test_id="wf-timeline" label="The close price, and each fold's train and test windows" source=timeline/>
        </div>
        <div class="panel">
            <h2>"Stitched out-of-sample equity against buy and hold"</h2>
            <PlotCanvas test_id="wf-equity" label="The equity of the test windows stitched together, against buy and hold over the same windows" source=equity/>
        </div>
        <div class="panel">
            <h2>"Folds"</h2>
            <div class="table-scroll">
                <table data-testid="wf-folds">
                    <thead><tr>
                        <th class="num">"Fold"</th><th>"Train bars"</th><th>"Test from"</th><th class="num">"Trial"</th>
                        <th class="num">"In-sample score"</th><th class="num">"Test return"</th><th class="num">"Test Sharpe"</th>
                        <th class="num">"Trades"</th><th class="num">"Buy and hold"</th><th class="num">"DSR"</th><th class="num">"PBO"</th>
                        <th>"Parameters"</th><th><span class="sr-only">"Replay"</span></th>
                    </tr></thead>
                    <tbody>
                        {report.folds.iter().map(|row| {
                            let fold = row.fold - 1;
                            let verdict = RwSignal::new(String::new());
                            let replay = move |_| {
                                verdict.set("replaying…".into());
                                leptos::task::spawn_local(async move {
                                    let open = run.get_value();
                                    let text = match walkforward::replay_fold(ctx, &open, fold).await {
                                        Ok(true) => "identical".to_string(),
                                        Ok(false) => "DIFFERS".to_string(),
                                        Err(err) => format!("failed: {err}"),
                                    };
                                    verdict.set(text);
                                });
                            };
                            view! {
                                <tr data-testid="wf-fold-row">
                                    <td class="num">{row.fold}</td>
                                    <td class="mono">{format!("{}..{}", row.train.0, row.train.1)}</td>
                                    <td class="mono">{genesis_engine::data::timestamp::format_iso_ms(row.test_start_ms)}</td>
                                    <td class="num">{row.trial.map_or("—".into(), |t| t.to_string())}</td>
                                    <td class="num">{opt(row.in_sample_score, 4)}</td>
                                    <td class="num">{pct(row.test_return)}</td>
                                    <td class="num">{opt(row.test_sharpe, 3)}</td>
                                    <td class="num">{row.n_trades}</td>
                                    <td class="num">{pct(row.buy_and_hold_return)}</td>
                                    <td class="num">{opt(row.dsr, 3)}</td>
                                    <td class="num">{opt(row.pbo, 3)}</td>
                                    <td class="mono small">{row.params.clone()}{row.note.clone().map(|n| format!(" ({n})"))}</td>
                                    <td class="actions">
                                        <button data-testid="wf-replay" on:click=replay>"Replay"</button>
                                        <span data-testid="wf-replay-verdict">{move || verdict.get()}</span>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
        <div class="panel">
            <h2>"Parameters across folds"</h2>
            <table data-testid="wf-stability">
                <thead><tr><th>"Parameter"</th><th>"Per fold"</th><th class="num">"Mean"</th><th class="num">"Std"</th><th class="num">"CV"</th><th class="num">"Most common"</th></tr></thead>
                <tbody>
                    {report.stability.iter().map(|p| {
                        let values: Vec<&str> = p.values.iter().map(|v| v.as_deref().unwrap_or("—")).collect();
                        view! {
                            <tr>
                                <td class="mono">{p.path.clone()}</td>
                                <td class="mono small">{values.join(", ")}</td>
                                <td class="num">{opt(p.mean, 3)}</td>
                                <td class="num">{opt(p.std, 3)}</td>
                                <td class="num">{opt(p.coefficient_of_variation, 3)}</td>
                                <td class="num">{format!("{:.0} %", 100.0 * p.mode_share)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
