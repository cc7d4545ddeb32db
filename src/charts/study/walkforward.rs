//! A walk-forward run's two charts.
//!
//! - **Timeline**: the close price across the whole dataset, and under it one row per fold
//!   with its train window (blue) and test window (green) on the same bar axis, so the
//!   reader sees where each fold learnt and where it was judged.
//! - **Stitched equity**: the out-of-sample equity stitched from the test windows against
//!   buy and hold over the same windows (each segment starting where the previous ended),
//!   with the fold boundaries marked.

use std::ops::Range;

/// At most this many points per line (one per pixel column is plenty).
pub const MAX_POINTS: usize = 2_000;

/// Every `k`-th index of `0..n` (and the last), at most [`MAX_POINTS`] of them.
fn thinned(n: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let step = n.div_ceil(MAX_POINTS).max(1);
    let mut out: Vec<usize> = (0..n).step_by(step).collect();
    if out.last() != Some(&(n - 1)) {
        out.push(n - 1);
    }
    out
}

/// The timeline's source.
pub struct TimelineChart {
    /// `(bar, close)`, thinned.
    pub price: Vec<(usize, f64)>,
    pub n_bars: usize,
    /// Per fold: train and test bars.
    pub folds: Vec<(Range<usize>, Range<usize>)>,
    /// Open times, for the read-out.
    ts_ms: Vec<i64>,
}

impl TimelineChart {
    pub fn new(
        close: &[f64],
        ts_ms: &[i64],
        folds: Vec<(Range<usize>, Range<usize>)>,
    ) -> TimelineChart {
        TimelineChart {
            price: thinned(close.len())
                .into_iter()
                .map(|i| (i, close[i]))
                .collect(),
            n_bars: close.len(),
            folds,
            ts_ms: ts_ms.to_vec(),
        }
    }

    /// The read-out of fold `k`.
    pub fn readout(&self, k: usize) -> String {
        let Some((train, test)) = self.folds.get(k) else {
            return String::new();
        };
        let time = |bar: usize| {
            self.ts_ms.get(bar).map_or(String::new(), |&ms| {
                genesis_engine::data::timestamp::format_iso_ms(ms)
            })
        };
        format!(
            "fold {}: train bars {}..{} (from {}), test bars {}..{} ({} to {})",
            k + 1,
            train.start,
            train.end,
            time(train.start),
            test.start,
            test.end,
            time(test.start),
            time(test.end.saturating_sub(1))
        )
    }
}

/// Buy and hold over the test windows, stitched: each window's closes scaled so that it
/// starts where the previous one ended, from `initial`.
pub fn stitched_buy_and_hold(close: &[f64], tests: &[Range<usize>], initial: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut level = initial;
    for test in tests {
        let Some(&start) = close.get(test.start) else {
            continue;
        };
        // Bought at the window's first close: its equity at close t is level × close_t / start.
        let scale = level / start;
        out.extend(close[test.clone()].iter().map(|c| c * scale));
        if let Some(&last) = out.last() {
            level = last;
        }
    }
    out
}

/// The stitched equity chart's source.
pub struct StitchedChart {
    /// `(point, equity)`, thinned.
    pub equity: Vec<(usize, f64)>,
    pub buy_and_hold: Vec<(usize, f64)>,
    pub n_points: usize,
    /// Where each fold's test segment starts in the stitched series.
    pub boundaries: Vec<usize>,
    range: (f64, f64),
}

impl StitchedChart {
    pub fn new(equity: &[f64], buy_and_hold: &[f64], segment_lengths: &[usize]) -> StitchedChart {
        let mut boundaries = Vec::with_capacity(segment_lengths.len());
        let mut at = 0;
        for len in segment_lengths {
            boundaries.push(at);
            at += len;
        }
        let values = equity
            .iter()
            .chain(buy_and_hold)
            .copied()
            .filter(|v| v.is_finite());
        let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
        let range = if low < high {
            (low, high)
        } else if low.is_finite() {
            (low - 1.0, low + 1.0)
        } else {
            (0.0, 1.0)
        };
        StitchedChart {
            equity: thinned(equity.len())
                .into_iter()
                .map(|i| (i, equity[i]))
                .collect(),
            buy_and_hold: thinned(buy_and_hold.len())
                .into_iter()
                .map(|i| (i, buy_and_hold[i]))
                .collect(),
            n_points: equity.len().max(buy_and_hold.len()),
            boundaries,
            range,
        }
    }

