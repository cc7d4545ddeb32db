//! The probability of backtest overfitting as a histogram: for each half/half split of the
//! study's blocks, the logit of the in-sample best trial's relative rank out of sample.
//! Bars at or left of 0 (red) are splits where the best in sample fell to the lower half
//! out of sample; PBO is their share. The range is symmetric about 0, so the eye compares
//! the two sides directly.

/// Bars of the histogram.
pub const N_BINS: usize = 24;

/// One bar: logits in `[low, high)` (the last bar includes its high).
#[derive(Clone, Debug, PartialEq)]
pub struct LogitBin {
    pub low: f64,
    pub high: f64,
    pub count: usize,
}

impl LogitBin {
    /// Whether the bar lies at or below 0: overfit splits.
    pub fn is_overfit(&self) -> bool {
        self.high <= 0.0
    }
}

/// The histogram's source.
pub struct PboHistogram {
    bins: Vec<LogitBin>,
    pbo: f64,
    n_splits: usize,
}

impl PboHistogram {
    /// Bins `logits` over a range symmetric about 0 (at least ±1); PBO as computed.
    pub fn new(logits: &[f64], pbo: f64) -> PboHistogram {
        let finite: Vec<f64> = logits.iter().copied().filter(|l| l.is_finite()).collect();
        let reach = finite.iter().fold(1.0_f64, |m, l| m.max(l.abs()));
        let width = 2.0 * reach / N_BINS as f64;
        let mut bins: Vec<LogitBin> = (0..N_BINS)
            .map(|k| LogitBin {
                low: -reach + width * k as f64,
                high: -reach + width * (k + 1) as f64,
                count: 0,
            })
            .collect();
        for l in &finite {
            // A logit exactly 0 is overfit (PBO counts logit ≤ 0): it goes left of 0.
            let k = if *l == 0.0 {
                N_BINS / 2 - 1
            } else {
                (((l + reach) / width) as usize).min(N_BINS - 1)
            };
            bins[k].count += 1;
        }
        PboHistogram {
            bins,
            pbo,
            n_splits: finite.len(),
        }
    }

    pub fn bins(&self) -> &[LogitBin] {
        &self.bins
    }

    /// The PBO the legend states.
    pub fn pbo(&self) -> f64 {
        self.pbo
    }

    /// The read-out of bar `k`.
    pub fn readout(&self, k: usize) -> String {
        let Some(bin) = self.bins.get(k) else {
            return String::new();
        };
        format!(
            "logit {:.2} to {:.2}: {} of {} splits{}",
            bin.low,
            bin.high,
            bin.count,
            self.n_splits,
            if bin.is_overfit() {
                " (the in-sample best fell to the lower half out of sample)"
            } else {
                ""
            }
        )
    }
}

#[cfg(target_arch = "wasm32")]
mod draw {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, VPos};
    use web_sys::HtmlCanvasElement;

    use super::super::math::{labelled_ticks, AxisMap, Tick};
    use super::PboHistogram;
    use crate::charts::plot::{self, Mark, PlotLayout, PlotSource, Rect};
    use crate::charts::theme;

    fn ticks(low: f64, high: f64, n: i32) -> Vec<Tick> {
        labelled_ticks(low, high, n.max(2) as usize)
    }

    impl PlotSource for PboHistogram {
        fn draw(&self, canvas: &HtmlCanvasElement) -> Result<PlotLayout, String> {
            let root = plot::root_of(canvas)?;
            let (width, height) = (canvas.width() as i32, canvas.height() as i32);
            let margin = theme::MARGIN as i32;
            if self.n_splits == 0 {
                plot::draw_message(&root, width as u32, height as u32, "No PBO for this study.")?;
                root.present().map_err(theme::err)?;
                return Ok(PlotLayout::default());
            }
            let mut x = margin + 8;
            x = plot::legend_item(&root, x, 14, Mark::Dot(theme::DOWN), "logit ≤ 0: overfit")?;
            plot::legend_item(
                &root,
                x,
                14,
                Mark::Dot(theme::UP),
                &format!("logit > 0 · PBO {:.1} %", 100.0 * self.pbo),
            )?;
            let plot_rect = Rect::new(margin + 56, 32, width - margin - 12, height - 46);
            let (low, high) = (self.bins[0].low, self.bins[self.bins.len() - 1].high);
            let tallest = self.bins.iter().map(|b| b.count).max().unwrap_or(1).max(1) as f64;
            let x_map = AxisMap::new(
                (low, high),
                f64::from(plot_rect.left),
                f64::from(plot_rect.right),
            );
            let y_map = AxisMap::new(
                (0.0, tallest * 1.05),
                f64::from(plot_rect.bottom),
                f64::from(plot_rect.top),
            );
            plot::draw_axes(
                &root,
                plot_rect,
                &x_map,
                &y_map,
                &ticks(low, high, plot_rect.width() / 80),
                &ticks(0.0, tallest, plot_rect.height() / 40),
            )?;
            let mut layout = PlotLayout::with_capacity(self.bins.len());
            for (k, bin) in self.bins.iter().enumerate() {
                let (left, right) = (x_map.px(bin.low) as i32, x_map.px(bin.high) as i32);
                let top = y_map.px(bin.count as f64) as i32;
                let color = if bin.is_overfit() {
                    theme::DOWN
                } else {
                    theme::UP
                };
                if bin.count > 0 {
                    root.draw(&Rectangle::new(
                        [(left + 1, top), (right - 1, plot_rect.bottom)],
                        color.mix(0.8).filled(),
                    ))
                    .map_err(theme::err)?;
                }
                layout.push_area(Rect::new(left, plot_rect.top, right, plot_rect.bottom), k);
            }
            let zero = x_map.px(0.0) as i32;
            root.draw(&PathElement::new(
                vec![(zero, plot_rect.top), (zero, plot_rect.bottom)],
                theme::LABEL.stroke_width(1),
            ))
            .map_err(theme::err)?;
            plot::text(
                &root,
                "logit of the in-sample best's out-of-sample rank",
                (
                    plot_rect.left + plot_rect.width() / 2,
                    plot_rect.bottom + 22,
                ),
                HPos::Center,
                VPos::Top,
                theme::LABEL,
            )?;
            root.present().map_err(theme::err)?;
            Ok(layout)
        }

        fn hit(&self, layout: &PlotLayout, x: f64, y: f64) -> Option<String> {
            Some(self.readout(layout.nearest(x, y, 0.0)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logits_fall_in_symmetric_bins_and_zero_counts_as_overfit() {
        let logits = [-2.0, -0.5, 0.0, 0.5, 1.0, 2.0, f64::NAN];
        let chart = PboHistogram::new(&logits, 3.0 / 6.0);
        let bins = chart.bins();
        assert_eq!(bins.len(), N_BINS);
        assert_eq!((bins[0].low, bins[N_BINS - 1].high), (-2.0, 2.0));
        let total: usize = bins.iter().map(|b| b.count).sum();
        assert_eq!(total, 6, "the NaN is left out");
        let overfit: usize = bins
            .iter()
            .filter(|b| b.is_overfit())
            .map(|b| b.count)
            .sum();
        assert_eq!(overfit, 3, "-2, -0.5 and 0");
        assert_eq!(
            bins[N_BINS - 1].count,
            1,
            "the largest logit is in the last bar"
        );
        assert!(
            chart.readout(0).contains("1 of 6 splits"),
            "{}",
            chart.readout(0)
        );
    }
}
