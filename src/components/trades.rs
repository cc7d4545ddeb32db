//! The trades table: sortable by any column, exported as CSV with every trade.

use std::rc::Rc;

use genesis_engine::backtest::{Side, Trade};
use leptos::prelude::*;

use crate::util::dom::download;
use crate::util::timefmt::short_time;

/// Rows rendered at once; the CSV export has them all.
const MAX_ROWS: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Number,
    Side,
    Entry,
    EntryPrice,
    Exit,
    ExitPrice,
    Units,
    Pnl,
    Return,
    Bars,
    RunUp,
    Drawdown,
    Reason,
}

const COLUMNS: [(Column, &str, bool); 13] = [
    (Column::Number, "#", true),
    (Column::Side, "Side", false),
    (Column::Entry, "Entry (UTC)", false),
    (Column::EntryPrice, "Entry price", true),
    (Column::Exit, "Exit (UTC)", false),
    (Column::ExitPrice, "Exit price", true),
    (Column::Units, "Units", true),
    (Column::Pnl, "P&L", true),
    (Column::Return, "Return", true),
    (Column::Bars, "Bars", true),
    (Column::RunUp, "Run-up", true),
    (Column::Drawdown, "Drawdown", true),
    (Column::Reason, "Exit reason", false),
];

fn side(trade: &Trade) -> &'static str {
    match trade.side {
        Side::Long => "long",
        Side::Short => "short",
    }
}

fn reason(trade: &Trade) -> String {
    serde_json::to_value(trade.exit_reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{:?}", trade.exit_reason))
}

fn compare(column: Column, a: &(usize, &Trade), b: &(usize, &Trade)) -> std::cmp::Ordering {
    let (ia, ta) = a;
    let (ib, tb) = b;
    match column {
        Column::Number => ia.cmp(ib),
        Column::Side => side(ta).cmp(side(tb)),
        Column::Entry => ta.entry_ts_ms.cmp(&tb.entry_ts_ms),
        Column::EntryPrice => ta.entry_price.total_cmp(&tb.entry_price),
        Column::Exit => ta.exit_ts_ms.cmp(&tb.exit_ts_ms),
        Column::ExitPrice => ta.exit_price.total_cmp(&tb.exit_price),
        Column::Units => ta.units.total_cmp(&tb.units),
        Column::Pnl => ta.pnl.total_cmp(&tb.pnl),
        Column::Return => ta.return_frac.total_cmp(&tb.return_frac),
        Column::Bars => ta.bars_held.cmp(&tb.bars_held),
        Column::RunUp => ta.run_up.total_cmp(&tb.run_up),
        Column::Drawdown => ta.drawdown.total_cmp(&tb.drawdown),
        Column::Reason => reason(ta).cmp(&reason(tb)),
    }
}

/// Every trade as CSV, numbers at full precision.
pub fn trades_csv(trades: &[Trade]) -> String {
    let mut out = String::from(
        "number,side,entry_time,entry_ts_ms,entry_price,exit_time,exit_ts_ms,exit_price,units,pnl,return,bars_held,run_up,run_up_frac,drawdown,drawdown_frac,exit_reason\n",
    );
    for (i, t) in trades.iter().enumerate() {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            i + 1,
            side(t),
            short_time(t.entry_ts_ms),
            t.entry_ts_ms,
            t.entry_price,
            short_time(t.exit_ts_ms),
            t.exit_ts_ms,
            t.exit_price,
            t.units,
            t.pnl,
            t.return_frac,
            t.bars_held,
            t.run_up,
            t.run_up_frac,
            t.drawdown,
            t.drawdown_frac,
            reason(t)
        ));
    }
    out
}

#[component]
pub fn TradesTable(trades: Rc<Vec<Trade>>) -> impl IntoView {
    let sort = RwSignal::new((Column::Number, true));
    let n_trades = trades.len();
    let trades = StoredValue::new_local(trades);
    let rows = move || {
        trades.with_value(|trades| {
            let (column, is_ascending) = sort.get();
            let mut rows: Vec<(usize, &Trade)> = trades.iter().enumerate().collect();
            rows.sort_by(|a, b| {
                let order = compare(column, a, b);
                if is_ascending {
                    order
                } else {
                    order.reverse()
                }
            });
            rows.into_iter()
                .take(MAX_ROWS)
                .map(|(i, t)| {
                    let pnl_class = if t.pnl >= 0.0 { "num up" } else { "num down" };
                    view! {
                        <tr>
                            <td class="num">{i + 1}</td>
                            <td>{side(t)}</td>
                            <td class="mono">{short_time(t.entry_ts_ms)}</td>
                            <td class="num">{format!("{:.2}", t.entry_price)}</td>
                            <td class="mono">{short_time(t.exit_ts_ms)}</td>
                            <td class="num">{format!("{:.2}", t.exit_price)}</td>
                            <td class="num">{format!("{:.4}", t.units)}</td>
                            <td class=pnl_class>{format!("{:.2}", t.pnl)}</td>
                            <td class=pnl_class>{format!("{:.2}%", t.return_frac * 100.0)}</td>
                            <td class="num">{t.bars_held}</td>
                            <td class="num up" title="maximum favourable excursion, before costs">
                                {format!("{:.2} ({:.2}%)", t.run_up, t.run_up_frac * 100.0)}
                            </td>
                            <td class="num down" title="maximum adverse excursion, before costs">
                                {format!("{:.2} ({:.2}%)", t.drawdown, t.drawdown_frac * 100.0)}
                            </td>
                            <td>{reason(t)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let export = move |_| {
        let csv = trades.with_value(|trades| trades_csv(trades));
        if let Err(message) = download("trades.csv", "text/csv", &csv) {
            leptos::logging::error!("CSV export failed: {message}");
        }
    };
    view! {
        <div class="panel">
            <div class="row">
                <h2 class="grow">{format!("Trades ({n_trades})")}</h2>
                <button data-testid="export-trades-csv" on:click=export>"Export CSV"</button>
            </div>
            <div class="table-scroll">
                <table data-testid="trades-table">
                    <thead>
                        <tr>
                            {COLUMNS.into_iter().map(|(column, label, is_numeric)| {
                                let aria_sort = move || sort.with(|(c, asc)| {
                                    if *c == column { if *asc { "ascending" } else { "descending" } } else { "none" }
                                });
                                view! {
                                    <th class:num=is_numeric aria-sort=aria_sort>
                                        <button on:click=move |_| sort.update(|(c, asc)| {
                                            if *c == column { *asc = !*asc } else { *c = column; *asc = true }
                                        })>
                                            {label}
                                            {move || sort.with(|(c, asc)| if *c == column { if *asc { " ▲" } else { " ▼" } } else { "" })}
                                        </button>
                                    </th>
                                }
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {(n_trades > MAX_ROWS).then(|| view! {
                <p class="muted">{format!("Showing {MAX_ROWS} of {n_trades} trades; the CSV has them all.")}</p>
            })}
        </div>
    }
}
