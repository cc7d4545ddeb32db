//! A multi-objective study's Pareto front as a scatter of two of its objectives (the user
//! picks which): members of the front (non-domination rank 0 over every objective, not just
//! the two drawn) stand out in the best colour and are joined by their staircase, dominated
//! feasible trials are dimmed, infeasible ones grey. Hovering reads a trial out; clicking
//! one picks it (the study view then offers its replay and promotion). Beside it, the
//! hypervolume after each evaluated trial against the stated reference point.

use std::rc::Rc;

use genesis_optimizer::pareto::{nondomination_ranks, StudyFront};
use genesis_optimizer::Direction;

use super::math::padded;
use super::StudyChartData;

/// How a trial sits relative to the front.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FrontKind {
    /// Feasible and dominated by no other feasible trial.
    Front,
    /// Feasible, dominated by some other.
    Dominated,
    /// Complete but failed a constraint: never on the front.
    Infeasible,
}

/// One complete, non-duplicate trial with objective values.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontPoint {
    /// Index into [`StudyChartData::trials`].
    pub index: usize,
    pub number: u64,
    pub values: Vec<f64>,
    /// Non-domination rank over every objective (infeasible trials after the feasible).
    pub rank: usize,
    pub kind: FrontKind,
}

/// The Pareto scatter's source.
pub struct ParetoChart {
    data: Rc<StudyChartData>,
    names: Vec<String>,
    objectives: Vec<String>,
    directions: Vec<Direction>,
    x: usize,
    y: usize,
    points: Vec<FrontPoint>,
}

impl ParetoChart {
    /// The chart of `objectives` (metric names, with their `directions`), drawing objective
    /// `x` across and `y` up (clamped to the objectives there are).
    pub fn new(
        data: Rc<StudyChartData>,
        objectives: Vec<String>,
        directions: Vec<Direction>,
        x: usize,
        y: usize,
    ) -> ParetoChart {
        let complete: Vec<(usize, &genesis_optimizer::TrialRecord, Vec<f64>)> = data
            .trials
            .iter()
            .enumerate()
            .filter(|(_, t)| t.duplicate_of.is_none())
            .filter_map(|(i, t)| t.losses(&directions).map(|l| (i, t, l)))
            .collect();
        let losses: Vec<Vec<f64>> = complete.iter().map(|(_, _, l)| l.clone()).collect();
        let penalties: Vec<f64> = complete
            .iter()
            .map(|(_, t, _)| t.constraint_violations.len() as f64)
            .collect();
        let ranks = nondomination_ranks(&losses, Some(&penalties), None);
        let points = complete
            .iter()
            .zip(ranks)
            .map(|((index, t, _), rank)| FrontPoint {
                index: *index,
                number: t.number,
                values: t.values.clone(),
                rank,
                kind: match (t.is_feasible(), rank) {
                    (false, _) => FrontKind::Infeasible,
                    (true, 0) => FrontKind::Front,
                    (true, _) => FrontKind::Dominated,
                },
            })
            .collect();
        let last = directions.len().saturating_sub(1);
        ParetoChart {
            names: data.param_names(),
            data,
            objectives,
            directions,
            x: x.min(last),
            y: y.min(last),
            points,
        }
    }

    pub fn points(&self) -> &[FrontPoint] {
        &self.points
    }

    /// The front's members, left to right along the drawn x objective.
    pub fn front(&self) -> Vec<&FrontPoint> {
        let mut front: Vec<&FrontPoint> = self
            .points
            .iter()
            .filter(|p| p.kind == FrontKind::Front)
            .collect();
        front.sort_by(|a, b| a.values[self.x].total_cmp(&b.values[self.x]));
        front
    }

