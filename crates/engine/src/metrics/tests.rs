//! Metrics against independent formulas on small hand examples, and the edge cases that
//! must stay JSON-safe.

use proptest::prelude::*;

use super::annualisation::DAY_MS;
use super::*;
use crate::backtest::{ExitReason, Side, Trade};

fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "{actual} differs from {expected}"
    );
}

/// Equity statistics of an equity path (the initial value first), one hour per point.
fn stats(path: &[f64]) -> EquityStats {
    let mut stats = EquityStats::new(path[0], 0);
    for (k, &equity) in path.iter().enumerate().skip(1) {
        stats.push(equity, k as i64 * 3_600_000, true);
    }
    stats
}

fn context(periods_per_year: f64) -> MetricsContext {
    MetricsContext {
        annualisation: Annualisation::PeriodsPerYear(periods_per_year).report(&[], 3_600_000),
        elapsed_ms: 0,
        annual: AnnualFigures::default(),
        buy_and_hold_return: 0.0,
        is_ruined: false,
    }
}

fn trade(pnl: f64, return_frac: f64, bars_held: usize) -> Trade {
    Trade {
        run_up: 0.0,
        run_up_frac: 0.0,
        drawdown: 0.0,
        drawdown_frac: 0.0,
        side: Side::Long,
        units: 1.0,
        entry_bar_idx: 0,
        entry_ts_ms: 0,
        entry_price: 100.0,
        exit_bar_idx: bars_held,
        exit_ts_ms: 0,
        exit_price: 100.0,
        entry_commission: 0.0,
        exit_commission: 0.0,
        pnl,
        return_frac,
        bars_held,
        exit_reason: ExitReason::Signal,
    }
}

#[test]
fn sharpe_sortino_and_volatility_on_three_returns() {
    // Equity 100 → 110 → 99 → 108.9: returns +0.1, −0.1, +0.1.
    // mean = 1/30; sample variance = (2 × (1/15)² + (2/15)²) / 2 = 1/75; std = 1/√75.
    // With 4 periods a year: sharpe = (1/30) / (1/√75) × 2 = √75 / 15 = 0.57735...
    // Downside deviation = √(0.01 / 3); sortino = (1/30) / √(1/300) × 2 = 2 √300 / 30.
    let metrics = Metrics::compute(&stats(&[100.0, 110.0, 99.0, 108.9]), &[], context(4.0));
    assert_close(metrics.sharpe.expect("defined"), 75f64.sqrt() / 15.0);
    assert_close(
        metrics.sortino.expect("defined"),
        2.0 * 300f64.sqrt() / 30.0,
    );
    assert_close(metrics.annual_volatility, 2.0 / 75f64.sqrt());
    assert_close(metrics.total_return, 0.089);
}

#[test]
fn max_drawdown_and_its_duration() {
    // Path 100 | 105, 100, 95, 110, 104, 104.5 (points 0..6, one hour apart).
    // Peak 105 at point 1; trough 95 at point 3: 1 − 95/105 = 2/21. Recovered at point 4
    // (110): duration 4 − 1 = 3 bars, 3 h. The next drawdown (from 110 at point 4) is still
    // open at point 6: 2 bars, shorter.
    let path = [100.0, 105.0, 100.0, 95.0, 110.0, 104.0, 104.5];
    let metrics = Metrics::compute(&stats(&path), &[], context(8_766.0));
    assert_close(metrics.max_drawdown, 2.0 / 21.0);
    assert_eq!(metrics.max_drawdown_duration_bars, 3);
    assert_eq!(metrics.max_drawdown_duration_ms, 3 * 3_600_000);

    // An open drawdown that outlasts the others runs to the last point: 100 | 99, 98, 99.
    let metrics = Metrics::compute(&stats(&[100.0, 99.0, 98.0, 99.0]), &[], context(1.0));
    assert_eq!(metrics.max_drawdown_duration_bars, 3);
    assert_close(metrics.max_drawdown, 0.02);
}

#[test]
fn drawdown_series_is_reported_point_by_point() {
    let mut stats = EquityStats::new(100.0, 0);
    let drawdowns: Vec<f64> = [105.0, 84.0, 105.0]
        .iter()
        .map(|&equity| {
            stats.push(equity, 0, false);
            stats.drawdown().drawdown_of(equity)
        })
        .collect();
    // 0 at the new peak, 1 − 84/105 = 0.2, 0 on recovery.
    assert_eq!(drawdowns[0], 0.0);
    assert_close(drawdowns[1], 0.2);
    assert_eq!(drawdowns[2], 0.0);
}

