//! "Skill or selection": the open study's deflated Sharpe ratio and probability of backtest
//! overfitting, as numbers, in words and as the PBO logit histogram. Computed in a worker
//! from the trials' kept return blocks once the study is not running (PBO over a thousand
//! trials is tens of milliseconds: not for the page's thread, nor for every trial).

use std::rc::Rc;

use genesis_study::selection::Selection;
use leptos::prelude::*;

use crate::charts::plot::{PlotCanvas, PlotHandle};
use crate::charts::study::PboHistogram;
use crate::studies::OpenStudy;
use crate::workers::json_text::Json;
use crate::workers::protocol::{Event, Request};

/// One figure's row: its name, its value, what it means.
fn row(
    name: &'static str,
    value: String,
    meaning: &'static str,
    test_id: &'static str,
) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{name}</th>
            <td class="num mono" data-testid=test_id>{value}</td>
            <td class="muted">{meaning}</td>
        </tr>
    }
}

fn figure(x: f64) -> String {
    format!("{x:.4}")
}

#[component]
pub fn SelectionPanel(study: OpenStudy) -> impl IntoView {
    let ctx = crate::context::use_app();
    let id = StoredValue::new(study.row.id.clone());
    let is_running = move || {
        ctx.studies
            .running
            .with(|r| id.with_value(|id| r.as_deref() == Some(id.as_str())))
    };
    let histogram = RwSignal::new_local(None::<PlotHandle>);
    let computed = RwSignal::new(None::<Result<Selection, String>>);
    let study = StoredValue::new_local(study);
    // Computed in a worker (the page's thread runs no engine work) once the study stops.
    Effect::new(move |_| {
        if is_running() {
            computed.set(None);
            return;
        }
        let request = study.with_value(|study| Request::Overfitting {
            header: Json(study.row.header.clone()),
            records: Json(genesis_study::selection::slim(&study.records)),
        });
        leptos::task::spawn_local(async move {
            let answer = match ctx.pool().run(request, |_| {}).await {
                Ok(Event::Overfitting(Json(selection))) => Ok(*selection),
                Ok(other) => Err(format!("unexpected answer: {other:?}")),
                Err(err) => Err(err.to_string()),
            };
            // A panel closed meanwhile has nothing to show it in.
            let _ = computed.try_set(Some(answer));
        });
    });
    let body = move || {
        histogram.set(None);
        selection_view(
            (!is_running()).then(|| computed.get()).flatten(),
            is_running(),
            histogram,
        )
    };
    view! {
        <div class="panel" data-testid="selection-panel">
            <h2>"Skill or selection"</h2>
            {body}
            <Show when=move || histogram.with(Option::is_some)>
                <PlotCanvas test_id="pbo-histogram" label="Logits of the in-sample best trial's out-of-sample rank, one per split of the blocks" source=histogram/>
            </Show>
        </div>
    }
}

/// The figures, or why there are none; sets the histogram's source when there is a PBO.
fn selection_view(
    computed: Option<Result<Selection, String>>,
    is_running: bool,
    histogram: RwSignal<Option<PlotHandle>, LocalStorage>,
) -> AnyView {
    match computed {
        None if is_running => view! {
            <p class="muted">"The deflated Sharpe ratio and PBO are computed when the study stops."</p>
        }
        .into_any(),
        None => view! { <p class="muted">"computing…"</p> }.into_any(),
        Some(Err(message)) => view! { <p class="status bad">{message}</p> }.into_any(),
        Some(Ok(selection)) => {
            if let Some(pbo) = &selection.pbo {
                histogram.set(Some(
                    Rc::new(PboHistogram::new(&pbo.logits, pbo.pbo)) as PlotHandle
                ));
            }
            let sentences: Vec<String> = [selection.dsr_sentence(), selection.pbo_sentence()]
                .into_iter()
                .flatten()
                .collect();
            let deflation = selection.deflation.map(|d| {
                view! {
                    {row("Tries", selection.n_tries.to_string(), "distinct parameter sets evaluated (complete or pruned)", "selection-tries")}
                    {row("Best trial's Sharpe (per bar)", figure(d.best.sharpe), "mean over standard deviation of its per-bar returns", "selection-sharpe")}
                    {row("Skewness · kurtosis", format!("{:.3} · {:.3}", d.best.skewness, d.best.kurtosis), "of its per-bar returns (kurtosis 3 for a normal)", "selection-moments")}
                    {row("PSR", figure(d.psr), "probability that its true Sharpe ratio is above 0", "selection-psr")}
                    {row("Expected best of no skill", figure(d.expected_max_sharpe), "the Sharpe ratio the best of this many tries reaches by luck", "selection-expected")}
                    {row("DSR", figure(d.dsr), "probability that its Sharpe ratio beats that luck", "selection-dsr")}
                    {row("Minimum track record", d.min_track_record_bars.map_or("none".into(), |b| format!("{b:.0} bars")), "bars for 95 % confidence that its Sharpe ratio is above 0", "selection-mintrl")}
                }
            });
            let pbo = selection.pbo.map(|p| {
                view! {
                    {row("PBO", figure(p.pbo), "share of splits where the best in sample is below the median out of sample", "selection-pbo")}
                    {row("Degradation slope", figure(p.degradation_slope), "out-of-sample Sharpe against in-sample Sharpe of the chosen trials", "selection-slope")}
                    {row("Probability of loss", figure(p.probability_of_loss), "share of splits whose chosen trial lost out of sample", "selection-loss")}
                }
            });
            view! {
                <ul class="sentences" data-testid="selection-sentences">
                    {sentences.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                </ul>
                <table class="figures">
                    <tbody>{deflation}{pbo}</tbody>
                </table>
                <ul class="muted">
                    {selection.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                </ul>
            }
            .into_any()
        }
    }
}
