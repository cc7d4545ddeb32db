//! The Studies page: every study kept in this browser (open, rename, resume, export, delete),
//! imports of study files, and the champions per symbol and timeframe with their history.

use genesis_study::champion::ChampionBook;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::context::{use_app, AppContext};
use crate::error::AppError;
use crate::sharing::transfer;
use crate::studies::records::{self, StudyRow, StudyStatus};
use crate::studies::{champions, load_open, refresh_list, StudyState};
use crate::util::dom::download;
use crate::util::timefmt::short_time;

#[component]
pub fn StudiesPage() -> impl IntoView {
    let ctx = use_app();
    let book = RwSignal::new(None::<ChampionBook>);
    let refresh_book = move || {
        leptos::task::spawn_local(async move {
            if let Some(db) = ctx.db.get_untracked() {
                match champions::load(&db).await {
                    Ok(loaded) => book.set(Some(loaded)),
                    Err(err) => ctx.errors.raise("storage", err.to_string()),
                }
            }
        })
    };
    Effect::new(move |_| {
        if ctx.db.with(Option::is_some) {
            refresh_book();
        }
    });
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">"Studies"</h1>
            <p class="lede">
                "Every study kept in this browser. Open one to see its charts and best trials, resume "
                "it with more trials (exactly as if it had never stopped), export it, or import one."
            </p>
            <StudyTable/>
            <ImportPanel/>
            <ChampionsPanel book=book on_change=refresh_book/>
        </section>
    }
}

#[component]
fn StudyTable() -> impl IntoView {
    let ctx = use_app();
    let state = ctx.studies;
    view! {
        <div class="panel">
            <h2>"Studies"</h2>
            <Show
                when=move || state.list.with(|l| !l.is_empty())
                fallback=|| view! { <p class="muted">"No studies yet: start one on the Optimize page."</p> }
            >
                <div class="table-scroll">
                    <table>
                        <thead>
                            <tr>
                                <th>"Name"</th><th>"Dataset"</th><th>"Strategy"</th><th>"Sampler"</th>
                                <th class="num">"Trials"</th><th class="num">"Best"</th><th>"Status"</th><th>"Created"</th>
                                <th><span class="sr-only">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || state.list.get()
                                key=|row| (row.id.clone(), row.name.clone(), row.n_finished, row.status.clone(), row.updated_ms.to_bits())
                                children=move |row| view! { <StudyRowView row=row/> }
                            />
                        </tbody>
                    </table>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn StudyRowView(row: StudyRow) -> impl IntoView {
    let ctx = use_app();
    let state = ctx.studies;
    let id = row.id.clone();
    let target = RwSignal::new((row.n_finished + 50).max(row.n_target).to_string());
    let allow_mismatch = RwSignal::new(false);
    let status = status_label(&row, state.running.get_untracked().as_deref());
    let open = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match load_open(ctx, &id).await {
                    Ok(study) => {
                        state.publish(study);
                        navigate("#/optimize");
                    }
                    Err(message) => ctx.errors.raise("storage", message),
                }
            });
        }
    };
    let resume = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            let Ok(n_target) = target.get_untracked().trim().parse::<u64>() else {
                ctx.errors.raise(
                    "study",
                    format!("{:?} is not a number of trials", target.get_untracked()),
                );
                return;
            };
            navigate("#/optimize");
            crate::studies::spawn_resume(ctx, id, n_target, allow_mismatch.get_untracked());
        }
    };
    let rename = {
        let row = row.clone();
        move |_| rename_study(ctx, &row)
    };
    let delete = {
        let row = row.clone();
        move |_| delete_study(ctx, &row)
    };
    let export = {
        let id = id.clone();
        move |ev: web_sys::Event| {
            let format = event_target_value(&ev);
            if let Some(select) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                select.set_value("");
            }
            let id = id.clone();
            leptos::task::spawn_local(export_study(ctx, id, format));
        }
    };
    let is_busy = move || state.running.with(Option::is_some);
    view! {
        <tr data-testid="study-row">
            <td><button class="link" on:click=open title="Open on the Optimize page">{row.name.clone()}</button></td>
            <td>{row.dataset_name.clone()}</td>
            <td>{row.strategy.clone()}</td>
            <td>{row.sampler.clone()}</td>
            <td class="num" data-testid="study-row-trials">{row.n_finished}</td>
            <td class="num">{row.best_value.map_or_else(String::new, |v| format!("{v:.4}"))}</td>
            <td>{status}</td>
            <td class="mono">{short_time(row.created_ms as i64)}</td>
            <td class="actions">
                <input
                    class="trials"
                    aria-label=format!("Trials to resume {} to", row.name)
                    data-testid="study-resume-trials"
                    prop:value=move || target.get()
                    on:input=move |ev| target.set(event_target_value(&ev))
                />
                <button data-testid="study-resume" disabled=is_busy on:click=resume>"Resume"</button>
                <label class="inline" title="Resume even if the space, base config, dataset, engine version or sampler settings differ from the study's (recorded in its journal)">
                    <input type="checkbox" on:change=move |ev| allow_mismatch.set(event_target_checked(&ev))/>
                    " despite a signature mismatch"
                </label>
                <select aria-label=format!("Export {}", row.name) data-testid="study-export" on:change=export>
                    <option value="">"Export…"</option>
                    <option value="optuna">"Optuna journal (JSONL)"</option>
                    <option value="csv">"Trials (CSV)"</option>
                    <option value="bundle">"Study bundle"</option>
                    <option value="bundle-data">"Study bundle with dataset"</option>
                </select>
                <button on:click=rename>"Rename"</button>
                <button class="danger" disabled=is_busy on:click=delete aria-label=format!("Delete {}", row.name)>"Delete"</button>
            </td>
        </tr>
    }
}