#[test]
fn trade_statistics_profit_factor_and_sqn() {
    // P&L +30, −10, +20, −20 (returns +3 %, −1 %, +2 %, −2 %; held 1, 2, 3, 6 bars).
    // gross profit 50, gross loss 30: profit factor 5/3; win rate 0.5; expectancy 5.
    // SQN: deviations from 5 are 25, −15, 15, −25; squares sum 1,700; sample std
    // √(1700/3); sqn = √4 × 5 / √(1700/3) = 10 / √566.67 = 0.42008...
    let trades = [
        trade(30.0, 0.03, 1),
        trade(-10.0, -0.01, 2),
        trade(20.0, 0.02, 3),
        trade(-20.0, -0.02, 6),
    ];
    let stats = TradeStats::from_trades(&trades);
    assert_eq!(stats.n_trades, 4);
    assert_close(stats.profit_factor.expect("has losses"), 5.0 / 3.0);
    assert_close(stats.win_rate, 0.5);
    assert_close(stats.expectancy, 5.0);
    assert_close(
        stats.sqn.expect("defined"),
        10.0 / (1_700.0f64 / 3.0).sqrt(),
    );
    assert_close(stats.avg_trade, 0.005);
    assert_eq!((stats.best_trade, stats.worst_trade), (0.03, -0.02));
    assert_close(stats.avg_bars_held, 3.0);
    assert_eq!((stats.gross_profit, stats.gross_loss), (50.0, 30.0));
}

#[test]
fn cagr_and_calmar() {
    // 100 → 121 over 2 calendar years of 365.25 days (8 quarters of 7,889,400,000 ms
    // between the first bar's open and the last's): (1.21)^(1/2) − 1 = 0.1.
    let quarter_ms = 7_889_400_000;
    let periods = Annualisation::Calendar
        .report(&[], quarter_ms)
        .periods_per_year;
    assert_close(periods, 4.0);
    assert_close(
        cagr::cagr(100.0, 121.0, 8 * quarter_ms).expect("finite"),
        0.1,
    );
    // No elapsed time (a single bar): no CAGR.
    assert_eq!(cagr::cagr(100.0, 121.0, 0), None);
    // Calmar with a 5 % drawdown: 0.1 / 0.05 = 2; undefined without a drawdown.
    assert_close(cagr::calmar(Some(0.1), 0.05).expect("defined"), 2.0);
    assert_eq!(cagr::calmar(Some(0.1), 0.0), None);
    // Total loss or worse is −100 % a year.
    assert_eq!(cagr::cagr(100.0, -5.0, 8 * quarter_ms), Some(-1.0));
    // Hourly annualisation of a calendar year: 8,766 bars.
    assert_close(
        Annualisation::Calendar
            .report(&[], 3_600_000)
            .periods_per_year,
        8_766.0,
    );
}