    pub fn range(&self) -> (f64, f64) {
        self.range
    }
}

#[cfg(target_arch = "wasm32")]
mod draw {
    use plotters::style::text_anchor::{HPos, VPos};
    use web_sys::HtmlCanvasElement;

    use super::super::math::{labelled_ticks, padded, AxisMap, Tick};
    use super::{StitchedChart, TimelineChart};
    use crate::charts::plot::{self, Mark, PlotLayout, PlotSource, Rect};
    use crate::charts::theme;

    fn ticks(low: f64, high: f64, n: i32) -> Vec<Tick> {
        labelled_ticks(low, high, n.max(2) as usize)
    }

    const ROW_PX: i32 = 14;

    impl PlotSource for TimelineChart {
        fn draw(&self, canvas: &HtmlCanvasElement) -> Result<PlotLayout, String> {
            let root = plot::root_of(canvas)?;
            let (width, height) = (canvas.width() as i32, canvas.height() as i32);
            let margin = theme::MARGIN as i32;
            let mut x = margin + 8;
            x = plot::legend_item(&root, x, 14, Mark::Line(theme::LABEL), "close")?;
            x = plot::legend_item(&root, x, 14, Mark::Dot(theme::PALETTE[0]), "train")?;
            plot::legend_item(&root, x, 14, Mark::Dot(theme::UP), "test")?;
            let rows_px = ROW_PX * self.folds.len() as i32;
            let price_rect = Rect::new(
                margin + 56,
                30,
                width - margin - 12,
                (height - rows_px - 40).max(60),
            );
            let closes = self.price.iter().map(|p| p.1);
            let (low, high) = closes.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                (l.min(v), h.max(v))
            });
            let (low, high) = padded(
                if low < high {
                    (low, high)
                } else {
                    (low - 1.0, low + 1.0)
                },
                0.05,
            );
            let n = self.n_bars.max(2) as f64;
            let x_map = AxisMap::new(
                (0.0, n - 1.0),
                f64::from(price_rect.left),
                f64::from(price_rect.right),
            );
            let y_map = AxisMap::new(
                (low, high),
                f64::from(price_rect.bottom),
                f64::from(price_rect.top),
            );
            plot::draw_axes(
                &root,
                price_rect,
                &x_map,
                &y_map,
                &[],
                &ticks(low, high, price_rect.height() / 40),
            )?;
            let context = plot::context_of(canvas)?;
            let line: Vec<(f64, f64)> = self
                .price
                .iter()
                .map(|&(i, c)| (x_map.px(i as f64), y_map.px(c)))
                .collect();
            plot::stroke_polylines(&context, [line.as_slice()], 1.2, theme::LABEL, 0.9);
            let mut layout = PlotLayout::with_capacity(self.folds.len());
            for (k, (train, test)) in self.folds.iter().enumerate() {
                let top = price_rect.bottom + 8 + ROW_PX * k as i32;
                for (range, color) in [(train, theme::PALETTE[0]), (test, theme::UP)] {
                    let left = x_map.px(range.start as f64);
                    let right = x_map.px(range.end.saturating_sub(1) as f64).max(left + 1.0);
                    context.set_fill_style_str(&plot::css_color(color, 0.85));
                    context.fill_rect(
                        left,
                        f64::from(top + 2),
                        right - left,
                        f64::from(ROW_PX - 4),
                    );
                }
                layout.push_area(
                    Rect::new(price_rect.left, top, price_rect.right, top + ROW_PX),
                    k,
                );
            }
            plot::text(
                &root,
                &format!("{} folds over {} bars", self.folds.len(), self.n_bars),
                (price_rect.right, height - 4),
                HPos::Right,
                VPos::Bottom,
                theme::LABEL,
            )?;
            root.present().map_err(theme::err)?;
            Ok(layout)
        }

        fn hit(&self, layout: &PlotLayout, x: f64, y: f64) -> Option<String> {
            Some(self.readout(layout.nearest(x, y, 0.0)?))
        }

        fn height_for_width(&self, _width_px: u32) -> Option<u32> {
            Some((240 + ROW_PX * self.folds.len() as i32) as u32)
        }
    }

    impl PlotSource for StitchedChart {
        fn draw(&self, canvas: &HtmlCanvasElement) -> Result<PlotLayout, String> {
            let root = plot::root_of(canvas)?;
            let (width, height) = (canvas.width() as i32, canvas.height() as i32);
            let margin = theme::MARGIN as i32;
            if self.n_points == 0 {
                plot::draw_message(
                    &root,
                    width as u32,
                    height as u32,
                    "No fold has finished yet.",
                )?;
                root.present().map_err(theme::err)?;
                return Ok(PlotLayout::default());
            }
            let mut x = margin + 8;
            x = plot::legend_item(
                &root,
                x,
                14,
                Mark::Line(theme::PALETTE[0]),
                "walk-forward equity (out of sample)",
            )?;
            plot::legend_item(
                &root,
                x,
                14,
                Mark::Line(theme::LABEL),
                "buy and hold, same windows",
            )?;
            let rect = Rect::new(margin + 64, 30, width - margin - 12, height - 30);
            let (low, high) = padded(self.range, 0.05);
            let x_map = AxisMap::new(
                (0.0, (self.n_points.max(2) - 1) as f64),
                f64::from(rect.left),
                f64::from(rect.right),
            );
            let y_map = AxisMap::new((low, high), f64::from(rect.bottom), f64::from(rect.top));
            plot::draw_axes(
                &root,
                rect,
                &x_map,
                &y_map,
                &[],
                &ticks(low, high, rect.height() / 40),
            )?;
            let context = plot::context_of(canvas)?;
            let boundaries: Vec<Vec<(f64, f64)>> = self
                .boundaries
                .iter()
                .skip(1)
                .map(|&b| {
                    let px = x_map.px(b as f64);
                    vec![(px, f64::from(rect.top)), (px, f64::from(rect.bottom))]
                })
                .collect();
            plot::stroke_polylines(
                &context,
                boundaries.iter().map(Vec::as_slice),
                1.0,
                theme::GRID,
                1.0,
            );
            for (series, color) in [
                (&self.buy_and_hold, theme::LABEL),
                (&self.equity, theme::PALETTE[0]),
            ] {
                let line: Vec<(f64, f64)> = series
                    .iter()
                    .map(|&(i, v)| (x_map.px(i as f64), y_map.px(v)))
                    .collect();
                plot::stroke_polylines(&context, [line.as_slice()], 1.6, color, 1.0);
            }
            let mut layout = PlotLayout::with_capacity(self.boundaries.len());
            for (k, &b) in self.boundaries.iter().enumerate() {
                let end = self.boundaries.get(k + 1).copied().unwrap_or(self.n_points);
                layout.push_area(
                    Rect::new(
                        x_map.px(b as f64) as i32,
                        rect.top,
                        x_map.px(end as f64) as i32,
                        rect.bottom,
                    ),
                    k,
                );
            }
            root.present().map_err(theme::err)?;
            Ok(layout)
        }

        fn hit(&self, layout: &PlotLayout, x: f64, y: f64) -> Option<String> {
            let k = layout.nearest(x, y, 0.0)?;
            Some(format!("fold {}'s test window", k + 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buy_and_hold_segments_start_where_the_previous_ended() {
        let close = [10.0, 11.0, 12.0, 20.0, 10.0, 15.0];
        let curve = stitched_buy_and_hold(&close, &[1..3, 4..6], 100.0);
        // 100 × 11/11, 100 × 12/11; then from 109.09: × 10/10, × 15/10.
        let expected = [100.0, 1200.0 / 11.0, 1200.0 / 11.0, 1200.0 / 11.0 * 1.5];
        for (a, b) in curve.iter().zip(expected) {
            assert!((a - b).abs() < 1e-9, "{curve:?}");
        }
    }

    #[test]
    fn long_series_are_thinned_and_keep_their_last_point() {
        let chart = StitchedChart::new(&vec![1.0; 10_001], &vec![2.0; 10_001], &[5_000, 5_001]);
        assert!(chart.equity.len() <= MAX_POINTS + 1);
        assert_eq!(chart.equity.last().unwrap().0, 10_000);
        assert_eq!(chart.boundaries, vec![0, 5_000]);
        assert_eq!(chart.range(), (1.0, 2.0));
    }
}
