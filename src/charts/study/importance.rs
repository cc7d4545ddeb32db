//! Parameter importance: one horizontal bar per parameter, largest first, each labelled
//! with its share of the score variance the parameters explain (see
//! `genesis_optimizer::summary` for how the shares are estimated). Bars are scaled to the
//! largest share, so small differences stay visible; the percentages give the absolute
//! figures.

use std::rc::Rc;

use super::StudyChartData;

/// The height of one bar's row.
pub const ROW_HEIGHT_PX: u32 = 26;

/// One parameter's bar.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportanceRow {
    /// The short name (see [`StudyChartData::param_names`]).
    pub name: String,
    /// The dotted path.
    pub path: String,
    /// The share in `[0, 1]`.
    pub share: f64,
}

impl ImportanceRow {
    /// The share as a percentage with one decimal: "42.1%".
    pub fn percent(&self) -> String {
        format!("{:.1}%", self.share * 100.0)
    }
}

/// The importance chart's source.
pub struct ImportanceChart {
    rows: Vec<ImportanceRow>,
}

impl ImportanceChart {
    pub fn new(data: Rc<StudyChartData>) -> ImportanceChart {
        let names = data.param_names();
        let name_of = |path: &str| -> String {
            data.space
                .params()
                .iter()
                .zip(&names)
                .find(|(spec, _)| spec.path == path)
                .map_or_else(|| path.to_string(), |(_, name)| name.clone())
        };
        let mut rows: Vec<ImportanceRow> = data
            .importance
            .iter()
            .map(|p| ImportanceRow {
                name: name_of(&p.path),
                path: p.path.clone(),
                share: if p.importance.is_finite() {
                    p.importance.clamp(0.0, 1.0)
                } else {
                    0.0
                },
            })
            .collect();
        rows.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.path.cmp(&b.path)));
        ImportanceChart { rows }
    }

    /// The bars, largest first.
    pub fn rows(&self) -> &[ImportanceRow] {
        &self.rows
    }

    /// The canvas height the bars need.
    pub fn height_for(&self) -> u32 {
        (24 + ROW_HEIGHT_PX * self.rows.len() as u32).max(120)
    }
}

#[cfg(target_arch = "wasm32")]
mod draw {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, VPos};
    use web_sys::HtmlCanvasElement;

    use super::{ImportanceChart, ROW_HEIGHT_PX};
    use crate::charts::plot::{self, PlotLayout, PlotSource, Rect, CHAR_WIDTH_PX};
    use crate::charts::theme;

    impl PlotSource for ImportanceChart {
        fn draw(&self, canvas: &HtmlCanvasElement) -> Result<PlotLayout, String> {
            let root = plot::root_of(canvas)?;
            let (width, height) = (canvas.width() as i32, canvas.height() as i32);
            if self.rows.is_empty() {
                let message = "Importance needs at least 3 complete trials whose scores differ.";
                plot::draw_message(&root, width as u32, height as u32, message)?;
                root.present().map_err(theme::err)?;
                return Ok(PlotLayout::default());
            }
            let margin = theme::MARGIN as i32;
            let longest = self
                .rows
                .iter()
                .map(|r| r.name.chars().count())
                .max()
                .unwrap_or(0) as i32;
            let label_right = (margin + CHAR_WIDTH_PX * longest + 12).clamp(80, width * 2 / 5);
            let bar_right = (width - margin - 56).max(label_right + 10);
            let largest = self.rows.first().map_or(1.0, |r| r.share).max(1e-12);
            let row_height = ROW_HEIGHT_PX as i32;
            let mut layout = PlotLayout::with_capacity(self.rows.len());
            for (i, row) in self.rows.iter().enumerate() {
                let top = 12 + row_height * i as i32;
                let middle = top + row_height / 2;
                plot::text(
                    &root,
                    &row.name,
                    (label_right - 8, middle),
                    HPos::Right,
                    VPos::Center,
                    theme::LABEL,
                )?;
                let length =
                    ((row.share / largest) * f64::from(bar_right - label_right)).round() as i32;
                let bar = Rect::new(
                    label_right,
                    top + 4,
                    label_right + length.max(1),
                    top + row_height - 4,
                );
                root.draw(&Rectangle::new(
                    [(bar.left, bar.top), (bar.right, bar.bottom)],
                    theme::PALETTE[0].mix(0.85).filled(),
                ))
                .map_err(theme::err)?;
                plot::text(
                    &root,
                    &row.percent(),
                    (bar.right + 6, middle),
                    HPos::Left,
                    VPos::Center,
                    theme::LABEL,
                )?;
                layout.push_area(Rect::new(margin, top, width - margin, top + row_height), i);
            }
            root.draw(&PathElement::new(
                vec![
                    (label_right, 8),
                    (label_right, 16 + row_height * self.rows.len() as i32),
                ],
                theme::AXIS.stroke_width(1),
            ))
            .map_err(theme::err)?;
            root.present().map_err(theme::err)?;
            Ok(layout)
        }

        fn hit(&self, layout: &PlotLayout, x: f64, y: f64) -> Option<String> {
            let row = self.rows.get(layout.nearest(x, y, 0.0)?)?;
            Some(format!(
                "{}: {} of the score variance the parameters explain",
                row.path,
                row.percent()
            ))
        }

        fn height_for_width(&self, _width_px: u32) -> Option<u32> {
            Some(self.height_for())
        }
    }
}

#[cfg(test)]
mod tests {
    use genesis_optimizer::summary::ParamImportance;

    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn bars_come_largest_first_with_short_names_and_percentages() {
        let importance = vec![
            ParamImportance {
                path: "mode".into(),
                importance: 0.125,
            },
            ParamImportance {
                path: "risk.stop".into(),
                importance: 0.625,
            },
            ParamImportance {
                path: "period".into(),
                importance: f64::NAN,
            },
        ];
        let data = StudyChartData {
            trials: Vec::new(),
            space: space(),
            importance,
        };
        let chart = ImportanceChart::new(Rc::new(data));
        let rows: Vec<(&str, String)> = chart
            .rows()
            .iter()
            .map(|r| (r.name.as_str(), r.percent()))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("stop", "62.5%".to_string()),
                ("mode", "12.5%".to_string()),
                ("period", "0.0%".to_string())
            ]
        );
        // Three rows (24 + 3 * 26 = 102 px) get the minimum height.
        assert_eq!(chart.height_for(), 120);
    }

    #[test]
    fn importance_computed_from_trials_follows_the_parameter_that_matters() {
        // The score depends on the period alone: it must come out most important.
        let trials: Vec<_> = (0..30u64)
            .map(|i| {
                let period = 5 + (i % 10) as i64 * 5;
                let mode = if i % 3 == 0 { "fast" } else { "slow" };
                let stop = 0.001 * (1.0 + (i % 7) as f64);
                complete(i, period as f64, params(stop, period, mode))
            })
            .collect();
        let chart = ImportanceChart::new(Rc::new(StudyChartData::new(trials, space())));
        assert_eq!(
            chart.rows().first().map(|r| r.path.as_str()),
            Some("period")
        );
        let total: f64 = chart.rows().iter().map(|r| r.share).sum();
        assert!((total - 1.0).abs() < 1e-9, "shares sum to one: {total}");
    }
}
