//! In-sample against out-of-sample: each validated trial at its in-sample score (across)
//! and out-of-sample score (up), green when the validation passed and red when it did not,
//! labelled with its trial number, over the `y = x` diagonal. Both axes share one range,
//! so a trial below the diagonal lost score out of sample.

use std::rc::Rc;

use genesis_study::validation::recorded_validation;

use super::math::{padded, robust_range};
use super::{format_score, StudyChartData};

/// Trial numbers are written next to the points up to this many points.
pub const MAX_LABELS: usize = 40;

/// One validated trial.
#[derive(Clone, Debug, PartialEq)]
pub struct IsOosPoint {
    /// Index into [`StudyChartData::trials`].
    pub index: usize,
    pub number: u64,
    pub in_sample: f64,
    pub out_of_sample: f64,
    pub is_passed: bool,
    /// Why the validation failed (empty when it passed).
    pub reasons: Vec<String>,
}

/// The in-sample against out-of-sample chart's source.
pub struct IsOosChart {
    points: Vec<IsOosPoint>,
    /// The range both axes share, padded; `None` without validated trials.
    range: Option<(f64, f64)>,
    /// Trials whose recorded validation does not parse: they are left out and counted.
    unreadable: Vec<u64>,
}

impl IsOosChart {
    pub fn new(data: Rc<StudyChartData>) -> IsOosChart {
        let mut points = Vec::new();
        let mut unreadable = Vec::new();
        for (index, trial) in data.trials.iter().enumerate() {
            if trial.duplicate_of.is_some() {
                continue;
            }
            match recorded_validation(trial) {
                Ok(Some(v)) if v.in_sample_score.is_finite() && v.score.is_finite() => {
                    points.push(IsOosPoint {
                        index,
                        number: trial.number,
                        in_sample: v.in_sample_score,
                        out_of_sample: v.score,
                        is_passed: v.is_passed,
                        reasons: v.reasons,
                    })
                }
                Ok(_) => {}
                Err(_) => unreadable.push(trial.number),
            }
        }
        let scores = points.iter().flat_map(|p| [p.in_sample, p.out_of_sample]);
        let range = robust_range(scores, None).map(|r| padded(r, 0.08));
        IsOosChart {
            points,
            range,
            unreadable,
        }
    }

    pub fn points(&self) -> &[IsOosPoint] {
        &self.points
    }

    pub fn range(&self) -> Option<(f64, f64)> {
        self.range
    }

    /// The trial numbers whose validation record could not be read.
    pub fn unreadable(&self) -> &[u64] {
        &self.unreadable
    }

    /// The read-out of point `i`.
    pub fn readout(&self, i: usize) -> String {
        let Some(p) = self.points.get(i) else {
            return String::new();
        };
        let verdict = if p.is_passed {
            "passed".to_string()
        } else if p.reasons.is_empty() {
            "failed".to_string()
        } else {
            format!("failed: {}", p.reasons.join("; "))
        };
        format!(
            "trial #{} · in-sample {} · out-of-sample {} · {verdict}",
            p.number,
            format_score(p.in_sample),
            format_score(p.out_of_sample)
        )
    }
}