    /// The drawn ranges of the x and y objectives, padded; `None` without a point.
    pub fn ranges(&self) -> Option<((f64, f64), (f64, f64))> {
        let range = |k: usize| {
            let mut values = self.points.iter().map(|p| p.values[k]);
            let first = values.next()?;
            Some(padded(
                values.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))),
                0.05,
            ))
        };
        Some((range(self.x)?, range(self.y)?))
    }

    /// The axis title of objective `k`: its metric and which way is better.
    pub fn axis_title(&self, k: usize) -> String {
        let better = match self.directions.get(k) {
            Some(Direction::Maximize) => "higher is better",
            _ => "lower is better",
        };
        format!(
            "{} ({better})",
            self.objectives.get(k).map_or("?", String::as_str)
        )
    }

    /// The hover read-out of point `i`: trial, every objective, where it stands, score and
    /// parameters.
    pub fn readout(&self, i: usize) -> String {
        let Some(point) = self.points.get(i) else {
            return String::new();
        };
        let values: Vec<String> = self
            .objectives
            .iter()
            .zip(&point.values)
            .map(|(name, v)| format!("{name} {}", super::format_score(*v)))
            .collect();
        let standing = match point.kind {
            FrontKind::Front => "on the Pareto front".to_string(),
            FrontKind::Dominated => format!("dominated (rank {})", point.rank),
            FrontKind::Infeasible => "infeasible: never on the front".to_string(),
        };
        let mut text = format!(
            "trial #{} · {} · {standing} · click to open it",
            point.number,
            values.join(" · ")
        );
        let rest = self.data.readout(point.index, &self.names);
        if let Some((_, params)) = rest
            .split_once(" · ")
            .and_then(|(_, r)| r.rsplit_once(" · "))
        {
            text.push_str(" · ");
            text.push_str(params);
        }
        text
    }

    /// The trial number of point `i`, which a click picks.
    pub fn number_of(&self, i: usize) -> Option<u64> {
        self.points.get(i).map(|p| p.number)
    }
}

/// The hypervolume history's source.
pub struct HypervolumeChart {
    front: Option<StudyFront>,
}

impl HypervolumeChart {
    pub fn new(data: &StudyChartData, directions: &[Direction]) -> HypervolumeChart {
        HypervolumeChart {
            front: StudyFront::from_trials(directions, &data.trials, None),
        }
    }

    pub fn front(&self) -> Option<&StudyFront> {
        self.front.as_ref()
    }

    /// The read-out of history step `i`.
    pub fn readout(&self, i: usize) -> String {
        let Some(step) = self.front.as_ref().and_then(|f| f.history.get(i)) else {
            return String::new();
        };
        format!(
            "after {} evaluated trials (trial #{}): hypervolume {}",
            step.n_evaluated,
            step.number,
            super::format_score(step.hypervolume)
        )
    }
}

#[cfg(target_arch = "wasm32")]
mod draw {
    use plotters::style::text_anchor::{HPos, VPos};
    use web_sys::HtmlCanvasElement;

    use super::super::math::{labelled_ticks, AxisMap};
    use super::{FrontKind, HypervolumeChart, ParetoChart};
    use crate::charts::plot::{self, colors, Mark, PlotLayout, PlotSource, Rect};
    use crate::charts::theme;

    fn frame(canvas: &HtmlCanvasElement) -> Rect {
        let (width, height) = (canvas.width() as i32, canvas.height() as i32);
        let margin = theme::MARGIN as i32;
        Rect::new(margin + 60, 34, width - margin - 12, height - 48)
    }

