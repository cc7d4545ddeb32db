//! The canvas of the charts that are not bar-indexed (slices, parallel coordinates,
//! importance, in-sample against out-of-sample): it fits the canvas to its width, redraws
//! when the source changes, and shows a read-out of the mark under the pointer. Also the
//! drawing helpers those charts share: background, messages, hand-drawn axes and legends.
//!
//! Text is drawn with the canvas's own text alignment, never measured through a styled DOM
//! element (plotters' series legend and right-hand label areas do that, which the
//! Content-Security-Policy forbids), so legends are laid out by an estimated width.

use std::rc::Rc;

use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

pub use super::hit::{PlotLayout, Rect, HIT_RADIUS_PX};
use super::study::math::{AxisMap, Tick};
use super::theme;

/// What a plot draws; implemented by each chart.
pub trait PlotSource {
    /// Draws the whole chart (an explanatory message when there is nothing to show) and
    /// says where its marks landed.
    fn draw(&self, canvas: &HtmlCanvasElement) -> Result<PlotLayout, String>;
    /// The read-out for canvas pixel `(x, y)`: the mark nearest to it, if any is close.
    fn hit(&self, layout: &PlotLayout, x: f64, y: f64) -> Option<String>;
    /// The trial a click at canvas pixel `(x, y)` picks, for charts whose marks open one.
    fn pick(&self, _layout: &PlotLayout, _x: f64, _y: f64) -> Option<u64> {
        None
    }
    /// The canvas height the chart wants at this width (small multiples grow with their
    /// rows); `None` keeps the canvas's own.
    fn height_for_width(&self, _width_px: u32) -> Option<u32> {
        None
    }
}

pub type PlotHandle = Rc<dyn PlotSource>;

#[component]
pub fn PlotCanvas(
    /// The `data-testid` of the canvas.
    test_id: &'static str,
    /// What the chart shows, for screen readers.
    label: &'static str,
    #[prop(default = 360)] height: u32,
    source: RwSignal<Option<PlotHandle>, LocalStorage>,
    /// Told the trial a click picks (charts whose marks are trials).
    #[prop(optional)]
    on_pick: Option<Callback<u64>>,
) -> impl IntoView {
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let layout = StoredValue::new(None::<PlotLayout>);
    let readout = RwSignal::new(String::new());

    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        source.with(|s| {
            readout.set(String::new());
            let width = canvas.client_width().max(300) as u32;
            let wanted = s
                .as_ref()
                .and_then(|s| s.height_for_width(width))
                .unwrap_or(height);
            if canvas.width() != width {
                canvas.set_width(width);
            }
            if canvas.height() != wanted {
                canvas.set_height(wanted);
            }
            let drawn = match s {
                Some(s) => s.draw(&canvas),
                None => draw_placeholder(&canvas),
            };
            match drawn {
                Ok(drawn) => layout.set_value(Some(drawn)),
                Err(message) => {
                    layout.set_value(None);
                    readout.set(message);
                }
            }
        });
    });

    // The pointer in canvas pixels.
    let canvas_xy = move |ev: &web_sys::MouseEvent| {
        let canvas = canvas_ref.get_untracked()?;
        let scale_x = f64::from(canvas.width()) / f64::from(canvas.client_width().max(1));
        let scale_y = f64::from(canvas.height()) / f64::from(canvas.client_height().max(1));
        Some((
            f64::from(ev.offset_x()) * scale_x,
            f64::from(ev.offset_y()) * scale_y,
        ))
    };
    let on_move = move |ev: web_sys::MouseEvent| {
        let Some((x, y)) = canvas_xy(&ev) else {
            return;
        };
        let text = layout.with_value(|l| {
            let l = l.as_ref()?;
            source.with_untracked(|s| s.as_ref().and_then(|s| s.hit(l, x, y)))
        });
        readout.set(text.unwrap_or_default());
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let (Some(on_pick), Some((x, y))) = (on_pick, canvas_xy(&ev)) else {
            return;
        };
        let picked = layout.with_value(|l| {
            let l = l.as_ref()?;
            source.with_untracked(|s| s.as_ref().and_then(|s| s.pick(l, x, y)))
        });
        if let Some(number) = picked {
            on_pick.run(number);
        }
    };

    view! {
        <div class="chart">
            <canvas
                node_ref=canvas_ref
                data-testid=test_id
                height=height
                role="img"
                aria-label=label
                on:mousemove=on_move
                on:click=on_click
                on:mouseleave=move |_| readout.set(String::new())
            ></canvas>
            <div class="readout" aria-live="polite" hidden=move || readout.with(String::is_empty)>
                {move || readout.get()}
            </div>
        </div>
    }
}

