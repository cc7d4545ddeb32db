//! The dataset picker every page shares.

use leptos::prelude::*;

use crate::context::use_app;

/// The dataset every page works on (shared with the Data page's selection); the first
/// stored dataset is chosen when none is.
#[component]
pub fn DatasetSelect() -> impl IntoView {
    let ctx = use_app();
    Effect::new(move |_| {
        if ctx.datasets.selected.with(Option::is_none) {
            if let Some(first) = ctx.datasets.list.with(|l| l.first().map(|r| r.id.clone())) {
                ctx.datasets.selected.set(Some(first));
            }
        }
    });
    view! {
        <label>
            "Dataset"
            <select
                data-testid="dataset-select"
                on:change=move |ev| {
                    let id = event_target_value(&ev);
                    ctx.datasets.selected.set((!id.is_empty()).then_some(id));
                }
            >
                <option value="" selected=move || ctx.datasets.selected.with(Option::is_none)>
                    {move || if ctx.datasets.list.with(Vec::is_empty) {
                        "no datasets: load one on the Data page"
                    } else {
                        "choose a dataset"
                    }}
                </option>
                <For
                    each=move || ctx.datasets.list.get()
                    key=|r| (r.id.clone(), r.meta.name.clone())
                    children=move |r| {
                        let id = r.id.clone();
                        let is_selected = move || ctx.datasets.selected.with(|s| s.as_deref() == Some(id.as_str()));
                        view! {
                            <option value=r.id.clone() selected=is_selected>
                                {format!("{} · {} · {} bars", r.meta.name, r.meta.timeframe, r.meta.n_bars)}
                            </option>
                        }
                    }
                />
            </select>
        </label>
    }
}