    impl PlotSource for ParetoChart {
        fn draw(&self, canvas: &HtmlCanvasElement) -> Result<PlotLayout, String> {
            let root = plot::root_of(canvas)?;
            let Some(((x_low, x_high), (y_low, y_high))) = self.ranges() else {
                plot::draw_message(
                    &root,
                    canvas.width(),
                    canvas.height(),
                    "No complete trial yet: each one appears here by its objectives.",
                )?;
                root.present().map_err(theme::err)?;
                return Ok(PlotLayout::default());
            };
            let rect = frame(canvas);
            let x_map = AxisMap::new((x_low, x_high), f64::from(rect.left), f64::from(rect.right));
            let y_map = AxisMap::new((y_low, y_high), f64::from(rect.bottom), f64::from(rect.top));
            plot::draw_axes(
                &root,
                rect,
                &x_map,
                &y_map,
                &labelled_ticks(x_low, x_high, (rect.width() / 90).max(2) as usize),
                &labelled_ticks(y_low, y_high, (rect.height() / 40).max(2) as usize),
            )?;
            let context = plot::context_of(canvas)?;
            let at = |values: &[f64]| (x_map.px(values[self.x]), y_map.px(values[self.y]));
            let mut layout = PlotLayout::with_capacity(self.points.len());
            // Drawn back to front: infeasible, dominated, then the front on top.
            for (kind, radius, color, alpha) in [
                (FrontKind::Infeasible, 2.5, colors::PRUNED, 0.7),
                (FrontKind::Dominated, 3.0, colors::FEASIBLE, 0.35),
                (FrontKind::Front, 5.0, colors::BEST, 1.0),
            ] {
                let centres: Vec<(f64, f64)> = self
                    .points
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.kind == kind)
                    .map(|(i, p)| {
                        let (px, py) = at(&p.values);
                        layout.push_point(px, py, i);
                        (px, py)
                    })
                    .collect();
                if kind == FrontKind::Front && self.directions.len() == 2 {
                    // The staircase of the front in the drawn plane.
                    let front = self.front();
                    let mut line = Vec::with_capacity(2 * front.len());
                    for (k, p) in front.iter().enumerate() {
                        let (px, py) = at(&p.values);
                        if let Some(previous) = k.checked_sub(1).and_then(|j| front.get(j)) {
                            line.push((px, at(&previous.values).1));
                        }
                        line.push((px, py));
                    }
                    plot::stroke_polylines(&context, [line.as_slice()], 1.5, colors::BEST, 0.6);
                }
                plot::fill_dots(&context, centres, radius, color, alpha)?;
            }
            let mut x = rect.left;
            let counts = |kind: FrontKind| self.points.iter().filter(|p| p.kind == kind).count();
            x = plot::legend_item(
                &root,
                x,
                14,
                Mark::Dot(colors::BEST),
                &format!("Pareto front {}", counts(FrontKind::Front)),
            )?;
            x = plot::legend_item(
                &root,
                x,
                14,
                Mark::Dot(colors::FEASIBLE),
                &format!("dominated {}", counts(FrontKind::Dominated)),
            )?;
            plot::legend_item(
                &root,
                x,
                14,
                Mark::Dot(colors::PRUNED),
                &format!("infeasible {}", counts(FrontKind::Infeasible)),
            )?;
            plot::text(
                &root,
                &self.axis_title(self.x),
                (rect.left + rect.width() / 2, rect.bottom + 22),
                HPos::Center,
                VPos::Top,
                theme::LABEL,
            )?;
            plot::text(
                &root,
                &self.axis_title(self.y),
                (rect.left, rect.top - 4),
                HPos::Left,
                VPos::Bottom,
                theme::LABEL,
            )?;
            root.present().map_err(theme::err)?;
            Ok(layout)
        }

        fn hit(&self, layout: &PlotLayout, x: f64, y: f64) -> Option<String> {
            Some(self.readout(layout.nearest(x, y, plot::HIT_RADIUS_PX)?))
        }

