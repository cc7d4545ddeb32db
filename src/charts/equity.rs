//! Equity with drawdown: the equity curve marked to market at every close (and buy and hold
//! for comparison) above, the drawdown below the running peak underneath.

use std::ops::Range;
use std::rc::Rc;

use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

use super::canvas::ChartSource;
use super::decimate::decimate_minmax;
use super::panes::{self, ValueAxis};
use super::theme::{self, Layout};

/// An equity curve over bars `first_bar..first_bar + equity.len()` of a dataset.
pub struct EquityChart {
    /// The dataset's timestamps (for axis labels and the read-out).
    pub ts_ms: Rc<Vec<i64>>,
    pub first_bar: usize,
    pub equity: Vec<f64>,
    /// Positive fractions below the running peak.
    pub drawdown: Vec<f64>,
    /// Buy and hold from the same starting equity, on the same bars.
    pub benchmark: Vec<f64>,
}

impl EquityChart {
    fn series_points(
        &self,
        values: &[f64],
        view: &Range<usize>,
        columns: usize,
    ) -> Vec<(f64, f64)> {
        decimate_minmax(values, view.clone(), columns)
            .into_iter()
            .flat_map(|b| {
                let x = (self.first_bar + b.first_bar) as f64 + 0.5;
                let x_last = (self.first_bar + b.last_bar) as f64 + 0.5;
                [(x, b.min), (x, b.max), (x_last, b.last)]
            })
            .collect()
    }
}

impl ChartSource for EquityChart {
    fn n_bars(&self) -> usize {
        self.equity.len()
    }

    fn draw(&self, canvas: &HtmlCanvasElement, view: Range<usize>) -> Result<Layout, String> {
        let view = view.start..view.end.min(self.equity.len());
        if view.is_empty() {
            return Err("no equity to draw".into());
        }
        let (root, upper, lower) = panes::split(canvas, 0.7)?;
        let columns = panes::plot_columns(canvas);

        let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
        for values in [&self.equity, &self.benchmark] {
            for b in decimate_minmax(values, view.clone(), columns) {
                low = low.min(b.min);
                high = high.max(b.max);
            }
        }
        let pad = ((high - low) * 0.05).max(high.abs() * 1e-6).max(1e-9);
        let x_range = (self.first_bar + view.start) as f64..(self.first_bar + view.end) as f64;
        let equity_axis = ValueAxis {
            n_labels: 5,
            format: &|v| theme::format_compact(*v),
        };
        let mut chart = panes::upper(
            &upper,
            x_range.clone(),
            (low - pad)..(high + pad),
            equity_axis,
        )?;
        chart
            .draw_series(LineSeries::new(
                self.series_points(&self.benchmark, &view, columns),
                theme::LABEL.mix(0.6).stroke_width(1),
            ))
            .map_err(theme::err)?;
        chart
            .draw_series(LineSeries::new(
                self.series_points(&self.equity, &view, columns),
                theme::ENTRY_LONG.stroke_width(2),
            ))
            .map_err(theme::err)?;
        // A hand-drawn legend: plotters' own sizes its box by measuring text in a styled DOM
        // element, which the Content-Security-Policy (no inline styles) forbids.
        let legend_x = (theme::Y_LABEL_WIDTH + theme::MARGIN + 8) as i32;
        for (row, (label, color)) in [
            ("strategy equity", theme::ENTRY_LONG),
            ("buy and hold", theme::LABEL),
        ]
        .into_iter()
        .enumerate()
        {
            let y = 14 + 16 * row as i32;
            upper
                .draw(&PathElement::new(
                    vec![(legend_x, y), (legend_x + 16, y)],
                    color.stroke_width(2),
                ))
                .map_err(theme::err)?;
            upper
                .draw(&Text::new(
                    label,
                    (legend_x + 22, y - 6),
                    theme::label_font().color(&color),
                ))
                .map_err(theme::err)?;
        }

        let worst = decimate_minmax(&self.drawdown, view.clone(), columns)
            .iter()
            .map(|b| b.max)
            .fold(0.0_f64, f64::max)
            .max(1e-6);
        let drawdown_axis = ValueAxis {
            n_labels: 3,
            format: &|v| format!("{:.0}%", v * 100.0),
        };
        let mut dd_chart = panes::lower(
            &lower,
            x_range,
            -worst * 1.1..0.0,
            drawdown_axis,
            &self.ts_ms,
            true,
        )?;
        let dd_points: Vec<(f64, f64)> = self
            .series_points(&self.drawdown, &view, columns)
            .into_iter()
            .map(|(x, y)| (x, -y))
            .collect();
        dd_chart
            .draw_series(
                AreaSeries::new(dd_points, 0.0, theme::DOWN.mix(0.35)).border_style(theme::DOWN),
            )
            .map_err(theme::err)?;
        root.present().map_err(theme::err)?;

        Ok(panes::layout(&chart, view))
    }

    fn readout(&self, point: usize) -> String {
        let (Some(equity), Some(drawdown)) = (self.equity.get(point), self.drawdown.get(point))
        else {
            return String::new();
        };
        let bar = self.first_bar + point;
        let benchmark = self.benchmark.get(point).copied().unwrap_or(f64::NAN);
        format!(
            "{}  equity {:.2}  drawdown {:.2}%  buy and hold {:.2}",
            theme::format_bar_time(&self.ts_ms, bar as f64),
            equity,
            drawdown * 100.0,
            benchmark
        )
    }
}