#[test]
fn no_trades_and_flat_equity_give_nulls_and_zeros_not_infinities() {
    let metrics = Metrics::compute(&stats(&[100.0, 100.0, 100.0]), &[], context(8_766.0));
    assert_eq!(metrics.sharpe, None);
    assert_eq!(metrics.sortino, None);
    assert_eq!(metrics.calmar, None);
    assert_eq!(metrics.profit_factor, None);
    assert_eq!(metrics.sqn, None);
    assert_eq!(metrics.win_rate, 0.0);
    assert_eq!(metrics.return_to_dd, 0.0);
    assert_eq!(metrics.annual_volatility, 0.0);
    let json = serde_json::to_string(&metrics).expect("serialises");
    assert!(json.contains(r#""sharpe":null"#), "{json}");
    let back: Metrics = serde_json::from_str(&json).expect("valid JSON round trip");
    assert_eq!(back, metrics);
}

#[test]
fn only_winning_trades_leave_profit_factor_null_with_gross_sums_beside_it() {
    let stats = TradeStats::from_trades(&[trade(10.0, 0.01, 1), trade(5.0, 0.005, 1)]);
    assert_eq!(stats.profit_factor, None);
    assert_eq!((stats.gross_profit, stats.gross_loss), (15.0, 0.0));
    // A single trade has no SQN (no deviation to divide by).
    assert_eq!(TradeStats::from_trades(&[trade(10.0, 0.01, 1)]).sqn, None);
}

#[test]
fn return_to_dd_is_floored_capped_and_zero_without_trades() {
    // 10 % return with a 20 % drawdown: 0.5.
    assert_close(return_to_dd::return_to_dd(0.10, 0.20, 5), 0.5);
    // No drawdown: divided by the 2 % floor, 0.04 / 0.02 = 2, not infinity.
    assert_close(return_to_dd::return_to_dd(0.04, 0.0, 5), 2.0);
    // A tiny drawdown with a big return hits the cap of 10.
    assert_eq!(return_to_dd::return_to_dd(0.5, 0.0001, 5), 10.0);
    assert_eq!(return_to_dd::return_to_dd(-0.9, 0.001, 5), -10.0);
    assert_eq!(return_to_dd::return_to_dd(0.5, 0.1, 0), 0.0);
}

#[test]
fn annualisation_config_is_validated_and_named() {
    assert_eq!(Annualisation::PeriodsPerYear(252.0).problem(), None);
    let (key, _) = Annualisation::PeriodsPerYear(0.0)
        .problem()
        .expect("zero periods");
    assert_eq!(key, "annualisation.periods_per_year");
    let config = crate::backtest::BacktestConfig {
        annualisation: Annualisation::PeriodsPerYear(0.0),
        ..crate::backtest::BacktestConfig::default()
    };
    let err = config.validate().expect_err("zero periods");
    assert!(
        err.to_string()
            .starts_with("annualisation.periods_per_year"),
        "{err}"
    );
    let parsed: Annualisation = serde_json::from_str(r#"{"periods_per_year": 252}"#).expect("ok");
    assert_eq!(parsed, Annualisation::PeriodsPerYear(252.0));
    let parsed: Annualisation = serde_json::from_str(r#""calendar""#).expect("ok");
    assert_eq!(parsed, Annualisation::Calendar);
}

/// Two-pass sample mean and standard deviation: the textbook formula the streaming
/// accumulator must agree with.
fn two_pass(returns: &[f64]) -> (f64, f64) {
    let n = returns.len() as f64;
    let mean = returns.iter().sum::<f64>() / n;
    let var = returns.iter().map(|r| (r - mean) * (r - mean)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

proptest! {
    #[test]
    fn streaming_sharpe_agrees_with_the_two_pass_formula(
        steps in prop::collection::vec(-0.05f64..0.05, 2..200),
    ) {
        let mut path = vec![1_000.0];
        for step in &steps {
            let last = *path.last().expect("non-empty");
            path.push(last * (1.0 + step));
        }
        let returns: Vec<f64> = path.windows(2).map(|w| w[1] / w[0] - 1.0).collect();
        let (mean, std) = two_pass(&returns);
        let metrics = Metrics::compute(&stats(&path), &[], context(365.0));
        if std > 1e-12 {
            let expected = mean / std * 365f64.sqrt();
            let actual = metrics.sharpe.expect("defined");
            prop_assert!((actual - expected).abs() <= 1e-8 * expected.abs().max(1.0), "{} vs {}", actual, expected);
        }
        // Max drawdown against a direct scan of the path.
        let mut peak = path[0];
        let mut max_dd = 0.0f64;
        for &equity in &path[1..] {
            peak = peak.max(equity);
            max_dd = max_dd.max(1.0 - equity / peak);
        }
        prop_assert!((metrics.max_drawdown - max_dd).abs() <= 1e-12);

        // Longest drawdown from the points at a running peak (drawdown 0): a period is a gap
        // of more than one point between consecutive ones, its duration that gap; a period
        // still open runs from the last peak to the last point. (backtesting.py anchors the
        // last point too, which drops a final one-point dip; here it lasts one bar.)
        let mut peak = f64::NEG_INFINITY;
        let mut anchors: Vec<usize> = Vec::new();
        for (k, &equity) in path.iter().enumerate() {
            peak = peak.max(equity);
            if equity >= peak {
                anchors.push(k);
            }
        }
        let last_anchor = *anchors.last().expect("point 0 is a peak");
        let longest = anchors
            .windows(2)
            .filter(|pair| pair[1] > pair[0] + 1)
            .map(|pair| pair[1] - pair[0])
            .chain(std::iter::once(path.len() - 1 - last_anchor))
            .max()
            .unwrap_or(0);
        prop_assert_eq!(metrics.max_drawdown_duration_bars, longest);
    }

    #[test]
    fn constant_returns_have_zero_variance_exactly(step in -0.01f64..0.01, n in 2usize..50) {
        // A naive sum of squares would leave a rounding residue here, and a huge Sharpe.
        let mut returns = returns::ReturnStats::default();
        for _ in 0..n {
            returns.push(step);
        }
        prop_assert_eq!(returns.std(), Some(0.0));
    }
}

proptest! {
    /// Guards the drawdown tracker, which measures a period's duration only when it ends or
    /// is asked: bars and milliseconds of the longest period (the first of equal ones) must
    /// be those of a direct scan, at irregular times and at every prefix of the path.
    #[test]
    fn drawdown_duration_matches_a_scan_of_the_periods(
        points in prop::collection::vec((0.9f64..1.1, 1i64..5_000), 1..120),
    ) {
        let mut path = vec![(1_000.0, 0i64)];
        for &(step, gap_ms) in &points {
            let (equity, time_ms) = *path.last().expect("non-empty");
            path.push((equity * step, time_ms + gap_ms));
        }
        let mut stats = EquityStats::new(path[0].0, path[0].1);
        for end in 1..path.len() {
            stats.push(path[end].0, path[end].1, false);
            let prefix = &path[..=end];
            // Points at a running peak; a period is a gap of more than one point between
            // consecutive ones, or the span from the last one to the end of the prefix.
            let mut peak = f64::NEG_INFINITY;
            let mut anchors = Vec::new();
            for (k, &(equity, _)) in prefix.iter().enumerate() {
                if equity >= peak {
                    peak = equity;
                    anchors.push(k);
                }
            }
            let last_anchor = *anchors.last().expect("point 0 is a peak");
            let mut periods: Vec<(usize, usize)> = anchors
                .windows(2)
                .filter(|pair| pair[1] > pair[0] + 1)
                .map(|pair| (pair[0], pair[1]))
                .collect();
            if last_anchor < end {
                periods.push((last_anchor, end));
            }
            let mut longest = (0usize, 0i64);
            for (from, to) in periods {
                if to - from > longest.0 {
                    longest = (to - from, prefix[to].1 - prefix[from].1);
                }
            }
            let drawdown = stats.drawdown();
            prop_assert_eq!((drawdown.max_duration_bars(), drawdown.max_duration_ms()), longest);
        }
    }
}

/// Open times of `n_days` consecutive days from Monday 2024-01-01, `per_day` bars a day
/// `step_ms` apart from `first_ms` after midnight, skipping weekends unless `has_weekends`.
fn session_ts(
    n_days: i64,
    per_day: i64,
    first_ms: i64,
    step_ms: i64,
    has_weekends: bool,
) -> Vec<i64> {
    const MONDAY_2024_01_01: i64 = 1_704_067_200_000;
    (0..n_days)
        .filter(|day| has_weekends || day % 7 < 5)
        .flat_map(|day| {
            (0..per_day).map(move |k| MONDAY_2024_01_01 + day * DAY_MS + first_ms + k * step_ms)
        })
        .collect()
}

#[test]
fn auto_annualisation_reads_the_calendar_from_the_data() {
    let hour = 3_600_000;
    let auto = |ts: &[i64], timeframe: i64| Annualisation::Auto.report(ts, timeframe);
    // Daily stock bars (no weekends): a 252-day year; with weekends (crypto): 365.
    let stocks = auto(&session_ts(70, 1, 0, 0, false), DAY_MS);
    assert_eq!(
        (stocks.calendar, stocks.periods_per_year),
        (Calendar::Weekdays, 252.0)
    );
    let crypto = auto(&session_ts(70, 1, 0, 0, true), DAY_MS);
    assert_eq!(
        (crypto.calendar, crypto.periods_per_year),
        (Calendar::AllWeek, 365.0)
    );
    // Hourly FX: 24 bars a day, five days a week, 252 days.
    let fx = auto(&session_ts(70, 24, 0, hour, false), hour);
    assert_eq!((fx.bars_per_day, fx.periods_per_year), (24.0, 24.0 * 252.0));
    // Hourly stock bars of a 09:30 to 16:00 session: 7 bars a day.
    let session = auto(&session_ts(70, 7, 9 * hour + hour / 2, hour, false), hour);
    assert_eq!(session.periods_per_year, 7.0 * 252.0);
    // A file that starts and ends mid-day still reads 24 bars a day (the fullest day).
    let ts = session_ts(30, 24, 0, hour, true);
    assert_eq!(
        auto(&ts[5..ts.len() - 7], hour).periods_per_year,
        24.0 * 365.0
    );
    // Weekly and monthly bars.
    assert_eq!(auto(&[], 7 * DAY_MS).periods_per_year, 52.0);
    assert_eq!(auto(&[], 30 * DAY_MS).periods_per_year, 12.0);
    // Overrides stay as they were.
    assert_eq!(
        Annualisation::PeriodsPerYear(100.0)
            .report(&ts, hour)
            .periods_per_year,
        100.0
    );
    let parsed: Annualisation = serde_json::from_str(r#""auto""#).expect("ok");
    assert_eq!(parsed, Annualisation::Auto);
    assert_eq!(Annualisation::default(), Annualisation::Auto);
}
