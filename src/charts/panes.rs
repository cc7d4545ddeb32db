//! The two panes of a bar-indexed chart (price over volume, equity over drawdown): the canvas
//! cleared and split, the upper pane with its value axis and grid, the lower pane carrying the
//! time axis, and where the plot landed for the hover read-out.

use std::ops::Range;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::theme::{self, Layout};

/// A pane's drawing area on the canvas.
pub type Area = DrawingArea<CanvasBackend, Shift>;
/// A pane with bar index on x and a value on y.
pub type Pane<'a> = ChartContext<'a, CanvasBackend, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// How a pane labels its value axis.
pub struct ValueAxis<'f> {
    pub n_labels: usize,
    pub format: &'f dyn Fn(&f64) -> String,
}

/// The canvas cleared, and split into the whole, the upper pane (`upper_share` of the height)
/// and the lower pane.
pub fn split(canvas: &HtmlCanvasElement, upper_share: f64) -> Result<(Area, Area, Area), String> {
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    root.fill(&theme::BACKGROUND).map_err(theme::err)?;
    let (upper, lower) = root.split_vertically((f64::from(canvas.height()) * upper_share) as u32);
    Ok((root, upper, lower))
}

/// The canvas cleared, as one area (a chart of a single pane).
pub fn whole(canvas: &HtmlCanvasElement) -> Result<Area, String> {
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    root.fill(&theme::BACKGROUND).map_err(theme::err)?;
    Ok(root)
}

/// How many pixel columns the plot area gets: the decimation width.
pub fn plot_columns(canvas: &HtmlCanvasElement) -> usize {
    canvas
        .width()
        .saturating_sub(theme::Y_LABEL_WIDTH + 2 * theme::MARGIN) as usize
}

/// The upper pane: value axis and horizontal grid, no time labels (the lower pane has them).
pub fn upper<'a>(
    area: &'a Area,
    x: Range<f64>,
    y: Range<f64>,
    axis: ValueAxis<'_>,
) -> Result<Pane<'a>, String> {
    let mut pane = ChartBuilder::on(area)
        .margin(theme::MARGIN)
        .margin_bottom(0)
        .y_label_area_size(theme::Y_LABEL_WIDTH)
        .build_cartesian_2d(x, y)
        .map_err(theme::err)?;
    pane.configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(axis.n_labels)
        .light_line_style(TRANSPARENT)
        .bold_line_style(theme::GRID)
        .axis_style(theme::AXIS)
        .label_style(theme::label_font())
        .y_label_formatter(axis.format)
        .draw()
        .map_err(theme::err)?;
    Ok(pane)
}

/// The lower pane: the time axis (bar `x` read from `ts_ms`) and a value axis, with the
/// horizontal grid when `has_grid`.
pub fn lower<'a>(
    area: &'a Area,
    x: Range<f64>,
    y: Range<f64>,
    axis: ValueAxis<'_>,
    ts_ms: &[i64],
    has_grid: bool,
) -> Result<Pane<'a>, String> {
    let mut pane = ChartBuilder::on(area)
        .margin(theme::MARGIN)
        .margin_top(4)
        .x_label_area_size(22)
        .y_label_area_size(theme::Y_LABEL_WIDTH)
        .build_cartesian_2d(x, y)
        .map_err(theme::err)?;
    let time_format = |x: &f64| theme::format_bar_time(ts_ms, *x);
    let mut mesh = pane.configure_mesh();
    mesh.disable_x_mesh()
        .x_labels(6)
        .y_labels(axis.n_labels)
        .light_line_style(TRANSPARENT)
        .bold_line_style(theme::GRID)
        .axis_style(theme::AXIS)
        .label_style(theme::label_font())
        .x_label_formatter(&time_format)
        .y_label_formatter(axis.format);
    if !has_grid {
        mesh.disable_mesh();
    }
    mesh.draw().map_err(theme::err)?;
    Ok(pane)
}

/// Where `pane`'s plot landed, for mapping a pointer back to a bar.
pub fn layout(pane: &Pane<'_>, view: Range<usize>) -> Layout {
    let plot = pane.plotting_area().get_pixel_range();
    Layout {
        plot_left: plot.0.start,
        plot_right: plot.0.end,
        view,
    }
}
