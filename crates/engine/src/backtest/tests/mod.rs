//! Engine tests: hand-computed fill scenarios, backtesting.py sizing parity, and property
//! tests of the accounting invariants.

mod fills;
mod parity;
mod properties;

use crate::backtest::{
    run, BacktestConfig, BacktestReport, Decision, Entry, ExitRules, Level, PositionView,
    Recording, Side, Sizing, Strategy, Window,
};
use crate::data::{Bar, Candles, Columns};

pub(super) const HOUR_MS: i64 = 3_600_000;

/// Hourly candles from `(open, high, low, close)` rows, starting at t = 0.
pub(super) fn candles(rows: &[(f64, f64, f64, f64)]) -> Candles {
    let mut cols = Columns::default();
    for (k, &(open, high, low, close)) in rows.iter().enumerate() {
        cols.push(Bar {
            ts_ms: k as i64 * HOUR_MS,
            open,
            high,
            low,
            close,
            volume: 1.0,
        });
    }
    Candles::from_columns(cols).expect("hand-written candles are valid")
}

/// A strategy that plays back decisions at given bars and records what it was shown.
#[derive(Clone, Debug, Default)]
pub(super) struct Script {
    pub first_decision_bar: usize,
    /// `(bar_idx, decision)`, any order; bars not listed hold.
    pub decisions: Vec<(usize, Decision)>,
    /// Every `(bar_idx, view)` the engine passed to `decide`.
    pub seen: Vec<(usize, PositionView)>,
}

impl Script {
    pub fn new(decisions: Vec<(usize, Decision)>) -> Script {
        Script {
            first_decision_bar: 0,
            decisions,
            seen: Vec::new(),
        }
    }
}

impl Strategy for Script {
    fn first_decision_bar(&self) -> usize {
        self.first_decision_bar
    }

    fn decide(&mut self, bar_idx: usize, position: &PositionView) -> Decision {
        self.seen.push((bar_idx, *position));
        self.decisions
            .iter()
            .find(|(bar, _)| *bar == bar_idx)
            .map_or(Decision::Hold, |(_, decision)| *decision)
    }
}

pub(super) fn enter(side: Side, sizing: Sizing) -> Decision {
    Decision::Enter(Entry::new(side, sizing))
}

pub(super) fn enter_with(side: Side, sizing: Sizing, exits: ExitRules) -> Decision {
    Decision::Enter(Entry::new(side, sizing).with_exits(exits))
}

pub(super) fn stop_target(stop: Option<Level>, take_profit: Option<Level>) -> ExitRules {
    ExitRules {
        stop,
        take_profit,
        ..ExitRules::NONE
    }
}

/// Runs a script over all the candles with full recording.
pub(super) fn run_script(
    candles: &Candles,
    config: &BacktestConfig,
    script: &mut Script,
) -> BacktestReport {
    run(
        candles,
        config,
        Window::all(candles),
        script,
        Recording::Full,
    )
    .expect("valid config and window")
}

pub(super) fn assert_close(actual: f64, expected: f64) {
    let tolerance = 1e-9 * expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tolerance,
        "{actual} differs from {expected}"
    );
}

pub(super) fn equity(report: &BacktestReport) -> &[f64] {
    &report.equity_curve.as_ref().expect("full recording").equity
}
