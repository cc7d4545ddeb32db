//! The Optimize page.

use leptos::prelude::*;

#[component]
pub fn OptimizePage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">"Optimize"</h1>
            <p class="lede">"Search a strategy's parameters with grid, random or TPE sampling in parallel workers."</p>
        </section>
    }
}
