//! The strategy config editor: a preset to start from, the YAML text, and a form for the
//! common keys that writes into the text (keeping its comments). The engine validates the
//! text in a worker as you type, so an error names the dotted key the engine itself names,
//! and an unknown key comes with the nearest known one.
//!
//! The text has line numbers, and the place of the engine's error is underlined in it: a
//! mistake inside a rule (`strategy: rules`) at the rule's own line and column, an unknown
//! key on the key, a bad value on the value. For a rules config the editor is the rule
//! editor: the rule's error is spelled out under the text with a caret under its column, and
//! the language reference sits below it.

use genesis_engine::strategy::{presets, StrategyError};
use leptos::prelude::*;
use serde_json::Value;

use crate::components::code_editor::{CodeEditor, Underline};
use crate::components::rules_reference::RulesReference;
use crate::config::form::{self, Field};
use crate::config::{yaml_edit, yaml_locate};
use crate::context::use_app;
use crate::workers::job_error::JobError;
use crate::workers::pool::PoolError;
use crate::workers::protocol::{ConfigCheck, Event, Request};

/// The editor's state, shared with the page that runs the config.
#[derive(Clone, Copy)]
pub struct ConfigState {
    pub preset: RwSignal<String>,
    pub yaml: RwSignal<String>,
    /// The engine's verdict on the current text (`None` while checking).
    pub check: RwSignal<Option<Result<ConfigCheck, JobError>>>,
    /// Bumped on every edit, so a stale validation answer is dropped.
    revision: StoredValue<u64>,
}

impl ConfigState {
    pub fn new(preset: &str) -> ConfigState {
        ConfigState {
            preset: RwSignal::new(preset.to_string()),
            yaml: RwSignal::new(presets::text(preset).unwrap_or_default().to_string()),
            check: RwSignal::new(None),
            revision: StoredValue::new(0),
        }
    }

    /// Replaces the text (a shared link, a champion) and validates it.
    pub fn set_text(&self, yaml: String) {
        self.yaml.set(yaml);
    }
}

