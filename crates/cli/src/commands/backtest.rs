//! `genesis backtest`: one strategy config over one candle file, through the engine's single
//! entry point ([`genesis_engine::run::run_backtest`]), the same call the browser and the
//! optimizer make.

use std::path::Path;
use std::sync::Arc;

use genesis_engine::backtest::{Recording, Trade, Window};
use genesis_engine::data::timestamp::{format_iso_ms, parse_timestamp};
use genesis_engine::data::{format_timeframe, parse, Candles};
use genesis_engine::features::FeatureStore;
use genesis_engine::metrics::{Annualisation, Calendar, Metrics};
use genesis_engine::run::{run_backtest, RunOutcome};
use genesis_engine::strategy::StrategyConfig;
use serde_json::{json, Value};

use super::data::{parse_options, read_file};
use crate::cli::{BacktestArgs, ConfigArgs, ParseArgs};
use crate::error::CliError;

/// The preset used when neither `--config` nor `--preset` is given.
pub const DEFAULT_PRESET: &str = "genesis";

pub fn run(args: &BacktestArgs) -> Result<(), CliError> {
    let candles = load_candles(&args.data, &args.parse)?;
    let (config, config_source) = load_config(&args.config)?;
    let from_ts_ms = time_option("--from", args.from.as_deref())?;
    let to_ts_ms = time_option("--to", args.to.as_deref())?;
    let window = Window::from_time_range(&candles, from_ts_ms, to_ts_ms).map_err(|err| {
        CliError::input(format!(
            "--from/--to: {err} ({} to {})",
            format_iso_ms(candles.ts_ms()[0]),
            format_iso_ms(candles.ts_ms()[candles.len() - 1])
        ))
    })?;
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let outcome = run_backtest(&mut store, &config, window, Recording::Full).map_err(|err| {
        if err.is_input_error() {
            CliError::input_in(&config_source, &err)
        } else {
            CliError::Internal(anyhow::anyhow!("{err}"))
        }
    })?;
    if args.is_json {
        println!(
            "{}",
            json_document(&candles, &config, &config_source, &outcome)
        );
    } else {
        print!(
            "{}",
            describe(
                &args.data,
                &candles,
                &config,
                &config_source,
                &outcome,
                args.show_trades
            )
        );
    }
    Ok(())
}

/// Reads and parses a candle file; problems are bad input naming the file and line.
pub fn load_candles(path: &Path, args: &ParseArgs) -> Result<Arc<Candles>, CliError> {
    let file = path.display().to_string();
    let bytes = read_file(path)?;
    let options = parse_options(args);
    let parsed = parse(&bytes, &options).map_err(|err| CliError::input_in(&file, &err))?;
    Ok(Arc::new(parsed.candles))
}

/// The config from `--config FILE`, `--preset NAME` or the default preset, with a label
/// naming where it came from (errors are prefixed with it).
pub fn load_config(args: &ConfigArgs) -> Result<(StrategyConfig, String), CliError> {
    match (&args.config, &args.preset) {
        (Some(path), _) => {
            let file = path.display().to_string();
            let bytes = read_file(path)?;
            let text = String::from_utf8(bytes)
                .map_err(|err| CliError::input(format!("{file}: not UTF-8 text: {err}")))?;
            let config = StrategyConfig::from_yaml_str(&text, &file).map_err(|err| {
                // The error already names the file; keep the message as it is.
                CliError::Input {
                    message: err.to_string(),
                    detail: serde_json::to_value(&err).ok(),
                }
            })?;
            Ok((config, file))
        }
        (None, preset) => {
            let name = preset.as_deref().unwrap_or(DEFAULT_PRESET);
            let config = StrategyConfig::preset(name).map_err(|err| CliError::Input {
                message: format!("--preset: {err}"),
                detail: serde_json::to_value(&err).ok(),
            })?;
            Ok((config, format!("preset {name}")))
        }
    }
}

fn time_option(option: &str, text: Option<&str>) -> Result<Option<i64>, CliError> {
    text.map(|text| {
        parse_timestamp(text).ok_or_else(|| {
            CliError::input(format!(
                "{option}: `{text}` is not a time (try 2024-03-01, 2024-03-01T12:00:00Z or unix ms)"
            ))
        })
    })
    .transpose()
}

