//! The Backtest page.

use leptos::prelude::*;

#[component]
pub fn BacktestPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">"Backtest"</h1>
            <p class="lede">"Run a strategy preset over a dataset and read its trades, equity and metrics."</p>
        </section>
    }
}
