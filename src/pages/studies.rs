//! The Studies page.

use leptos::prelude::*;

#[component]
pub fn StudiesPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">"Studies"</h1>
            <p class="lede">"Browse, replay, export and import studies, and manage champions."</p>
        </section>
    }
}