#[cfg(target_arch = "wasm32")]
mod draw {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, VPos};
    use web_sys::HtmlCanvasElement;

    use super::super::math::{labelled_ticks, AxisMap, Tick};
    use super::{IsOosChart, MAX_LABELS};
    use crate::charts::plot::{self, colors, Mark, PlotLayout, PlotSource, Rect, HIT_RADIUS_PX};
    use crate::charts::theme;

    fn ticks(low: f64, high: f64, n: i32) -> Vec<Tick> {
        labelled_ticks(low, high, n.max(2) as usize)
    }

    impl PlotSource for IsOosChart {
        fn draw(&self, canvas: &HtmlCanvasElement) -> Result<PlotLayout, String> {
            let root = plot::root_of(canvas)?;
            let (width, height) = (canvas.width() as i32, canvas.height() as i32);
            let margin = theme::MARGIN as i32;
            if !self.unreadable.is_empty() {
                let numbers: Vec<String> =
                    self.unreadable.iter().map(|n| format!("#{n}")).collect();
                let note = format!(
                    "unreadable validation records left out: {}",
                    numbers.join(", ")
                );
                plot::text(
                    &root,
                    &note,
                    (margin, height - 4),
                    HPos::Left,
                    VPos::Bottom,
                    colors::REJECTED,
                )?;
            }
            let Some((low, high)) = self.range else {
                let message =
                    "No validation yet: validate the best trials to compare in-sample and out-of-sample scores.";
                plot::draw_message(&root, width as u32, height as u32, message)?;
                root.present().map_err(theme::err)?;
                return Ok(PlotLayout::default());
            };
            let mut x = margin + 8;
            x = plot::legend_item(&root, x, 14, Mark::Dot(colors::PASSED), "passed")?;
            x = plot::legend_item(&root, x, 14, Mark::Dot(colors::REJECTED), "failed")?;
            plot::legend_item(
                &root,
                x,
                14,
                Mark::Line(theme::LABEL),
                "in-sample = out-of-sample",
            )?;

            let plot_rect = Rect::new(margin + 56, 32, width - margin - 12, height - 46);
            let x_map = AxisMap::new(
                (low, high),
                f64::from(plot_rect.left),
                f64::from(plot_rect.right),
            );
            let y_map = AxisMap::new(
                (low, high),
                f64::from(plot_rect.bottom),
                f64::from(plot_rect.top),
            );
            plot::draw_axes(
                &root,
                plot_rect,
                &x_map,
                &y_map,
                &ticks(low, high, plot_rect.width() / 80),
                &ticks(low, high, plot_rect.height() / 40),
            )?;
            plot::text(
                &root,
                "in-sample score",
                (
                    plot_rect.left + plot_rect.width() / 2,
                    plot_rect.bottom + 22,
                ),
                HPos::Center,
                VPos::Top,
                theme::LABEL,
            )?;
            plot::text(
                &root,
                "out-of-sample score",
                (plot_rect.left + 6, plot_rect.top + 4),
                HPos::Left,
                VPos::Top,
                theme::LABEL,
            )?;
            root.draw(&PathElement::new(
                vec![
                    (x_map.px(low) as i32, y_map.px(low) as i32),
                    (x_map.px(high) as i32, y_map.px(high) as i32),
                ],
                theme::LABEL.mix(0.5).stroke_width(1),
            ))
            .map_err(theme::err)?;

            let mut layout = PlotLayout::with_capacity(self.points.len());
            let is_labelled = self.points.len() <= MAX_LABELS;
            for (i, p) in self.points.iter().enumerate() {
                let (px, py) = (x_map.px(p.in_sample), y_map.px(p.out_of_sample));
                let color = if p.is_passed {
                    colors::PASSED
                } else {
                    colors::REJECTED
                };
                root.draw(&Circle::new((px as i32, py as i32), 4, color.filled()))
                    .map_err(theme::err)?;
                if is_labelled {
                    let label = format!("#{}", p.number);
                    plot::text(
                        &root,
                        &label,
                        (px as i32 + 6, py as i32 - 2),
                        HPos::Left,
                        VPos::Bottom,
                        theme::LABEL,
                    )?;
                }
                layout.push_point(px, py, i);
            }
            root.present().map_err(theme::err)?;
            Ok(layout)
        }

        fn hit(&self, layout: &PlotLayout, x: f64, y: f64) -> Option<String> {
            Some(self.readout(layout.nearest(x, y, HIT_RADIUS_PX)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use genesis_engine::backtest::Window;
    use genesis_study::validation::{ValidationResult, VALIDATION_ATTR};
    use genesis_study::ValidationRule;

    use super::super::fixtures::*;
    use super::*;

    fn validated(
        number: u64,
        in_sample: f64,
        oos: f64,
        is_passed: bool,
    ) -> genesis_optimizer::TrialRecord {
        let result = ValidationResult {
            window: Window {
                from_bar: 100,
                to_bar: 200,
            },
            rule: ValidationRule::default(),
            is_passed,
            reasons: if is_passed {
                Vec::new()
            } else {
                vec!["too weak".into()]
            },
            in_sample_score: in_sample,
            score: oos,
            is_feasible: true,
            constraint_violations: Vec::new(),
            fingerprint: String::new(),
            metrics: BTreeMap::new(),
        };
        let mut trial = complete(number, in_sample, params(0.01, 10, "fast"));
        trial.user_attrs = result.to_attrs();
        trial
    }

    #[test]
    fn validated_trials_become_points_and_the_rest_is_skipped() {
        let mut broken = complete(3, 1.0, params(0.01, 10, "fast"));
        broken.user_attrs.insert(
            VALIDATION_ATTR.into(),
            serde_json::json!({"nonsense": true}),
        );
        let trials = vec![
            validated(0, 2.0, 1.5, true),
            complete(1, 0.5, params(0.02, 12, "slow")),
            validated(2, 1.8, -0.5, false),
            broken,
        ];
        let chart = IsOosChart::new(Rc::new(StudyChartData::new(trials, space())));
        let points: Vec<(u64, f64, f64, bool)> = chart
            .points()
            .iter()
            .map(|p| (p.number, p.in_sample, p.out_of_sample, p.is_passed))
            .collect();
        assert_eq!(points, vec![(0, 2.0, 1.5, true), (2, 1.8, -0.5, false)]);
        assert_eq!(chart.unreadable(), &[3]);
        let (low, high) = chart.range().unwrap_or((0.0, 0.0));
        assert!(
            low < -0.5 && high > 2.0,
            "one range covers both axes: {low}..{high}"
        );
        assert_eq!(
            chart.readout(1),
            "trial #2 · in-sample 1.8000 · out-of-sample -0.5000 · failed: too weak"
        );
    }

    #[test]
    fn no_validation_means_no_range() {
        let trials = vec![complete(0, 1.0, params(0.01, 10, "fast"))];
        let chart = IsOosChart::new(Rc::new(StudyChartData::new(trials, space())));
        assert!(chart.points().is_empty());
        assert_eq!(chart.range(), None);
    }
}
