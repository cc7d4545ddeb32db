//! Parameter slices: one small scatter per parameter (its value across, the score up) in a
//! grid on one canvas, sharing the score axis. Log-scaled parameters get a log axis,
//! categorical ones their choices. Complete trials only: feasible in the accent colour,
//! infeasible amber, the best trial ringed in every panel.

use std::rc::Rc;

use super::math::{grid_shape, labelled_ticks, padded, robust_range, Scale, Tick};
use super::{complete_points, PointKind, StudyChartData};

/// The narrowest a panel gets before the grid wraps to another row.
pub const MIN_PANEL_WIDTH_PX: u32 = 240;
/// The height of one row of panels.
pub const PANEL_HEIGHT_PX: u32 = 190;
/// The legend band above the panels.
pub const LEGEND_HEIGHT_PX: u32 = 28;

/// One trial in one panel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SlicePoint {
    /// The parameter's axis coordinate (see [`Scale`]).
    pub coord: f64,
    pub score: f64,
    /// Index into [`StudyChartData::trials`].
    pub index: usize,
    pub is_feasible: bool,
}

/// One parameter's scatter.
#[derive(Clone, Debug, PartialEq)]
pub struct SlicePanel {
    pub name: String,
    pub scale: Scale,
    pub points: Vec<SlicePoint>,
}

/// The slice chart's source.
pub struct SliceChart {
    data: Rc<StudyChartData>,
    names: Vec<String>,
    panels: Vec<SlicePanel>,
    /// The shared score axis, padded; `None` before the first complete trial.
    score_range: Option<(f64, f64)>,
    best_index: Option<usize>,
}

impl SliceChart {
    pub fn new(data: Rc<StudyChartData>) -> SliceChart {
        let names = data.param_names();
        let complete = complete_points(&data.trials);
        let best = complete
            .iter()
            .filter(|(p, _)| p.kind == PointKind::Feasible)
            .fold(None, |best: Option<(usize, f64)>, (p, s)| match best {
                Some((_, b)) if b >= *s => best,
                _ => Some((p.index, *s)),
            });
        let score_range = robust_range(complete.iter().map(|(_, s)| *s), best.map(|(_, s)| s))
            .map(|r| padded(r, 0.05));
        let panels = data
            .space
            .params()
            .iter()
            .zip(&names)
            .map(|(spec, name)| {
                let scale = Scale::for_distribution(&spec.distribution);
                let points = complete
                    .iter()
                    .filter_map(|(p, score)| {
                        let value = data.trials.get(p.index)?.params.get(&spec.path)?;
                        Some(SlicePoint {
                            coord: scale.coord_of(value)?,
                            score: *score,
                            index: p.index,
                            is_feasible: p.kind == PointKind::Feasible,
                        })
                    })
                    .collect();
                SlicePanel {
                    name: name.clone(),
                    scale,
                    points,
                }
            })
            .collect();
        SliceChart {
            data,
            names,
            panels,
            score_range,
            best_index: best.map(|(i, _)| i),
        }
    }

    pub fn panels(&self) -> &[SlicePanel] {
        &self.panels
    }

    /// The canvas height the grid of panels needs at `width_px`.
    pub fn height_for(&self, width_px: u32) -> u32 {
        let (_, rows) = grid_shape(self.panels.len(), width_px, MIN_PANEL_WIDTH_PX);
        LEGEND_HEIGHT_PX + PANEL_HEIGHT_PX * rows.max(1) as u32
    }

    /// The shared score axis (padded); `None` before the first complete trial.
    pub fn score_range(&self) -> Option<(f64, f64)> {
        self.score_range
    }

    /// The best feasible trial (an index into [`StudyChartData::trials`]), ringed in every
    /// panel.
    pub fn best_index(&self) -> Option<usize> {
        self.best_index
    }

    /// The hover read-out of trial `index`.
    pub fn readout(&self, index: usize) -> String {
        self.data.readout(index, &self.names)
    }

