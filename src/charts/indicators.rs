//! The indicator pane under the price chart: the series a rules config plots below the price
//! (oscillators such as RSI or MACD, whose scale is not the price's), on the same bars as
//! the price chart, with a time axis and a value axis of their own.

use std::ops::Range;
use std::rc::Rc;

use genesis_engine::data::Columns;
use genesis_engine::strategy::rules::functions::Pane;
use genesis_engine::strategy::rules::Plot;
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

use super::canvas::ChartSource;
use super::decimate::decimate_minmax;
use super::panes::{self, ValueAxis};
use super::theme::{self, Layout};

/// A run's plots of the lower pane over its dataset's bars.
pub struct IndicatorChart {
    pub columns: Rc<Columns>,
    /// Every plot of the run; those of [`Pane::Below`] are drawn, each in the colour of its
    /// place in this list, as the legend shows it.
    pub plots: Rc<Vec<Plot>>,
}

impl IndicatorChart {
    /// `(index in the run's plots, plot)` of the plots this pane draws.
    fn below(&self) -> impl Iterator<Item = (usize, &Plot)> {
        self.plots
            .iter()
            .enumerate()
            .filter(|(_, plot)| plot.pane == Pane::Below)
    }
}

impl ChartSource for IndicatorChart {
    fn n_bars(&self) -> usize {
        self.columns.close.len()
    }

    fn draw(&self, canvas: &HtmlCanvasElement, view: Range<usize>) -> Result<Layout, String> {
        let n_bars = self.n_bars();
        let view =
            view.start.min(n_bars.saturating_sub(1))..view.end.min(n_bars).max(view.start + 1);
        let root = panes::whole(canvas)?;
        let columns = panes::plot_columns(canvas);
        let decimated: Vec<(usize, Vec<_>)> = self
            .below()
            .map(|(index, plot)| (index, decimate_minmax(&plot.values, view.clone(), columns)))
            .collect();
        let (low, high) = decimated
            .iter()
            .flat_map(|(_, buckets)| buckets)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), b| {
                (lo.min(b.min), hi.max(b.max))
            });
        if !(low.is_finite() && high.is_finite()) {
            root.present().map_err(theme::err)?;
            return Err("no plotted value in these bars (warm-up)".into());
        }
        let pad = ((high - low) * 0.06).max(high.abs() * 1e-6).max(1e-9);
        let axis = ValueAxis {
            n_labels: 4,
            format: &|v| theme::format_price(*v),
        };
        let mut chart = panes::lower(
            &root,
            view.start as f64..view.end as f64,
            (low - pad)..(high + pad),
            axis,
            &self.columns.ts_ms,
            true,
        )?;
        for (index, buckets) in &decimated {
            let points = buckets.iter().flat_map(|b| {
                let x = b.first_bar as f64 + 0.5;
                [(x, b.min), (x, b.max), (b.last_bar as f64 + 0.5, b.last)]
            });
            chart
                .draw_series(LineSeries::new(
                    points,
                    theme::plot_color(*index).stroke_width(1),
                ))
                .map_err(theme::err)?;
        }
        root.present().map_err(theme::err)?;
        Ok(panes::layout(&chart, view))
    }

    fn readout(&self, bar: usize) -> String {
        if bar >= self.n_bars() {
            return String::new();
        }
        let values: Vec<String> = self
            .below()
            .map(|(_, plot)| {
                let value = plot.values.get(bar).copied().unwrap_or(f64::NAN);
                let shown = if value.is_finite() {
                    theme::format_price(value)
                } else {
                    "undefined".to_string()
                };
                format!("{} {shown}", plot.name)
            })
            .collect();
        format!(
            "{}  {}",
            theme::format_bar_time(&self.columns.ts_ms, bar as f64),
            values.join("  ")
        )
    }
}
