//! Parallel coordinates: one vertical axis per parameter and one for the score, each
//! normalised to `[0, 1]` over its range (log for log-scaled leaves, categories spread
//! evenly), and one polyline per complete trial. Feasible trials are coloured by their
//! score's rank on a dim-to-bright ramp and drawn best last, so the best trials lie
//! brightest on top; infeasible ones are faint amber underneath. The colour follows the
//! rank rather than the score itself because scores bunch: when most trials sit near the
//! best, colouring by value would paint nearly all of them bright.

use std::rc::Rc;

use super::math::{padded, robust_range, Scale};
use super::{complete_points, PointKind, StudyChartData};

/// The most polylines drawn; beyond it the best ones are kept (the rest would be buried
/// under them anyway) and the chart says how many are left out.
pub const MAX_LINES: usize = 2000;

/// One axis: a parameter, or the score (last).
#[derive(Clone, Debug, PartialEq)]
pub struct ParallelAxis {
    pub name: String,
    pub scale: Scale,
}

/// One trial's polyline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParallelLine {
    /// Index into [`StudyChartData::trials`].
    pub index: usize,
    pub is_feasible: bool,
    /// The line's colour on the score ramp: its rank among the drawn feasible lines, from
    /// 0 (worst) to 1 (best); 0 for infeasible lines.
    pub colour_t: f64,
}

/// The parallel-coordinates chart's source.
pub struct ParallelChart {
    data: Rc<StudyChartData>,
    names: Vec<String>,
    axes: Vec<ParallelAxis>,
    /// In drawing order: infeasible first, then feasible from worst to best.
    lines: Vec<ParallelLine>,
    /// `lines.len() * axes.len()` positions in `[0, 1]`, line by line.
    units: Vec<f64>,
    n_left_out: usize,
}

impl ParallelChart {
    pub fn new(data: Rc<StudyChartData>) -> ParallelChart {
        let names = data.param_names();
        let complete = complete_points(&data.trials);
        let best = complete
            .iter()
            .filter(|(p, _)| p.kind == PointKind::Feasible)
            .map(|(_, s)| *s)
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
        let score_scale = robust_range(complete.iter().map(|(_, s)| *s), best)
            .map(|r| padded(r, 0.02))
            .map_or(
                Scale::Linear {
                    low: 0.0,
                    high: 1.0,
                },
                |(low, high)| Scale::Linear { low, high },
            );
        let mut axes: Vec<ParallelAxis> = data
            .space
            .params()
            .iter()
            .zip(&names)
            .map(|(spec, name)| ParallelAxis {
                name: name.clone(),
                scale: Scale::for_distribution(&spec.distribution),
            })
            .collect();
        axes.push(ParallelAxis {
            name: "score".into(),
            scale: score_scale,
        });

        // Rows of (line, units); a trial the space cannot place is left out.
        let mut rows: Vec<(ParallelLine, f64, u64, Vec<f64>)> = complete
            .iter()
            .filter_map(|(p, score)| {
                let trial = data.trials.get(p.index)?;
                let mut units = Vec::with_capacity(axes.len());
                for (spec, axis) in data.space.params().iter().zip(&axes) {
                    let coord = axis.scale.coord_of(trial.params.get(&spec.path)?)?;
                    units.push(axis.scale.unit(coord));
                }
                let score_axis = axes.last()?;
                let score_unit = score_axis.scale.unit(score_axis.scale.coord(*score)?);
                units.push(score_unit);
                let line = ParallelLine {
                    index: p.index,
                    is_feasible: p.kind == PointKind::Feasible,
                    colour_t: 0.0,
                };
                Some((line, *score, p.number, units))
            })
            .collect();
        rows.sort_by(|a, b| {
            a.0.is_feasible
                .cmp(&b.0.is_feasible)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.cmp(&b.2))
        });
        let n_left_out = rows.len().saturating_sub(MAX_LINES);
        let rows = &rows[n_left_out..];
        let n_infeasible = rows.iter().filter(|r| !r.0.is_feasible).count();
        let n_feasible = rows.len() - n_infeasible;
        let mut lines: Vec<ParallelLine> = rows.iter().map(|r| r.0).collect();
        for (rank, line) in lines.iter_mut().skip(n_infeasible).enumerate() {
            line.colour_t = if n_feasible > 1 {
                rank as f64 / (n_feasible - 1) as f64
            } else {
                1.0
            };
        }
        ParallelChart {
            lines,
            units: rows.iter().flat_map(|r| r.3.iter().copied()).collect(),
            data,
            names,
            axes,
            n_left_out,
        }
    }

    /// The axes: one per parameter in the space's order, then the score.
    pub fn axes(&self) -> &[ParallelAxis] {
        &self.axes
    }

    /// The polylines in drawing order.
    pub fn lines(&self) -> &[ParallelLine] {
        &self.lines
    }

    /// Line `i`'s position on every axis, each in `[0, 1]`.
    pub fn line_units(&self, i: usize) -> &[f64] {
        let n = self.axes.len();
        self.units.get(i * n..(i + 1) * n).unwrap_or(&[])
    }

    /// The hover read-out of trial `index`.
    pub fn readout(&self, index: usize) -> String {
        self.data.readout(index, &self.names)
    }

    /// How many complete trials are not drawn (beyond [`MAX_LINES`]).
    pub fn n_left_out(&self) -> usize {
        self.n_left_out
    }
}

