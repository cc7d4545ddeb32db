//! Charts drawn with plotters on canvas. Series longer than the canvas is wide are decimated
//! per pixel column first, so a million bars draw as fast as a thousand. Decimation, hit
//! testing and the study charts' arithmetic are pure and tested natively; the drawing exists
//! for `wasm32` only.

/// The zoomable canvas of bar-indexed charts.
#[cfg(target_arch = "wasm32")]
pub mod canvas;
/// Per-pixel-column decimation.
pub mod decimate;
/// Equity with drawdown.
#[cfg(target_arch = "wasm32")]
pub mod equity;
/// Where a plot drew its marks, and which one is under the pointer.
pub mod hit;
/// The pane of a rules config's oscillators, under the price chart.
#[cfg(target_arch = "wasm32")]
pub mod indicators;
/// The two panes of bar-indexed charts and their axes.
#[cfg(target_arch = "wasm32")]
pub mod panes;
/// The canvas of charts that are not bar-indexed, and their shared drawing helpers.
#[cfg(target_arch = "wasm32")]
pub mod plot;
/// Candles with volume, overlays and markers.
#[cfg(target_arch = "wasm32")]
pub mod price;
/// The study charts of the Optimize page.
pub mod study;
/// Colours, fonts and number formats.
#[cfg(target_arch = "wasm32")]
pub mod theme;
