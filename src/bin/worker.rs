//! The engine web worker's entry point (Trunk: `data-type="worker"`).

#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
fn main() {
    genesis_lab::workers::engine::register();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