    /// The score axis's ticks for a panel `height_px` tall.
    pub fn score_ticks(&self, height_px: i32) -> Vec<Tick> {
        let Some((low, high)) = self.score_range else {
            return Vec::new();
        };
        labelled_ticks(low, high, (height_px / 40).max(2) as usize)
    }
}

#[cfg(target_arch = "wasm32")]
mod draw {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, VPos};
    use web_sys::HtmlCanvasElement;

    use super::super::math::{grid_cells, grid_shape, thin_by_pixel, AxisMap, Scale};
    use super::{SliceChart, LEGEND_HEIGHT_PX, MIN_PANEL_WIDTH_PX};
    use crate::charts::plot::{self, colors, Mark, PlotLayout, PlotSource, Rect, HIT_RADIUS_PX};
    use crate::charts::theme;

    impl PlotSource for SliceChart {
        fn draw(&self, canvas: &HtmlCanvasElement) -> Result<PlotLayout, String> {
            let root = plot::root_of(canvas)?;
            let (width, height) = (canvas.width(), canvas.height());
            let message = if self.panels.is_empty() {
                Some("The search space has no varying parameter to slice.")
            } else if self.score_range.is_none() {
                Some("No complete trials yet: a scatter per parameter appears as trials finish.")
            } else {
                None
            };
            if let Some(message) = message {
                plot::draw_message(&root, width, height, message)?;
                root.present().map_err(theme::err)?;
                return Ok(PlotLayout::default());
            }
            let y0 = (LEGEND_HEIGHT_PX / 2) as i32;
            let mut x = theme::MARGIN as i32 + 8;
            x = plot::legend_item(&root, x, y0, Mark::Dot(colors::FEASIBLE), "feasible")?;
            x = plot::legend_item(&root, x, y0, Mark::Dot(colors::INFEASIBLE), "infeasible")?;
            plot::legend_item(&root, x, y0, Mark::Dot(colors::BEST), "best trial")?;

            let margin = theme::MARGIN as i32;
            let area = Rect::new(
                margin,
                LEGEND_HEIGHT_PX as i32,
                width as i32 - margin,
                height as i32 - margin,
            );
            let (columns, _) = grid_shape(
                self.panels.len(),
                area.width().max(0) as u32,
                MIN_PANEL_WIDTH_PX,
            );
            let cells = grid_cells(self.panels.len(), columns, area);
            let n_points: usize = self.panels.iter().map(|p| p.points.len()).sum();
            let mut layout = PlotLayout::with_capacity(n_points);
            let score_range = self.score_range.unwrap_or((0.0, 1.0));
            let context = plot::context_of(canvas)?;

            for (panel, cell) in self.panels.iter().zip(cells) {
                let plot_rect = Rect::new(
                    cell.left + 52,
                    cell.top + 22,
                    cell.right - 12,
                    cell.bottom - 24,
                );
                let title = if panel.scale.is_log() {
                    format!("{} (log)", panel.name)
                } else {
                    panel.name.clone()
                };
                plot::text(
                    &root,
                    &title,
                    (plot_rect.left, cell.top + 4),
                    HPos::Left,
                    VPos::Top,
                    theme::LABEL,
                )?;
                let x_map = AxisMap::new(
                    panel.scale.coord_range(),
                    f64::from(plot_rect.left + 6),
                    f64::from(plot_rect.right - 6),
                );
                let y_map = AxisMap::new(
                    score_range,
                    f64::from(plot_rect.bottom - 4),
                    f64::from(plot_rect.top + 4),
                );
                // Category names are usually short: they get closer ticks than numbers.
                let tick_spacing = if matches!(panel.scale, Scale::Categories { .. }) {
                    40
                } else {
                    64
                };
                let x_ticks = panel
                    .scale
                    .ticks((plot_rect.width() / tick_spacing).max(2) as usize);
                plot::draw_axes(
                    &root,
                    plot_rect,
                    &x_map,
                    &y_map,
                    &x_ticks,
                    &self.score_ticks(plot_rect.height()),
                )?;

                for is_feasible in [false, true] {
                    let points: Vec<_> = panel
                        .points
                        .iter()
                        .filter(|p| p.is_feasible == is_feasible)
                        .collect();
                    let pixels: Vec<(f64, f64)> = points
                        .iter()
                        .map(|p| (x_map.px(p.coord), y_map.px(p.score)))
                        .collect();
                    let color = if is_feasible {
                        colors::FEASIBLE
                    } else {
                        colors::INFEASIBLE
                    };
                    let kept = thin_by_pixel(&pixels, 2.0)
                        .into_iter()
                        .filter_map(|i| pixels.get(i).copied());
                    plot::fill_dots(&context, kept, 3.0, color, 0.8)?;
                    for (p, (px, py)) in points.iter().zip(&pixels) {
                        layout.push_point(*px, *py, p.index);
                    }
                }
                if let Some(best) = panel
                    .points
                    .iter()
                    .find(|p| Some(p.index) == self.best_index)
                {
                    let at = (x_map.px(best.coord) as i32, y_map.px(best.score) as i32);
                    root.draw(&Circle::new(at, 6, colors::BEST.stroke_width(2)))
                        .map_err(theme::err)?;
                }
            }
            root.present().map_err(theme::err)?;
            Ok(layout)
        }

        fn hit(&self, layout: &PlotLayout, x: f64, y: f64) -> Option<String> {
            let index = layout.nearest(x, y, HIT_RADIUS_PX)?;
            Some(self.readout(index))
        }

        fn height_for_width(&self, width_px: u32) -> Option<u32> {
            Some(self.height_for(width_px.saturating_sub(2 * theme::MARGIN)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    fn chart() -> SliceChart {
        let trials = vec![
            complete(0, 1.0, params(0.001, 5, "fast")),
            complete(1, 3.0, params(0.1, 50, "slow")),
            infeasible(2, 2.0, params(0.01, 20, "fast")),
            pruned(3, 0.5, params(0.02, 30, "slow")),
            failed(4, params(0.03, 40, "fast")),
        ];
        SliceChart::new(Rc::new(StudyChartData::new(trials, space())))
    }

    #[test]
    fn one_panel_per_parameter_with_the_complete_trials() {
        let chart = chart();
        let names: Vec<&str> = chart.panels().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["mode", "period", "stop"]);
        for panel in chart.panels() {
            let indices: Vec<usize> = panel.points.iter().map(|p| p.index).collect();
            assert_eq!(
                indices,
                vec![0, 1, 2],
                "pruned and failed trials are not sliced"
            );
        }
        assert_eq!(chart.best_index, Some(1), "the best feasible trial");
    }

    #[test]
    fn panels_place_values_on_their_own_scales() {
        let chart = chart();
        let mode = &chart.panels()[0];
        assert_eq!(
            mode.points.iter().map(|p| p.coord).collect::<Vec<_>>(),
            vec![0.0, 1.0, 0.0]
        );
        let stop = &chart.panels()[2];
        assert!(stop.scale.is_log());
        // 0.001, 0.1 and 0.01 on a log axis from 0.001 to 0.1: the ends and the middle.
        let units: Vec<f64> = stop
            .points
            .iter()
            .map(|p| stop.scale.unit(p.coord))
            .collect();
        assert!(
            (units[0] - 0.0).abs() < 1e-12
                && (units[1] - 1.0).abs() < 1e-12
                && (units[2] - 0.5).abs() < 1e-12,
            "{units:?}"
        );
    }

    #[test]
    fn the_grid_grows_rows_on_narrow_canvases() {
        let chart = chart();
        assert_eq!(chart.height_for(1000), LEGEND_HEIGHT_PX + PANEL_HEIGHT_PX);
        assert_eq!(
            chart.height_for(300),
            LEGEND_HEIGHT_PX + 3 * PANEL_HEIGHT_PX
        );
    }

    #[test]
    fn no_complete_trial_means_no_score_axis() {
        let trials = vec![pruned(0, 0.5, params(0.02, 30, "slow"))];
        let chart = SliceChart::new(Rc::new(StudyChartData::new(trials, space())));
        assert_eq!(chart.score_range, None);
        assert!(chart.panels().iter().all(|p| p.points.is_empty()));
    }
}
