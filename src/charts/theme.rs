//! Colours, fonts and number formats shared by every chart.

use std::ops::Range;

use plotters::prelude::*;
use plotters::style::{FontFamily, TextStyle};

pub const BACKGROUND: RGBColor = RGBColor(11, 18, 32);
pub const GRID: RGBColor = RGBColor(28, 38, 60);
pub const AXIS: RGBColor = RGBColor(60, 74, 104);
pub const LABEL: RGBColor = RGBColor(148, 163, 184);
pub const UP: RGBColor = RGBColor(34, 197, 94);
pub const DOWN: RGBColor = RGBColor(239, 68, 68);
pub const ENTRY_LONG: RGBColor = RGBColor(56, 189, 248);
pub const ENTRY_SHORT: RGBColor = RGBColor(244, 114, 182);
pub const EXIT: RGBColor = RGBColor(250, 204, 21);
pub const SWING_HIGH: RGBColor = RGBColor(251, 146, 60);
pub const SWING_LOW: RGBColor = RGBColor(167, 139, 250);
/// Series colours in order of use.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(56, 189, 248),
    RGBColor(250, 204, 21),
    RGBColor(167, 139, 250),
    RGBColor(251, 146, 60),
    RGBColor(45, 212, 191),
    RGBColor(244, 114, 182),
];

/// The colour of the `index`-th series a rules config plots, on either pane; the legend's
/// swatches (`.swatch-N` in the stylesheet) are the same colours in the same order.
pub fn plot_color(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

pub const MARGIN: u32 = 8;
pub const Y_LABEL_WIDTH: u32 = 64;

pub fn label_font() -> TextStyle<'static> {
    TextStyle::from((FontFamily::SansSerif, 12)).color(&LABEL)
}

/// Where a chart's plot area landed on the canvas, in canvas pixels, and which bars it shows:
/// what the hover read-out needs to map a pixel back to a bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub plot_left: i32,
    pub plot_right: i32,
    pub view: Range<usize>,
}

impl Layout {
    /// The bar under canvas x coordinate `x`, if it is inside the plot.
    pub fn bar_at(&self, x: f64) -> Option<usize> {
        let width = f64::from(self.plot_right - self.plot_left);
        if width <= 0.0 || x < f64::from(self.plot_left) || x > f64::from(self.plot_right) {
            return None;
        }
        let len = (self.view.end - self.view.start) as f64;
        let offset = ((x - f64::from(self.plot_left)) / width * len).floor() as usize;
        Some((self.view.start + offset).min(self.view.end.saturating_sub(1)))
    }
}

pub fn err<E: std::fmt::Display>(error: E) -> String {
    format!("drawing failed: {error}")
}

/// Prices with as many decimals as their size needs.
pub fn format_price(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1000.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.4}")
    }
}

/// 1234567 → "1.23M".
pub fn format_compact(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1e9 {
        format!("{:.2}B", value / 1e9)
    } else if magnitude >= 1e6 {
        format!("{:.2}M", value / 1e6)
    } else if magnitude >= 1e3 {
        format!("{:.1}k", value / 1e3)
    } else {
        format!("{value:.1}")
    }
}

/// The time of the bar at fractional position `x`, for axis labels.
pub fn format_bar_time(ts_ms: &[i64], x: f64) -> String {
    if ts_ms.is_empty() || !x.is_finite() || x < 0.0 {
        return String::new();
    }
    let idx = (x as usize).min(ts_ms.len() - 1);
    let iso = genesis_engine::data::timestamp::format_iso_ms(ts_ms[idx]);
    // "2024-01-02T13:00:00Z" → "2024-01-02 13:00"
    iso.get(..16).map(|s| s.replace('T', " ")).unwrap_or(iso)
}