fn draw_placeholder(canvas: &HtmlCanvasElement) -> Result<PlotLayout, String> {
    let root = root_of(canvas)?;
    draw_message(
        &root,
        canvas.width(),
        canvas.height(),
        "Nothing to show yet.",
    )?;
    root.present().map_err(theme::err)?;
    Ok(PlotLayout::default())
}

/// Colours of trial marks, shared by the study charts.
pub mod colors {
    use plotters::style::RGBColor;

    use crate::charts::theme;

    pub const FEASIBLE: RGBColor = theme::PALETTE[0];
    /// Amber: complete, but a constraint failed.
    pub const INFEASIBLE: RGBColor = theme::PALETTE[3];
    pub const PRUNED: RGBColor = RGBColor(100, 116, 139);
    pub const FAILED: RGBColor = theme::DOWN;
    pub const BEST: RGBColor = theme::PALETTE[1];
    pub const PASSED: RGBColor = theme::UP;
    pub const REJECTED: RGBColor = theme::DOWN;
}

pub type Root = DrawingArea<CanvasBackend, Shift>;

/// The canvas as a drawing area, cleared to the background.
pub fn root_of(canvas: &HtmlCanvasElement) -> Result<Root, String> {
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    root.fill(&theme::BACKGROUND).map_err(theme::err)?;
    Ok(root)
}

pub fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

/// Text anchored at `at` by its horizontal and vertical position.
pub fn text(
    root: &Root,
    content: &str,
    at: (i32, i32),
    h: HPos,
    v: VPos,
    color: RGBColor,
) -> Result<(), String> {
    let style = theme::label_font().pos(Pos::new(h, v)).color(&color);
    root.draw(&Text::new(content, at, style))
        .map_err(theme::err)
}

/// A label on a dark box, left-aligned at `at` and centred vertically, readable over the
/// lines it sits on. The box is sized by the estimated character width.
pub fn boxed_text(root: &Root, content: &str, at: (i32, i32)) -> Result<(), String> {
    let width = CHAR_WIDTH_PX * content.chars().count() as i32 + 6;
    root.draw(&Rectangle::new(
        [(at.0 - 2, at.1 - 8), (at.0 + width - 2, at.1 + 8)],
        theme::BACKGROUND.mix(0.85).filled(),
    ))
    .map_err(theme::err)?;
    text(
        root,
        content,
        (at.0 + 1, at.1),
        HPos::Left,
        VPos::Center,
        theme::LABEL,
    )
}

/// A message in the middle of an otherwise empty chart.
pub fn draw_message(root: &Root, width: u32, height: u32, message: &str) -> Result<(), String> {
    let at = ((width / 2) as i32, (height / 2) as i32);
    text(root, message, at, HPos::Center, VPos::Center, theme::LABEL)
}

/// A legend entry's symbol.
#[derive(Clone, Copy, Debug)]
pub enum Mark {
    Dot(RGBColor),
    Cross(RGBColor),
    Line(RGBColor),
}

/// About how wide a label-font character is; legends lay out by it instead of measuring.
pub const CHAR_WIDTH_PX: i32 = 7;

/// Draws one legend entry at `(x, y)` (its vertical middle) and returns where the next
/// one starts.
pub fn legend_item(root: &Root, x: i32, y: i32, mark: Mark, label: &str) -> Result<i32, String> {
    match mark {
        Mark::Dot(color) => root.draw(&Circle::new((x + 6, y), 4, color.filled())),
        Mark::Cross(color) => root.draw(&Cross::new((x + 6, y), 4, color.stroke_width(2))),
        Mark::Line(color) => root.draw(&PathElement::new(
            vec![(x, y), (x + 14, y)],
            color.stroke_width(2),
        )),
    }
    .map_err(theme::err)?;
    text(
        root,
        label,
        (x + 20, y),
        HPos::Left,
        VPos::Center,
        theme::LABEL,
    )?;
    Ok(x + 20 + CHAR_WIDTH_PX * label.chars().count() as i32 + 16)
}

