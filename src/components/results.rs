//! A backtest's results as every page shows them: metric cards, equity with drawdown against
//! buy and hold, the price chart with entries and exits (and a rules config's plots, with
//! its oscillators in a pane below), and the trades; with the Backtest page's state, kept
//! at the app's root so results survive navigation.

use std::rc::Rc;

use genesis_engine::run::RunOutcome;
use genesis_engine::strategy::presets;
use genesis_engine::strategy::rules::functions::Pane;
use genesis_engine::strategy::rules::Plot;
use leptos::prelude::*;

use crate::charts::canvas::{ChartCanvas, Source};
use crate::charts::equity::EquityChart;
use crate::charts::indicators::IndicatorChart;
use crate::charts::price::{Marker, MarkerKind, OverlayToggles, PriceChart};
use crate::components::busy::Busy;
use crate::components::config_editor::ConfigState;
use crate::components::trades::TradesTable;
use crate::sharing::links::SharedSetup;

/// A finished run and what it ran on, for the charts.
#[derive(Clone)]
pub struct RunView {
    pub outcome: Rc<RunOutcome>,
    /// A rules config's plots over every bar of the dataset (empty for other strategies).
    pub plots: Rc<Vec<Plot>>,
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
pub fn Results(run: RwSignal<Option<RunView>, LocalStorage>) -> impl IntoView {
    let equity_source = RwSignal::new_local(None::<Source>);
    let price_source = RwSignal::new_local(None::<Source>);
    let indicator_source = RwSignal::new_local(None::<Source>);
    // The indicator pane zooms and pans with the price chart: they show the same bars.
    let price_view = RwSignal::new(0..0_usize);
    Effect::new(move |_| {
        run.with(|view| match view {
            Some(view) => {
                equity_source.set(equity_chart(view).map(|c| Rc::new(c) as Source));
                price_source.set(Some(Rc::new(price_chart(view)) as Source));
                let has_below = view.plots.iter().any(|p| p.pane == Pane::Below);
                indicator_source.set(has_below.then(|| {
                    Rc::new(IndicatorChart {
                        columns: view.columns.clone(),
                        plots: view.plots.clone(),
                    }) as Source
                }));
            }
            None => {
                equity_source.set(None);
                price_source.set(None);
                indicator_source.set(None);
            }
        })
    });
    let plots = move || run.with(|r| r.as_ref().map(|r| r.plots.clone()).unwrap_or_default());
    view! {
        <Show when=move || run.with(Option::is_some)>
            {move || run.get().map(|view| view! {
                <MetricCards outcome=view.outcome.clone()/>
                <PerformanceSummary outcome=view.outcome.clone()/>
            })}
            <div class="panel">
                <h2>"Equity and drawdown"</h2>
                <ChartCanvas test_id="equity-chart" label="Equity curve with drawdown" height=360 source=equity_source/>
            </div>
            <div class="panel">
                <h2>"Price with entries (triangles) and exits (crosses)"</h2>
                <PlotLegend plots=Signal::derive_local(plots)/>
                <ChartCanvas test_id="price-chart" label="Candles with trade markers" source=price_source view=price_view/>
                <Show when=move || indicator_source.with(Option::is_some)>
                    <ChartCanvas
                        test_id="indicator-pane"
                        label="The rules' oscillators, on the price chart's bars"
                        height=200
                        source=indicator_source
                        view=price_view
                    />
                </Show>
            </div>
            {move || run.get().map(|view| view! {
                <TradesTable trades=Rc::new(view.outcome.report.trades.clone())/>
            })}
        </Show>
    }
}

/// The names of a rules config's plots in their chart colours, and where each is drawn.
#[component]
fn PlotLegend(plots: Signal<Rc<Vec<Plot>>, LocalStorage>) -> impl IntoView {
    view! {
        <Show when=move || plots.with(|p| !p.is_empty())>
            <ul class="plot-legend" data-testid="plot-legend" aria-label="Plotted series">
                {move || plots.get().iter().enumerate().map(|(index, plot)| {
                    let pane = match plot.pane {
                        Pane::Price => "on the price",
                        Pane::Below => "in the pane below",
                    };
                    view! {
                        <li>
                            <span class=format!("swatch swatch-{}", index % crate::charts::theme::PALETTE.len()) aria-hidden="true"></span>
                            <code>{plot.name.clone()}</code>
                            <span class="muted small">{format!(" {pane}")}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
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
        plots: view.plots.clone(),
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
            "compound annual growth over the window's calendar time",
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
            "backtesting.py's: annual return over max drawdown",
        ),
        (
            "Annual return",
            "metric-annual-return",
            m.annual_return.map_or_else(|| "n/a".into(), pct),
            "backtesting.py's Return (Ann.): geometric mean daily return over the trading year",
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
            "bars during which a position was held, as backtesting.py counts",
        ),
        ("SQN", "metric-sqn", ratio(m.sqn), "system quality number"),
        (
            "Buy and hold",
            "metric-buy-hold",
            pct(m.buy_and_hold_return),
            "the window's last close over its first close (the equity chart's line)",
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
            <ul class="notes" data-testid="run-notes">
                {outcome.report.notes.iter().map(|note| view! { <li class="note">{note.clone()}</li> }).collect_view()}
            </ul>
            <p class="muted" data-testid="annualisation">
                {format!(
                    "Annualised {:?}: {:.1} periods a year ({:?} calendar, {:.0} trading days a year, {:.1} bars a day). {} bars in the window, first decision at bar {} (the strategy's warm-up is {} bars). Config fingerprint {}, dataset {}.",
                    annual.convention,
                    annual.periods_per_year,
                    annual.calendar,
                    annual.days_per_year,
                    annual.bars_per_day,
                    m.n_bars,
                    outcome.report.first_decision_bar,
                    outcome.report.warm_up_bars,
                    &outcome.config_fingerprint[..12.min(outcome.config_fingerprint.len())],
                    outcome.dataset_hash.short(),
                )}
            </p>
        </div>
    }
}

/// TradingView's performance summary: all trades, longs and shorts side by side.
#[component]
pub fn PerformanceSummary(outcome: Rc<RunOutcome>) -> impl IntoView {
    let summary = outcome.report.metrics.summary;
    let columns = [summary.all, summary.long, summary.short];
    let money = |v: f64| format!("{v:.2}");
    let rows: Vec<(&str, [String; 3])> = vec![
        (
            "Net profit",
            columns.map(|c| format!("{} ({})", money(c.net_profit), pct(c.net_profit_frac))),
        ),
        ("Gross profit", columns.map(|c| money(c.gross_profit))),
        ("Gross loss", columns.map(|c| money(c.gross_loss))),
        ("Commission paid", columns.map(|c| money(c.commission_paid))),
        ("Trades", columns.map(|c| c.n_trades.to_string())),
        (
            "Winning / losing",
            columns.map(|c| format!("{} / {}", c.n_wins, c.n_losses)),
        ),
        ("Win rate", columns.map(|c| pct(c.win_rate))),
        ("Profit factor", columns.map(|c| ratio(c.profit_factor))),
        (
            "Avg trade",
            columns.map(|c| format!("{} ({})", money(c.avg_trade), pct(c.avg_trade_return))),
        ),
        (
            "Avg win / avg loss",
            columns.map(|c| format!("{} / {}", money(c.avg_win), money(c.avg_loss))),
        ),
        (
            "Ratio avg win / avg loss",
            columns.map(|c| ratio(c.win_loss_ratio)),
        ),
        (
            "Largest win",
            columns.map(|c| format!("{} ({})", money(c.largest_win), pct(c.largest_win_return))),
        ),
        (
            "Largest loss",
            columns.map(|c| format!("{} ({})", money(c.largest_loss), pct(c.largest_loss_return))),
        ),
        (
            "Max run-up (a trade)",
            columns.map(|c| format!("{} ({})", money(c.max_run_up), pct(c.max_run_up_frac))),
        ),
        (
            "Max drawdown (a trade)",
            columns.map(|c| format!("{} ({})", money(c.max_drawdown), pct(c.max_drawdown_frac))),
        ),
        (
            "Avg bars held",
            columns.map(|c| format!("{:.1}", c.avg_bars_held)),
        ),
    ];
    view! {
        <div class="panel">
            <h2 id="performance-summary-title">"Performance summary"</h2>
            // Focusable so a keyboard can scroll it on a narrow screen (axe: scrollable-region-focusable).
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="performance-summary-title">
                <table data-testid="performance-summary">
                    <thead>
                        <tr><th>""</th><th class="num">"All"</th><th class="num">"Long"</th><th class="num">"Short"</th></tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|(label, values)| view! {
                            <tr>
                                <th scope="row">{label}</th>
                                {values.into_iter().map(|v| view! { <td class="num">{v}</td> }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
    }
}
