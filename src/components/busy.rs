//! Progress of a long job: what the page shows while a worker parses, backtests or runs a
//! study, with a Cancel button while the job can be cancelled.

use leptos::prelude::*;

use crate::context::use_app;

/// What the page shows while a long job runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Busy {
    pub stage: String,
    /// In [0, 1], or `None` when the job cannot tell.
    pub fraction: Option<f64>,
    /// The worker job, when it can be cancelled.
    pub job: Option<u64>,
}

/// A progress bar with its stage, shown while `busy` is set, and a cancel button while the
/// job can be cancelled (`{test_id}-cancel`).
#[component]
pub fn BusyBar(busy: RwSignal<Option<Busy>>, test_id: &'static str) -> impl IntoView {
    let ctx = use_app();
    let job = move || busy.with(|b| b.as_ref().and_then(|b| b.job));
    view! {
        <Show when=move || busy.with(Option::is_some)>
            <div class="busy" role="status">
                <progress
                    data-testid=test_id
                    max="1"
                    value=move || busy.with(|b| b.as_ref().and_then(|b| b.fraction).map(|f| f.to_string()))
                ></progress>
                <span class="muted">
                    {move || busy.with(|b| b.as_ref().map(|b| match b.fraction {
                        Some(f) => format!("{} {:.0}%", b.stage, f * 100.0),
                        None => b.stage.clone(),
                    }))}
                </span>
                <Show when=move || job().is_some()>
                    <button data-testid=format!("{test_id}-cancel") on:click=move |_| {
                        if let Some(job) = job() {
                            ctx.pool().cancel(job);
                        }
                    }>"Cancel"</button>
                </Show>
            </div>
        </Show>
    }
}