/// What a study's row says of its state: a study marked running that this page is not
/// driving was interrupted (a reload, a closed tab) and can be resumed.
fn status_label(row: &StudyRow, running_id: Option<&str>) -> String {
    match (&row.status, &row.stop_reason) {
        (StudyStatus::Running, _) if running_id == Some(row.id.as_str()) => "running".to_string(),
        (StudyStatus::Running, _) => "interrupted (resumable)".to_string(),
        (StudyStatus::Stopped, Some(reason)) => format!("stopped: {reason}"),
        (StudyStatus::Stopped, None) => "stopped".to_string(),
    }
}

/// Asks for a new name (control characters dropped, at most 120 characters) and stores it.
fn rename_study(ctx: AppContext, row: &StudyRow) {
    let Some(name) = web_sys::window()
        .and_then(|w| {
            w.prompt_with_message_and_default("New name", &row.name)
                .ok()
        })
        .flatten()
    else {
        return;
    };
    let name: String = name.chars().filter(|c| !c.is_control()).take(120).collect();
    if name.trim().is_empty() {
        return;
    }
    let mut row = row.clone();
    row.name = name.trim().to_string();
    leptos::task::spawn_local(async move {
        if let Some(db) = ctx.db_or_raise() {
            if let Err(err) = records::save_study(&db, &row).await {
                ctx.errors.raise("storage", err.to_string());
            }
            refresh_list(ctx, ctx.studies).await;
        }
    });
}

/// Deletes a study and its trials once the user confirms, closing it if it is open.
fn delete_study(ctx: AppContext, row: &StudyRow) {
    let confirmed = web_sys::window()
        .and_then(|w| {
            w.confirm_with_message(&format!(
                "Delete study {} and its {} trials?",
                row.name, row.n_finished
            ))
            .ok()
        })
        .unwrap_or(false);
    if !confirmed {
        return;
    }
    let id = row.id.clone();
    let state = ctx.studies;
    leptos::task::spawn_local(async move {
        let Some(db) = ctx.db_or_raise() else {
            return;
        };
        let numbers = match records::load_trials(&db, &id).await {
            Ok((trials, _)) => trials.iter().map(|t| t.number).collect::<Vec<_>>(),
            Err(err) => {
                ctx.errors.raise("storage", err.to_string());
                return;
            }
        };
        if let Err(err) = records::delete(&db, &id, &numbers).await {
            ctx.errors.raise("storage", err.to_string());
        }
        if state
            .open
            .with_untracked(|o| o.as_ref().is_some_and(|s| s.row.id == id))
        {
            state.open.set(None);
        }
        refresh_list(ctx, state).await;
    });
}

fn navigate(hash: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(hash);
    }
}

async fn export_study(ctx: AppContext, id: String, format: String) {
    let study = match load_open(ctx, &id).await {
        Ok(study) => study,
        Err(message) => {
            ctx.errors.raise("storage", message);
            return;
        }
    };
    let result = match format.as_str() {
        "optuna" => transfer::export_optuna(ctx, &study).await,
        "csv" => transfer::export_csv(&study),
        "bundle" => transfer::export_bundle(ctx, &study, false).await,
        "bundle-data" => transfer::export_bundle(ctx, &study, true).await,
        _ => Ok(()),
    };
    if let Err(message) = result {
        ctx.errors.raise("export", message);
    }
}