#[component]
pub fn ConfigEditor(state: ConfigState) -> impl IntoView {
    let ctx = use_app();
    let form_error = RwSignal::new(None::<String>);

    // Validate 250 ms after the last keystroke, in a worker.
    Effect::new(move |_| {
        let yaml = state.yaml.get();
        let revision = state.revision.get_value() + 1;
        state.revision.set_value(revision);
        state.check.set(None);
        // After each await the page may be gone (the user navigated away), its signals
        // disposed: read them with `try_`, which says so instead of panicking.
        leptos::task::spawn_local(async move {
            crate::util::dom::sleep_ms(250).await;
            if state.revision.try_get_value() != Some(revision) {
                return;
            }
            let verdict = match ctx.pool().run(Request::CheckConfig { yaml }, |_| {}).await {
                Ok(Event::Config(check)) => Ok(check),
                Ok(other) => Err(JobError::Other(format!("unexpected answer: {other:?}"))),
                Err(PoolError::Failed(error)) => Err(error),
                Err(err) => Err(JobError::Other(err.to_string())),
            };
            if state.revision.try_get_value() == Some(revision) {
                state.check.set(Some(verdict));
            }
        });
    });

    let fields = Memo::new(move |_| {
        state.check.with(|c| match c {
            Some(Ok(check)) => serde_json::from_str::<Value>(&check.canonical_json)
                .map(|v| form::fields(&v))
                .unwrap_or_default(),
            _ => Vec::new(),
        })
    });
    // Keep the last good form while the text is being checked or is invalid.
    let shown_fields = RwSignal::new(Vec::<Field>::new());
    Effect::new(move |_| {
        let current = fields.get();
        if !current.is_empty() {
            shown_fields.set(current);
        }
    });

    // The last verdict's error stays while the next text is checked, placed in the current
    // text, so the underline does not blink at every keystroke.
    let last_error = RwSignal::new(None::<StrategyError>);
    Effect::new(move |_| {
        state.check.with(|check| match check {
            None => {}
            Some(Err(JobError::Strategy(error))) => last_error.set(Some(error.clone())),
            Some(_) => last_error.set(None),
        })
    });
    // A rules config, as the text says; kept while the text does not say (a half-typed line).
    let is_rules = Memo::new(move |previous: Option<&bool>| {
        state
            .yaml
            .with(|text| yaml_locate::value_at(text, "strategy"))
            .map_or_else(
                || previous.copied().unwrap_or(false),
                |s| s.value == "rules",
            )
    });
    let underline = Signal::derive(move || {
        last_error.with(|error| {
            let error = error.as_ref()?;
            let range = state
                .yaml
                .with(|text| yaml_locate::error_mark(text, error))?;
            let test_id = match error {
                StrategyError::Rule { .. } => "rule-error-mark",
                _ => "config-error-mark",
            };
            Some(Underline { range, test_id })
        })
    });
    let rule_error = Memo::new(move |_| {
        last_error.with(|error| match error {
            Some(error @ StrategyError::Rule { .. }) => Some(error.clone()),
            _ => None,
        })
    });

    // The dotted key the engine refused, marked in the form and named under the text.
    let bad_key = Memo::new(move |_| {
        state.check.with(|c| match c {
            Some(Err(error)) => error.config_key().map(str::to_string),
            _ => None,
        })
    });

    let write = move |path: String, value: String| match yaml_edit::set_scalar(
        &state.yaml.get_untracked(),
        &path,
        &value,
    ) {
        Ok(text) => {
            form_error.set(None);
            state.yaml.set(text);
        }
        Err(message) => form_error.set(Some(message)),
    };

    view! {
        <div class="panel config-editor">
            <div class="row">
                <h2 class="grow">"Strategy config"</h2>
                <label>
                    "Preset"
                    <select
                        data-testid="preset-select"
                        on:change=move |ev| {
                            let name = event_target_value(&ev);
                            if let Some(text) = presets::text(&name) {
                                state.preset.set(name);
                                state.yaml.set(text.to_string());
                            }
                        }
                    >
                        {presets::names().map(|name| view! {
                            <option value=name selected=move || state.preset.with(|p| p == name)>{name}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="editor-grid">
                <div class="form" role="group" aria-label="Common keys">
                    <For
                        each=move || shown_fields.get()
                        key=|f| (f.path.clone(), f.value.to_string())
                        children=move |field| {
                            let path = field.path.clone();
                            let is_bad = Signal::derive(move || bad_key.with(|k| k.as_deref() == Some(path.as_str())));
                            view! { <FieldInput field=field write=write is_bad=is_bad/> }
                        }
                    />
                    <Show when=move || form_error.with(Option::is_some)>
                        <p class="field-error" role="alert">{move || form_error.get()}</p>
                    </Show>
                </div>
                <div>
                    <label class="block" for="config-yaml-text">
                        {move || if is_rules.get() {
                            "Rules and config (YAML; each rule is checked as you type, its mistakes underlined)"
                        } else {
                            "YAML (every key is documented in config/strategy/*.yaml)"
                        }}
                    </label>
                    <CodeEditor
                        text=state.yaml
                        underline=underline
                        test_id="config-yaml"
                        id="config-yaml-text"
                        editor_test_id=Signal::derive(move || if is_rules.get() { "rule-editor" } else { "config-text" })
                        described_by="config-status"
                    />
                    <p
                        id="config-status"
                        data-testid="config-status"
                        class=move || match state.check.get() {
                            Some(Ok(_)) => "status ok",
                            Some(Err(_)) => "status bad",
                            None => "status",
                        }
                        aria-live="polite"
                    >
                        {move || match state.check.get() {
                            None => "checking…".to_string(),
                            Some(Ok(check)) => format!(
                                "valid {} config · fingerprint {}",
                                check.strategy,
                                &check.fingerprint[..12.min(check.fingerprint.len())]
                            ),
                            Some(Err(error)) => error.to_string(),
                        }}
                    </p>
                    <Show when=move || rule_error.with(Option::is_some)>
                        <RuleError error=rule_error text=state.yaml/>
                    </Show>
                    <Show when=move || bad_key.with(Option::is_some)>
                        <p class="field-error" data-testid="config-error-key">
                            "The problem is at key "
                            <code>{move || bad_key.get()}</code>
                            {move || shown_fields.with(|fields| {
                                let key = bad_key.get().unwrap_or_default();
                                fields
                                    .iter()
                                    .any(|f| f.path == key)
                                    .then_some(" (marked in the form)")
                            })}
                            {move || underline.with(Option::is_some).then_some(" (underlined in the text)")}
                        </p>
                    </Show>
                </div>
            </div>
            <Show when=move || is_rules.get()>
                <RulesReference/>
            </Show>
        </div>
    }
}

/// A mistake inside a rule: the engine's message, and the rule's line with a caret under
/// the column.
#[component]
fn RuleError(error: Memo<Option<StrategyError>>, text: RwSignal<String>) -> impl IntoView {
    let caret = move || {
        let Some(StrategyError::Rule {
            key, line, column, ..
        }) = error.get()
        else {
            return String::new();
        };
        let rule = text.with(|text| yaml_locate::value_at(text, &key));
        let Some(rule_line) = rule
            .as_ref()
            .and_then(|r| r.value.lines().nth(line.saturating_sub(1)))
        else {
            return String::new();
        };
        format!("{rule_line}\n{}^", " ".repeat(column.saturating_sub(1)))
    };
    view! {
        <div class="rule-error" data-testid="rule-error" role="alert">
            <p>{move || error.get().map(|e| e.to_string())}</p>
            <pre class="caret" aria-hidden="true">{caret}</pre>
        </div>
    }
}

#[component]
fn FieldInput(
    field: Field,
    write: impl Fn(String, String) + Copy + 'static,
    /// The engine refused the config at this key.
    is_bad: Signal<bool>,
) -> impl IntoView {
    let path = field.path.clone();
    let label = path.clone();
    match field.value {
        Value::Bool(is_on) => view! {
            <label class="inline field" class:invalid=move || is_bad.get()>
                <input
                    type="checkbox"
                    checked=is_on
                    on:change=move |ev| write(path.clone(), event_target_checked(&ev).to_string())
                />
                " " {label}
            </label>
        }
        .into_any(),
        Value::String(text) => view! {
            <label class="field" class:invalid=move || is_bad.get()>
                {label}
                <input
                    value=text
                    on:change=move |ev| write(path.clone(), event_target_value(&ev))
                />
            </label>
        }
        .into_any(),
        other => {
            let shown = match &other {
                Value::Null => String::new(),
                v => v.to_string(),
            };
            let error = RwSignal::new(None::<String>);
            view! {
                <label class="field" class:invalid=move || is_bad.get()>
                    {label}
                    <input
                        inputmode="decimal"
                        value=shown
                        placeholder="none"
                        aria-invalid=move || (error.with(Option::is_some) || is_bad.get()).to_string()
                        on:change=move |ev| match form::number_text(&event_target_value(&ev)) {
                            Ok(text) => {
                                error.set(None);
                                write(path.clone(), text);
                            }
                            Err(message) => error.set(Some(message)),
                        }
                    />
                    <Show when=move || error.with(Option::is_some)>
                        <span class="field-error">{move || error.get()}</span>
                    </Show>
                </label>
            }
            .into_any()
        }
    }
}
