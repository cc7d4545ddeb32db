//! The optimisation history: one mark per evaluated trial (complete feasible trials in the
//! accent colour, infeasible ones amber, pruned ones small and grey at their last
//! intermediate score, failed ones as red crosses along the bottom) and the best feasible
//! score so far as a step line. Bar-indexed by the count of evaluated trials (a duplicate
//! answered from the cache takes a trial number but is no evaluation, so the axis ends at
//! the budget spent), so it zooms and pans in the `charts::canvas::ChartCanvas`.

use std::ops::Range;
use std::rc::Rc;

use super::math::{best_so_far, padded, robust_range, step_path};
use super::{trial_points, PointKind, StudyChartData, TrialPoint};

/// The history chart's source.
pub struct HistoryChart {
    data: Rc<StudyChartData>,
    names: Vec<String>,
    /// Non-duplicate trials in number order; a trial's slot on the axis is its index here.
    points: Vec<TrialPoint>,
    /// `(slot, best feasible score)` at each improvement.
    improvements: Vec<(u64, f64)>,
}

impl HistoryChart {
    pub fn new(data: Rc<StudyChartData>) -> HistoryChart {
        let points = trial_points(&data.trials);
        let improvements = best_so_far(
            points
                .iter()
                .enumerate()
                .filter(|(_, p)| p.kind == PointKind::Feasible)
                .filter_map(|(slot, p)| Some((slot as u64, p.score?))),
        );
        HistoryChart {
            names: data.param_names(),
            data,
            points,
            improvements,
        }
    }

    /// The x axis: one slot per evaluated trial; one slot even before the first trial, so
    /// the canvas draws the "no trials yet" message.
    pub fn n_slots(&self) -> usize {
        self.points.len().max(1)
    }

    /// The best feasible trial: `(number, score)`.
    pub fn best(&self) -> Option<(u64, f64)> {
        let &(slot, score) = self.improvements.last()?;
        Some((self.points.get(slot as usize)?.number, score))
    }

    /// The plotted trials whose slots fall in `view`.
    pub fn points_in(&self, view: &Range<usize>) -> &[TrialPoint] {
        let n = self.points.len();
        let (start, end) = (view.start.min(n), view.end.min(n));
        self.points.get(start..end.max(start)).unwrap_or(&[])
    }

    /// The slot of the first plotted trial of `points_in(view)`.
    pub fn first_slot(&self, view: &Range<usize>) -> usize {
        view.start.min(self.points.len())
    }

    /// The score range the view shows: the scores of its trials and the best-so-far line
    /// across it, robust to outliers (see the module docs of `study`), padded.
    pub fn y_range(&self, view: &Range<usize>) -> Option<(f64, f64)> {
        let scores = self.points_in(view).iter().filter_map(|p| p.score);
        let range = robust_range(scores, None);
        let range = self.best_path(view).iter().fold(range, |range, &(_, y)| {
            Some(range.map_or((y, y), |(low, high)| (low.min(y), high.max(y))))
        });
        range.map(|r| padded(r, 0.06))
    }

    /// The best-so-far step line across `view`.
    pub fn best_path(&self, view: &Range<usize>) -> Vec<(f64, f64)> {
        step_path(&self.improvements, view.start as f64, view.end as f64)
    }

    /// The read-out of the plotted trial at `slot` (the last one beyond the end).
    pub fn readout_near(&self, slot: usize) -> String {
        let nearest = self
            .points
            .get(slot)
            .or_else(|| self.points.last().filter(|_| slot >= self.points.len()));
        nearest.map_or_else(String::new, |p| self.data.readout(p.index, &self.names))
    }

    /// How many plotted trials there are of each kind: feasible, infeasible, pruned, failed.
    pub fn counts(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for p in &self.points {
            counts[p.kind as usize] += 1;
        }
        counts
    }
}

#[cfg(target_arch = "wasm32")]
mod draw {
    use std::ops::Range;

    use plotters::prelude::*;
    use web_sys::HtmlCanvasElement;

    use super::super::math::{format_number, thin_by_pixel};
    use super::super::PointKind;
    use super::HistoryChart;
    use crate::charts::canvas::ChartSource;
    use crate::charts::plot::{self, colors, legend_item};
    use crate::charts::theme::{self, Layout};