#[component]
fn ImportPanel() -> impl IntoView {
    let ctx = use_app();
    let state: StudyState = ctx.studies;
    let busy = RwSignal::new(false);
    let on_change = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        busy.set(true);
        leptos::task::spawn_local(async move {
            let name = file.name();
            let result = async {
                if file.size() > crate::sharing::bundle::MAX_IMPORT_BYTES as f64 {
                    return Err(AppError::WrongFile {
                        file: name.clone(),
                        message: format!("{:.0} MB is too large to import", file.size() / 1e6),
                    });
                }
                let buffer =
                    JsFuture::from(file.array_buffer())
                        .await
                        .map_err(|e| AppError::Browser {
                            what: format!("reading {name}"),
                            message: format!("{e:?}"),
                        })?;
                let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                transfer::import(ctx, name.clone(), bytes).await
            }
            .await;
            match result {
                Ok(imported) => {
                    if matches!(imported, transfer::ImportedRow::WalkForward(_)) {
                        crate::studies::walkforward::refresh_list(ctx).await;
                    }
                    ctx.notices.show(imported.notice());
                }
                Err(message) => ctx.errors.raise("import", message),
            }
            refresh_list(ctx, state).await;
            busy.set(false);
        });
    };
    view! {
        <div class="panel">
            <h2>"Import"</h2>
            <label class="button">
                "Import a study file (bundle, Optuna journal export or walk-forward bundle)…"
                <input type="file" class="sr-only" data-testid="study-import-input" accept=".json,.jsonl,application/json" on:change=on_change/>
            </label>
            <Show when=move || busy.get()><span class="muted">" importing…"</span></Show>
        </div>
    }
}

#[component]
fn ChampionsPanel(
    book: RwSignal<Option<ChampionBook>>,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = use_app();
    view! {
        <div class="panel">
            <h2>"Champions"</h2>
            {move || {
                let slots = book.with(|b| b.as_ref().map(|b| b.slots.clone()).unwrap_or_default());
                if slots.is_empty() {
                    return view! { <p class="muted">"No champions yet: validate a study's best trials out of sample and promote one."</p> }.into_any();
                }
                slots.into_iter().map(|slot| {
                    let symbol = slot.symbol.clone();
                    let timeframe = slot.timeframe.clone();
                    let current = slot.current().cloned();
                    let can_roll_back = slot.chain.len() > 1;
                    let rollback = {
                        let symbol = symbol.clone();
                        let timeframe = timeframe.clone();
                        move |_| {
                            let symbol = symbol.clone();
                            let timeframe = timeframe.clone();
                            leptos::task::spawn_local(async move {
                                if let Some(db) = ctx.db_or_raise() {
                                    match champions::rollback(&db, &symbol, &timeframe, js_sys::Date::now() as i64).await {
                                        Ok(c) => ctx.notices.show(format!("Rolled back: {} {} is trial #{} of {} again", c.symbol, c.timeframe, c.trial, c.study_name)),
                                        Err(message) => ctx.errors.raise("champion", message),
                                    }
                                    on_change();
                                }
                            });
                        }
                    };
                    let export = {
                        let current = current.clone();
                        move |_| {
                            if let Some(c) = &current {
                                let name = format!("champion_{}_{}.yaml", c.symbol, c.timeframe);
                                if let Err(message) = download(&name, "application/yaml", &c.to_yaml()) {
                                    ctx.errors.raise("export", message);
                                }
                            }
                        }
                    };
                    view! {
                        <div class="champion" data-testid="champion-row">
                            <h3>{format!("{symbol} · {timeframe}")}</h3>
                            {current.map(|c| view! {
                                <p>
                                    {format!(
                                        "Trial #{} of study {} · score in sample {:.4}, out of sample {:.4} · fingerprint {} · dataset {} · promoted {} · engine {}",
                                        c.trial, c.study_name, c.in_sample.score, c.out_of_sample.score,
                                        &c.fingerprint[..12.min(c.fingerprint.len())], &c.dataset_hash[..12.min(c.dataset_hash.len())],
                                        short_time(c.promoted_at_ms), c.engine_version
                                    )}
                                </p>
                            })}
                            <p class="muted">{format!("{} promotion(s) kept for rollback.", slot.history.len())}</p>
                            <button on:click=export>"Export config (YAML)"</button>
                            <button data-testid="champion-rollback" disabled=!can_roll_back on:click=rollback>"Roll back to the previous champion"</button>
                        </div>
                    }
                }).collect_view().into_any()
            }}
        </div>
    }
}