/// A plot frame with horizontal grid lines at the y ticks, y labels on the left and x
/// ticks and labels underneath.
pub fn draw_axes(
    root: &Root,
    plot: Rect,
    x: &AxisMap,
    y: &AxisMap,
    x_ticks: &[Tick],
    y_ticks: &[Tick],
) -> Result<(), String> {
    for tick in y_ticks {
        let py = y.px(tick.coord) as i32;
        root.draw(&PathElement::new(
            vec![(plot.left, py), (plot.right, py)],
            theme::GRID.stroke_width(1),
        ))
        .map_err(theme::err)?;
        text(
            root,
            &tick.label,
            (plot.left - 4, py),
            HPos::Right,
            VPos::Center,
            theme::LABEL,
        )?;
    }
    root.draw(&Rectangle::new(
        [(plot.left, plot.top), (plot.right, plot.bottom)],
        theme::AXIS.stroke_width(1),
    ))
    .map_err(theme::err)?;
    for tick in x_ticks {
        let px = x.px(tick.coord) as i32;
        root.draw(&PathElement::new(
            vec![(px, plot.bottom), (px, plot.bottom + 3)],
            theme::AXIS.stroke_width(1),
        ))
        .map_err(theme::err)?;
        text(
            root,
            &tick.label,
            (px, plot.bottom + 5),
            HPos::Center,
            VPos::Top,
            theme::LABEL,
        )?;
    }
    Ok(())
}

/// The canvas's 2D context, for marks drawn in bulk. Plotters' canvas backend draws
/// immediately, so bulk marks and plotters' own interleave in call order.
pub fn context_of(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        .ok_or_else(|| "the canvas has no 2D context".to_string())
}

/// A canvas colour string with alpha: "rgba(56,189,248,0.8)".
pub fn css_color(color: RGBColor, alpha: f64) -> String {
    format!(
        "rgba({},{},{},{:.3})",
        color.0,
        color.1,
        color.2,
        alpha.clamp(0.0, 1.0)
    )
}

/// Filled dots of one colour as one path and one fill. Plotters issues four canvas calls
/// and a colour string per dot; a thousand-trial chart draws several thousand dots, which
/// this makes one call each.
pub fn fill_dots(
    context: &CanvasRenderingContext2d,
    centres: impl IntoIterator<Item = (f64, f64)>,
    radius: f64,
    color: RGBColor,
    alpha: f64,
) -> Result<(), String> {
    context.begin_path();
    for (x, y) in centres {
        context.move_to(x + radius, y);
        context
            .arc(x, y, radius, 0.0, std::f64::consts::TAU)
            .map_err(|_| "drawing failed: arc".to_string())?;
    }
    context.set_fill_style_str(&css_color(color, alpha));
    context.fill();
    Ok(())
}

/// Small crosses of one colour as one stroked path.
pub fn stroke_crosses(
    context: &CanvasRenderingContext2d,
    centres: impl IntoIterator<Item = (f64, f64)>,
    half_size: f64,
    color: RGBColor,
) {
    context.begin_path();
    for (x, y) in centres {
        context.move_to(x - half_size, y - half_size);
        context.line_to(x + half_size, y + half_size);
        context.move_to(x - half_size, y + half_size);
        context.line_to(x + half_size, y - half_size);
    }
    context.set_line_width(1.5);
    context.set_stroke_style_str(&css_color(color, 1.0));
    context.stroke();
}

/// Polylines of one colour as one stroked path (where they overlap, the colour does not
/// build up as it would with one stroke each).
pub fn stroke_polylines<'a>(
    context: &CanvasRenderingContext2d,
    lines: impl IntoIterator<Item = &'a [(f64, f64)]>,
    width: f64,
    color: RGBColor,
    alpha: f64,
) {
    context.begin_path();
    for line in lines {
        let mut vertices = line.iter();
        if let Some(&(x, y)) = vertices.next() {
            context.move_to(x, y);
        }
        for &(x, y) in vertices {
            context.line_to(x, y);
        }
    }
    context.set_line_width(width);
    context.set_line_join("round");
    context.set_stroke_style_str(&css_color(color, alpha));
    context.stroke();
}
