//! The candle chart: candles (or per-pixel OHLC bars when zoomed out) with volume below,
//! optional feature overlays, a rules config's price-pane plots, swing points, Fibonacci
//! levels and trade markers.

use std::ops::Range;

use genesis_engine::strategy::rules::functions::Pane;
use genesis_engine::strategy::rules::Plot;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::decimate::{decimate_minmax, decimate_ohlcv, OhlcBucket};
use super::panes::{self, ValueAxis};
use super::theme::{self, Layout};

/// The candle columns to draw (all the same length).
pub struct Ohlcv<'a> {
    pub ts_ms: &'a [i64],
    pub open: &'a [f64],
    pub high: &'a [f64],
    pub low: &'a [f64],
    pub close: &'a [f64],
    pub volume: &'a [f64],
}

/// A line drawn over the candles (an EMA, a Bollinger band...).
pub struct Overlay<'a> {
    pub values: &'a [f64],
    pub color: RGBColor,
}

/// A point marker at a bar and price: trades, swing pivots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marker {
    pub bar: usize,
    pub price: f64,
    pub kind: MarkerKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerKind {
    EntryLong,
    EntryShort,
    Exit,
    SwingHigh,
    SwingLow,
}

/// A horizontal level (a Fibonacci retracement) over part of the chart.
pub struct Level {
    pub price: f64,
    pub from_bar: usize,
    pub color: RGBColor,
}

/// Everything one frame of the price chart shows.
pub struct PriceFrame<'a> {
    pub candles: Ohlcv<'a>,
    pub overlays: &'a [Overlay<'a>],
    pub markers: &'a [Marker],
    pub levels: &'a [Level],
}

/// Draws the frame for the bars in `view`; returns where the plot landed so the hover
/// read-out can map a pixel back to a bar.
pub fn draw(
    canvas: &HtmlCanvasElement,
    frame: &PriceFrame<'_>,
    view: Range<usize>,
) -> Result<Layout, String> {
    let n_bars = frame.candles.close.len();
    let view = view.start.min(n_bars.saturating_sub(1))..view.end.min(n_bars).max(view.start + 1);
    let (root, upper, lower) = panes::split(canvas, 0.78)?;
    let plot_columns = panes::plot_columns(canvas);

    let c = &frame.candles;
    let buckets = decimate_ohlcv(
        c.open,
        c.high,
        c.low,
        c.close,
        c.volume,
        view.clone(),
        plot_columns,
    );
    let (mut low, mut high) = buckets
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), b| {
            (lo.min(b.low), hi.max(b.high))
        });
    for overlay in frame.overlays {
        for b in decimate_minmax(overlay.values, view.clone(), plot_columns) {
            low = low.min(b.min);
            high = high.max(b.max);
        }
    }
    if !(low.is_finite() && high.is_finite()) {
        return Err("nothing to draw".into());
    }
    let pad = ((high - low) * 0.04).max(high.abs() * 1e-6).max(1e-9);
    let x_range = view.start as f64..view.end as f64;

    let price_axis = ValueAxis {
        n_labels: 6,
        format: &|v| theme::format_price(*v),
    };
    let mut chart = panes::upper(
        &upper,
        x_range.clone(),
        (low - pad)..(high + pad),
        price_axis,
    )?;

    let bar_width_px = plot_columns as f64 / (view.end - view.start) as f64;
    let is_candle_mode = bar_width_px >= 3.0;
    chart
        .draw_series(
            buckets
                .iter()
                .flat_map(|b| candle_elements(b, is_candle_mode)),
        )
        .map_err(theme::err)?;

    draw_marks(&mut chart, frame, &view, plot_columns, is_candle_mode)?;
    draw_volume(&lower, &buckets, x_range, c.ts_ms)?;
    root.present().map_err(theme::err)?;

    Ok(panes::layout(&chart, view))
}