        fn pick(&self, layout: &PlotLayout, x: f64, y: f64) -> Option<u64> {
            self.number_of(layout.nearest(x, y, plot::HIT_RADIUS_PX)?)
        }
    }

    impl PlotSource for HypervolumeChart {
        fn draw(&self, canvas: &HtmlCanvasElement) -> Result<PlotLayout, String> {
            let root = plot::root_of(canvas)?;
            let Some(front) = self.front().filter(|f| !f.history.is_empty()) else {
                plot::draw_message(
                    &root,
                    canvas.width(),
                    canvas.height(),
                    "No feasible trial yet: the hypervolume grows with the front.",
                )?;
                root.present().map_err(theme::err)?;
                return Ok(PlotLayout::default());
            };
            let rect = frame(canvas);
            let last = front.history.last().map_or(1, |s| s.n_evaluated).max(1) as f64;
            let top = front
                .history
                .iter()
                .map(|s| s.hypervolume)
                .fold(0.0_f64, f64::max)
                .max(f64::MIN_POSITIVE);
            let x_map = AxisMap::new((0.0, last), f64::from(rect.left), f64::from(rect.right));
            let y_map = AxisMap::new(
                (0.0, top * 1.05),
                f64::from(rect.bottom),
                f64::from(rect.top),
            );
            plot::draw_axes(
                &root,
                rect,
                &x_map,
                &y_map,
                &labelled_ticks(0.0, last, (rect.width() / 90).max(2) as usize),
                &labelled_ticks(0.0, top, (rect.height() / 40).max(2) as usize),
            )?;
            let context = plot::context_of(canvas)?;
            let mut line = Vec::with_capacity(2 * front.history.len());
            let mut layout = PlotLayout::with_capacity(front.history.len());
            for (i, step) in front.history.iter().enumerate() {
                let (px, py) = (
                    x_map.px(step.n_evaluated as f64),
                    y_map.px(step.hypervolume),
                );
                if let Some(&(_, previous_y)) = line.last() {
                    line.push((px, previous_y));
                }
                line.push((px, py));
                layout.push_point(px, py, i);
            }
            plot::stroke_polylines(&context, [line.as_slice()], 2.0, colors::BEST, 1.0);
            let reference: Vec<String> = front
                .reference
                .iter()
                .map(|r| super::super::format_score(*r))
                .collect();
            plot::legend_item(
                &root,
                rect.left,
                14,
                Mark::Line(colors::BEST),
                &format!(
                    "hypervolume {} against the reference ({})",
                    super::super::format_score(front.hypervolume),
                    reference.join(", ")
                ),
            )?;
            plot::text(
                &root,
                "evaluated trials",
                (rect.left + rect.width() / 2, rect.bottom + 22),
                HPos::Center,
                VPos::Top,
                theme::LABEL,
            )?;
            root.present().map_err(theme::err)?;
            Ok(layout)
        }

        fn hit(&self, layout: &PlotLayout, x: f64, y: f64) -> Option<String> {
            Some(self.readout(layout.nearest(x, y, plot::HIT_RADIUS_PX)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    fn with_values(
        mut t: genesis_optimizer::TrialRecord,
        values: [f64; 2],
    ) -> genesis_optimizer::TrialRecord {
        t.values = values.to_vec();
        t
    }

    fn chart() -> ParetoChart {
        // Maximise the first objective, minimise the second.
        let trials = vec![
            with_values(complete(0, 1.0, params(0.01, 10, "fast")), [0.2, 0.10]),
            with_values(complete(1, 1.0, params(0.02, 11, "slow")), [0.1, 0.05]),
            with_values(complete(2, 1.0, params(0.03, 12, "fast")), [0.1, 0.12]),
            with_values(infeasible(3, 1.0, params(0.04, 13, "slow")), [0.9, 0.01]),
            failed(4, params(0.05, 14, "fast")),
        ];
        ParetoChart::new(
            Rc::new(StudyChartData::new(trials, space())),
            vec!["total_return".into(), "max_drawdown".into()],
            vec![Direction::Maximize, Direction::Minimize],
            0,
            1,
        )
    }

    #[test]
    fn front_members_are_feasible_and_undominated_and_infeasible_trials_never_are() {
        let chart = chart();
        let kinds: Vec<(u64, FrontKind)> =
            chart.points().iter().map(|p| (p.number, p.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (0, FrontKind::Front),
                (1, FrontKind::Front),
                (2, FrontKind::Dominated),
                (3, FrontKind::Infeasible),
            ],
            "the infeasible trial 3 dominates everything on paper, the failed one has no values"
        );
        let front: Vec<u64> = chart.front().iter().map(|p| p.number).collect();
        assert_eq!(front, vec![1, 0], "left to right along total_return");
        assert_eq!(chart.axis_title(1), "max_drawdown (lower is better)");
        let readout = chart.readout(2);
        assert!(
            readout.starts_with(
                "trial #2 · total_return 0.1000 · max_drawdown 0.1200 · dominated (rank 1)"
            ),
            "{readout}"
        );
        assert!(readout.contains("period=12"), "{readout}");
        assert_eq!(chart.number_of(1), Some(1));
    }

    #[test]
    fn the_hypervolume_history_grows_with_the_front() {
        let chart = chart();
        let hv = HypervolumeChart::new(&chart.data, &chart.directions);
        let front = hv.front().unwrap();
        let steps: Vec<f64> = front.history.iter().map(|s| s.hypervolume).collect();
        assert_eq!(steps.len(), 3, "one step per feasible trial");
        assert!(
            steps[0] > 0.0 && steps[1] > steps[0] && steps[2] == steps[1],
            "{steps:?}"
        );
        assert!(
            hv.readout(1)
                .starts_with("after 2 evaluated trials (trial #1)"),
            "{}",
            hv.readout(1)
        );
    }
}