    impl ChartSource for HistoryChart {
        fn n_bars(&self) -> usize {
            self.n_slots()
        }

        fn draw(&self, canvas: &HtmlCanvasElement, view: Range<usize>) -> Result<Layout, String> {
            let view = view.start..view.end.min(self.n_slots()).max(view.start + 1);
            let root = plot::root_of(canvas)?;
            let (width, height) = (canvas.width(), canvas.height());
            let empty_layout = Layout {
                plot_left: 0,
                plot_right: width as i32,
                view: view.clone(),
            };
            let Some((low, high)) = self.y_range(&view) else {
                let message = if self.points.is_empty() {
                    "No trials yet: each finished trial appears here, with the best score so far."
                } else {
                    "No trial has a score yet: every one so far failed."
                };
                plot::draw_message(&root, width, height, message)?;
                root.present().map_err(theme::err)?;
                return Ok(empty_layout);
            };
            let x_range = view.start as f64..view.end as f64;
            let mut chart = ChartBuilder::on(&root)
                .margin(theme::MARGIN)
                .margin_top(28)
                .x_label_area_size(22)
                .y_label_area_size(theme::Y_LABEL_WIDTH)
                .build_cartesian_2d(x_range, low..high)
                .map_err(theme::err)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(8)
                .y_labels(5)
                .light_line_style(TRANSPARENT)
                .bold_line_style(theme::GRID)
                .axis_style(theme::AXIS)
                .label_style(theme::label_font())
                .x_label_formatter(&|x| format!("{}", x.max(0.0).floor() as u64))
                // Plotters' tick positions carry rounding noise: -1.1e-16 is 0.
                .y_label_formatter(&|v| {
                    format_number(if v.abs() < (high - low) * 1e-9 {
                        0.0
                    } else {
                        *v
                    })
                })
                .draw()
                .map_err(theme::err)?;

            // Marks are placed in canvas pixels, so those that land on the same pixels are
            // drawn once (a long study draws as fast as a short one), and drawn in bulk.
            let context = plot::context_of(canvas)?;
            let points = self.points_in(&view);
            let first_slot = self.first_slot(&view);
            for kind in [
                PointKind::Pruned,
                PointKind::Failed,
                PointKind::Infeasible,
                PointKind::Feasible,
            ] {
                let pixels: Vec<(f64, f64)> = points
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.kind == kind)
                    .map(|(i, p)| {
                        let y = p.score.map_or(low, |s| s.clamp(low, high));
                        let slot = (first_slot + i) as f64;
                        let (px, py) = chart.backend_coord(&(slot + 0.5, y));
                        (f64::from(px), f64::from(py))
                    })
                    .collect();
                let kept = thin_by_pixel(&pixels, 2.0)
                    .into_iter()
                    .filter_map(|i| pixels.get(i).copied());
                match kind {
                    PointKind::Feasible => {
                        plot::fill_dots(&context, kept, 3.0, colors::FEASIBLE, 1.0)?
                    }
                    PointKind::Infeasible => {
                        plot::fill_dots(&context, kept, 3.0, colors::INFEASIBLE, 1.0)?
                    }
                    PointKind::Pruned => plot::fill_dots(&context, kept, 2.0, colors::PRUNED, 1.0)?,
                    PointKind::Failed => plot::stroke_crosses(
                        &context,
                        kept.map(|(x, y)| (x, y - 4.0)),
                        3.0,
                        colors::FAILED,
                    ),
                }
            }
            chart
                .draw_series(LineSeries::new(
                    self.best_path(&view)
                        .into_iter()
                        .map(|(x, y)| (x, y.clamp(low, high))),
                    colors::BEST.stroke_width(2),
                ))
                .map_err(theme::err)?;

