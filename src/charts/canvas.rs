//! The interactive canvas every bar-indexed chart uses: it sizes the canvas, redraws when the
//! data or the view changes, zooms with the wheel or `+`/`-`, pans by dragging or with the
//! arrow keys, resets on double-click or `Home`, and shows a read-out of the bar under the
//! pointer.

use std::ops::Range;
use std::rc::Rc;

use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

use super::theme::Layout;

/// What a chart draws; implemented by each chart's data.
pub trait ChartSource {
    /// How many bars (or trials) the x axis spans.
    fn n_bars(&self) -> usize;
    /// Draws the bars in `view` and says where the plot landed.
    fn draw(&self, canvas: &HtmlCanvasElement, view: Range<usize>) -> Result<Layout, String>;
    /// The read-out for one bar.
    fn readout(&self, bar: usize) -> String;
}

pub type Source = Rc<dyn ChartSource>;

/// The smallest number of bars a zoom can narrow to.
const MIN_VIEW_BARS: usize = 10;

#[component]
pub fn ChartCanvas(
    /// The `data-testid` of the canvas.
    test_id: &'static str,
    /// What the chart shows, for screen readers.
    label: &'static str,
    #[prop(default = 420)] height: u32,
    source: RwSignal<Option<Source>, LocalStorage>,
    /// The bars shown, when another chart zooms and pans together with this one (the
    /// indicator pane with the price chart); the chart keeps its own otherwise.
    #[prop(optional)]
    view: Option<RwSignal<Range<usize>>>,
) -> impl IntoView {
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let view = view.unwrap_or_else(|| RwSignal::new(0..0_usize));
    let layout = RwSignal::new(None::<Layout>);
    let readout = RwSignal::new(String::new());
    let drag_from = StoredValue::new(None::<(f64, Range<usize>)>);

    let n_bars = move || source.with(|s| s.as_ref().map_or(0, |s| s.n_bars()));
    Effect::new(move |_| {
        let n = n_bars();
        view.set(0..n);
        readout.set(String::new());
    });
    Effect::new(move |_| {
        let range = view.get();
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        source.with(|s| {
            let Some(s) = s else {
                return;
            };
            if range.is_empty() {
                return;
            }
            fit_to_width(&canvas, height);
            match s.draw(&canvas, range) {
                Ok(drawn) => layout.set(Some(drawn)),
                Err(message) => readout.set(message),
            }
        });
    });

    let canvas_x = move |ev: &web_sys::MouseEvent| -> Option<f64> {
        let canvas = canvas_ref.get_untracked()?;
        let client_width = f64::from(canvas.client_width().max(1));
        Some(f64::from(ev.offset_x()) * f64::from(canvas.width()) / client_width)
    };
    let bar_at = move |ev: &web_sys::MouseEvent| -> Option<usize> {
        let x = canvas_x(ev)?;
        layout.with_untracked(|l| l.as_ref().and_then(|l| l.bar_at(x)))
    };
    let zoom = move |factor: f64, anchor: Option<usize>| {
        let n = n_bars();
        view.update(|v| *v = zoomed(v.clone(), n, factor, anchor));
    };
    let pan = move |bars: isize| {
        let n = n_bars();
        view.update(|v| *v = panned(v.clone(), n, bars));
    };

    view! {
        <div class="chart">
            <canvas
                node_ref=canvas_ref
                data-testid=test_id
                height=height
                tabindex="0"
                role="img"
                aria-label=format!("{label}. Scroll or press + and - to zoom, drag or use the arrow keys to pan, Home to reset.")
                on:mousemove=move |ev| {
                    if let Some((start_x, start_view)) = drag_from.get_value() {
                        if let (Some(x), Some(l)) = (canvas_x(&ev), layout.get_untracked()) {
                            let width = f64::from((l.plot_right - l.plot_left).max(1));
                            let len = (start_view.end - start_view.start) as f64;
                            let shift = ((start_x - x) / width * len).round() as isize;
                            view.set(panned(start_view, n_bars(), shift));
                        }
                        return;
                    }
                    if let Some(bar) = bar_at(&ev) {
                        source.with_untracked(|s| {
                            if let Some(s) = s {
                                readout.set(s.readout(bar));
                            }
                        });
                    }
                }
                on:mousedown=move |ev| {
                    if let Some(x) = canvas_x(&ev) {
                        drag_from.set_value(Some((x, view.get_untracked())));
                    }
                }
                on:mouseup=move |_| drag_from.set_value(None)
                on:mouseleave=move |_| {
                    drag_from.set_value(None);
                    readout.set(String::new());
                }
                on:dblclick=move |_| view.set(0..n_bars())
                on:wheel=move |ev| {
                    ev.prevent_default();
                    let factor = if ev.delta_y() > 0.0 { 1.25 } else { 0.8 };
                    zoom(factor, bar_at(&ev));
                }
                on:keydown=move |ev| {
                    let len = view.with_untracked(|v| v.end - v.start) as isize;
                    let step = (len / 10).max(1);
                    let handled = match ev.key().as_str() {
                        "ArrowLeft" => { pan(-step); true }
                        "ArrowRight" => { pan(step); true }
                        "+" | "=" => { zoom(0.8, None); true }
                        "-" | "_" => { zoom(1.25, None); true }
                        "Home" => { view.set(0..n_bars()); true }
                        _ => false,
                    };
                    if handled {
                        ev.prevent_default();
                    }
                }
            ></canvas>
            <div class="readout" aria-live="polite" hidden=move || readout.with(String::is_empty)>
                {move || readout.get()}
            </div>
        </div>
    }
}

/// Makes the canvas's drawing buffer as wide as it is displayed, so lines stay crisp.
fn fit_to_width(canvas: &HtmlCanvasElement, height: u32) {
    let width = canvas.client_width().max(300) as u32;
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != height {
        canvas.set_height(height);
    }
}

/// The view after zooming by `factor` (below 1 zooms in) around `anchor` (the middle if none).
pub fn zoomed(
    view: Range<usize>,
    n_bars: usize,
    factor: f64,
    anchor: Option<usize>,
) -> Range<usize> {
    if n_bars == 0 {
        return 0..0;
    }
    let len = (view.end - view.start).max(1);
    let new_len = ((len as f64 * factor).round() as usize).clamp(MIN_VIEW_BARS.min(n_bars), n_bars);
    let anchor = anchor
        .unwrap_or(view.start + len / 2)
        .clamp(view.start, view.end);
    let left_share = (anchor - view.start) as f64 / len as f64;
    let start = anchor.saturating_sub((left_share * new_len as f64).round() as usize);
    let start = start.min(n_bars - new_len);
    start..start + new_len
}

/// The view shifted by `bars` (negative is left), kept inside the data.
pub fn panned(view: Range<usize>, n_bars: usize, bars: isize) -> Range<usize> {
    let len = view.end - view.start;
    let max_start = n_bars.saturating_sub(len);
    let start = (view.start as isize + bars).clamp(0, max_start as isize) as usize;
    start..start + len
}