/// The overlays, the levels and the markers over the candles.
fn draw_marks(
    chart: &mut panes::Pane<'_>,
    frame: &PriceFrame<'_>,
    view: &Range<usize>,
    plot_columns: usize,
    is_candle_mode: bool,
) -> Result<(), String> {
    for overlay in frame.overlays {
        let points = decimate_minmax(overlay.values, view.clone(), plot_columns)
            .into_iter()
            .flat_map(|b| {
                let x = b.first_bar as f64 + 0.5;
                if b.min == b.max {
                    vec![(x, b.last)]
                } else {
                    vec![(x, b.min), (x, b.max), (b.last_bar as f64 + 0.5, b.last)]
                }
            });
        chart
            .draw_series(LineSeries::new(points, overlay.color.stroke_width(1)))
            .map_err(theme::err)?;
    }

    for level in frame.levels {
        let from = (level.from_bar.max(view.start)) as f64;
        if from >= view.end as f64 {
            continue;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(from, level.price), (view.end as f64, level.price)],
                level.color.mix(0.7).stroke_width(1),
            )))
            .map_err(theme::err)?;
    }

    // Swing pivots come by the thousand: they are shown once the view is zoomed in to candles;
    // trade markers always are.
    let visible_markers = frame.markers.iter().filter(|m| {
        let is_swing = matches!(m.kind, MarkerKind::SwingHigh | MarkerKind::SwingLow);
        view.contains(&m.bar) && m.price.is_finite() && (is_candle_mode || !is_swing)
    });
    chart
        .draw_series(visible_markers.map(marker_element))
        .map_err(theme::err)?;
    Ok(())
}

/// The volume pane, with the time axis.
fn draw_volume(
    area: &panes::Area,
    buckets: &[OhlcBucket],
    x_range: Range<f64>,
    ts_ms: &[i64],
) -> Result<(), String> {
    let max_volume = buckets
        .iter()
        .map(|b| b.volume)
        .fold(0.0_f64, f64::max)
        .max(1e-12);
    let volume_axis = ValueAxis {
        n_labels: 2,
        format: &|v| theme::format_compact(*v),
    };
    let mut volume_chart = panes::lower(
        area,
        x_range,
        0.0..max_volume * 1.05,
        volume_axis,
        ts_ms,
        false,
    )?;
    volume_chart
        .draw_series(buckets.iter().map(|b| {
            let color = if b.close >= b.open {
                theme::UP
            } else {
                theme::DOWN
            };
            Rectangle::new(
                [
                    (b.first_bar as f64 + 0.1, 0.0),
                    (b.last_bar as f64 + 0.9, b.volume),
                ],
                color.mix(0.45).filled(),
            )
        }))
        .map_err(theme::err)?;
    Ok(())
}
fn candle_elements(
    b: &OhlcBucket,
    is_candle_mode: bool,
) -> Vec<DynElement<'static, CanvasBackend, (f64, f64)>> {
    let color = if b.close >= b.open {
        theme::UP
    } else {
        theme::DOWN
    };
    let x_mid = (b.first_bar + b.last_bar + 1) as f64 / 2.0;
    let wick =
        PathElement::new(vec![(x_mid, b.low), (x_mid, b.high)], color.stroke_width(1)).into_dyn();
    if !is_candle_mode {
        return vec![wick];
    }
    let (top, bottom) = (b.open.max(b.close), b.open.min(b.close));
    let body = Rectangle::new(
        [
            (b.first_bar as f64 + 0.15, bottom),
            (b.last_bar as f64 + 0.85, top),
        ],
        color.filled(),
    )
    .into_dyn();
    vec![wick, body]
}

fn marker_element(m: &Marker) -> DynElement<'static, CanvasBackend, (f64, f64)> {
    let at = (m.bar as f64 + 0.5, m.price);
    match m.kind {
        MarkerKind::EntryLong => TriangleMarker::new(at, 7, theme::ENTRY_LONG.filled()).into_dyn(),
        MarkerKind::EntryShort => {
            TriangleMarker::new(at, 7, theme::ENTRY_SHORT.filled()).into_dyn()
        }
        MarkerKind::Exit => Cross::new(at, 5, theme::EXIT.stroke_width(2)).into_dyn(),
        MarkerKind::SwingHigh => Circle::new(at, 3, theme::SWING_HIGH.filled()).into_dyn(),
        MarkerKind::SwingLow => Circle::new(at, 3, theme::SWING_LOW.filled()).into_dyn(),
    }
}