/// The `--json` document: one object with `metrics` (SPEC §5 names plus `score`), `trades`,
/// `constraints`, `annualisation`, `config_fingerprint` and `dataset_hash`.
fn json_document(
    candles: &Candles,
    config: &StrategyConfig,
    config_source: &str,
    outcome: &RunOutcome,
) -> Value {
    let report = &outcome.report;
    let evaluation = &outcome.evaluation;
    let mut metrics = serde_json::to_value(report.metrics).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut metrics {
        map.remove("annualisation");
        map.insert("score".to_owned(), json!(evaluation.score.score));
    }
    let window = report.window;
    json!({
        "ok": true,
        "strategy": outcome.strategy,
        "config_source": config_source,
        "config_fingerprint": outcome.config_fingerprint,
        "config": config.to_value(),
        "dataset_hash": outcome.dataset_hash,
        "window": {
            "from_bar": window.from_bar,
            "to_bar": window.to_bar,
            "from_ts_ms": candles.ts_ms().get(window.from_bar),
            "last_ts_ms": candles.ts_ms().get(window.to_bar.saturating_sub(1)),
            "first_decision_bar": report.first_decision_bar,
        },
        "annualisation": report.metrics.annualisation,
        "metrics": metrics,
        "score": evaluation.score,
        "constraints": {
            "is_feasible": evaluation.is_feasible,
            "reasons": evaluation.reasons,
            "violations": evaluation.violations,
            "scoring_failures": evaluation.scoring_failures,
            "limits": config.constraints(),
        },
        "rejected_orders": report.rejected_orders,
        "warm_up_bars": report.warm_up_bars,
        "ruin": report.ruin,
        "notes": report.notes,
        "trades": report.trades,
    })
}

fn describe(
    data: &Path,
    candles: &Candles,
    config: &StrategyConfig,
    config_source: &str,
    outcome: &RunOutcome,
    show_trades: usize,
) -> String {
    let report = &outcome.report;
    let metrics = &report.metrics;
    let evaluation = &outcome.evaluation;
    let window = report.window;
    let mut out = String::new();
    let mut line = |key: &str, value: String| out.push_str(&format!("{key:<14} {value}\n"));
    line(
        "strategy",
        format!(
            "{} ({config_source}), fingerprint {}",
            config.kind(),
            &outcome.config_fingerprint[..12]
        ),
    );
    line(
        "data",
        format!(
            "{} ({} bars of {}, hash {})",
            data.display(),
            candles.len(),
            format_timeframe(candles.timeframe_ms()),
            outcome.dataset_hash.short()
        ),
    );
    line(
        "window",
        format!(
            "bars {}..{} ({} to {}), first decision at bar {}",
            window.from_bar,
            window.to_bar,
            format_iso_ms(candles.ts_ms()[window.from_bar]),
            format_iso_ms(candles.ts_ms()[window.to_bar - 1]),
            report.first_decision_bar
        ),
    );
    line("annualisation", annualisation(metrics));
    for note in &report.notes {
        out.push_str(&format!("NOTE           {note}\n"));
    }
    out.push('\n');
    out.push_str(&metrics_table(metrics));
    out.push('\n');
    out.push_str(&summary_table(metrics));
    let score = &evaluation.score;
    out.push_str(&format!(
        "\n{:<26} {:.4}   = sharpe {:.4} + total_return {:.4} + 0.25 × return_to_dd {:.4} + win-rate term {:.4}\n",
        "score", score.score, score.sharpe_term, score.total_return_term, score.return_to_dd_term, score.win_rate_term
    ));
    if evaluation.is_feasible {
        out.push_str(&format!("{:<26} feasible\n", "constraints"));
    } else {
        out.push_str(&format!("{:<26} INFEASIBLE\n", "constraints"));
        for reason in &evaluation.reasons {
            out.push_str(&format!("  - {reason}\n"));
        }
    }
    for failure in &evaluation.scoring_failures {
        out.push_str(&format!("  scoring failure: {failure}\n"));
    }
    let rejected = report.rejected_orders;
    out.push_str(&format!(
        "\ntrades: {} (entries not filled: {} for lack of cash, {} invalid)\n",
        report.trades.len(),
        rejected.insufficient_cash,
        rejected.invalid
    ));
    let trades = &report.trades;
    if !trades.is_empty() {
        out.push_str(&trade_header());
        let n_head = show_trades.min(trades.len());
        for (k, trade) in trades.iter().enumerate().take(n_head) {
            out.push_str(&trade_row(k, trade));
        }
        let n_tail_start = trades.len().saturating_sub(show_trades).max(n_head);
        if n_tail_start > n_head {
            out.push_str(&format!("  ... {} more\n", n_tail_start - n_head));
        }
        for (k, trade) in trades.iter().enumerate().skip(n_tail_start) {
            out.push_str(&trade_row(k, trade));
        }
    }
    out
}

