//! Charts drawn with plotters on canvas. Series longer than the canvas is wide are decimated
//! per pixel column first, so a million bars draw as fast as a thousand. Decimation is pure
//! and tested natively; the drawing exists for `wasm32` only.

#[cfg(target_arch = "wasm32")]
pub mod canvas;
pub mod decimate;
#[cfg(target_arch = "wasm32")]
pub mod equity;
#[cfg(target_arch = "wasm32")]
pub mod price;
#[cfg(target_arch = "wasm32")]
pub mod theme;