/// Which overlays the user has switched on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OverlayToggles {
    pub ema: bool,
    pub bollinger: bool,
    pub swings: bool,
    pub fib: bool,
}

impl OverlayToggles {
    pub fn any(&self) -> bool {
        self.ema || self.bollinger || self.swings || self.fib
    }
}

/// A dataset's candles with the overlays and markers to show: the price chart's source.
pub struct PriceChart {
    pub columns: std::rc::Rc<genesis_engine::data::Columns>,
    pub overlays: Option<std::rc::Rc<crate::workers::protocol::OverlaySet>>,
    pub toggles: OverlayToggles,
    /// Trade entries and exits (Backtest page).
    pub trade_markers: Vec<Marker>,
    /// A rules config's plots; those of the price pane are drawn over the candles, each in
    /// its [`theme::plot_color`].
    pub plots: std::rc::Rc<Vec<Plot>>,
}

impl super::canvas::ChartSource for PriceChart {
    fn n_bars(&self) -> usize {
        self.columns.close.len()
    }

    fn draw(&self, canvas: &HtmlCanvasElement, view: Range<usize>) -> Result<Layout, String> {
        let c = &self.columns;
        let mut lines = Vec::new();
        let mut markers = self.trade_markers.clone();
        let mut levels = Vec::new();
        for (index, plot) in self.plots.iter().enumerate() {
            if plot.pane == Pane::Price {
                lines.push(Overlay {
                    values: &plot.values,
                    color: theme::plot_color(index),
                });
            }
        }
        if let Some(o) = &self.overlays {
            if self.toggles.ema {
                lines.push(Overlay {
                    values: &o.ema_fast,
                    color: theme::PALETTE[0],
                });
                lines.push(Overlay {
                    values: &o.ema_slow,
                    color: theme::PALETTE[1],
                });
            }
            if self.toggles.bollinger {
                for values in [&o.bb_upper, &o.bb_mid, &o.bb_lower] {
                    lines.push(Overlay {
                        values,
                        color: theme::PALETTE[2],
                    });
                }
            }
            if self.toggles.swings {
                markers.extend(o.pivots.iter().map(|p| Marker {
                    bar: p.bar_idx,
                    price: p.price,
                    kind: match p.kind {
                        genesis_engine::features::PivotKind::High => MarkerKind::SwingHigh,
                        genesis_engine::features::PivotKind::Low => MarkerKind::SwingLow,
                    },
                }));
            }
            if self.toggles.fib {
                levels.extend(o.fib_levels.iter().map(|&price| Level {
                    price,
                    from_bar: o.fib_from_bar,
                    color: theme::PALETTE[3],
                }));
            }
        }
        let frame = PriceFrame {
            candles: Ohlcv {
                ts_ms: &c.ts_ms,
                open: &c.open,
                high: &c.high,
                low: &c.low,
                close: &c.close,
                volume: &c.volume,
            },
            overlays: &lines,
            markers: &markers,
            levels: &levels,
        };
        draw(canvas, &frame, view)
    }

    fn readout(&self, bar: usize) -> String {
        let c = &self.columns;
        if bar >= c.close.len() {
            return String::new();
        }
        format!(
            "{}  O {}  H {}  L {}  C {}  V {}",
            theme::format_bar_time(&c.ts_ms, bar as f64),
            theme::format_price(c.open[bar]),
            theme::format_price(c.high[bar]),
            theme::format_price(c.low[bar]),
            theme::format_price(c.close[bar]),
            theme::format_compact(c.volume[bar]),
        )
    }
}