fn annualisation(metrics: &Metrics) -> String {
    let report = metrics.annualisation;
    let timeframe = format_timeframe(report.timeframe_ms);
    let calendar = match report.calendar {
        Calendar::AllWeek => "bars at weekends: 365 trading days a year".to_owned(),
        Calendar::Weekdays => "no weekend bars: 252 trading days a year".to_owned(),
        Calendar::Weekly => "weekly bars: 52 a year".to_owned(),
        Calendar::Monthly => "monthly bars: 12 a year".to_owned(),
        Calendar::Yearly => "yearly bars: 1 a year".to_owned(),
        Calendar::Other => "calendar time".to_owned(),
    };
    let rule = match report.convention {
        Annualisation::Auto if report.calendar.is_daily() && report.timeframe_ms < 86_400_000 => {
            format!(
                "auto ({calendar}, {} bars of {timeframe} a day)",
                report.bars_per_day
            )
        }
        Annualisation::Auto => format!("auto ({calendar})"),
        Annualisation::Calendar => "calendar time (365.25 days a year)".to_owned(),
        Annualisation::PeriodsPerYear(periods) => format!("a fixed {periods} bars a year"),
    };
    format!(
        "{rule}: {:.2} bars of {timeframe} per year; Sharpe, Sortino and volatility scale per-bar figures by its square root; CAGR uses calendar time",
        report.periods_per_year,
    )
}

/// TradingView's performance summary in its All / Long / Short columns.
fn summary_table(m: &Metrics) -> String {
    let columns = [&m.summary.all, &m.summary.long, &m.summary.short];
    let money = |x: f64| format!("{x:.2}");
    let pct = |x: f64| format!("{:.2} %", x * 100.0);
    let opt = |x: Option<f64>| x.map_or("n/a".to_owned(), |v| format!("{v:.3}"));
    let rows: Vec<(&str, Vec<String>)> = vec![
        (
            "net_profit",
            columns.iter().map(|s| money(s.net_profit)).collect(),
        ),
        (
            "net_profit %",
            columns.iter().map(|s| pct(s.net_profit_frac)).collect(),
        ),
        (
            "gross_profit",
            columns.iter().map(|s| money(s.gross_profit)).collect(),
        ),
        (
            "gross_loss",
            columns.iter().map(|s| money(s.gross_loss)).collect(),
        ),
        (
            "commission_paid",
            columns.iter().map(|s| money(s.commission_paid)).collect(),
        ),
        (
            "n_trades",
            columns.iter().map(|s| s.n_trades.to_string()).collect(),
        ),
        (
            "n_wins / n_losses",
            columns
                .iter()
                .map(|s| format!("{} / {}", s.n_wins, s.n_losses))
                .collect(),
        ),
        (
            "win_rate",
            columns.iter().map(|s| pct(s.win_rate)).collect(),
        ),
        (
            "avg_trade",
            columns.iter().map(|s| money(s.avg_trade)).collect(),
        ),
        (
            "avg_trade %",
            columns.iter().map(|s| pct(s.avg_trade_return)).collect(),
        ),
        (
            "avg_win",
            columns.iter().map(|s| money(s.avg_win)).collect(),
        ),
        (
            "avg_loss",
            columns.iter().map(|s| money(s.avg_loss)).collect(),
        ),
        (
            "win_loss_ratio",
            columns.iter().map(|s| opt(s.win_loss_ratio)).collect(),
        ),
        (
            "largest_win",
            columns.iter().map(|s| money(s.largest_win)).collect(),
        ),
        (
            "largest_loss",
            columns.iter().map(|s| money(s.largest_loss)).collect(),
        ),
        (
            "max_run_up (trade)",
            columns.iter().map(|s| money(s.max_run_up)).collect(),
        ),
        (
            "max_drawdown (trade)",
            columns.iter().map(|s| money(s.max_drawdown)).collect(),
        ),
        (
            "profit_factor",
            columns.iter().map(|s| opt(s.profit_factor)).collect(),
        ),
        (
            "avg_bars_held",
            columns
                .iter()
                .map(|s| format!("{:.1}", s.avg_bars_held))
                .collect(),
        ),
    ];
    let mut out = format!(
        "{:<26} {:>16} {:>16} {:>16}\n",
        "summary", "all", "long", "short"
    );
    for (name, values) in rows {
        out.push_str(&format!(
            "{name:<26} {:>16} {:>16} {:>16}\n",
            values[0], values[1], values[2]
        ));
    }
    out
}

