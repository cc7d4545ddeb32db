//! The open study's charts: optimisation history with best-so-far, parameter slices,
//! parallel coordinates, parameter importance, and in-sample against out-of-sample once
//! trials are validated. Rebuilt whenever the study shown changes (at most four times a
//! second while it runs).

use std::rc::Rc;

use leptos::prelude::*;

use crate::charts::canvas::{ChartCanvas, Source};
use crate::charts::plot::{PlotCanvas, PlotHandle};
use crate::charts::study::{
    HistoryChart, HypervolumeChart, ImportanceChart, IsOosChart, ParallelChart, ParetoChart,
    SliceChart, StudyChartData,
};
use crate::studies::OpenStudy;

#[component]
pub fn StudyCharts(
    study: OpenStudy,
    /// Set to the trial a click on the Pareto front picks.
    picked: RwSignal<Option<u64>>,
    /// The objectives the Pareto front draws across and up; kept by the caller, so the
    /// choice survives the charts' rebuild as the study refreshes.
    pareto_axes: RwSignal<(usize, usize)>,
) -> impl IntoView {
    let history = RwSignal::new_local(None::<Source>);
    let slices = RwSignal::new_local(None::<PlotHandle>);
    let parallel = RwSignal::new_local(None::<PlotHandle>);
    let importance = RwSignal::new_local(None::<PlotHandle>);
    let is_oos = RwSignal::new_local(None::<PlotHandle>);
    let data = Rc::new(StudyChartData::new(
        (*study.records).clone(),
        study.plan.space.clone(),
    ));
    history.set(Some(Rc::new(HistoryChart::new(data.clone())) as Source));
    slices.set(Some(Rc::new(SliceChart::new(data.clone())) as PlotHandle));
    parallel.set(Some(Rc::new(ParallelChart::new(data.clone())) as PlotHandle));
    importance.set(Some(
        Rc::new(ImportanceChart::new(data.clone())) as PlotHandle
    ));
    is_oos.set(Some(Rc::new(IsOosChart::new(data.clone())) as PlotHandle));
    let pareto = study.plan.is_multi_objective().then(
        || view! { <ParetoPanel study=study.clone() data=data picked=picked axes=pareto_axes/> },
    );
    view! {
        {pareto}
        <div class="panel">
            <h2>"Optimisation history (best so far in yellow)"</h2>
            <ChartCanvas test_id="history-chart" label="Score of each trial and the best so far" height=320 source=history/>
        </div>
        <div class="charts-grid">
            <div class="panel">
                <h2>"Parameter importance"</h2>
                <PlotCanvas test_id="importance-chart" label="Share of the score's variance each parameter explains" source=importance/>
            </div>
            <div class="panel">
                <h2>"In sample against out of sample"</h2>
                <PlotCanvas test_id="is-oos-chart" label="Validated trials: in-sample score against out-of-sample score" source=is_oos/>
            </div>
        </div>
        <div class="panel">
            <h2>"Parameter slices"</h2>
            <PlotCanvas test_id="slice-chart" label="Score against each parameter" source=slices/>
        </div>
        <div class="panel">
            <h2>"Parallel coordinates"</h2>
            <PlotCanvas test_id="parallel-chart" label="Each trial's parameters and score across parallel axes" source=parallel/>
        </div>
    }
}

/// The Pareto front of a multi-objective study, two objectives at a time, and its
/// hypervolume history.
#[component]
fn ParetoPanel(
    study: OpenStudy,
    data: Rc<StudyChartData>,
    picked: RwSignal<Option<u64>>,
    axes: RwSignal<(usize, usize)>,
) -> impl IntoView {
    let objectives: Vec<String> = study
        .plan
        .metadata
        .objectives
        .iter()
        .map(|o| o.metric.clone())
        .collect();
    let directions = study.plan.settings.directions.clone();
    let front = RwSignal::new_local(None::<PlotHandle>);
    let hypervolume = RwSignal::new_local(Some(
        Rc::new(HypervolumeChart::new(&data, &directions)) as PlotHandle
    ));
    {
        let (objectives, directions, data) = (objectives.clone(), directions.clone(), data.clone());
        Effect::new(move |_| {
            let (x, y) = axes.get();
            front.set(Some(Rc::new(ParetoChart::new(
                data.clone(),
                objectives.clone(),
                directions.clone(),
                x,
                y,
            )) as PlotHandle));
        });
    }
    let select = move |test_id: &'static str, label: &'static str, is_x: bool| {
        let options = objectives
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let selected = move || axes.with(|(x, y)| if is_x { *x == k } else { *y == k });
                view! { <option value=k.to_string() selected=selected>{name.clone()}</option> }
            })
            .collect_view();
        view! {
            <label>
                {label}
                <select data-testid=test_id on:change=move |ev| {
                    if let Ok(k) = event_target_value(&ev).parse::<usize>() {
                        axes.update(|(x, y)| if is_x { *x = k } else { *y = k });
                    }
                }>{options}</select>
            </label>
        }
    };
    let on_pick = Callback::new(move |number: u64| picked.set(Some(number)));
    view! {
        <div class="panel">
            <div class="row">
                <h2 class="grow">"Pareto front"</h2>
                {select("pareto-x", "Across", true)}
                {select("pareto-y", "Up", false)}
            </div>
            <PlotCanvas test_id="pareto-chart" label="Each trial by two of its objectives; the Pareto front highlighted; click a trial to open it" source=front on_pick=on_pick/>
        </div>
        <div class="panel">
            <h2>"Hypervolume"</h2>
            <PlotCanvas test_id="hypervolume-chart" label="The front's hypervolume after each evaluated trial" height=240 source=hypervolume/>
        </div>
    }
}