            let [feasible, infeasible, pruned, failed] = self.counts();
            let mut x = (theme::Y_LABEL_WIDTH + theme::MARGIN + 8) as i32;
            let y = 14;
            x = legend_item(
                &root,
                x,
                y,
                plot::Mark::Dot(colors::FEASIBLE),
                &format!("feasible {feasible}"),
            )?;
            if infeasible > 0 {
                x = legend_item(
                    &root,
                    x,
                    y,
                    plot::Mark::Dot(colors::INFEASIBLE),
                    &format!("infeasible {infeasible}"),
                )?;
            }
            if pruned > 0 {
                x = legend_item(
                    &root,
                    x,
                    y,
                    plot::Mark::Dot(colors::PRUNED),
                    &format!("pruned {pruned}"),
                )?;
            }
            if failed > 0 {
                x = legend_item(
                    &root,
                    x,
                    y,
                    plot::Mark::Cross(colors::FAILED),
                    &format!("failed {failed}"),
                )?;
            }
            let best = self.best().map_or_else(
                || "best so far: none feasible yet".to_string(),
                |(n, s)| format!("best so far {} (#{n})", super::super::format_score(s)),
            );
            legend_item(&root, x, y, plot::Mark::Line(colors::BEST), &best)?;
            root.present().map_err(theme::err)?;

            let plot_area = chart.plotting_area().get_pixel_range();
            Ok(Layout {
                plot_left: plot_area.0.start,
                plot_right: plot_area.0.end,
                view,
            })
        }

        fn readout(&self, bar: usize) -> String {
            self.readout_near(bar)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    fn chart() -> HistoryChart {
        let first = complete(0, 1.0, params(0.01, 10, "fast"));
        let trials = vec![
            first.clone(),
            infeasible(1, 9.0, params(0.02, 11, "slow")),
            pruned(2, -2.0, params(0.03, 12, "fast")),
            duplicate(3, &first),
            complete(4, 3.0, params(0.04, 13, "slow")),
            failed(5, params(0.05, 14, "fast")),
            complete(6, 2.0, params(0.06, 15, "slow")),
        ];
        HistoryChart::new(Rc::new(StudyChartData::new(trials, space())))
    }

    #[test]
    fn the_best_so_far_follows_feasible_trials_only() {
        let chart = chart();
        // The infeasible 9.0 is not a best; the duplicate of trial 0 is not a trial.
        // Slots count evaluated trials: trial 4 is the fourth (slot 3).
        assert_eq!(chart.improvements, vec![(0, 1.0), (3, 3.0)]);
        assert_eq!(chart.best(), Some((4, 3.0)));
        assert_eq!(chart.counts(), [3, 1, 1, 1]);
        assert_eq!(chart.n_slots(), 6, "seven numbers, one a duplicate");
    }

    #[test]
    fn the_view_selects_trials_by_evaluated_count() {
        let chart = chart();
        let numbers: Vec<u64> = chart.points_in(&(2..5)).iter().map(|p| p.number).collect();
        assert_eq!(numbers, vec![2, 4, 5], "the duplicate 3 takes no slot");
        assert!(chart.points_in(&(50..60)).is_empty());
    }

    #[test]
    fn the_y_range_covers_every_score_and_the_line() {
        let chart = chart();
        let (low, high) = chart.y_range(&(0..6)).unwrap_or((0.0, 0.0));
        assert!(low < -2.0 && high > 9.0, "{low}..{high}");
        // Slots 4..6: trials 5 (failed) and 6 (2.0), and the line at 3.0 entering from
        // trial 4.
        let (low, high) = chart.y_range(&(4..6)).unwrap_or((0.0, 0.0));
        assert!(
            low < 2.0 && low > 1.0 && high > 3.0 && high < 4.0,
            "{low}..{high}"
        );
    }

    #[test]
    fn the_readout_finds_the_nearest_plotted_trial() {
        let chart = chart();
        // Trial 3 was a duplicate: slot 3 is trial 4.
        assert!(chart.readout_near(2).starts_with("trial #2 "));
        assert!(chart
            .readout_near(3)
            .starts_with("trial #4 · score 3.0000 · complete"));
        assert!(chart.readout_near(100).starts_with("trial #6 "));
    }

    #[test]
    fn an_empty_study_still_has_one_slot_and_no_range() {
        let chart = HistoryChart::new(Rc::new(StudyChartData::new(Vec::new(), space())));
        assert_eq!(chart.n_slots(), 1);
        assert_eq!(chart.y_range(&(0..1)), None);
        assert_eq!(chart.readout_near(0), "");
    }
}
