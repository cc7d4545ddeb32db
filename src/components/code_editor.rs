//! A monospace text editor with line numbers and one underlined range: the config editor's
//! text, where a rule's mistake is underlined at its line and column.
//!
//! The text is an ordinary `<textarea>` (so typing, selection, undo, paste and screen readers
//! work as everywhere), with its background made transparent over a copy of the same text
//! in the same font, whose characters are invisible except for the underline of the marked
//! range. No position is measured: the copy wraps and scrolls exactly as the textarea does
//! (neither wraps; their scroll offsets are kept equal), so the underline lands under the
//! characters it marks. Nothing is positioned with inline styles, which the
//! Content-Security-Policy forbids.

use std::ops::Range;

use leptos::prelude::*;

use crate::config::yaml_locate::line_of;

/// The underlined range of the text and the `data-testid` of its mark.
#[derive(Clone, Debug, PartialEq)]
pub struct Underline {
    pub range: Range<usize>,
    pub test_id: &'static str,
}

#[component]
pub fn CodeEditor(
    text: RwSignal<String>,
    /// The range to underline, if any.
    underline: Signal<Option<Underline>>,
    /// The `data-testid` of the textarea.
    test_id: &'static str,
    /// The textarea's `id`, for its `<label for>`.
    id: &'static str,
    /// The `data-testid` of the editor as a whole.
    #[prop(into)]
    editor_test_id: Signal<&'static str>,
    /// The id of the element describing the current mistake (`aria-describedby`).
    described_by: &'static str,
    #[prop(default = 22)] rows: u32,
) -> impl IntoView {
    let gutter = NodeRef::<leptos::html::Div>::new();
    let backdrop = NodeRef::<leptos::html::Pre>::new();
    let n_lines = Memo::new(move |_| text.with(|t| t.split('\n').count()));
    let error_line = Memo::new(move |_| {
        underline.with(|u| u.as_ref().map(|u| text.with(|t| line_of(t, u.range.start))))
    });
    // The copy of the text behind the textarea, cut around the underlined range.
    let parts = Memo::new(move |_| {
        text.with(|t| {
            underline.with(|u| match u {
                Some(u) => match (
                    t.get(..u.range.start),
                    t.get(u.range.clone()),
                    t.get(u.range.end..),
                ) {
                    (Some(before), Some(marked), Some(after)) => {
                        // An empty range (a mistake at the end of a rule) marks one blank.
                        let marked = if marked.is_empty() { " " } else { marked };
                        (
                            before.to_string(),
                            Some((marked.to_string(), u.test_id)),
                            after.to_string(),
                        )
                    }
                    _ => (t.clone(), None, String::new()),
                },
                None => (t.clone(), None, String::new()),
            })
        })
    });
    let sync_scroll = move |ev: web_sys::Event| {
        let Some(area) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlTextAreaElement>(t).ok())
        else {
            return;
        };
        if let Some(backdrop) = backdrop.get_untracked() {
            backdrop.set_scroll_top(area.scroll_top());
            backdrop.set_scroll_left(area.scroll_left());
        }
        if let Some(gutter) = gutter.get_untracked() {
            gutter.set_scroll_top(area.scroll_top());
        }
    };

    view! {
        <div class="code-editor" data-testid=move || editor_test_id.get()>
            <div class="code-gutter" node_ref=gutter aria-hidden="true">
                {move || (1..=n_lines.get()).map(|n| view! {
                    <div class:error-line=move || error_line.get() == Some(n)>{n}</div>
                }).collect_view()}
            </div>
            <div class="code-area">
                <pre class="code-backdrop" node_ref=backdrop aria-hidden="true">
                    {move || parts.with(|(before, marked, after)| view! {
                        {before.clone()}
                        {marked.clone().map(|(marked, test_id)| view! {
                            <mark class="code-mark" data-testid=test_id>{marked}</mark>
                        })}
                        {after.clone()}
                        // A final line break keeps the copy as tall as the textarea's text.
                        "\n"
                    })}
                </pre>
                <textarea
                    id=id
                    class="code-text"
                    data-testid=test_id
                    rows=rows
                    wrap="off"
                    spellcheck="false"
                    autocomplete="off"
                    autocapitalize="off"
                    aria-invalid=move || underline.with(Option::is_some).to_string()
                    aria-describedby=described_by
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                    on:scroll=sync_scroll
                ></textarea>
            </div>
        </div>
    }
}
