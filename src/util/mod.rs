//! Helpers every part of the app may use: times as the page shows them, and the DOM.

/// Helpers over the DOM and the page's timers (download a file, sleep).
#[cfg(target_arch = "wasm32")]
pub mod dom;
/// Times as the page shows and reads them.
pub mod timefmt;
