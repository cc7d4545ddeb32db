//! The rules language reference beside the rule editor: every input, operator and function
//! with its signature, definition and warm-up, as the engine defines them.

use leptos::prelude::*;

use crate::config::rules_reference::rules_reference;

#[component]
pub fn RulesReference() -> impl IntoView {
    let reference = rules_reference();
    view! {
        <details class="rules-reference" data-testid="rules-reference">
            <summary>"Rules reference: inputs, operators and every function with its warm-up"</summary>
            <h3>"Inputs"</h3>
            <table class="reference">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Meaning"</th></tr></thead>
                <tbody>
                    {reference.inputs.into_iter().map(|(names, meaning)| view! {
                        <tr><td><code>{names}</code></td><td>{meaning}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h3>"Operators, loosest first"</h3>
            <table class="reference">
                <thead><tr><th scope="col">"Operator"</th><th scope="col">"Meaning"</th></tr></thead>
                <tbody>
                    {reference.operators.into_iter().map(|(ops, meaning)| view! {
                        <tr><td><code>{ops}</code></td><td>{meaning}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h3>"Functions (a " <code>"ta."</code> " prefix is accepted)"</h3>
            <table class="reference" data-testid="rules-functions">
                <thead>
                    <tr>
                        <th scope="col">"Signature"</th>
                        <th scope="col">"Gives"</th>
                        <th scope="col">"Warm-up (bars)"</th>
                        <th scope="col">"Plotted"</th>
                        <th scope="col">"Definition"</th>
                    </tr>
                </thead>
                <tbody>
                    {reference.functions.into_iter().map(|f| view! {
                        <tr>
                            <td><code>{f.signature}</code></td>
                            <td>{f.returns}</td>
                            <td>{f.warm_up}</td>
                            <td>{f.pane}</td>
                            <td class="wrap">{f.definition}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted small">{reference.note}</p>
        </details>
    }
}
