//! The page's entry point: Trunk builds this for `wasm32` and loads it into `index.html`.

#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
fn main() {
    genesis_lab::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The Genesis Lab app runs in the browser: use `cargo xtask serve`. The native tool is `genesis`.");
    std::process::exit(2);
}
