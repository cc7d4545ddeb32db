//! Components shared by several pages.

pub mod config_editor;
pub mod study_charts;
pub mod trades;

/// Resolves after `ms` milliseconds (the page's timer; used to debounce typing).
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
