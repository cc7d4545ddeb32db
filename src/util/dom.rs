//! Small helpers over the browser's DOM and timers, shared by pages and components.

use wasm_bindgen::JsCast;

use crate::error::AppError;

/// Offers `text` as a file download.
pub fn download(file_name: &str, mime: &str, text: &str) -> Result<(), AppError> {
    let refused = |e: wasm_bindgen::JsValue| AppError::Browser {
        what: format!("saving {file_name}"),
        message: format!("{e:?}"),
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(refused)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(refused)?;
    let anchor: web_sys::HtmlAnchorElement = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into().ok())
        .ok_or_else(|| AppError::Browser {
            what: format!("saving {file_name}"),
            message: "the page has no document".into(),
        })?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Resolves after `ms` milliseconds (the page's timer; used to debounce typing).
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