fn metrics_table(m: &Metrics) -> String {
    let pct = |x: f64| format!("{:.2} %", x * 100.0);
    let opt = |x: Option<f64>, digits: usize| match x {
        Some(value) => format!("{value:.digits$}"),
        None => "n/a".to_owned(),
    };
    let rows: Vec<(&str, String)> = vec![
        ("initial_equity", format!("{:.2}", m.initial_equity)),
        ("final_equity", format!("{:.2}", m.final_equity)),
        ("total_return", pct(m.total_return)),
        ("cagr", m.cagr.map_or("n/a".to_owned(), pct)),
        (
            "annual_return",
            m.annual_return.map_or("n/a".to_owned(), pct),
        ),
        ("annual_volatility", pct(m.annual_volatility)),
        ("sharpe", opt(m.sharpe, 3)),
        ("sortino", opt(m.sortino, 3)),
        ("calmar", opt(m.calmar, 3)),
        ("calmar_cagr", opt(m.calmar_cagr, 3)),
        ("sharpe_backtesting_py", opt(m.sharpe_backtesting_py, 3)),
        ("sortino_backtesting_py", opt(m.sortino_backtesting_py, 3)),
        ("max_drawdown", pct(m.max_drawdown)),
        (
            "max_drawdown_duration",
            format!(
                "{} bars ({})",
                m.max_drawdown_duration_bars,
                format_timeframe(m.max_drawdown_duration_ms.max(0))
            ),
        ),
        ("n_trades", m.n_trades.to_string()),
        ("win_rate", pct(m.win_rate)),
        ("profit_factor", opt(m.profit_factor, 3)),
        ("profit_factor_returns", opt(m.profit_factor_returns, 3)),
        ("commission_paid", format!("{:.2}", m.commission_paid)),
        ("expectancy", format!("{:.2} per trade", m.expectancy)),
        ("avg_trade", pct(m.avg_trade)),
        ("avg_trade_geometric", pct(m.avg_trade_geometric)),
        ("best_trade", pct(m.best_trade)),
        ("worst_trade", pct(m.worst_trade)),
        ("avg_bars_held", format!("{:.1}", m.avg_bars_held)),
        ("exposure", pct(m.exposure)),
        ("sqn", opt(m.sqn, 3)),
        ("buy_and_hold_return", pct(m.buy_and_hold_return)),
        ("return_to_dd", format!("{:.3}", m.return_to_dd)),
    ];
    let mut out = String::new();
    for (name, value) in rows {
        out.push_str(&format!("{name:<26} {value}\n"));
    }
    if m.is_ruined {
        out.push_str(
            "RUINED: equity reached zero; the position was liquidated and the run stopped\n",
        );
    }
    out
}

fn trade_header() -> String {
    format!(
        "  {:>5} {:<5} {:<20} {:>12} {:<20} {:>12} {:>12} {:>12} {:>8} {:>12} {:>8} {:>12} {:>8} {:>5} {}\n",
        "#", "side", "entry", "price", "exit", "price", "units", "pnl", "return", "run-up", "%", "drawdown",
        "%", "bars", "reason"
    )
}

fn trade_row(k: usize, trade: &Trade) -> String {
    let side = match trade.side {
        genesis_engine::backtest::Side::Long => "long",
        genesis_engine::backtest::Side::Short => "short",
    };
    format!(
        "  {:>5} {:<5} {:<20} {:>12.4} {:<20} {:>12.4} {:>12.4} {:>12.2} {:>7.2}% {:>12.2} {:>7.2}% {:>12.2} {:>7.2}% {:>5} {}\n",
        k + 1,
        side,
        format_iso_ms(trade.entry_ts_ms),
        trade.entry_price,
        format_iso_ms(trade.exit_ts_ms),
        trade.exit_price,
        trade.units,
        trade.pnl,
        trade.return_frac * 100.0,
        trade.run_up,
        trade.run_up_frac * 100.0,
        trade.drawdown,
        trade.drawdown_frac * 100.0,
        trade.bars_held,
        trade.exit_reason
    )
}