#[cfg(target_arch = "wasm32")]
mod draw {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, VPos};
    use web_sys::HtmlCanvasElement;

    use super::super::math::{score_ramp, Scale};
    use super::{ParallelChart, MAX_LINES};
    use crate::charts::plot::{self, colors, PlotLayout, PlotSource, HIT_RADIUS_PX};
    use crate::charts::theme;

    /// Categorical axes with at most this many choices label every choice.
    const MAX_CHOICE_LABELS: usize = 10;
    /// Feasible lines are drawn in this many shades, one stroke per shade.
    const N_SHADES: usize = 24;

    fn shade_of(colour_t: f64) -> usize {
        ((colour_t * N_SHADES as f64) as usize).min(N_SHADES - 1)
    }

    impl PlotSource for ParallelChart {
        fn draw(&self, canvas: &HtmlCanvasElement) -> Result<PlotLayout, String> {
            let root = plot::root_of(canvas)?;
            let (width, height) = (canvas.width() as i32, canvas.height() as i32);
            let message = if self.axes.len() < 2 {
                Some("The search space has no varying parameter.")
            } else if self.lines.is_empty() {
                Some("No complete trials yet: a line per trial appears as trials finish.")
            } else {
                None
            };
            if let Some(message) = message {
                plot::draw_message(&root, width as u32, height as u32, message)?;
                root.present().map_err(theme::err)?;
                return Ok(PlotLayout::default());
            }
            let margin = theme::MARGIN as i32;
            let (left, right) = (margin + 44, width - margin - 44);
            let (top, bottom) = (62, height - 26);
            let n_axes = self.axes.len();
            let axis_x: Vec<f64> = (0..n_axes)
                .map(|i| f64::from(left) + f64::from(right - left) * i as f64 / (n_axes - 1) as f64)
                .collect();
            let y_of = |unit: f64| f64::from(bottom) - unit * f64::from(bottom - top);

            // Every vertex in canvas pixels, line by line; also the hover targets.
            let mut vertices: Vec<(f64, f64)> = Vec::with_capacity(self.lines.len() * n_axes);
            let mut layout = PlotLayout::with_capacity(self.lines.len() * n_axes);
            for (i, line) in self.lines.iter().enumerate() {
                for (x, unit) in axis_x.iter().zip(self.line_units(i)) {
                    let y = y_of(*unit);
                    vertices.push((*x, y));
                    layout.push_point(*x, y, line.index);
                }
            }
            let line_vertices =
                |i: usize| vertices.get(i * n_axes..(i + 1) * n_axes).unwrap_or(&[]);

            // Lines come infeasible first, then feasible from worst to best, so each shade is
            // a run of consecutive lines: one stroke per run, the brightest last.
            let context = plot::context_of(canvas)?;
            let mut start = 0;
            while start < self.lines.len() {
                let key = |i: usize| {
                    self.lines.get(i).map(|l| {
                        (
                            l.is_feasible,
                            if l.is_feasible {
                                shade_of(l.colour_t)
                            } else {
                                0
                            },
                        )
                    })
                };
                let run_key = key(start);
                let mut end = start + 1;
                while end < self.lines.len() && key(end) == run_key {
                    end += 1;
                }
                let run = (start..end).map(line_vertices);
                match run_key {
                    Some((true, shade)) => {
                        let t = (shade as f64 + 0.5) / N_SHADES as f64;
                        plot::stroke_polylines(
                            &context,
                            run,
                            1.0,
                            plot::rgb(score_ramp(t)),
                            0.3 + 0.6 * t,
                        );
                    }
                    _ => plot::stroke_polylines(&context, run, 1.0, colors::INFEASIBLE, 0.2),
                }
                start = end;
            }

            let spacing = (right - left) / (n_axes as i32 - 1).max(1);
            let is_crowded = spacing < 120;
            for (i, (axis, x)) in self.axes.iter().zip(&axis_x).enumerate() {
                let x = *x as i32;
                root.draw(&PathElement::new(
                    vec![(x, top), (x, bottom)],
                    theme::AXIS.stroke_width(1),
                ))
                .map_err(theme::err)?;
                let name_y = if is_crowded && i % 2 == 1 { 22 } else { 6 };
                let name = if axis.scale.is_log() {
                    format!("{} (log)", axis.name)
                } else {
                    axis.name.clone()
                };
                let color = if i + 1 == n_axes {
                    colors::BEST
                } else {
                    theme::LABEL
                };
                plot::text(&root, &name, (x, name_y), HPos::Center, VPos::Top, color)?;
                let (low, high) = axis.scale.coord_range();
                match &axis.scale {
                    Scale::Categories { choices } if choices.len() <= MAX_CHOICE_LABELS => {
                        for tick in axis.scale.ticks(MAX_CHOICE_LABELS) {
                            let y = y_of(axis.scale.unit(tick.coord)) as i32;
                            plot::boxed_text(&root, &tick.label, (x + 4, y))?;
                        }
                    }
                    _ => {
                        let (high, low) = (axis.scale.label(high), axis.scale.label(low));
                        plot::text(
                            &root,
                            &high,
                            (x, top - 3),
                            HPos::Center,
                            VPos::Bottom,
                            theme::LABEL,
                        )?;
                        plot::text(
                            &root,
                            &low,
                            (x, bottom + 4),
                            HPos::Center,
                            VPos::Top,
                            theme::LABEL,
                        )?;
                    }
                }
            }
            if self.n_left_out > 0 {
                let note = format!(
                    "the best {MAX_LINES} of {} complete trials are drawn",
                    MAX_LINES + self.n_left_out
                );
                plot::text(
                    &root,
                    &note,
                    (margin, height - 4),
                    HPos::Left,
                    VPos::Bottom,
                    theme::LABEL,
                )?;
            }
            root.present().map_err(theme::err)?;
            Ok(layout)
        }

        fn hit(&self, layout: &PlotLayout, x: f64, y: f64) -> Option<String> {
            let index = layout.nearest(x, y, HIT_RADIUS_PX)?;
            Some(self.readout(index))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn each_axis_is_normalised_over_its_own_range() {
        let trials = vec![
            complete(0, 1.0, params(0.01, 20, "slow")),
            complete(1, 3.0, params(0.1, 50, "fast")),
            complete(2, 2.0, params(0.001, 5, "fast")),
        ];
        let chart = ParallelChart::new(Rc::new(StudyChartData::new(trials, space())));
        let names: Vec<&str> = chart.axes().iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, vec!["mode", "period", "stop", "score"]);
        // Drawn worst first: trial 0 (1.0), trial 2 (2.0), trial 1 (3.0).
        let order: Vec<usize> = chart.lines().iter().map(|l| l.index).collect();
        assert_eq!(order, vec![0, 2, 1]);
        // Trial 0: "slow" is the second of two slots (centre 3/4); period 20 on 5..50 is
        // 15/45; stop 0.01 on a log axis 0.001..0.1 is the middle.
        let units = chart.line_units(0);
        assert_eq!(units.len(), 4);
        let expected = [0.75, 1.0 / 3.0, 0.5];
        for (u, e) in units.iter().zip(expected) {
            assert!((u - e).abs() < 1e-12, "{units:?}");
        }
        // Scores 1..3 padded by 2% of their span (0.04) on each side: 1.0 sits 0.04 up a
        // 2.08-wide axis.
        assert!((units[3] - 0.04 / 2.08).abs() < 1e-12, "{units:?}");
        assert!(
            chart.line_units(2)[3] > chart.line_units(1)[3],
            "the best scores highest"
        );
        assert!(chart.line_units(9).is_empty());
        // Colours by rank: worst 0, middle 0.5, best 1.
        let shades: Vec<f64> = chart.lines().iter().map(|l| l.colour_t).collect();
        assert_eq!(shades, vec![0.0, 0.5, 1.0]);
    }

    #[test]
    fn infeasible_lines_go_underneath_and_the_rest_is_skipped() {
        let trials = vec![
            complete(0, 1.0, params(0.01, 20, "slow")),
            infeasible(1, 9.0, params(0.1, 50, "fast")),
            pruned(2, 2.0, params(0.001, 5, "fast")),
            failed(3, params(0.001, 5, "fast")),
        ];
        let chart = ParallelChart::new(Rc::new(StudyChartData::new(trials, space())));
        let lines: Vec<(usize, bool)> = chart
            .lines()
            .iter()
            .map(|l| (l.index, l.is_feasible))
            .collect();
        assert_eq!(lines, vec![(1, false), (0, true)]);
    }

    #[test]
    fn beyond_the_cap_the_best_lines_are_kept() {
        let trials: Vec<_> = (0..MAX_LINES as u64 + 5)
            .map(|i| complete(i, i as f64, params(0.01, 5 + (i % 46) as i64, "fast")))
            .collect();
        let chart = ParallelChart::new(Rc::new(StudyChartData::new(trials, space())));
        assert_eq!(chart.lines().len(), MAX_LINES);
        assert_eq!(chart.n_left_out(), 5);
        assert_eq!(
            chart.lines().first().map(|l| l.index),
            Some(5),
            "the five worst are left out"
        );
    }
}
