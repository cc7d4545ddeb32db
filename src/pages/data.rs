//! The Data page.

use leptos::prelude::*;

#[component]
pub fn DataPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">"Data"</h1>
            <p class="lede">"Load candle files (CSV, TSV, JSON, gzip) or the built-in demo data; inspect and chart them."</p>
        </section>
    }
}
